"""Patient blocks (armmatch.run.blocks): membership, fingerprints, reuse, manifests, and the
per-block memo of input digests (armmatch.io.remembered_digests)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from armmatch.io import remembered_digests, sha256_file
from armmatch.run.blocks import (
    FINGERPRINT_FILE,
    LEGACY_FILES,
    PATIENT_FILES,
    MemberResult,
    block_assignments,
    blocks_of,
    fingerprint,
    manifest_tsv,
    patient_paths,
    read_manifest_patients,
    remove_patient_outputs,
    remove_stale_temporaries,
    reusable,
    write_patient,
)


def test_blocks_are_consecutive_rows_and_appending_a_patient_touches_one_block() -> None:
    ids = [f"P{n:03d}" for n in range(7)]
    blocks = blocks_of(ids, 3)
    assert blocks == {
        "00001": ("P000", "P001", "P002"),
        "00002": ("P003", "P004", "P005"),
        "00003": ("P006",),
    }
    grown = blocks_of([*ids, "P007"], 3)
    assert [b for b in grown if grown[b] != blocks.get(b)] == ["00003"]
    with pytest.raises(ValueError):
        blocks_of(ids, 0)


def stamp_for(tmp_path: Path, **changes: object) -> dict[str, object]:
    vcf = tmp_path / "p.vcf"
    if not vcf.exists():
        vcf.write_text("##fileformat=VCFv4.2\n")
    args: dict[str, object] = {
        "row": {"patient_id": "P1", "vcf": str(vcf)},
        "build": "GRCh38",
        "settings": {"min_vaf": 0.05},
        "inputs": [str(vcf)],
        "resources": {"rules": "a" * 64},
        "code": "c" * 64,
    }
    args.update(changes)
    return fingerprint(**args)  # type: ignore[arg-type]


def test_fingerprint_follows_every_dependency(tmp_path: Path) -> None:
    base = stamp_for(tmp_path)
    assert stamp_for(tmp_path)["fingerprint"] == base["fingerprint"]  # deterministic
    for change in (
        {"build": "GRCh37"},
        {"settings": {"min_vaf": 0.1}},
        {"resources": {"rules": "b" * 64}},
        {"code": "d" * 64},
        {"row": {"patient_id": "P1", "vcf": "other.vcf"}},
    ):
        assert stamp_for(tmp_path, **change)["fingerprint"] != base["fingerprint"], change
    (tmp_path / "p.vcf").write_text("##fileformat=VCFv4.3\n")  # the input's content
    assert stamp_for(tmp_path)["fingerprint"] != base["fingerprint"]


def texts() -> dict[str, str]:
    return {name: f"{name} content\n" for name in PATIENT_FILES}


def test_written_patient_is_reusable_until_an_output_changes_or_goes(tmp_path: Path) -> None:
    paths = patient_paths(str(tmp_path), "P1")
    stamp = stamp_for(tmp_path)
    assert not reusable(paths, stamp)  # nothing written yet
    digests = write_patient(paths, texts(), stamp)
    assert digests["report"] == hashlib.sha256(b"report content\n").hexdigest()
    assert reusable(paths, stamp)
    assert not reusable(paths, stamp_for(tmp_path, build="GRCh37"))  # another fingerprint
    Path(paths["events"]).write_text("edited by hand\n")
    assert not reusable(paths, stamp)
    write_patient(paths, texts(), stamp)
    os.unlink(paths["report"])
    assert not reusable(paths, stamp)


def test_fingerprint_file_is_written_last(tmp_path: Path) -> None:
    paths = patient_paths(str(tmp_path), "P1")
    write_patient(paths, texts(), stamp_for(tmp_path))
    fp = Path(paths["assignment"]).parent / FINGERPRINT_FILE
    newest_output = max(os.stat(p).st_mtime_ns for p in paths.values())
    assert os.stat(fp).st_mtime_ns >= newest_output
    recorded = json.loads(fp.read_text())
    assert recorded["outputs"]["assignment"] == sha256_file(paths["assignment"])


def test_failed_patient_and_stale_temporaries_are_removed(tmp_path: Path) -> None:
    paths = patient_paths(str(tmp_path), "P1")
    write_patient(paths, texts(), stamp_for(tmp_path))
    folder = Path(paths["assignment"]).parent
    (folder / ".assignment.json.x1.tmp").write_text("half")
    remove_stale_temporaries(paths)
    assert not list(folder.glob(".*.tmp")) and Path(paths["assignment"]).exists()
    remove_patient_outputs(paths)
    assert not any(Path(p).exists() for p in paths.values())
    assert not (folder / FINGERPRINT_FILE).exists()


def test_an_earlier_versions_evidence_files_go_when_the_patient_is_written_or_fails(
    tmp_path: Path,
) -> None:
    """evidence/{mutation,cnv,fusion}.json are no longer written (assignment.json holds every
    fact they held): a rerun over an older output folder removes them, never anyone else's."""
    paths = patient_paths(str(tmp_path), "P1")
    folder = Path(paths["assignment"]).parent
    evidence = folder / "evidence"
    evidence.mkdir(parents=True)
    for rel in LEGACY_FILES:
        (folder / rel).write_text("{}")
    (evidence / ".cnv.json.9.9.tmp").write_text("half")
    write_patient(paths, texts(), stamp_for(tmp_path))
    assert not evidence.exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*(Path(r).name for r in PATIENT_FILES.values()), FINGERPRINT_FILE]
    )
    evidence.mkdir()
    (evidence / "cnv.json").write_text("{}")
    (evidence / "notes.txt").write_text("a reviewer's own file")
    remove_patient_outputs(paths)
    assert [p.name for p in evidence.iterdir()] == ["notes.txt"]


