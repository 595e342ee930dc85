"""Resistance classification, edge cases, next steps and the responses-table loader."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from armmatch.errors import InputError
from armmatch.followup.resistance import (
    NOT_EVALUABLE,
    ONGOING,
    PRIMARY,
    SECONDARY,
    ArmPlan,
    Outcome,
    add_months,
    arm_plan,
    classify_all,
)
from armmatch.knowledge.rule_table import load_rules
from armmatch.readers.responses import read_responses
from tests.conftest import REPO

HEADER = "patient_id\tarm_id\tfirst_dose_date\tassessment_date\tresponse\tconfirmed\tnext_treatment_date\n"


@pytest.fixture(scope="module")
def plan() -> ArmPlan:
    return arm_plan(load_rules(REPO / "resources" / "actionable_targets.tsv"))


def write(tmp_path: Path, rows: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "responses.tsv"
    path.write_text(header + "".join(r + "\n" for r in rows))
    return path


def one(tmp_path: Path, plan: ArmPlan, rows: list[tuple[str, ...]], arm: str = "vemurafenib-BRAF",
        first: str = "2025-01-15", nxt: str = "") -> Outcome:  # fmt: skip
    """One patient's outcome; rows are (assessment_date, response[, confirmed])."""
    lines = [
        "\t".join(["P1", arm, first, r[0], r[1], r[2] if len(r) > 2 else "", nxt]) for r in rows
    ]
    (outcome,) = classify_all(read_responses(write(tmp_path, lines)), plan)
    return outcome


def test_arm_plan_comes_from_the_rule_table(plan: ArmPlan) -> None:
    assert plan.pd1_arm == "sintilimab-PD1"
    assert plan.combination_after == {
        "vemurafenib-BRAF": "vemurafenib-PD1-combination",
        "niraparib-BRCA": "niraparib-PD1-combination",
        "palbociclib-CDK4": "palbociclib-PD1-combination",
        "palbociclib-CDKN2A": "palbociclib-PD1-combination",
    }
    assert plan.arm_types["vemurafenib-PD1-combination"] == "combination"


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(date(2025, 1, 15), 6) == date(2025, 7, 15)
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert add_months(date(2025, 12, 1), 6) == date(2026, 6, 1)


def test_pd_at_first_evaluation_is_primary_and_crosses_over(tmp_path: Path, plan: ArmPlan) -> None:
    o = one(tmp_path, plan, [("2025-03-01", "PD")], arm="almonertinib-EGFR")
    assert o.classification == PRIMARY
    assert "first response evaluation" in o.reason
    assert o.next_arm == "sintilimab-PD1" and "cross over" in o.next_step
    assert o.best_response == "PD" and not o.responder


def test_response_shorter_than_6_months_is_primary(tmp_path: Path, plan: ArmPlan) -> None:
    o = one(tmp_path, plan, [("2025-03-01", "PR", "yes"), ("2025-05-01", "PD")])
    assert o.classification == PRIMARY and o.best_response == "PR" and o.responder
    assert "did not last 6 months from the first dose 2025-01-15" in o.reason
    assert o.next_arm == "sintilimab-PD1"


@pytest.mark.parametrize(
    ("first", "progression", "expected"),
    [
        ("2025-01-15", "2025-07-15", SECONDARY),  # exactly the 6-month mark: >= 6 months
        ("2025-01-15", "2025-07-14", PRIMARY),  # one day short
        ("2025-08-31", "2026-02-28", SECONDARY),  # month-end clamp: the mark is 28 February
        ("2025-08-31", "2026-02-27", PRIMARY),
    ],
)
def test_exactly_six_months(
    tmp_path: Path, plan: ArmPlan, first: str, progression: str, expected: str
) -> None:
    o = one(tmp_path, plan, [("2025-12-01" if first > "2025-06" else "2025-03-01", "SD"),
                             (progression, "PD")], first=first)  # fmt: skip
    assert o.classification == expected
    assert o.six_month_date == add_months(date.fromisoformat(first), 6)


def test_secondary_on_vemurafenib_goes_to_its_combination_arm(
    tmp_path: Path, plan: ArmPlan
) -> None:
    o = one(tmp_path, plan, [("2025-03-01", "PR", "yes"), ("2025-09-01", "PD")])
    assert o.classification == SECONDARY
    assert o.next_arm == "vemurafenib-PD1-combination"
    assert "within 30 days of progression (by 2025-10-01)" in o.next_step


def test_combination_arm_ids_are_data_not_constants(tmp_path: Path) -> None:
    custom = ArmPlan({"vemurafenib-BRAF": "targeted"}, "pd1", {"vemurafenib-BRAF": "my-combo"})
    o = one(tmp_path, custom, [("2025-03-01", "SD"), ("2025-09-01", "PD")])
    assert o.next_arm == "my-combo"


