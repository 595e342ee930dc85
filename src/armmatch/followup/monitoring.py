"""Simon two-stage monitoring per arm for the batch summary (pure functions returning rows).

For each arm: the patients assigned (from the assignment records), the patients evaluable for
response on that arm (from the responses table: a first-dose date and at least one evaluable
assessment), the confirmed responses (CR/PR, see :mod:`armmatch.followup.resistance`) and the stage
decision of the minimax design ``r1/n1, r/n``. Evaluable patients are taken in order of first
dose: the first ``n1`` form stage 1 and the first ``n`` the whole trial.

* ``stage 1 in progress``: fewer than ``n1`` evaluable and at most ``r1`` responses so far;
* ``stop for futility``: ``n1`` evaluable with ``r1`` or fewer responses among them;
* ``continue to stage 2``: more than ``r1`` responses in stage 1 and the result is still open;
* ``promising``: more than ``r`` responses among the first ``n`` (decided as soon as it happens);
* ``not promising``: ``n`` evaluable with ``r`` or fewer responses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from armmatch.followup.resistance import Outcome
from armmatch.followup.simon import Design

__all__ = ["MONITORING_COLUMNS", "RESISTANCE_COLUMNS", "monitoring_rows", "resistance_rows",
           "stage_decision"]  # fmt: skip

MONITORING_COLUMNS = (
    "arm", "assigned", "evaluable", "responses", "unconfirmed", "stage1_responses", "design",
    "decision", "explanation",
)  # fmt: skip
RESISTANCE_COLUMNS = (
    "patient_id", "arm_id", "classification", "best_response", "first_dose_date",
    "six_month_date", "progression_date", "next_step", "reason",
)  # fmt: skip


def stage_decision(responders: Sequence[bool], design: Design) -> tuple[str, str]:
    """The decision and its explanation for evaluable patients in first-dose order."""
    stage1 = sum(responders[: design.n1])
    total = sum(responders[: design.n])
    k = len(responders)
    if stage1 <= design.r1:
        if k < design.n1:
            return (
                "stage 1 in progress",
                f"{stage1} response(s) in {k} of {design.n1} stage-1 patients; "
                f"more than {design.r1} needed to continue",
            )
        return (
            "stop for futility",
            f"{stage1} response(s) in the first {design.n1} patients "
            f"(stop if {design.r1} or fewer)",
        )
    if total > design.r:
        return (
            "promising",
            f"{total} responses among the first {min(k, design.n)} patients "
            f"(more than {design.r} of {design.n} needed)",
        )
    if k < design.n:
        return (
            "continue to stage 2",
            f"{stage1} response(s) in stage 1 (more than {design.r1}); {total} of "
            f"{k} so far, more than {design.r} of {design.n} needed",
        )
    return (
        "not promising",
        f"{total} responses in {design.n} patients ({design.r} or fewer)",
    )


def monitoring_rows(
    assigned_arms: Iterable[str | None],
    outcomes: Iterable[Outcome],
    design: Design,
) -> list[dict[str, Any]]:
    """One row per arm that has assigned patients or response data, sorted by arm.

    ``assigned_arms``: each assignment record's arm (None when no arm was assigned).
    """
    assigned: dict[str, int] = {}
    for arm in assigned_arms:
        if arm:
            assigned[arm] = assigned.get(arm, 0) + 1
    by_arm: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by_arm.setdefault(o.arm_id, []).append(o)
    rows = []
    for arm in sorted(set(assigned) | set(by_arm)):
        evaluable = sorted(
            (o for o in by_arm.get(arm, []) if o.evaluable and o.first_dose_date),
            key=lambda o: (o.first_dose_date or date.max, o.patient_id),
        )
        responders = [o.responder for o in evaluable]
        decision, why = stage_decision(responders, design)
        rows.append(
            {
                "arm": arm,
                "assigned": assigned.get(arm, 0),
                "evaluable": len(evaluable),
                "responses": sum(responders),
                "unconfirmed": sum(o.unconfirmed_response for o in evaluable),
                "stage1_responses": sum(responders[: design.n1]),
                "design": design.label,
                "decision": decision,
                "explanation": why,
            }
        )
    return rows


def resistance_rows(outcomes: Iterable[Outcome]) -> list[dict[str, Any]]:
    """One row per patient and arm: classification, dates and next step."""
    return [{c: o.to_dict()[c] for c in RESISTANCE_COLUMNS} for o in outcomes]
