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
