"""Table 1 of the PLATFORM protocol ("Rare tumour types") and the rare-tumour decision.

The protocol (NCT04423185) defines a rare solid tumour by three criteria, by ICD-10 code:

1. codes whose tumours are rare at any subtype (annual incidence below 2.5 per 100 000);
2. common codes, where only the rare pathological subtypes listed in Table 1 qualify;
3. cancers of unknown primary (C76, C77, C80).

Two committed resources carry this as data, so a user's clone never needs the protocol file:

``resources/table1_rare_tumours.tsv``
    every row of Table 1 (system, tier, tumour type, the ICD codes as printed and normalised).
``resources/rare_tumour_criteria.tsv``
    the ICD codes of each criterion, with the protocol's wording.

Both are written by ``scripts/build_table1.py`` from the protocol's text with
:func:`build_table1_tsv` and :func:`build_criteria_tsv`. The text is a PDF extraction: page breaks
("Continued", "Table 1 Continued", repeated column headers), rows wrapped over several lines and a
few misprints. The parser handles the layout; the misprints it cannot read are fixed by the
explicit, line-cited :data:`TABLE1_CORRECTIONS`, and the build fails if a cell is unreadable and
uncorrected or if a correction no longer matches the text.

Normalised ICD-10 sets (the ``icd10`` column) are ``;``-separated codes and ranges
(``C00-C06;C09-C14;C30``), ``ALL`` (all sites) or ``ALL_EXCEPT:`` followed by such a list. A code
without a subsite (``C49``) stands for all its subsites, so it meets a row listing any of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final, Literal

from armmatch.errors import InputError
from armmatch.io import fixed_tsv_rows

# --------------------------------------------------------------------------------------------
# ICD-10 codes
# --------------------------------------------------------------------------------------------

_CODE_RE: Final = re.compile(r"C(\d{2})(?:\.(\d{1,2}))?")
_CODE_FORM: Final = (
    "expected 'C' and two digits, optionally followed by '.' and one or two digits "
    "(for example C49 or C49.2)"
)

Interval = tuple[int, int]
"""Closed interval of ICD-10 keys: ``Cnn`` is ``[nn*100, nn*100+99]``, ``Cnn.d`` a tenth of it."""


def parse_icd10(code: str) -> str:
    """Normalise one ICD-10 code of the form ``Cnn`` or ``Cnn.d`` / ``Cnn.dd``.

    Parameters
    ----------
    code
        The code; case and surrounding whitespace are ignored.

    Returns
    -------
    str
        The code in upper case, e.g. ``"C49.2"``.

    Raises
    ------
    ValueError
        If ``code`` is not of that form (e.g. ``"C492"``, ``"49.2"``, ``"C4"``).

    Examples
    --------
    >>> parse_icd10(" c49.2 ")
    'C49.2'
    >>> parse_icd10("C03")
    'C03'
    """
    text = code.strip().upper()
    if _CODE_RE.fullmatch(text) is None:
        raise ValueError(f"ICD-10 code {code!r} is not valid: {_CODE_FORM}")
    return text


def code_interval(code: str) -> Interval:
    """Return the closed interval of ICD-10 keys a code stands for.

    Parameters
    ----------
    code
        A code accepted by :func:`parse_icd10`.

    Returns
    -------
    tuple of int
        ``C49`` is ``(4900, 4999)``, ``C49.2`` is ``(4920, 4929)``, ``C49.25`` is ``(4925, 4925)``.

    Examples
    --------
    >>> code_interval("C49"), code_interval("C49.2"), code_interval("C49.25")
    ((4900, 4999), (4920, 4929), (4925, 4925))
    """
    match = _CODE_RE.fullmatch(parse_icd10(code))
    assert match is not None  # parse_icd10 checked the form
    base = int(match.group(1)) * 100
    sub = match.group(2)
    if sub is None:
        return base, base + 99
    if len(sub) == 1:
        return base + int(sub) * 10, base + int(sub) * 10 + 9
    return base + int(sub), base + int(sub)


def parse_tumour_type(value: str) -> tuple[str, str | None]:
    """Split a sample sheet ``tumour_type`` into ICD-10 code and pathological subtype.

    Parameters
    ----------
    value
        ``"C49"`` or ``"C49.2|Leiomyosarcoma"``: an ICD-10 code, optionally followed by ``|`` and
        the subtype as named in Table 1. A blank subtype (``"C34|"``) counts as none.

    Returns
    -------
    tuple
        ``(code, subtype)`` with the code normalised and the subtype stripped (or ``None``).

    Raises
    ------
    ValueError
        If the code is not valid or the value holds more than one ``|``.

    Examples
    --------
    >>> parse_tumour_type("c49.2 | Leiomyosarcoma")
    ('C49.2', 'Leiomyosarcoma')
    >>> parse_tumour_type("C34")
    ('C34', None)
    """
    code_text, _, subtype = value.partition("|")
    form = (
        "expected an ICD-10 code such as 'C49' or 'C49.2', optionally followed by '|' and the "
        "pathological subtype (for example 'C49.2|Leiomyosarcoma')"
    )
    if "|" in subtype:
        raise ValueError(f"tumour_type {value!r} has more than one '|': {form}")
    try:
        code = parse_icd10(code_text)
    except ValueError:
        raise ValueError(f"tumour_type {value!r} is not valid: {form}") from None
    return code, (subtype.strip() or None)


@dataclass(frozen=True)
class Icd10Set:
    """A set of ICD-10 sites: listed codes and ranges, or all sites minus listed exclusions.

    Attributes
    ----------
    all_sites
        True for ``ALL`` and ``ALL_EXCEPT:`` sets.
    ranges
        Listed intervals (empty for all-site sets).
    excluded
        Excluded intervals of an ``ALL_EXCEPT:`` set.
    """

    all_sites: bool
    ranges: tuple[Interval, ...]
    excluded: tuple[Interval, ...]

    def overlaps(self, code: str) -> bool:
        """Whether any part of ``code`` (all its subsites) lies in the set.

        Examples
        --------
        >>> parse_icd10_set("C00-C06;C30").overlaps("C05")
        True
        >>> parse_icd10_set("ALL_EXCEPT:C40.0-C41.9").overlaps("C40")
        False
        >>> parse_icd10_set("C49.1-C49.2").overlaps("C49")
        True
        """
        low, high = code_interval(code)
        if self.all_sites:
            return not _covered_by(low, high, self.excluded)
        return any(lo <= high and low <= hi for lo, hi in self.ranges)

    @property
    def names_sites(self) -> bool:
        """True when the set lists specific codes (not ``ALL``/``ALL_EXCEPT:``, not empty)."""
        return not self.all_sites and bool(self.ranges)


def _covered_by(low: int, high: int, intervals: Iterable[Interval]) -> bool:
    """Whether ``[low, high]`` lies entirely inside the union of ``intervals``."""
    reach = low - 1
    for lo, hi in sorted(intervals):
        if lo > reach + 1:
            break
        reach = max(reach, hi)
        if reach >= high:
            return True
    return reach >= high


def _parse_item(item: str) -> Interval:
    """Interval of one normalised item ``Cnn[.d]`` or ``Cnn[.d]-Cnn[.d]``."""
    first, sep, last = item.partition("-")
    for part in (first, last) if sep else (first,):
        if part != part.strip() or _CODE_RE.fullmatch(part) is None:
            raise ValueError(f"{item!r} is not an ICD-10 code or range ({_CODE_FORM})")
    low = code_interval(first)[0]
    high = code_interval(last if sep else first)[1]
    if low > high:
        raise ValueError(f"ICD-10 range {item!r} runs backwards")
    return low, high


@lru_cache(maxsize=1024)
def parse_icd10_set(text: str) -> Icd10Set:
    """Parse a normalised ICD-10 set (the ``icd10`` column of the Table 1 resource).

    Parameters
    ----------
    text
        ``""`` (no code), ``"ALL"``, ``"ALL_EXCEPT:<list>"`` or ``"<list>"``, where ``<list>`` is
        ``;``-separated codes and ranges such as ``C00-C06;C09-C14;C30;C63.2``.

    Returns
    -------
    Icd10Set

    Raises
    ------
    ValueError
        If an item is not a code (``Cnn``, ``Cnn.d``) or an ascending range of two codes.

    Examples
    --------
    >>> parse_icd10_set("ALL_EXCEPT:C56;C58").overlaps("C56.9")
    False
    """
    if text == "":
        return Icd10Set(all_sites=False, ranges=(), excluded=())
    if text == "ALL":
        return Icd10Set(all_sites=True, ranges=(), excluded=())
    if text.startswith("ALL_EXCEPT:"):
        items = text.removeprefix("ALL_EXCEPT:").split(";")
        return Icd10Set(all_sites=True, ranges=(), excluded=tuple(map(_parse_item, items)))
    return Icd10Set(all_sites=False, ranges=tuple(map(_parse_item, text.split(";"))), excluded=())


# Short site names for the 3-character codes, used only to make decision reasons readable.
_SITE_NAMES: Final[Mapping[str, str]] = {
    "C00": "lip", "C01": "base of tongue", "C02": "tongue", "C03": "gum", "C04": "floor of mouth",
    "C05": "palate", "C06": "mouth", "C07": "parotid gland", "C08": "major salivary glands",
    "C09": "tonsil", "C10": "oropharynx", "C11": "nasopharynx", "C12": "pyriform sinus",
    "C13": "hypopharynx", "C14": "lip, oral cavity and pharynx, other", "C15": "oesophagus",
    "C16": "stomach", "C17": "small intestine", "C18": "colon", "C19": "rectosigmoid junction",
    "C20": "rectum", "C21": "anus and anal canal", "C22": "liver and intrahepatic bile ducts",
    "C23": "gallbladder", "C24": "biliary tract, other", "C25": "pancreas",
    "C26": "digestive organs, other or ill-defined", "C30": "nasal cavity and middle ear",
    "C31": "accessory sinuses", "C32": "larynx", "C33": "trachea", "C34": "lung",
    "C37": "thymus", "C38": "heart, mediastinum and pleura",
    "C39": "respiratory and intrathoracic organs, other or ill-defined",
    "C40": "bone and articular cartilage of limbs", "C41": "bone and articular cartilage, other",
    "C42": "haematopoietic and reticuloendothelial system", "C43": "skin melanoma",
    "C44": "skin", "C45": "mesothelium", "C46": "Kaposi sarcoma",
    "C47": "peripheral nerves and autonomic nervous system",
    "C48": "retroperitoneum and peritoneum", "C49": "connective and soft tissue",
    "C50": "breast", "C51": "vulva", "C52": "vagina", "C53": "cervix uteri",
    "C54": "corpus uteri", "C55": "uterus, part unspecified", "C56": "ovary",
    "C57": "female genital organs, other", "C58": "placenta", "C60": "penis",
    "C61": "prostate", "C62": "testis", "C63": "male genital organs, other", "C64": "kidney",
    "C65": "renal pelvis", "C66": "ureter", "C67": "bladder", "C68": "urinary organs, other",
    "C69": "eye and adnexa", "C70": "meninges", "C71": "brain",
    "C72": "spinal cord, cranial nerves and other CNS", "C73": "thyroid", "C74": "adrenal gland",
    "C75": "endocrine glands, other", "C76": "ill-defined sites", "C77": "lymph nodes",
    "C80": "unknown primary site",
}  # fmt: skip


def _site_label(code: str) -> str:
    """``"C34 (lung)"``, or the bare code when no site name is known."""
    name = _SITE_NAMES.get(code[:3])
    return f"{code} ({name})" if name else code


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
    return Path(__file__).resolve().parents[2] / "resources" / "table1_rare_tumours.tsv"


def default_criteria_path() -> Path:
    """Path of the committed ``resources/rare_tumour_criteria.tsv``."""
    return Path(__file__).resolve().parents[2] / "resources" / "rare_tumour_criteria.tsv"


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


# --------------------------------------------------------------------------------------------
# The decision
# --------------------------------------------------------------------------------------------

_CRITERION_TEXT: Final[Mapping[int, str]] = {
    1: "a rare tumour site (protocol criterion 1: annual incidence below 2.5 per 100 000)",
    2: "a common tumour site (protocol criterion 2)",
    3: "a cancer of unknown primary (protocol criterion 3)",
}
_LIST_LIMIT: Final = 12


@dataclass(frozen=True)
class RareTumourDecision:
    """Whether a patient's tumour is rare under the protocol, and why.

    Attributes
    ----------
    rare
        True when the tumour qualifies as a rare tumour.
    criterion
        The protocol criterion (1, 2 or 3) of the ICD code, or ``None`` for a code in no
        criterion list.
    row
        The matched Table 1 row (for criterion 1 and 3 codes the best row for the code when one
        exists, preferring a subtype match), else ``None``.
    reason
        The decision in plain words for a tumour board.
    """

    rare: bool
    criterion: int | None
    row: Table1Row | None
    reason: str


def normalise_subtype(name: str) -> str:
    """Comparison key for subtype names.

    Case, runs of whitespace, hyphens (``-`` and typographic dashes), curly apostrophes and a
    trailing footnote mark (``*``, as in "Soft tissue sarcoma of the limbs*") do not count.

    Examples
    --------
    >>> normalise_subtype("Salivary- gland-TYPE  tumours")
    'salivary gland type tumours'
    >>> normalise_subtype("Soft tissue sarcoma of the limbs*")
    'soft tissue sarcoma of the limbs'
    """
    text = name.casefold().replace("\u2019", "'").rstrip().removesuffix("*")
    text = re.sub(r"[-\u2010\u2011\u2013\u2014]", " ", text)
    return " ".join(text.split())


def _subtype_matches(
    code: str, subtype: str, table: Sequence[Table1Row]
) -> list[tuple[Table1Row, bool]]:
    """Rows named ``subtype`` that cover ``code``, directly (True) or through a tier-2 parent."""
    key = normalise_subtype(subtype)
    by_id = {row.row_id: row for row in table}
    found: list[tuple[Table1Row, bool]] = []
    for row in table:
        if normalise_subtype(row.tumour_type) != key:
            continue
        if row.sites.overlaps(code):
            found.append((row, True))
            continue
        parent = by_id.get(row.parent_row_id) if row.parent_row_id else None
        if (
            row.tier == 3
            and parent is not None
            and parent.tier == 2
            and parent.sites.overlaps(code)
        ):
            found.append((row, False))
    return found


def _best_match(matches: Sequence[tuple[Table1Row, bool]]) -> Table1Row:
    """Prefer rows naming the site over all-site rows, then own codes over a parent's."""
    ranked = sorted(
        enumerate(matches),
        key=lambda item: (not item[1][0].sites.names_sites, not item[1][1], item[0]),
    )
    return ranked[0][1][0]


