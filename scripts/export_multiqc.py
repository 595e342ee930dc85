"""Snakemake adapter: every assignment.json -> batch/armmatch_mqc.yaml (MultiQC custom content)."""

from armmatch.run.steps import export_multiqc, run_step

sm = snakemake  # type: ignore[name-defined]  # noqa: F821

run_step(
    sm.log[0], lambda: export_multiqc(list(sm.input.blocks), sm.config["outdir"], sm.output[0])
)
