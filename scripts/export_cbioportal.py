"""Snakemake adapter: every assignment.json -> batch/cbioportal/<build>/ (a cBioPortal study:
MAF, discrete CNA, structural variants, clinical samples and their meta files)."""

from armmatch.run.steps import export_cbioportal, run_step

sm = snakemake  # type: ignore[name-defined]  # noqa: F821

run_step(sm.log[0], lambda: export_cbioportal(list(sm.input.blocks), sm.config["outdir"],
                                              sm.output[0], rules_path=sm.params.rules))  # fmt: skip