def _site_rows(code: str, table: Sequence[Table1Row]) -> list[Table1Row]:
    """Rows that name ``code``'s site explicitly (not through ALL/ALL_EXCEPT), in table order."""
    return [row for row in table if row.sites.names_sites and row.sites.overlaps(code)]


def _quote_list(names: Sequence[str]) -> str:
    """``'a'; 'b'; ... (and N more)`` without repeats, at most :data:`_LIST_LIMIT` names."""
    unique = list(dict.fromkeys(names))
    shown = "; ".join(f"'{name}'" for name in unique[:_LIST_LIMIT])
    more = len(unique) - _LIST_LIMIT
    return f"{shown} (and {more} more)" if more > 0 else shown


def _subtype_hint(code: str, table: Sequence[Table1Row]) -> str:
    """Sentence listing the rare subtypes Table 1 gives for ``code``."""
    named = [row.tumour_type for row in _site_rows(code, table)]
    anywhere = [row for row in table if row.sites.all_sites and row.sites.overlaps(code)]
    parts: list[str] = []
    if named:
        parts.append(f"Rare subtypes for {code} include: {_quote_list(named)}.")
    if anywhere:
        first_by_system: dict[str, str] = {}
        for row in anywhere:
            first_by_system.setdefault(row.system, row.tumour_type)
        examples = ", ".join(f"'{name}' ({system})" for system, name in first_by_system.items())
        count = len({normalise_subtype(row.tumour_type) for row in anywhere})
        parts.append(
            f"Also qualifying: {count} subtypes Table 1 lists for all sites, for example "
            f"{examples}."
        )
    return " ".join(parts) if parts else f"Table 1 lists no subtype for {code}."


