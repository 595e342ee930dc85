"""VEP's ``CSQ`` INFO field: the header's field list and one entry per transcript."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CsqEntry:
    """One VEP consequence block, as a field-name -> value mapping."""

    fields: Mapping[str, str]

    def get(self, key: str) -> str:
        return self.fields.get(key, "") or ""


def csq_fields_from_header(raw_header: str) -> list[str] | None:
    """The ``|``-separated field names declared by ``##INFO=<ID=CSQ,...Format: ...>``."""
    for line in raw_header.splitlines():
        if line.startswith("##INFO=<ID=CSQ,"):
            m = re.search(r"Format:\s*([^\">]+)", line)
            if m:
                return [f.strip() for f in m.group(1).strip().split("|")]
    return None


def vep_alleles(ref: str, alts: Sequence[str]) -> list[str]:
    """VEP's allele strings for each ALT (VEP drops a first base shared by REF and every ALT).

    Examples
    --------
    >>> vep_alleles("ACT", ["A"])
    ['-']
    >>> vep_alleles("G", ["GG"])
    ['G']
    >>> vep_alleles("A", ["T"])
    ['T']
    """
    alleles = [ref, *alts]
    if len({a[0] for a in alleles}) == 1 and any(len(a) != len(ref) for a in alts):
        return [a[1:] or "-" for a in alts]
    return list(alts)


def parse_csq(value: str, names: Sequence[str]) -> list[CsqEntry]:
    """Split a ``CSQ`` INFO value into entries (field count must match the header)."""
    entries = []
    for block in value.split(","):
        parts = block.split("|")
        if len(parts) != len(names):
            raise ValueError(f"CSQ entry has {len(parts)} fields, the header declares {len(names)}")
        entries.append(CsqEntry(dict(zip(names, parts, strict=True))))
    return entries
