"""The bundled hotspot table (``resources/hotspots.tsv``): hotspot substitutions by coding change."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from armmatch.errors import ConfigError
from armmatch.paths import HOTSPOTS

# ---------------------------------------------------------------------------------------------
# Hotspot table
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hotspot:
    """One row of the hotspot table: a coding change and the protein change it makes."""

    gene: str
    protein: str
    c_start: int
    c_end: int
    ref: str
    """Reference bases on the coding strand ("" when the c. change does not state them)."""
    alt: str
    c_change: str
    source: str


def parse_c_change(text: str) -> tuple[int, int, str, str]:
    """``c.2573T>G`` -> (2573, 2573, 'T', 'G'); ``c.1798_1799delinsAA`` -> (1798, 1799, '', 'AA').

    Raises
    ------
    ValueError
        For anything other than a coding substitution or delins.
    """

    m = re.fullmatch(r"c\.(\d+)([ACGT])>([ACGT])", text)
    if m:
        pos = int(m.group(1))
        return pos, pos, m.group(2), m.group(3)
    m = re.fullmatch(r"c\.(\d+)_(\d+)delins([ACGT]+)", text)
    if m:
        return int(m.group(1)), int(m.group(2)), "", m.group(3)
    raise ValueError(f"unsupported c. change {text!r} (use c.NX>Y or c.N_Mdelins...)")


HOTSPOT_COLUMNS = ("gene", "protein", "c_change", "source")


@cache
def load_hotspots(path: Path) -> dict[str, list[Hotspot]]:
    """Read ``hotspots.tsv`` (the bundled one or a custom copy) into ``{gene: [Hotspot, ...]}``;
    read once per process.

    Raises
    ------
    ConfigError
        On a missing column or a malformed row (naming the file and the line).
    """
    rows = [
        (n, line)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.strip() and not line.startswith("#")
    ]
    reader = csv.DictReader([line for _, line in rows], delimiter="\t")
    missing = [c for c in HOTSPOT_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise ConfigError(
            f"the hotspot table lacks column(s) {', '.join(missing)} (needs "
            f"{', '.join(HOTSPOT_COLUMNS)})",
            path=str(path),
            line=rows[0][0] if rows else None,
        )
    out: dict[str, list[Hotspot]] = {}
    for (n, _), row in zip(rows[1:], reader, strict=True):
        try:
            start, end, ref, alt = parse_c_change(row["c_change"] or "")
        except ValueError as exc:
            raise ConfigError(f"hotspot row: {exc}", path=str(path), line=n) from None
        out.setdefault(row["gene"], []).append(
            Hotspot(
                row["gene"], row["protein"], start, end, ref, alt, row["c_change"], row["source"]
            )
        )
    return out


def default_hotspots_path() -> Path:

    return HOTSPOTS
