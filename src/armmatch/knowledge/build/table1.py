"""Building Table 1's resources from the protocol text (build time only).

The protocol (NCT04423185) defines a rare solid tumour by ICD-10 code; this module parses the
printed Table 1, applies the documented corrections (:data:`TABLE1_CORRECTIONS`) and writes
``resources/table1_rare_tumours.tsv`` and ``resources/rare_tumour_criteria.tsv``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from armmatch.errors import InputError
from armmatch.knowledge.icd10 import parse_icd10_set
from armmatch.knowledge.table1 import CRITERIA_COLUMNS, TABLE1_COLUMNS, CriterionCode, Table1Row

"""Closed interval of ICD-10 keys: ``Cnn`` is ``[nn*100, nn*100+99]``, ``Cnn.d`` a tenth of it."""


# --------------------------------------------------------------------------------------------
# Building the resources from the protocol text
# --------------------------------------------------------------------------------------------

PROTOCOL_NAME: Final = "000_2bfba5696039a598.txt"
TRIAL_ID: Final = "NCT04423185"


@dataclass(frozen=True)
class Table1Correction:
    """An explicit fix for a place where the PDF text is too broken to parse.

    Attributes
    ----------
    line
        1-based line in the protocol text. For ``icd10`` fixes, the line where the row starts.
    kind
        ``"skip"``: the line is body text that the PDF interleaved with the table;
        ``"line"``: the line's text is replaced by ``corrected`` before parsing;
        ``"icd10"``: the row's ICD cell (``printed``, as joined) is normalised to ``corrected``.
    printed
        The text as printed (the build fails if the protocol text differs).
    corrected
        The replacement (empty for ``skip``).
    reason
        What was fixed and why.
    """

    line: int
    kind: Literal["skip", "line", "icd10"]
    printed: str
    corrected: str
    reason: str


_ALL_EXCEPT_NERVES: Final = (
    "All cancers sites, except CNS and Autonomic Nervous System and peripheral nerves"
)
_SKIN_NET: Final = "C44.0\u2013C44.9, CC51.0\u2013C51.9, C60.0,C60.9 C63.2"
_SKIN_NET_CODES: Final = "C44.0-C44.9;C51.0-C51.9;C60.0;C60.9;C63.2"
_SKIN_NET_WHY: Final = (
    "'CC51.0' is a typo for C51.0 (vulva), and a comma is missing between C60.9 and C63.2; "
    "'C60.0,C60.9' is kept as the two printed codes"
)

# General rule, not listed below: the printed cells abbreviate codes with one digit ("C7, C8",
# criterion 1's "C3"), which the parser reads as C07, C08, C03 (ICD-10 codes have two digits).
TABLE1_CORRECTIONS: Final[tuple[Table1Correction, ...]] = (
    Table1Correction(
        217, "icd10", "CD30", "C30",
        "'CD30' is a typo for C30 (nasal cavity); the sibling rows below read 'C30, C31'",
    ),
    Table1Correction(
        219, "icd10", "CD31", "C31",
        "'CD31' is a typo for C31 (accessory sinuses); the sibling rows below read 'C30, C31'",
    ),
    Table1Correction(
        386, "icd10", "", "C73",
        "the ICD cell of 'Medullary thyroid carcinoma' is blank in the text (the next line is the "
        "'2. Digestive system tumours' heading); C73 (thyroid) supplied so the row can match - the "
        "table's neuroendocrine rows exclude C73 for the same reason",
    ),
    Table1Correction(
        1122, "icd10", _ALL_EXCEPT_NERVES, "ALL_EXCEPT:C47;C70-C72",
        "the exclusion is printed in words: CNS = C70-C72, autonomic nervous system and "
        "peripheral nerves = C47",
    ),
    Table1Correction(
        1131, "icd10", _ALL_EXCEPT_NERVES, "ALL_EXCEPT:C47;C70-C72",
        "the exclusion is printed in words: CNS = C70-C72, autonomic nervous system and "
        "peripheral nerves = C47",
    ),
    Table1Correction(1173, "icd10", _SKIN_NET, _SKIN_NET_CODES, _SKIN_NET_WHY),
    Table1Correction(1180, "icd10", _SKIN_NET, _SKIN_NET_CODES, _SKIN_NET_WHY),
    Table1Correction(
        1468, "icd10", "64.9", "C64.9", "the leading 'C' of C64.9 (kidney) is missing",
    ),
    Table1Correction(
        1470, "icd10", "64.9", "C64.9", "the leading 'C' of C64.9 (kidney) is missing",
    ),
    Table1Correction(
        1613, "skip",
        "tissue Ewing\u2019s sarcoma and soft- tissue sarcoma), seven", "",
        "body text of the next page interleaved with the table at a page break",
    ),
    Table1Correction(
        1614, "skip", "rare tumours with second- line recommended regimens,", "",
        "body text of the next page interleaved with the table at a page break",
    ),
    Table1Correction(
        1615, "skip", "and only two rare tumours with third- line recommended", "",
        "body text of the next page interleaved with the table at a page break",
    ),
    Table1Correction(
        1642, "icd10", "C71,", "C71;C72",
        "the cell ends in a dangling comma; every other tier-3 row of 'Astrocytic tumours of "
        "the CNS' (C71, C72) reads 'C71, C72', so the lost code is taken to be C72",
    ),
    Table1Correction(
        1777, "line", "1 12. Cancer of unknown primary origin",
        "12. Cancer of unknown primary origin",
        "a stray tier number '1' precedes the system heading '12. Cancer of unknown primary "
        "origin'",
    ),
)  # fmt: skip

_NOISE_LINES: Final = frozenset(
    {"Continued", "Table 1 Continued", "Tier System Tumour types ICD code"}
)
_TABLE_TITLE: Final = "Table 1 Rare tumour types"
_HEADING_RE: Final = re.compile(r"(\d{1,2})\.\s+(\S.*)")
_ROW_RE: Final = re.compile(r"([123])\s+(\S.*)")
# Where the ICD cell starts on a row's first line: a code (including the misprints CD30, CC51.0,
# 64.9) or "All ... sites".
_CELL_START_RE: Final = re.compile(r"\s(?=(?:CC?D?\d{1,2}\b|CC?\d{2}\.\d|\d{2}\.\d|All\s))")
_PRINTED_ITEM_RE: Final = re.compile(r"C(\d{1,2}(?:\.\d{1,2})?)(?:-C?(\d{1,2}(?:\.\d{1,2})?))?")


@dataclass(frozen=True)
class _PrintedRow:
    """A Table 1 row as read from the text, before ids, parents and normalised codes."""

    line: int
    system_number: int
    system: str
    tier: int
    tumour_type: str
    icd10_printed: str


def _join_wrapped(lines: Sequence[str], *, cell: bool = False) -> str:
    """Join a wrapped cell: no space after a trailing '/' (or a dash in an ICD cell).

    Word splits the PDF wrote as ``salivary- gland- type`` become ``salivary-gland-type``.
    """
    text = ""
    for line in lines:
        piece = line.strip()
        glue = "" if not text or text.endswith("/") or (cell and text[-1] in "-\u2013") else " "
        text = f"{text}{glue}{piece}"
    if not cell:
        text = re.sub(r"(?<=\w)- (?=\w)", "-", text)
    return " ".join(text.split())


def _pad_code(code: str) -> str:
    """``"7"`` -> ``"C07"``, ``"40.0"`` -> ``"C40.0"`` (one-digit codes are zero-padded)."""
    head, dot, sub = code.partition(".")
    return f"C{int(head):02d}{dot}{sub}"


def _printed_items(text: str) -> list[str]:
    """Normalised items of a printed list such as ``C00-C06, C09-C14 and C30``."""
    items: list[str] = []
    for token in re.split(r",|\s+and\s+", text):
        match = _PRINTED_ITEM_RE.fullmatch(token.strip())
        if match is None:
            raise ValueError(f"cannot read {token.strip()!r} as an ICD-10 code or range")
        first = _pad_code(match.group(1))
        items.append(first if match.group(2) is None else f"{first}-{_pad_code(match.group(2))}")
    return items


def normalise_printed_icd10(printed: str) -> str:
    """Normalise an ICD cell as printed in Table 1.

    Parameters
    ----------
    printed
        e.g. ``"C00–C06, C09– C14, C30"``, ``"C7, C8"``, ``"C40–41"``, ``"All sites"`` or
        ``"All cancer sites except C15- C26, C34"``.

    Returns
    -------
    str
        The normalised set (see :func:`parse_icd10_set`).

    Raises
    ------
    ValueError
        If the cell is blank or an item cannot be read as a code or range.

    Examples
    --------
    >>> normalise_printed_icd10("C00\u2013C06, C09\u2013C14, C30")
    'C00-C06;C09-C14;C30'
    >>> normalise_printed_icd10("All cancers sites except C40.0\u2013C41.9, C56 and C62")
    'ALL_EXCEPT:C40.0-C41.9;C56;C62'
    """
    text = re.sub(r"\s*[-\u2013\u2014]\s*", "-", printed)
    text = " ".join(text.split())
    if not text:
        raise ValueError("no ICD code is printed")
    every = re.fullmatch(r"All (?:cancers? )?sites(?:,? except (.+))?", text)
    if every is not None:
        if every.group(1) is None:
            return "ALL"
        normalised = "ALL_EXCEPT:" + ";".join(_printed_items(every.group(1)))
    else:
        normalised = ";".join(_printed_items(text))
    parse_icd10_set(normalised)
    return normalised


def _table_bounds(lines: Sequence[str], source: str) -> tuple[int, int]:
    """0-based index of the Table 1 title and of the footnote line that ends the table."""
    starts = [index for index, line in enumerate(lines) if line.strip() == _TABLE_TITLE]
    if not starts:
        raise InputError(f"no line reads {_TABLE_TITLE!r}", path=source)
    start = starts[0]
    for index in range(start + 1, len(lines)):
        if lines[index].startswith("*"):
            return start, index
    raise InputError("the footnote ('*...') that ends Table 1 was not found", path=source)


def _prepared_lines(lines: Sequence[str], source: str) -> list[tuple[int, str]]:
    """The table's lines as ``(line number, stripped text)`` with skips and line fixes applied."""
    start, end = _table_bounds(lines, source)
    fixes = {fix.line: fix for fix in TABLE1_CORRECTIONS if fix.kind in ("skip", "line")}
    prepared: list[tuple[int, str]] = []
    for index in range(start + 1, end):
        number, text = index + 1, lines[index].strip()
        fix = fixes.get(number)
        if fix is not None:
            if text != fix.printed:
                raise InputError(
                    f"correction expects {fix.printed!r} here, the text reads {text!r}",
                    path=source,
                    line=number,
                )
            if fix.kind == "skip":
                continue
            text = fix.corrected
        if text not in _NOISE_LINES:
            prepared.append((number, text))
    return prepared


