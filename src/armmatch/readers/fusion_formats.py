"""Fusion formats: detection from the header and the registry of table readers.

``arriba``
    Arriba ``fusions.tsv``; ``gene1`` is the 5' partner, an intergenic side names its
    neighbours with distances (``LINC00486(12345),ALK(4321)``) and has no fused gene.
``fusioncatcher``
    FusionCatcher ``final-list_candidate-fusion-genes.txt`` (``Predicted_effect`` is the frame).
``pcgr``
    PCGR's ``fusions.tsv`` (``FusionGene`` written ``5'--3'``; a partner may be missing).
``star-fusion``
    STAR-Fusion ``fusion_predictions(.abridged).tsv``.
``bnd-vcf``
    Breakend VCFs (:mod:`armmatch.readers.bnd_vcf`; genes named by
    :mod:`armmatch.calling.breakends`).
``generic``
    ``gene5``, ``gene3`` and optional breakpoints, frame and split reads.
``ctat-lr-fusion``, ``jaffa``, ``pbfusion``
    Long-read callers (and JAFFA): :mod:`armmatch.readers.long_read_fusions`.

Other callers' files are recognised and refused by name (:data:`NOT_READ`): EricScript, deFuse,
TopHat-Fusion, LongGF, fusionseeker, FusionInspector.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path

from armmatch.errors import InputError
from armmatch.io import open_text, table_rows
from armmatch.readers.arriba import read_arriba
from armmatch.readers.fusion_table import Fusion
from armmatch.readers.fusioncatcher import FC_GENE3, FC_GENE5, read_fusioncatcher
from armmatch.readers.generic_fusions import read_generic_fusions
from armmatch.readers.long_read_fusions import read_ctat_lr_fusion, read_jaffa, read_pbfusion
from armmatch.readers.pcgr_fusions import read_pcgr_fusions
from armmatch.readers.star_fusion import read_star_fusion
from armmatch.readers.vcf_text import vcf_kinds

_FUSION_COLUMNS = (
    ("arriba", {"gene1", "gene2", "breakpoint1", "breakpoint2"}),
    ("ctat-lr-fusion", {"num_LR", "LeftGene", "LeftBreakpoint", "RightGene"}),
    ("star-fusion", {"FusionName", "LeftGene", "LeftBreakpoint", "RightGene"}),
    ("jaffa", {"fusion genes", "chrom1", "base1", "chrom2", "base2", "spanning reads"}),
    ("pbfusion", {"chr1", "start1", "end1", "chr2", "start2", "end2", "info"}),
    ("fusioncatcher", {FC_GENE5, FC_GENE3}),
    ("pcgr", {"FusionGene"}),
    ("generic", {"gene5", "gene3"}),
)


NOT_READ = (
    ("EricScript", {"GeneName1", "GeneName2", "Breakpoint1", "EricScore"}),
    ("deFuse", {"cluster_id", "splitr_count", "gene_name1", "gene_name2"}),
    ("FusionInspector", {"LeftGene", "LeftLocalBreakpoint", "NumCounterFusionLeft"}),
    ("fusionseeker", {"ID", "Gene1", "Gene2", "NumSupp", "Breakpoint1"}),
)
"""Other callers' headers: such a file is refused, naming the caller (armmatch does not read
it: its support or orientation columns differ)."""

ACCEPTED = (
    "arriba (#gene1, gene2, breakpoint1, breakpoint2, ...), star-fusion (#FusionName, ..., "
    "LeftGene, LeftBreakpoint, RightGene, RightBreakpoint), ctat-lr-fusion (the same with "
    "num_LR), fusioncatcher (Gene_1_symbol(5end_fusion_partner), ...), jaffa (JAFFA/JAFFAL "
    "jaffa_results.csv), pbfusion (breakpoints.groups.bed), bnd-vcf (a VCF with BND records), "
    "pcgr (FusionGene = GENE5--GENE3, ...) or generic (gene5, gene3[, breakpoint5, "
    "breakpoint3, frame, split_reads])"
)


def _looks_like(header: Sequence[str], first_lines: Sequence[str]) -> str | None:
    """The caller whose output this looks like, among those armmatch does not read."""
    names = {h.strip().lstrip("#") for h in header}
    for caller, needed in NOT_READ:
        if needed <= names:
            return caller
    if first_lines and all(len(x.split("\t")) == 11 and x.split("\t")[3].isdigit()
                           for x in first_lines[:3]):  # fmt: skip
        return "TopHat-Fusion (result.txt: no header, 11 columns)"
    text = " ".join(first_lines[:3])
    if "Open sam file" in text or "SumGF" in text or "GF\t" in text:
        return "LongGF (its log-like .out)"
    return None


def fusion_format_candidates(header: Sequence[str]) -> list[str]:
    """Every fusion table format whose required columns the header has (a leading ``#``
    removed, as Arriba and STAR-Fusion write it).

    >>> fusion_format_candidates(["#gene1", "gene2", "breakpoint1", "breakpoint2", "type"])
    ['arriba']
    """
    names = {h.strip() for h in header}
    if header:
        names.add(header[0].strip().lstrip("#"))
    found = [fmt for fmt, needed in _FUSION_COLUMNS if needed <= names]
    if "ctat-lr-fusion" in found:  # STAR-Fusion's layout with long-read counts
        found.remove("star-fusion")
    if {"LeftLocalBreakpoint", "NumCounterFusionLeft"} <= names and "star-fusion" in found:
        found.remove("star-fusion")  # FusionInspector: refused by name
    return found


def detect_fusion_format(path: str | Path, *, patient: str | None = None) -> str:
    """Tell the fusion format from the header line.

    Returns
    -------
    str
        ``arriba`` (``gene1 gene2 ... breakpoint1``), ``star-fusion`` (``FusionName LeftGene
        LeftBreakpoint RightGene RightBreakpoint``), ``fusioncatcher``
        (``Gene_1_symbol(5end_fusion_partner)``), ``bnd-vcf`` (``##fileformat=VCF``), ``pcgr``
        (``FusionGene``) or ``generic`` (``gene5 gene3``).

    Raises
    ------
    InputError
        When the header fits none of them, or several (ambiguous: name the format in the
        sample sheet's ``fusion_format``); the message lists the accepted formats.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "f.tsv")
    >>> _ = open(p, "w").write("FusionGene\\tSplitReads\\n")
    >>> detect_fusion_format(p)
    'pcgr'
    """
    (line, header), *_ = table_rows(path, patient, header_only=True)
    if "\t".join(header).startswith("fileformat=VCF"):
        return "bnd-vcf"
    first = _first_lines(path, patient)
    body = [x for x in first if not x.startswith("##")]
    if first and first[0].startswith("##") and body:  # pbfusion: ## meta lines, #chr1 header
        line, header = first.index(body[0]) + 1, body[0].split("\t")
    if len(header) == 1 and "," in header[0]:  # a CSV (JAFFA)
        header = next(csv.reader([header[0]]))
    found = fusion_format_candidates(header)
    if len(found) == 1:
        return found[0]
    other = None if found else _looks_like(header, first)
    if other is not None:
        problem = f"this looks like {other} output, which armmatch does not read"
    elif found:
        problem = (
            f"the header fits several fusion formats ({', '.join(found)}): name the format in "
            "the sample sheet's fusion_format column"
        )
    else:
        problem = "cannot tell the fusion format from the header"
    raise InputError(f"{problem}; accepted: {ACCEPTED}", path=path, line=line, patient=patient)


def _first_lines(path: str | Path, patient: str | None, n: int = 40) -> list[str]:
    """The first ``n`` lines (decoded with replacement: a sniff)."""
    out = []
    with open_text(path, patient=patient, errors="replace") as fh:
        for raw in fh:
            if raw.strip():
                out.append(raw.rstrip("\r\n"))
            if len(out) >= n:
                break
    return out


def check_structural_vcf(path: str | Path, *, patient: str | None = None) -> None:
    """Stop when a VCF given as fusion calls holds small variants, or proves nothing.

    A breakend VCF (Manta, DELLY, GRIDSS, FusionCatcher) has BND or symbolic structural
    records, or at least declares them; a small-variant VCF has neither, and read as fusion
    calls it would clear the RET/NTRK/FGFR exclusions without having looked for a fusion.
    """
    kinds = vcf_kinds(path, patient=patient)
    if kinds.records and not kinds.structural:
        raise InputError(
            f"this is a small-variant VCF ({kinds.records} records read, none a breakend or "
            "structural variant), not fusion calls: give it in the vcf column; the fusions "
            "column takes a fusion caller's table or a breakend VCF",
            path=path,
            patient=patient,
        )
    if not kinds.records and not kinds.declares_sv:
        raise InputError(
            "a VCF without records and without structural-variant header lines (INFO SVTYPE, "
            "ALT <DEL>/<BND>...): nothing shows it is a structural-variant caller's output, so "
            "it cannot count as fusions assessed",
            path=path,
            patient=patient,
        )


FUSION_TABLE_READERS: dict[str, Callable[..., list[Fusion]]] = {
    "arriba": read_arriba,
    "star-fusion": read_star_fusion,
    "fusioncatcher": read_fusioncatcher,
    "pcgr": read_pcgr_fusions,
    "generic": read_generic_fusions,
    "ctat-lr-fusion": read_ctat_lr_fusion,
    "jaffa": read_jaffa,
    "pbfusion": read_pbfusion,
}
