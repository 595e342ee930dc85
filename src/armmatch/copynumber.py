"""Copy-number segments: reading, purity adjustment, calling, and gene-level evidence.

A copy-number input is read into :class:`Segment` records, each segment's tumour copy number is
derived (from a total copy number given by the file, or from its log2 ratio with the purity
formula), and every target gene is summarised from the segments that overlap it.

Formats and their coordinate conventions (all converted to 0-based half-open ``start0``/``end``):

``cnvkit``
    CNVkit ``.cns`` segments or ``.cnr`` bins (``chromosome start end gene log2 ...``, optional
    integer ``cn`` from ``cnvkit.py call`` and ``probes``). CNVkit writes BED-like coordinates:
    ``start`` is 0-based, ``end`` exclusive, so they are used as they are.
``segments``
    Segment tables such as PCGR's ``.cna.tsv`` (``Chromosome Start End nMajor nMinor`` or
    ``... Segment_Mean``) and PURPLE-like tables with a total copy-number column. PCGR documents
    its segment coordinates as one-based (``Start`` is the first base, ``End`` the last, both
    inclusive), as are PURPLE's, so ``start0 = Start - 1`` and ``end = End``.

``seg``
    IGV/DNAcopy SEG (``ID chrom loc.start loc.end num.mark seg.mean``), possibly with several
    samples. ``loc.start`` is 1-based and ``loc.end`` inclusive, so ``start0 = loc.start - 1``.
    ``seg.mean`` is a log2 ratio, or a log10 ratio when the configuration says
    ``copy_number.seg_mean_scale: log10`` (converted with ``log2 = log10 / log10(2)``).
``gatk``
    GATK ``ModelSegments``/``CallCopyRatioSegments`` ``.seg`` (``@`` header lines, then
    ``CONTIG START END NUM_POINTS_COPY_RATIO MEAN_LOG2_COPY_RATIO [CALL]``; ``modelFinal.seg``
    gives ``LOG2_COPY_RATIO_POSTERIOR_50`` instead). 1-based inclusive like GATK intervals.
    The ``CALL`` column (``+``, ``-``, ``0``) is kept as the caller's call in the notes.
``gene-table``
    Gene-level caller calls: a cBioPortal GISTIC matrix (``Hugo_Symbol [Entrez_Gene_Id]``, then
    one column per sample, values -2..2) or a long table (``sample gene value``). GISTIC values
    are calls, not copy numbers: -2 homozygous deletion, -1 loss, 0 neutral, 1 gain,
    2 amplification. No purity formula and no thresholds are applied.

A multi-sample SEG or gene table is read for one sample (``cnv_sample`` of the sample sheet,
else the patient id; see :func:`select_sample`).
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Protocol

from armmatch.errors import InputError
from armmatch.events import (
    REVIEW_CALL,
    Assessment,
    CnvCall,
    Event,
    EventStatus,
    Evidence,
    SourceRecord,
)
from armmatch.genome import BUILDS, CONTIG_LENGTHS, build_fit, normalise_chrom, other_build
from armmatch.io import read_tsv_rows, sha256_file

log = logging.getLogger(__name__)

CNV_FORMATS: tuple[str, ...] = ("cnvkit", "seg", "gatk", "segments", "gene-table")
"""Copy-number formats :func:`read_copy_number` accepts (the sample sheet's ``cnv_format``)."""

SEGMENT_FORMATS: tuple[str, ...] = ("cnvkit", "seg", "gatk", "segments")
"""The formats that give segments (all but ``gene-table``)."""

SegMeanScale = Literal["log2", "log10"]
"""The logarithm base of a SEG file's ``seg.mean`` (configuration ``seg_mean_scale``)."""

GISTIC_CALLS: dict[int, CnvCall] = {
    -2: "homozygous_deletion",
    -1: "loss",
    0: "neutral",
    1: "gain",
    2: "amplification",
}
"""cBioPortal/GISTIC discrete values and the call each one is read as."""

BROAD_SEGMENT_BP = 10_000_000
"""Default focal size (``copy_number.focal_max_mb``): an amplification or homozygous deletion
from a longer segment is ``indeterminate: broad`` (an arm-level change, never counted)."""
BROAD_REASON = "indeterminate: broad"

DEFAULT_MIN_COVERAGE = 0.5
"""Default fraction of a gene's measured bp that a copy number must span to be the gene's
amplification-side value (see :func:`gene_copy_number`)."""

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
"""The plain words used as :attr:`Event.alteration` for each copy-number call."""


# --------------------------------------------------------------------------------------------
# Purity formula and thresholds
# --------------------------------------------------------------------------------------------


def _check_purity_ploidy(purity: float, ploidy: float) -> None:
    if not (math.isfinite(purity) and 0.0 < purity <= 1.0):
        raise ValueError(f"purity must be in (0, 1], got {purity!r}")
    if not (math.isfinite(ploidy) and ploidy > 0.0):
        raise ValueError(f"ploidy must be > 0, got {ploidy!r}")


def tumour_copy_number(log2: float, purity: float, ploidy: float) -> float:
    """Tumour copy number from a tumour/normal log2 ratio, purity and tumour ploidy.

    Uses ``CN = (2^r * (p*P + 2*(1 - p)) - 2*(1 - p)) / p`` for a diploid normal
    component, where ``r`` is the log2 ratio, ``p`` the purity and ``P`` the tumour ploidy.
    A ratio so low that the formula goes negative (more loss than the normal cells allow, i.e.
    noise at a deletion) is clamped to ``0.0``.

    Parameters
    ----------
    log2
        The segment's log2 copy ratio (finite).
    purity
        Tumour cell fraction, in ``(0, 1]``.
    ploidy
        Tumour ploidy, ``> 0``.

    Returns
    -------
    float
        The tumour copy number, ``>= 0``.

    Raises
    ------
    ValueError
        If ``log2`` is not finite, purity is outside ``(0, 1]`` or ploidy is not positive.

    Examples
    --------
    >>> tumour_copy_number(1.0, 1.0, 2.0)
    4.0
    >>> tumour_copy_number(1.0, 0.5, 2.0)
    6.0
    >>> tumour_copy_number(-5.0, 0.5, 2.0)
    0.0
    """
    _check_purity_ploidy(purity, ploidy)
    if not math.isfinite(log2):
        raise ValueError(f"log2 ratio must be finite, got {log2!r}")
    normal = 2.0 * (1.0 - purity)
    cn = (math.pow(2.0, log2) * (purity * ploidy + normal) - normal) / purity
    return max(cn, 0.0)


@dataclass(frozen=True)
class CnvThresholds:
    """Copy-number call thresholds, on the tumour copy-number scale.

    Bands (see :func:`call_copy_number`): ``cn >= amplification`` amplification;
    ``>= review_gain`` indeterminate gain; ``>= gain`` gain; ``> loss`` neutral;
    ``>= review_loss`` loss; ``> homozygous_deletion`` indeterminate loss; otherwise homozygous
    deletion. The values come from the configuration (typical: 6, 4, 2.5, 1.5, 1.0, 0.5).

    Raises
    ------
    ValueError
        If a value is negative or not finite, or the values are not in non-increasing order
        ``amplification >= review_gain >= gain >= loss >= review_loss >= homozygous_deletion``.

    Examples
    --------
    >>> CnvThresholds(6, 4, 2.5, 1.5, 1.0, 0.5).gain
    2.5
    """

    amplification: float
    review_gain: float
    gain: float
    loss: float
    review_loss: float
    homozygous_deletion: float

    def __post_init__(self) -> None:
        names = (
            "amplification", "review_gain", "gain", "loss", "review_loss", "homozygous_deletion",
        )  # fmt: skip
        values = [float(getattr(self, n)) for n in names]
        for name, value in zip(names, values, strict=True):
            if not math.isfinite(value) or value < 0:
                raise ValueError(
                    f"copy-number threshold {name} must be finite and >= 0, got {value!r}"
                )
        pairs = list(zip(names, values, strict=True))
        for (hi_name, hi), (lo_name, lo) in itertools.pairwise(pairs):
            if hi < lo:
                raise ValueError(
                    f"copy-number thresholds out of order: {hi_name} ({hi:g}) < {lo_name} "
                    f"({lo:g}); need amplification >= review_gain >= gain >= loss >= "
                    "review_loss >= homozygous_deletion"
                )

    def describe(self) -> str:
        """The thresholds in one line, for notes and reasons."""
        return (
            f"amplification >= {self.amplification:g}, review gain >= {self.review_gain:g}, "
            f"gain >= {self.gain:g}, loss <= {self.loss:g}, review loss < {self.review_loss:g}, "
            f"homozygous deletion <= {self.homozygous_deletion:g}"
        )


def call_copy_number(cn: float, t: CnvThresholds) -> CnvCall:
    """Call a tumour copy number against thresholds.

    Parameters
    ----------
    cn
        Tumour copy number (finite, ``>= 0``).
    t
        The thresholds.

    Returns
    -------
    CnvCall
        ``amplification`` (cn >= amplification), ``indeterminate_gain`` (>= review_gain),
        ``gain`` (>= gain), ``neutral`` (> loss), ``loss`` (>= review_loss),
        ``indeterminate_loss`` (> homozygous_deletion) or ``homozygous_deletion``.

    Raises
    ------
    ValueError
        If ``cn`` is not finite.

    Examples
    --------
    >>> t = CnvThresholds(6, 4, 2.5, 1.5, 1.0, 0.5)
    >>> [call_copy_number(x, t) for x in (6, 5, 3, 2)]
    ['amplification', 'indeterminate_gain', 'gain', 'neutral']
    >>> [call_copy_number(x, t) for x in (1.2, 0.7, 0.5)]
    ['loss', 'indeterminate_loss', 'homozygous_deletion']
    """
    if not math.isfinite(cn):
        raise ValueError(f"copy number must be finite, got {cn!r}")
    if cn >= t.amplification:
        return "amplification"
    if cn >= t.review_gain:
        return "indeterminate_gain"
    if cn >= t.gain:
        return "gain"
    if cn > t.loss:
        return "neutral"
    if cn >= t.review_loss:
        return "loss"
    if cn > t.homozygous_deletion:
        return "indeterminate_loss"
    return "homozygous_deletion"


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


@dataclass(frozen=True)
class Segment:
    """One copy-number segment (or bin) of an input file.

    ``start0``/``end`` are 0-based half-open whatever the file's convention. ``total_cn`` is a
    tumour copy number given by the file itself (PCGR ``nMajor + nMinor``, CNVkit ``cn``,
    PURPLE ``copyNumber``), ``None`` when only a log2 ratio is given. ``line`` is the 1-based
    line in the file.
    """

    chrom: str
    start0: int
    end: int
    log2: float | None
    total_cn: float | None
    probes: int | None
    line: int
    caller_call: str | None = field(default=None, repr=False)
    """The caller's own call for the segment (GATK ``CALL``), kept for the notes."""
    genes: tuple[str, ...] = field(default=(), repr=False, compare=False)
    """The genes the file names for the segment (CNVkit's ``gene`` column), for the build check."""

    @property
    def width(self) -> int:
        """Length in bp."""
        return self.end - self.start0

    def describe(self) -> str:
        """``chrom:start0-end log2=.. cn=..`` for provenance records."""
        parts = [f"{self.chrom}:{self.start0}-{self.end}"]
        parts.append(f"log2={self.log2:.4g}" if self.log2 is not None else "log2=NA")
        parts.append(f"cn={self.total_cn:g}" if self.total_cn is not None else "cn=NA")
        return " ".join(parts)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def _table_lines(
    path: str | Path,
    patient: str | None,
    *,
    header_only: bool = False,
    comments: tuple[str, ...] = ("#",),
) -> list[tuple[int, list[str]]]:
    """``(line_number, fields)`` of a tab-separated file, skipping blank and comment lines.

    The first row is the header; with ``header_only`` only that row is read. Lines starting
    with any of ``comments`` are skipped (GATK's SAM-style ``@`` header needs ``"@"``).
    """
    return read_tsv_rows(path, patient, header_only=header_only, comments=comments)


def _split_header(
    rows: list[tuple[int, list[str]]], path: str | Path, patient: str | None
) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    if not rows:
        raise InputError("file is empty (no header line)", path=path, patient=patient)
    (header_line, header), body = rows[0], rows[1:]
    return header_line, header, body


def _header_index(header: Sequence[str], aliases: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Map each canonical column name to its index, matching ``aliases`` case-insensitively."""
    lowered = {name.strip().lower(): i for i, name in enumerate(header)}
    found: dict[str, int] = {}
    for canonical, names in aliases.items():
        for name in names:
            if name in lowered:
                found[canonical] = lowered[name]
                break
    return found


def _parse_int(text: str, what: str, path: str | Path, line: int, patient: str | None) -> int:
    try:
        return int(text.strip())
    except ValueError:
        pass
    try:
        value = float(text.strip())
    except ValueError:
        raise InputError(
            f"{what} {text!r} is not an integer", path=path, line=line, patient=patient
        ) from None
    if not value.is_integer():
        raise InputError(
            f"{what} {text!r} is not an integer", path=path, line=line, patient=patient
        )
    return int(value)


def _parse_float(
    text: str, what: str, path: str | Path, line: int, patient: str | None
) -> float | None:
    """A finite float, ``None`` for an empty/NA cell; InputError for text, NaN or infinity."""
    stripped = text.strip()
    if stripped in ("", "NA", "."):
        return None
    try:
        value = float(stripped)
    except ValueError:
        raise InputError(
            f"{what} {text!r} is not a number", path=path, line=line, patient=patient
        ) from None
    if not math.isfinite(value):
        raise InputError(
            f"{what} is {text!r}; it must be a finite number", path=path, line=line, patient=patient
        )
    return value


def _check_fields(
    fields: Sequence[str], n: int, path: str | Path, line: int, patient: str | None
) -> None:
    if len(fields) != n:
        raise InputError(
            f"expected {n} tab-separated fields (as in the header), found {len(fields)}",
            path=path,
            line=line,
            patient=patient,
        )


def _require_columns(
    found: Mapping[str, int],
    required: Sequence[str],
    header: Sequence[str],
    path: str | Path,
    line: int,
    patient: str | None,
) -> None:
    missing = [c for c in required if c not in found]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; header has: {', '.join(header)}",
            path=path,
            line=line,
            patient=patient,
        )


_CNVKIT_COLUMNS: dict[str, tuple[str, ...]] = {
    "chrom": ("chromosome",),
    "start": ("start",),
    "end": ("end",),
    "gene": ("gene",),
    "log2": ("log2",),
    "cn": ("cn",),
    "probes": ("probes",),
}

_SEGMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "chrom": ("chromosome", "chrom", "chr"),
    "start": ("start",),
    "end": ("end",),
    "total": ("total_cn", "totalcn", "copynumber", "copy_number", "tcn"),
    "major": ("nmajor", "majorallelecopynumber"),
    "minor": ("nminor", "minorallelecopynumber"),
    "log2": ("segment_mean", "log2"),
    "probes": ("num_probes", "num.mark", "probes"),
}


def read_cnvkit(path: str | Path, *, patient: str | None = None) -> list[Segment]:
    """Read a CNVkit ``.cns`` (segments) or ``.cnr`` (bins) file.

    Coordinates are 0-based half-open in CNVkit and are kept as they are. The integer ``cn``
    column written by ``cnvkit.py call`` becomes :attr:`Segment.total_cn` and is used as the
    tumour copy number without the purity formula (CNVkit adjusts it for purity when ``call``
    is run with ``--purity``; without it, ``cn`` is unadjusted). CNVkit can emit empty segments
    with ``probes`` 0 whose ``end`` is below ``start``; such rows carry no measurement and are
    skipped with a logged warning. Any other row with ``end <= start`` is an error. A ``.cnr``
    has no ``probes`` column, so its bins get ``probes=None`` (see :func:`read_copy_number` for
    how bin-level input is treated).

    Parameters
    ----------
    path
        The file (plain or gzip).
    patient
        For error messages.

    Returns
    -------
    list[Segment]
        In file order.

    Raises
    ------
    InputError
        Missing required columns (``chromosome start end log2``), wrong field count, a
        non-integer coordinate or ``cn``, a non-numeric/NaN/infinite ``log2``, a negative start
        or an empty/inverted interval; each names the file and 1-based line.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "x.cns")
    >>> _ = open(p, "w").write("chromosome\\tstart\\tend\\tgene\\tlog2\\tprobes\\n"
    ...                        "chr7\\t100\\t200\\tMET\\t1.5\\t4\\n")
    >>> read_cnvkit(p)[0]
    Segment(chrom='chr7', start0=100, end=200, log2=1.5, total_cn=None, probes=4, line=2)
    """
    header_line, header, rows = _split_header(_table_lines(path, patient), path, patient)
    cols = _header_index(header, _CNVKIT_COLUMNS)
    _require_columns(cols, ("chrom", "start", "end", "log2"), header, path, header_line, patient)
    segments: list[Segment] = []
    for line, fields in rows:
        _check_fields(fields, len(header), path, line, patient)
        start = _parse_int(fields[cols["start"]], "start", path, line, patient)
        end = _parse_int(fields[cols["end"]], "end", path, line, patient)
        probes = (
            _parse_int(fields[cols["probes"]], "probes", path, line, patient)
            if "probes" in cols
            else None
        )
        if end <= start and probes == 0:
            log.warning(
                "%s:%d: skipping empty CNVkit segment %d-%d (0 probes)", path, line, start, end
            )
            continue
        _check_interval(start, end, "start", path, line, patient)
        log2 = _parse_float(fields[cols["log2"]], "log2", path, line, patient)
        if log2 is None:
            raise InputError("log2 is empty", path=path, line=line, patient=patient)
        total: float | None = None
        if "cn" in cols and fields[cols["cn"]].strip() not in ("", "NA", "."):
            total = float(_parse_int(fields[cols["cn"]], "cn", path, line, patient))
            if total < 0:
                raise InputError(f"cn {total:g} is negative", path=path, line=line, patient=patient)
        chrom = _parse_chrom(fields[cols["chrom"]], path, line, patient)
        named = tuple(
            g.strip() for g in fields[cols["gene"]].split(",") if g.strip() not in ("", "-")
        ) if "gene" in cols else ()  # fmt: skip
        segments.append(Segment(chrom, start, end, log2, total, probes, line, genes=named))
    return segments


def check_segment_build(
    segments: Sequence[Segment],
    here: Sequence[GeneSpanLike],
    there: Sequence[GeneSpanLike],
    *,
    build: str,
    path: str | Path,
    patient: str | None = None,
) -> None:
    """Stop when the genes a file names for its segments (CNVkit's ``gene`` column) lie there
    on the other build: the file's coordinates are of ``other``, not the patient's ``build``.

    A segment counts for a build when it overlaps the named gene there and not on the other
    build (a long segment covering the gene on both proves nothing); more segments fitting only
    the other build than only the patient's stop it. Only target genes with a model on both
    builds count; files without gene names pass.
    """
    other = other_build(build)
    spans_here = {g.gene: g for g in here}
    spans_there = {g.gene: g for g in there}

    def named_segments() -> Iterator[tuple[bool, bool, str]]:
        for seg in segments:
            same = normalise_chrom(seg.chrom)
            for gene in sorted(set(seg.genes) & spans_here.keys() & spans_there.keys()):
                a, b = spans_here[gene], spans_there[gene]
                yield (
                    normalise_chrom(a.chrom) == same and seg.start0 < a.end and a.start0 < seg.end,
                    normalise_chrom(b.chrom) == same and seg.start0 < b.end and b.start0 < seg.end,
                    f"line {seg.line}: {gene} at {seg.chrom}:{seg.start0 + 1}-{seg.end}",
                )

    fit = build_fit(named_segments())
    if fit.other_build_wins:
        raise InputError(
            f"the segments fit {other}, not {build}: {fit.only_there} segment(s) naming a target "
            f"gene overlap it on {other} only, {fit.only_here} on {build} only ({fit.example}); "
            f"the copy-number file is of {other} but the patient's genome_build is {build}",
            path=path,
            patient=patient,
        )


def _parse_chrom(text: str, path: str | Path, line: int, patient: str | None) -> str:
    chrom = text.strip()
    if not chrom:
        raise InputError("chromosome is empty", path=path, line=line, patient=patient)
    return chrom


def _check_interval(
    start0: int, end: int, start_name: str, path: str | Path, line: int, patient: str | None
) -> None:
    if start0 < 0:
        raise InputError(f"{start_name} is negative", path=path, line=line, patient=patient)
    if end <= start0:
        raise InputError(
            f"end ({end}) is not after the start (0-based start {start0}): empty or inverted "
            "segment",
            path=path,
            line=line,
            patient=patient,
        )


def read_segments(path: str | Path, *, patient: str | None = None) -> list[Segment]:
    """Read a PCGR/PURPLE-like segment table.

    Columns are matched case-insensitively: ``Chromosome`` (or ``chrom``/``chr``), ``Start``,
    ``End``, then the copy number from (first found) a total column (``Total_CN``,
    ``copyNumber``, ``copy_number``, ``tcn``), else ``nMajor + nMinor`` (or PURPLE's
    ``majorAlleleCopyNumber + minorAlleleCopyNumber``); ``Segment_Mean``/``log2`` is read as the
    log2 ratio when present. At least one of a copy number or a log2 column is required.
    Coordinates are 1-based inclusive (PCGR documents them as one-based), so
    ``start0 = Start - 1``. A small negative total copy number (PURPLE fits can give e.g.
    -0.02) is clamped to 0.

    Parameters
    ----------
    path
        The file (plain or gzip).
    patient
        For error messages.

    Returns
    -------
    list[Segment]
        In file order.

    Raises
    ------
    InputError
        Missing columns, wrong field count, non-integer coordinates, ``Start < 1``,
        ``End < Start``, or a non-numeric/NaN/infinite value, naming the file and 1-based line.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "x.cna.tsv")
    >>> _ = open(p, "w").write("Chromosome\\tStart\\tEnd\\tnMajor\\tnMinor\\n"
    ...                        "17\\t101\\t200\\t8\\t1\\n")
    >>> read_segments(p)[0]
    Segment(chrom='17', start0=100, end=200, log2=None, total_cn=9.0, probes=None, line=2)
    """
    header_line, header, rows = _split_header(_table_lines(path, patient), path, patient)
    cols = _header_index(header, _SEGMENT_COLUMNS)
    _require_columns(cols, ("chrom", "start", "end"), header, path, header_line, patient)
    has_alleles = "major" in cols and "minor" in cols
    if "total" not in cols and not has_alleles and "log2" not in cols:
        raise InputError(
            "no copy-number column: need a total copy number (Total_CN, copyNumber), nMajor and "
            f"nMinor, or a log2 ratio (Segment_Mean, log2); header has: {', '.join(header)}",
            path=path,
            line=header_line,
            patient=patient,
        )
    segments: list[Segment] = []
    for line, fields in rows:
        _check_fields(fields, len(header), path, line, patient)
        start1 = _parse_int(fields[cols["start"]], "Start", path, line, patient)
        end = _parse_int(fields[cols["end"]], "End", path, line, patient)
        if start1 < 1:
            raise InputError(
                f"Start {start1} < 1 (coordinates are 1-based)",
                path=path,
                line=line,
                patient=patient,
            )
        if end < start1:
            raise InputError(
                f"End ({end}) < Start ({start1})", path=path, line=line, patient=patient
            )
        total = _segment_total(fields, cols, has_alleles, path, line, patient)
        log2 = (
            _parse_float(fields[cols["log2"]], "log2 (Segment_Mean)", path, line, patient)
            if "log2" in cols
            else None
        )
        if total is None and log2 is None:
            raise InputError(
                "neither a copy number nor a log2 ratio is given",
                path=path,
                line=line,
                patient=patient,
            )
        probes = (
            _parse_int(fields[cols["probes"]], "probes", path, line, patient)
            if "probes" in cols and fields[cols["probes"]].strip() not in ("", "NA")
            else None
        )
        chrom = _parse_chrom(fields[cols["chrom"]], path, line, patient)
        segments.append(Segment(chrom, start1 - 1, end, log2, total, probes, line))
    return segments


def _segment_total(
    fields: Sequence[str],
    cols: Mapping[str, int],
    has_alleles: bool,
    path: str | Path,
    line: int,
    patient: str | None,
) -> float | None:
    if "total" in cols:
        total = _parse_float(fields[cols["total"]], "total copy number", path, line, patient)
    elif has_alleles:
        major = _parse_float(fields[cols["major"]], "nMajor", path, line, patient)
        minor = _parse_float(fields[cols["minor"]], "nMinor", path, line, patient)
        if (major is None) != (minor is None):
            raise InputError(
                "only one of nMajor/nMinor is given", path=path, line=line, patient=patient
            )
        total = None if major is None or minor is None else major + minor
    else:
        return None
    return None if total is None else max(total, 0.0)


# --------------------------------------------------------------------------------------------
# Multi-sample inputs: SEG, GATK, gene-level tables
# --------------------------------------------------------------------------------------------


def select_sample(
    available: Sequence[str],
    wanted: str | None,
    patient: str | None,
    path: str | Path,
    line: int | None = None,
) -> str:
    """The sample of a multi-sample SEG file or gene table to read for one patient.

    ``wanted`` (the sample sheet's ``cnv_sample``) must be one of ``available``. Without it
    the patient id is used when the file has it, else the only sample of a one-sample file.

    Raises
    ------
    InputError
        When the sample is not in the file; the message lists the available sample ids.

    Examples
    --------
    >>> select_sample(["P1", "P2"], None, "P2", "x.seg")
    'P2'
    >>> select_sample(["T-01"], None, "P1", "x.seg")
    'T-01'
    """
    ids = list(dict.fromkeys(available))
    if wanted is not None:
        if wanted in ids:
            return wanted
        problem = f"cnv_sample {wanted!r} is not a sample of this file"
    elif patient is not None and patient in ids:
        return patient
    elif len(ids) == 1:
        return ids[0]
    else:
        problem = (
            f"the file has several samples and none is the patient id {patient!r}; "
            "name the sample in the sample sheet's cnv_sample column"
        )
    shown = ", ".join(ids[:50]) + (f", ... ({len(ids)} in all)" if len(ids) > 50 else "")
    raise InputError(
        f"{problem}; samples in the file: {shown or 'none'}", path=path, line=line, patient=patient
    )


_SEG_COLUMNS: dict[str, tuple[str, ...]] = {
    "sample": ("id", "sample", "sample_id", "id_sample"),
    "chrom": ("chrom", "chromosome", "chr"),
    "start": ("loc.start", "start"),
    "end": ("loc.end", "end"),
    "probes": ("num.mark", "num_probes", "num.probes"),
    "mean": ("seg.mean", "segment_mean"),
}

_LOG10_TO_LOG2 = 1.0 / math.log10(2.0)


def seg_mean_to_log2(value: float, scale: SegMeanScale) -> float:
    """A SEG ``seg.mean`` as a log2 ratio (``log10`` values are divided by ``log10(2)``).

    Examples
    --------
    >>> seg_mean_to_log2(1.0, "log2")
    1.0
    >>> round(seg_mean_to_log2(math.log10(4.0), "log10"), 9)
    2.0
    """
    if scale == "log2":
        return value
    if scale == "log10":
        return value * _LOG10_TO_LOG2
    raise ValueError(f"seg_mean_scale must be log2 or log10, got {scale!r}")


def _one_based_interval(
    fields: Sequence[str], cols: Mapping[str, int], path: str | Path, line: int, patient: str | None
) -> tuple[int, int]:
    """``(start0, end)`` from 1-based inclusive ``start``/``end`` columns."""
    start1 = _parse_int(fields[cols["start"]], "start", path, line, patient)
    end = _parse_int(fields[cols["end"]], "end", path, line, patient)
    if start1 < 1:
        raise InputError(
            f"start {start1} < 1 (coordinates are 1-based)", path=path, line=line, patient=patient
        )
    if end < start1:
        raise InputError(f"end ({end}) < start ({start1})", path=path, line=line, patient=patient)
    return start1 - 1, end


def read_seg(
    path: str | Path,
    *,
    patient: str | None = None,
    sample: str | None = None,
    scale: SegMeanScale = "log2",
) -> list[Segment]:
    """Read one sample of an IGV/DNAcopy SEG file.

    Columns (case-insensitive): sample (``ID``), ``chrom``, ``loc.start``, ``loc.end``,
    ``num.mark`` (optional) and ``seg.mean``. ``loc.start`` is 1-based and ``loc.end``
    inclusive, so ``start0 = loc.start - 1``. ``seg.mean`` is read in ``scale`` and stored as a
    log2 ratio. The sample is chosen by :func:`select_sample` (``sample`` = ``cnv_sample``).

    Raises
    ------
    InputError
        Missing columns, a sample not in the file (listing the ones that are), wrong field
        counts, bad coordinates or a non-numeric ``seg.mean``; with file and 1-based line.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "x.seg")
    >>> _ = open(p, "w").write("ID\\tchrom\\tloc.start\\tloc.end\\tnum.mark\\tseg.mean\\n"
    ...                        "P1\\t7\\t101\\t200\\t5\\t2.0\\nP2\\t7\\t101\\t200\\t5\\t0.1\\n")
    >>> read_seg(p, patient="P1")[0]
    Segment(chrom='7', start0=100, end=200, log2=2.0, total_cn=None, probes=5, line=2)
    """
    header_line, header, rows = _split_header(_table_lines(path, patient), path, patient)
    cols = _header_index(header, _SEG_COLUMNS)
    _require_columns(
        cols, ("sample", "chrom", "start", "end", "mean"), header, path, header_line, patient
    )
    for line, fields in rows:
        _check_fields(fields, len(header), path, line, patient)
    chosen = select_sample(
        [f[cols["sample"]].strip() for _, f in rows], sample, patient, path, header_line
    )
    segments: list[Segment] = []
    for line, fields in rows:
        if fields[cols["sample"]].strip() != chosen:
            continue
        start0, end = _one_based_interval(fields, cols, path, line, patient)
        mean = _parse_float(fields[cols["mean"]], "seg.mean", path, line, patient)
        if mean is None:
            raise InputError("seg.mean is empty", path=path, line=line, patient=patient)
        probes = (
            _parse_int(fields[cols["probes"]], "num.mark", path, line, patient)
            if "probes" in cols and fields[cols["probes"]].strip() not in ("", "NA")
            else None
        )
        chrom = _parse_chrom(fields[cols["chrom"]], path, line, patient)
        log2 = seg_mean_to_log2(mean, scale)
        segments.append(Segment(chrom, start0, end, log2, None, probes, line))
    return segments


_GATK_COLUMNS: dict[str, tuple[str, ...]] = {
    "chrom": ("contig",),
    "start": ("start",),
    "end": ("end",),
    "probes": ("num_points_copy_ratio",),
    "log2": ("mean_log2_copy_ratio", "log2_copy_ratio_posterior_50"),
    "call": ("call",),
}


def read_gatk_seg(path: str | Path, *, patient: str | None = None) -> list[Segment]:
    """Read a GATK ``ModelSegments``/``CallCopyRatioSegments`` ``.seg`` file.

    ``@`` lines (the SAM-style header) are skipped. Columns: ``CONTIG START END``,
    ``NUM_POINTS_COPY_RATIO`` (probes), ``MEAN_LOG2_COPY_RATIO`` (or the posterior median
    ``LOG2_COPY_RATIO_POSTERIOR_50`` of ``modelFinal.seg``) and an optional ``CALL``.
    Coordinates are 1-based inclusive. A segment with 0 copy-ratio points has no measurement
    and is ignored by the gene summary.

    Raises
    ------
    InputError
        Missing columns, wrong field counts, bad coordinates or a non-numeric log2 ratio.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "x.seg")
    >>> _ = open(p, "w").write("@HD\\tVN:1.6\\nCONTIG\\tSTART\\tEND\\tNUM_POINTS_COPY_RATIO\\t"
    ...                        "MEAN_LOG2_COPY_RATIO\\tCALL\\nchr12\\t11\\t20\\t3\\t2.5\\t+\\n")
    >>> s = read_gatk_seg(p)[0]
    >>> s.start0, s.end, s.log2, s.probes, s.caller_call
    (10, 20, 2.5, 3, '+')
    """
    rows = _table_lines(path, patient, comments=("#", "@"))
    header_line, header, body = _split_header(rows, path, patient)
    cols = _header_index(header, _GATK_COLUMNS)
    _require_columns(cols, ("chrom", "start", "end", "log2"), header, path, header_line, patient)
    segments: list[Segment] = []
    for line, fields in body:
        _check_fields(fields, len(header), path, line, patient)
        start0, end = _one_based_interval(fields, cols, path, line, patient)
        log2 = _parse_float(fields[cols["log2"]], "log2 copy ratio", path, line, patient)
        if log2 is None:
            raise InputError("log2 copy ratio is empty", path=path, line=line, patient=patient)
        probes = (
            _parse_int(fields[cols["probes"]], "NUM_POINTS_COPY_RATIO", path, line, patient)
            if "probes" in cols
            else None
        )
        call = fields[cols["call"]].strip() or None if "call" in cols else None
        chrom = _parse_chrom(fields[cols["chrom"]], path, line, patient)
        segments.append(Segment(chrom, start0, end, log2, None, probes, line, call))
    return segments


@dataclass(frozen=True)
class GeneLevelValue:
    """One gene's value in a gene-level table: the GISTIC-style call and where it was read."""

    gene: str
    value: int
    line: int
    sample: str

    @property
    def call(self) -> CnvCall:
        """The call the value stands for (:data:`GISTIC_CALLS`)."""
        return GISTIC_CALLS[self.value]


