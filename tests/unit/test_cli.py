from __future__ import annotations

from pathlib import Path

import pytest

from armmatch.run.cli import main
from tests.conftest import REPO


def test_validate_the_bundled_batch(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    assert main(["validate", "--config", "config/config.yaml"]) == 0
    assert "14 patients valid; rule set 2026.12-2" in capsys.readouterr().out


def test_validate_reports_a_bad_sheet_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "s.tsv"
    sheet.write_text("patient_id\ttumour_type\tvcf\tcolour\nP1\tC49\tx.vcf\tred\n")
    assert main(["validate", "--samples", str(sheet)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{sheet}, line 1: unknown column 'colour'",
                   f"{sheet}, line 2 (patient P1): vcf file '{tmp_path / 'x.vcf'}' does not "
                   "exist (given as 'x.vcf', resolved against the sample sheet's folder)",
                   f"armmatch: 2 problem(s) found in {sheet}; nothing was run"]  # fmt: skip


def test_validate_checks_the_knowledge_resources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    assert main(["validate", "--config", "config/config.yaml"]) == 0
    assert "knowledge resources: manifest 2026.11-1, 13 resources checked (0 custom)" in (
        capsys.readouterr().out
    )
    config = tmp_path / "config.yaml"
    hotspots = tmp_path / "hotspots.tsv"
    hotspots.write_text("gene\tprotein\tsource\nBRAF\tV600E\tsite\n")
    config.write_text(
        (REPO / "config" / "config.yaml")
        .read_text()
        .replace("resources: {}", f"resources: {{hotspots: {hotspots}}}")
    )
    assert main(["validate", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert f"{hotspots}, line 1: the hotspot table lacks column(s) c_change" in err
    assert "armmatch: 1 problem(s) found" in err