def _elsewhere_hint(code: str, subtype: str, table: Sequence[Table1Row]) -> str:
    """Sentence saying where Table 1 does list ``subtype``, if anywhere."""
    key = normalise_subtype(subtype)
    sites = [row.icd10_printed for row in table if normalise_subtype(row.tumour_type) == key]
    if not sites:
        return f"'{subtype}' is not a tumour type of Table 1."
    return f"Table 1 lists '{subtype}' only for other sites ({_quote_list(sites)})."


def _rare_any_subtype(
    code: str, subtype: str | None, criterion: int, table: Sequence[Table1Row]
) -> RareTumourDecision:
    """Decision for a criterion-1 or criterion-3 code: rare whatever the subtype."""
    head = f"{_site_label(code)} is {_CRITERION_TEXT[criterion]}: rare at any subtype."
    matches = _subtype_matches(code, subtype, table) if subtype else []
    if matches:
        best = _best_match(matches)
        return RareTumourDecision(
            True, criterion, best, f"{head} Subtype '{subtype}' is Table 1 row {best.describe()}."
        )
    candidates = sorted(
        enumerate(_site_rows(code, table)), key=lambda item: (item[1].tier, item[0])
    )
    row = candidates[0][1] if candidates else None
    tail = (
        f" Subtype '{subtype}' is not named in Table 1 for {code}; none is needed."
        if subtype
        else ""
    )
    site = f" Table 1 row for the site: {row.describe()}." if row else ""
    return RareTumourDecision(True, criterion, row, f"{head}{tail}{site}")


