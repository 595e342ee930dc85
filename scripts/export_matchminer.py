"""Snakemake adapter: every assignment.json + the rule table -> batch/matchminer/ (CTML trial,
MatchMiner clinical and genomic documents)."""

from armmatch.run.steps import export_matchminer, run_step

sm = snakemake  # type: ignore[name-defined]  # noqa: F821

run_step(sm.log[0], lambda: export_matchminer(list(sm.input.blocks), sm.config["outdir"],
                                              sm.output[0], rules_path=sm.params.rules,
                                              min_age=int(sm.params.min_age)))  # fmt: skip
