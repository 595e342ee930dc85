"""Rebuild the Table 1 and criteria resources from the protocol text; compare byte for byte."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from armmatch.knowledge.build.table1 import build_criteria_tsv, build_table1_tsv
from armmatch.knowledge.table1 import default_criteria_path, default_table1_path, load_table1

REPO_ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = REPO_ROOT.parent / "shared" / "protocol" / "000_2bfba5696039a598.txt"
SCRIPT = REPO_ROOT / "scripts" / "build_table1.py"

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def protocol_text() -> str:
    if not PROTOCOL.is_file():
        pytest.skip(f"../shared is absent: {PROTOCOL} not found (needed to rebuild Table 1)")
    return PROTOCOL.read_text(encoding="utf-8")


def test_rebuild_is_byte_identical_to_the_committed_resources(protocol_text: str) -> None:
    table = build_table1_tsv(protocol_text, source=PROTOCOL.name).encode("utf-8")
    criteria = build_criteria_tsv(protocol_text, source=PROTOCOL.name).encode("utf-8")
    assert table == default_table1_path().read_bytes()
    assert criteria == default_criteria_path().read_bytes()


def test_script_writes_the_same_bytes(protocol_text: str, tmp_path: Path) -> None:
    out, criteria = tmp_path / "table1.tsv", tmp_path / "criteria.tsv"
    command = [sys.executable, str(SCRIPT), "--protocol", str(PROTOCOL)]
    command += ["--out", str(out), "--criteria-out", str(criteria)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == default_table1_path().read_bytes()
    assert criteria.read_bytes() == default_criteria_path().read_bytes()


def test_every_system_heading_of_the_protocol_table_appears(protocol_text: str) -> None:
    lines = protocol_text.splitlines()
    start = lines.index(" Table 1 Rare tumour types")
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("*Head and neck"))
    # A heading is "N. Name" (once printed after a stray tier number, "1 12. ...").
    headings = [
        (int(match.group(1)), match.group(2).strip())
        for line in lines[start:end]
        if (match := re.fullmatch(r"(?:1 )?(\d{1,2})\. (\S.*)", line.strip()))
    ]
    assert [number for number, _ in headings] == list(range(1, 13))
    systems = {row.system_number: row.system for row in load_table1()}
    for number, printed in headings:
        assert systems[number].startswith(printed), (number, printed, systems[number])
