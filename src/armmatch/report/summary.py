"""The batch dashboard (``batch/summary.html``): counts, the needs-attention reasons grouped
with their patients, and every patient linked to its report, paged and filtered in the browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from armmatch.report.html import (
    SUMMARY_JS,
    Markup,
    esc,
    html_page,
    html_table,
    knowledge_html,
    link,
)
from armmatch.report.record import AssignmentRecord
from armmatch.report.tables import batch_row

PAGE_ROWS = 100
"""Rows per page of the summary's patient table (the script pages and filters in the browser)."""


def report_href(patient_id: str) -> str:
    """The patient's report relative to ``batch/summary.html``."""
    return f"../patients/{patient_id}/report.html"


def attention_reasons(r: AssignmentRecord) -> list[str]:
    """Why a patient needs attention (empty: it does not): the summary groups identical ones."""
    reasons = [r.status_reason] if r.status == "incomplete" else []
    reasons += list(r.provisional)
    if r.override:
        reasons.append(f"override to {r.override['arm']}: {r.override['reason']}")
        if r.override.get("waiver"):
            reasons.append(f"protocol deviation: eligibility waiver {r.override['waiver']['id']}")
    reasons += [f"indeterminate: {x.event.gene} {x.event.alteration}"
                for x in r.indeterminate_events()]  # fmt: skip
    return reasons


_INPUT_WORDS = {"mutation": "small variants", "cnv": "copy number", "fusion": "fusions"}


def qc_facts(r: AssignmentRecord) -> tuple[str, str, str]:
    """``(inputs assessed, VAF/depth availability, purity source)`` for the summary's QC columns."""
    assessed = {a["category"] for a in r.assessments if a["assessed"]}
    inputs = ", ".join(w for c, w in _INPUT_WORDS.items() if c in assessed) or "none"
    missing = sorted({w for c, w in _INPUT_WORDS.items() if c not in assessed})
    if missing:
        inputs += f" (no {', '.join(missing)})"
    muts = [x.event for x in r.events if x.event.category == "mutation"]
    unknown = sum(1 for e in muts if e.vaf is None or e.depth is None)
    support = (f"{unknown} of {len(muts)} without VAF/depth" if unknown
               else f"all {len(muts)}" if muts else "no variants")  # fmt: skip
    return inputs, support, str(r.clinical.get("purity_source") or "not given")


