"""Issue 19: prior therapies as people write them; an unread entry never leaves a patient
silently eligible for the PD-1 arm (Table 2 exclusion 2)."""

from __future__ import annotations

import dataclasses

import pytest

from armmatch.config import settings_from_config
from armmatch.readers.sample_sheet import parse_prior_therapies
from tests.conftest import assign_record, example_patient

pytestmark = pytest.mark.bad_input


def _record(prior: str):  # type: ignore[no-untyped-def]
    patient = dataclasses.replace(example_patient("PLT-008"),
                                  prior_therapies=parse_prior_therapies(prior))  # fmt: skip
    return assign_record(patient, settings_from_config({"samples": "s.tsv"}))


@pytest.mark.parametrize("prior", [
    "nivolumab (Opdivo)", "anti-PD-1 antibody", "pembrolizumab, doxorubicin", "Keytruda® 200 mg",
    "doxorubicin + PD-1 inhibitor", "anti-PD-L1", "Tecentriq",
])  # fmt: skip
def test_a_prior_anti_pd1_in_any_wording_is_exclusion_2(prior: str) -> None:
    record = _record(prior)
    assert record["status"] == "ineligible", prior
    (c,) = [c for c in record["eligibility"]["criteria"] if c["name"] == "no prior anti-PD-1/PD-L1"]
    assert c["status"] == "not met" and "anti-PD-1/PD-L1" in c["detail"]


@pytest.mark.parametrize(("prior", "words"), [
    ("unknown", "'unknown' (the history is unknown)"),
    ("checkpoint inhibitor", "name the drug"),
    ("doxorubicin; ABC-123", "'ABC-123' (not a drug of resources/drug_classes.tsv"),
])  # fmt: skip
def test_an_unread_entry_makes_the_decision_incomplete(prior: str, words: str) -> None:
    record = _record(prior)
    assert (record["status"], record["arm"]) == ("incomplete", None)
    assert words in record["status_reason"]


def test_known_unrelated_drugs_and_none_leave_the_patient_eligible() -> None:
    assert _record("doxorubicin; ifosfamide, 5-FU")["arm"] == "sintilimab-PD1"
    assert _record("none")["arm"] == "sintilimab-PD1"
    # ipilimumab is a checkpoint inhibitor, but anti-CTLA-4: not exclusion 2
    assert _record("ipilimumab")["arm"] == "sintilimab-PD1"


def test_an_override_cannot_lift_an_eligibility_criterion() -> None:
    """A tumour-board override to the PD-1 arm for a patient with a prior pembrolizumab
    (Keytruda): Table 2 exclusion 2 is not waivable by a board, with or without a reason; the
    request and why it was not applied are recorded, naming the patient and the sheet row."""
    base = dataclasses.replace(example_patient("PLT-008"), prior_therapies=("Keytruda",),
                               arm_override="sintilimab-PD1")  # fmt: skip
    settings = settings_from_config({"samples": "s.tsv"})
    for reason in (None, "board 2026-12-01: waiver"):
        doc = assign_record(dataclasses.replace(base, override_reason=reason), settings)
        assert (doc["status"], doc["arm"], doc["override"]) == ("ineligible", None, None)
        (refused,) = [
            p for p in doc["provisional"] if p.startswith("tumour-board override refused")
        ]
        assert "to sintilimab-PD1" in refused and "the patient is ineligible" in refused
        assert "never lifts a Table 2 criterion or a study exclusion" in refused
        assert f"patient PLT-008, samples.tsv line {base.line}" in refused


def test_an_override_naming_an_exclusion_group_is_a_clean_error() -> None:
    from armmatch.errors import InputError

    patient = dataclasses.replace(example_patient("PLT-008"), arm_override="exclusion-RET",
                                  override_reason="x")  # fmt: skip
    with pytest.raises(InputError) as info:
        assign_record(patient, settings_from_config({"samples": "s.tsv"}))
    assert "'exclusion-RET' is not an arm a patient can be assigned to" in info.value.problem
    assert "sintilimab-PD1" in info.value.problem and "exclusion-RET," not in info.value.problem


def _waived(waivers: bool, **changes: object):  # type: ignore[no-untyped-def]
    patient = dataclasses.replace(
        example_patient("PLT-008"), prior_therapies=("Keytruda",), arm_override="sintilimab-PD1",
        override_reason="sponsor approval 2026-12-03", eligibility_waiver="PLT-W-0007", **changes)  # fmt: skip
    config = {"samples": "s.tsv", "assignment": {"eligibility_waivers": waivers}}
    return assign_record(patient, settings_from_config(config))


def test_a_documented_waiver_is_a_protocol_deviation_only_when_switched_on() -> None:
    """Issue 31: ``eligibility_waiver`` is off by default: the row is refused with the reason;
    on, the override lifts the Table 2 criterion and the record and page 1 say it is a protocol
    deviation with the waiver id."""
    from armmatch.errors import InputError
    from armmatch.report.html import patient_html
    from armmatch.report.record import AssignmentRecord

    with pytest.raises(InputError) as info:
        _waived(False)
    assert info.value.patient == "PLT-008"
    assert "eligibility_waiver 'PLT-W-0007' is given but eligibility waivers are off" in (
        info.value.problem
    )
    doc = _waived(True)
    assert (doc["status"], doc["arm"]) == ("immunotherapy", "sintilimab-PD1")
    assert doc["override"]["waiver"]["id"] == "PLT-W-0007"
    assert "the patient is ineligible" in doc["override"]["waiver"]["lifted"]
    assert "no prior anti-PD-1/PD-L1" in doc["override"]["waiver"]["lifted"]
    (line,) = [p for p in doc["provisional"] if p.startswith("PROTOCOL DEVIATION")]
    assert "eligibility waiver PLT-W-0007 lets the override to sintilimab-PD1 lift" in line
    assert "patient PLT-008, samples.tsv line" in line
    # the eligibility itself is still recorded as not met: the waiver lifts, it does not rewrite
    assert doc["eligibility"]["status"] == "ineligible"
    html = patient_html(AssignmentRecord.from_dict(doc))
    assert 'id="deviation"' in html and "Protocol deviation: eligibility waiver PLT-W-0007" in html
