"""Gene-level copy number from segments: the call of every target gene.

Each gene is summarised from the segments that overlap its span (coverage, the highest piece,
focal or broad, the caller's own call), the purity formula and thresholds
(:mod:`armmatch.calling.purity`) give the call, and a purity range shows whether the call
would change within the stated uncertainty.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from armmatch.calling.purity import (
    CnvThresholds,
    call_copy_number,
    check_purity_ploidy,
    tumour_copy_number,
)
from armmatch.events import (
    REVIEW_CALL,
    Assessment,
    CnvCall,
    Event,
    EventStatus,
    Evidence,
    SourceRecord,
)
from armmatch.genome import normalise_chrom
from armmatch.readers.cnv_table import Segment

BROAD_SEGMENT_BP = 10_000_000
BROAD_REASON = "indeterminate: broad"

DEFAULT_MIN_COVERAGE = 0.5

_GAIN_REVIEW: frozenset[CnvCall] = frozenset({"amplification", "indeterminate_gain"})

ALTERATION_WORDS: dict[CnvCall, str] = {
    "amplification": "amplification",
    "indeterminate_gain": "copy-number gain (review band)",
    "gain": "copy-number gain",
    "neutral": "neutral",
    "loss": "copy-number loss",
    "indeterminate_loss": "copy-number loss (review band)",
    "homozygous_deletion": "homozygous deletion",
}


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


class GeneSpanLike(Protocol):
    """What :func:`gene_copy_number` reads from a gene: its name and genomic span.

    Any object with these attributes will do (a :class:`GeneSpan`, or a transcript model
    adapted to ``start0``/``end``). ``start0``/``end`` are 0-based half-open (e.g. a refGene
    ``txStart``/``txEnd``); ``chrom`` may be written with or without ``chr``.
    """

    @property
    def gene(self) -> str: ...

    @property
    def chrom(self) -> str: ...

    @property
    def start0(self) -> int: ...

    @property
    def end(self) -> int: ...


@dataclass(frozen=True)
class GeneSpan:
    """A gene's name and genomic span (0-based half-open), built by the caller.

    Examples
    --------
    >>> GeneSpan("MET", "7", 116312443, 116438440).end
    116438440
    """

    gene: str
    chrom: str
    start0: int
    end: int


# --------------------------------------------------------------------------------------------
# Gene-level summary
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Piece:
    """The part of one segment that overlaps one gene, with the segment's copy number."""

    segment: Segment
    cn: float
    start0: int
    end: int


@dataclass(frozen=True)
class _GeneSummary:
    gene_bp: int
    covered_bp: int
    pieces: tuple[_Piece, ...]
    high: _Piece
    low: _Piece
    peak: _Piece
    high_fraction: float
    """Fraction of the measured bp at or above ``high.cn``."""
    peak_fraction: float

    @property
    def coverage(self) -> float:
        return self.covered_bp / self.gene_bp if self.gene_bp else 0.0


def _union_length(intervals: Iterable[tuple[int, int]]) -> int:
    """Total bp covered by half-open intervals (overlaps counted once)."""
    total = 0
    cur_start = cur_end = None
    for start, end in sorted(intervals):
        if cur_end is None or start > cur_end:
            if cur_end is not None and cur_start is not None:
                total += cur_end - cur_start
            cur_start, cur_end = start, end
        else:
            cur_end = max(cur_end, end)
    if cur_end is not None and cur_start is not None:
        total += cur_end - cur_start
    return total


def segment_copy_number(
    segment: Segment, *, purity: float, ploidy: float, log2_is_tumour_ratio: bool = True
) -> float:
    """The tumour copy number of one segment.

    A copy number given by the file (``total_cn``) is used as it is: it is already a tumour
    copy number, so the purity formula is not applied. Otherwise the log2 ratio goes through
    :func:`tumour_copy_number` when ``log2_is_tumour_ratio`` (a raw tumour/normal ratio), or
    is read as already purity-adjusted relative to a diploid genome (``2 * 2**log2``).

    Raises
    ------
    ValueError
        Bad purity/ploidy, or a segment with neither value.

    Examples
    --------
    >>> s = Segment("7", 0, 10, 1.0, None, None, 2)
    >>> segment_copy_number(s, purity=1.0, ploidy=2.0)
    4.0
    >>> segment_copy_number(Segment("7", 0, 10, 1.0, 3.0, None, 2), purity=0.3, ploidy=2.0)
    3.0
    """
    if segment.total_cn is not None:
        return segment.total_cn
    if segment.log2 is None:
        raise ValueError(f"segment at line {segment.line} has neither log2 nor a copy number")
    if log2_is_tumour_ratio:
        return tumour_copy_number(segment.log2, purity, ploidy)
    return 2.0 * math.pow(2.0, segment.log2)


