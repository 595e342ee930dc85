"""The rare-tumour decision (protocol Table 1) for a sheet's ``tumour_type``.

A code rare at any subtype qualifies; a common code qualifies only with a rare pathological
subtype listed in Table 1; cancers of unknown primary qualify. The decision names the Table 1
row, or says why not and what was close.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from armmatch.knowledge.icd10 import parse_tumour_type, site_label
from armmatch.knowledge.table1 import Table1Row, default_criteria

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


@lru_cache(maxsize=8192)
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


_INDEXES: dict[
    int, tuple[Sequence[Table1Row], dict[str, list[Table1Row]], dict[str, Table1Row]]
] = {}


def _table_index(
    table: Sequence[Table1Row],
) -> tuple[dict[str, list[Table1Row]], dict[str, Table1Row]]:
    """Table 1's rows by normalised subtype name (in table order) and by row id, made once per
    table object (a block job decides every patient against the same tuple; a list, which may
    change, is indexed afresh)."""
    known = _INDEXES.get(id(table))
    if known is not None and known[0] is table:  # the table is held: its id is not reused
        return known[1], known[2]
    by_name: dict[str, list[Table1Row]] = {}
    for row in table:
        by_name.setdefault(normalise_subtype(row.tumour_type), []).append(row)
    by_id = {row.row_id: row for row in table}
    if isinstance(table, tuple):
        if len(_INDEXES) >= 8:
            _INDEXES.clear()
        _INDEXES[id(table)] = (table, by_name, by_id)
    return by_name, by_id


def _subtype_matches(
    code: str, subtype: str, table: Sequence[Table1Row]
) -> list[tuple[Table1Row, bool]]:
    """Rows named ``subtype`` that cover ``code``, directly (True) or through a tier-2 parent."""
    by_name, by_id = _table_index(table)
    found: list[tuple[Table1Row, bool]] = []
    for row in by_name.get(normalise_subtype(subtype), ()):
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
    head = f"{site_label(code)} is {_CRITERION_TEXT[criterion]}: rare at any subtype."
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
            f"{site_label(code)} is {_CRITERION_TEXT[criterion]}: "
            "it needs a rare subtype from Table 1"
        )
    else:
        head = (
            f"{site_label(code)} is in none of the protocol's three rare-tumour criteria: "
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
