"""Rebuilding the BRCA1/2 classification table from ClinVar's ``variant_summary.txt``
(``armmatch update-resources``, opt-in and online).

The same filters and naming as the bundled build (:mod:`armmatch.knowledge.build.brca`): every
BRCA1/2 germline classification ClinVar gives (pathogenic to benign, conflicting), each row's
VCF allele of each assembly normalised on the bundled loci, HGVS c./p. and class from
armmatch's own classifier on the MANE transcript. :func:`diff_tables` reports what was added,
removed and reclassified.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from armmatch.calling.alleles import trim
from armmatch.calling.reference import left_align
from armmatch.errors import ConfigError
from armmatch.io import open_text
from armmatch.knowledge.brca_table import REVIEW_STARS, Classified
from armmatch.knowledge.build.brca import (
    BuildInputs,
    _date_iso,
    clinvar_classification,
    clinvar_review,
    name_variant,
    vcf_style,
)

GENES = ("BRCA1", "BRCA2")
CHROM = {"BRCA1": "17", "BRCA2": "13"}


def rows_from_clinvar(
    rows: Iterable[Mapping[str, str]], inputs: BuildInputs, source: str
) -> list[Classified]:
    """Table rows from variant_summary rows (the GRCh37 and GRCh38 rows of one VariationID
    are merged; a record whose allele is not the bundled sequence is left out)."""
    by_id: dict[str, dict[str, object]] = {}
    for r in rows:
        gene = r.get("GeneSymbol", "")
        if gene not in GENES:
            continue
        cls = clinvar_classification(r.get("ClinicalSignificance", ""))
        rev = clinvar_review(r.get("ReviewStatus", ""))
        build = r.get("Assembly", "")
        pos = r.get("PositionVCF", "")
        if cls is None or rev is None or build not in ("GRCh37", "GRCh38") or not pos.isdigit():
            continue
        chrom = CHROM[gene]
        seq = inputs.loci[build]
        ref, alt = r.get("ReferenceAlleleVCF", ""), r.get("AlternateAlleleVCF", "")
        if not ref or not alt or not set(ref + alt) <= set("ACGTN"):
            continue
        try:
            if seq.fetch(chrom, int(pos) - 1, int(pos) - 1 + len(ref)) != ref:
                continue
            a = left_align(seq, chrom, trim(int(pos), ref, alt))
            allele = ":".join(map(str, (chrom, *vcf_style(seq, chrom, a))))
        except KeyError:
            continue
        rec = by_id.setdefault(
            r.get("VariationID", ""),
            {"gene": gene, "classification": cls, "review": rev,
             "date": _date_iso(r.get("LastEvaluated", "")), "alleles": {}},
        )  # fmt: skip
        rec["alleles"][build] = (allele, a)  # type: ignore[index]
    out: list[Classified] = []
    for vid, rec in sorted(by_id.items()):
        alleles = rec["alleles"]
        assert isinstance(alleles, dict)
        if "GRCh38" not in alleles:
            continue
        gene = str(rec["gene"])
        hgvsc, hgvsp, vclass = name_variant(inputs, gene, CHROM[gene], alleles["GRCh38"][1])
        out.append(
            Classified(
                gene, alleles.get("GRCh37", ("", None))[0], alleles["GRCh38"][0], hgvsc, hgvsp,
                vclass, str(rec["classification"]), str(rec["review"]),
                REVIEW_STARS[str(rec["review"])], vid, source, str(rec["date"]),
            )
        )  # fmt: skip
    return out


def read_clinvar_rows(path: str | Path) -> Iterator[dict[str, str]]:
    """Rows of a ClinVar ``variant_summary.txt`` (plain or .gz); the header starts with ``#``."""

    with open_text(path) as fh:
        header_line = fh.readline().rstrip("\n").lstrip("#")
        header = header_line.split("\t")
        if "GeneSymbol" not in header or "ClinicalSignificance" not in header:
            raise ConfigError(
                "not a ClinVar variant_summary file (no GeneSymbol / ClinicalSignificance columns)",
                path=str(path),
                line=1,
            )
        for line in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            yield dict(zip(header, line, strict=False))


def diff_tables(old: Sequence[Classified], new: Sequence[Classified]) -> dict[str, dict[str, int]]:
    """Per gene: variants added, removed and reclassified (classification changed), by the
    GRCh38 allele."""
    a, b = {(v.gene, v.grch38): v for v in old}, {(v.gene, v.grch38): v for v in new}
    genes = sorted({k[0] for k in a} | {k[0] for k in b})
    out: dict[str, dict[str, int]] = {}
    for g in genes:
        out[g] = {
            "added": sum(1 for k in b if k[0] == g and k not in a),
            "removed": sum(1 for k in a if k[0] == g and k not in b),
            "reclassified": sum(
                1 for k in b if k[0] == g and k in a and a[k].classification != b[k].classification
            ),
        }
    return out
