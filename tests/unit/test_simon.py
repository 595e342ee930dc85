"""Simon two-stage designs: published values, exact arithmetic, brute force and properties."""

from __future__ import annotations

import json
import time
from fractions import Fraction
from math import comb
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armmatch.errors import InputError
from armmatch.followup.simon import Design, design_properties, simon_designs
from armmatch.run.cli import main

# Simon (1989), Table 1 (alpha = 0.05, beta = 0.20) and Table 2 (alpha = 0.10, beta = 0.10):
# (p0, p1, alpha, power) -> (optimal label, EN, PET), (minimax label, EN, PET)
PUBLISHED = [
    ((0.05, 0.25, 0.05, 0.8), ("0/9, 2/17", 12.0, 0.63), ("0/12, 2/16", 13.8, 0.54)),
    ((0.10, 0.30, 0.05, 0.8), ("1/10, 5/29", 15.0, 0.74), ("1/15, 5/25", 19.5, 0.55)),
    ((0.20, 0.40, 0.05, 0.8), ("3/13, 12/43", 20.6, 0.75), ("4/18, 10/33", 22.3, 0.72)),
    ((0.30, 0.50, 0.05, 0.8), ("5/15, 18/46", 23.6, 0.72), ("6/19, 16/39", 25.7, 0.67)),
    ((0.05, 0.25, 0.10, 0.9), ("0/9, 2/24", 14.5, 0.63), ("0/13, 2/20", 16.4, 0.51)),
    ((0.10, 0.30, 0.10, 0.9), ("1/12, 5/35", 19.8, 0.66), ("1/16, 4/25", 20.4, 0.51)),
]


def test_protocol_design() -> None:
    d = simon_designs(0.05, 0.25, alpha=0.05, power=0.8)
    assert d.minimax is not None and d.optimal is not None
    assert (d.minimax.r1, d.minimax.n1, d.minimax.r, d.minimax.n) == (0, 12, 2, 16)
    assert (d.optimal.r1, d.optimal.n1, d.optimal.r, d.optimal.n) == (0, 9, 2, 17)


@pytest.mark.parametrize(("inputs", "optimal", "minimax"), PUBLISHED)
def test_published_tables(
    inputs: tuple[float, float, float, float],
    optimal: tuple[str, float, float],
    minimax: tuple[str, float, float],
) -> None:
    p0, p1, alpha, power = inputs
    d = simon_designs(p0, p1, alpha=alpha, power=power)
    for got, (label, en, pet) in ((d.optimal, optimal), (d.minimax, minimax)):
        assert got is not None
        assert got.label == label
        assert round(got.en_p0, 1) == en
        assert round(got.pet_p0, 2) == pet
        assert got.alpha <= alpha and got.power >= power


def _exact_reject(p: Fraction, r1: int, n1: int, r: int, n: int) -> Fraction:
    n2 = n - n1
    total = Fraction(0)
    for x1 in range(r1 + 1, n1 + 1):
        b1 = comb(n1, x1) * p**x1 * (1 - p) ** (n1 - x1)
        tail = sum(
            (comb(n2, x2) * p**x2 * (1 - p) ** (n2 - x2) for x2 in range(n2 + 1) if x1 + x2 > r),
            Fraction(0),
        )
        total += b1 * tail
    return total


def test_operating_characteristics_match_exact_rational_arithmetic() -> None:
    d = design_properties(0.05, 0.25, 0, 12, 2, 16)
    assert d.alpha == pytest.approx(float(_exact_reject(Fraction(1, 20), 0, 12, 2, 16)), abs=1e-14)
    assert d.power == pytest.approx(float(_exact_reject(Fraction(1, 4), 0, 12, 2, 16)), abs=1e-14)
    assert d.pet_p0 == pytest.approx(0.95**12, abs=1e-14)
    assert d.en_p0 == pytest.approx(12 + (1 - 0.95**12) * 4, abs=1e-12)


def _brute_force(p0: float, p1: float, alpha: float, power: float, max_n: int) -> list[Design]:
    """Every feasible design (every n, n1, r1, r), without pruning."""
    out = []
    for n in range(2, max_n + 1):
        for n1 in range(1, n):
            for r1 in range(n1):
                for r in range(r1, n):
                    d = design_properties(p0, p1, r1, n1, r, n)
                    if d.alpha <= alpha and d.power >= power:
                        out.append(d)
    return out


@pytest.mark.parametrize(
    ("p0", "p1", "alpha", "power", "max_n"),
    [(0.05, 0.25, 0.05, 0.8, 20), (0.10, 0.40, 0.10, 0.8, 18), (0.20, 0.50, 0.05, 0.8, 22)],
)
def test_search_agrees_with_brute_force(
    p0: float, p1: float, alpha: float, power: float, max_n: int
) -> None:
    feasible = _brute_force(p0, p1, alpha, power, max_n)
    got = simon_designs(p0, p1, alpha=alpha, power=power, max_n=max_n)
    assert feasible and got.optimal and got.minimax
    best_en = min(d.en_p0 for d in feasible)
    min_n = min(d.n for d in feasible)
    best_mm_en = min(d.en_p0 for d in feasible if d.n == min_n)
    assert got.optimal.en_p0 == pytest.approx(best_en, abs=1e-9)
    assert got.minimax.n == min_n
    assert got.minimax.en_p0 == pytest.approx(best_mm_en, abs=1e-9)