def _index_segments(segments: Iterable[Segment]) -> dict[str, list[Segment]]:
    by_chrom: dict[str, list[Segment]] = {}
    for seg in segments:
        by_chrom.setdefault(normalise_chrom(seg.chrom), []).append(seg)
    return by_chrom


def _pieces(
    gene: GeneSpanLike, by_chrom: Mapping[str, Sequence[Segment]], cn_of: Callable[[Segment], float]
) -> list[_Piece]:
    out = []
    for seg in by_chrom.get(normalise_chrom(gene.chrom), ()):
        if seg.probes == 0:
            continue  # no bins support the segment: no measurement
        start0, end = max(seg.start0, gene.start0), min(seg.end, gene.end)
        if end > start0:
            out.append(_Piece(seg, cn_of(seg), start0, end))
    return out


def _high_piece(
    pieces: Sequence[_Piece], covered_bp: int, min_fraction: float
) -> tuple[_Piece, float]:
    """The highest copy number reached over at least ``min_fraction`` of the measured bp.

    Pieces are taken from the highest copy number down until their union covers the fraction;
    the last piece taken decides. Returns the piece and the fraction reached.
    """
    ordered = sorted(pieces, key=lambda p: (-p.cn, p.segment.line))
    taken: list[tuple[int, int]] = []
    for piece in ordered:
        taken.append((piece.start0, piece.end))
        fraction = _union_length(taken) / covered_bp
        if fraction >= min_fraction:
            return piece, fraction
    return ordered[-1], 1.0


def _summarise(pieces: Sequence[_Piece], gene: GeneSpanLike, min_fraction: float) -> _GeneSummary:
    covered = _union_length((p.start0, p.end) for p in pieces)
    high, high_fraction = _high_piece(pieces, covered, min_fraction)
    low = min(pieces, key=lambda p: (p.cn, p.segment.line))
    peak = max(pieces, key=lambda p: (p.cn, -p.segment.line))
    peak_bp = _union_length((p.start0, p.end) for p in pieces if p.cn >= peak.cn)
    return _GeneSummary(
        gene_bp=gene.end - gene.start0,
        covered_bp=covered,
        pieces=tuple(sorted(pieces, key=lambda p: (p.start0, p.segment.line))),
        high=high,
        low=low,
        peak=peak,
        high_fraction=high_fraction,
        peak_fraction=peak_bp / covered,
    )


@dataclass(frozen=True)
class _Decision:
    call: CnvCall
    piece: _Piece
    status: EventStatus
    reasons: tuple[str, ...]


def _band_reason(call: CnvCall, cn: float, gene: str, t: CnvThresholds) -> str:
    if call == "indeterminate_gain":
        return (
            f"{gene} copy number {cn:.2f} is in the review band between gain and amplification "
            f"({t.review_gain:g} <= CN < {t.amplification:g}); shown for review, not rounded"
        )
    return (
        f"{gene} copy number {cn:.2f} is in the review band between loss and homozygous "
        f"deletion ({t.homozygous_deletion:g} < CN < {t.review_loss:g}); shown for review"
    )


