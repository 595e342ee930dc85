"""Simon (1989) two-stage designs: the optimal and the minimax design for one arm.

A two-stage design ``r1/n1, r/n`` treats ``n1`` patients in stage 1 and stops the arm for futility
when ``r1`` or fewer respond; otherwise it treats ``n - n1`` more, and the drug is called promising
when more than ``r`` of all ``n`` patients respond. With ``X1 ~ Bin(n1, p)`` and
``X2 ~ Bin(n - n1, p)``:

* PET(p) = P(X1 <= r1), the probability of early termination;
* EN(p) = n1 + (1 - PET(p)) (n - n1), the expected sample size;
* the probability of calling the drug promising is P(X1 > r1 and X1 + X2 > r); at ``p0`` it is
  the type I error (at most ``alpha``), at ``p1`` it is the power (at least ``power``).

:func:`simon_designs` searches every ``n`` up to ``max_n`` (it does not stop at the first
feasible ``n``), every ``n1 < n`` and every ``r1``; for each it takes the smallest ``r`` that keeps
the type I error at most ``alpha`` (larger ``r`` only lose power and change neither ``n`` nor
``EN``) and keeps the design when its power reaches the target. The *optimal* design has the
smallest EN(p0); the *minimax* design has the smallest ``n``, ties broken by EN(p0) (then by
smaller ``n1``, ``r1``, ``r``). Binomial probabilities use exact integer binomial coefficients
(:func:`math.comb`), or log-space for very large ``n``.

Two prunings keep the search exact and fast: a ``(n, n1, r1)`` whose EN(p0) is already above
the best known is skipped before its ``r`` is searched (neither design can be it), and ``n1``
never exceeds that best EN (EN >= n1).

>>> d = simon_designs(0.05, 0.25, alpha=0.05, power=0.8)
>>> d.minimax.label, d.optimal.label
('0/12, 2/16', '0/9, 2/17')
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from armmatch.errors import InputError

__all__ = ["Design", "SimonResult", "binomial_pmf", "design_properties", "simon_designs"]


@dataclass(frozen=True)
class Design:
    """One two-stage design and its exact operating characteristics."""

    r1: int
    n1: int
    r: int
    n: int
    en_p0: float
    pet_p0: float
    alpha: float
    power: float

    @property
    def label(self) -> str:
        """``r1/n1, r/n`` as Simon's tables write it."""
        return f"{self.r1}/{self.n1}, {self.r}/{self.n}"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "label": self.label}


@dataclass(frozen=True)
class SimonResult:
    """The inputs and the optimal and minimax designs (``None`` when nothing up to ``max_n``)."""

    p0: float
    p1: float
    alpha: float
    power: float
    max_n: int
    optimal: Design | None
    minimax: Design | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "p0": self.p0,
            "p1": self.p1,
            "alpha": self.alpha,
            "power": self.power,
            "max_n": self.max_n,
            "optimal": self.optimal.to_dict() if self.optimal else None,
            "minimax": self.minimax.to_dict() if self.minimax else None,
        }


def binomial_pmf(n: int, p: float) -> list[float]:
    """P(X = k) for k = 0..n, X ~ Bin(n, p); exact coefficients, log-space above n = 1000."""
    if p <= 0.0:
        return [1.0] + [0.0] * n
    if p >= 1.0:
        return [0.0] * n + [1.0]
    q = 1.0 - p
    if n <= 1000:
        return [math.comb(n, k) * p**k * q ** (n - k) for k in range(n + 1)]
    lp, lq, ln = math.log(p), math.log(q), math.lgamma(n + 1)
    return [
        math.exp(ln - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * lp + (n - k) * lq)
        for k in range(n + 1)
    ]


def _survival(pmf: list[float]) -> list[float]:
    """s[k] = P(X > k) for k = 0..n (s[n] = 0)."""
    s = [0.0] * len(pmf)
    acc = 0.0
    for k in range(len(pmf) - 1, -1, -1):
        s[k] = acc
        acc += pmf[k]
    return s


