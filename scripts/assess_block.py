"""Snakemake adapter: one block of patients -> each patient's assignment, events table, report
and log; the block manifest (armmatch.run.blocks)."""

from armmatch.run.steps import run_block_job, run_step

sm = snakemake  # type: ignore[name-defined]  # noqa: F821


def main() -> None:
    run_block_job(
        block=sm.wildcards.block,
        members=sm.params.members,
        builds=sm.params.builds,
        sheet=sm.params.sheet,
        config=sm.config,
        rules_path=sm.input.rules,
        table1_path=sm.input.table1,
        drugs_path=sm.input.drugs,
        outdir=sm.config["outdir"],
        manifest_path=sm.output.manifest,
        reports_dir=sm.output.reports,
        knowledge_path=sm.input.knowledge,
        threads=sm.threads,
    )


run_step(sm.log[0], main)
