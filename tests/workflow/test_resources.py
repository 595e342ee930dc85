"""Knowledge resources through the real workflow: the manifest check before the first patient,
a custom resource reported as custom, and a whole batch run with the network blocked."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.workflow.test_workflow import SNAKEMAKE

pytestmark = pytest.mark.workflow

# Installed as sitecustomize in every Python process of the run (Snakemake and anything it
# starts): an audit hook records and refuses every DNS lookup and every IP connection.
BLOCKER = """
import sys
_LOG = {log!r}
def _no_network(event, args):
    if event == "socket.getaddrinfo" or (
        event == "socket.connect" and isinstance(args[1], tuple)
    ):
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(f"{{event}} {{args[1:]!r}}\\n")
        raise OSError(f"network blocked by the test: {{event}} {{args[1:]!r}}")
sys.addaudithook(_no_network)
"""


def example_batch(work: Path) -> None:
    shutil.copytree(REPO / "example", work / "example")
    (work / "config").mkdir()
    shutil.copy(REPO / "config" / "samples.tsv", work / "config" / "samples.tsv")


def blocker(tmp_path: Path) -> tuple[dict[str, str], Path]:
    site = tmp_path / "site"
    site.mkdir()
    log = tmp_path / "network.log"
    (site / "sitecustomize.py").write_text(BLOCKER.format(log=str(log)), encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH", "")]))
    return env, log


def test_the_blocker_blocks(tmp_path: Path) -> None:
    """The guard of the offline test can fail: a connection attempt is refused and recorded."""
    env, log = blocker(tmp_path)
    for code in (
        "import socket; socket.socket().connect(('127.0.0.1', 9))",
        "import socket; socket.create_connection(('localhost', 9), timeout=1)",
    ):
        proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        assert proc.returncode != 0 and "network blocked by the test" in proc.stderr
    assert "socket.connect" in log.read_text() and "socket.getaddrinfo" in log.read_text()


def test_batch_runs_offline_with_a_custom_resource(tmp_path: Path) -> None:
    example_batch(tmp_path)
    own = tmp_path / "my_drug_classes.tsv"
    own.write_text((REPO / "resources" / "drug_classes.tsv").read_text() + "# site copy\n")
    env, log = blocker(tmp_path)
    cmd = [
        SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path),
        "--cores", "2", "--config", "samples=config/samples.tsv", "outdir=results",
        f"resources={{drug_classes: {own}}}",
    ]  # fmt: skip
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not log.exists(), log.read_text()
    record = json.loads((tmp_path / "results/patients/PLT-004/assignment.json").read_text())
    knowledge = {r["name"]: r for r in record["provenance"]["knowledge"]["resources"]}
    assert knowledge["drug_classes"]["origin"] == "custom"
    assert knowledge["drug_classes"]["path"] == str(own)
    assert knowledge["rule_table"]["origin"] == "bundled"
    assert knowledge["rule_table"]["version"] == record["provenance"]["rule_set"]["version"]
    html = (tmp_path / "results/patients/PLT-004/report.html").read_text()
    assert 'id="knowledge"' in html and "brca_classifications" in html
    summary = (tmp_path / "results/batch/summary.html").read_text()
    assert summary.count('id="knowledge"') == 1


def test_modified_bundled_resource_stops_before_any_patient(tmp_path: Path) -> None:
    """A copy of the workflow whose bundled hotspot table was edited without a manifest update."""
    code = tmp_path / "armmatch"
    code.mkdir()
    shutil.copy(REPO / "Snakefile", code / "Snakefile")
    for folder in ("workflow", "config", "resources", "scripts"):
        shutil.copytree(REPO / folder, code / folder)
    hotspots = code / "resources" / "hotspots.tsv"
    hotspots.write_text(hotspots.read_text() + "# an unrecorded edit\n")
    work = tmp_path / "work"
    example_batch(work)
    cmd = ["--cores", "2", "--config", "samples=config/samples.tsv", "outdir=results"]
    proc = subprocess.run(
        [SNAKEMAKE, "--snakefile", str(code / "Snakefile"), "--directory", str(work), *cmd],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "hotspots.tsv" in out and "armmatch manifest --update hotspots" in out, out[-3000:]
    assert not list((work / "results").rglob("assignment.json"))
    assert not (work / "results" / "resources.json").exists()
    # recording the edit (the remedy the message names) lets the same run pass the check
    from armmatch.run.cli import main

    assert main(["manifest", "--manifest", str(code / "resources" / "manifest.tsv"),
                 "--update", "hotspots"]) == 0  # fmt: skip
    proc = subprocess.run(
        [SNAKEMAKE, "--snakefile", str(code / "Snakefile"), "--directory", str(work), *cmd,
         "--until", "check_resources"],
        capture_output=True,
        text=True,
        timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (work / "results" / "resources.json").is_file()


@pytest.mark.bad_input
def test_malformed_custom_resource_stops_before_any_patient(tmp_path: Path) -> None:
    example_batch(tmp_path)
    own = tmp_path / "site_hotspots.tsv"
    own.write_text("gene\tprotein\tc_change\tsource\nBRAF\tV600E\tV600E\tsite\n")
    cmd = [
        SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path),
        "--cores", "2", "--config", "samples=config/samples.tsv", "outdir=results",
        f"resources={{hotspots: {own}}}",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert f"{own}, line 2: hotspot row" in out, out[-3000:]
    assert not list((tmp_path / "results").rglob("assignment.json"))
    assert not (tmp_path / "results" / "resources.json").exists()
