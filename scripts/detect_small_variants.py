"""Snakemake adapter: small variants of one patient -> evidence JSON."""

from armmatch.io import write_text_atomic
from armmatch.pipeline import detect_small_variants, rule_set
from armmatch.steps import patient_from_params, run_step, settings

sm = snakemake  # type: ignore[name-defined]  # noqa: F821


def main() -> None:
    patient = patient_from_params(sm.params.patient, sm.params.sheet)
    evidence = detect_small_variants(
        patient, build=sm.params.build, rules=rule_set(sm.input.rules), settings=settings(sm.config)
    )
    write_text_atomic(sm.output[0], evidence.dumps())


run_step(sm.log[0], main)
