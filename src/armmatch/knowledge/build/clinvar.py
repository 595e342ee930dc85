"""Rebuilding the BRCA1/2 pathogenic list from ClinVar's ``variant_summary.txt``."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path

from armmatch.hgvs import parse_protein_change
from armmatch.errors import ConfigError
from armmatch.io import open_text
from armmatch.knowledge.brca_list import CLASSIFICATIONS, PathogenicVariant

# ---------------------------------------------------------------------------------------------
# building from ClinVar variant_summary.txt
# ---------------------------------------------------------------------------------------------

_NAME = re.compile(
    r"^(?P<tx>N[MR]_\d+(?:\.\d+)?)\((?P<gene>[A-Z0-9]+)\):(?P<c>c\.[^ ]+)(?: \((?P<p>p\.[^)]+)\))?"
)


def _iso_date(text: str) -> str:
    """ClinVar's ``LastEvaluated`` (``Mar 14, 2023`` or ``-``) as YYYY-MM-DD, else empty."""
    text = text.strip()
    for fmt in ("%b %d, %Y", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return ""


def _variant_type(c: str, p: str | None) -> str | None:
    """missense, splice (non-canonical: intronic beyond +/-2, never the +/-1, +/-2 sites) or None."""
    if p:
        try:
            if parse_protein_change(p).kind == "substitution":
                return "missense"
        except ValueError:
            pass
    m = re.fullmatch(r"c\.\d+([+-])(\d+)[ACGT]>[ACGT]", c)
    if m and int(m.group(2)) > 2:
        return "splice"
    return None


def list_from_clinvar(
    rows: Iterable[Mapping[str, str]], genes: Sequence[str] = ("BRCA1", "BRCA2")
) -> list[PathogenicVariant]:
    """BRCA1/2 P/LP missense and non-canonical splice variants from ClinVar variant_summary rows.

    GRCh37 and GRCh38 rows of one VariationID are merged (positions ``chrom:pos:ref:alt``).
    """
    by_id: dict[str, dict[str, str]] = {}
    for r in rows:
        gene = r.get("GeneSymbol", "")
        if gene not in genes or r.get("ClinicalSignificance", "") not in CLASSIFICATIONS:
            continue
        m = _NAME.match(r.get("Name", ""))
        if not m or m.group("gene") != gene:
            continue
        vtype = _variant_type(m.group("c"), m.group("p"))
        if vtype is None:
            continue
        vid = r.get("VariationID", "")
        rec = by_id.setdefault(
            vid,
            {
                "gene": gene, "transcript": m.group("tx"), "hgvsc": m.group("c"),
                "hgvsp": m.group("p") or "", "variant_type": vtype,
                "classification": r["ClinicalSignificance"],
                "review_status": r.get("ReviewStatus", ""),
                "last_evaluated": _iso_date(r.get("LastEvaluated", "")),
                "clinvar_id": vid, "grch37": "", "grch38": "",
            },
        )  # fmt: skip
        assembly = {"GRCh37": "grch37", "GRCh38": "grch38"}.get(r.get("Assembly", ""))
        if assembly and r.get("PositionVCF", "-") not in ("-", "", "na"):
            rec[assembly] = ":".join(
                r.get(k, "") for k in ("Chromosome", "PositionVCF", "ReferenceAlleleVCF", "AlternateAlleleVCF")
            )  # fmt: skip
    out: dict[tuple[str, str], PathogenicVariant] = {}
    for rec in by_id.values():
        v = PathogenicVariant(**rec)
        out.setdefault(v.key, v)
    return list(out.values())


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


def diff_lists(
    old: Sequence[PathogenicVariant], new: Sequence[PathogenicVariant]
) -> dict[str, dict[str, int]]:
    """Per gene: variants added, removed and reclassified (classification changed)."""
    a, b = {v.key: v for v in old}, {v.key: v for v in new}
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