def _decide(
    s: _GeneSummary,
    gene: str,
    t: CnvThresholds,
    min_coverage: float,
    min_gene_coverage: float,
    focal_max_bp: int = BROAD_SEGMENT_BP,
) -> _Decision:
    """Choose the deciding segment and call (rule described in :func:`gene_copy_number`)."""
    call_high = call_copy_number(s.high.cn, t)
    call_low = call_copy_number(s.low.cn, t)
    call_peak = call_copy_number(s.peak.cn, t)
    reasons: list[str] = []
    call: CnvCall
    if call_high == "amplification":
        call, piece = call_high, s.high
    elif call_low == "homozygous_deletion":
        call, piece = call_low, s.low
    elif call_peak in _GAIN_REVIEW and call_high not in _GAIN_REVIEW:
        call, piece = "indeterminate_gain", s.peak
        reasons.append(
            f"partial-gene gain: CN {s.peak.cn:.2f} ({call_peak}) covers only "
            f"{s.peak_fraction:.0%} of the measured part of {gene}, below {min_coverage:.0%}; "
            f"over at least {min_coverage:.0%} it reaches CN {s.high.cn:.2f} ({call_high})"
        )
    elif call_high in ("indeterminate_gain", "gain"):
        call, piece = call_high, s.high
    elif call_low in ("indeterminate_loss", "loss"):
        call, piece = call_low, s.low
    else:
        call, piece = call_high, s.high
    if call in ("indeterminate_gain", "indeterminate_loss") and not reasons:
        reasons.append(_band_reason(call, piece.cn, gene, t))
    if call in ("amplification", "homozygous_deletion") and piece.segment.width > focal_max_bp:
        words = "amplification" if call == "amplification" else "homozygous deletion"
        reasons.append(
            f"{BROAD_REASON}: the {words} of {gene} comes from a {piece.segment.width / 1e6:.1f} Mb "
            f"segment (line {piece.segment.line}), longer than the focal size "
            f"{focal_max_bp / 1e6:g} Mb (copy_number.focal_max_mb): an arm-level change, not a "
            "focal event; shown for review, never counted"
        )
    if s.coverage < min_gene_coverage:
        reasons.append(
            f"segments cover only {s.coverage:.0%} of {gene} ({s.covered_bp} of {s.gene_bp} bp), "
            f"below the required {min_gene_coverage:.0%}"
        )
    status: EventStatus = "indeterminate" if reasons else "called"
    return _Decision(call, piece, status, tuple(reasons))


def _width_words(bp: int, focal_max_bp: int = BROAD_SEGMENT_BP) -> str:
    kind = "broad (arm-level)" if bp > focal_max_bp else "focal"
    size = f"{bp / 1e6:.1f} Mb" if bp >= 1_000_000 else f"{bp / 1e3:.1f} kb"
    return f"{size}, {kind}"


def _notes(
    s: _GeneSummary,
    d: _Decision,
    gene: str,
    t: CnvThresholds,
    method: str,
    focal_max_bp: int = BROAD_SEGMENT_BP,
) -> tuple[str, ...]:
    lines = ", ".join(str(p.segment.line) for p in s.pieces)
    seg = d.piece.segment
    notes = [
        f"coverage {s.coverage:.1%} of {gene} ({s.covered_bp} of {s.gene_bp} bp) by "
        f"{len(s.pieces)} segment(s), lines {lines}",
        f"CN over {gene}: min {s.low.cn:.2f} (line {s.low.segment.line}), "
        f"max {s.peak.cn:.2f} (line {s.peak.segment.line}); reached over >= "
        f"{s.high_fraction:.0%} of the measured bp: {s.high.cn:.2f} (line {s.high.segment.line})",
        f"deciding segment line {seg.line}: {_width_words(seg.width, focal_max_bp)}"
        + (f", {seg.probes} probe(s)" if seg.probes is not None else ", probes not given"),
        method,
        f"thresholds: {t.describe()}",
    ]
    if seg.probes == 1:
        notes.append("deciding segment rests on a single probe/bin")
    if seg.caller_call is not None:
        notes.append(f"caller's call for the deciding segment: {seg.caller_call}")
    if d.call == "homozygous_deletion" and seg.width > focal_max_bp:
        notes.append(
            f"homozygous deletion over a broad ({seg.width / 1e6:.1f} Mb) segment is unusual: "
            "check purity, ploidy and normalisation"
        )
    return tuple(notes)


def _method(seg: Segment, purity: float, ploidy: float, log2_is_tumour_ratio: bool) -> str:
    if seg.total_cn is not None:
        return (
            "copy number taken from the file's total copy number (already a tumour copy "
            "number; purity formula not applied)"
        )
    if log2_is_tumour_ratio:
        return (
            f"copy number from log2 with purity {purity:g}, ploidy {ploidy:g}: "
            "CN = (2^r (pP + 2(1-p)) - 2(1-p)) / p, clamped at 0"
        )
    return "copy number from a purity-adjusted log2: CN = 2 * 2^r"


