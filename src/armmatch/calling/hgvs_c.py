"""HGVS c. names read back into genomic alleles on a bundled transcript model.

``c.181T>G``, ``c.68_69del``, ``c.5266dup``, ``c.4096+1G>A``, ``c.-19-2A>G``: the position
(exonic, intronic offset, 5' or 3' UTR) is placed on the model's exons, the bases come from a
:class:`~armmatch.calling.reference.SequenceSource`; the result is a VCF-style
``(pos1, ref, alt)``. Used where only a name is given (a classification source, a record
without coordinates). Pure functions.
"""

from __future__ import annotations

import re
from functools import lru_cache

from armmatch.calling.alleles import revcomp
from armmatch.calling.reference import SequenceSource
from armmatch.knowledge.transcripts import GeneModel

# ---------------------------------------------------------------------------------------------

_POS = r"[-*]?\d+(?:[+-]\d+)?"
_C = re.compile(
    rf"^c\.(?P<a>{_POS})(?:_(?P<b>{_POS}))?"
    r"(?:(?P<ref>[ACGT])>(?P<alt>[ACGT])|(?P<kind>delins|del|dup|ins)(?P<seq>[ACGT]*|\d+)"
    r"(?:ins(?P<seq2>[ACGT]+))?)$"
)


@lru_cache(maxsize=64)
def transcript_positions(model: GeneModel) -> tuple[list[int], int]:
    """Every exonic base (pos1) in transcript order, and the index of c.1."""
    bases: list[int] = []
    for exon in model.exons:  # transcript order
        run = range(exon.start0 + 1, exon.end + 1)
        bases.extend(run if model.strand == "+" else reversed(run))
    first = model.cds_start0 + 1 if model.strand == "+" else model.cds_end
    return bases, bases.index(first)


def c_position(model: GeneModel, text: str) -> int | None:
    """The genomic pos1 of an HGVS c. position (``123``, ``-19``, ``*5``, ``548-2``, ``4096+1``)."""
    m = re.fullmatch(r"([-*]?)(\d+)(?:([+-])(\d+))?", text)
    if not m:
        return None
    bases, c1 = transcript_positions(model)
    n = int(m.group(2))
    if m.group(1) == "-":
        i = c1 - n
    elif m.group(1) == "*":
        i = c1 + model.cds_length - 1 + n
    else:
        i = c1 + n - 1
    if not 0 <= i < len(bases):
        return None
    pos = bases[i]
    if m.group(3):
        step = int(m.group(4)) * (1 if m.group(3) == "+" else -1)
        pos += step if model.strand == "+" else -step
    return pos


def allele_from_c(model: GeneModel, seq: SequenceSource, hgvsc: str) -> tuple[int, str, str] | None:
    """The VCF-style ``(pos1, ref, alt)`` on the model's build of an HGVS c. change, or None
    when the name is not a plain substitution/del/dup/ins/delins or disagrees with the sequence."""
    m = _C.match(hgvsc)
    if not m:
        return None
    a = c_position(model, m.group("a"))
    b = c_position(model, m.group("b")) if m.group("b") else a
    if a is None or b is None:
        return None
    lo, hi = min(a, b), max(a, b)
    plus = model.strand == "+"

    def fetch(lo1: int, hi1: int) -> str:
        return seq.fetch(model.chrom, lo1 - 1, hi1)

    try:
        if m.group("ref"):
            ref = fetch(lo, lo)
            want = m.group("ref") if plus else revcomp(m.group("ref"))
            if ref != want:
                return None
            return lo, ref, m.group("alt") if plus else revcomp(m.group("alt"))
        kind, given = m.group("kind"), m.group("seq")
        if kind == "del" and m.group("seq2"):
            kind, given = "delins", m.group("seq2")
        if kind == "del":
            span = fetch(lo, hi)
            if given and not given.isdigit() and (given if plus else revcomp(given)) != span:
                return None
            if given.isdigit() and int(given) != len(span):
                return None
            anchor = fetch(lo - 1, lo - 1)
            return lo - 1, anchor + span, anchor
        if kind == "dup":
            span = fetch(lo, hi)
            if given and (given if plus else revcomp(given)) != span:
                return None
            anchor = fetch(lo - 1, lo - 1)
            return lo - 1, anchor, anchor + span
        if kind == "ins":
            if hi - lo != 1 or not given or given.isdigit():
                return None
            anchor = fetch(lo, lo)
            return lo, anchor, anchor + (given if plus else revcomp(given))
        if kind == "delins":
            if not given or given.isdigit():
                return None
            return lo, fetch(lo, hi), given if plus else revcomp(given)
    except KeyError:
        return None
    return None
