"""Faults at the Snakemake level (issue 8): parse-time errors leave nothing behind, a killed run
resumes to exactly the outputs of an uninterrupted one, and concurrent runs do not interfere.

Each test works on its own copy of the example batch in tmp_path.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.workflow

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
TIMEOUT = 900  # seconds: generous, the tests poll for files rather than sleep for fixed times


def command(workdir: Path, outdir: str, *args: str) -> list[str]:
    return [SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
            "--config", "samples=config/samples.tsv", f"outdir={outdir}", *args]  # fmt: skip


def run(workdir: Path, outdir: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:  # fmt: skip
    proc = subprocess.run(command(workdir, outdir, *args), capture_output=True, text=True,
                          timeout=TIMEOUT)  # fmt: skip
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def make_batch(work: Path, copies: int = 1) -> Path:
    """The example batch in ``work``; ``copies`` > 1 adds rows with new patient ids."""
    shutil.copytree(REPO / "example", work / "example")
    (work / "config").mkdir()
    lines = (REPO / "config" / "samples.tsv").read_text().splitlines()
    header, rows = lines[0], [r for r in lines[1:] if r and not r.startswith("#")]
    out = [header, *rows]
    for n in range(1, copies):
        out += [f"C{n}-{r}" for r in rows]  # same files, new ids (warned, not an error)
    (work / "config" / "samples.tsv").write_text("\n".join(out) + "\n")
    return work


def tree(results: Path) -> dict[str, bytes]:
    """Every file under results/patients and results/batch, by relative path."""
    files: dict[str, bytes] = {}
    for sub in ("patients", "batch"):
        for p in sorted((results / sub).rglob("*")):
            if p.is_file():
                files[str(p.relative_to(results))] = p.read_bytes()
    return files


def assignments(results: Path) -> list[Path]:
    return sorted((results / "patients").glob("*/assignment.json"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The outputs of an uninterrupted run of the example batch."""
    work = make_batch(tmp_path_factory.mktemp("reference"))
    run(work, "results", "--cores", "4")
    return tree(work / "results")


# --- parse-time errors: nothing is written -------------------------------------------------------


@pytest.mark.bad_input
@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ("duplicate", "config/samples.tsv, line 3 (patient PLT-001): duplicate patient_id (first on line 2)"),
        ("purity", "config/samples.tsv, line 2 (patient PLT-001): purity '1.5' is not a number in (0, 1]"),
        ("icd10", "config/samples.tsv, line 2 (patient PLT-001): tumour_type 'X17|Adenocarcinoma, NOS': 'X17' is not an ICD-10 C code"),
        ("missing", "config/samples.tsv, line 2 (patient PLT-001): vcf file 'example/vcf/nope.vcf.gz' does not exist"),
        ("outside", "config/samples.tsv, line 2 (patient PLT-001): vcf file "),
        ("dotdot", "config/samples.tsv, line 2 (patient ..): patient_id '..' is not a safe name"),
        ("dot", "config/samples.tsv, line 2 (patient .): patient_id '.' is not a safe name"),
        ("latin1", "config/samples.tsv, line 2: byte 0xe9"),
    ],
)  # fmt: skip
def test_parse_time_errors_leave_no_outputs(tmp_path: Path, edit: str, expected: str) -> None:
    work = make_batch(tmp_path / "w")
    sheet = work / "config" / "samples.tsv"
    lines = sheet.read_text().splitlines()
    first = lines[1].split("\t")
    if edit == "duplicate":
        lines[2] = "\t".join([first[0], *lines[2].split("\t")[1:]])
    elif edit == "purity":
        first[8] = "1.5"
    elif edit == "icd10":
        first[1] = "X17|Adenocarcinoma, NOS"
    elif edit == "missing":
        first[2] = "../example/vcf/nope.vcf.gz"
    elif edit in ("dotdot", "dot"):
        first[0] = ".." if edit == "dotdot" else "."
    elif edit == "outside":
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        shutil.copy(work / "example" / "vcf" / "PLT-001.vcf.gz", elsewhere / "x.vcf.gz")
        first[2] = str(elsewhere / "x.vcf.gz")
    if edit != "duplicate":
        lines[1] = "\t".join(first)
    sheet.write_text("\n".join(lines) + "\n")
    if edit == "latin1":  # a spreadsheet's Latin-1 export
        sheet.write_bytes(sheet.read_bytes().replace(b"Adenocarcinoma", b"Ad\xe9nocarcinoma", 1))
    proc = run(work, "out", "--cores", "2", check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert f"armmatch: {expected}" in out, out
    if edit == "outside":
        assert "outside the allowed input folders" in out and "input_roots" in out
    assert not (work / "out").exists()
    if edit == "outside":  # allowed once its folder is listed in input_roots
        ok = run(work, "out", f"input_roots=[{work},{tmp_path / 'elsewhere'}]", "-n")
        assert ok.returncode == 0


@pytest.mark.bad_input
def test_same_file_for_two_patients_warns_at_parse_time(tmp_path: Path) -> None:
    work = make_batch(tmp_path / "w", copies=2)
    proc = run(work, "out", "-n")
    out = proc.stdout + proc.stderr
    assert (
        "config/samples.tsv: the same file example/vcf/PLT-001.vcf.gz is given for 2 patients: "
        "PLT-001 (vcf), C1-PLT-001 (vcf) (first repeat on line 16)"
    ) in out, out
    # one line per shared file (issue 31), not one per pair
    assert out.count("the same file example/vcf/PLT-001.vcf.gz") == 1, out


# --- a killed run resumes to the same outputs ----------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_killed_run_resumes_to_identical_outputs(
    tmp_path: Path, reference: dict[str, bytes], sig: signal.Signals
) -> None:
    copies = 1
    while True:
        work = make_batch(tmp_path / f"x{copies}", copies=copies)
        n_patients = 14 * copies
        proc = subprocess.Popen(
            command(work, "results", "--cores", "1"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the kill reaches the jobs too
        )
        deadline = time.monotonic() + TIMEOUT
        killed = False
        while time.monotonic() < deadline and proc.poll() is None:
            done = len(assignments(work / "results")) if (work / "results").exists() else 0
            if 3 <= done < n_patients:
                os.killpg(proc.pid, sig)
                killed = True
                break
            time.sleep(0.05)
        proc.wait(timeout=TIMEOUT)
        if killed:
            break
        assert copies < 8, "the run always finished before it could be killed"
        copies *= 2  # finished too fast: try again with a bigger batch
    # On SIGTERM Snakemake deletes the outputs of jobs it had not yet seen finish, so fewer
    # files may remain than were seen; never all of them.
    assert len(assignments(work / "results")) < n_patients
    # the operator's recovery: release the lock, then rerun, redoing incomplete jobs
    run(work, "results", "--unlock")
    run(work, "results", "--cores", "4", "--rerun-incomplete")
    got = tree(work / "results")
    if copies == 1:
        assert got == reference
    else:  # a bigger batch: compare it with its own uninterrupted run
        clean = make_batch(tmp_path / "clean", copies=copies)
        run(clean, "results", "--cores", "4")
        assert got == tree(clean / "results")
    assert not list((work / "results").rglob("*.tmp")), "a temporary file was left behind"


# --- concurrent runs -----------------------------------------------------------------------------


def test_concurrent_runs_into_different_outdirs(
    tmp_path: Path, reference: dict[str, bytes]
) -> None:
    work = make_batch(tmp_path / "w")
    procs = [
        subprocess.Popen(
            command(work, out, "--cores", "2"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        for out in ("run_a", "run_b")
    ]
    logs = [p.communicate(timeout=TIMEOUT)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], logs
    assert tree(work / "run_a") == reference
    assert tree(work / "run_b") == reference


@pytest.mark.bad_input
def test_a_second_run_into_the_same_output_folder_is_refused(tmp_path: Path) -> None:
    """Issue 19: two runs from different working folders into one output folder. The holder's
    lock (pid and host) refuses the second with a message; a dead run's lock is taken over;
    the lock is gone after a run."""
    import json
    import socket

    a, b = make_batch(tmp_path / "a"), make_batch(tmp_path / "b")
    out = tmp_path / "shared-results"
    out.mkdir()
    lock = out / ".armmatch.lock"
    # a live holder on this host (this test's own process)
    lock.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                "since": "2026-12-07T09:00:00+00:00"}))  # fmt: skip
    proc = run(b, str(out), "--cores", "1", check=False)
    assert proc.returncode != 0
    text = proc.stdout + proc.stderr
    assert (
        f"the output folder is in use by the armmatch run with pid {os.getpid()} on host "
        f"{socket.gethostname()} since 2026-12-07T09:00:00+00:00" in text
    )
    assert f"remove {lock} and start again" in text
    assert "Traceback" not in text and not list(out.rglob("assignment.json"))
    # a lock left by a run that died (no such pid) is taken over, and released at the end
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    lock.write_text(json.dumps({"pid": int(dead.stdout), "host": socket.gethostname()}))
    run(a, str(out), "--cores", "2")
    assert len(list(out.rglob("assignment.json"))) == 14
    assert not lock.exists()