def _reject_prob(pmf1: list[float], surv2: list[float], r1: int, r: int, n1: int, n2: int) -> float:
    """P(X1 > r1 and X1 + X2 > r)."""
    total = 0.0
    for x1 in range(r1 + 1, n1 + 1):
        need = r - x1  # X2 must exceed this
        if need < 0:
            total += pmf1[x1]
        elif need < n2:
            total += pmf1[x1] * surv2[need]
    return total


def design_properties(p0: float, p1: float, r1: int, n1: int, r: int, n: int) -> Design:
    """The exact EN(p0), PET(p0), type I error and power of the design ``r1/n1, r/n``."""
    if not (0 < n1 < n and 0 <= r1 < n1 and r1 <= r < n):
        raise InputError(f"not a two-stage design: {r1}/{n1}, {r}/{n}")
    n2 = n - n1
    b10, b11 = binomial_pmf(n1, p0), binomial_pmf(n1, p1)
    s20, s21 = _survival(binomial_pmf(n2, p0)), _survival(binomial_pmf(n2, p1))
    pet = sum(b10[: r1 + 1])
    return Design(
        r1=r1,
        n1=n1,
        r=r,
        n=n,
        en_p0=n1 + (1.0 - pet) * n2,
        pet_p0=pet,
        alpha=_reject_prob(b10, s20, r1, r, n1, n2),
        power=_reject_prob(b11, s21, r1, r, n1, n2),
    )


def _check_inputs(p0: float, p1: float, alpha: float, power: float, max_n: int) -> None:
    if not 0.0 < p0 < p1 < 1.0:
        raise InputError(f"need 0 < p0 < p1 < 1; got p0={p0}, p1={p1}")
    if not 0.0 < alpha < 1.0:
        raise InputError(f"alpha must be between 0 and 1; got {alpha}")
    if not 0.0 < power < 1.0:
        raise InputError(f"power must be between 0 and 1; got {power}")
    if not 2 <= max_n <= 2000:
        raise InputError(f"max n must be between 2 and 2000; got {max_n}")


def _key_optimal(d: Design) -> tuple[float, int, int, int, int]:
    return (d.en_p0, d.n, d.n1, d.r1, d.r)


def _key_minimax(d: Design) -> tuple[int, float, int, int, int]:
    return (d.n, d.en_p0, d.n1, d.r1, d.r)


# Two designs whose EN(p0) differ by less than this are treated as equal in EN (floating-point
# noise); the remaining tie-breaks (n, n1, r1, r) then decide deterministically.
_EN_TOL = 1e-9


