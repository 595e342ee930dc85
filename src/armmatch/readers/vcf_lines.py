"""The record lines of a large decompressed VCF piece, checked and located in one compiled pass.

:func:`scan_lines` is the whole-piece part of the text pass (:mod:`armmatch.readers.vcf_text`)
for whole genomes and exomes: one loop over the bytes, compiled by numba (``nogil``: it runs in
the bgzip worker threads beside the reader, :mod:`armmatch.readers.bgzf`), instead of about
sixty numpy passes over every line. Pieces below
:data:`armmatch.readers.vcf_text.VECTOR_MIN_PIECE_BYTES` (panels) never come here, so a panel
job neither imports numba nor compiles. The compiled code is cached (numba's ``cache``: beside
this module, or in the user's cache folder when that is read-only); the first use on a machine
compiles it, about a second.

Conventions: ``view`` is the piece as ``uint8``; ``view[0]`` is the newline before the first
line and the piece ends with a newline. Offsets are into ``view``; positions are ``pos1`` and
``start0``/``end0`` half-open (``POS - 1``, ``POS - 1 + len(REF)``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

Scanned = tuple[Any, Any, Any, Any, int, Any, Any, bool]


@cache
def _compiled() -> Callable[[Any], Scanned]:
    """:func:`_scan` compiled, on first use: numba's import and the cached machine code's load
    cost about 0.3 s, which a job reading only panel-sized VCFs never pays."""
    from numba import njit

    compiled: Callable[[Any], Scanned] = njit(nogil=True, cache=True, boundscheck=False)(_scan)
    return compiled


def _scan(view: Any) -> Scanned:
    """The pass itself (plain Python that numba compiles; see :func:`scan_lines`)."""
    n = view.size
    lines = 0
    for i in range(1, n):
        if view[i] == 10:
            lines += 1
    nl = np.empty(lines + 1, np.int64)
    start0 = np.empty(lines, np.int64)
    end0 = np.empty(lines, np.int64)
    pos = np.empty(lines, np.int64)
    has_end = np.zeros(lines, np.bool_)
    change = np.zeros(lines, np.bool_)
    nl[0] = 0
    bad = -1
    wide = False
    i = 1
    prev_start, prev_len = 0, -1
    for li in range(lines):
        line_start = i
        while view[i] != 9 and view[i] != 10:  # CHROM (may be empty)
            i += 1
        chrom_len = i - line_start
        if li > 0:
            if chrom_len != prev_len:
                change[li] = True
            else:
                for k in range(chrom_len):
                    if view[line_start + k] != view[prev_start + k]:
                        change[li] = True
                        break
        prev_start, prev_len = line_start, chrom_len
        ok = view[i] == 9
        p = 0
        ref = 0
        if ok:  # POS: digits, not all zeros
            i += 1
            width = 0
            while view[i] != 9 and view[i] != 10:
                digit = int(view[i]) - 48
                if digit < 0 or digit > 9:
                    ok = False
                elif width < 19:
                    p = p * 10 + digit
                width += 1
                i += 1
            if width > 18:
                wide = True
            if width == 0 or p == 0:
                ok = False
            field = 2  # ID, REF (not empty), ALT (not empty), QUAL, FILTER: each ended by a tab
            while ok and field < 7 and view[i] == 9:
                i += 1
                field_start = i
                while view[i] != 9 and view[i] != 10:
                    i += 1
                if field == 3:
                    ref = i - field_start
                    ok = ref > 0
                elif field == 4:
                    ok = i > field_start
                field += 1
            if field < 7 or view[i] != 9:
                ok = False
        while view[i] != 10:  # the rest of the line: an INFO END (after a tab or a semicolon)
            if (view[i] == 61 and i - line_start >= 4 and view[i - 1] == 68
                    and view[i - 2] == 78 and view[i - 3] == 69
                    and (view[i - 4] == 9 or view[i - 4] == 59)):  # fmt: skip
                has_end[li] = True
            i += 1
        nl[li + 1] = i
        pos[li] = p
        start0[li] = p - 1
        end0[li] = p - 1 + ref
        if not ok and bad < 0:
            bad = nl[li]
        i += 1
    return nl, start0, end0, pos, bad, has_end, change, wide


def scan_lines(data: bytes) -> tuple[Any, Any, Any, Any, int | None, list[int], list[int]] | None:
    """Every record line of ``data`` checked and located: ``(nl, start0, end0, pos, bad, ends,
    changes)``.

    ``nl``: the offset of each line's newline before it, and the last newline; ``start0``,
    ``end0``, ``pos`` of each line; ``bad``: the newline before the first line the text pass's
    expression (:data:`armmatch.readers.vcf_text._BAD_RECORD`) rejects (CHROM, then a POS of
    digits not all zeros, ID, a non-empty REF and ALT, QUAL, FILTER, each ended by a tab), or
    None; ``ends``: the newlines before the lines with an INFO ``END`` (``END=`` after a tab
    or a semicolon, as :func:`armmatch.readers.vcf_text._end_lines` finds them); ``changes``:
    the lines whose CHROM differs from the line before's. None when a POS has more than 18
    digits (beyond int64: left to the expression).
    """
    found = _compiled()(np.frombuffer(data, np.uint8))
    nl, start0, end0, pos, bad, has_end, change, wide = found
    if wide:
        return None
    ends = nl[:-1][has_end].tolist()
    changes = np.flatnonzero(change).tolist()
    return nl, start0, end0, pos, (int(bad) if bad >= 0 else None), ends, changes