def _blocks(prepared: Sequence[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Group lines into blocks separated by blank lines."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, text in prepared:
        if text:
            current.append((number, text))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _parse_table1_text(text: str, *, source: str = PROTOCOL_NAME) -> list[_PrintedRow]:
    """Read the rows of Table 1 from the protocol text, in printed order.

    A block (lines up to a blank line) is a system heading (``N. System``), a row (``tier name``,
    optionally followed by the ICD cell on the same line and wrapped cell lines), or the ICD cell
    of the preceding row whose name filled its own block.

    Raises
    ------
    InputError
        With the protocol line, for text the layout rules cannot place.
    """
    rows: list[_PrintedRow] = []
    system: tuple[int, str] | None = None
    pending: tuple[int, int, str, list[str]] | None = None  # line, tier, name, cell lines

    def flush() -> None:
        nonlocal pending
        if pending is not None:
            assert system is not None
            line, tier, name, cell = pending
            rows.append(
                _PrintedRow(line, system[0], system[1], tier, name, _join_wrapped(cell, cell=True))
            )
            pending = None

    for block in _blocks(_prepared_lines(text.splitlines(), source)):
        first_line, first = block[0]
        heading = _HEADING_RE.fullmatch(first)
        row = _ROW_RE.fullmatch(first)
        if heading is not None:
            flush()
            names = [heading.group(2)] + [text for _, text in block[1:]]
            system = (int(heading.group(1)), _join_wrapped(names))
        elif row is not None:
            flush()
            if system is None:
                raise InputError(
                    "a table row comes before any system heading", path=source, line=first_line
                )
            body = row.group(2)
            split = _CELL_START_RE.search(body)
            if split is None:
                name_lines, cell = [body] + [text for _, text in block[1:]], []
            else:
                name_lines = [body[: split.start()]]
                cell = [body[split.end() :]] + [text for _, text in block[1:]]
            pending = (first_line, int(row.group(1)), _join_wrapped(name_lines), cell)
            if split is not None:
                flush()
        elif pending is not None and not pending[3]:
            pending[3].extend(text for _, text in block)
            flush()
        else:
            raise InputError(
                f"cannot place {first!r}: not a system heading, a row or an ICD cell",
                path=source,
                line=first_line,
            )
    flush()
    return rows


def _parents(rows: Sequence[_PrintedRow]) -> list[int | None]:
    """Index of each row's parent: the nearest row above of lower tier in the same system.

    This follows the printed order only. The table sometimes lists a row after a heading for
    another site (the rectum rows, C20, follow "Variants of squamous cell carcinoma of the small
    intestine", C17), so a parent says where a row is printed, not which sites it covers. Rows
    before any lower-tier row of their system (a system that starts at tier 2 or 3) get none.
    """
    parents: list[int | None] = []
    for index, row in enumerate(rows):
        parent: int | None = None
        for above in range(index - 1, -1, -1):
            if rows[above].system_number != row.system_number:
                break
            if rows[above].tier < row.tier:
                parent = above
                break
        parents.append(parent)
    return parents


def _normalised_codes(rows: Sequence[_PrintedRow], source: str) -> list[str]:
    """The ``icd10`` value of each row, applying the ``icd10`` corrections."""
    fixes = {fix.line: fix for fix in TABLE1_CORRECTIONS if fix.kind == "icd10"}
    used: set[int] = set()
    codes: list[str] = []
    for row in rows:
        fix = fixes.get(row.line)
        if fix is not None:
            if row.icd10_printed != fix.printed:
                raise InputError(
                    f"correction expects the ICD cell {fix.printed!r}, the text reads "
                    f"{row.icd10_printed!r}",
                    path=source,
                    line=row.line,
                )
            parse_icd10_set(fix.corrected)
            codes.append(fix.corrected)
            used.add(row.line)
            continue
        try:
            codes.append(normalise_printed_icd10(row.icd10_printed))
        except ValueError as error:
            raise InputError(
                f"ICD cell {row.icd10_printed!r} of {row.tumour_type!r}: {error}; add a "
                "correction to TABLE1_CORRECTIONS",
                path=source,
                line=row.line,
            ) from None
    stale = sorted(set(fixes) - used)
    if stale:
        raise InputError(f"corrections for lines {stale} match no table row", path=source)
    return codes


def build_table1_rows(text: str, *, source: str = PROTOCOL_NAME) -> list[Table1Row]:
    """Parse Table 1 from the protocol text into :class:`Table1Row` objects.

    Parameters
    ----------
    text
        The protocol text.
    source
        The protocol's file name, for messages.

    Returns
    -------
    list of Table1Row
        Every printed row, in printed order, with ids ``T1-0001`` ... .

    Raises
    ------
    InputError
        When the text cannot be parsed or a correction does not match it.
    """
    printed = _parse_table1_text(text, source=source)
    codes = _normalised_codes(printed, source)
    parents = _parents(printed)
    return [
        Table1Row(
            row_id=f"T1-{index + 1:04d}",
            system_number=row.system_number,
            system=row.system,
            tier=row.tier,
            tumour_type=row.tumour_type,
            parent_row_id=None if parent is None else f"T1-{parent + 1:04d}",
            icd10_printed=row.icd10_printed,
            icd10=code,
            protocol_line=row.line,
        )
        for index, (row, code, parent) in enumerate(zip(printed, codes, parents, strict=True))
    ]


def rows_per_system(rows: Iterable[Table1Row]) -> dict[tuple[int, str], int]:
    """Count rows by ``(system_number, system)``, in order of first appearance."""
    counts: dict[tuple[int, str], int] = {}
    for row in rows:
        key = (row.system_number, row.system)
        counts[key] = counts.get(key, 0) + 1
    return counts


def build_table1_tsv(text: str, *, source: str = PROTOCOL_NAME) -> str:
    """Render ``resources/table1_rare_tumours.tsv`` from the protocol text (deterministic).

    Parameters
    ----------
    text
        The protocol text.
    source
        The protocol's file name, written in the header.

    Returns
    -------
    str
        The TSV, with ``# `` comment lines (source, generator, row counts, corrections) first.
    """
    rows = build_table1_rows(text, source=source)
    header = [
        f'# source: {source}, {TRIAL_ID}, "{_TABLE_TITLE}"',
        "# generated-by: scripts/build_table1.py (armmatch.tumour_types.build_table1_tsv); "
        "do not edit by hand",
        "# icd10: ';'-separated codes and ranges; ALL = all sites; ALL_EXCEPT:<list> = all sites "
        "except those; one-digit printed codes (C7) read as C07",
        f"# rows: {len(rows)}",
    ]
    header += [
        f"# rows in system {number} ({name}): {count}"
        for (number, name), count in rows_per_system(rows).items()
    ]
    header += [
        f"# correction, protocol line {fix.line} ({fix.kind}): {fix.reason}"
        for fix in TABLE1_CORRECTIONS
    ]
    lines = header + ["\t".join(TABLE1_COLUMNS)]
    for row in rows:
        fields = (
            row.row_id,
            str(row.system_number),
            row.system,
            str(row.tier),
            row.tumour_type,
            row.parent_row_id or "",
            row.icd10_printed,
            row.icd10,
            str(row.protocol_line),
        )
        lines.append("\t".join(fields))
    return "\n".join(lines) + "\n"


_CRITERIA_START: Final = "We then defined rare tumours"
_CRITERIA_END: Final = "The above definitions"


def build_criteria_codes(text: str, *, source: str = PROTOCOL_NAME) -> list[CriterionCode]:
    """Read the three rare-tumour criteria and their ICD codes from the protocol text.

    The numbered items after "We then defined rare tumours according to the following standards"
    (up to "The above definitions") are the criteria; every ``C<digits>`` in an item is one of its
    codes, one-digit codes (``C3``) read as ``C03``.

    Raises
    ------
    InputError
        If the section is missing, an item has no code or a code is in two criteria.
    """
    lines = text.splitlines()
    starts = [index for index, line in enumerate(lines) if _CRITERIA_START in line]
    if not starts:
        raise InputError(f"no line contains {_CRITERIA_START!r}", path=source)
    items: list[list[tuple[int, str]]] = []
    for index in range(starts[0] + 1, len(lines)):
        line = lines[index].strip()
        if line.startswith(_CRITERIA_END):
            break
        if re.match(r"[123]\. ", line):
            items.append([])
        if items and line:
            items[-1].append((index + 1, line))
    codes: list[CriterionCode] = []
    seen: dict[str, int] = {}
    for criterion, item in enumerate(items, start=1):
        wording = re.sub(r"^[123]\.\s*", "", _join_prose([line for _, line in item]))
        found = [
            (number, token) for number, line in item for token in re.findall(r"\bC\d{1,2}\b", line)
        ]
        if not found:
            raise InputError(
                f"criterion {criterion} lists no ICD code", path=source, line=item[0][0]
            )
        for number, token in found:
            code = _pad_code(token[1:])
            if code in seen:
                raise InputError(
                    f"{code} is in criteria {seen[code]} and {criterion}", path=source, line=number
                )
            seen[code] = criterion
            codes.append(CriterionCode(criterion, code, token, number, wording))
    if len(items) != 3:
        raise InputError(f"expected 3 criteria, found {len(items)}", path=source)
    return codes


def _join_prose(lines: Sequence[str]) -> str:
    """Join wrapped prose, mending words split at a line end (``classi-`` + ``fied``)."""
    text = ""
    for line in lines:
        if re.search(r"[a-z]-$", text) and line[:1].islower():
            text = text[:-1] + line
        else:
            text = f"{text} {line}" if text else line
    text = re.sub(r"(?<=\w)- (?=\w)", "-", text)
    return " ".join(text.split())


def build_criteria_tsv(text: str, *, source: str = PROTOCOL_NAME) -> str:
    """Render ``resources/rare_tumour_criteria.tsv`` from the protocol text (deterministic)."""
    codes = build_criteria_codes(text, source=source)
    counts = {number: sum(1 for c in codes if c.criterion == number) for number in (1, 2, 3)}
    lines = [
        f'# source: {source}, {TRIAL_ID}, "We then defined rare tumours according to the '
        'following standards"',
        "# generated-by: scripts/build_table1.py (armmatch.tumour_types.build_criteria_tsv); "
        "do not edit by hand",
        "# criterion 1: rare at any subtype; 2: rare only for a Table 1 subtype; "
        "3: unknown primary",
        f"# codes per criterion: 1: {counts[1]}, 2: {counts[2]}, 3: {counts[3]}",
        "\t".join(CRITERIA_COLUMNS),
    ]
    for code in codes:
        fields = (
            str(code.criterion),
            code.icd10,
            code.icd10_printed,
            str(code.protocol_line),
            code.wording,
        )
        lines.append("\t".join(fields))
    return "\n".join(lines) + "\n"
