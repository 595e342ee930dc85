"""Batch-scale behaviour of the workflow: reruns touch only what changed, parse time reads only
the sample sheet (plus config and rule table), per-patient logs stay per patient when patients
run side by side in threads. Timings are measured by bench/bench_batch.py, not here."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.workflow.test_workflow import snakemake

pytestmark = pytest.mark.workflow


def example_copy(work: Path, drop_last: int = 0) -> tuple[Path, list[str]]:
    """The example batch in ``work``; the sheet without its last ``drop_last`` rows.

    Returns the sheet path and the dropped rows.
    """
    shutil.copytree(REPO / "example", work / "example")
    (work / "config").mkdir()
    lines = (REPO / "config" / "samples.tsv").read_text(encoding="utf-8").splitlines()
    kept, dropped = lines[: len(lines) - drop_last], lines[len(lines) - drop_last :]
    sheet = work / "config" / "samples.tsv"
    sheet.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return sheet, dropped


def job_counts(output: str) -> dict[str, int]:
    stats = output.split("Job stats:", 1)[1] if "Job stats:" in output else ""
    return {
        m.group(1): int(m.group(2))
        for m in re.finditer(r"^(\w+)\s+(\d+)$", stats, flags=re.M)
        if m.group(1) != "total"
    }


def test_adding_a_patient_reruns_only_that_patient_and_the_batch(tmp_path: Path) -> None:
    sheet, (new_row,) = example_copy(tmp_path, drop_last=1)
    new_id = new_row.split("\t")[0]
    args = ("--cores", "2", "--config", "samples=config/samples.tsv", "outdir=results")
    snakemake(tmp_path, *args)
    patients = tmp_path / "results" / "patients"
    before = {p: p.stat().st_mtime_ns for p in patients.rglob("*") if p.is_file()}
    assert before and not (patients / new_id).exists()

    with open(sheet, "a", encoding="utf-8") as fh:
        fh.write(new_row + "\n")
    dry = snakemake(tmp_path, *args, "-n")
    assert job_counts(dry.stdout + dry.stderr) == {
        "all": 1,
        "assess_patient": 1,
        "batch_summary": 1,
    }, dry.stdout
    assert f"wildcards: patient={new_id}" in dry.stdout + dry.stderr

    snakemake(tmp_path, *args)
    after = {p: p.stat().st_mtime_ns for p in patients.rglob("*") if p.is_file()}
    assert {p: after[p] for p in before} == before, "another patient's outputs were rewritten"
    assert (patients / new_id / "assignment.json").is_file()
    rows = (tmp_path / "results" / "batch" / "assignments.tsv").read_text().splitlines()
    assert new_id in {r.split("\t")[0] for r in rows[1:]}


def test_each_patient_log_holds_only_that_patient(tmp_path: Path) -> None:
    example_copy(tmp_path)
    snakemake(tmp_path, "--cores", "2", "--config", "samples=config/samples.tsv", "outdir=out")
    logs = sorted((tmp_path / "out" / "logs" / "patients").glob("*.log"))
    assert len(logs) == 14
    for log in logs:
        text = log.read_text(encoding="utf-8")
        assert f"patient {log.stem} " in text
        others = set(re.findall(r"PLT-\d{3}", text)) - {log.stem}
        assert not others, (log.name, others, text)


def test_parse_time_opens_no_patient_input(tmp_path: Path) -> None:
    """A dry run reads the config, the sheet and the rule table, never a VCF, CNV or fusion file
    (audited with a Python audit hook on every file open of the Snakemake process)."""
    example_copy(tmp_path)
    opened = tmp_path / "opened.txt"
    code = f"""
import sys
seen = open({str(opened)!r}, "w")
def hook(event, args):
    if event == "open" and isinstance(args[0], str):
        seen.write(args[0] + "\\n")
sys.addaudithook(hook)
from snakemake.cli import main
sys.argv = ["snakemake", "--snakefile", {str(REPO / "Snakefile")!r}, "--directory",
            {str(tmp_path)!r}, "-n", "--cores", "1",
            "--config", "samples=config/samples.tsv", "outdir=results"]
main()
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    paths = opened.read_text(encoding="utf-8").splitlines()
    assert any(p.endswith("samples.tsv") for p in paths)
    inputs = [p for p in paths if "/example/" in p or p.startswith("example/")]
    assert inputs == [], inputs
