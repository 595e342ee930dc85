"""Many patients per Snakemake job, with per-patient outputs, logs and reruns.

At batch scale Snakemake's own per-job cost and a Python start-up per job dominate the work
(README, "Scale"). The workflow therefore runs patients in *blocks*: consecutive rows of the
sample sheet, ``patients_per_job`` at a time (:func:`blocks_of`). Each patient still gets its own
outputs and its own log, and a block job recomputes only the patients whose *fingerprint*
changed: the sha256 of everything the patient's outputs depend on (its sheet row, genome build,
settings, input files, resource files and armmatch's own code). A patient whose outputs exist
with the same fingerprint is reused byte for byte; adding one patient to a sheet therefore
computes only that patient (and the batch summary).

Each block writes a manifest (``blocks/<block>.tsv``): every member, whether it was computed or
reused, its fingerprint and the sha256 of each of its outputs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from armmatch import __version__
from armmatch.errors import ArmmatchError
from armmatch.io import sha256_file, tsv_cell, tsv_value, write_text_atomic
from armmatch.paths import PACKAGE_DIR

log = logging.getLogger(__name__)

FINGERPRINT_FILE = "fingerprint.json"
"""Per patient, beside its outputs: the fingerprint and what it was computed from."""

PATIENT_FILES = {
    "assignment": "assignment.json",
    "events": "events.tsv",
    "report": "report.html",
}
"""Each patient's outputs, relative to ``<outdir>/patients/<patient>/``."""

LEGACY_FILES = ("evidence/mutation.json", "evidence/cnv.json", "evidence/fusion.json")
"""Outputs of earlier versions (every fact they held is in ``assignment.json``): removed when
their patient is written or fails, so that no stale copy sits beside a new record."""

_CODE_DIR = PACKAGE_DIR


def block_id(index: int) -> str:
    """The name of the ``index``-th block (0-based): ``00001``, ``00002``, ..."""
    return f"{index + 1:05d}"


AUTO_BLOCK = 50
AUTO_MAX_BLOCKS = 64