def _rare_by_subtype(
    code: str, subtype: str | None, criterion: int | None, table: Sequence[Table1Row]
) -> RareTumourDecision:
    """Decision for a code that is rare only through a Table 1 subtype."""
    if criterion is not None:
        head = (
            f"{_site_label(code)} is {_CRITERION_TEXT[criterion]}: "
            "it needs a rare subtype from Table 1"
        )
    else:
        head = (
            f"{_site_label(code)} is in none of the protocol's three rare-tumour criteria: "
            "it is rare only with a subtype Table 1 lists for this site"
        )
    matches = _subtype_matches(code, subtype, table) if subtype else []
    if matches:
        row = _best_match(matches)
        return RareTumourDecision(
            True, criterion, row, f"{head}; '{subtype}' is one: Table 1 row {row.describe()}."
        )
    if subtype is None:
        missing = f", but the sample sheet gives no subtype (write it as '{code}|<subtype>')."
        return RareTumourDecision(
            False, criterion, None, f"{head}{missing} {_subtype_hint(code, table)}"
        )
    return RareTumourDecision(
        False,
        criterion,
        None,
        f"{head}; '{subtype}' is not one. {_elsewhere_hint(code, subtype, table)} "
        f"{_subtype_hint(code, table)}",
    )


def decide_rare_tumour(
    tumour_type: str,
    table: Sequence[Table1Row],
    *,
    criteria: Mapping[str, int] | None = None,
) -> RareTumourDecision:
    """Decide whether a tumour is rare under the protocol's definition.

    Rules, by the three-character ICD-10 code:

    * criterion 1 and 3 codes are rare at any subtype;
    * criterion 2 codes are rare only when the subtype (after ``|``) names a Table 1 row whose
      codes cover the code, or a tier-3 row whose tier-2 parent covers it;
    * a code in no criterion list is treated like criterion 2 (``criterion`` is ``None``): rare
      only with such a subtype. Table 1 names several such sites (C00-C06, C09-C14, C32, C53, C66,
      C73 ...) but only for specific subtypes, and its all-site rows (soft tissue sarcomas, germ
      cell and neuroendocrine tumours) cover every code, so a site match alone cannot be enough.

    Subtype names compare as :func:`normalise_subtype` keys (case, spacing, hyphens and footnote
    marks do not count); a code without a subsite meets a row listing any of its subsites.

    Parameters
    ----------
    tumour_type
        The sample sheet value, ``"C34"`` or ``"C34|Sarcomatoid carcinoma of the lung"``.
    table
        The Table 1 rows (:func:`load_table1`).
    criteria
        Code to criterion map (default: the committed resource, :func:`default_criteria`).

    Returns
    -------
    RareTumourDecision

    Raises
    ------
    ValueError
        If ``tumour_type`` is malformed (see :func:`parse_tumour_type`).
    """
    code, subtype = parse_tumour_type(tumour_type)
    lookup = default_criteria() if criteria is None else criteria
    criterion = lookup.get(code[:3])
    if criterion in (1, 3):
        return _rare_any_subtype(code, subtype, criterion, table)
    return _rare_by_subtype(code, subtype, criterion, table)


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