def gene_copy_number(
    segments: Sequence[Segment],
    genes: Sequence[GeneSpanLike],
    *,
    purity: float,
    ploidy: float,
    thresholds_for: Callable[[str], CnvThresholds],
    source_path: str,
    log2_is_tumour_ratio: bool = True,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    min_gene_coverage: float = 0.0,
    focal_max_bp: int = BROAD_SEGMENT_BP,
) -> Evidence:
    """Summarise each gene's copy number from the segments overlapping it.

    Overlap uses 0-based half-open intervals; segment order does not matter and chromosome
    names match with or without ``chr``. Segments with 0 probes are ignored (no measurement).
    For each gene with at least one overlapping segment:

    * coverage = measured bp (union of the overlaps) / gene length;
    * *high* value = the highest copy number reached over at least ``min_coverage`` of the
      gene's measured bp (segments taken from the highest CN down until their union spans that
      fraction); *low* value = the minimum over every overlapping segment (losing part of a
      tumour suppressor, e.g. CDKN2A exon 1-2, inactivates it, whereas a gain of part of an
      oncogene does not amplify the whole gene); *peak* = the maximum over every segment;
    * the call, first rule that applies: high is amplification -> ``amplification``; low is
      homozygous deletion -> ``homozygous_deletion``; peak reaches the amplification or review
      band while high does not -> ``indeterminate_gain`` with the peak's copy number
      (partial-gene gain, for review); high is a gain or review gain -> that call; low is a
      loss or review loss -> that call; otherwise ``neutral`` (high value);
    * status ``indeterminate`` for review-band calls, partial-gene gains, genes whose
      coverage is below ``min_gene_coverage``, and amplifications or homozygous deletions
      whose deciding segment is longer than ``focal_max_bp`` (``indeterminate: broad``);
      ``called`` otherwise. Every event carries the deciding segment's length and whether it is
      focal.

    Copy numbers given by the file (``Segment.total_cn``) are tumour copy numbers and are used
    as they are; log2 ratios go through :func:`segment_copy_number`.

    Parameters
    ----------
    segments
        From one input file.
    genes
        The target genes' spans.
    purity, ploidy
        Tumour purity in ``(0, 1]`` and ploidy ``> 0``.
    thresholds_for
        Returns the thresholds for a gene (thresholds may differ per gene).
    source_path
        The input file, for provenance and reasons.
    log2_is_tumour_ratio
        See :func:`segment_copy_number`.
    min_coverage
        Fraction in ``(0, 1]`` of the measured bp (default 0.5), as described above.
    min_gene_coverage
        Fraction in ``[0, 1]`` of the gene's length that segments must cover for a ``called``
        status (default 0: coverage is reported in the notes only). Bin files (``.cnr``) cover
        only the targeted exons, so keep it low for them.

    Returns
    -------
    Evidence
        One ``cnv`` event per covered gene (including neutral ones) and one assessment per
        gene: assessed when a segment overlaps it, "not assessed" otherwise.

    Raises
    ------
    ValueError
        Bad purity, ploidy or coverage fractions, or a gene with ``end <= start0``.

    Examples
    --------
    >>> t = CnvThresholds(6, 4, 2.5, 1.5, 1.0, 0.5)
    >>> segs = [Segment("chr7", 0, 1000, 2.0, None, 10, 2)]
    >>> ev = gene_copy_number(segs, [GeneSpan("MET", "7", 100, 200)], purity=1.0,
    ...                       ploidy=2.0, thresholds_for=lambda g: t, source_path="x.cns")
    >>> ev.events[0].cnv_call, ev.events[0].copy_number, ev.assessments[0].assessed
    ('amplification', 8.0, True)
    """
    ctx = _Context(
        purity, ploidy, log2_is_tumour_ratio, min_coverage, min_gene_coverage, source_path,
        focal_max_bp,
    )  # fmt: skip
    by_chrom = _index_segments(segments)
    evidence = Evidence()
    for gene in genes:
        if gene.end <= gene.start0:
            raise ValueError(f"gene {gene.gene} has an empty span {gene.start0}-{gene.end}")
        pieces = _pieces(gene, by_chrom, ctx.copy_number)
        if not pieces:
            reason = f"no segment covers {gene.gene} in {source_path}"
            evidence.assessments.append(Assessment(gene.gene, "cnv", False, reason))
            continue
        evidence.events.append(_gene_event(gene, pieces, thresholds_for(gene.gene), ctx))
        reason = f"{len(pieces)} segment(s) in {source_path} cover {gene.gene}"
        evidence.assessments.append(Assessment(gene.gene, "cnv", True, reason))
    return evidence


@dataclass(frozen=True)
class _Context:
    """The per-file settings of :func:`gene_copy_number`, validated."""

    purity: float
    ploidy: float
    log2_is_tumour_ratio: bool
    min_coverage: float
    min_gene_coverage: float
    source_path: str
    focal_max_bp: int = BROAD_SEGMENT_BP

    def __post_init__(self) -> None:
        check_purity_ploidy(self.purity, self.ploidy)
        if not 0.0 < self.min_coverage <= 1.0:
            raise ValueError(f"min_coverage must be in (0, 1], got {self.min_coverage!r}")
        if not 0.0 <= self.min_gene_coverage <= 1.0:
            raise ValueError(f"min_gene_coverage must be in [0, 1], got {self.min_gene_coverage!r}")

    def copy_number(self, seg: Segment) -> float:
        return segment_copy_number(
            seg,
            purity=self.purity,
            ploidy=self.ploidy,
            log2_is_tumour_ratio=self.log2_is_tumour_ratio,
        )