@pytest.mark.parametrize("arm", ["almonertinib-EGFR", "imatinib-KIT", "pyrotinib-HER2-mut"])
def test_secondary_on_other_targeted_drugs_is_off_study(
    tmp_path: Path, plan: ArmPlan, arm: str
) -> None:
    o = one(tmp_path, plan, [("2025-03-01", "SD"), ("2025-09-01", "PD")], arm=arm)
    assert o.classification == SECONDARY and o.next_arm is None
    assert o.next_step.startswith("off study")


def test_other_treatment_after_progression_closes_the_combination(
    tmp_path: Path, plan: ArmPlan
) -> None:
    o = one(tmp_path, plan, [("2025-03-01", "SD"), ("2025-09-01", "PD")], nxt="2025-09-10")
    assert o.classification == SECONDARY and o.next_arm is None
    assert "another treatment started on 2025-09-10" in o.next_step


def test_other_treatment_before_progression_is_not_evaluable(tmp_path: Path, plan: ArmPlan) -> None:
    o = one(tmp_path, plan, [("2025-03-01", "SD"), ("2025-09-01", "PD")], nxt="2025-08-01")
    assert o.classification == NOT_EVALUABLE and "before any progression" in o.reason


def test_missing_first_dose_is_not_evaluable(tmp_path: Path, plan: ArmPlan) -> None:
    o = one(tmp_path, plan, [("2025-03-01", "PR", "yes"), ("2025-05-01", "PD")], first="")
    assert o.classification == NOT_EVALUABLE and not o.evaluable
    assert "no first_dose_date" in o.reason and "first dose" in o.next_step
    assert o.six_month_date is None


def test_only_ne_is_not_evaluable(tmp_path: Path, plan: ArmPlan) -> None:
    o = one(tmp_path, plan, [("2025-03-01", "NE")])
    assert o.classification == NOT_EVALUABLE and not o.evaluable


def test_ongoing_response(tmp_path: Path, plan: ArmPlan) -> None:
    o = one(tmp_path, plan, [("2025-03-01", "PR"), ("2025-04-15", "PR")])
    assert o.classification == ONGOING and o.responder and o.best_response == "PR"
    assert o.next_step == "continue on vemurafenib-BRAF"


def test_unconfirmed_pr_counts_as_stable_disease(tmp_path: Path, plan: ArmPlan) -> None:
    o = one(tmp_path, plan, [("2025-03-01", "PR", "no"), ("2025-09-01", "PD")])
    assert o.classification == SECONDARY and o.best_response == "SD"
    assert not o.responder and o.unconfirmed_response
    assert "unconfirmed CR/PR counts as stable disease" in o.reason


def test_pr_confirmed_only_by_a_pr_at_least_28_days_later(tmp_path: Path, plan: ArmPlan) -> None:
    o = one(tmp_path, plan, [("2025-03-01", "PR"), ("2025-03-15", "PR")])
    assert not o.responder and o.best_response == "SD"
    o = one(tmp_path, plan, [("2025-03-01", "PR"), ("2025-03-29", "CR")])
    assert o.responder and o.best_response == "PR"


def test_a_pr_confirmed_only_after_progression_does_not_count(
    tmp_path: Path, plan: ArmPlan
) -> None:
    o = one(tmp_path, plan, [("2025-03-01", "PR"), ("2025-04-01", "PD"), ("2025-05-01", "PR")])
    assert not o.responder and o.classification == PRIMARY


def test_iupd_is_not_progression_until_icpd(tmp_path: Path, plan: ArmPlan) -> None:
    o = one(tmp_path, plan, [("2025-03-01", "iSD"), ("2025-04-01", "iUPD")], arm="sintilimab-PD1")
    assert o.classification == ONGOING and "awaits iCPD" in o.reason
    assert o.progression_date is None


def test_icpd_dates_progression_from_the_first_iupd(tmp_path: Path, plan: ArmPlan) -> None:
    o = one(tmp_path, plan, [("2025-03-01", "iSD"), ("2025-07-10", "iUPD"), ("2025-08-10", "iCPD")],
            arm="sintilimab-PD1")  # fmt: skip
    assert o.progression_date == date(2025, 7, 10)
    assert o.classification == PRIMARY  # 10 July is before the 6-month mark, 15 July
    assert o.next_step.startswith("off study: confirmed progression on the PD-1 arm")


def test_isd_between_iupd_resets_the_run(tmp_path: Path, plan: ArmPlan) -> None:
    o = one(tmp_path, plan, [("2025-03-01", "iUPD"), ("2025-04-01", "iSD"),
                             ("2025-08-01", "iUPD"), ("2025-09-01", "iCPD")],
            arm="sintilimab-PD1")  # fmt: skip
    assert o.progression_date == date(2025, 8, 1)
    assert o.classification == SECONDARY


