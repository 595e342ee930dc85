"""The purity formula and the copy-number thresholds.

Tumour copy number from a log2 ratio, purity ``p`` and ploidy ``P``:
``CN = (2^r * (p*P + 2*(1 - p)) - 2*(1 - p)) / p`` (:func:`tumour_copy_number`), and the
call (amplification, gain, neutral, loss, homozygous deletion) from the configured thresholds.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from armmatch.events import (
    CnvCall,
)

# --------------------------------------------------------------------------------------------
# Purity formula and thresholds
# --------------------------------------------------------------------------------------------


def check_purity_ploidy(purity: float, ploidy: float) -> None:
    if not (math.isfinite(purity) and 0.0 < purity <= 1.0):
        raise ValueError(f"purity must be in (0, 1], got {purity!r}")
    if not (math.isfinite(ploidy) and ploidy > 0.0):
        raise ValueError(f"ploidy must be > 0, got {ploidy!r}")


def tumour_copy_number(log2: float, purity: float, ploidy: float) -> float:
    """Tumour copy number from a tumour/normal log2 ratio, purity and tumour ploidy.

    Uses ``CN = (2^r * (p*P + 2*(1 - p)) - 2*(1 - p)) / p`` for a diploid normal
    component, where ``r`` is the log2 ratio, ``p`` the purity and ``P`` the tumour ploidy.
    A ratio so low that the formula goes negative (more loss than the normal cells allow, i.e.
    noise at a deletion) is clamped to ``0.0``.

    Parameters
    ----------
    log2
        The segment's log2 copy ratio (finite).
    purity
        Tumour cell fraction, in ``(0, 1]``.
    ploidy
        Tumour ploidy, ``> 0``.

    Returns
    -------
    float
        The tumour copy number, ``>= 0``.

    Raises
    ------
    ValueError
        If ``log2`` is not finite, purity is outside ``(0, 1]`` or ploidy is not positive.

    Examples
    --------
    >>> tumour_copy_number(1.0, 1.0, 2.0)
    4.0
    >>> tumour_copy_number(1.0, 0.5, 2.0)
    6.0
    >>> tumour_copy_number(-5.0, 0.5, 2.0)
    0.0
    """
    check_purity_ploidy(purity, ploidy)
    if not math.isfinite(log2):
        raise ValueError(f"log2 ratio must be finite, got {log2!r}")
    normal = 2.0 * (1.0 - purity)
    cn = (math.pow(2.0, log2) * (purity * ploidy + normal) - normal) / purity
    return max(cn, 0.0)


@dataclass(frozen=True)
class CnvThresholds:
    """Copy-number call thresholds, on the tumour copy-number scale.

    Bands (see :func:`call_copy_number`): ``cn >= amplification`` amplification;
    ``>= review_gain`` indeterminate gain; ``>= gain`` gain; ``> loss`` neutral;
    ``>= review_loss`` loss; ``> homozygous_deletion`` indeterminate loss; otherwise homozygous
    deletion. The values come from the configuration (typical: 6, 4, 2.5, 1.5, 1.0, 0.5).

    Raises
    ------
    ValueError
        If a value is negative or not finite, or the values are not in non-increasing order
        ``amplification >= review_gain >= gain >= loss >= review_loss >= homozygous_deletion``.

    Examples
    --------
    >>> CnvThresholds(6, 4, 2.5, 1.5, 1.0, 0.5).gain
    2.5
    """

    amplification: float
    review_gain: float
    gain: float
    loss: float
    review_loss: float
    homozygous_deletion: float

    def __post_init__(self) -> None:
        names = (
            "amplification", "review_gain", "gain", "loss", "review_loss", "homozygous_deletion",
        )  # fmt: skip
        values = [float(getattr(self, n)) for n in names]
        for name, value in zip(names, values, strict=True):
            if not math.isfinite(value) or value < 0:
                raise ValueError(
                    f"copy-number threshold {name} must be finite and >= 0, got {value!r}"
                )
        pairs = list(zip(names, values, strict=True))
        for (hi_name, hi), (lo_name, lo) in itertools.pairwise(pairs):
            if hi < lo:
                raise ValueError(
                    f"copy-number thresholds out of order: {hi_name} ({hi:g}) < {lo_name} "
                    f"({lo:g}); need amplification >= review_gain >= gain >= loss >= "
                    "review_loss >= homozygous_deletion"
                )

    def describe(self) -> str:
        """The thresholds in one line, for notes and reasons."""
        return (
            f"amplification >= {self.amplification:g}, review gain >= {self.review_gain:g}, "
            f"gain >= {self.gain:g}, loss <= {self.loss:g}, review loss < {self.review_loss:g}, "
            f"homozygous deletion <= {self.homozygous_deletion:g}"
        )


def call_copy_number(cn: float, t: CnvThresholds) -> CnvCall:
    """Call a tumour copy number against thresholds.

    Parameters
    ----------
    cn
        Tumour copy number (finite, ``>= 0``).
    t
        The thresholds.

    Returns
    -------
    CnvCall
        ``amplification`` (cn >= amplification), ``indeterminate_gain`` (>= review_gain),
        ``gain`` (>= gain), ``neutral`` (> loss), ``loss`` (>= review_loss),
        ``indeterminate_loss`` (> homozygous_deletion) or ``homozygous_deletion``.

    Raises
    ------
    ValueError
        If ``cn`` is not finite.

    Examples
    --------
    >>> t = CnvThresholds(6, 4, 2.5, 1.5, 1.0, 0.5)
    >>> [call_copy_number(x, t) for x in (6, 5, 3, 2)]
    ['amplification', 'indeterminate_gain', 'gain', 'neutral']
    >>> [call_copy_number(x, t) for x in (1.2, 0.7, 0.5)]
    ['loss', 'indeterminate_loss', 'homozygous_deletion']
    """
    if not math.isfinite(cn):
        raise ValueError(f"copy number must be finite, got {cn!r}")
    if cn >= t.amplification:
        return "amplification"
    if cn >= t.review_gain:
        return "indeterminate_gain"
    if cn >= t.gain:
        return "gain"
    if cn > t.loss:
        return "neutral"
    if cn >= t.review_loss:
        return "loss"
    if cn > t.homozygous_deletion:
        return "indeterminate_loss"
    return "homozygous_deletion"
