"""The tumour board's sign-off (issue 16): the review file, its checks against the computed
decision, and how the report, the record and the batch tables show it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from armmatch.config import settings_from_config
from armmatch.errors import InputError
from armmatch.io import tsv_value
from armmatch.readers.review import read_reviews
from armmatch.report.html import esc, patient_html
from armmatch.report.record import AssignmentRecord, dumps_json, sign_off
from armmatch.report.summary import summary_html
from armmatch.report.tables import assignments_tsv
from armmatch.run.pipeline import rule_set
from tests.conftest import assign_record, example_patient

HEAD = "patient_id\treviewer\tdate\tdecision\tarm\treason\n"


def _file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "review.tsv"
    path.write_text(HEAD + "".join(r + "\n" for r in rows))
    return path


def _record(pid: str) -> AssignmentRecord:
    return AssignmentRecord.from_dict(
        assign_record(example_patient(pid), settings_from_config({"samples": "s.tsv"})))  # fmt: skip


@pytest.mark.bad_input
@pytest.mark.parametrize(("row", "problem"), [
    ("P1\t\t2026-12-02\taccept\t\t", "reviewer is empty"),
    ("P1\tDr A\t02/12/2026\taccept\t\t", "date '02/12/2026' is not an ISO date"),
    ("P1\tDr A\t2026-12-02\tapprove\t\t", "decision 'approve' is not one of accept, override, defer"),
    ("P1\tDr A\t2026-12-02\toverride\t\tboard", "an override names the arm it assigns"),
    ("P1\tDr A\t2026-12-02\tdefer\t\t", "a deferral says what is awaited"),
    ("P1\tDr A\t2026-12-02\taccept\tvemurafenib-BRAF\t", "only an override names an arm"),
])  # fmt: skip
def test_review_rows_are_checked(tmp_path: Path, row: str, problem: str) -> None:
    path = _file(tmp_path, row)
    with pytest.raises(InputError) as info:
        read_reviews(path)
    assert str(info.value).startswith(f"{path}, line 2") and problem in str(info.value)


@pytest.mark.bad_input
def test_a_patient_reviewed_twice_is_an_error(tmp_path: Path) -> None:
    path = _file(tmp_path, "P1\tDr A\t2026-12-02\taccept\t\t", "P1\tDr B\t2026-12-03\tdefer\t\tIHC")
    with pytest.raises(InputError, match="line 3.*reviewed twice \\(first on line 2\\)"):
        read_reviews(path)


@pytest.mark.bad_input
def test_override_checks_against_the_computed_decision(tmp_path: Path) -> None:
    record, rules = _record("PLT-008"), rule_set()
    reviews = read_reviews(_file(
        tmp_path, "PLT-008\tDr A\t2026-12-02\toverride\tno-such-arm\tx"))  # fmt: skip
    with pytest.raises(InputError) as info:
        sign_off(record, reviews["PLT-008"], rules, source="review.tsv")
    assert "arm_override 'no-such-arm' is not an arm" in str(info.value)
    assert "valid arm ids: alectinib-ALK" in str(info.value) and "line 2" in str(info.value)
    # PLT-008 has no BRAF alteration: an override to vemurafenib needs a reason
    no_reason = read_reviews(
        _file(tmp_path, "PLT-008\tDr A\t2026-12-02\toverride\tvemurafenib-BRAF\t")
    )
    with pytest.raises(InputError, match="override to vemurafenib-BRAF needs a reason"):
        sign_off(record, no_reason["PLT-008"], rules, source="review.tsv")
    reason = read_reviews(_file(
        tmp_path, "PLT-008\tDr A\t2026-12-02\toverride\tvemurafenib-BRAF\toutside lab BRAF V600E"))  # fmt: skip
    signed = sign_off(record, reason["PLT-008"], rules, source="review.tsv")
    assert (signed.status, signed.arm) == (record.status, record.arm)  # the computed decision stays
    assert (
        signed.signoff.computed_arm == "sintilimab-PD1" and signed.signoff.arm == "vemurafenib-BRAF"
    )
    back = json.loads(dumps_json(signed))["signoff"]
    assert back["status"] == "signed" and back["source"] == "review.tsv:2"


def test_report_record_and_tables_show_the_signoff(tmp_path: Path) -> None:
    record, rules = _record("PLT-001"), rule_set()
    unsigned = sign_off(record, None, rules, source="")
    assert "Sign-off: not yet reviewed by the tumour board" in patient_html(unsigned)
    review = read_reviews(_file(tmp_path, "PLT-001\tDr A. Board\t2026-12-02\taccept\t\t"))
    signed = sign_off(record, review["PLT-001"], rules, source=str(tmp_path / "review.tsv"))
    html = patient_html(signed)
    assert "Signed off: accepted by Dr A. Board (2026-12-02)" in html
    assert "computed: targeted, almonertinib-EGFR; review file review.tsv:2" in html
    assert "accepted by Dr A. Board (2026-12-02)" in summary_html([signed, unsigned])
    assert "not yet reviewed" in summary_html([signed, unsigned])


@pytest.mark.bad_input
@pytest.mark.parametrize("value", ['<img src=x onerror=alert(1)>', '=cmd|"/c calc"!A1', "+SUM(1)",
                                   "-1+2", "@x", "'quoted"])  # fmt: skip
def test_hostile_values_in_the_review_file(tmp_path: Path, value: str) -> None:
    review = read_reviews(_file(tmp_path, f"PLT-001\t{value}\t2026-12-02\tdefer\t\t{value}"))
    signed = sign_off(_record("PLT-001"), review["PLT-001"], rule_set(), source="r.tsv")
    for html in (patient_html(signed), summary_html([signed])):
        assert "<img" not in html and esc(value) in html
    head, row = (line.split("\t") for line in assignments_tsv([signed]).splitlines())
    cell = row[head.index("signoff")]
    assert not cell.startswith(("=", "+", "-", "@")) and value in tsv_value(cell)


@pytest.mark.bad_input
def test_a_review_override_cannot_lift_an_eligibility_criterion(tmp_path: Path) -> None:
    """PLT-014 is ineligible (age 16): a review-file override to the PD-1 arm is recorded as
    refused, naming the review row, the patient and the criterion; the report shows it."""
    import dataclasses

    record, rules = _record("PLT-014"), rule_set()
    assert record.status == "ineligible"
    reviews = read_reviews(_file(
        tmp_path, "PLT-014\tDr A\t2026-12-02\toverride\tsintilimab-PD1\tboard waiver"))  # fmt: skip
    signed = sign_off(record, reviews["PLT-014"], rules, source="review.tsv")
    assert (signed.status, signed.arm) == ("ineligible", None)
    assert signed.signoff.decision == "override refused"
    assert signed.signoff.words() == "override to sintilimab-PD1 refused by Dr A (2026-12-02)"
    (line,) = [p for p in signed.provisional if p.startswith("tumour-board override refused")]
    assert (
        "review review.tsv line 2, patient PLT-014" in line and "the patient is ineligible" in line
    )
    doc = json.loads(dumps_json(signed))
    assert doc["signoff"]["decision"] == "override refused"
    html = patient_html(dataclasses.replace(signed))
    assert "override to sintilimab-PD1 refused" in html or "tumour-board override refused" in html
