"""The review file: a tumour board's sign-off per patient (TSV, one row per patient).

Columns ``patient_id``, ``reviewer``, ``date`` (ISO), ``decision`` (``accept``, ``override`` or
``defer``), optional ``arm`` (the arm an override assigns) and ``reason``. Every row is checked
here against itself (columns, values, one row per patient); whether an override's arm is an arm
of the rule table, and whether its alteration is present, is checked against the patient's
assignment (:func:`armmatch.report.record.sign_off`).
"""

from __future__ import annotations

import re
from pathlib import Path

from armmatch.io import ColumnTable
from armmatch.patient import Review, ReviewDecision

REVIEW_COLUMNS = ("patient_id", "reviewer", "date", "decision")
DECISIONS: tuple[ReviewDecision, ...] = ("accept", "override", "defer")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def read_reviews(path: str | Path) -> dict[str, Review]:
    """Every sign-off of the review file by patient.

    Raises
    ------
    InputError
        A missing column, an empty reviewer, a date that is not ISO, an unknown decision, an
        override without an arm or a reason, a defer without a reason, or a patient twice; the
        message names the file and line.
    """
    table = ColumnTable.read(path, None)
    table.require(*REVIEW_COLUMNS)
    out: dict[str, Review] = {}
    for line, row in table.records():
        cells = {k: v.strip() for k, v in row.items()}
        pid, reviewer, date, decision = (cells[c] for c in REVIEW_COLUMNS)
        arm, reason = cells.get("arm") or None, cells.get("reason") or None
        if not pid:
            raise table.error("patient_id is empty", line)
        if pid in out:
            raise table.error(
                f"patient {pid} is reviewed twice (first on line {out[pid].line})", line
            )
        if not reviewer:
            raise table.error(f"patient {pid}: reviewer is empty (who signs the decision?)", line)
        if not _DATE.fullmatch(date):
            raise table.error(f"patient {pid}: date {date!r} is not an ISO date (YYYY-MM-DD)", line)
        if decision not in DECISIONS:
            raise table.error(f"patient {pid}: decision {decision!r} is not one of "
                              f"{', '.join(DECISIONS)}", line)  # fmt: skip
        if decision == "override" and arm is None:
            raise table.error(f"patient {pid}: an override names the arm it assigns (column arm)",
                              line)  # fmt: skip
        if decision == "defer" and reason is None:
            raise table.error(f"patient {pid}: a deferral says what is awaited (column reason)",
                              line)  # fmt: skip
        if decision != "override" and arm is not None:
            raise table.error(f"patient {pid}: arm {arm!r} is given but the decision is "
                              f"{decision} (only an override names an arm)", line)  # fmt: skip
        out[pid] = Review(pid, reviewer, date, decision, line, arm, reason)
    return out