def test_manifest_round_trip_in_sheet_order(tmp_path: Path) -> None:
    outputs = {name: "0" * 64 for name in PATIENT_FILES}
    results = [
        MemberResult("P2", "computed", "f" * 64, outputs),
        MemberResult("P1", "reused", "e" * 64, outputs),
    ]
    text = manifest_tsv("00001", results)
    assert text.splitlines()[1].split("\t")[:3] == ["00001", "P2", "computed"]
    path = tmp_path / "00001.tsv"
    path.write_text(text)
    assert read_manifest_patients(str(path)) == ["P2", "P1"]
    assert block_assignments([str(path)], "out") == [
        os.path.join("out", "patients", "P1", "assignment.json"),
        os.path.join("out", "patients", "P2", "assignment.json"),
    ]


def test_remembered_digests_hash_an_unchanged_file_once(tmp_path: Path) -> None:
    f = tmp_path / "big.vcf"
    f.write_text("AAAA\n")
    first = sha256_file(f)
    before = os.stat(f)
    with remembered_digests():
        assert sha256_file(f) == first
        # same size and modification time, other bytes: the memo answers from the identity
        f.write_text("CCCC\n")
        os.utime(f, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert sha256_file(f) == first
        f.write_text("CCCCCC\n")  # a real change (size, time): hashed again
        assert sha256_file(f) == hashlib.sha256(b"CCCCCC\n").hexdigest()
    f.write_text("CCCC\n")
    os.utime(f, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert sha256_file(f) == hashlib.sha256(b"CCCC\n").hexdigest()  # outside: no memo


def test_auto_block_size_keeps_at_most_64_blocks_and_changes_only_at_doublings() -> None:
    from armmatch.run.blocks import block_size, blocks_of

    assert block_size(14, "auto") == 50 and block_size(3200, "auto") == 50
    assert [block_size(n, "auto") for n in (3201, 6400, 6401, 10_000, 50_000)] == [
        100,
        100,
        200,
        200,
        800,
    ]
    for n in (1, 49, 3200, 3201, 10_000, 50_000, 500_000):
        assert len(blocks_of([str(i) for i in range(n)], block_size(n, "auto"))) <= 64
    # adding one patient inside a tier moves no patient to another block
    before = blocks_of([str(i) for i in range(5000)], block_size(5000, "auto"))
    after = blocks_of([str(i) for i in range(5001)], block_size(5001, "auto"))
    assert all(after[b] == members for b, members in before.items() if b != max(before))
    assert block_size(10_000, 3) == 3


def test_per_file_state_asks_again_only_when_the_file_or_the_question_changes(
    tmp_path: Path,
) -> None:
    """armmatch.io.per_file_state (the VCF sniff, its header text, the MAF sniff): one answer
    per file state and arguments; a rewritten file, other arguments, a missing file or an
    error are asked afresh."""
    from armmatch.io import per_file_state

    asked: list[tuple[str, int]] = []

    @per_file_state(maxsize=8)
    def first_bytes(path: str | Path, *, n: int = 2) -> bytes:
        asked.append((Path(path).name, n))
        with open(path, "rb") as fh:
            data = fh.read(n)
        if data == b"!!":
            raise ValueError("damaged")
        return data

    f = tmp_path / "a.txt"
    f.write_bytes(b"abc")
    assert first_bytes(f) == first_bytes(str(f)) == b"ab"
    assert first_bytes(f, n=3) == b"abc"
    assert asked == [("a.txt", 2), ("a.txt", 3)]
    f.write_bytes(b"xyzw")  # another size: another state
    assert first_bytes(f) == b"xy" and len(asked) == 3
    with pytest.raises(FileNotFoundError):
        first_bytes(tmp_path / "absent")
    with pytest.raises(FileNotFoundError):
        first_bytes(tmp_path / "absent")
    assert asked[-2:] == [("absent", 2), ("absent", 2)]
    (tmp_path / "bad").write_bytes(b"!!")
    for _ in range(2):
        with pytest.raises(ValueError):
            first_bytes(tmp_path / "bad")
    assert asked[-2:] == [("bad", 2), ("bad", 2)]  # an error is never remembered


@pytest.mark.bad_input
def test_outdir_problem_names_what_cannot_be_written(tmp_path: Path) -> None:
    from armmatch.run.blocks import outdir_problem

    assert outdir_problem(str(tmp_path / "new" / "results")) is None
    afile = tmp_path / "f"
    afile.write_text("x")
    assert "is a file, not a folder" in str(outdir_problem(str(afile / "results")))
    # /proc/1 is not writable, even for root
    assert "cannot be written" in str(outdir_problem("/proc/1/results"))


@pytest.mark.bad_input
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_folder_owned_by_another_user_is_named() -> None:
    """Issue 31: a folder owned by another user (here root's, 0755) is one line. Root may write
    anywhere, so as root the check runs in a forked child that has become ``nobody``."""
    import os
    import tempfile

    from armmatch.run.blocks import outdir_problem

    if os.geteuid() != 0:  # any folder of root's is another user's
        assert "cannot be written" in str(outdir_problem("/root/results"))
        return
    owned = Path(tempfile.mkdtemp(prefix="armmatch-theirs-"))  # tmp_path is 0700: unseen
    owned.chmod(0o755)
    read, write = os.pipe()
    try:
        pid = os.fork()
        if pid == 0:  # the child (os calls only, no lock taken): drop to nobody, ask, report
            try:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
                os.write(write, str(outdir_problem(str(owned / "r"))).encode())
            finally:
                os._exit(0)
        os.close(write)
        os.waitpid(pid, 0)
        with os.fdopen(read) as fh:
            problem = fh.read()
    finally:
        owned.rmdir()
    assert problem.startswith(f"the output folder cannot be written ({owned} is"), problem
    assert "belongs to another user" in problem


@pytest.mark.bad_input
def test_a_full_file_system_is_named_before_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 31: a full disk at start-up is one line, not a traceback mid-batch."""
    import os

    from armmatch.run import blocks

    real = os.statvfs(tmp_path)

    class Full:
        f_bavail, f_frsize = 3, real.f_frsize

    monkeypatch.setattr(blocks.os, "statvfs", lambda _p: Full())
    problem = str(blocks.outdir_problem(str(tmp_path / "results")))
    assert problem.startswith("the output folder's file system is full (")
    assert f"free at {tmp_path}, a batch needs at least 16 MiB to start" in problem
