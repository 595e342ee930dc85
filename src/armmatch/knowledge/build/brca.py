"""Building the BRCA1/2 classification table from ClinVar data (build time only).

Sources (``../shared/data/brca-knowledge``, see its PROVENANCE.md), newest first; where two
give the same variant the newer one is kept:

* ``clinvar-2026-08``: ClinVar variant_summary build 260818 BRCA1 missense with two or more
  stars (``controls_p_lp_b_lb.tsv``);
* ``clinvar-2026-02``: ClinVar GRCh38 VCF of 2026-02-01, BRCA1 missense SNVs (``master.tsv``,
  CC0; the source left out conflicting records);
* ``clinvar-brca2``: ClinVar GRCh38 VCF BRCA2 records of every kind (``brca2_merged.csv``;
  the ClinVar release is not recorded, a 2024-2025 one by its terms);
* ``clinvar-2018``: a 2018 ClinVar web export (``clinvar_result.txt``), alleles from its HGVS
  names (NM_007294.3 / NM_000059.3 share the MANE coding sequence); only where no newer source
  has the variant.

Each variant is normalised on the bundled GRCh38 locus (trimmed, left-aligned, VCF style with
its anchor base), carried to GRCh37 through the LRG alignment (:func:`armmatch.knowledge.build.lrg.lift`)
and normalised there, and named (HGVS c./p., class) by armmatch's own classifier on the MANE
transcript with the locus sequence, so a table row and a patient's record are named alike.
ClinVar facts only; no other project's text or code.
"""

from __future__ import annotations

import ast
import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from armmatch.calling.alleles import Allele, trim
from armmatch.calling.consequence import classify_variant
from armmatch.calling.hgvs_c import allele_from_c
from armmatch.calling.reference import SequenceSource, left_align
from armmatch.knowledge.brca_table import PATHOGENIC, REVIEW_STARS, Classified
from armmatch.knowledge.build.lrg import AssemblyLocus, lift
from armmatch.knowledge.transcripts import GeneModel

GENES = ("BRCA1", "BRCA2")


@dataclass(frozen=True)
class Raw:
    """A source record before normalisation: a GRCh38 VCF allele or an HGVS c. name."""

    gene: str
    classification: str
    review: str
    clinvar_id: str
    source: str
    date: str
    vcf38: tuple[str, int, str, str] | None = None
    hgvsc: str = ""
    location38: int | None = None
    """Where the source places the variant on GRCh38 (checked against the allele from the name)."""


# ---------------------------------------------------------------------------------------------
# ClinVar words
# ---------------------------------------------------------------------------------------------


def clinvar_classification(text: str) -> str | None:
    """ClinVar's germline classification in any of the sources' spellings, else None
    (``not provided``, ``risk factor``, drug response, ...)."""
    t = text.strip()
    if t.startswith("("):
        try:
            t = ",".join(ast.literal_eval(t))
        except (ValueError, SyntaxError):
            return None
    t = re.sub(r"\(Last reviewed:[^)]*\)", "", t).replace("_", " ").strip().lower()
    t = t.split(",")[0].strip()
    if t.startswith("conflicting"):
        return "conflicting"
    return {
        "pathogenic": "pathogenic",
        "likely pathogenic": "likely_pathogenic",
        "pathogenic/likely pathogenic": "pathogenic/likely_pathogenic",
        "uncertain significance": "uncertain",
        "likely benign": "likely_benign",
        "benign": "benign",
        "benign/likely benign": "benign/likely_benign",
    }.get(t)


def clinvar_review(text: str) -> str | None:
    """ClinVar's review status in any of the sources' spellings -> a :data:`REVIEW_STARS` key."""
    t = text.strip()
    if t.startswith("("):
        try:
            t = "".join(ast.literal_eval(t))
        except (ValueError, SyntaxError):
            return None
    t = t.replace("|", "").replace("_", " ").replace(",", " ")
    t = " ".join(t.lower().split())
    if "practice guideline" in t:
        return "practice_guideline"
    if "expert panel" in t:
        return "expert_panel"
    if "multiple submitters" in t:
        return "multiple_submitters"
    if "conflicting" in t:
        return "conflicting_submissions"
    if "single submitter" in t:
        return "single_submitter"
    if "no assertion" in t or "no classification" in t or "no interpretation" in t:
        return "no_criteria"
    return None


