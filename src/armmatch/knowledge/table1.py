"""Table 1 of the PLATFORM protocol (``resources/table1_rare_tumours.tsv``) and the rare-tumour
criteria by code (``resources/rare_tumour_criteria.tsv``): their loaders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

from armmatch.errors import InputError
from armmatch.io import fixed_tsv_rows
from armmatch.knowledge.icd10 import Icd10Set, parse_icd10_set
from armmatch.paths import RARE_TUMOUR_CRITERIA, TABLE1

# --------------------------------------------------------------------------------------------
# The committed resources
# --------------------------------------------------------------------------------------------

TABLE1_COLUMNS: Final = (
    "row_id",
    "system_number",
    "system",
    "tier",
    "tumour_type",
    "parent_row_id",
    "icd10_printed",
    "icd10",
    "protocol_line",
)
CRITERIA_COLUMNS: Final = ("criterion", "icd10", "icd10_printed", "protocol_line", "wording")
_ROW_ID_RE: Final = re.compile(r"T1-\d{4}")


@dataclass(frozen=True)
class Table1Row:
    """One row of protocol Table 1.

    Attributes
    ----------
    row_id
        ``T1-0001`` ... in table order.
    system_number, system
        The organ system heading the row is under, e.g. ``1``, ``"Head and neck tumour"``.
    tier
        1, 2 or 3 (first, second, third pathological subtype level).
    tumour_type
        The tumour type as printed (PDF word splits joined).
    parent_row_id
        The nearest row of lower tier above it in the same system, or ``None`` (tier 1, or the
        printed table omits the parent).
    icd10_printed
        The ICD code cell as printed.
    icd10
        The normalised ICD-10 set (see :func:`parse_icd10_set`).
    protocol_line
        1-based line of the protocol text where the row starts.
    """

    row_id: str
    system_number: int
    system: str
    tier: int
    tumour_type: str
    parent_row_id: str | None
    icd10_printed: str
    icd10: str
    protocol_line: int

    @property
    def sites(self) -> Icd10Set:
        """The parsed :attr:`icd10` set."""
        return parse_icd10_set(self.icd10)

    def describe(self) -> str:
        """One-line description for messages: id, name, tier, system and printed ICD cell."""
        where = self.icd10_printed or f"none printed, read as {self.icd10}"
        return f"{self.row_id} '{self.tumour_type}' (tier {self.tier}, {self.system}; ICD {where})"


@dataclass(frozen=True)
class CriterionCode:
    """One ICD-10 code of one of the protocol's three rare-tumour criteria."""

    criterion: int
    icd10: str
    icd10_printed: str
    protocol_line: int
    wording: str


def default_table1_path() -> Path:
    """Path of the committed ``resources/table1_rare_tumours.tsv``."""
    return TABLE1


def default_criteria_path() -> Path:
    """Path of the committed ``resources/rare_tumour_criteria.tsv``."""
    return RARE_TUMOUR_CRITERIA


