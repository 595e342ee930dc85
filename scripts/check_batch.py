"""Snakemake adapter: fail the run, naming each failed patient, once the summary is written."""

from armmatch.run.steps import check_batch, run_step

sm = snakemake  # type: ignore[name-defined]  # noqa: F821

run_step(sm.log[0], lambda: check_batch(list(sm.input.blocks), sm.output[0], sm.input.tsv))