def _date_iso(text: str) -> str:
    """ClinVar's ``LastEvaluated`` (``Mar 14, 2023``, ``2023-03-14`` or ``-``) as YYYY-MM-DD."""
    for fmt in ("%b %d, %Y", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return ""


def _date(text: str) -> str:
    m = re.search(r"Last reviewed: ([A-Za-z]{3} \d{1,2}, \d{4})", text)
    if not m:
        return ""
    return datetime.strptime(m.group(1), "%b %d, %Y").date().isoformat()


# ---------------------------------------------------------------------------------------------
# Reading each source
# ---------------------------------------------------------------------------------------------


def read_controls(text: str, source: str, date: str) -> Iterator[Raw]:
    """``controls_p_lp_b_lb.tsv``: BRCA1 missense, two or more stars (NM_007294.4 names)."""
    for row in csv.DictReader(io.StringIO(text), delimiter="\t"):
        cls, rev = clinvar_classification(row["sig"]), clinvar_review(row["review"])
        if cls is None or rev is None:
            continue
        yield Raw(
            "BRCA1", cls, rev, row["VariationID"], source, date,
            vcf38=("17", int(row["pos38"]), row["ref38"], row["alt38"]),
        )  # fmt: skip


def read_master(text: str, source: str, date: str) -> Iterator[Raw]:
    """``master.tsv``: BRCA1 missense SNVs, one row per VEP transcript (MANE rows kept)."""
    for row in csv.DictReader(io.StringIO(text), delimiter="\t"):
        if row["Feature"] != "ENST00000357654":
            continue
        cls, rev = clinvar_classification(row["clnsig_raw"]), clinvar_review(row["revstat"])
        if cls is None or rev is None:
            continue
        vid = re.sub(r"\D", "", row["variation_id"])
        yield Raw(
            "BRCA1", cls, rev, vid, source, date,
            vcf38=(row["chrom"], int(row["pos"]), row["ref"], row["alt"]),
        )  # fmt: skip


def read_brca2(text: str, source: str, date: str) -> Iterator[Raw]:
    """``brca2_merged.csv``: BRCA2 records of every kind (ClinVar VCF CLNSIG/CLNREVSTAT)."""
    for row in csv.DictReader(io.StringIO(text)):
        cls = clinvar_classification(row["ClinicalSignificance"])
        rev = clinvar_review(row["ReviewStatus"])
        if cls is None or rev is None:
            continue
        yield Raw(
            "BRCA2", cls, rev, "", source, date,
            vcf38=(row["Chromosome"], int(row["Start"]), row["ReferenceAllele"],
                   row["AlternateAllele"]),
        )  # fmt: skip


_NAME = re.compile(r"^N[MR]_\d+\.\d+\((?P<gene>BRCA[12])\):(?P<c>c\.[^ ]+)")


def read_export_2018(text: str, source: str) -> Iterator[Raw]:
    """``clinvar_result.txt``: the 2018 web export (alleles from the HGVS names)."""
    text = text.lstrip("\ufeff")
    for row in csv.DictReader(io.StringIO(text), delimiter="\t"):
        gene = row.get("Gene(s)", "")
        m = _NAME.match(row.get("Name", ""))
        if gene not in GENES or not m or m.group("gene") != gene:
            continue
        sig = row["Clinical significance (Last reviewed)"]
        cls, rev = clinvar_classification(sig), clinvar_review(row["Review status"])
        if cls is None or rev is None:
            continue
        loc = row.get("GRCh38Location", "").split("-")[0].strip()
        yield Raw(
            gene, cls, rev, row["VariationID"], source, _date(sig) or "2018-12-31",
            hgvsc=m.group("c"), location38=int(loc) if loc.isdigit() else None,
        )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Normalisation and naming
# ---------------------------------------------------------------------------------------------


def vcf_style(seq: SequenceSource, chrom: str, a: Allele) -> tuple[int, str, str]:
    """A trimmed allele as a VCF record (an indel gets its left anchor base)."""
    if a.ref and a.alt:
        return a.pos1, a.ref, a.alt
    anchor = seq.fetch(chrom, a.pos1 - 2, a.pos1 - 1)
    return a.pos1 - 1, anchor + a.ref, anchor + a.alt


def normalised(seq: SequenceSource, chrom: str, pos1: int, ref: str, alt: str) -> Allele | None:
    """Trimmed and left-aligned, or None when REF disagrees with the sequence."""
    try:
        if seq.fetch(chrom, pos1 - 1, pos1 - 1 + len(ref)) != ref.upper():
            return None
        return left_align(seq, chrom, trim(pos1, ref, alt))
    except KeyError:
        return None


def lift_allele(
    a38: Allele, chrom: str, loc38: AssemblyLocus, loc37: AssemblyLocus
) -> Allele | None:
    """A normalised GRCh38 allele carried to GRCh37 (None when its bases are not in both)."""
    if loc38.strand != loc37.strand:
        return None
    if a38.kind == "insertion":
        left = lift(loc38, loc37, a38.pos1 - 1)
        right = lift(loc38, loc37, a38.pos1)
        if left is None or right is None or abs(left - right) != 1:
            return None
        return Allele(max(left, right), "", a38.alt)
    lifted = [lift(loc38, loc37, p) for p in range(a38.pos1, a38.end1 + 1)]
    if any(p is None for p in lifted):
        return None
    ps = [p for p in lifted if p is not None]
    if max(ps) - min(ps) != len(ps) - 1:
        return None
    ref37 = loc37.fetch(min(ps) - 1, max(ps))
    return Allele(min(ps), ref37, a38.alt)


@dataclass(frozen=True)
class BuildInputs:
    """What naming and normalisation need per build."""

    models: Mapping[str, Mapping[str, GeneModel]]
    """build -> gene -> the bundled (MANE) model."""
    loci: Mapping[str, SequenceSource]
    """build -> the bundled loci."""
    lrg: Mapping[str, Mapping[str, AssemblyLocus]]
    """gene -> build -> the LRG assembly locus (position maps between builds)."""


def name_variant(inputs: BuildInputs, gene: str, chrom: str, a: Allele) -> tuple[str, str, str]:
    """HGVS c., p. and class of a normalised GRCh38 allele on the MANE model (our classifier)."""
    model = inputs.models["GRCh38"][gene]
    pos, ref, alt = vcf_style(inputs.loci["GRCh38"], chrom, a)
    calls = classify_variant(
        {gene: model}, chrom, pos, ref, alt, {}, inputs.loci["GRCh38"], {gene: 100_000}
    )
    call = next((c for c in calls if c.status == "called"), calls[0] if calls else None)
    if call is None:
        return "", "", "utr_or_flank"
    return call.hgvsc or "", call.hgvsp or "", call.variant_class or "other"


@dataclass
class BuildReport:
    """What happened to every source record (written into the table's comments)."""

    read: dict[str, int]
    kept: dict[str, int]
    superseded: dict[str, int]
    skipped: dict[str, dict[str, int]]

    def skip(self, source: str, why: str) -> None:
        d = self.skipped.setdefault(source, {})
        d[why] = d.get(why, 0) + 1


def build_rows(
    raws: Iterable[Raw], inputs: BuildInputs, precedence: Sequence[str]
) -> tuple[list[Classified], BuildReport]:
    """Normalise, name and merge the records (earlier ``precedence`` sources win)."""
    report = BuildReport({}, {}, {}, {})
    best: dict[str, tuple[int, Classified]] = {}
    rank = {s: i for i, s in enumerate(precedence)}
    seq38, seq37 = inputs.loci["GRCh38"], inputs.loci["GRCh37"]
    for raw in raws:
        report.read[raw.source] = report.read.get(raw.source, 0) + 1
        chrom = "17" if raw.gene == "BRCA1" else "13"
        if raw.vcf38 is not None:
            c38, pos, ref, alt = raw.vcf38
            a38 = normalised(seq38, chrom, pos, ref, alt)
        else:
            vcf = allele_from_c(inputs.models["GRCh38"][raw.gene], seq38, raw.hgvsc)
            if vcf is None:
                report.skip(raw.source, "HGVS name not a plain change on the transcript")
                continue
            a38 = normalised(seq38, chrom, *vcf)
            if (
                a38 is not None
                and raw.location38 is not None
                and not (a38.pos1 - 60 <= raw.location38 <= a38.end1 + 60)
            ):
                report.skip(raw.source, "HGVS name and GRCh38 location disagree")
                continue
        if a38 is None:
            report.skip(raw.source, "REF not the GRCh38 sequence or outside the locus")
            continue
        if a38.kind == "none":
            report.skip(raw.source, "no change")
            continue
        lrg = inputs.lrg[raw.gene]
        a37 = lift_allele(a38, chrom, lrg["GRCh38"], lrg["GRCh37"])
        if a37 is not None:
            a37 = left_align(seq37, chrom, a37)
        hgvsc, hgvsp, vclass = name_variant(inputs, raw.gene, chrom, a38)
        g38 = ":".join(map(str, (chrom, *vcf_style(seq38, chrom, a38))))
        g37 = ":".join(map(str, (chrom, *vcf_style(seq37, chrom, a37)))) if a37 else ""
        row = Classified(
            raw.gene, g37, g38, hgvsc, hgvsp, vclass, raw.classification, raw.review,
            REVIEW_STARS[raw.review], raw.clinvar_id, raw.source, raw.date,
        )  # fmt: skip
        key = g38
        mine = rank[raw.source]
        have = best.get(key)
        if have is not None and have[0] < mine:
            report.superseded[raw.source] = report.superseded.get(raw.source, 0) + 1
            continue
        # one source, two records of one normalised allele: keep the better reviewed
        if have is not None and have[0] == mine and have[1].stars >= row.stars:
            report.skip(raw.source, "duplicate of a better-reviewed record")
            continue
        if have is not None and have[0] > mine:
            old = have[1].source
            report.superseded[old] = report.superseded.get(old, 0) + 1
        best[key] = (mine, row)
    rows = [r for _, r in best.values()]
    for r in rows:
        report.kept[r.source] = report.kept.get(r.source, 0) + 1
    return rows, report


def intronic_reach(rows: Iterable[Classified]) -> dict[str, int]:
    """Per gene, the widest intronic offset of a row that can change a decision (P/LP or
    conflicting): the calling reports intronic records this far from an exon."""
    out: dict[str, int] = {}
    for r in rows:
        if r.classification not in PATHOGENIC and r.classification != "conflicting":
            continue
        for m in re.finditer(r"\d([+-])(\d+)", r.hgvsc):
            out[r.gene] = max(out.get(r.gene, 0), int(m.group(2)))
    return dict(sorted(out.items()))


def with_source_dates(rows: Iterable[Classified], dates: Mapping[str, str]) -> list[Classified]:
    return [replace(r, date=r.date or dates.get(r.source, "")) for r in rows]
