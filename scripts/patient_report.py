"""Snakemake adapter: assignment.json -> report.html."""

import json

from armmatch.io import write_text_atomic
from armmatch.report import patient_html
from armmatch.steps import run_step

sm = snakemake  # type: ignore[name-defined]  # noqa: F821


def main() -> None:
    with open(sm.input[0], encoding="utf-8") as fh:
        record = json.load(fh)
    write_text_atomic(sm.output[0], patient_html(record))


run_step(sm.log[0], main)