_LONG_COLUMNS: dict[str, tuple[str, ...]] = {
    "sample": ("sample", "sample_id", "tumor_sample_barcode"),
    "gene": ("gene", "hugo_symbol", "symbol"),
    "value": ("value", "gistic", "call", "cna"),
}


def _gistic_value(text: str, path: str | Path, line: int, patient: str | None) -> int | None:
    """A -2..2 integer, ``None`` for an empty/NA cell."""
    cell = text.strip()
    if cell in ("", "NA", "NaN", "nan", "."):
        return None
    try:
        number = float(cell)
    except ValueError:
        number = math.nan
    if not number.is_integer() or int(number) not in GISTIC_CALLS:
        raise InputError(
            f"gene-level value {text!r} is not a GISTIC call (-2, -1, 0, 1 or 2)",
            path=path,
            line=line,
            patient=patient,
        )
    return int(number)


def _gene_table_kind(header: Sequence[str]) -> str | None:
    """``"matrix"`` (``Hugo_Symbol`` first), ``"long"`` (sample, gene, value) or None."""
    first = header[0].strip().lower() if header else ""
    long = {"sample", "gene", "value"} <= _header_index(header, _LONG_COLUMNS).keys()
    if first == "hugo_symbol" and not long:
        return "matrix"
    if long and first != "hugo_symbol":
        return "long"
    return None