def test_pd_on_the_pd1_arm_needs_icpd(tmp_path: Path, plan: ArmPlan) -> None:
    o = one(tmp_path, plan, [("2025-03-01", "PD")], arm="sintilimab-PD1")
    assert o.classification == ONGOING
    o = one(tmp_path, plan, [("2025-03-01", "PD"), ("2025-04-01", "iCPD")], arm="sintilimab-PD1")
    assert o.classification == PRIMARY and o.progression_date == date(2025, 3, 1)
    assert o.next_arm is None


def test_progression_on_a_combination_arm_is_off_study(tmp_path: Path, plan: ArmPlan) -> None:
    o = one(tmp_path, plan, [("2025-03-01", "SD"), ("2025-09-01", "PD")],
            arm="vemurafenib-PD1-combination")  # fmt: skip
    assert o.next_step.startswith("off study") and o.next_arm is None


def test_optional_columns_may_be_absent(tmp_path: Path, plan: ArmPlan) -> None:
    path = write(tmp_path, ["P1\tvemurafenib-BRAF\t2025-01-15\t2025-03-01\tSD"],
                 header="patient_id\tarm_id\tfirst_dose_date\tassessment_date\tresponse\n")  # fmt: skip
    (row,) = read_responses(path)
    assert row.confirmed is None and row.next_treatment_date is None


@pytest.mark.parametrize(
    ("rows", "message", "line"),
    [
        (["P1\tvemurafenib-BRAF\t2025-01-15\t2025-13-01\tSD\t\t"], "is not an ISO date", 2),
        (["P1\tvemurafenib-BRAF\t2025-01-15\t2025-03-01\tGOOD\t\t"], "response 'GOOD'", 2),
        (["P1\tno-such-arm\t2025-01-15\t2025-03-01\tSD\t\t"], "not an arm", 2),
        (["P1\tvemurafenib-BRAF\t2025-01-15\t2025-01-01\tSD\t\t"], "before first_dose_date", 2),
        (["P1\tvemurafenib-BRAF\t2025-01-15\t2025-03-01\tPR\tmaybe\t"], "confirmed 'maybe'", 2),
        (["P1\tsintilimab-PD1\t2025-01-15\t2025-03-01\tiUPD\tyes\t"], "iCPD row", 2),
        (["P1\tvemurafenib-BRAF\t2025-01-15\t2025-03-01\tSD\t\t",
          "P1\tvemurafenib-BRAF\t2025-01-16\t2025-04-01\tSD\t\t"], "differs from 2025-01-15", 3),
        (["P1\tvemurafenib-BRAF\t2025-01-15\t2025-03-01\tSD\t\t",
          "P1\tvemurafenib-BRAF\t2025-01-15\t2025-03-01\tPD\t\t"], "appears twice", 3),
        (["P1\tvemurafenib-BRAF\t2025-01-15\t2025-03-01\tSD\t\t2025-05-01",
          "P1\tvemurafenib-BRAF\t2025-01-15\t2025-04-01\tSD\t\t2025-06-01"], "next_treatment_date", 3),
        (["P1\tvemurafenib-BRAF\t2025-01-15\t\tSD\t\t"], "empty assessment_date", 2),
        (["P1\tvemurafenib-BRAF\t2025-01-15\t2025-03-01\tSD"], "cells", 2),
    ],
)  # fmt: skip
def test_loader_names_file_line_and_patient(
    tmp_path: Path, plan: ArmPlan, rows: list[str], message: str, line: int
) -> None:
    path = write(tmp_path, rows)
    with pytest.raises(InputError) as err:
        read_responses(path, arms=plan.arm_types)
    text = str(err.value)
    assert text.startswith(f"{path}, line {line}")
    assert message in text
    if "cells" not in message:
        assert "(patient P1)" in text


def test_loader_header_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path, [], header="patient_id\tarm\tfirst_dose_date\tassessment_date\tresponse\n"
    )
    with pytest.raises(InputError, match=r"line 1: missing column\(s\) 'arm_id'; unknown"):
        read_responses(path)
    with pytest.raises(InputError, match="absent.tsv: file does not exist"):
        read_responses(tmp_path / "absent.tsv")


def test_classify_all_groups_by_patient_and_arm(tmp_path: Path, plan: ArmPlan) -> None:
    rows = [
        "P2\talmonertinib-EGFR\t2025-01-01\t2025-03-01\tPD\t\t",
        "P2\tsintilimab-PD1\t2025-03-20\t2025-05-01\tiPR\tyes\t",
        "P1\tvemurafenib-BRAF\t2025-01-15\t2025-03-01\tSD\t\t",
        "# a comment",
    ]
    outcomes = classify_all(read_responses(write(tmp_path, rows)), plan)
    assert [(o.patient_id, o.arm_id, o.classification) for o in outcomes] == [
        ("P1", "vemurafenib-BRAF", ONGOING),
        ("P2", "almonertinib-EGFR", PRIMARY),
        ("P2", "sintilimab-PD1", ONGOING),
    ]
    assert outcomes[2].responder and outcomes[2].best_response == "PR"
