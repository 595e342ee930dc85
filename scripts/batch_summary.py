"""Snakemake adapter: every assignment.json -> batch/assignments.{tsv,jsonl} and summary.html.

With a responses table (config ``responses``), the summary also shows each patient's resistance
classification and next step, and every arm's Simon two-stage monitoring.
"""

import json
from pathlib import Path

from armmatch.errors import ConfigError
from armmatch.followup.monitoring import monitoring_rows, resistance_rows
from armmatch.followup.resistance import arm_plan, classify_all
from armmatch.followup.simon import simon_designs
from armmatch.io import atomic_write, write_text_atomic
from armmatch.knowledge.rule_table import load_rules
from armmatch.readers.responses import read_responses
from armmatch.report.record import load_records
from armmatch.report.summary import summary_html
from armmatch.report.tables import assignments_tsv, jsonl_line
from armmatch.run.blocks import block_assignments, block_failures
from armmatch.run.steps import run_step

sm = snakemake  # type: ignore[name-defined]  # noqa: F821


def main() -> None:
    paths = block_assignments(sm.input.blocks, sm.config["outdir"])  # ordered by patient
    records = load_records(paths)
    rules = load_rules(sm.params.rules)
    plan = arm_plan(rules)
    outcomes = []
    for path in sm.input.responses:
        outcomes = classify_all(read_responses(path, arms=plan.arm_types), plan)
    m = sm.params.monitoring
    design = simon_designs(m["p0"], m["p1"], alpha=m["alpha"], power=m["power"], max_n=m["max_n"])
    if design.minimax is None:
        raise ConfigError(
            f"monitoring: no Simon design with n <= {m['max_n']} for {m}", path="config"
        )
    monitoring = monitoring_rows([r.arm for r in records], outcomes, design.minimax)
    with open(sm.input.knowledge, encoding="utf-8") as fh:
        knowledge = json.load(fh)
    write_text_atomic(sm.output.tsv, assignments_tsv(records))
    with atomic_write(sm.output.jsonl) as fh:  # streamed: 10,000 patients are ~500 MB
        for p in paths:
            fh.write(jsonl_line(Path(p).read_text(encoding="utf-8")))
    write_text_atomic(
        sm.output.html,
        summary_html(
            records,
            monitoring=monitoring,
            resistance=resistance_rows(outcomes) if sm.input.responses else None,
            knowledge=knowledge,
            failed=block_failures(sm.input.blocks),
        ),
    )


run_step(sm.log[0], main)