def read_gene_table(
    path: str | Path, *, patient: str | None = None, sample: str | None = None
) -> dict[str, GeneLevelValue]:
    """Read one sample of a gene-level copy-number table (GISTIC -2..2 calls).

    Two layouts: a cBioPortal matrix (``Hugo_Symbol``, optional ``Entrez_Gene_Id``, then one
    column per sample) and a long table (``sample``, ``gene``, ``value``). The sample is chosen
    by :func:`select_sample`. Empty/NA values are left out (the gene is then not assessed).

    Returns
    -------
    dict[str, GeneLevelValue]
        By gene symbol.

    Raises
    ------
    InputError
        An unrecognised layout, a sample not in the file (listing those that are), a value
        outside -2..2, a gene given twice for the sample, or wrong field counts.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "cna.txt")
    >>> _ = open(p, "w").write("Hugo_Symbol\\tEntrez_Gene_Id\\tP1\\tP2\\n"
    ...                        "MET\\t4233\\t2\\t0\\nCDKN2A\\t1029\\t-2\\t-1\\n")
    >>> {g: v.call for g, v in read_gene_table(p, patient="P1").items()}
    {'MET': 'amplification', 'CDKN2A': 'homozygous_deletion'}
    """
    header_line, header, rows = _split_header(_table_lines(path, patient), path, patient)
    kind = _gene_table_kind(header)
    if kind is None:
        raise InputError(
            "not a gene-level table: need Hugo_Symbol[, Entrez_Gene_Id] then sample columns, or "
            f"columns sample, gene, value; header has: {', '.join(header)}",
            path=path,
            line=header_line,
            patient=patient,
        )
    for line, fields in rows:
        _check_fields(fields, len(header), path, line, patient)
    out: dict[str, GeneLevelValue] = {}
    if kind == "matrix":
        first_sample = 2 if len(header) > 1 and header[1].strip().lower() == "entrez_gene_id" else 1
        samples = [h.strip() for h in header[first_sample:]]
        chosen = select_sample(samples, sample, patient, path, header_line)
        column = first_sample + samples.index(chosen)
        triples = [(line, f[0].strip(), f[column]) for line, f in rows]
    else:
        cols = _header_index(header, _LONG_COLUMNS)
        chosen = select_sample(
            [f[cols["sample"]].strip() for _, f in rows], sample, patient, path, header_line
        )
        triples = [
            (line, f[cols["gene"]].strip(), f[cols["value"]])
            for line, f in rows
            if f[cols["sample"]].strip() == chosen
        ]
    for line, gene, text in triples:
        value = _gistic_value(text, path, line, patient)
        if not gene or value is None:
            continue
        if gene in out:
            raise InputError(
                f"gene {gene} is given twice for sample {chosen} (first at line {out[gene].line})",
                path=path,
                line=line,
                patient=patient,
            )
        out[gene] = GeneLevelValue(gene, value, line, chosen)
    return out


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


