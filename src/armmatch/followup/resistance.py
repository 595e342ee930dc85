"""Resistance on a trial arm and the next step, from an optional responses table.

The responses table (TSV, one row per response assessment) has the columns

``patient_id``, ``arm_id``, ``first_dose_date`` (ISO date, may be empty), ``assessment_date``
(ISO date), ``response`` (RECIST 1.1: CR, PR, SD, PD, NE; iRECIST: iCR, iPR, iSD, iUPD, iCPD),
optional ``confirmed`` (yes / no / empty) and optional ``next_treatment_date`` (ISO date: the
start of any treatment other than this study arm, its crossover or its combination arm).

The protocol ("Definition of primary and secondary drug resistance") is applied as follows.

* **The 6-month clock starts at the first dose.** The 6-month mark is the same day of the month
  six calendar months after the first dose (the last day of the month when that day does not
  exist: 31 August -> 28/29 February). Progression on or after the mark counts as benefit lasting
  >= 6 months; progression before it as < 6 months.
* **Primary resistance**: progression at the first response evaluation, or a best response of
  CR, PR or SD that did not last 6 months from the first dose (progression before the mark).
* **Secondary resistance**: a best response of CR/PR, or SD, lasting >= 6 months from the first
  dose, then progression; the protocol adds "within 30 days after progression" and "no other
  treatment after progression": the next step must start within 30 days of progression (the
  report gives the date), and a ``next_treatment_date`` on or after progression closes the
  combination pathway (off study).
* **Progression** is a PD (RECIST 1.1) or iCPD (iRECIST) row. iUPD is *not* progression until an
  iCPD confirms it; the progression date is then the first iUPD of the run that iCPD confirmed
  (iRECIST), and an iSD/iPR/iCR in between resets the run. On the PD-1 (immunotherapy) arm the
  assessments are read by iRECIST, so a PD row there counts as iUPD and needs an iCPD.
* **Unconfirmed responses**: a CR/PR counts as a response when ``confirmed`` is ``yes``, or when
  ``confirmed`` is empty and a later CR/PR (before progression) at least 28 days later confirms it
  (RECIST 1.1). Otherwise it counts as stable disease, as RECIST 1.1 does for best response, and it
  is not counted as a response for Simon monitoring.
* **Not evaluable**: a missing first-dose date, no evaluable assessment (only NE), or another
  treatment started before any progression on the arm; the reason is always given.

Next steps: crossover to the PD-1 arm after primary resistance on a targeted arm; the combination
arm after secondary resistance on an arm named by a ``resistance`` row (``after=<arm_id>``) of the
rule table (vemurafenib, niraparib, palbociclib); off study after secondary resistance on any
other targeted arm; off study on confirmed progression on the PD-1 arm or a combination arm.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from armmatch.knowledge.rule_table import RuleSet
from armmatch.readers.responses import RESPONSE_CODES, ResponseRow, read_responses

__all__ = [
    "RESPONSE_CODES",
    "ArmPlan",
    "Outcome",
    "ResponseRow",
    "add_months",
    "arm_plan",
    "classify",
    "classify_all",
    "read_responses",
]
_RESPONSE = frozenset({"CR", "PR", "iCR", "iPR"})
_STABLE = frozenset({"SD", "iSD"})
_PROGRESSION = frozenset({"PD", "iCPD"})
CONFIRMATION_DAYS = 28
NEXT_STEP_WINDOW_DAYS = 30

PRIMARY = "primary resistance"
SECONDARY = "secondary resistance"
ONGOING = "ongoing"
NOT_EVALUABLE = "not evaluable"


def add_months(start: date, months: int) -> date:
    """``start`` plus calendar months, clamped to the month's last day.

    >>> add_months(date(2025, 8, 31), 6)
    datetime.date(2026, 2, 28)
    >>> add_months(date(2025, 1, 15), 6)
    datetime.date(2025, 7, 15)
    """
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ArmPlan:
    """What the rule table says about arms: their types, the PD-1 arm and the combinations."""

    arm_types: Mapping[str, str]
    pd1_arm: str | None
    combination_after: Mapping[str, str] = field(default_factory=dict)


def arm_plan(rules: RuleSet) -> ArmPlan:
    """The arm types, the PD-1 arm and ``after=<arm_id>`` -> combination arm from the rule table."""
    types = {a.arm_id: a.arm_type for a in rules.arms}
    pd1 = next((a for a, t in types.items() if t == "immunotherapy"), None)
    combos = {r.criterion["after"]: r.arm_id for r in rules.rules if r.category == "resistance"}
    return ArmPlan(types, pd1, combos)


@dataclass(frozen=True)
class Outcome:
    """The resistance classification of one patient on one arm, and the recommended next step."""

    patient_id: str
    arm_id: str
    arm_type: str
    classification: str
    reason: str
    next_step: str
    next_arm: str | None
    first_dose_date: date | None
    six_month_date: date | None
    progression_date: date | None
    best_response: str | None
    responder: bool
    unconfirmed_response: bool
    evaluable: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "patient_id": self.patient_id,
            "arm_id": self.arm_id,
            "arm_type": self.arm_type,
            "classification": self.classification,
            "reason": self.reason,
            "next_step": self.next_step,
            "next_arm": self.next_arm,
            "first_dose_date": _iso(self.first_dose_date),
            "six_month_date": _iso(self.six_month_date),
            "progression_date": _iso(self.progression_date),
            "best_response": self.best_response,
            "responder": self.responder,
            "unconfirmed_response": self.unconfirmed_response,
            "evaluable": self.evaluable,
        }


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _is_confirmed(rows: Sequence[ResponseRow], i: int, until: date | None) -> bool:
    """Whether the CR/PR at ``rows[i]`` is confirmed (column, or a CR/PR >= 28 days later)."""
    row = rows[i]
    if row.confirmed is not None:
        return row.confirmed
    limit = row.assessment_date + timedelta(days=CONFIRMATION_DAYS)
    return any(
        later.response in _RESPONSE
        and later.assessment_date >= limit
        and (until is None or later.assessment_date < until)
        for later in rows[i + 1 :]
    )


def _progression(rows: Sequence[ResponseRow], immuno: bool) -> tuple[int, date] | None:
    """Index of the row confirming progression and the progression date, or None.

    PD (RECIST 1.1; on the immunotherapy arm only as iUPD) and iCPD are progression; an iCPD dates
    the progression from the first iUPD of the unbroken run before it (iRECIST).
    """
    run_start: date | None = None
    for i, r in enumerate(rows):
        code = "iUPD" if immuno and r.response == "PD" else r.response
        if code == "iUPD":
            run_start = run_start or r.assessment_date
        elif code in _PROGRESSION:
            return i, (run_start if code == "iCPD" and run_start else r.assessment_date)
        elif code != "NE":
            run_start = None
    return None


def classify(rows: Sequence[ResponseRow], plan: ArmPlan) -> Outcome:
    """Classify one patient's assessments on one arm (all rows share patient and arm)."""
    rows = sorted(rows, key=lambda r: r.assessment_date)
    pid, arm = rows[0].patient_id, rows[0].arm_id
    arm_type = plan.arm_types.get(arm, "targeted")
    immuno = arm_type == "immunotherapy"
    first = rows[0].first_dose_date
    nxt = next((r.next_treatment_date for r in rows if r.next_treatment_date), None)
    evaluated = [r for r in rows if r.response != "NE"]

    prog = _progression(rows, immuno)
    prog_date = prog[1] if prog else None
    before = [
        (i, r)
        for i, r in enumerate(rows)
        if r.response != "NE"
        and (prog is None or i < prog[0])
        and (prog_date is None or r.assessment_date < prog_date)
    ]
    confirmed_codes = [
        r.response.lstrip("i")
        for i, r in before
        if r.response in _RESPONSE and _is_confirmed(rows, i, prog_date)
    ]
    unconfirmed = any(r.response in _RESPONSE for _, r in before) and not confirmed_codes
    if confirmed_codes:
        best: str | None = "CR" if "CR" in confirmed_codes else "PR"
    elif any(r.response in _RESPONSE or r.response in _STABLE for _, r in before):
        best = "SD"
    elif prog is not None:
        best = "PD"
    else:
        best = None
    responder = bool(confirmed_codes)
    six = add_months(first, 6) if first else None

    def out(cls: str, reason: str, step: str, next_arm: str | None, evaluable: bool) -> Outcome:
        return Outcome(
            pid, arm, arm_type, cls, reason, step, next_arm, first, six, prog_date, best,
            responder, unconfirmed, evaluable,
        )  # fmt: skip

    if first is None:
        return out(
            NOT_EVALUABLE,
            "no first_dose_date: the 6-month clock starts at the first dose, so resistance "
            "cannot be classified",
            "tumour board review: record the date of first dose",
            None,
            False,
        )
    if not evaluated:
        return out(
            NOT_EVALUABLE,
            "no evaluable response assessment yet (only NE)",
            f"continue on {arm}; await the first response evaluation",
            None,
            False,
        )
    if nxt is not None and (prog_date is None or nxt < prog_date):
        return out(
            NOT_EVALUABLE,
            f"another treatment started on {nxt}, before any progression on {arm} was recorded",
            "tumour board review: the patient has left the arm without progression on it",
            None,
            True,
        )
    unconf_note = (
        "; an unconfirmed CR/PR counts as stable disease (RECIST 1.1)" if unconfirmed else ""
    )
    if prog is None or prog_date is None:
        last = rows[-1]
        pending = ""
        if last.response == "iUPD" or (immuno and last.response == "PD"):
            pending = (
                f"; unconfirmed progression ({last.response}) on {last.assessment_date} awaits iCPD"
            )
        return out(
            ONGOING,
            f"no confirmed progression; best response so far {best}; last assessment "
            f"{last.response} on {last.assessment_date}{pending}{unconf_note}",
            f"continue on {arm}",
            None,
            True,
        )

    first_eval = evaluated[0]
    at_first = (not before) or first_eval.assessment_date >= prog_date
    window_end = prog_date + timedelta(days=NEXT_STEP_WINDOW_DAYS)
    assert six is not None
    if at_first:
        cls = PRIMARY
        reason = f"progression at the first response evaluation ({prog_date})"
    elif prog_date < six:
        cls = PRIMARY
        reason = (
            f"best response {best} did not last 6 months from the first dose {first}: "
            f"progression on {prog_date}, before the 6-month mark {six}{unconf_note}"
        )
    else:
        cls = SECONDARY
        reason = (
            f"best response {best} lasted >= 6 months from the first dose {first} "
            f"(6-month mark {six}), then progression on {prog_date}{unconf_note}"
        )
    step, next_arm = _next_step(cls, arm, arm_type, plan, nxt, window_end)
    return out(cls, reason, step, next_arm, True)


