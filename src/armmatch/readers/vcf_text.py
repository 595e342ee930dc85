"""One fast text pass over a VCF: header, field counts, positions, sort order, gVCF blocks.

The checks htslib does not make (or makes by crashing) are made here on the raw text, in large
decompressed pieces; :func:`vcf_kinds` says what a VCF holds (small variants, breakends,
reference blocks) so that a file in the wrong column of the sample sheet stops the patient.
"""

from __future__ import annotations

import gzip
import logging
import os
import re
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Container, Iterator, Sequence
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import numpy as np
from pysam.libcbgzf import BGZFile

from armmatch.errors import InputError
from armmatch.io import MAX_LINE_BYTES, line_bound_text, open_text, per_file_state
from armmatch.readers.bgzf import Part, inflated_lines, is_bgzf, split_lines, usable_threads
from armmatch.readers.vcf_lines import scan_lines
from armmatch.readers.vcf_records import chrom_problem, field_problem

log = logging.getLogger(__name__)

_PRIMARY = frozenset([str(i) for i in range(1, 23)] + ["X", "Y", "M", "MT"])
_CHROM_LINE = ("#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO")


def _is_primary(chrom: str) -> bool:
    return (chrom[3:] if chrom[:3].lower() == "chr" else chrom) in _PRIMARY