def _format_candidates(header: Sequence[str]) -> list[str]:
    """Every format whose required columns the header has (in :data:`CNV_FORMATS` order)."""
    names = {h.strip().lower() for h in header}
    found: list[str] = []
    if {"chromosome", "start", "end", "gene", "log2"} <= names:
        found.append("cnvkit")
    if {"sample", "chrom", "start", "end", "mean"} <= _header_index(
        header, _SEG_COLUMNS
    ).keys() and ({"loc.start", "loc.end"} <= names or "seg.mean" in names):
        found.append("seg")
    if {"chrom", "start", "end", "log2"} <= _header_index(header, _GATK_COLUMNS).keys():
        found.append("gatk")
    cols = _header_index(header, _SEGMENT_COLUMNS)
    has_value = "total" in cols or "log2" in cols or ("major" in cols and "minor" in cols)
    if {"chrom", "start", "end"} <= cols.keys() and has_value and "cnvkit" not in found:
        # CNVkit's columns are a superset of a log2 segment table: CNVkit wins.
        found.append("segments")
    if _gene_table_kind(header) is not None or (
        header and header[0].strip().lower() == "hugo_symbol"
    ):
        found.append("gene-table")
    return found


def detect_cnv_format(path: str | Path, *, patient: str | None = None) -> str:
    """Tell the copy-number format from the header line (``@``/``#`` lines skipped).

    Parameters
    ----------
    path
        The file.
    patient
        For error messages.

    Returns
    -------
    str
        ``"cnvkit"`` (``chromosome start end gene log2``); ``"seg"`` (a sample ``ID`` column,
        ``chrom``, ``loc.start``, ``loc.end``, ``seg.mean``); ``"gatk"`` (``CONTIG START END``
        and ``MEAN_LOG2_COPY_RATIO``); ``"segments"`` (a chromosome, ``Start``, ``End`` and a
        copy-number or log2 column, as PCGR or PURPLE); ``"gene-table"`` (``Hugo_Symbol``
        first, or ``sample gene value``).

    Raises
    ------
    InputError
        When the header fits none of them, or more than one (ambiguous: name the format in
        the sample sheet's ``cnv_format``); the message lists the accepted formats.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "x.tsv")
    >>> _ = open(p, "w").write("Chromosome\\tStart\\tEnd\\tnMajor\\tnMinor\\n")
    >>> detect_cnv_format(p)
    'segments'
    """
    header_line, header, _ = _split_header(
        _table_lines(path, patient, header_only=True, comments=("#", "@")), path, patient
    )
    found = _format_candidates(header)
    if len(found) == 1:
        return found[0]
    accepted = (
        "accepted: cnvkit (.cns/.cnr: chromosome, start, end, gene, log2[, cn, probes]), seg "
        "(ID, chrom, loc.start, loc.end, num.mark, seg.mean), gatk (@ header; CONTIG, START, "
        "END, NUM_POINTS_COPY_RATIO, MEAN_LOG2_COPY_RATIO[, CALL]), segments (Chromosome, "
        "Start, End and nMajor+nMinor, a total copy-number column or Segment_Mean) or "
        "gene-table (Hugo_Symbol[, Entrez_Gene_Id], one column per sample; or sample, gene, "
        "value)"
    )
    problem = (
        f"the header fits several copy-number formats ({', '.join(found)}): name the format in "
        "the sample sheet's cnv_format column"
        if found
        else "cannot tell the copy-number format from the header"
    )
    raise InputError(
        f"{problem} ({' '.join(header) or 'empty file'}); {accepted}",
        path=path,
        line=header_line,
        patient=patient,
    )


