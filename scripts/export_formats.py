"""Snakemake adapter: every assignment.json -> the exchange formats the config asks for
(batch/fhir/, batch/matchminer/, batch/cbioportal/, batch/armmatch_mqc.yaml)."""

from armmatch.run.steps import export_formats, run_step

sm = snakemake  # type: ignore[name-defined]  # noqa: F821

run_step(sm.log[0], lambda: export_formats(list(sm.input.blocks), sm.config["outdir"],
                                           dict(sm.output.items()), rules_path=sm.params.rules,
                                           min_age=int(sm.params.min_age)))  # fmt: skip
