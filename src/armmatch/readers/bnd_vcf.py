"""Breakend VCFs (Manta, DELLY, GRIDSS; FusionCatcher's VCF): records and their junctions.

Mates are paired by ``MATEID``, else by the mate position in the ALT bracket notation; symbolic
``<DEL>``, ``<DUP>`` and stated ``<INV>`` records are junctions too. Genes are named from the
junctions by :mod:`armmatch.calling.breakends`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from armmatch.errors import InputError
from armmatch.io import open_text

# --------------------------------------------------------------------------------------------
# Breakend VCFs
# --------------------------------------------------------------------------------------------

Side = Literal["left", "right"]

_BRACKET = re.compile(
    r"^(?P<pre>[A-Za-z.*]*)(?P<b1>[\[\]])(?P<chrom>[^:\[\]]+):(?P<pos>\d+)(?P<b2>[\[\]])"
    r"(?P<post>[A-Za-z.*]*)$"
)


@dataclass(frozen=True)
class Breakend:
    """One side of a junction: position (1-based) and the side of it that is kept."""

    chrom: str
    pos1: int
    kept: Side

    def text(self) -> str:
        """``chrom:pos`` (as the other readers' breakpoints)."""
        return f"{self.chrom}:{self.pos1}"


def parse_bnd_alt(alt: str) -> tuple[Side, Breakend] | None:
    """The local kept side and the mate breakend of a VCF breakend ALT (VCF 4.x section 5.4).

    ``t[p[``: local left kept, joined to the part right of ``p``; ``t]p]``: local left, mate
    left (reverse complemented); ``]p]t``: local right, mate left; ``[p[t``: local right, mate
    right. Returns None for an ALT that is not in bracket notation.

    Examples
    --------
    >>> parse_bnd_alt("N[4:1727977[")
    ('left', Breakend(chrom='4', pos1=1727977, kept='right'))
    >>> parse_bnd_alt("]11:94987872]T")
    ('right', Breakend(chrom='11', pos1=94987872, kept='left'))
    >>> parse_bnd_alt("<DEL>") is None
    True
    """
    m = _BRACKET.match(alt.strip())
    if m is None or m.group("b1") != m.group("b2") or bool(m.group("pre")) == bool(m.group("post")):
        return None
    local: Side = "left" if m.group("pre") else "right"
    mate: Side = "right" if m.group("b1") == "[" else "left"
    return local, Breakend(m.group("chrom"), int(m.group("pos")), mate)


@dataclass(frozen=True)
class _VcfRecord:
    line: int
    chrom: str
    pos1: int
    ident: str
    alt: str
    info: dict[str, str]


def _info(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in text.split(";"):
        if item:
            key, _, value = item.partition("=")
            out[key] = value
    return out


def read_bnd_records(path: str | Path, patient: str | None) -> list[_VcfRecord]:
    records: list[_VcfRecord] = []
    seen_header = False
    # replacement, as htslib reads a small-variant VCF: a byte that is not UTF-8 (a sample
    # name, a header line) does not stop the read of positions, ALTs and INFO
    with open_text(path, patient=patient, errors="replace") as fh:
        for number, raw in enumerate(fh, start=1):
            text = raw.rstrip("\r\n")
            if text.startswith("##") or not text.strip():
                continue
            if text.startswith("#"):
                seen_header = True
                continue
            fields = text.split("\t")
            if not seen_header or len(fields) < 8:
                raise InputError(
                    "not a VCF record (need the #CHROM header and 8 tab-separated fields)",
                    path=path,
                    line=number,
                    patient=patient,
                )
            if not fields[1].isdigit():
                raise InputError(
                    f"POS {fields[1]!r} is not a positive integer",
                    path=path,
                    line=number,
                    patient=patient,
                )
            records.append(
                _VcfRecord(
                    number, fields[0], int(fields[1]), fields[2], fields[4], _info(fields[7])
                )
            )
    if not seen_header:
        raise InputError("no #CHROM header line: not a VCF", path=path, patient=patient)
    return records


@dataclass(frozen=True)
class Junction:
    line: int
    a: Breakend
    b: Breakend
    info: dict[str, str]
    ids: tuple[str, str]


def symbolic_junction(
    svtype: str, chrom: str, pos1: int, info: Mapping[str, str]
) -> tuple[Breakend, Breakend] | None:
    """The two breakends of a symbolic ``<DEL>``, ``<DUP>`` or ``<INV>`` record, else None.

    ``DEL``: the bases up to ``POS`` join those after ``END``; ``DUP``: ``END`` joins back to
    ``POS``; ``INV``: only when the junction is stated (DELLY ``CT=3to3``/``5to5``, Manta
    ``INV3``/``INV5``), since an inversion has two junctions. Needs an integer INFO ``END``.

    Examples
    --------
    >>> symbolic_junction("DEL", "6", 100, {"END": "300"})
    (Breakend(chrom='6', pos1=100, kept='left'), Breakend(chrom='6', pos1=301, kept='right'))
    >>> symbolic_junction("INV", "2", 100, {"END": "300"}) is None
    True
    """
    end_text = info.get("END", "")
    if not end_text.isdigit():
        return None
    end = int(end_text)
    if svtype == "DEL":
        return Breakend(chrom, pos1, "left"), Breakend(chrom, end + 1, "right")
    if svtype == "DUP":
        return Breakend(chrom, end, "left"), Breakend(chrom, pos1, "right")
    if svtype == "INV" and (info.get("CT") == "3to3" or "INV3" in info):
        return Breakend(chrom, pos1, "left"), Breakend(chrom, end, "left")
    if svtype == "INV" and (info.get("CT") == "5to5" or "INV5" in info):
        return Breakend(chrom, pos1 + 1, "right"), Breakend(chrom, end + 1, "right")
    return None


def pair_junctions(
    records: Sequence[_VcfRecord], path: str | Path, patient: str | None
) -> list[Junction]:
    """Pair breakend records with their mates (by ``MATEID``, else the ALT's mate position)."""
    by_id = {r.ident: r for r in records if r.ident not in ("", ".")}
    done: set[int] = set()
    out: list[Junction] = []
    for rec in records:
        if rec.line in done:
            continue
        parsed = parse_bnd_alt(rec.alt.split(",")[0])
        if parsed is None:
            svtype = rec.alt.strip("<>").split(":")[0] if rec.alt.startswith("<") else ""
            pair = symbolic_junction(svtype, rec.chrom, rec.pos1, rec.info)
            if pair is not None:
                out.append(Junction(rec.line, pair[0], pair[1], rec.info, (rec.ident, "")))
            continue  # otherwise not a junction (SNV, indel, <INS>, unstated <INV>)
        local, mate = parsed
        done.add(rec.line)
        mate_rec = by_id.get(rec.info.get("MATEID", ""))
        if mate_rec is None:
            mate_rec = next(
                (
                    r
                    for r in records
                    if r.line not in done
                    and r.chrom == mate.chrom
                    and r.pos1 == mate.pos1
                    and (p := parse_bnd_alt(r.alt.split(",")[0])) is not None
                    and (p[1].chrom, p[1].pos1) == (rec.chrom, rec.pos1)
                ),
                None,
            )
        if mate_rec is not None:
            done.add(mate_rec.line)
        here = Breakend(rec.chrom, rec.pos1, local)
        mate_id = mate_rec.ident if mate_rec is not None else rec.info.get("MATEID", "")
        out.append(Junction(rec.line, here, mate, rec.info, (rec.ident, mate_id)))
    return out
