"""Snakemake adapter: fusion calls of one patient -> evidence JSON ('not assessed' without a file)."""

from armmatch.io import write_text_atomic
from armmatch.pipeline import detect_fusions, rule_set
from armmatch.steps import patient_from_params, run_step, settings

sm = snakemake  # type: ignore[name-defined]  # noqa: F821


def main() -> None:
    patient = patient_from_params(sm.params.patient, sm.params.sheet)
    evidence = detect_fusions(
        patient, rules=rule_set(sm.input.rules), settings=settings(sm.config), build=sm.params.build
    )
    write_text_atomic(sm.output[0], evidence.dumps())


run_step(sm.log[0], main)