def _check_format(fmt: str | None, path: str | Path, patient: str | None) -> str:
    used = detect_cnv_format(path, patient=patient) if fmt in (None, "auto") else str(fmt)
    if used not in CNV_FORMATS:
        raise InputError(
            f"unknown copy-number format {used!r}; accepted: {', '.join(CNV_FORMATS)} or auto",
            path=path,
            patient=patient,
        )
    return used


def check_segments(
    segments: Sequence[Segment],
    path: str | Path,
    *,
    patient: str | None = None,
    build: str | None = None,
) -> None:
    """Stop on segments that cannot be right: overlapping, or beyond the chromosome's end.

    * Two segments of one chromosome that overlap (the same bases measured twice, e.g. two
      samples or two builds pasted together) are an error naming both lines.
    * A segment on a primary chromosome ending beyond that chromosome's length in ``build``
      (when given) is an error: the file is of another build (e.g. chr7 beyond 159,138,663 on
      GRCh37). Without ``build``, only an end beyond the chromosome's length in every supported
      build is detected. Coordinates within both builds' lengths cannot be told apart.
    """
    builds = [build] if build in BUILDS else list(BUILDS)
    by_chrom: dict[str, list[Segment]] = {}
    for seg in segments:
        name = normalise_chrom(seg.chrom)  # chr7 and 7 are one chromosome for every check
        by_chrom.setdefault(name, []).append(seg)
        lengths = [CONTIG_LENGTHS[b].get(name) for b in builds]
        if all(n is not None and seg.end > n for n in lengths):
            which = " and ".join(f"{b} ({n:,} bp)" for b, n in zip(builds, lengths, strict=True))
            fits = ""
            if build in BUILDS:
                other = other_build(build)
                there = CONTIG_LENGTHS[other].get(name)
                if there is not None and seg.end <= there:
                    fits = (f"; it fits {other}: the copy-number file is of {other} but the "
                            f"patient's genome_build is {build}")  # fmt: skip
            raise InputError(
                f"segment {seg.chrom}:{seg.start0 + 1}-{seg.end} ends beyond the end of "
                f"{seg.chrom} in {which}: the file is of another genome build, or its "
                f"coordinates are wrong{fits}",
                path=path,
                line=seg.line,
                patient=patient,
            )
    for segs in by_chrom.values():
        ordered = sorted(segs, key=lambda s: (s.start0, s.end))
        for a, b in itertools.pairwise(ordered):
            if b.start0 < a.end:
                first, second = sorted((a, b), key=lambda s: s.line or 0)
                raise InputError(
                    f"segment {second.chrom}:{second.start0 + 1}-{second.end} overlaps the segment "
                    f"{first.chrom}:{first.start0 + 1}-{first.end} on line {first.line}: one "
                    "sample's segments must not overlap (two samples or two files pasted "
                    "together?)",
                    path=path,
                    line=second.line,
                    patient=patient,
                )


