"""Snakemake adapter: evidence + clinical fields -> assignment.json and events.tsv."""

from armmatch.io import write_text_atomic
from armmatch.pipeline import assign_patient, load_evidence_files, rule_set
from armmatch.report import dumps_json, events_tsv
from armmatch.steps import patient_from_params, run_step, settings

sm = snakemake  # type: ignore[name-defined]  # noqa: F821


def main() -> None:
    patient = patient_from_params(sm.params.patient, sm.params.sheet)
    record = assign_patient(
        patient,
        load_evidence_files(sm.input.evidence),
        rules=rule_set(sm.input.rules),
        settings=settings(sm.config),
        build=sm.params.build,
        sheet=sm.params.sheet,
        table1_path=sm.input.table1,
        drugs_path=sm.input.drugs,
    )
    write_text_atomic(sm.output.events, events_tsv(record))
    write_text_atomic(sm.output.assignment, dumps_json(record))


run_step(sm.log[0], main)
