"""Shared pieces of the copy-number table readers: the :class:`Segment` record, header and
number parsing, interval checks and sample selection.

All readers convert coordinates to 0-based half-open ``start0``/``end``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from armmatch.errors import InputError
from armmatch.io import read_tsv_rows

CNV_FORMATS: tuple[str, ...] = ("cnvkit", "seg", "gatk", "segments", "gene-table")

SEGMENT_FORMATS: tuple[str, ...] = ("cnvkit", "seg", "gatk", "segments")

SegMeanScale = Literal["log2", "log10"]


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


def table_lines(
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


def split_header(
    rows: list[tuple[int, list[str]]], path: str | Path, patient: str | None
) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    if not rows:
        raise InputError("file is empty (no header line)", path=path, patient=patient)
    (header_line, header), body = rows[0], rows[1:]
    return header_line, header, body


def header_index(header: Sequence[str], aliases: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Map each canonical column name to its index, matching ``aliases`` case-insensitively."""
    lowered = {unquoted(name).lower(): i for i, name in enumerate(header)}
    found: dict[str, int] = {}
    for canonical, names in aliases.items():
        for name in names:
            if name in lowered:
                found[canonical] = lowered[name]
                break
    return found


def parse_int(text: str, what: str, path: str | Path, line: int, patient: str | None) -> int:
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


def parse_float(
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


def check_fields(
    fields: Sequence[str], n: int, path: str | Path, line: int, patient: str | None
) -> None:
    if len(fields) != n:
        raise InputError(
            f"expected {n} tab-separated fields (as in the header), found {len(fields)}",
            path=path,
            line=line,
            patient=patient,
        )


def require_columns(
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


def unquoted(text: str) -> str:
    """A cell without its spaces and the double quotes R's ``write.table`` puts round text
    (Sequenza's segments, many SEG files: ``"chromosome"``, ``"chr7"``).

    >>> unquoted(' "start.pos" ')
    'start.pos'
    """
    text = text.strip()
    return text[1:-1].strip() if len(text) >= 2 and text[0] == text[-1] == '"' else text


def parse_chrom(text: str, path: str | Path, line: int, patient: str | None) -> str:
    chrom = unquoted(text)
    if not chrom:
        raise InputError("chromosome is empty", path=path, line=line, patient=patient)
    return chrom


def check_interval(
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


def segment_total(
    fields: Sequence[str],
    cols: Mapping[str, int],
    has_alleles: bool,
    path: str | Path,
    line: int,
    patient: str | None,
) -> float | None:
    if "total" in cols:
        total = parse_float(fields[cols["total"]], "total copy number", path, line, patient)
    elif has_alleles:
        major = parse_float(fields[cols["major"]], "nMajor", path, line, patient)
        minor = parse_float(fields[cols["minor"]], "nMinor", path, line, patient)
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


def one_based_interval(
    fields: Sequence[str], cols: Mapping[str, int], path: str | Path, line: int, patient: str | None
) -> tuple[int, int]:
    """``(start0, end)`` from 1-based inclusive ``start``/``end`` columns."""
    start1 = parse_int(fields[cols["start"]], "start", path, line, patient)
    end = parse_int(fields[cols["end"]], "end", path, line, patient)
    if start1 < 0:
        raise InputError(
            f"start {start1} < 0 (coordinates are 1-based)", path=path, line=line, patient=patient
        )
    if end < start1:
        raise InputError(f"end ({end}) < start ({start1})", path=path, line=line, patient=patient)
    # a start of 0 is a 0-based start (some tools write SEG so): it is the first base
    return max(start1 - 1, 0), end
