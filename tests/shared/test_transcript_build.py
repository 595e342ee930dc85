"""Rebuild the bundled transcript tables from ../shared/data and compare them byte for byte."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from armmatch.knowledge.build.transcripts import build_transcript_files
from armmatch.knowledge.transcripts import default_transcripts_path

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "build_transcript_models.py"

pytestmark = pytest.mark.shared


def test_script_rebuilds_the_committed_tables_byte_for_byte(
    shared_data: Path, tmp_path: Path
) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--shared-data",
            str(shared_data),
            "--out-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for build in ("GRCh37", "GRCh38"):
        rebuilt = (tmp_path / f"transcripts.{build}.tsv").read_bytes()
        assert rebuilt == default_transcripts_path(build).read_bytes(), build


def test_builder_is_deterministic(shared_data: Path, tmp_path: Path) -> None:
    first = build_transcript_files(shared_data, tmp_path / "a")
    second = build_transcript_files(shared_data, tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_script_reports_a_missing_input(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--shared-data", str(tmp_path), "--out-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "does not exist" in result.stderr
    assert not list(tmp_path.glob("transcripts.*.tsv"))
