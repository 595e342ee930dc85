"""The installable package (issue 15): a wheel that carries the workflow and its resources.

``python -m build`` makes the wheel; a fresh virtual environment installs it with the pinned
dependencies, the CLI works from there, and the bundled workflow runs the example batch in an
empty folder with the same decisions as the repository's own run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.workflow


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{cmd}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def test_wheel_installs_and_runs_the_bundled_workflow(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    dist = tmp_path / "dist"
    # sdist first, then the wheel from it: no stale build/ folder of the clone can leak in
    _run([sys.executable, "-m", "build", "--outdir", str(dist), str(REPO)], REPO, env)
    (wheel,) = dist.glob("armmatch-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for bundled in ("Snakefile", "config/config.yaml", "resources/manifest.tsv",
                    "resources/transcripts/transcripts.GRCh37.tsv", "workflow/rules/patient.smk",
                    "workflow/schemas/samples.schema.yaml", "scripts/assess_block.py",
                    "example/vcf/PLT-001.vcf.gz"):  # fmt: skip
        assert f"armmatch/_bundled/{bundled}" in names
    assert {"armmatch/report/templates/page.html", "armmatch/report/templates/report.css"} <= names
    assert not any("__pycache__" in n or "/tests/" in n for n in names)
    # exactly the package's modules: nothing stale from an earlier build
    source = {
        p.relative_to(REPO / "src").as_posix() for p in (REPO / "src" / "armmatch").rglob("*.py")
    }
    packaged = {n for n in names if n.endswith(".py") and not n.startswith("armmatch/_bundled/")}
    assert packaged == source

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], tmp_path, env)
    py = str(venv / "bin" / "python")
    _run([py, "-m", "pip", "install", "--quiet", "-c", str(REPO / "constraints.txt"), str(wheel)],
         tmp_path, env)  # fmt: skip
    armmatch = str(venv / "bin" / "armmatch")
    work = tmp_path / "empty"
    work.mkdir()
    # the installed package finds its own bundled files, not the repository's
    where = _run([py, "-c", "import armmatch.paths as p; print(p.BUNDLE_ROOT)"], work, env)
    assert where.stdout.strip().startswith(str(venv))

    rows = _run([armmatch, "manifest"], work, env).stdout.splitlines()
    assert len(rows) >= 10 and all(r.endswith("\tok") for r in rows), rows
    assert any(r.startswith("transcripts_grch37\t") for r in rows)
    simon = _run([armmatch, "simon", "--p0", "0.1", "--p1", "0.3", "--json"], work, env)
    assert json.loads(simon.stdout)["optimal"]
    _run([armmatch, "example", "batch"], work, env)
    batch = work / "batch"
    valid = _run([armmatch, "validate", "--samples", "samples.tsv"], batch, env)
    assert "14 patients valid" in valid.stdout
    _run([armmatch, "run", "--samples", "samples.tsv", "--cores", "2", "--", "--quiet"], batch, env)

    # the same decisions as the repository's own example run
    got = (batch / "results" / "batch" / "assignments.tsv").read_text().splitlines()
    repo_run = tmp_path / "repo_run"
    _run([sys.executable, "-m", "snakemake", "--cores", "2", "--quiet", "--snakefile",
          str(REPO / "Snakefile"), "--directory", str(REPO), "--config",
          f"outdir={repo_run}"], REPO, os.environ.copy())  # fmt: skip
    want = (repo_run / "batch" / "assignments.tsv").read_text().splitlines()
    assert len(got) == 15
    assert got == want
