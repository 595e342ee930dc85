"""Copy-number evidence of one patient: read the segments, call every target gene.

A copy-number input is read into segments (:mod:`armmatch.readers.cnv_formats`), each segment's
tumour copy number is derived (from a total copy number given by the file, or from its log2
ratio with the purity formula), and every target gene is summarised from the segments that
overlap it (:mod:`armmatch.calling.gene_copy_number`). A gene-level table gives the caller's
calls directly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from armmatch.calling.builds import check_segment_build
from armmatch.calling.gene_copy_number import (
    ALTERATION_WORDS,
    BROAD_SEGMENT_BP,
    DEFAULT_MIN_COVERAGE,
    GeneSpanLike,
    gene_copy_number,
    ploidy_range_evidence,
    purity_range_evidence,
)
from armmatch.calling.purity import CnvThresholds, check_purity_ploidy, tumour_copy_number
from armmatch.errors import InputError
from armmatch.events import (
    PROFILE_MAX_SEGMENTS,
    Assessment,
    CnvProfile,
    Event,
    Evidence,
    SourceRecord,
)
from armmatch.genome import normalise_chrom
from armmatch.io import sha256_file
from armmatch.readers.cnv_formats import check_cnv_format, read_segments_file
from armmatch.readers.cnv_table import SegMeanScale, Segment
from armmatch.readers.gene_table import GeneLevelValue, read_gene_table

log = logging.getLogger(__name__)
"""Copy-number formats :func:`read_copy_number` accepts (the sample sheet's ``cnv_format``)."""
"""The formats that give segments (all but ``gene-table``)."""
"""The logarithm base of a SEG file's ``seg.mean`` (configuration ``seg_mean_scale``)."""
"""cBioPortal/GISTIC discrete values and the call each one is read as."""
"""Default focal size (``copy_number.focal_max_mb``): an amplification or homozygous deletion
from a longer segment is ``indeterminate: broad`` (an arm-level change, never counted)."""
"""Default fraction of a gene's measured bp that a copy number must span to be the gene's
amplification-side value (see :func:`gene_copy_number`)."""
"""The plain words used as :attr:`Event.alteration` for each copy-number call."""


GENE_TABLE_METHOD = (
    "gene-level caller call (GISTIC -2..2: -2 homozygous deletion, -1 loss, 0 neutral, 1 gain, "
    "2 amplification); purity formula and copy-number thresholds not applied"
)


def gene_level_evidence(
    values: Mapping[str, GeneLevelValue], genes: Sequence[GeneSpanLike], *, source_path: str
) -> Evidence:
    """Events and assessments from gene-level calls (see :func:`read_gene_table`).

    Every target gene with a value gets a ``called`` event with the caller's call; a gene the
    table does not give is not assessed.

    Examples
    --------
    >>> v = {"MET": GeneLevelValue("MET", 2, 3, "P1")}
    >>> ev = gene_level_evidence(v, [GeneSpan("MET", "7", 0, 10), GeneSpan("CDK4", "12", 0, 9)],
    ...                          source_path="cna.txt")
    >>> ev.events[0].cnv_call, [a.assessed for a in ev.assessments]
    ('amplification', [True, False])
    """
    evidence = Evidence()
    for gene in genes:
        found = values.get(gene.gene)
        if found is None:
            reason = f"{gene.gene} has no value in {source_path}"
            evidence.assessments.append(Assessment(gene.gene, "cnv", False, reason))
            continue
        evidence.events.append(
            Event(
                gene=gene.gene,
                category="cnv",
                alteration=ALTERATION_WORDS[found.call],
                source=SourceRecord(
                    source_path, found.line, f"{gene.gene} {found.sample}={found.value}"
                ),
                chrom=normalise_chrom(gene.chrom),
                cnv_call=found.call,
                value=str(found.value),
                notes=(f"sample {found.sample}: value {found.value}", GENE_TABLE_METHOD),
            )
        )
        reason = f"gene-level call for {gene.gene} in {source_path}"
        evidence.assessments.append(Assessment(gene.gene, "cnv", True, reason))
    return evidence


@dataclass(frozen=True)
class CnvContext:
    """One patient's copy-number setting: what calling needs besides the file.

    ``purity`` ``None`` means unknown: each call is then checked over ``min_purity`` .. 1.0
    (:func:`~armmatch.calling.gene_copy_number.purity_range_evidence`). ``other_genes`` (the
    same genes on the other build) lets the segments' build be checked.
    """

    genes: Sequence[GeneSpanLike]
    thresholds_for: Callable[[str], CnvThresholds]
    purity: float | None = None
    ploidy: float | None = 2.0
    """None: unknown; each call is then checked at both ends of ``ploidy_range``."""
    patient: str | None = None
    build: str | None = None
    other_genes: Sequence[GeneSpanLike] | None = None
    sample: str | None = None
    seg_mean_scale: SegMeanScale = "log2"
    log2_is_tumour_ratio: bool = True
    min_coverage: float = DEFAULT_MIN_COVERAGE
    min_gene_coverage: float = 0.0
    min_purity: float = 0.2
    ploidy_range: tuple[float, float] = (1.5, 3.5)
    focal_max_bp: int = BROAD_SEGMENT_BP


def read_copy_number(path: str | Path, fmt: str | None, context: CnvContext) -> Evidence:
    """Read a copy-number file and summarise the target genes (see :func:`gene_copy_number`).

    A gene-level table (``gene-table``) gives the caller's calls directly
    (:func:`gene_level_evidence`); purity, ploidy and thresholds are then not used.

    Parameters
    ----------
    path
        The copy-number file.
    fmt
        One of :data:`CNV_FORMATS`, or ``None``/``"auto"`` to detect it from the header.
    context
        The patient's setting (:class:`CnvContext`): ``genes``, ``purity``, ``ploidy``,
        ``thresholds_for``, ``log2_is_tumour_ratio``, ``min_coverage``, ``min_gene_coverage``
        and ``focal_max_bp`` as for :func:`gene_copy_number`; ``patient`` for error messages
        and as the sample of a multi-sample SEG file or gene table unless ``sample`` (the
        sheet's ``cnv_sample``) names another; ``seg_mean_scale`` of a SEG file; ``build``,
        where segments beyond a chromosome's end are an error and, with ``other_genes``, a
        file whose named genes fit only the other build stops (:func:`check_segment_build`);
        with ``purity`` None (unknown), calls are checked over ``min_purity`` .. 1.0.

    Returns
    -------
    Evidence
        Events and assessments, with ``inputs = {path: sha256}``. Events read from a CNVkit
        bin file (``.cnr``: no ``probes`` column) are all ``indeterminate``: per-bin ratios on
        amplicon panels swing by several log2 units, and the minimum-over-gene deletion rule
        would turn one noisy bin into a homozygous deletion.

    Raises
    ------
    InputError
        Bad file content or format, or invalid purity/ploidy (reported for the patient).
    """
    c = context
    try:
        check_purity_ploidy(
            c.min_purity if c.purity is None else c.purity,
            c.ploidy if c.ploidy is not None else c.ploidy_range[0],
        )
    except ValueError as exc:
        raise InputError(f"{exc} (for {path})", patient=c.patient) from None
    used = check_cnv_format(fmt, path, c.patient)
    if used == "gene-table":
        values = read_gene_table(path, patient=c.patient, sample=c.sample)
        evidence = gene_level_evidence(values, c.genes, source_path=str(path))
        evidence.inputs[str(path)] = sha256_file(path)
        return evidence
    used, segments = read_segments_file(
        path, used, patient=c.patient, sample=c.sample, seg_mean_scale=c.seg_mean_scale,
        build=c.build,
    )  # fmt: skip
    if c.other_genes is not None and c.build is not None:
        check_segment_build(segments, c.genes, c.other_genes, build=c.build, path=path,
                            patient=c.patient)  # fmt: skip
    common: dict[str, Any] = {
        "thresholds_for": c.thresholds_for, "source_path": str(path),
        "log2_is_tumour_ratio": c.log2_is_tumour_ratio, "min_coverage": c.min_coverage,
        "min_gene_coverage": c.min_gene_coverage, "focal_max_bp": c.focal_max_bp,
    }  # fmt: skip
    from_log2 = any(seg.total_cn is None for seg in segments)

    def at_ploidy(ploidy: float) -> Evidence:
        if c.purity is None and from_log2:
            return purity_range_evidence(
                segments, c.genes, min_purity=c.min_purity, ploidy=ploidy, **common
            )
        return gene_copy_number(segments, c.genes, purity=c.purity or 1.0, ploidy=ploidy, **common)

    if c.ploidy is None and from_log2:
        evidence = ploidy_range_evidence(at_ploidy, c.ploidy_range)
    else:
        evidence = at_ploidy(c.ploidy if c.ploidy is not None else 2.0)
    if used == "cnvkit" and segments and all(seg.probes is None for seg in segments):
        evidence.events = [_bin_level(e) for e in evidence.events]
    evidence.inputs[str(path)] = sha256_file(path)
    evidence.profile = cnv_profile(segments, c)
    return evidence


def cnv_profile(segments: Sequence[Segment], context: CnvContext) -> CnvProfile:
    """The segments' copy numbers for the profile plot (purity unknown: drawn at 1.0; ploidy
    unknown: at the low end of the range)."""
    purity = context.purity if context.purity is not None else 1.0
    ploidy = context.ploidy if context.ploidy is not None else context.ploidy_range[0]
    points: list[tuple[str, int, int, float]] = []
    for seg in segments:
        if seg.total_cn is not None:
            cn = float(seg.total_cn)
        elif seg.log2 is not None and context.log2_is_tumour_ratio:
            cn = tumour_copy_number(seg.log2, purity, ploidy)
        elif seg.log2 is not None:
            cn = 2.0 * 2.0**seg.log2
        else:
            continue
        points.append((normalise_chrom(seg.chrom), seg.start0, seg.end, cn))
    step = -(-len(points) // PROFILE_MAX_SEGMENTS)  # ceil: adjacent segments averaged
    if step > 1:
        merged = []
        for i in range(0, len(points), step):
            run = [p for p in points[i : i + step] if p[0] == points[i][0]]
            width = sum(p[2] - p[1] for p in run) or 1
            cn = sum(p[3] * (p[2] - p[1]) for p in run) / width
            merged.append((run[0][0], run[0][1], run[-1][2], cn))
        points = merged
    genes = tuple((g.gene, normalise_chrom(g.chrom), g.start0, g.end) for g in context.genes)
    notes = []
    if context.purity is None:
        notes.append("purity unknown: drawn at purity 1.0")
    if context.ploidy is None:
        notes.append(f"ploidy unknown: drawn at ploidy {ploidy:g}")
    note = "; ".join(notes)
    return CnvProfile(context.build or "GRCh38", tuple(points), genes, note)


BIN_LEVEL_REASON = (
    "CNVkit bin-level input (.cnr, no probes column): single-bin log2 ratios are noisy, so "
    "calls are for review only; use the segment file (.cns)"
)


def _bin_level(event: Event) -> Event:
    """Mark an event read from CNVkit bins (not segments) as indeterminate."""
    reasons = [r for r in (event.status_reason, BIN_LEVEL_REASON) if r]
    return replace(event, status="indeterminate", status_reason="; ".join(reasons))