@pytest.mark.bad_input
def test_a_formula_in_a_fusion_file_reaches_the_tsvs_as_text(tmp_path: Path) -> None:
    """Issue 19, end to end: a fusion partner named =HYPERLINK(...) never starts a cell of
    events.tsv or assignments.tsv with a formula character; a reader gets it back."""
    from armmatch.io import tsv_value

    work = make_batch(tmp_path / "w")
    hostile = '=HYPERLINK("http://evil.example","x")'
    # PLT-008's fusion calls as a generic table naming a formula as RET's 5' partner
    fusion = work / "example" / "fusions" / "PLT-008.generic.tsv"
    fusion.write_text(f"gene5\tgene3\tframe\tsplit_reads\n{hostile}\tRET\tin-frame\t12\n")
    sheet = work / "config" / "samples.tsv"
    rows = [r.split("\t") for r in sheet.read_text().splitlines()]
    fcol, fmt = rows[0].index("fusions"), rows[0].index("fusion_format")
    for r in rows[1:]:
        if r[0] == "PLT-008":
            r[fcol], r[fmt] = "../example/fusions/PLT-008.generic.tsv", "generic"
    sheet.write_text("\n".join("\t".join(r) for r in rows) + "\n")
    run(work, "out", "--cores", "2", check=False)
    events = (work / "out" / "patients" / "PLT-008" / "events.tsv").read_text().splitlines()
    cells = [c for line in events for c in line.split("\t")]
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]
    assert hostile in [tsv_value(c) for c in cells]
    batch = (work / "out" / "batch" / "assignments.tsv").read_text()
    assert not [
        c for line in batch.splitlines() for c in line.split("\t") if c.startswith(("=", "+", "@"))
    ]


@pytest.mark.bad_input
def test_an_output_folder_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    """Issue 31: an outdir that cannot be created or written (here: below a regular file, as a
    read-only or foreign folder would fail) stops the run with one line naming the folder, not a
    Python traceback."""
    a = make_batch(tmp_path / "a")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    out = blocker / "results"
    proc = run(a, str(out), "--cores", "1", check=False)
    text = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert f"{out}: the output folder cannot be made: {blocker} is a file, not a folder" in text
    assert "choose another outdir" in text and "Traceback" not in text