def read_segments_file(
    path: str | Path,
    fmt: str | None = None,
    *,
    patient: str | None = None,
    sample: str | None = None,
    seg_mean_scale: SegMeanScale = "log2",
    build: str | None = None,
) -> tuple[str, list[Segment]]:
    """Read a segment file in ``fmt`` (detected from the header when ``None``/``"auto"``).

    ``sample`` and ``seg_mean_scale`` apply to SEG files (see :func:`read_seg`). The segments
    are checked by :func:`check_segments` (no overlaps, none beyond the chromosome's end in
    ``build``, or in every build when ``build`` is not given).

    Returns
    -------
    tuple[str, list[Segment]]
        The format used and the segments.

    Raises
    ------
    InputError
        Unknown ``fmt`` (the message lists :data:`CNV_FORMATS`), a gene-level table (no
        segments: use :func:`read_copy_number`) or bad file content.
    """
    used = _check_format(fmt, path, patient)
    segments: list[Segment] | None = None
    if used == "cnvkit":
        segments = read_cnvkit(path, patient=patient)
    elif used == "seg":
        segments = read_seg(path, patient=patient, sample=sample, scale=seg_mean_scale)
    elif used == "gatk":
        segments = read_gatk_seg(path, patient=patient)
    elif used == "segments":
        segments = read_segments(path, patient=patient)
    if segments is not None:
        check_segments(segments, path, patient=patient, build=build)
        return used, segments
    raise InputError(
        f"format {used!r} gives gene-level calls, not segments", path=path, patient=patient
    )


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
        _check_purity_ploidy(self.purity, self.ploidy)
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
        notes=_notes(summary, decision, gene.gene, t, method, ctx.focal_max_bp),
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


