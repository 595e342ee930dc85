"""Snakemake adapter: every assignment.json -> batch/assignments.{tsv,jsonl} and summary.html
(with a responses table, resistance and Simon monitoring too: armmatch.run.steps.batch_summary).
"""

from armmatch.run.steps import batch_summary, run_step

sm = snakemake  # type: ignore[name-defined]  # noqa: F821

run_step(sm.log[0], lambda: batch_summary(list(sm.input.blocks), sm.config["outdir"],
                                          dict(sm.output.items()), rules_path=sm.params.rules,
                                          responses=list(sm.input.responses),
                                          monitoring=sm.params.monitoring,
                                          knowledge_path=sm.input.knowledge))  # fmt: skip
