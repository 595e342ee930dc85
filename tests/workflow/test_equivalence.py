"""Outputs are byte-identical to those recorded before the package was reorganised (issue 15).

The batch (scripts/equivalence.py) holds the 14 example patients and every input format of
../shared/data on both builds, 200 patients in all; tests/data/equivalence_digests.tsv holds the
sha256 of every file under patients/ and batch/ (the code's own hash removed from
fingerprint.json). A deliberate output change regenerates the digests (the script's docstring).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import load_script

REPO = Path(__file__).resolve().parents[2]
DIGESTS = REPO / "tests" / "data" / "equivalence_digests.tsv"

pytestmark = [pytest.mark.workflow, pytest.mark.shared]


def test_200_patient_batch_is_byte_identical(tmp_path: Path, shared_data: Path) -> None:
    eq = load_script("equivalence")
    eq.build_batch(tmp_path, 200, shared_data)
    rc = eq.run_batch(tmp_path, tmp_path / "out")
    assert rc == 1  # the batch holds patients whose inputs stop them (wrong build, wrong file)
    found = eq.digests(tmp_path / "out")
    assert len(found) > 1000
    assert eq.differences(eq.load_digests(DIGESTS), found) == []


def test_the_comparison_sees_a_changed_byte(tmp_path: Path) -> None:
    eq = load_script("equivalence")
    for side in ("a", "b"):
        (tmp_path / side / "patients" / "P1").mkdir(parents=True)
        (tmp_path / side / "batch").mkdir()
        (tmp_path / side / "patients" / "P1" / "fingerprint.json").write_text(
            f'{{"code_sha256": "{side}", "fingerprint": "{side}", "inputs": {{}}}}'
        )
        (tmp_path / side / "batch" / "assignments.tsv").write_text("patient_id\nP1\n")
    a, b = eq.digests(tmp_path / "a"), eq.digests(tmp_path / "b")
    assert eq.differences(a, b) == []  # the code's hash alone may differ
    (tmp_path / "b" / "batch" / "assignments.tsv").write_text("patient_id\nP2\n")
    (tmp_path / "b" / "batch" / "extra.tsv").write_text("x\n")
    assert eq.differences(a, eq.digests(tmp_path / "b")) == [
        "only in B: batch/extra.tsv",
        "differs: batch/assignments.tsv",
    ]
