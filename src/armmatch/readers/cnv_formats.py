"""Copy-number formats: detection from the header, the registry of readers, and the checks
shared by every segment file.

Formats and their coordinate conventions (all converted to 0-based half-open ``start0``/``end``):
``cnvkit`` (BED-like, used as is), ``segments`` (PCGR/PURPLE-like, 1-based inclusive),
``seg`` (IGV/DNAcopy, 1-based inclusive; ``seg.mean`` log2, or log10 by configuration),
``gatk`` (1-based inclusive) and ``gene-table`` (gene-level calls). A multi-sample SEG or gene
table is read for one sample (``cnv_sample``, else the patient id).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from armmatch.errors import InputError
from armmatch.genome import BUILDS, CONTIG_LENGTHS, normalise_chrom, other_build
from armmatch.readers.cnv_table import (
    CNV_FORMATS,
    SegMeanScale,
    Segment,
    header_index,
    split_header,
    table_lines,
    unquoted,
)
from armmatch.readers.cnvkit import read_cnvkit
from armmatch.readers.gatk import GATK_COLUMNS, read_gatk_seg
from armmatch.readers.gene_table import gene_table_kind
from armmatch.readers.seg import SEG_COLUMNS, read_seg
from armmatch.readers.segments import SEGMENT_COLUMNS, read_segments


def cnv_format_candidates(header: Sequence[str]) -> list[str]:
    """Every format whose required columns the header has (in :data:`CNV_FORMATS` order)."""
    names = {unquoted(h).lower() for h in header}
    found: list[str] = []
    if {"chromosome", "start", "end", "gene", "log2"} <= names:
        found.append("cnvkit")
    if {"sample", "chrom", "start", "end", "mean"} <= header_index(header, SEG_COLUMNS).keys() and (
        {"loc.start", "loc.end"} <= names or "seg.mean" in names
    ):
        found.append("seg")
    if {"chrom", "start", "end", "log2"} <= header_index(header, GATK_COLUMNS).keys():
        found.append("gatk")
    cols = header_index(header, SEGMENT_COLUMNS)
    has_value = "total" in cols or "log2" in cols or ("major" in cols and "minor" in cols)
    if {"chrom", "start", "end"} <= cols.keys() and has_value and "cnvkit" not in found:
        # CNVkit's columns are a superset of a log2 segment table: CNVkit wins.
        found.append("segments")
    if gene_table_kind(header) is not None or (
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
    header_line, header, _ = split_header(
        table_lines(path, patient, header_only=True, comments=("#", "@")), path, patient
    )
    found = cnv_format_candidates(header)
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


def check_cnv_format(fmt: str | None, path: str | Path, patient: str | None) -> str:
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
) -> list[Segment]:
    """The segments, checked: stop on segments that cannot be right (overlapping, or beyond
    the chromosome's end).

    * Two segments of one chromosome that overlap (the same bases measured twice, e.g. two
      samples or two builds pasted together) are an error naming both lines; an overlap of at
      most :data:`OVERLAP_TOLERANCE_BP` bases (CNVkit bins that share their edge bases, a SEG
      written with 0-based starts) is trimmed: the later segment starts where the earlier ends.
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
    trimmed: dict[int, Segment] = {}
    for segs in by_chrom.values():
        ordered = sorted(segs, key=lambda s: (s.start0, s.end))
        for a, b in itertools.pairwise(ordered):
            overlap = a.end - b.start0
            if 0 < overlap <= OVERLAP_TOLERANCE_BP and overlap < b.end - b.start0:
                trimmed[id(b)] = replace(b, start0=a.end)
                continue
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
    return [trimmed.get(id(seg), seg) for seg in segments]


OVERLAP_TOLERANCE_BP = 10
"""Neighbouring segments or bins that share at most this many bases are trimmed, not refused."""


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

    ``sample`` applies to SEG files and segment tables with a sample column, ``seg_mean_scale``
    to SEG files (see :func:`read_seg`). The segments
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
    used = check_cnv_format(fmt, path, patient)
    segments: list[Segment] | None = None
    if used == "cnvkit":
        segments = read_cnvkit(path, patient=patient)
    elif used == "seg":
        segments = read_seg(path, patient=patient, sample=sample, scale=seg_mean_scale)
    elif used == "gatk":
        segments = read_gatk_seg(path, patient=patient)
    elif used == "segments":
        segments = read_segments(path, patient=patient, sample=sample)
    if segments is not None:
        return used, check_segments(segments, path, patient=patient, build=build)
    raise InputError(
        f"format {used!r} gives gene-level calls, not segments", path=path, patient=patient
    )
