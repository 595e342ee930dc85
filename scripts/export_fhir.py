"""Snakemake adapter: every assignment.json -> batch/fhir/<patient_id>.json (FHIR R4 bundles)."""

from armmatch.run.steps import export_fhir, run_step

sm = snakemake  # type: ignore[name-defined]  # noqa: F821

run_step(sm.log[0], lambda: export_fhir(list(sm.input.blocks), sm.config["outdir"], sm.output[0]))
