"""MultiQC custom content (issue 17): multiqc (PyPI) finds armmatch_mqc.yaml and renders it."""

from __future__ import annotations

import dataclasses
import html
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from armmatch.config import settings_from_config
from armmatch.report.multiqc import COLUMNS, custom_content, dumps_custom_content
from armmatch.report.record import AssignmentRecord, SignOff
from tests.conftest import assign_record, example_patient

PATIENTS = [f"PLT-{i:03d}" for i in range(1, 15)]
HOSTILE = 'Dr. O\'Brien: "<script>alert(1)</script>"\t& #1\nnext line'


@pytest.fixture(scope="module")
def records() -> list[AssignmentRecord]:
    settings = settings_from_config({"samples": "s.tsv"})
    out = [
        AssignmentRecord.from_dict(assign_record(example_patient(p), settings)) for p in PATIENTS
    ]
    signed = SignOff(status="signed", reviewer=HOSTILE, date="2026-12-01", decision="accept")
    return [dataclasses.replace(out[0], signoff=signed), *out[1:]]


def _multiqc(folder: Path, out: Path) -> subprocess.CompletedProcess[str]:
    multiqc = Path(sys.executable).with_name("multiqc")
    return subprocess.run(
        [str(multiqc), str(folder), "-o", str(out), "--no-version-check", "--no-ai", "--no-ansi",
         "--data-format", "json"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_multiqc_picks_up_and_renders_the_batch(
    records: list[AssignmentRecord], tmp_path: Path
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "armmatch_mqc.yaml").write_text(
        dumps_custom_content(records), encoding="utf-8"
    )
    run = _multiqc(tmp_path / "in", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    assert "armmatch: Found 14 samples" in run.stdout + run.stderr
    html = (tmp_path / "out" / "multiqc_report.html").read_text(encoding="utf-8")
    assert "armmatch: PLATFORM arm assignments" in html
    assert "<script>alert(1)</script>" not in html  # the hostile reviewer name is not markup
    data = json.loads(
        (tmp_path / "out" / "multiqc_data" / "multiqc_data.json").read_text(encoding="utf-8")
    )
    table = data["report_saved_raw_data"]["multiqc_armmatch_assignments"]
    assert set(table) == set(PATIENTS)
    assert table["PLT-001"]["arm"] == "almonertinib-EGFR"
    assert (
        table["PLT-009"]["status"] == "incomplete" and table["PLT-009"]["needs_attention"] == "yes"
    )
    assert table["PLT-001"]["signoff"] == (
        "accepted by Dr. O&#x27;Brien: &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; &amp; "
        "#1 next line (2026-12-01)")  # fmt: skip
    assert table["PLT-006"]["purity"] == pytest.approx(float(records[5].clinical["purity"]))


def test_the_yaml_round_trips_every_value(records: list[AssignmentRecord]) -> None:
    text = dumps_custom_content(records)
    assert yaml.safe_load(text) == custom_content(records)
    signoff = yaml.safe_load(text)["data"]["PLT-001"]["signoff"]
    assert html.unescape(signoff) == f"accepted by {HOSTILE} (2026-12-01)".replace(
        "\t", " "
    ).replace("\n", " ")
    assert list(yaml.safe_load(text)["headers"]) == [c[0] for c in COLUMNS]
    assert dumps_custom_content(records) == text  # deterministic