def block_size(patients: int, setting: int | str) -> int:
    """Patients per block job: the config's number, or for ``auto`` :data:`AUTO_BLOCK` doubled
    until the batch has at most :data:`AUTO_MAX_BLOCKS` blocks. Each Python start-up (about
    0.5 s) then serves many patients at 10,000 patients, while the layout, which depends only on
    the patient count, changes only when the count crosses a doubling (50 up to 3,200 patients,
    100 up to 6,400, 200 up to 12,800 ...): adding a patient still reruns one block.

    >>> block_size(14, "auto"), block_size(3200, "auto"), block_size(3201, "auto"), block_size(10_000, "auto")
    (50, 50, 100, 200)
    >>> block_size(10_000, 7)
    7
    """
    if setting != "auto":
        return int(setting)
    size = AUTO_BLOCK
    while -(-patients // size) > AUTO_MAX_BLOCKS:
        size *= 2
    return size


def blocks_of(patient_ids: Sequence[str], per_job: int) -> dict[str, tuple[str, ...]]:
    """Consecutive sheet rows, ``per_job`` at a time, keyed by :func:`block_id`.

    >>> blocks_of(["a", "b", "c"], 2)
    {'00001': ('a', 'b'), '00002': ('c',)}
    """
    if per_job < 1:
        raise ValueError("per_job must be >= 1")
    return {
        block_id(k): tuple(patient_ids[start : start + per_job])
        for k, start in enumerate(range(0, len(patient_ids), per_job))
    }


def patient_paths(outdir: str, patient: str) -> dict[str, str]:
    """The output paths of ``patient`` keyed as :data:`PATIENT_FILES`."""
    base = os.path.join(outdir, "patients", patient)
    return {name: os.path.join(base, rel) for name, rel in PATIENT_FILES.items()}


def code_digest() -> str:
    """sha256 over armmatch's own source files: a code change recomputes every patient."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(_CODE_DIR.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json", ".yaml", ".css", ".js", ".html"):
            h.update(str(path.relative_to(_CODE_DIR)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def fingerprint(
    *,
    row: Mapping[str, str],
    build: str,
    settings: Mapping[str, Any],
    inputs: Iterable[str],
    resources: Mapping[str, str],
    code: str,
) -> dict[str, Any]:
    """What one patient's outputs depend on, and its sha256 (``fingerprint``).

    ``resources``: sha256 of each resource by role (rule table, Table 1, ...), so the same
    resources give the same fingerprint wherever they and the outputs lie.
    """
    parts: dict[str, Any] = {
        "armmatch": __version__,
        "code_sha256": code,
        "build": build,
        "sheet_row": dict(sorted(row.items())),
        "settings": settings,
        "inputs": {p: sha256_file(p) for p in sorted(set(inputs))},
        "resources": dict(sorted(resources.items())),
    }
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return {"fingerprint": hashlib.sha256(text.encode()).hexdigest(), **parts}


def reusable(paths: Mapping[str, str], stamp: Mapping[str, Any]) -> dict[str, str] | None:
    """The recorded output checksums when the outputs at ``paths`` were made from exactly
    ``stamp`` and are all present and intact; else None (the patient must be computed)."""
    fp_path = Path(paths["assignment"]).parent / FINGERPRINT_FILE
    try:
        old = json.loads(fp_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if old.get("fingerprint") != stamp["fingerprint"]:
        return None
    recorded: dict[str, str] = old.get("outputs", {})
    for name, path in paths.items():
        if not os.path.isfile(path) or recorded.get(name) != sha256_file(path):
            return None
    return recorded


@dataclass(frozen=True)
class MemberResult:
    """What a block job did for one patient."""

    patient: str
    action: str  # "computed" | "reused" | "failed"
    fingerprint: str
    outputs: Mapping[str, str]  # name -> sha256
    error: str = ""
    report_name: str = ""  # the report's name in the block's reports folder (not when failed)


def write_patient(
    paths: Mapping[str, str], texts: Mapping[str, str], stamp: Mapping[str, Any]
) -> dict[str, str]:
    """Write one patient's outputs (each atomically), then its fingerprint file last.

    The fingerprint is written only after every output, so an interrupted write is never
    mistaken for a complete, reusable patient. The files are not synced one by one: the block
    job syncs once before its manifest (:func:`sync_block`); after a power loss before that, the
    block reruns and a file that did not reach the disk fails its recorded sha256
    (:func:`reusable`), so its patient is computed again.
    """
    remove_legacy_outputs(paths)
    digests = {}
    for name in PATIENT_FILES:
        write_text_atomic(paths[name], texts[name], durable=False)
        digests[name] = hashlib.sha256(texts[name].encode("utf-8")).hexdigest()
    fp_path = Path(paths["assignment"]).parent / FINGERPRINT_FILE
    write_text_atomic(fp_path, json.dumps({**stamp, "outputs": digests}, indent=1, sort_keys=True),
                      durable=False)  # fmt: skip
    return digests


def sync_block() -> None:
    """Make every file the block wrote durable: one sync for the block, before its manifest."""
    os.sync()


def remove_patient_outputs(paths: Mapping[str, str]) -> None:
    """Remove a failed patient's outputs (and fingerprint): nothing stale may look current."""
    for path in [*paths.values(), str(Path(paths["assignment"]).parent / FINGERPRINT_FILE)]:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    remove_legacy_outputs(paths)


def remove_legacy_outputs(paths: Mapping[str, str]) -> None:
    """Remove an earlier version's :data:`LEGACY_FILES` of the patient (and their folder when
    that leaves it empty; a file of anyone else's in it stays). One ``stat`` when there are none."""
    base = os.path.dirname(paths["assignment"])
    folder = os.path.join(base, os.path.dirname(LEGACY_FILES[0]))
    if not os.path.isdir(folder):
        return
    for rel in LEGACY_FILES:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(base, rel))
    for tmp in Path(folder).glob(".*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    with contextlib.suppress(OSError):
        os.rmdir(folder)


def remove_stale_temporaries(paths: Mapping[str, str]) -> None:
    """Remove temporary files a killed job left beside a patient's outputs (``.<name>.*.tmp``,
    see :func:`armmatch.io.atomic_write`); they are never outputs."""
    folders = {Path(p).parent for p in paths.values()}
    for folder in folders:
        if folder.is_dir():
            for tmp in folder.glob(".*.tmp"):
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()


def manifest_tsv(block: str, results: Sequence[MemberResult]) -> str:
    """The block manifest: one row per member, in sheet order. A failed patient's row has the
    action ``failed``, no checksums, and its error (one line) in the last column."""
    head = ["block", "patient", "action", "fingerprint", *[f"{n}_sha256" for n in PATIENT_FILES],
            "error"]  # fmt: skip
    lines = ["\t".join(head)]
    for r in results:
        outputs = [r.outputs.get(n, "") for n in PATIENT_FILES]
        error = tsv_cell(" ".join(r.error.split()))  # one line, no tabs, never a formula
        lines.append("\t".join([block, r.patient, r.action, r.fingerprint, *outputs, error]))
    return "\n".join(lines) + "\n"


def read_manifest(path: str) -> list[tuple[str, str, str]]:
    """``(patient, action, error)`` for every member of a block manifest, in sheet order."""
    with open(path, encoding="utf-8") as fh:
        rows = [line.rstrip("\n").split("\t") for line in fh]
    head = rows[0] if rows else []
    err = head.index("error") if "error" in head else None
    return [
        (r[1], r[2], tsv_value(r[err]) if err is not None and len(r) > err else "")
        for r in rows[1:]
        if len(r) > 2
    ]


def read_manifest_patients(path: str) -> list[str]:
    """The patients of a block manifest that have outputs (not failed), in sheet order."""
    return [p for p, action, _ in read_manifest(path) if action != "failed"]


def block_assignments(manifests: Iterable[str], outdir: str) -> list[str]:
    """Every assessed patient's ``assignment.json`` of the block manifests, ordered by patient."""
    patients = sorted(p for m in manifests for p in read_manifest_patients(m))
    return [patient_paths(outdir, p)["assignment"] for p in patients]


def block_failures(manifests: Iterable[str]) -> list[tuple[str, str]]:
    """``(patient, error)`` of every failed patient of the block manifests, by patient."""
    return sorted(
        (p, e) for m in manifests for p, action, e in read_manifest(m) if action == "failed"
    )


class BlockError(ArmmatchError):
    """One or more patients of a block failed; every other patient of the block was written."""


def outdir_problem(outdir: str) -> str | None:
    """Why the output folder cannot be written, from the file system's answer only (nothing is
    created: a dry run writes nothing), or None."""
    path = os.path.abspath(outdir)
    probe = path
    while not os.path.exists(probe):
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    if not os.path.isdir(probe):
        return (f"the output folder cannot be made: {probe} is a file, not a folder; choose "
                "another outdir (--config outdir=...)")  # fmt: skip
    if not os.access(probe, os.W_OK | os.X_OK):
        return (f"the output folder cannot be written ({probe} is read-only, on a read-only file "
                "system or belongs to another user); choose another outdir (--config outdir=...) "
                "or fix its permissions")  # fmt: skip
    fs = os.statvfs(probe)
    free = fs.f_bavail * fs.f_frsize
    if free < MIN_FREE_BYTES:
        return (f"the output folder's file system is full ({free // 1024} KiB free at {probe}, "
                f"a batch needs at least {MIN_FREE_BYTES // 2**20} MiB to start); free space or "
                "choose another outdir (--config outdir=...)")  # fmt: skip
    return None


MIN_FREE_BYTES = 16 * 2**20
"""Free space below which a run does not start: a patient's outputs are a few hundred KiB, and
a file system this full fails mid-write (each output is written whole or not at all, but the
batch would stop half done)."""