def _next_step(
    cls: str, arm: str, arm_type: str, plan: ArmPlan, nxt: date | None, window_end: date
) -> tuple[str, str | None]:
    if arm_type == "immunotherapy":
        return f"off study: confirmed progression on the PD-1 arm {arm}", None
    if arm_type == "combination":
        return f"off study: progression on the combination arm {arm}", None
    if cls == PRIMARY:
        if plan.pd1_arm is None:
            return "off study: the rule table has no PD-1 arm to cross over to", None
        note = (
            f" (note: another treatment started on {nxt}; tumour board to confirm)" if nxt else ""
        )
        return f"cross over to the PD-1 arm {plan.pd1_arm}{note}", plan.pd1_arm
    combo = plan.combination_after.get(arm)
    if combo is None:
        return f"off study: secondary resistance on {arm} (no combination arm)", None
    if nxt is not None:
        return (
            f"off study: another treatment started on {nxt} after progression; the combination "
            "arm requires no other treatment after progression",
            None,
        )
    return (
        f"combination arm {combo}, within 30 days of progression (by {window_end}) and with no "
        "other treatment in between",
        combo,
    )


def classify_all(rows: Iterable[ResponseRow], plan: ArmPlan) -> list[Outcome]:
    """One :class:`Outcome` per (patient, arm), sorted by patient then first dose."""
    groups: dict[tuple[str, str], list[ResponseRow]] = {}
    for r in rows:
        groups.setdefault((r.patient_id, r.arm_id), []).append(r)
    outcomes = [classify(g, plan) for g in groups.values()]
    return sorted(outcomes, key=lambda o: (o.patient_id, o.first_dose_date or date.max, o.arm_id))
