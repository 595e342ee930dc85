"""Tabular outputs: a patient's ``events.tsv`` and the batch ``assignments.tsv``/``.jsonl``.

Every value placed in a TSV goes through :func:`~armmatch.io.tsv_cell` (spreadsheet formula
prefixes are neutralised).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from armmatch.io import tsv_cell
from armmatch.report.record import AssignmentRecord

EVENT_COLUMNS = (
    "event_id", "gene", "category", "alteration", "status", "status_reason", "actionable",
    "rule_ids", "arm_ids", "hgvsp", "hgvsc", "transcript", "exon", "intron", "variant_class",
    "consequence", "classification", "classification_evidence", "vaf", "depth", "origin", "copy_number", "log2", "cnv_call", "segment_bp",
    "focal", "gene5",
    "gene3", "breakpoint5", "breakpoint3", "frame", "value", "source_file", "source_line",
    "source_record", "notes",
)  # fmt: skip

BATCH_COLUMNS = (
    "patient_id", "tumour_type", "status", "arm", "drug", "dose", "status_reason",
    "candidate_arm", "provisional", "override", "actionable_events", "not_assessed",
    "indeterminate_events", "rule_set_version", "genome_build", "specimen_id", "accession",
    "signoff",
)  # fmt: skip


def events_tsv(record: AssignmentRecord) -> str:
    """``events.tsv``: every event (called, filtered, indeterminate) of one patient."""
    lines = ["\t".join(EVENT_COLUMNS)]
    for recorded in record.events:
        row = recorded.to_dict()
        source = recorded.event.source
        row["source_file"], row["source_line"], row["source_record"] = (
            source.path, source.line, source.record)  # fmt: skip
        lines.append("\t".join(tsv_cell(row.get(c)) for c in EVENT_COLUMNS))
    return "\n".join(lines) + "\n"


def needs_attention(
    status: str, provisional: object, override: object, indeterminate: object
) -> bool:
    """Whether a patient needs attention: incomplete, provisional, overridden or with an
    indeterminate event. The one rule of the dashboard and of the end-of-run line."""
    return status == "incomplete" or any((provisional, override, indeterminate))


@dataclass(frozen=True)
class BatchRow:
    """One ``assignments.tsv`` row (also what the batch summary lists)."""

    patient_id: str
    tumour_type: str | None
    status: str
    arm: str | None
    drug: str | None
    dose: str | None
    status_reason: str
    candidate_arm: str | None
    provisional: tuple[str, ...]
    override: str | None
    actionable_events: tuple[str, ...]
    not_assessed: tuple[str, ...]
    indeterminate_events: tuple[str, ...]
    rule_set_version: str
    genome_build: str
    specimen_id: str | None = None
    accession: str | None = None
    signoff: str = "not yet reviewed"

    @property
    def needs_attention(self) -> bool:
        return needs_attention(self.status, self.provisional, self.override,
                               self.indeterminate_events)  # fmt: skip


def batch_row(record: AssignmentRecord) -> BatchRow:
    """One ``assignments.tsv`` row from an assignment record."""
    override = record.override
    return BatchRow(
        patient_id=record.patient_id,
        tumour_type=record.tumour_type,
        status=record.status,
        arm=record.arm,
        drug=record.drug,
        dose=record.dose,
        status_reason=record.status_reason,
        candidate_arm=record.candidate_arm,
        provisional=record.provisional,
        override=(
            f"{override['arm']}: {override['reason']}"
            + (
                f" (protocol deviation: eligibility waiver {override['waiver']['id']})"
                if override.get("waiver")
                else ""
            )
        )
        if override
        else None,  # fmt: skip
        actionable_events=tuple(
            f"{e.event.gene} {e.event.alteration}" for e in record.actionable_events()
        ),
        not_assessed=tuple(sorted({str(m["item"]) for m in record.missing})),
        indeterminate_events=tuple(
            f"{e.event.gene} {e.event.alteration}" for e in record.indeterminate_events()
        ),
        rule_set_version=record.rule_set_version,
        genome_build=record.provenance.genome_build,
        specimen_id=record.specimen.specimen_id,
        accession=record.specimen.accession,
        signoff=record.signoff.words(),
    )


def jsonl_line(assignment_json: str) -> str:
    r"""One ``batch/assignments.jsonl`` line: the patient's ``assignment.json`` text itself with
    its line breaks removed (JSON keeps line breaks only between tokens, never inside a string),
    so the LIMS file holds exactly the documents the patients' folders hold (schema
    ``armmatch.assignment/1``, ``workflow/schemas/assignment.schema.json``).

    >>> jsonl_line('{\n "a": [\n  1,\n  "x\\ny"\n ]\n}\n')
    '{ "a": [  1,  "x\\ny" ]}\n'
    """
    return assignment_json.replace("\r", "").replace("\n", "") + "\n"


def assignments_tsv(records: Iterable[AssignmentRecord]) -> str:
    """``batch/assignments.tsv``: one row per patient, sorted by patient_id."""
    rows = sorted((batch_row(r) for r in records), key=lambda r: r.patient_id)
    lines = ["\t".join(BATCH_COLUMNS)]
    lines += ["\t".join(tsv_cell(getattr(r, c)) for c in BATCH_COLUMNS) for r in rows]
    return "\n".join(lines) + "\n"