def simon_designs(
    p0: float, p1: float, *, alpha: float = 0.05, power: float = 0.8, max_n: int = 100
) -> SimonResult:
    """The optimal and minimax Simon two-stage designs with total size at most ``max_n``.

    Parameters
    ----------
    p0, p1
        Response rate that is not of interest (null) and the one worth pursuing.
    alpha
        Largest allowed probability of calling the drug promising when the true rate is ``p0``.
    power
        Smallest required probability of calling it promising when the true rate is ``p1``.
    max_n
        Largest total sample size searched.
    """
    _check_inputs(p0, p1, alpha, power, max_n)
    pmf0 = [binomial_pmf(k, p0) for k in range(max_n + 1)]
    pmf1 = [binomial_pmf(k, p1) for k in range(max_n + 1)]
    surv0 = [_survival(b) for b in pmf0]
    surv1 = [_survival(b) for b in pmf1]
    cdf0 = [[sum(b[: k + 1]) for k in range(len(b))] for b in pmf0]

    best_opt: Design | None = None
    best_mm: Design | None = None
    for n in range(2, max_n + 1):
        for n1 in range(1, n):
            bound = best_opt.en_p0 if best_opt else math.inf
            mm_open = best_mm is None or best_mm.n == n
            mm_bound = best_mm.en_p0 if best_mm is not None and best_mm.n == n else math.inf
            if n1 > bound + _EN_TOL and not (mm_open and n1 <= mm_bound + _EN_TOL):
                continue
            n2 = n - n1
            b1_0, b1_1 = pmf0[n1], pmf1[n1]
            s2_0, s2_1 = surv0[n2], surv1[n2]
            for r1 in range(n1):
                pet = cdf0[n1][r1]
                # Power is at most P(X1 > r1 | p1), which falls as r1 grows.
                if 1.0 - sum(b1_1[: r1 + 1]) < power:
                    break
                en = n1 + (1.0 - pet) * n2
                wanted = en <= bound + _EN_TOL or (mm_open and en <= mm_bound + _EN_TOL)
                if not wanted:
                    continue
                r = _smallest_r(b1_0, s2_0, r1, n1, n2, alpha)
                if r is None:
                    continue
                pw = _reject_prob(b1_1, s2_1, r1, r, n1, n2)
                if pw < power:
                    continue
                d = Design(
                    r1=r1,
                    n1=n1,
                    r=r,
                    n=n,
                    en_p0=en,
                    pet_p0=pet,
                    alpha=_reject_prob(b1_0, s2_0, r1, r, n1, n2),
                    power=pw,
                )
                if best_opt is None or _better(_key_optimal(d), _key_optimal(best_opt)):
                    best_opt = d
                if best_mm is None or _better(_key_minimax(d), _key_minimax(best_mm)):
                    best_mm = d
    return SimonResult(p0, p1, alpha, power, max_n, best_opt, best_mm)


def _better(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """``a`` sorts before ``b``, comparing floats (EN) with a small tolerance."""
    for x, y in zip(a, b, strict=True):
        if isinstance(x, float) and abs(x - y) <= _EN_TOL:
            continue
        if x != y:
            return bool(x < y)
    return False


def _smallest_r(
    b1: list[float], s2: list[float], r1: int, n1: int, n2: int, alpha: float
) -> int | None:
    """The smallest r >= r1 with P0(X1 > r1, X1 + X2 > r) <= alpha (binary search; monotone)."""
    lo, hi = r1, n1 + n2 - 1
    if _reject_prob(b1, s2, r1, hi, n1, n2) > alpha:
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if _reject_prob(b1, s2, r1, mid, n1, n2) <= alpha:
            hi = mid
        else:
            lo = mid + 1
    return lo


def format_designs(result: SimonResult) -> str:
    """A readable table of both designs (the ``armmatch simon`` output)."""
    head = (
        f"Simon two-stage designs for p0={result.p0:g}, p1={result.p1:g}, "
        f"alpha={result.alpha:g}, power={result.power:g} (n searched up to {result.max_n})"
    )
    cols = ("design", "r1/n1", "r/n", "EN(p0)", "PET(p0)", "alpha", "power")
    rows: list[tuple[str, ...]] = [cols]
    for name, d in (("minimax", result.minimax), ("optimal", result.optimal)):
        if d is None:
            rows.append((name, "none", "-", "-", "-", "-", "-"))
        else:
            rows.append(
                (
                    name,
                    f"{d.r1}/{d.n1}",
                    f"{d.r}/{d.n}",
                    f"{d.en_p0:.2f}",
                    f"{d.pet_p0:.3f}",
                    f"{d.alpha:.4f}",
                    f"{d.power:.4f}",
                )
            )
    widths = [max(len(r[i]) for r in rows) for i in range(len(cols))]
    lines = [head, ""]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.append("")
    lines.append(
        "Stage 1: treat n1; stop for futility if r1 or fewer respond. Otherwise treat up to n;"
    )
    lines.append("the drug is promising if more than r of the n respond.")
    return "\n".join(lines) + "\n"
