"""Building ``resources/brca_lof_rules.tsv`` from the ENIGMA VCEP specification facts (build time).

Facts taken (no text or code of the rule files is copied):

* per exon, the weight the specifications give a premature termination codon (the PM5_PTC
  exon weights that the CSpec v1.2.0 PVS1 text says apply to termination codons): strong or
  very strong -> ``count``; moderate or supporting -> ``review``; not applicable -> ``no``;
* the last known pathogenic termination codon (BRCA1 1853, BRCA2 3308): later codons -> ``no``;
  a codon that one rendering still weighs strong and the other puts beyond the last pathogenic
  one (BRCA1 1854, BRCA2 3309) -> ``review``;
* per canonical splice site (+/-1, +/-2) and base, whether loss of function applies and at
  what strength: applies at very strong or strong -> ``count``; at moderate or supporting ->
  ``review``; does not apply -> ``no``.

Exon numbers are the MANE transcripts' (checked: the rule files' exon codon ranges fall on the
bundled models' exons); c. ranges are computed from the bundled GRCh38 models.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence

from armmatch.errors import InputError
from armmatch.knowledge.brca_lof import LOF_COLUMNS
from armmatch.knowledge.transcripts import GeneModel

STRENGTH_VERDICT = {
    "very_strong": "count",
    "strong": "count",
    "moderate": "review",
    "supporting": "review",
}


def exon_c_ranges(model: GeneModel) -> dict[int, tuple[int, int]]:
    """Per exon number, the coding c. range it holds (exons without coding bases absent)."""
    out: dict[int, tuple[int, int]] = {}
    for exon in model.exons:
        coding = [model.cds_position(p) for p in range(exon.start0 + 1, exon.end + 1)]
        ints = [c for c in coding if c is not None]
        if ints:
            out[exon.number] = (min(ints), max(ints))
    return out


def last_ptc_codon(yaml_text: str, *, path: str) -> int:
    m = re.search(r"pos_last_known_patho_ptc:\s*(\d+)", yaml_text)
    if not m:
        raise InputError("no pos_last_known_patho_ptc", path=path)
    return int(m.group(1))


def ptc_rows(
    gene: str, model: GeneModel, pm5_text: str, last_codon: int, *, path: str
) -> list[list[str]]:
    """``ptc`` rows: exon weights, cut at the last pathogenic termination codon."""
    ranges = exon_c_ranges(model)
    rows: list[tuple[int, int, int, str, str]] = []
    strong_end = 0
    for rec in csv.DictReader(io.StringIO(pm5_text), delimiter="\t"):
        if rec["gene"] != gene:
            continue
        m = re.search(r"exon (\d+)", rec["comment"])
        if not m:
            raise InputError(f"no exon number in a {gene} exon-weight row", path=path)
        exon = int(m.group(1))
        if exon not in ranges:
            raise InputError(
                f"{gene} exon {exon} has no coding bases in the bundled model", path=path
            )
        applies = rec["rule_status"].strip().upper() == "TRUE"
        strength = rec["evidence_strength"].strip()
        start_codon, end_codon = int(rec["start"]), int(rec["end"])
        lo, hi = ranges[exon]
        if not (lo - 2 <= 3 * start_codon - 2 <= hi + 2 or lo <= 3 * end_codon <= hi + 2):
            raise InputError(
                f"{gene} exon {exon}: codons {start_codon}-{end_codon} are not on the bundled "
                f"exon c.{lo}-c.{hi}",
                path=path,
            )
        if applies and STRENGTH_VERDICT.get(strength) == "count":
            strong_end = max(strong_end, end_codon)
        # a row that stops inside the exon (BRCA1 exon 23 "up to c.5571") keeps its codon range
        c_lo = max(lo, 3 * start_codon - 2) if rows and rows[-1][0] == exon else lo
        c_hi = min(hi, 3 * end_codon) if end_codon * 3 < hi else hi
        verdict = STRENGTH_VERDICT.get(strength, "review") if applies else "no"
        rows.append((exon, c_lo, c_hi, verdict, strength if applies else "not_applicable"))
    # cut at the last pathogenic termination codon
    out: list[list[str]] = []
    last_c = 3 * last_codon
    for exon, c_lo, c_hi, verdict, strength in rows:
        pieces = [(c_lo, min(c_hi, last_c), verdict, strength, f"exon {exon}")]
        if c_hi > last_c:
            disputed_end = min(c_hi, 3 * strong_end)
            if disputed_end > last_c and verdict == "count":
                pieces.append(
                    (max(c_lo, last_c + 1), disputed_end, "review", strength,
                     f"exon {exon}: codon after the last known pathogenic termination codon "
                     f"{last_codon} that the exon weights still count as {strength}: the "
                     "renderings disagree, the board decides")
                )  # fmt: skip
            rest_lo = max(c_lo, last_c + 1, disputed_end + 1 if disputed_end > last_c else 0)
            if rest_lo <= c_hi:
                pieces.append(
                    (rest_lo, c_hi, "no", "not_applicable",
                     f"exon {exon}: after the last known pathogenic termination codon {last_codon}")
                )  # fmt: skip
        for p_lo, p_hi, v, s, note in pieces:
            if p_lo > p_hi:
                continue
            if note == f"exon {exon}":
                note = f"exon {exon}: loss of function " + (
                    "does not apply" if v == "no" else f"at {s} weight"
                )
            out.append([gene, "ptc", f"c.{p_lo}..c.{p_hi}", "*", v, s, note])
    return out


def splice_rows(gene: str, table_text: str, *, path: str) -> list[list[str]]:
    """``splice`` rows, one per canonical site and base."""
    out = []
    for rec in csv.DictReader(io.StringIO(table_text), delimiter="\t"):
        site = rec["position"].strip()
        if not re.fullmatch(r"-?\d+[+-][12]", site):
            raise InputError(f"splice site {site!r} is not a +/-1,2 position", path=path)
        applies = rec["rule_status"].strip() == "True"
        strength = rec["evidence_strength"].strip()
        verdict = STRENGTH_VERDICT.get(strength, "review") if applies else "no"
        note = (
            f"loss of function at {strength} weight" if applies
            else "loss of function does not apply at this site (in-frame or no effect on the "
            "biologically relevant transcript)"
        )  # fmt: skip
        out.append(
            [gene, "splice", f"c.{site}", rec["alternative_allele"].strip(), verdict,
             strength if applies else "not_applicable", note]
        )  # fmt: skip
    return out


def render_lof(rows: Sequence[Sequence[object]], sources: Mapping[str, str], version: str) -> str:
    lines = [
        "# armmatch BRCA1/2 loss-of-function rules: how a truncating or canonical splice-site "
        "variant that the classification table does not classify is decided",
        "# (the ENIGMA BRCA1/BRCA2 VCEP specifications, ClinGen CSpec v1.2.0: PVS1 with the "
        "exon-specific termination-codon weights, the last known pathogenic termination codon,",
        "# and the site-by-site splicing decisions). Built by scripts/build_brca_knowledge.py "
        "(armmatch.knowledge.build.brca_lof) from the facts in these files:",
        *(f"#   {name} sha256={digest}" for name, digest in sorted(sources.items())),
        "# verdict: count = counts for niraparib; review = for the board (moderate or supporting "
        "weight, or the renderings disagree); no = loss of function does not apply.",
        "# ptc rows: the termination codon's first base in c.START..c.END (MANE numbering; a "
        "frameshift's new stop codon); splice rows: c. site and base on the transcript strand.",
        f"# brca_lof_version: {version}",
        "\t".join(LOF_COLUMNS),
    ]
    lines += ["\t".join(str(x) for x in r) for r in rows]
    return "\n".join(lines) + "\n"
