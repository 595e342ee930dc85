"""Tabular outputs: a patient's ``events.tsv`` and the batch ``assignments.tsv``/``.jsonl``.

Every value placed in a TSV goes through :func:`~armmatch.io.tsv_cell` (spreadsheet formula
prefixes are neutralised).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from armmatch.io import tsv_cell

EVENT_COLUMNS = (
    "event_id", "gene", "category", "alteration", "status", "status_reason", "actionable",
    "rule_ids", "arm_ids", "hgvsp", "hgvsc", "transcript", "exon", "intron", "variant_class",
    "consequence", "vaf", "depth", "origin", "copy_number", "log2", "cnv_call", "segment_bp",
    "focal", "gene5",
    "gene3", "breakpoint5", "breakpoint3", "frame", "value", "source_file", "source_line",
    "source_record", "notes",
)  # fmt: skip

BATCH_COLUMNS = (
    "patient_id", "tumour_type", "status", "arm", "drug", "dose", "status_reason",
    "candidate_arm", "provisional", "override", "actionable_events", "not_assessed",
    "indeterminate_events", "rule_set_version", "genome_build",
)  # fmt: skip


def events_tsv(record: Mapping[str, Any]) -> str:
    """``events.tsv``: every event (called, filtered, indeterminate) of one patient."""
    lines = ["\t".join(EVENT_COLUMNS)]
    for e in record["events"]:
        row = dict(e)
        row["source_file"] = e["source"]["path"]
        row["source_line"] = e["source"]["line"]
        row["source_record"] = e["source"]["record"]
        lines.append("\t".join(tsv_cell(row.get(c)) for c in EVENT_COLUMNS))
    return "\n".join(lines) + "\n"


def batch_row(record: Mapping[str, Any]) -> dict[str, Any]:
    """One ``assignments.tsv`` row from an assignment record."""
    override = record.get("override")
    return {
        "patient_id": record["patient_id"],
        "tumour_type": record["tumour_type"],
        "status": record["status"],
        "arm": record["arm"],
        "drug": record["drug"],
        "dose": record["dose"],
        "status_reason": record["status_reason"],
        "candidate_arm": record.get("candidate_arm"),
        "provisional": record.get("provisional", []),
        "override": f"{override['arm']}: {override['reason']}" if override else None,
        "actionable_events": [
            f"{e['gene']} {e['alteration']}" for e in record["events"] if e["actionable"]
        ],
        "not_assessed": sorted({m["item"] for m in record["missing"]}),
        "indeterminate_events": [
            f"{e['gene']} {e['alteration']}"
            for e in record["events"]
            if e["status"] == "indeterminate"
        ],
        "rule_set_version": record["provenance"]["rule_set"]["version"],
        "genome_build": record["provenance"]["genome_build"],
    }


def assignments_jsonl(records: Iterable[Mapping[str, Any]]) -> str:
    """``batch/assignments.jsonl``: one assignment record per line (schema
    ``armmatch.assignment/1``, ``workflow/schemas/assignment.schema.json``), sorted by patient."""
    ordered = sorted(records, key=lambda r: str(r["patient_id"]))
    return "".join(
        json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
        for r in ordered
    )


def assignments_tsv(records: Iterable[Mapping[str, Any]]) -> str:
    """``batch/assignments.tsv``: one row per patient, sorted by patient_id."""
    rows = sorted((batch_row(r) for r in records), key=lambda r: str(r["patient_id"]))
    lines = ["\t".join(BATCH_COLUMNS)]
    lines += ["\t".join(tsv_cell(r[c]) for c in BATCH_COLUMNS) for r in rows]
    return "\n".join(lines) + "\n"
