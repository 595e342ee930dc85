"""The example batch on a real single-node SLURM cluster, through profiles/slurm.

scripts/slurm_cluster.sh installs Debian's slurmctld/slurmd/munge if needed, configures one node
on this machine and starts the daemons by hand (no systemd). The example batch then runs twice:
locally (`snakemake --cores 2`) and through the SLURM executor plugin with profiles/slurm. Every
file under patients/ and batch/ must be byte-identical between the two runs (logs/ may differ),
and the jobs must really have gone through SLURM (job ids from sbatch, seen by squeue as
COMPLETED, with their SLURM logs). Runs as root (CI) or with passwordless sudo; skipped otherwise.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CLUSTER_SCRIPT = REPO / "scripts" / "slurm_cluster.sh"
COMPARED = ("patients", "batch")

pytestmark = pytest.mark.slurm


def _can_be_root() -> bool:
    if os.geteuid() == 0:
        return True
    if shutil.which("sudo") is None:
        return False
    return subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0


def _cluster_up() -> bool:
    """True when this repository's test cluster (e.g. from `make slurm`) already answers."""
    test_dir = Path(os.environ.get("SLURM_TEST_DIR", "/tmp/armmatch-slurm"))
    if Path("/etc/slurm/slurm.conf").resolve() != (test_dir / "slurm.conf").resolve():
        return False
    if shutil.which("sinfo") is None:
        return False
    done = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    return done.returncode == 0 and "idle" in done.stdout


def _snakemake(*args: str, log: Path) -> subprocess.CompletedProcess[str]:
    """Run snakemake from the repository root with this interpreter; keep its output in log."""
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    log.write_text(done.stdout + done.stderr, encoding="utf-8")
    print(
        f"\n[slurm test] snakemake {' '.join(args)}: rc={done.returncode} "
        f"in {time.monotonic() - start:.0f}s (log: {log})"
    )
    return done


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for sub in COMPARED
        for p in sorted((root / sub).rglob("*"))
        if p.is_file()
    }


@dataclass
class Runs:
    work: Path
    local: subprocess.CompletedProcess[str]
    slurm: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    """Start the cluster, run the example batch locally and through SLURM, stop the cluster."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the SLURM test cluster needs Linux (Debian's slurm-wlm packages)")
    if not _can_be_root():
        pytest.skip(
            "the SLURM test cluster needs root or passwordless sudo: its daemons (munged, "
            "slurmctld, slurmd) run as root and the packages come from apt-get"
        )
    try:
        import snakemake_executor_plugin_slurm  # noqa: F401
    except ImportError:
        pytest.fail(
            "snakemake-executor-plugin-slurm is not installed: it belongs to the test extras "
            "(pip install -c constraints.txt -e .[test])"
        )

    work = tmp_path_factory.mktemp("slurm")
    started_here = not _cluster_up()
    if started_here:
        start = time.monotonic()
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "start"], check=True, timeout=900)
        print(f"\n[slurm test] cluster up in {time.monotonic() - start:.0f}s")
    try:
        local = _snakemake(
            "--cores", "2", "--config", f"outdir={work / 'local'}", log=work / "local.log"
        )
        slurm = _snakemake(
            "--profile",
            "profiles/slurm",
            # The first status check after 2 s instead of the profile's 20 s: a short test.
            "--slurm-init-seconds-before-status-checks",
            "2",
            # SLURM logs of this run in the test's folder, not in the repository's .snakemake.
            "--slurm-logdir",
            str(work / "slurm_logs"),
            "--config",
            f"outdir={work / 'slurm'}",
            log=work / "slurm.log",
        )
        yield Runs(work, local, slurm)
    finally:
        if started_here:
            subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop"], timeout=120)


def test_both_runs_succeed(runs: Runs) -> None:
    for name, run in (("local", runs.local), ("SLURM", runs.slurm)):
        assert run.returncode == 0, f"{name} run failed:\n{(run.stdout + run.stderr)[-4000:]}"


def test_outputs_identical_to_local_run(runs: Runs) -> None:
    local, slurm = _files(runs.work / "local"), _files(runs.work / "slurm")
    assert local, "the local run wrote nothing under patients/ or batch/"
    assert any(name.startswith("patients/") for name in local)
    assert any(name.startswith("batch/") for name in local)
    assert sorted(slurm) == sorted(local), "the two runs wrote different files"
    differing = [name for name in local if local[name] != slurm[name]]
    assert not differing, f"files differ between the local and the SLURM run: {differing}"


def test_jobs_went_through_slurm(runs: Runs) -> None:
    log = runs.slurm.stdout + runs.slurm.stderr
    job_ids = re.findall(r"has been submitted with SLURM jobid (\d+)", log)
    assert job_ids, "no job was submitted with sbatch"
    # slurmctld keeps finished jobs for MinJobAge (300 s): squeue still knows them.
    queue = subprocess.run(
        ["squeue", "--states=all", "--noheader", "--format=%i|%T"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    states = dict(line.split("|", 1) for line in queue.split())
    for job_id in job_ids:
        assert states.get(job_id) == "COMPLETED", f"SLURM job {job_id}: {states.get(job_id)}"
    # profiles/slurm keeps the SLURM log of every job (slurm-keep-successful-logs).
    slurm_logs = list((runs.work / "slurm_logs").rglob("*.log"))
    assert {p.stem for p in slurm_logs} >= set(job_ids)
