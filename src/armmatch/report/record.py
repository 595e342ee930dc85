"""The assignment record of one patient (``assignment.json``) and its JSON encoding.

The record carries the decision, every arm's result, the events by id, the eligibility, the
provenance (input hashes, rule-set and knowledge versions) and the settings used.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from armmatch.events import Assessment, Event

if TYPE_CHECKING:
    from armmatch.decision.assignment import Decision
    from armmatch.decision.eligibility import Eligibility
    from armmatch.knowledge.rule_table import RuleSet
    from armmatch.patient import Patient


SCHEMA_ID = "armmatch.assignment/1"


def event_ids(events: Sequence[Event]) -> list[str]:
    return [f"E{i + 1}" for i in range(len(events))]


def assignment_record(
    *,
    patient: Patient,
    decision: Decision,
    events: Sequence[Event],
    assessments: Sequence[Assessment],
    eligibility: Eligibility,
    build: str,
    version: str,
    inputs: Mapping[str, str],
    resources: Mapping[str, Any],
    parameters: Mapping[str, Any],
    clinical: Mapping[str, Any] | None = None,
    rules: RuleSet | None = None,
    knowledge: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``assignment.json`` content (see ``workflow/schemas/assignment.schema.json``).

    ``knowledge``: the checked knowledge resources (manifest version, and per resource its
    version, source, date, licence, sha256 and origin), stored as ``provenance.knowledge``.
    """
    ids = event_ids(events)
    arm = decision.arm
    fired = sorted({r for e in events for r in e.rule_ids})
    rule_rows = [
        {"rule_id": r.rule_id, "arm_id": r.arm_id, "rule_line": r.line, "gene": r.gene,
         "category": r.category, "criterion": r.criterion_text(), "source": r.source, "note": r.note}
        for r in (rules.rules if rules else ())
        if r.rule_id in fired
    ]  # fmt: skip
    return {
        "schema": SCHEMA_ID,
        "patient_id": patient.patient_id,
        "tumour_type": patient.tumour_type,
        "status": decision.status,
        "status_reason": decision.status_reason,
        "arm": arm.arm_id if arm else None,
        "arm_type": arm.arm_type if arm else None,
        "drug": arm.drug if arm else None,
        "dose": decision.dose if arm else None,
        "candidate_arm": decision.candidate.arm_id if decision.candidate else None,
        "provisional": list(decision.provisional),
        "override": decision.override,
        "clinical": dict(clinical or {}),
        "eligibility": eligibility.to_dict(),
        "rules_fired": rule_rows,
        "events": [{"event_id": i, **e.to_dict()} for i, e in zip(ids, events, strict=True)],
        "arms": [a.to_dict(ids) for a in decision.arms],
        "exclusions": [x.to_dict(ids) for x in decision.exclusions],
        "missing": decision.missing,
        "assessments": [asdict(a) for a in sorted(assessments, key=lambda a: (a.category, a.gene))],
        "provenance": {
            "armmatch_version": version,
            "genome_build": build,
            "rule_set": resources["rule_table"],
            "resources": dict(resources),
            "inputs": [{"path": p, "sha256": h} for p, h in sorted(inputs.items())],
            "parameters": dict(parameters),
            **({"knowledge": dict(knowledge)} if knowledge is not None else {}),
        },
    }


def dumps_json(record: Mapping[str, Any]) -> str:
    """Deterministic JSON text."""
    return json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