def test_search_does_not_stop_at_the_first_feasible_n() -> None:
    # The optimal design (n = 17) is larger than the minimax one (n = 16).
    d = simon_designs(0.05, 0.25, alpha=0.05, power=0.8, max_n=16)
    assert d.optimal is not None and d.optimal.label == "0/12, 2/16"
    d = simon_designs(0.05, 0.25, alpha=0.05, power=0.8, max_n=17)
    assert d.optimal is not None and d.optimal.label == "0/9, 2/17"


def test_no_design_within_max_n() -> None:
    d = simon_designs(0.05, 0.25, alpha=0.05, power=0.8, max_n=10)
    assert d.optimal is None and d.minimax is None


def test_fast_enough_for_n_up_to_60() -> None:
    start = time.perf_counter()
    simon_designs(0.10, 0.25, alpha=0.05, power=0.8, max_n=60)
    assert time.perf_counter() - start < 3.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"p0": 0.3, "p1": 0.2},
        {"p0": 0.0, "p1": 0.2},
        {"p0": 0.1, "p1": 0.3, "alpha": 1.5},
        {"p0": 0.1, "p1": 0.3, "power": 0.0},
        {"p0": 0.1, "p1": 0.3, "max_n": 1},
    ],
)
def test_bad_inputs(kwargs: dict[str, float]) -> None:
    p0, p1 = kwargs.pop("p0"), kwargs.pop("p1")
    with pytest.raises(InputError):
        simon_designs(p0, p1, **kwargs)  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None)
@given(
    p0=st.floats(min_value=0.05, max_value=0.6),
    delta=st.floats(min_value=0.15, max_value=0.3),
    alpha=st.sampled_from([0.05, 0.1]),
    power=st.sampled_from([0.8, 0.9]),
)
def test_returned_designs_meet_the_constraints(
    p0: float, delta: float, alpha: float, power: float
) -> None:
    p1 = min(p0 + delta, 0.95)
    d = simon_designs(p0, p1, alpha=alpha, power=power, max_n=45)
    if d.minimax is None:
        assert d.optimal is None
        return
    assert d.optimal is not None
    for design in (d.optimal, d.minimax):
        assert design.alpha <= alpha
        assert design.power >= power
        assert 0 <= design.r1 < design.n1 < design.n <= 45 and design.r1 <= design.r < design.n
        again = design_properties(p0, p1, design.r1, design.n1, design.r, design.n)
        assert again.alpha == pytest.approx(design.alpha, abs=1e-12)
        assert again.power == pytest.approx(design.power, abs=1e-12)
        assert again.en_p0 == pytest.approx(design.en_p0, abs=1e-9)
    assert d.minimax.n <= d.optimal.n
    assert d.optimal.en_p0 <= d.minimax.en_p0 + 1e-9


def test_cli_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simon", "--p0", "0.05", "--p1", "0.25", "--alpha", "0.05", "--power", "0.8"]) == 0
    out = capsys.readouterr().out
    assert "minimax  0/12   2/16" in out and "optimal  0/9    2/17" in out
    assert main(["simon", "--p0", "0.05", "--p1", "0.25", "--json", "--max-n", "20"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["minimax"]["label"] == "0/12, 2/16" and data["optimal"]["label"] == "0/9, 2/17"
    assert data["minimax"]["pet_p0"] == pytest.approx(0.95**12)


def test_cli_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simon", "--p0", "0.3", "--p1", "0.2"]) == 1
    assert "p0" in capsys.readouterr().err
    assert main(["simon", "--p0", "0.05", "--p1", "0.25", "--max-n", "10"]) == 1
    assert "none" in capsys.readouterr().out


def test_a_batch_summary_without_a_simon_design_stops_before_writing(tmp_path: Path) -> None:
    """armmatch.run.steps.batch_summary: monitoring settings no design within max_n can meet
    are a configuration error, and none of the batch tables is written."""
    from armmatch.errors import ConfigError
    from armmatch.paths import RULE_TABLE
    from armmatch.run.steps import batch_summary

    knowledge = tmp_path / "resources.json"
    knowledge.write_text("{}")
    outputs = {k: str(tmp_path / n) for k, n in
               (("tsv", "a.tsv"), ("jsonl", "a.jsonl"), ("html", "s.html"))}  # fmt: skip
    with pytest.raises(ConfigError, match="no Simon design with n <= 5"):
        batch_summary([], str(tmp_path), outputs, rules_path=str(RULE_TABLE), responses=[],
                      monitoring={"p0": 0.05, "p1": 0.25, "alpha": 0.05, "power": 0.8,
                                  "max_n": 5},
                      knowledge_path=str(knowledge))  # fmt: skip
    assert not any(Path(p).exists() for p in outputs.values())
    monitoring = {"p0": 0.05, "p1": 0.25, "alpha": 0.05, "power": 0.8, "max_n": 60}
    assert batch_summary([], str(tmp_path), outputs, rules_path=str(RULE_TABLE), responses=[],
                         monitoring=monitoring, knowledge_path=str(knowledge)) == 0  # fmt: skip
    assert Path(outputs["tsv"]).read_text().startswith("patient_id\t")
    assert Path(outputs["jsonl"]).read_text() == ""