def _vcf_magic(path: str, patient: str | None) -> bytes | None:
    """The first bytes of a VCF: None for BCF (checked by htslib), else the raw magic."""
    with open(path, "rb") as fh:
        magic = fh.read(3)
    if magic == b"BCF":
        return None
    if magic == b"BZh":
        raise InputError(
            "the file is bzip2-compressed, which is not read: give it plain or bgzip-compressed "
            "(bunzip2 it, then bgzip)",
            path=path,
            patient=patient,
        )
    if magic[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as gz:
                if gz.read(3) == b"BCF":
                    return None
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(
                f"the gzip/bgzip file is truncated or corrupt ({exc}); re-create it with bgzip",
                path=path,
                patient=patient,
            ) from None
    return magic


_CHUNK = 1 << 22
_FIELD = rb"[^\t\n]*\t"
_BAD_RECORD = re.compile(
    rb"\n(?![^\t\n]*+\t0*+[1-9][0-9]*+\t" + _FIELD + rb"[^\t\n]++\t[^\t\n]++\t" + _FIELD * 2 + rb")"
)
_POS_REF = re.compile(rb"\n[^\t\n]*\t([0-9]+)\t[^\t\n]*\t([^\t\n]*)")
_POS = re.compile(rb"\n[^\t\n]*\t([0-9]+)")


@lru_cache(maxsize=1024)
def _run_end(chrom: bytes) -> re.Pattern[bytes]:
    """The first line that is not on ``chrom``: the end of a run of its records."""
    return re.compile(b"\n(?!" + re.escape(chrom) + b"\t)")


def _first_unsorted(
    positions: Any, chrom: bytes, last: tuple[bytes, int] | None, done: Container[bytes]
) -> tuple[int, tuple[bytes, int]] | None:
    """The first of a contig run's records out of order, as (its index in the run, the record
    it follows): below the previous record on the contig, or the run resuming a contig left
    earlier. None when all are in order. ``positions``: a list, or a numpy array."""
    if last is not None and (
        (chrom == last[0] and positions[0] < last[1]) or (chrom != last[0] and chrom in done)
    ):
        return 0, last
    if isinstance(positions, np.ndarray):
        down = np.flatnonzero(positions[1:] < positions[:-1])
        k = int(down[0]) + 1 if down.size else None
    else:
        k = next((k for k in range(1, len(positions)) if positions[k] < positions[k - 1]), None)
    return None if k is None else (k, (chrom, int(positions[k - 1])))


PARALLEL_INFLATE_BYTES = 1 << 19
"""From this size on, a bgzip VCF read whole is decompressed by worker threads while its text
is checked (:func:`armmatch.readers.bgzf.inflated_lines`), when the job may use two threads
(:func:`armmatch.readers.bgzf.job_threads`). Measured: 7.1 -> 4.6 ms at 280 KB, 2.7 -> 2.3 ms at
74 KB; the bound is above panel VCFs all the same, because such a file makes its block job ask
Snakemake for two threads (:func:`armmatch.calling.small_variants.uses_worker_threads`), and a
batch of panels runs best one block per core."""


def _prepare(body: bytes) -> _PieceLines | None:
    """What a worker thread works out of a decompressed piece (``body`` starts and ends with a
    newline) beside the text pass: every line located and checked, the lines with an INFO
    ``END`` and the contig runs (:func:`_piece_lines`); None for a piece small enough for the
    expression."""
    if len(body) - 1 < VECTOR_MIN_PIECE_BYTES:
        return None
    return _piece_lines(body)


def _chunks(
    path: str, magic: bytes, patient: str | None, size: int = _CHUNK
) -> Iterator[tuple[bytes, _PieceLines | None]]:
    """The decompressed file in pieces ``data`` that start with a newline (the one that ends the
    line before, or a virtual one before the first line) and end with one, each with its lines
    located (:func:`_prepare`) when a worker thread did it, else None. A line that two reads
    share is a piece of its own.

    gzip and bgzip files are decompressed by htslib (pysam's BGZFile: three times faster than
    Python's gzip module on bgzip's many small members; plain gzip too); a large bgzip file read
    whole by ISA-L in two worker threads, which also locate its lines, beside the text checks
    (:mod:`armmatch.readers.bgzf`)."""
    gz = magic[:2] == b"\x1f\x8b"
    lines = 0  # lines yielded so far
    carry = b""  # the start of a line that the next read ends
    try:
        with ExitStack() as stack:
            parts: Iterator[Part]
            if (gz and size >= _CHUNK and os.path.getsize(path) >= PARALLEL_INFLATE_BYTES
                    and usable_threads() > 1 and is_bgzf(path)):  # fmt: skip
                parts = stack.enter_context(closing(inflated_lines(path, prepare=_prepare)))
            else:
                opener: Any = BGZFile if gz else open
                fh = stack.enter_context(opener(path, "rb"))
                parts = ((*split_lines([b]), None) for b in iter(partial(fh.read, size), b""))
            for head, body, tail, prepared in parts:
                if len(carry) + len(head) > MAX_LINE_BYTES:
                    raise InputError(
                        f"line {lines + 1} is longer than {line_bound_text()}: not a VCF line (a "
                        "corrupt or binary file?)",
                        path=path,
                        patient=patient,
                    )
                if body is None:
                    carry += head
                    continue
                yield b"".join((b"\n", carry, head, b"\n")), None
                lines += 1
                if len(body) > 1:
                    yield body, prepared
                    lines += len(prepared.nl) - 1 if prepared is not None else body.count(b"\n") - 1
                carry = tail
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(
            f"the gzip/bgzip file is truncated or corrupt after line {lines} ({exc}); "
            "re-create it with bgzip",
            path=path,
            patient=patient,
        ) from None
    if carry:
        yield b"\n" + carry + b"\n", None


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").rstrip("\r\n")


def _record_problem(text: str) -> str | None:
    """What is wrong with one record line's layout (blank, too few fields, bad POS), if anything."""
    if not text.strip():
        # htslib reads a blank line as an empty record (and cyvcf2 can crash on it)
        return "blank line among the records: a VCF record cannot be empty; remove the line"
    fields = text.split("\t")
    if len(fields) < 8:
        return f"a VCF record needs at least 8 tab-separated fields, found {len(fields)}"
    pos_text = fields[1]
    if pos_text == "0":
        return (
            "POS 0 (the VCF specification's telomere position) is not read: armmatch reads small "
            "variants at positions from 1; remove telomere records from the small-variant file"
        )
    if not (pos_text.isascii() and pos_text.isdigit()) or int(pos_text) < 1:
        return f"POS {pos_text!r} is not a positive integer"
    if not fields[3].strip() or not fields[4].strip():
        which = "REF" if not fields[3].strip() else "ALT"
        return (f"the {which} field is empty: a malformed record (VCF writes '.' for no ALT "
                "allele), never a tested negative")  # fmt: skip
    return None


@dataclass
class VcfText:
    """What one fast pass over a text VCF found (see :func:`scan_vcf_text`)."""

    header_lines: int
    """Lines up to and including ``#CHROM``: record ``i`` (0-based) is on line header_lines + i + 1."""
    contigs: frozenset[str]
    """Contigs declared by ``##contig`` lines."""
    info: frozenset[str] = frozenset()
    """INFO fields declared by ``##INFO`` lines."""
    header_text: str = ""
    """The ``##INFO`` lines (for the CSQ/ANN declarations)."""
    header_bytes: bytes = b""
    """The header as the file has it, through the ``#CHROM`` line."""
    records: int = 0
    selected: list[tuple[int, bytes]] = field(default_factory=list)
    """``(line number, record line)`` of the records picked by ``select`` or ``mark``, in file
    order."""
    marked: set[int] = field(default_factory=set)
    """Line numbers of the selected records whose text matches the ``mark`` pattern."""


Spans = tuple[Sequence[int], Sequence[int]]
Picks = tuple[re.Pattern[bytes] | None, Callable[[str], Spans | None] | None]
"""``(mark, select)`` of :func:`scan_vcf_text`."""


class _Header:
    """The header part of the check (line by line; headers are short)."""

    def __init__(self, path: str, patient: str | None) -> None:
        self.path, self.patient = path, patient
        self.contigs: set[str] = set()
        self.info: set[str] = set()
        self.meta: list[str] = []
        self.chrom_line: int | None = None

    def feed(self, lineno: int, text: str) -> None:
        path, patient = self.path, self.patient
        if lineno == 1 and not text.startswith("##fileformat=VCF"):
            raise InputError(
                "the file starts with a UTF-8 byte-order mark (an editor or Excel added it), "
                "which htslib does not read: remove its first three bytes (sed -i "
                "'1s/^\\xEF\\xBB\\xBF//')"
                if text.startswith("\ufeff##fileformat=VCF")
                else f"the first line is {text[:40]!r}, not '##fileformat=VCFv4.x': not a VCF, "
                "or its header is broken",
                path=path,
                line=lineno,
                patient=patient,
            )
        if text.startswith("##"):
            if text.startswith("##contig=<"):
                for part in text[len("##contig=<") :].rstrip(">").split(","):
                    key, _, value = part.partition("=")
                    if key.strip() == "ID":
                        self.contigs.add(value.strip())
            elif text.startswith("##INFO=<ID="):
                self.info.add(text[len("##INFO=<ID=") :].split(",", 1)[0])
                self.meta.append(text)
            return
        if text.startswith("#"):
            if tuple(text.split("\t")[:8]) != _CHROM_LINE:
                raise InputError(
                    f"broken header line {text[:60]!r}: the column header must start "
                    "#CHROM, POS, ID, REF, ALT, QUAL, FILTER, INFO (tab-separated)",
                    path=path,
                    line=lineno,
                    patient=patient,
                )
            self.chrom_line = lineno
            return
        raise InputError(
            "the '#CHROM POS ID REF ALT QUAL FILTER INFO' header line is missing before "
            "the first record",
            path=path,
            line=lineno,
            patient=patient,
        )

    def finish(self) -> int:
        if self.chrom_line is None:
            raise InputError(
                "the '#CHROM POS ID REF ALT QUAL FILTER INFO' header line is missing (the file "
                "ends inside the header)",
                path=self.path,
                patient=self.patient,
            )
        return self.chrom_line


def warn_unsorted(
    path: str, lineno: int, patient: str | None, here: tuple[str, int], last: tuple[str, int]
) -> None:
    """Log the one warning about records out of order (accepted: each is read on its own)."""
    log.warning(
        "%s, line %d%s: records are not sorted (%s:%d after %s:%d); accepted, "
        "each record is read on its own",
        path,
        lineno,
        f" (patient {patient})" if patient else "",
        here[0],
        here[1],
        last[0],
        last[1],
    )


def _end_lines(data: bytes, at: int, end: int) -> Iterator[int]:
    """The newline offsets before each record of ``data[at:end]`` with an INFO ``END`` (found
    with ``bytes.find``, many times faster than a regular expression over a whole genome)."""
    hit = data.find(b"END=", at, end)
    while hit != -1:
        if data[hit - 1 : hit] in (b"\t", b";"):
            yield data.rfind(b"\n", 0, hit)
        hit = data.find(b"END=", hit + 4, end)


VECTOR_MIN_RECORDS = 256
"""From this many records in a run on one contig, the run's positions, order and overlaps are
worked out with numpy (whole-genome files); shorter runs (panels) record by record."""


def _run_arrays(data: bytes, at: int, end: int) -> tuple[Any, Any, Any, Any]:
    """For the record lines of ``data[at:end]`` (``data[at]`` and ``data[end]`` are newlines;
    every line already passed :data:`_BAD_RECORD`): each record's 0-based start and exclusive
    end (``POS - 1``, ``POS - 1 + len(REF)``), its POS, and the offset of its newline. Located
    by :func:`_piece_lines`; a POS of more than 18 digits, record by record."""
    lines = _piece_lines(data[at : end + 1])
    if lines is not None:
        return lines.start0, lines.end0, lines.pos, lines.nl[:-1] + at
    found = [(m.start(), int(m.group(1)), len(m.group(2)))
             for m in _POS_REF.finditer(data, at, end)]  # fmt: skip
    nl, pos, ref = (np.array(column, dtype=np.int64) for column in zip(*found, strict=True))
    return pos - 1, pos - 1 + ref, pos, nl


VECTOR_MIN_PIECE_BYTES = 1 << 18
"""From this many bytes of records in a decompressed piece, every line's layout is checked and
its fields located by one compiled pass over the whole piece (:func:`_piece_lines`) instead of
the :data:`_BAD_RECORD` expression (whole genomes: the expression's per-line cost was the
largest part of a streamed read); smaller pieces (panels) keep the expression."""


@dataclass(frozen=True)
class _PieceLines:
    """Every record line of a piece (``data[0]`` a newline before the first), located."""

    nl: Any
    """Offset of the newline before each line, plus the last newline (``len(lines) + 1``)."""
    start0: Any
    end0: Any
    pos: Any
    bad: int | None
    """Offset of the newline before the first line :data:`_BAD_RECORD` would reject."""
    ends: list[int]
    """:func:`_end_lines` of the whole piece."""
    changes: list[int]
    """The lines whose contig differs from the line before's."""

    def count(self, at: int, end: int) -> int:
        """Lines between newline offsets ``at`` and ``end`` (``data.count(b"\\n", at, end)``)."""
        i, j = np.searchsorted(self.nl, (at, end))
        return int(j - i)

    def line_indexes(self, offsets: Sequence[int]) -> Any:
        """The 0-based line index of each (sorted) newline offset before a line."""
        return np.searchsorted(self.nl, offsets)

    def end_lines(self, at: int, end: int) -> list[int]:
        """:func:`_end_lines` of ``data[at:end]``."""
        return self.ends[bisect_left(self.ends, at) : bisect_left(self.ends, end)]

    def run_end(self, at: int, limit: int) -> int:
        """The newline offset that ends the run of records on one contig after newline ``at``
        (as :func:`_run_end` finds it), ``limit`` at most."""
        k = bisect_right(self.changes, int(np.searchsorted(self.nl, at)))
        return limit if k == len(self.changes) else min(int(self.nl[self.changes[k]]), limit)

    def run(self, at: int, end: int) -> tuple[Any, Any, Any, Any]:
        """:func:`_run_arrays` of ``data[at:end]`` (``at`` and ``end`` newline offsets)."""
        i, j = np.searchsorted(self.nl, (at, end))
        return self.start0[i:j], self.end0[i:j], self.pos[i:j], self.nl[i:j]


def _piece_lines(data: bytes) -> _PieceLines | None:
    """Check and locate every record line of ``data`` at once (``data[0]`` a newline before the
    first line; it ends with one): the checks of :data:`_BAD_RECORD` (CHROM, then POS of digits
    with a non-zero one, ID, a non-empty REF and ALT, QUAL and FILTER, each ended by a tab),
    each line's ``POS - 1``, ``POS - 1 + len(REF)`` and POS, the lines with an INFO ``END`` and
    where each contig's run of records begins, in one compiled pass
    (:func:`armmatch.readers.vcf_lines.scan_lines`). None when a POS has more than 18 digits
    (leading zeros beyond int64: left to the expression)."""
    found = scan_lines(data)
    return None if found is None else _PieceLines(*found)


def scan_vcf_text(
    path: str,
    *,
    patient: str | None = None,
    header_only: bool = False,
    mark: re.Pattern[bytes] | None = None,
    select: Callable[[str], Spans | None] | None = None,
    configure: Callable[[VcfText], Picks] | None = None,
) -> VcfText | None:
    """One fast pass over a text VCF (plain or bgzip): the checks of :func:`check_vcf_text`.

    The header is checked line by line; the records in large decompressed pieces with
    C-level scans (the line layout by a regular expression, one per run of records on a contig;
    or by one compiled pass over a whole piece of :data:`VECTOR_MIN_PIECE_BYTES` or more,
    :mod:`armmatch.readers.vcf_lines`), so that the pass costs a fraction of htslib's own
    parse. Returns None for BCF.

    ``header_only`` stops after the ``#CHROM`` line (indexed reading: only the records read
    through the index are parsed). Records out of order get one logged warning.

    ``select`` (a contig name -> its regions, or None) and ``mark`` (a bytes pattern) pick the
    records a streaming reader needs, kept with their line numbers in ``selected``: those
    whose ``[POS - 1, POS - 1 + len(REF))`` overlaps a region of their contig, those with an
    INFO ``END`` on such a contig (their extent is htslib's to say), and those whose text
    matches ``mark``. Only the picked lines are then parsed by htslib. ``configure``, when
    given, chooses ``mark`` and ``select`` from the header (:class:`VcfText` without records)
    once it is read: one pass where a header-only pass and a full one would read it twice.
    """
    magic = _vcf_magic(path, patient)
    if magic is None:
        return None
    header = _Header(path, patient)
    scan: VcfText | None = None
    contigs: frozenset[str] = frozenset()
    known: dict[bytes, bool] = {}
    spans_of: dict[bytes, Spans | None] = {}
    span_arrays: dict[bytes, tuple[Any, Any]] = {}  # spans_of as numpy arrays, for long runs
    runs_pattern: dict[bytes, re.Pattern[bytes]] = {}
    done: set[bytes] = set()
    last: tuple[bytes, int] | None = None  # (chrom, pos) of the previous record
    warned = False
    size = 1 << 16 if header_only else _CHUNK
    head: list[bytes] = []  # the header's bytes, piece by piece
    done_lines = 0  # lines of the pieces before this one
    for piece, prepared in _chunks(path, magic, patient, size):
        offset = 1  # piece[0] is the newline before its first line
        if scan is None:
            prepared = None  # worked out over header lines too
            lineno = done_lines
            while offset < len(piece) and header.chrom_line is None:
                nl = piece.index(b"\n", offset)
                lineno += 1
                header.feed(lineno, _decode(piece[offset:nl]))
                offset = nl + 1
            head.append(piece[1:offset])
            done_lines = lineno
            if header.chrom_line is None:
                continue
            contigs = frozenset(header.contigs)
            scan = VcfText(
                header_lines=header.chrom_line,
                contigs=contigs,
                info=frozenset(header.info),
                header_text="\n".join(header.meta),
                header_bytes=b"".join(head),
            )
            if header_only:
                return scan
            if configure is not None:
                mark, select = configure(scan)
            if offset >= len(piece):
                continue
        # records: data[0] is the newline before the first line of the piece
        data = piece if offset == 1 else piece[offset - 1 :]
        first_line = done_lines + 1
        stop = len(data) - 1
        whole = prepared
        if whole is None and stop >= VECTOR_MIN_PIECE_BYTES:
            whole = _piece_lines(data)
        if whole is not None:
            bad_at = whole.bad
        else:
            found = _BAD_RECORD.search(data, 0, stop)
            bad_at = found.start() if found is not None else None
        limit = bad_at if bad_at is not None else stop
        at, index = 0, scan.records  # `index`: record index of the line after `at`
        picked: set[int] = set()  # offsets of the newline before each picked record line
        marks: set[int] = set()
        while at < limit:
            tab = data.find(b"\t", at + 1, limit + 1)
            chrom = data[at + 1 : tab]
            ok = known.get(chrom)
            if ok is None:
                name = chrom.decode("utf-8", errors="replace")
                if (problem := chrom_problem(name)) is not None:
                    raise InputError(
                        problem, path=path, line=first_line + index - scan.records, patient=patient
                    )
                ok = known[chrom] = not contigs or name in contigs or _is_primary(name)
            if not ok:
                raise InputError(
                    f"unknown contig {chrom.decode('utf-8', errors='replace')!r}: the header's "
                    f"##contig lines do not declare it (declared: {', '.join(sorted(contigs)[:12])}"
                    f"{', ...' if len(contigs) > 12 else ''}); is the VCF of another reference?",
                    path=path,
                    line=first_line + index - scan.records,
                    patient=patient,
                )
            if whole is not None:
                end = whole.run_end(at, limit)
            else:
                pattern = runs_pattern.get(chrom)
                if pattern is None:
                    pattern = runs_pattern[chrom] = _run_end(chrom)
                nxt = pattern.search(data, at + 1, limit)
                end = nxt.start() if nxt is not None else limit
            spans = None
            if select is not None:
                if chrom not in spans_of:
                    spans_of[chrom] = select(chrom.decode("utf-8", errors="replace"))
                spans = spans_of[chrom]
            lines = whole.count(at, end) if whole is not None else data.count(b"\n", at, end)
            if spans is not None or not warned:
                positions: Any  # a list, or numpy's array for a long (whole-genome) run
                matches: list[re.Match[bytes]] | None = None
                if lines >= VECTOR_MIN_RECORDS:
                    starts0, ends0, positions, nl_arr = (
                        whole.run(at, end) if whole is not None else _run_arrays(data, at, end)
                    )
                elif spans is not None:  # record by record, each match kept for the picks
                    matches = list(_POS_REF.finditer(data, at, end))
                    positions = [int(m.group(1)) for m in matches]
                else:  # only the order matters: positions alone
                    positions = [int(x) for x in _POS.findall(data, at, end)]
                if not warned:
                    disorder = _first_unsorted(positions, chrom, last, done)
                    if disorder is not None:
                        wrong, prev = disorder
                        warn_unsorted(
                            path, first_line + index - scan.records + wrong, patient,
                            (chrom.decode(errors="replace"), int(positions[wrong])),
                            (prev[0].decode(errors="replace"), prev[1]),
                        )  # fmt: skip
                        warned = True
                    if last is not None and chrom != last[0]:
                        done.add(last[0])
                    last = (chrom, int(positions[-1]))
                if spans is not None:
                    if matches is None:
                        if chrom not in span_arrays:
                            span_arrays[chrom] = (np.asarray(spans[0], dtype=np.int64),
                                                  np.asarray(spans[1], dtype=np.int64))  # fmt: skip
                        region_starts, region_ends = span_arrays[chrom]
                        if len(region_starts):  # a contig given no regions picks no record
                            i = np.searchsorted(region_starts, ends0, side="left") - 1
                            hit = (i >= 0) & (starts0 < region_ends[np.maximum(i, 0)])
                            picked.update(int(x) for x in nl_arr[hit])
                    else:
                        starts, ends = spans
                        for m, pos in zip(matches, positions, strict=True):
                            i = bisect_left(starts, pos - 1 + len(m.group(2))) - 1
                            if i >= 0 and pos - 1 < ends[i]:
                                picked.add(m.start())
                    picked.update(
                        whole.end_lines(at, end) if whole is not None
                        else _end_lines(data, at, end)
                    )  # fmt: skip
            index += lines
            at = end
        if mark is not None:
            for m in mark.finditer(data, 0, limit):
                line_start = data.rfind(b"\n", 0, m.start())
                picked.add(line_start)
                marks.add(line_start)
        if bad_at is not None:
            nl = data.find(b"\n", bad_at + 1)
            lineno = first_line + data.count(b"\n", 0, bad_at)
            problem = _record_problem(_decode(data[bad_at + 1 : nl]))
            raise InputError(
                problem or "a record line that htslib cannot read (CHROM, POS, ... expected)",
                path=path,
                line=lineno,
                patient=patient,
            )
        lineno, cursor = first_line, 0
        order = sorted(picked)
        numbers = whole.line_indexes(order) if whole is not None else None
        for k, off in enumerate(order):
            if numbers is not None:
                lineno = first_line + int(numbers[k])
            else:
                lineno += data.count(b"\n", cursor, off)
                cursor = off
            record = data[off + 1 : data.index(b"\n", off + 1)]
            if (problem := field_problem(record)) is not None:
                raise InputError(problem, path=path, line=lineno, patient=patient)
            scan.selected.append((lineno, record))
            if off in marks:
                scan.marked.add(lineno)
        done_lines += index - scan.records
        scan.records = index
    if scan is None:
        header.finish()
    return scan


def check_vcf_text(path: str, *, patient: str | None = None) -> None:
    """Check a text VCF (plain or bgzip) before htslib reads it.

    Errors (:class:`InputError` naming the file, the line and the problem): a truncated or
    corrupt gzip/bgzip stream; a first line that is not ``##fileformat=VCF...``; a header line
    that starts with a single ``#`` but is not the ``#CHROM`` line; a ``#CHROM`` line whose
    first eight columns are not ``#CHROM POS ID REF ALT QUAL FILTER INFO``; a missing ``#CHROM``
    line; a record with fewer than eight tab-separated fields or a POS that is not a positive
    integer; a record on a contig that the header's ``##contig`` lines do not declare (when they
    declare any) and that is not a primary chromosome (1-22, X, Y, M/MT, with or without
    ``chr``).

    Records out of order (a position below the previous one on the same contig, or a contig
    resumed after another) are accepted with one logged warning naming the line: each record is
    read on its own, so the order does not change the result. A header-only VCF is valid (zero
    variants). BCF files are left to htslib. The work is done by :func:`scan_vcf_text`.
    """
    scan_vcf_text(path, patient=patient)


@per_file_state(maxsize=16)
def vcf_header_text(path: str | Path, *, patient: str | None = None) -> str:
    """The ``##`` meta lines of a (plain, gzip or bgzip) VCF, as text (remembered per file
    state: :func:`armmatch.io.per_file_state`)."""
    lines = []
    with open_text(path, patient=patient, errors="replace") as fh:  # as the text pass decodes
        for line in fh:
            if not line.startswith("##"):
                break
            lines.append(line)
    return "".join(lines)


@dataclass(frozen=True)
class VcfKinds:
    """What the first records of a VCF are: small variants or structural variants."""

    records: int
    """Records looked at (at most the limit)."""
    structural: int
    """Of those, breakends (``N[chr2:100[``), symbolic alleles (``<DEL>``, ``<INV>``...) or
    records with an INFO ``SVTYPE``."""
    declares_sv: bool
    """The header declares INFO ``SVTYPE`` or symbolic ALT alleles other than gVCF's."""


_GVCF_ALTS = frozenset({"<NON_REF>", "<*>", "*"})


@per_file_state(maxsize=256)
def vcf_kinds(path: str | Path, *, limit: int = 2000, patient: str | None = None) -> VcfKinds:
    """Count the small and structural records among the first ``limit`` records of a (plain,
    gzip or bgzip) VCF, from its text only; a BCF or unreadable text gives zero records.

    Remembered per file state (:func:`armmatch.io.per_file_state`): a block job's preflight and
    its reader ask about the same file."""
    records = structural = 0
    declares = False
    try:
        with open_text(path, patient=patient, errors="replace") as fh:
            for line in fh:
                if line.startswith("##"):
                    declares = declares or line.startswith(("##INFO=<ID=SVTYPE,", "##ALT=<ID="))
                    continue
                if line.startswith("#") or not line.strip():
                    continue
                fields = line.rstrip("\n").split("\t")
                if len(fields) < 8:
                    continue
                records += 1
                alts = fields[4].split(",")
                sv = any(
                    ("[" in a or "]" in a or (a.startswith("<") and a not in _GVCF_ALTS))
                    for a in alts
                ) or any(kv.startswith("SVTYPE=") for kv in fields[7].split(";"))
                structural += sv
                if records >= limit:
                    break
    except (InputError, UnicodeDecodeError, OSError, EOFError):
        return VcfKinds(0, 0, declares)
    return VcfKinds(records, structural, declares)
