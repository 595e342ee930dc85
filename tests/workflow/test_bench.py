"""The benchmarks under bench/ still run against the current package (tiny sizes: a smoke
test of their code, not a measurement; the figures come from `make bench`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.workflow


def run(script: str, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / script), *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def test_bench_wgs_finds_the_planted_events_in_both_modes(tmp_path: Path) -> None:
    # --no-check: at 5,000 records the timings are noise; a missing planted event still fails
    out = run("bench_wgs.py", "--records", "5000", "--workdir", str(tmp_path), "--no-check")
    assert "5,000    indexed" in out and "5,000  streaming" in out
    assert "MISSING EVENTS" not in out


def test_bench_batch_runs_reruns_and_dry_runs(tmp_path: Path) -> None:
    # its own checks hold at any size: the rerun runs one block and computes one patient
    out = run("bench_batch.py", "--patients", "4", "--dry-patients", "20", "--large", "6",
              "--memory-patients", "30",
              "--workdir", str(tmp_path))  # fmt: skip
    import ast

    jobs = ast.literal_eval(out.split("rerun jobs: ", 1)[1].split("; ", 1)[0])
    assert jobs == {"assess_block": 1, "batch_summary": 1, "exchange_formats": 1, "check_batch": 1,
                    "all": 1}  # fmt: skip
    assert "(00001.tsv): {'reused': 4, 'computed': 1}" in out
    assert "TARGET MISSED" not in out


def test_bench_block_and_scaling_run(tmp_path: Path) -> None:
    out = run(
        "bench_block.py", "--patients", "3", "--repeat", "1", "--workdir", str(tmp_path / "b")
    )
    assert "ms per patient; floor" in out
    out = run(
        "bench_scaling.py", "--small", "0.002", "--workdir", str(tmp_path / "s"), "--no-check"
    )
    for name in ("CNVkit .cnr", "Arriba fusions", "sample sheet"):
        assert out.count(name) == 2