def _read_tsv(path: Path, columns: Sequence[str]) -> list[tuple[int, list[str]]]:
    """Data lines of a ``#``-commented TSV with a fixed header, as ``(line number, fields)``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror}", path=path) from None
    return fixed_tsv_rows(text, columns, path=path)


def _int_field(value: str, name: str, allowed: Iterable[int] | None, path: Path, line: int) -> int:
    """Parse an integer column, optionally restricted to ``allowed`` values."""
    valid = list(allowed) if allowed is not None else None
    if not value.isdigit() or (valid is not None and int(value) not in valid):
        expect = f"one of {valid}" if valid is not None else "a positive integer"
        raise InputError(f"{name} {value!r} is not {expect}", path=path, line=line)
    return int(value)


def _table1_row(fields: list[str], path: Path, line: int) -> Table1Row:
    """Build and check one :class:`Table1Row` from its TSV fields."""
    values = dict(zip(TABLE1_COLUMNS, fields, strict=True))
    for name in ("row_id", "parent_row_id"):
        if values[name] and _ROW_ID_RE.fullmatch(values[name]) is None:
            raise InputError(
                f"{name} {values[name]!r} is not of the form T1-0001", path=path, line=line
            )
    if not values["row_id"] or not values["system"] or not values["tumour_type"]:
        raise InputError("row_id, system and tumour_type must not be empty", path=path, line=line)
    try:
        parse_icd10_set(values["icd10"])
    except ValueError as error:
        raise InputError(f"icd10 {values['icd10']!r}: {error}", path=path, line=line) from None
    return Table1Row(
        row_id=values["row_id"],
        system_number=_int_field(values["system_number"], "system_number", None, path, line),
        system=values["system"],
        tier=_int_field(values["tier"], "tier", (1, 2, 3), path, line),
        tumour_type=values["tumour_type"],
        parent_row_id=values["parent_row_id"] or None,
        icd10_printed=values["icd10_printed"],
        icd10=values["icd10"],
        protocol_line=_int_field(values["protocol_line"], "protocol_line", None, path, line),
    )


def load_table1(path: str | Path | None = None) -> list[Table1Row]:
    """Load the Table 1 resource.

    Parameters
    ----------
    path
        The TSV (default: :func:`default_table1_path`).

    Returns
    -------
    list of Table1Row
        In table order.

    Raises
    ------
    InputError
        With the line number, for a wrong header, a wrong field count, a bad tier, row id or ICD
        set, a duplicate row id, or a parent that is not an earlier row of lower tier.
    """
    source = Path(path) if path is not None else default_table1_path()
    table: list[Table1Row] = []
    by_id: dict[str, Table1Row] = {}
    for line, fields in _read_tsv(source, TABLE1_COLUMNS):
        row = _table1_row(fields, source, line)
        if row.row_id in by_id:
            raise InputError(f"duplicate row_id {row.row_id!r}", path=source, line=line)
        parent = by_id.get(row.parent_row_id) if row.parent_row_id else None
        if row.parent_row_id and (parent is None or parent.tier >= row.tier):
            raise InputError(
                f"parent_row_id {row.parent_row_id!r} is not an earlier row of lower tier",
                path=source,
                line=line,
            )
        by_id[row.row_id] = row
        table.append(row)
    return table


def load_criteria(path: str | Path | None = None) -> list[CriterionCode]:
    """Load the protocol's rare-tumour criteria codes.

    Parameters
    ----------
    path
        The TSV (default: :func:`default_criteria_path`).

    Returns
    -------
    list of CriterionCode
        In protocol order.

    Raises
    ------
    InputError
        With the line number, for a bad criterion (not 1-3), a code that is not ``Cnn`` or a code
        listed twice.
    """
    source = Path(path) if path is not None else default_criteria_path()
    codes: list[CriterionCode] = []
    seen: set[str] = set()
    for line, fields in _read_tsv(source, CRITERIA_COLUMNS):
        values = dict(zip(CRITERIA_COLUMNS, fields, strict=True))
        code = values["icd10"]
        if re.fullmatch(r"C\d{2}", code) is None:
            raise InputError(
                f"icd10 {code!r} is not a three-character code such as C03", path=source, line=line
            )
        if code in seen:
            raise InputError(f"icd10 {code} is listed twice", path=source, line=line)
        seen.add(code)
        codes.append(
            CriterionCode(
                criterion=_int_field(values["criterion"], "criterion", (1, 2, 3), source, line),
                icd10=code,
                icd10_printed=values["icd10_printed"],
                protocol_line=_int_field(
                    values["protocol_line"], "protocol_line", None, source, line
                ),
                wording=values["wording"],
            )
        )
    return codes


def criteria_by_code(codes: Iterable[CriterionCode]) -> dict[str, int]:
    """Map each three-character code to its criterion number (1, 2 or 3)."""
    return {entry.icd10: entry.criterion for entry in codes}


@lru_cache(maxsize=1)
def default_criteria() -> Mapping[str, int]:
    """The criteria of the committed resource, as :func:`criteria_by_code` (read once)."""
    return criteria_by_code(load_criteria())
