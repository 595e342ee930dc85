"""The responses table (one RECIST/iRECIST assessment per row) for resistance follow-up.

Columns are described in :mod:`armmatch.followup.resistance`; this module reads and checks them
(dates, codes, one first-dose date per patient and arm).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from armmatch.errors import InputError
from armmatch.io import open_text

REQUIRED_COLUMNS = ("patient_id", "arm_id", "first_dose_date", "assessment_date", "response")
OPTIONAL_COLUMNS = ("confirmed", "next_treatment_date")
RESPONSE_CODES = ("CR", "PR", "SD", "PD", "NE", "iCR", "iPR", "iSD", "iUPD", "iCPD")


@dataclass(frozen=True)
class ResponseRow:
    """One response assessment."""

    patient_id: str
    arm_id: str
    first_dose_date: date | None
    assessment_date: date
    response: str
    confirmed: bool | None
    next_treatment_date: date | None
    line: int


def _parse_date(text: str, column: str, path: str, line: int, patient: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{column} {text!r} is not an ISO date (YYYY-MM-DD)",
            path=path,
            line=line,
            patient=patient,
        ) from None


def read_responses(path: str | Path, *, arms: Iterable[str] | None = None) -> list[ResponseRow]:
    """Read and validate the responses table.

    Every row is checked (dates, response codes, ``confirmed``, known arm when ``arms`` is given,
    assessment not before the first dose); rows of one patient on one arm must agree on
    ``first_dose_date`` and ``next_treatment_date`` and must not repeat an assessment date.

    Raises
    ------
    InputError
        Naming the file, the line and the patient.
    """
    p = str(path)
    known = set(arms) if arms is not None else None
    rows: list[ResponseRow] = []
    try:
        with open_text(path) as fh:
            text_lines = list(fh)
    except OSError as err:
        raise InputError(f"cannot read the responses table: {err.strerror}", path=p) from None
    lines = [
        (i, t) for i, t in enumerate(text_lines, start=1) if t.strip() and not t.startswith("#")
    ]
    if not lines:
        raise InputError("the responses table is empty (no header)", path=p)
    header_line, header_text = lines[0]
    header = [h.strip() for h in header_text.rstrip("\r\n").split("\t")]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        problems = []
        if missing:
            problems.append("missing column(s) " + ", ".join(repr(c) for c in missing))
        if unknown:
            problems.append("unknown column(s) " + ", ".join(repr(c) for c in unknown))
        if len(set(header)) != len(header):
            problems.append("duplicate column names")
        raise InputError(
            "; ".join(problems) + f" (columns: {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)})",
            path=p,
            line=header_line,
        )
    for line, text in lines[1:]:
        cells = next(csv.reader([text.rstrip("\r\n")], delimiter="\t", quoting=csv.QUOTE_NONE))
        if len(cells) != len(header):
            raise InputError(f"{len(cells)} cells, the header has {len(header)}", path=p, line=line)
        rec = {h: c.strip() for h, c in zip(header, cells, strict=True)}
        pid = rec["patient_id"]
        if not pid:
            raise InputError("empty patient_id", path=p, line=line)
        arm = rec["arm_id"]
        if not arm:
            raise InputError("empty arm_id", path=p, line=line, patient=pid)
        if known is not None and arm not in known:
            raise InputError(
                f"arm_id {arm!r} is not an arm of the rule table", path=p, line=line, patient=pid
            )
        response = rec["response"]
        if response not in RESPONSE_CODES:
            raise InputError(
                f"response {response!r} is not one of {', '.join(RESPONSE_CODES)}",
                path=p,
                line=line,
                patient=pid,
            )
        conf_text = rec.get("confirmed", "").lower()
        if conf_text not in ("", "yes", "no"):
            raise InputError(
                f"confirmed {rec['confirmed']!r} must be yes, no or empty",
                path=p,
                line=line,
                patient=pid,
            )
        confirmed = None if not conf_text else conf_text == "yes"
        if response == "iUPD" and confirmed:
            raise InputError(
                "iUPD with confirmed=yes: record the confirming assessment as its own iCPD row",
                path=p,
                line=line,
                patient=pid,
            )
        first = _parse_date(rec["first_dose_date"], "first_dose_date", p, line, pid)
        assessed = _parse_date(rec["assessment_date"], "assessment_date", p, line, pid)
        if assessed is None:
            raise InputError("empty assessment_date", path=p, line=line, patient=pid)
        nxt = _parse_date(rec.get("next_treatment_date", ""), "next_treatment_date", p, line, pid)
        if first is not None and assessed < first:
            raise InputError(
                f"assessment_date {assessed} is before first_dose_date {first}",
                path=p,
                line=line,
                patient=pid,
            )
        rows.append(ResponseRow(pid, arm, first, assessed, response, confirmed, nxt, line))
    _check_consistency(rows, p)
    return rows


def _check_consistency(rows: Sequence[ResponseRow], path: str) -> None:
    seen: dict[tuple[str, str], ResponseRow] = {}
    dates: set[tuple[str, str, date]] = set()
    nxt: dict[tuple[str, str], ResponseRow] = {}
    for r in rows:
        key = (r.patient_id, r.arm_id)
        first = seen.setdefault(key, r)
        if r.first_dose_date != first.first_dose_date:
            raise InputError(
                f"first_dose_date {r.first_dose_date or '(empty)'} differs from "
                f"{first.first_dose_date or '(empty)'} on line {first.line} for arm {r.arm_id}",
                path=path,
                line=r.line,
                patient=r.patient_id,
            )
        if (*key, r.assessment_date) in dates:
            raise InputError(
                f"assessment_date {r.assessment_date} appears twice for arm {r.arm_id}",
                path=path,
                line=r.line,
                patient=r.patient_id,
            )
        dates.add((*key, r.assessment_date))
        if r.next_treatment_date is not None:
            other = nxt.setdefault(key, r)
            if other.next_treatment_date != r.next_treatment_date:
                raise InputError(
                    f"next_treatment_date {r.next_treatment_date} differs from "
                    f"{other.next_treatment_date} on line {other.line} for arm {r.arm_id}",
                    path=path,
                    line=r.line,
                    patient=r.patient_id,
                )
