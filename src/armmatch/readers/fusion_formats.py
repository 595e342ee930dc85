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
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from armmatch.errors import InputError
from armmatch.io import table_rows
from armmatch.readers.arriba import read_arriba
from armmatch.readers.fusion_table import Fusion
from armmatch.readers.fusioncatcher import FC_GENE3, FC_GENE5, read_fusioncatcher
from armmatch.readers.generic_fusions import read_generic_fusions
from armmatch.readers.pcgr_fusions import read_pcgr_fusions
from armmatch.readers.star_fusion import read_star_fusion
from armmatch.readers.vcf_text import vcf_kinds

_FUSION_COLUMNS = (
    ("arriba", {"gene1", "gene2", "breakpoint1", "breakpoint2"}),
    ("star-fusion", {"FusionName", "LeftGene", "LeftBreakpoint", "RightGene"}),
    ("fusioncatcher", {FC_GENE5, FC_GENE3}),
    ("pcgr", {"FusionGene"}),
    ("generic", {"gene5", "gene3"}),
)


def fusion_format_candidates(header: Sequence[str]) -> list[str]:
    """Every fusion table format whose required columns the header has (a leading ``#``
    removed, as Arriba and STAR-Fusion write it).

    >>> fusion_format_candidates(["#gene1", "gene2", "breakpoint1", "breakpoint2", "type"])
    ['arriba']
    """
    names = {h.strip() for h in header}
    if header:
        names.add(header[0].strip().lstrip("#"))
    return [fmt for fmt, needed in _FUSION_COLUMNS if needed <= names]


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
    found = fusion_format_candidates(header)
    if len(found) == 1:
        return found[0]
    problem = (
        f"the header fits several fusion formats ({', '.join(found)}): name the format in the "
        "sample sheet's fusion_format column"
        if found
        else "cannot tell the fusion format from the header"
    )
    raise InputError(
        f"{problem}; accepted: arriba (#gene1, gene2, breakpoint1, breakpoint2, ...), "
        "star-fusion (#FusionName, ..., LeftGene, LeftBreakpoint, RightGene, RightBreakpoint), "
        "fusioncatcher (Gene_1_symbol(5end_fusion_partner), ...), bnd-vcf (a VCF with BND "
        "records), pcgr (FusionGene = GENE5--GENE3, ...) or generic (gene5, gene3[, "
        "breakpoint5, breakpoint3, frame, split_reads])",
        path=path,
        line=line,
        patient=patient,
    )


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
}
