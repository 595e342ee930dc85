"""Reports rendered from real pipeline records of the example batch: content and escaping."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from armmatch.config import load_config_file, settings_from_config
from armmatch.patient import Patient
from armmatch.readers.sample_sheet import read_sample_sheet
from armmatch.report.html import patient_html
from armmatch.report.summary import summary_html
from armmatch.report.tables import assignments_tsv, events_tsv
from armmatch.run.pipeline import (
    assign_patient,
    detect_copy_number,
    detect_fusions,
    detect_small_variants,
    rule_set,
)
from tests.conftest import REPO

HOSTILE = '<script>alert("x")</script>\t&"quoted"\nnext line' + " very long" * 2000


def _record(patient: Patient) -> dict[str, Any]:
    settings = settings_from_config(load_config_file(REPO / "config" / "config.yaml"))
    rules = rule_set()
    build = patient.genome_build or "GRCh38"
    evidence = [
        detect_small_variants(patient, build=build, rules=rules, settings=settings),
        detect_copy_number(patient, build=build, rules=rules, settings=settings),
        detect_fusions(patient, rules=rules, settings=settings),
    ]
    return assign_patient(
        patient, evidence, rules=rules, settings=settings, build=build, sheet="samples.tsv"
    )


@pytest.fixture(scope="module")
def patients(request: pytest.FixtureRequest) -> dict[str, Patient]:
    import os

    here = os.getcwd()
    os.chdir(REPO)
    try:
        return {p.patient_id: p for p in read_sample_sheet("config/samples.tsv")}
    finally:
        os.chdir(here)


def test_report_shows_decision_evidence_and_provenance(
    patients: dict[str, Patient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    record = _record(patients["PLT-011"])
    html = patient_html(record)
    assert (
        'id="decision"' in html and "TARGETED: almonertinib-EGFR — almonertinib, 110 mg qd" in html
    )
    assert "(rule EGFR-ex19del, line " in html  # the rule that fired, with its table line
    assert "palbociclib-CDK4" in html and "lower priority" in html
    assert record.provenance.rule_set["sha256"] in html
    assert "<svg" in html and "copy number per target gene" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")  # no external assets
    assert record.clinical["purity"] == 0.8


def test_hostile_free_text_is_escaped_everywhere(
    patients: dict[str, Patient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    p = dataclasses.replace(
        patients["PLT-008"],
        tumour_type="C49|" + HOSTILE.replace("\n", " ").replace("\t", " "),
        prior_therapies=(HOSTILE,),
        arm_override="sintilimab-PD1",
        override_reason=HOSTILE,
    )
    record = _record(p)
    for html in (patient_html(record), summary_html([record])):
        assert "<script>alert" not in html  # the summary's own sort script is the only <script>
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    for tsv in (assignments_tsv([record]), events_tsv(record)):
        for line in tsv.splitlines():
            assert len(line.split("\t")) == len(tsv.splitlines()[0].split("\t"))
    assert json.loads(json.dumps(record.to_dict()))["override"]["reason"] == HOSTILE


def test_the_typed_record_reads_back_losslessly(
    patients: dict[str, Patient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15: assignment.json is the typed record's to_dict; reading it back (as the batch
    summary does for reused patients) gives the same record and the same document."""
    from armmatch.report.record import AssignmentRecord, dumps_json

    monkeypatch.chdir(REPO)
    for pid in ("PLT-001", "PLT-006", "PLT-007", "PLT-009"):
        record = _record(patients[pid])
        back = AssignmentRecord.from_dict(json.loads(dumps_json(record)))
        assert back == record, pid
        assert dumps_json(back) == dumps_json(record)
        assert back.events[0].event_id == "E1" and back.arms and back.exclusions
    with pytest.raises(KeyError):
        AssignmentRecord.from_dict({**record.to_dict(), "provenance": {}})