def _gene_event(
    gene: GeneSpanLike, pieces: Sequence[_Piece], t: CnvThresholds, ctx: _Context
) -> Event:
    summary = _summarise(pieces, gene, ctx.min_coverage)
    decision = _decide(
        summary, gene.gene, t, ctx.min_coverage, ctx.min_gene_coverage, ctx.focal_max_bp
    )
    seg = decision.piece.segment
    method = _method(seg, ctx.purity, ctx.ploidy, ctx.log2_is_tumour_ratio)
    return Event(
        gene=gene.gene,
        category="cnv",
        alteration=ALTERATION_WORDS[decision.call],
        source=SourceRecord(ctx.source_path, seg.line, seg.describe()),
        status=decision.status,
        status_reason="; ".join(decision.reasons),
        chrom=normalise_chrom(gene.chrom),
        copy_number=decision.piece.cn,
        log2=seg.log2,
        cnv_call=decision.call,
        segment_bp=seg.width,
        focal=seg.width <= ctx.focal_max_bp,
        notes=(
            *_notes(summary, decision, gene.gene, t, method, ctx.focal_max_bp),
            f"relative to the tumour ploidy {ctx.ploidy:g}: CN {decision.piece.cn:.2f} = "
            f"{decision.piece.cn / ctx.ploidy:.2f} x ploidy",
        ),
    )


PURITY_UNKNOWN = "indeterminate: purity unknown"


def _change_purity(low: float, call_low: str, call_at: Callable[[float], str | None]) -> float:
    """The purity above which the call (``call_at(purity)``) is no longer ``call_low``
    (bisection; the tumour copy number moves monotonically away from the normal's as purity
    falls)."""
    lo, hi = low, 1.0
    for _ in range(30):
        mid = (lo + hi) / 2
        if call_at(mid) == call_low:
            lo = mid
        else:
            hi = mid
    return hi


def purity_range_evidence(
    segments: Sequence[Segment],
    genes: Sequence[GeneSpanLike],
    *,
    min_purity: float,
    ploidy: float,
    thresholds_for: Callable[[str], CnvThresholds],
    source_path: str,
    log2_is_tumour_ratio: bool = True,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    min_gene_coverage: float = 0.0,
    focal_max_bp: int = BROAD_SEGMENT_BP,
) -> Evidence:
    """Gene calls when the purity is unknown: each computed over purity ``min_purity`` .. 1.0.

    A call that is the same at both ends holds over the whole range (the copy number of every
    segment moves monotonically with purity) and is made, with the copy number at purity 1.0 and
    a note giving the range. One that changes into or out of a band a rule can use
    (amplification, homozygous deletion, or their review bands) is ``indeterminate: purity
    unknown``, naming both calls and the purity at which it changes, and takes the matching
    review call (never counted, never silently negative). A change among neutral, gain and loss
    (no rule uses them) is noted and the purity-1.0 call kept.
    """

    def at(purity: float, spans: Sequence[GeneSpanLike]) -> Evidence:
        return gene_copy_number(
            segments, spans, purity=purity, ploidy=ploidy, thresholds_for=thresholds_for,
            source_path=source_path, log2_is_tumour_ratio=log2_is_tumour_ratio,
            min_coverage=min_coverage, min_gene_coverage=min_gene_coverage,
            focal_max_bp=focal_max_bp,
        )  # fmt: skip

    high, low = at(1.0, genes), at(min_purity, genes)
    lows = {e.gene: e for e in low.events}
    events = []
    for e in high.events:
        lo = lows[e.gene]
        cn = f"CN {e.copy_number:.2f} at purity 1.0, {lo.copy_number:.2f} at {min_purity:g}"
        if lo.cnv_call != e.cnv_call and not {lo.cnv_call, e.cnv_call} & REVIEW_CALL.keys():
            # neutral, gain and loss: no rule uses them, so the range is only noted
            note = (f"purity unknown: {lo.cnv_call} at purity {min_purity:g}, {e.cnv_call} at "
                    f"1.0 ({cn}); neither reaches a review or actionable band")  # fmt: skip
            events.append(replace(e, notes=(*e.notes, note)))
            continue
        if lo.cnv_call == e.cnv_call:
            note = (f"purity unknown: the call {e.cnv_call} holds at every purity from "
                    f"{min_purity:g} to 1.0 ({cn}); copy number shown at purity 1.0")  # fmt: skip
            events.append(replace(e, status=lo.status if lo.status != "called" else e.status,
                                  status_reason=e.status_reason or lo.status_reason,
                                  notes=(*e.notes, note)))  # fmt: skip
            continue
        gene = next(g for g in genes if g.gene == e.gene)

        def call_at(purity: float, g: GeneSpanLike = gene) -> str | None:
            return at(purity, [g]).events[0].cnv_call

        change = _change_purity(min_purity, str(lo.cnv_call), call_at)
        reason = (f"{PURITY_UNKNOWN}: {lo.cnv_call} at purity {min_purity:g} up to about "
                  f"{change:.2f}, {e.cnv_call} above ({cn}); give the purity to decide")  # fmt: skip
        call: CnvCall = (
            REVIEW_CALL.get(lo.cnv_call or "") or REVIEW_CALL.get(e.cnv_call or "") or e.cnv_call
            or "neutral"
        )  # fmt: skip
        events.append(replace(e, status="indeterminate", status_reason=reason, cnv_call=call,
                              alteration=ALTERATION_WORDS[call],
                              notes=(*e.notes, reason)))  # fmt: skip
    return Evidence(events=events, assessments=high.assessments)