def summary_html(
    records: Sequence[AssignmentRecord],
    *,
    monitoring: Sequence[Mapping[str, Any]] | None = None,
    resistance: Sequence[Mapping[str, Any]] | None = None,
    knowledge: Mapping[str, Any] | None = None,
    failed: Sequence[tuple[str, str]] = (),
) -> str:
    """The batch dashboard: counts, the needs-attention reasons grouped, every patient.

    ``failed``: ``(patient, error)`` of each patient whose input stopped it (no assignment);
    they head "Needs attention" with their error. Each patient links to its report; the patient
    table pages (:data:`PAGE_ROWS` rows) and filters in the browser, so a thousand patients stay
    quick.

    ``knowledge`` (the batch's checked resource record) is shown once, as "Knowledge resources".

    ``monitoring`` (rows of :func:`armmatch.followup.monitoring.monitoring_rows`) adds the table "Simon
    two-stage monitoring"; ``resistance`` (rows of :func:`armmatch.followup.monitoring.resistance_rows`)
    adds each patient's resistance classification and next step.
    """
    ordered = sorted(records, key=lambda r: r.patient_id)
    rows = [batch_row(r) for r in ordered]
    status_counts: dict[str, int] = {}
    arm_counts: dict[str, int] = {}
    for r in rows:
        status_counts[r.status] = status_counts.get(r.status, 0) + 1
        if r.arm:
            arm_counts[r.arm] = arm_counts.get(r.arm, 0) + 1
    versions = sorted({r.rule_set_version for r in rows})
    groups: dict[str, list[str]] = {}
    for p, error in failed:
        groups.setdefault(f"failed, no assignment: {error}", []).append(p)
    attention = sum(r.needs_attention for r in rows)
    for rec in ordered:
        for reason in dict.fromkeys(attention_reasons(rec)):
            groups.setdefault(reason, []).append(rec.patient_id)
    grouped = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    failed_note = f"; {len(failed)} failed (no assignment)" if failed else ""
    parts = [
        "<h1>armmatch batch summary</h1>",
        f'<p class="muted" id="counts">{len(rows)} patients assessed{failed_note}; '
        f"{attention + len(failed)} need attention; rule set version(s) "
        f'{esc(", ".join(versions))}</p>',
        "<h2>Needs attention</h2>",
        html_table(["reason", "patients", "which"],
               [(reason, len(pids), _patient_links(pids, linked=not reason.startswith("failed, no assignment")))
                for reason, pids in grouped], table_id="attention")
        if grouped else "<p>No patient needs attention.</p>",
        "<h2>Statuses</h2>",
        html_table(["status", "patients"], sorted(status_counts.items())),
        "<h2>Arms</h2>",
        html_table(["arm", "patients"], sorted(arm_counts.items())) if arm_counts else "<p>No arm assigned.</p>",
        "<h2>All patients</h2>",
        '<p><label>Filter: <input id="filter" type="search" placeholder="patient, arm, gene, status..."></label>'
        ' <span class="muted">Click a column heading to sort.</span> '
        f'<span id="pager" data-rows="{PAGE_ROWS}"></span></p>',
        html_table(["patient", "tumour type", "status", "arm", "drug", "actionable events",
                "inputs assessed", "VAF / depth", "purity", "sign-off", "reason"],
               [(link(r.patient_id, report_href(r.patient_id)), r.tumour_type, r.status, r.arm,
                 r.drug, "; ".join(r.actionable_events), *qc_facts(rec), r.signoff,
                 r.status_reason)
                for r, rec in zip(rows, ordered, strict=True)],
               cls="sortable", table_id="patients"),
    ]  # fmt: skip
    parts += _monitoring_parts(monitoring, resistance)
    if knowledge:
        parts.append(knowledge_html(knowledge))
    parts.append(f"<script>{SUMMARY_JS}</script>")
    return html_page("armmatch batch summary", "\n".join(parts))


def _patient_links(pids: Sequence[str], *, linked: bool = True, most: int = 12) -> Markup:
    shown = [link(p, report_href(p)) if linked else esc(p) for p in pids[:most]]
    more = f" and {len(pids) - most} more" if len(pids) > most else ""
    return Markup(", ".join(shown) + more)


def _monitoring_parts(
    monitoring: Sequence[Mapping[str, Any]] | None,
    resistance: Sequence[Mapping[str, Any]] | None,
) -> list[str]:
    """The optional "Simon two-stage monitoring" and "Resistance and next step" sections."""
    parts: list[str] = []
    if monitoring is not None:
        design = monitoring[0]["design"] if monitoring else ""
        parts += [
            "<h2>Simon two-stage monitoring</h2>",
            f'<p class="muted">Minimax design {esc(design)}: stop for futility if r1 or fewer '
            "of the first n1 evaluable patients respond; promising if more than r of n respond. "
            "Responses are confirmed CR/PR; patients are taken in order of first dose.</p>",
            html_table(["arm", "assigned", "evaluable", "responses (confirmed CR/PR)", "unconfirmed",
                    "stage-1 responses", "decision", "explanation"],
                   [(m["arm"], m["assigned"], m["evaluable"], m["responses"], m["unconfirmed"],
                     m["stage1_responses"], m["decision"], m["explanation"]) for m in monitoring])
            if monitoring else "<p>No arm to monitor.</p>",
        ]  # fmt: skip
    if resistance is not None:
        parts += [
            "<h2>Resistance and next step</h2>",
            '<p class="muted">The 6-month clock starts at the first dose. Primary resistance: '
            "progression at the first response evaluation, or CR/PR/SD lasting less than 6 months "
            "from the first dose. Secondary resistance: CR/PR or SD lasting 6 months or more, then "
            "progression.</p>",
            html_table(["patient", "arm", "classification", "best response", "first dose",
                    "6-month mark", "progression", "next step", "reason"],
                   [(r["patient_id"], r["arm_id"], r["classification"], r["best_response"] or "-",
                     r["first_dose_date"] or "-", r["six_month_date"] or "-",
                     r["progression_date"] or "-", r["next_step"], r["reason"])
                    for r in resistance])
            if resistance else "<p>No response assessments.</p>",
        ]  # fmt: skip
    return parts
