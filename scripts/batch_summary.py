"""Snakemake adapter: every assignment.json -> batch/assignments.tsv and batch/summary.html."""

import json

from armmatch.io import write_text_atomic
from armmatch.report import assignments_tsv, summary_html
from armmatch.steps import run_step

sm = snakemake  # type: ignore[name-defined]  # noqa: F821


def main() -> None:
    records = []
    for path in sm.input:
        with open(path, encoding="utf-8") as fh:
            records.append(json.load(fh))
    write_text_atomic(sm.output.tsv, assignments_tsv(records))
    write_text_atomic(sm.output.html, summary_html(records))


run_step(sm.log[0], main)
