"""Support and filter policy of small variants: VAF, depth and FILTER decide ``filtered``.

A record below ``min_vaf`` or ``min_depth``, or failing FILTER, is kept as a filtered event
with the reason; a record without VAF or depth is indeterminate unless the configuration
accepts unknown support.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

from armmatch.config import SmallVariantPolicy
from armmatch.errors import InputError
from armmatch.events import Event

VAF_UNKNOWN = "indeterminate: VAF unknown"


def support_problem(vaf: float | None, depth: int | None, policy: SmallVariantPolicy) -> str:
    """The indeterminate reason when neither VAF nor depth is known (and the policy does not
    accept that), else ``""``."""
    if vaf is not None or depth is not None or policy.counts_unknown_vaf:
        return ""
    return (
        f"{VAF_UNKNOWN}: the record gives neither VAF nor depth, so min_vaf {policy.min_vaf} and "
        f"min_depth {policy.min_depth} cannot be applied (small_variants.unknown_vaf: review; "
        "count counts a file that gives none)"
    )


def mixed_support(events: Sequence[Event], policy: SmallVariantPolicy) -> list[Event]:
    """The events of one file, a counted record without VAF or depth made ``indeterminate``
    when other records of the file give them (a missing value, not a file without any)."""
    if not any(e.vaf is not None or e.depth is not None for e in events):
        return list(events)
    out = []
    for e in events:
        if e.category == "mutation" and e.status == "called" and e.vaf is None and e.depth is None:
            e = replace(
                e, status="indeterminate",
                status_reason=f"{VAF_UNKNOWN}: this record gives neither VAF nor depth while "
                "other records of the file do: min_vaf and min_depth cannot be applied",
            )  # fmt: skip
        out.append(e)
    return out


def event_status(
    filter_reason: str, support: str, call_status: str = "called", call_reason: str = ""
) -> tuple[Literal["called", "filtered", "indeterminate"], str]:
    """One status and reason from the filters, the VAF/depth check and the classification."""
    if filter_reason:
        return "filtered", "; ".join(r for r in (filter_reason, call_reason) if r)
    reasons = [r for r in (call_reason, support) if r]
    if call_status == "indeterminate" or support:
        return "indeterminate", "; ".join(reasons)
    return "called", ""


def check_vaf(vaf: float | None, how: str, *, path: str, line: int | None, patient: str) -> None:
    """Stop on an allele fraction above 1 (a percentage written as a fraction's field) or below
    0."""
    if vaf is not None and vaf < 0:
        raise InputError(
            f"{how} gives an allele fraction of {vaf:g}, below 0 (VAF must be a fraction in [0, 1])",
            path=path, line=line, patient=patient,
        )  # fmt: skip
    if vaf is not None and vaf > 1:
        raise InputError(
            f"{how} gives an allele fraction of {vaf:g}, above 1: a percentage written as a "
            "number? (VAF must be a fraction in [0, 1])",
            path=path,
            line=line,
            patient=patient,
        )


def filter_reason(
    flt: str | None, vaf: float | None, depth: int | None, policy: SmallVariantPolicy
) -> str:
    """Why a record is filtered (FILTER, ``min_vaf``, ``min_depth``), ``""`` when it passes;
    ``flt`` is the record's FILTER (None, ``PASS`` or ``.`` pass)."""
    reasons = []
    if policy.filter_policy == "pass_only" and flt not in (None, "", "PASS", "."):
        reasons.append(f"FILTER={flt} (policy: PASS only)")
    if vaf is not None and vaf < policy.min_vaf:
        reasons.append(f"VAF {vaf:.3f} < min_vaf {policy.min_vaf}")
    if depth is not None and depth < policy.min_depth:
        reasons.append(f"depth {depth} < min_depth {policy.min_depth}")
    return "; ".join(reasons)
