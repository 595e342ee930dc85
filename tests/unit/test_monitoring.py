"""Simon monitoring rows and their place in the batch summary."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from armmatch.followup.monitoring import monitoring_rows, resistance_rows, stage_decision
from armmatch.followup.resistance import ONGOING, Outcome
from armmatch.followup.simon import design_properties
from armmatch.report.summary import summary_html

MINIMAX = design_properties(0.05, 0.25, 0, 12, 2, 16)


@pytest.mark.parametrize(
    ("responders", "decision"),
    [
        ([False] * 5, "stage 1 in progress"),
        ([], "stage 1 in progress"),
        ([False] * 12, "stop for futility"),
        ([False] * 12 + [True] * 3, "stop for futility"),  # stage 1 decides
        ([True] + [False] * 2, "continue to stage 2"),  # more than r1 already
        ([False] * 11 + [True], "continue to stage 2"),
        ([False] * 11 + [True] + [False] * 4, "not promising"),  # 1 of 16
        ([True] + [False] * 10 + [True] + [False] * 4, "not promising"),  # 2 of 16 (r = 2)
        ([True] + [False] * 10 + [True] + [False] * 3 + [True], "promising"),  # 3 of 16
        ([True, True, True], "promising"),  # decided early: more than r responses
        ([True] * 2 + [False] * 14 + [True], "not promising"),  # the 17th does not count
    ],
)
def test_stage_decision(responders: list[bool], decision: str) -> None:
    assert stage_decision(responders, MINIMAX)[0] == decision


def outcome(pid: str, arm: str, day: int, *, responder: bool, evaluable: bool = True,
            unconfirmed: bool = False) -> Outcome:  # fmt: skip
    first = date(2025, 1, 1) + timedelta(days=day)
    return Outcome(pid, arm, "targeted", ONGOING, "r", "continue", None, first,
                   first, None, "PR" if responder else "SD", responder, unconfirmed,
                   evaluable)  # fmt: skip


def test_monitoring_rows_counts_per_arm() -> None:
    arms = ["vemurafenib-BRAF"] * 3 + [None, "imatinib-KIT"]  # each record's arm
    outcomes = [
        outcome("P0", "vemurafenib-BRAF", 3, responder=True),
        outcome("P1", "vemurafenib-BRAF", 1, responder=False, unconfirmed=True),
        outcome("P2", "vemurafenib-BRAF", 2, responder=False, evaluable=False),
        outcome("X", "sintilimab-PD1", 0, responder=False),
    ]
    rows = monitoring_rows(arms, outcomes, MINIMAX)
    by_arm = {r["arm"]: r for r in rows}
    assert list(by_arm) == ["imatinib-KIT", "sintilimab-PD1", "vemurafenib-BRAF"]
    v = by_arm["vemurafenib-BRAF"]
    assert (v["assigned"], v["evaluable"], v["responses"], v["unconfirmed"]) == (3, 2, 1, 1)
    assert v["decision"] == "continue to stage 2" and v["design"] == "0/12, 2/16"
    assert by_arm["sintilimab-PD1"]["assigned"] == 0  # crossover patients count where treated
    assert by_arm["imatinib-KIT"]["decision"] == "stage 1 in progress"


def test_stage_one_uses_first_dose_order() -> None:
    # The responder is the 13th patient by first dose: stage 1 (first 12) had none.
    outcomes = [outcome(f"P{i:02}", "a", i, responder=(i == 12)) for i in range(13)]
    (row,) = monitoring_rows([], outcomes, MINIMAX)
    assert row["stage1_responses"] == 0 and row["decision"] == "stop for futility"


def test_summary_html_renders_monitoring_and_resistance() -> None:
    outcomes = [outcome("P<1>", "vemurafenib-BRAF", 0, responder=True)]
    html = summary_html(
        [], monitoring=monitoring_rows([], outcomes, MINIMAX), resistance=resistance_rows(outcomes)
    )
    assert "<h2>Simon two-stage monitoring</h2>" in html
    assert "Minimax design 0/12, 2/16" in html
    assert "<h2>Resistance and next step</h2>" in html
    assert "The 6-month clock starts at the first dose" in html
    assert "P&lt;1&gt;" in html and "P<1>" not in html
    assert "Simon two-stage monitoring" not in summary_html([])
    assert "No response assessments." in summary_html([], monitoring=[], resistance=[])