def read_copy_number(
    path: str | Path,
    fmt: str | None,
    genes: Sequence[GeneSpanLike],
    purity: float | None,
    ploidy: float,
    thresholds_for: Callable[[str], CnvThresholds],
    patient: str | None = None,
    *,
    log2_is_tumour_ratio: bool = True,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    min_gene_coverage: float = 0.0,
    sample: str | None = None,
    seg_mean_scale: SegMeanScale = "log2",
    build: str | None = None,
    min_purity: float = 0.2,
    focal_max_bp: int = BROAD_SEGMENT_BP,
    other_genes: Sequence[GeneSpanLike] | None = None,
) -> Evidence:
    """Read a copy-number file and summarise the target genes (see :func:`gene_copy_number`).

    A gene-level table (``gene-table``) gives the caller's calls directly
    (:func:`gene_level_evidence`); purity, ploidy and thresholds are then not used.

    Parameters
    ----------
    path
        The copy-number file.
    fmt
        One of :data:`CNV_FORMATS`, or ``None``/``"auto"`` to detect it from the header.
    genes, purity, ploidy, thresholds_for, log2_is_tumour_ratio, min_coverage, min_gene_coverage
        As for :func:`gene_copy_number`.
    patient
        The patient id: for error messages, and the sample read from a multi-sample SEG file
        or gene table unless ``sample`` names another.
    sample
        The sample sheet's ``cnv_sample`` (see :func:`select_sample`).
    seg_mean_scale
        ``log2`` or ``log10``: the scale of a SEG file's ``seg.mean``.
    build
        The patient's genome build: segments beyond a chromosome's end in it are an error
        (see :func:`check_segments`).
    min_purity
        With ``purity`` None (unknown), calls are checked over ``min_purity`` .. 1.0
        (:func:`purity_range_evidence`).
    focal_max_bp
        The focal size (see :func:`gene_copy_number`).
    other_genes
        The target genes' spans on the other build: with ``build``, a file whose named genes
        fit only the other build stops (:func:`check_segment_build`).

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
    try:
        _check_purity_ploidy(min_purity if purity is None else purity, ploidy)
    except ValueError as exc:
        raise InputError(f"{exc} (for {path})", patient=patient) from None
    used = _check_format(fmt, path, patient)
    if used == "gene-table":
        values = read_gene_table(path, patient=patient, sample=sample)
        evidence = gene_level_evidence(values, genes, source_path=str(path))
        evidence.inputs[str(path)] = sha256_file(path)
        return evidence
    used, segments = read_segments_file(
        path, used, patient=patient, sample=sample, seg_mean_scale=seg_mean_scale, build=build
    )
    if other_genes is not None and build is not None:
        check_segment_build(segments, genes, other_genes, build=build, path=path, patient=patient)
    common: dict[str, Any] = {
        "ploidy": ploidy, "thresholds_for": thresholds_for, "source_path": str(path),
        "log2_is_tumour_ratio": log2_is_tumour_ratio, "min_coverage": min_coverage,
        "min_gene_coverage": min_gene_coverage, "focal_max_bp": focal_max_bp,
    }  # fmt: skip
    if purity is None and any(seg.total_cn is None for seg in segments):
        evidence = purity_range_evidence(segments, genes, min_purity=min_purity, **common)
    else:
        evidence = gene_copy_number(segments, genes, purity=purity or 1.0, **common)
    if used == "cnvkit" and segments and all(seg.probes is None for seg in segments):
        evidence.events = [_bin_level(e) for e in evidence.events]
    evidence.inputs[str(path)] = sha256_file(path)
    return evidence


BIN_LEVEL_REASON = (
    "CNVkit bin-level input (.cnr, no probes column): single-bin log2 ratios are noisy, so "
    "calls are for review only; use the segment file (.cns)"
)


def _bin_level(event: Event) -> Event:
    """Mark an event read from CNVkit bins (not segments) as indeterminate."""
    reasons = [r for r in (event.status_reason, BIN_LEVEL_REASON) if r]
    return replace(event, status="indeterminate", status_reason="; ".join(reasons))