PLOIDY_UNKNOWN = "indeterminate: ploidy unknown"


def ploidy_range_evidence(
    at: Callable[[float], Evidence], ploidy_range: tuple[float, float]
) -> Evidence:
    """Gene calls when the ploidy is unknown: each computed at both ends of ``ploidy_range``
    (``at(ploidy)`` gives the evidence at one ploidy; the copy number of a segment rises with
    the ploidy, so the ends bound it).

    A call that is the same at both ends is made, with both copy numbers in a note (the
    status of the less certain end kept). One that changes into or out of a band a rule can use
    (amplification, homozygous deletion, or their review bands) is ``indeterminate: ploidy
    unknown``, naming both calls, and takes the matching review call: an amplification that
    holds over only part of the range is never a confident arm. A change among neutral, gain
    and loss is noted.
    """
    low_p, high_p = ploidy_range
    low, high = at(low_p), at(high_p)
    highs = {e.gene: e for e in high.events}
    events = []
    for e in low.events:
        hi = highs[e.gene]
        cn = (
            f"CN {e.copy_number:.2f} ({e.copy_number / low_p:.2f} x ploidy) at ploidy {low_p:g}, "
            f"{hi.copy_number:.2f} ({hi.copy_number / high_p:.2f} x ploidy) at {high_p:g}"
            if e.copy_number is not None and hi.copy_number is not None
            else "copy number not computed"
        )
        if e.cnv_call == hi.cnv_call:
            note = (f"ploidy unknown: the call {e.cnv_call} holds at ploidy {low_p:g} and "
                    f"{high_p:g} ({cn}); copy number shown at ploidy {low_p:g}")  # fmt: skip
            worse = hi if hi.status != "called" and e.status == "called" else e
            events.append(replace(e, status=worse.status, status_reason=worse.status_reason,
                                  notes=(*e.notes, note)))  # fmt: skip
            continue
        if not {e.cnv_call, hi.cnv_call} & REVIEW_CALL.keys():
            note = (f"ploidy unknown: {e.cnv_call} at ploidy {low_p:g}, {hi.cnv_call} at "
                    f"{high_p:g} ({cn}); neither reaches a review or actionable band")  # fmt: skip
            events.append(replace(e, notes=(*e.notes, note)))
            continue
        reason = (f"{PLOIDY_UNKNOWN}: {e.cnv_call} at ploidy {low_p:g}, {hi.cnv_call} at "
                  f"{high_p:g} ({cn}); give the tumour ploidy to decide")  # fmt: skip
        call: CnvCall = (
            REVIEW_CALL.get(hi.cnv_call or "") or REVIEW_CALL.get(e.cnv_call or "")
            or e.cnv_call or "neutral"
        )  # fmt: skip
        events.append(replace(e, status="indeterminate", status_reason=reason, cnv_call=call,
                              alteration=ALTERATION_WORDS[call], notes=(*e.notes, reason)))  # fmt: skip
    return Evidence(events=events, assessments=low.assessments)
