"""The arm decision: a verdict with a reason for every arm, and one status per patient.

Order of the decision (each step documented in the README):

1. study-level eligibility (Table 1 rare tumour, age, ECOG, prior anti-PD-1/PD-L1):
   a criterion not met -> ``ineligible``;
2. a molecular exclusion detected (RET/NTRK/FGFR rows of the rule table) -> ``excluded``;
3. a tumour-board override (``arm_override``) is honoured and recorded;
4. a missing clinical field -> ``incomplete``;
5. an exclusion not assessed or indeterminate -> ``incomplete`` (a missed exclusion is a
   protocol violation);
6. targeted arms with a matching alteration and no clinical exclusion -> ``targeted``, the
   lowest ``priority`` wins, the others are ``lower priority``;
7. nothing actionable and everything assessed and determinate -> ``immunotherapy``;
8. otherwise ``incomplete``, naming what was not assessed or is indeterminate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from armmatch.decision.eligibility import Eligibility
from armmatch.decision.rules import protein_unknown_at, rule_matches
from armmatch.events import REVIEW_CALL, Assessment, Event
from armmatch.knowledge.rule_table import Arm, Rule, RuleSet

Verdict = Literal[
    "selected",
    "no matching alteration",
    "not assessed",
    "molecular exclusion",
    "clinical exclusion",
    "lower priority",
    "indeterminate evidence",
]
Status = Literal["targeted", "immunotherapy", "excluded", "ineligible", "incomplete"]
RuleOutcome = Literal["positive", "indeterminate", "not assessed", "negative"]

NON_NGS = frozenset({"ihc"})
"""Rule categories assessed outside NGS (HER2 immunohistochemistry/ISH from the sheet). The
protocol gives the PD-1 arm to patients "baring no actionable gene alterations after NGS
testing": when NGS was assessed and negative and only these are missing, the PD-1 arm is
assigned, marked provisional (unless ``require_non_ngs_assessed``)."""


@dataclass(frozen=True)
class RuleResult:
    """How one rule came out for this patient, with the events behind it."""

    rule: Rule
    outcome: RuleOutcome
    events: tuple[int, ...]
    reason: str


@dataclass
class ArmResult:
    """One arm's verdict and reason."""

    arm: Arm
    molecular: RuleOutcome
    rule_results: list[RuleResult]
    verdict: Verdict = "no matching alteration"
    reason: str = ""


@dataclass
class Decision:
    """The patient's status, arm and every verdict."""

    status: Status
    status_reason: str
    arm: Arm | None
    dose: str | None
    arms: list[ArmResult]
    exclusions: list[ArmResult]
    missing: list[dict[str, str]]
    provisional: list[str] = field(default_factory=list)
    override: dict[str, Any] | None = None
    candidate: Arm | None = None
    """For ``incomplete`` patients: the arm the evidence so far points to (never assigned)."""


def _is_assessed(assessments: Sequence[Assessment], gene: str, category: str) -> Assessment | None:
    """The assessment of (gene, category); a positive one wins over a negative one."""
    found = [a for a in assessments if a.gene == gene and a.category == category]
    yes = [a for a in found if a.assessed]
    return (yes or found)[0] if found else None


def _could_match(rule: Rule, event: Event) -> bool:
    """An indeterminate event that would fire the rule if confirmed."""
    if (
        event.status != "indeterminate"
        or event.gene != rule.gene
        or event.category != rule.category
    ):
        return False
    if rule.category == "cnv":
        # a review-band call, or the rule's own call held back (broad segment, purity unknown)
        wanted = rule.criterion["call"]
        return event.cnv_call in (wanted, REVIEW_CALL.get(wanted))
    if rule.category == "mutation":
        if event.variant_class == "unreadable":
            return True  # a record of the gene that cannot be read: it could be anything
        # as written, or as any other reading of an indel in a possible repeat, or a coding
        # change at the rule's codon whose protein change is unknown
        return protein_unknown_at(rule, event) or any(
            rule_matches(rule, replace(e, status="called"))
            for e in (event, *event.reading_events())
        )
    return True


PROTOCOL_DEVIATION = "PROTOCOL DEVIATION"
"""The start of the provisional line that records an eligibility waiver applied by an override."""


def waivers_off(waiver_id: str) -> str:
    """Why a sheet's ``eligibility_waiver`` is refused while config
    ``assignment.eligibility_waivers`` is false (the default)."""
    return (f"eligibility_waiver {waiver_id!r} is given but eligibility waivers are off: a "
            "tumour board cannot lift a Table 2 criterion; if the sponsor has documented this "
            "waiver, set assignment.eligibility_waivers: true in the config")  # fmt: skip


OVERRIDE_REFUSED = "tumour-board override refused"
"""The start of the provisional line that records a refused override (the pipeline names the
patient and the sheet or review row beside it)."""


def unsupported(arm: ArmResult, events: Sequence[Event]) -> list[str]:
    """A provisional line when the arm rests on a small variant whose file gave no VAF or
    depth (``small_variants.unknown_vaf: count``): the thresholds could not be applied."""
    names = sorted({
        f"{events[i].gene} {events[i].alteration}"
        for rr in arm.rule_results if rr.outcome == "positive" for i in rr.events
        if events[i].category == "mutation" and events[i].vaf is None and events[i].depth is None
    })  # fmt: skip
    if not names:
        return []
    return [
        f"{', '.join(names)}: the file gives neither VAF nor depth, so small_variants.min_vaf "
        "and min_depth could not be applied (small_variants.unknown_vaf: count)"
    ]


def evaluate_rule(
    rule: Rule, events: Sequence[Event], assessments: Sequence[Assessment]
) -> RuleResult:
    """Positive, indeterminate, not assessed or negative, with the events and a reason."""
    fired = tuple(
        i
        for i, e in enumerate(events)
        if rule.rule_id in e.rule_ids and e.status == "called" and not rule.review
    )
    if fired:
        names = ", ".join(f"{events[i].gene} {events[i].alteration}" for i in fired)
        return RuleResult(rule, "positive", fired, f"{rule.alteration_label}: {names}")
    review = tuple(i for i, e in enumerate(events) if _could_match(rule, e))
    if review:
        why = "; ".join(
            f"{events[i].gene} {events[i].alteration}: {events[i].status_reason}" for i in review
        )
        return RuleResult(rule, "indeterminate", review, why)
    a = _is_assessed(assessments, rule.gene, rule.category)
    if a is None or not a.assessed:
        why = (
            a.reason
            if a is not None
            else f"no input could detect {rule.gene} {rule.category} events"
        )
        return RuleResult(rule, "not assessed", (), f"{rule.gene} {rule.category}: {why}")
    label = rule.alteration_label
    named = label if label.startswith(rule.gene) else f"{rule.gene} {label}"
    return RuleResult(rule, "negative", (), f"no {named} ({a.reason})")


def _combine(outcomes: Sequence[RuleOutcome]) -> RuleOutcome:
    order: tuple[RuleOutcome, ...] = ("positive", "indeterminate", "not assessed")
    for o in order:
        if o in outcomes:
            return o
    return "negative"


def evaluate_arm(arm: Arm, events: Sequence[Event], assessments: Sequence[Assessment]) -> ArmResult:
    """Combine an arm's rules: any positive > any indeterminate > any not assessed > negative."""
    results = [evaluate_rule(r, events, assessments) for r in arm.rules]
    return ArmResult(arm, _combine([r.outcome for r in results]), results)


def _grouped(results: Sequence[RuleResult]) -> str:
    """``RET fusion, NTRK1 fusion: not assessed (no fusion calls ...)`` grouped by reason."""
    by_reason: dict[str, list[str]] = {}
    for rr in results:
        why = rr.reason.split(": ", 1)[1] if rr.outcome == "not assessed" else rr.reason
        by_reason.setdefault(f"{rr.outcome} ({why})", []).append(
            f"{rr.rule.gene} {rr.rule.category}"
        )
    return "; ".join(
        f"{', '.join(dict.fromkeys(items))}: {why}" for why, items in by_reason.items()
    )


def _summary(results: Sequence[RuleResult], outcome: RuleOutcome) -> str:
    return "; ".join(dict.fromkeys(r.reason for r in results if r.outcome == outcome))


def decide(
    *,
    events: Sequence[Event],
    assessments: Sequence[Assessment],
    rules: RuleSet,
    eligibility: Eligibility,
    arm_override: str | None = None,
    override_reason: str | None = None,
    eligibility_waiver: str | None = None,
    require_exclusions_assessed: bool = True,
    require_non_ngs_assessed: bool = False,
) -> Decision:
    """Apply the decision order in the module docstring.

    ``require_non_ngs_assessed`` (config ``assignment.her2_ihc_required``): False, the
    protocol's reading: a patient whose NGS was assessed and negative, with only a non-NGS assay
    (HER2 IHC, :data:`NON_NGS`) not done, gets the PD-1 arm, provisional, with the arm that
    assay could still open named. True: such a patient is incomplete.

    ``eligibility_waiver`` (a sponsor's waiver id; the caller passes it only when config
    ``assignment.eligibility_waivers`` is on): an override that a Table 2 criterion or a clinical
    exclusion would refuse is applied and recorded as a protocol deviation. A molecular exclusion
    (RET/NTRK/FGFR) is never waived.
    """
    targeted: list[ArmResult] = []
    exclusions: list[ArmResult] = []
    others: list[ArmResult] = []
    for arm in rules.arms:
        if arm.arm_type == "exclusion":
            exclusions.append(evaluate_arm(arm, events, assessments))
        elif arm.arm_type == "targeted":
            targeted.append(evaluate_arm(arm, events, assessments))
        else:
            others.append(ArmResult(arm, "negative", []))

    missing: list[dict[str, str]] = []
    for res in [*targeted, *exclusions]:
        for rr in res.rule_results:
            if rr.outcome == "not assessed":
                missing.append(
                    {
                        "item": f"{rr.rule.gene} {rr.rule.category}",
                        "for": res.arm.arm_id,
                        "reason": rr.reason,
                    }
                )
    for c in eligibility.failing("missing"):
        missing.append({"item": c.name, "for": "eligibility", "reason": c.detail})

    # per-arm clinical exclusion 3: prior treatment with the arm's targeted drug
    for res in targeted:
        prior = [d for d in eligibility.prior_study_drugs if d in res.arm.drug.lower().split(" + ")]
        if res.molecular == "positive" and prior:
            res.verdict = "clinical exclusion"
            res.reason = f"{_summary(res.rule_results, 'positive')}; but prior {', '.join(prior)} (Table 2 exclusion 3)"

    detected = [x for x in exclusions if x.molecular == "positive"]
    unclear_excl = [x for x in exclusions if x.molecular in ("indeterminate", "not assessed")]
    for x in exclusions:
        x.verdict = {
            "positive": "molecular exclusion",
            "indeterminate": "indeterminate evidence",
            "not assessed": "not assessed",
            "negative": "no matching alteration",
        }[x.molecular]  # type: ignore[assignment]
        x.reason = _summary(x.rule_results, x.molecular) or "not detected"
        if x.molecular == "negative":
            x.reason = "not detected: " + _summary(x.rule_results, "negative")

    eligible_targeted = [
        r for r in targeted if r.molecular == "positive" and r.verdict != "clinical exclusion"
    ]
    eligible_targeted.sort(key=lambda r: (r.arm.priority, r.arm.arm_id))
    chosen: ArmResult | None = eligible_targeted[0] if eligible_targeted else None

    # default molecular verdicts of targeted arms
    for res in targeted:
        if res.verdict == "clinical exclusion":
            continue
        if res.molecular == "positive":
            if res is chosen:
                res.verdict, res.reason = "selected", _summary(res.rule_results, "positive")
            else:
                assert chosen is not None
                res.verdict = "lower priority"
                res.reason = (
                    f"{_summary(res.rule_results, 'positive')}; priority {res.arm.priority} "
                    f"after {chosen.arm.arm_id} (priority {chosen.arm.priority})"
                )
        elif res.molecular == "indeterminate":
            res.verdict, res.reason = (
                "indeterminate evidence",
                _summary(res.rule_results, "indeterminate"),
            )
        elif res.molecular == "not assessed":
            res.verdict, res.reason = "not assessed", _summary(res.rule_results, "not assessed")
        else:
            res.verdict, res.reason = (
                "no matching alteration",
                _summary(res.rule_results, "negative"),
            )

    pd1 = next((o for o in others if o.arm.arm_type == "immunotherapy"), None)
    non_ngs = ""  # what a non-NGS assay not done could still open (provisional PD-1 arm)
    any_positive = [r for r in targeted if r.molecular == "positive"]
    unclear_targeted = [r for r in targeted if r.molecular in ("indeterminate", "not assessed")]
    for o in others:
        if o.arm.arm_type == "combination":
            after = o.arm.rules[0].criterion["after"]
            o.verdict = "clinical exclusion"
            o.reason = f"entered only after secondary resistance on {after}; no treatment history in this run"
    if pd1 is not None:
        if any_positive:
            pd1.verdict = "no matching alteration"
            pd1.reason = "requires no actionable alteration; found " + "; ".join(
                _summary(r.rule_results, "positive") for r in any_positive
            )
        elif any(r.molecular == "indeterminate" for r in [*targeted, *exclusions]):
            pd1.verdict = "indeterminate evidence"
            pd1.reason = "cannot confirm the absence of actionable alterations: " + "; ".join(
                _summary(r.rule_results, "indeterminate")
                for r in [*targeted, *exclusions]
                if r.molecular == "indeterminate"
            )
        elif (unclear_targeted or unclear_excl) and (
            require_non_ngs_assessed
            or not _only_non_ngs_missing([*unclear_targeted, *unclear_excl])
        ):
            pd1.verdict = "not assessed"
            pd1.reason = "not every listed alteration was assessed: " + _grouped(
                [rr for r in [*unclear_targeted, *unclear_excl] for rr in r.rule_results
                 if rr.outcome == "not assessed"]
            )  # fmt: skip
        elif unclear_targeted or unclear_excl:
            non_ngs = _non_ngs_words(unclear_targeted)
            pd1.verdict = "selected"
            pd1.reason = (
                f"every NGS-assessed alteration and exclusion absent; provisional: {non_ngs}"
            )
        else:
            pd1.verdict = "selected"
            pd1.reason = "every listed alteration and exclusion assessed and absent"

    arms_out = [*targeted, *others]
    status: Status
    reason: str
    selected: ArmResult | None = None
    provisional: list[str] = []
    if eligibility.status == "ineligible":
        status = "ineligible"
        reason = "; ".join(f"{c.name}: {c.detail}" for c in eligibility.failing("not met"))
        _demote(arms_out, "clinical exclusion", f"patient ineligible ({reason})")
    elif detected:
        status = "excluded"
        reason = "; ".join(x.reason for x in detected)
        _demote(arms_out, "molecular exclusion", f"study exclusion: {reason}")
    elif eligibility.status == "incomplete":
        status = "incomplete"
        reason = "missing clinical field(s): " + "; ".join(
            c.detail for c in eligibility.failing("missing")
        )
        _demote(arms_out, None, None)
    elif unclear_excl and require_exclusions_assessed:
        status = "incomplete"
        reason = "molecular exclusions not cleared: " + _grouped(
            [rr for x in unclear_excl for rr in x.rule_results if rr.outcome != "negative"]
        )
        _demote(arms_out, None, None)
    elif chosen is not None:
        status, selected = "targeted", chosen
        reason = chosen.reason
        higher = [r for r in unclear_targeted if r.arm.priority < chosen.arm.priority]
        provisional = [
            f"{r.arm.arm_id} (higher priority) is {r.verdict}: {r.reason}" for r in higher
        ]
        provisional += unsupported(chosen, events)
    elif any_positive:
        status = "ineligible"
        reason = "every matching targeted arm is clinically excluded: " + "; ".join(
            r.reason for r in any_positive
        )
    elif pd1 is not None and pd1.verdict == "selected":
        status, selected, reason = "immunotherapy", pd1, pd1.reason
        if non_ngs:
            provisional.append(non_ngs)
    else:
        status = "incomplete"
        reason = pd1.reason if pd1 is not None else "no arm could be decided"

    override: dict[str, Any] | None = None
    if arm_override:
        target = next((r for r in arms_out if r.arm.arm_id == arm_override), None)
        if target is None:
            raise ValueError(f"arm_override {arm_override!r} is not an arm of the rule table")
        refusal = None
        waivable = False
        if status in ("ineligible", "excluded"):
            refusal = f"the patient is {status}: {reason}"
            waivable = status == "ineligible"
        elif target.verdict in ("clinical exclusion", "molecular exclusion"):
            refusal = f"{arm_override} is a {target.verdict} for this patient: {target.reason}"
            waivable = target.verdict == "clinical exclusion"
        if target.verdict == "molecular exclusion":
            waivable = False
        waived = refusal if refusal is not None and waivable and eligibility_waiver else None
        if waived is not None:
            provisional.append(
                f"{PROTOCOL_DEVIATION}: eligibility waiver {eligibility_waiver} lets the override "
                f"to {arm_override} lift: {waived}"
            )
            refusal = None
        if refusal is not None:
            # eligibility criteria and study exclusions are not waivable by a tumour board (a
            # waiver is a protocol deviation): the request is recorded, the decision stands
            provisional.append(
                f"{OVERRIDE_REFUSED} to {arm_override} (reason given: "
                f"{override_reason or 'none'}): {refusal}; an override chooses among the arms the "
                "patient is eligible for, it never lifts a Table 2 criterion or a study exclusion"
            )
            arm_override = None
    if arm_override:
        assert target is not None
        override = {
            "arm": arm_override,
            "reason": override_reason,
            "computed_status": status,
            "computed_arm": selected.arm.arm_id if selected else None,
        }
        if waived is not None:
            override["waiver"] = {"id": eligibility_waiver, "lifted": waived}
        for r in arms_out:
            if r.verdict == "selected" and r is not target:
                r.verdict = "lower priority"
                r.reason = f"{r.reason}; replaced by tumour-board override to {arm_override}"
        target.verdict = "selected"
        target.reason = f"tumour-board override: {override_reason} (computed verdict: {target.reason or target.verdict})"
        selected = target
        status = "immunotherapy" if target.arm.arm_type == "immunotherapy" else "targeted"
        reason = f"tumour-board override to {arm_override}: {override_reason}"
        provisional.append(f"override of the computed decision ({override['computed_status']})")

    dose = (
        "; ".join(
            dict.fromkeys(rr.rule.dose for rr in selected.rule_results if rr.outcome == "positive")
        )
        if selected and selected.rule_results
        else (selected.arm.doses[0] if selected else None)
    )
    if selected is not None and not dose:
        dose = "; ".join(selected.arm.doses)
    return Decision(
        status=status,
        status_reason=reason,
        arm=selected.arm if selected else None,
        dose=dose,
        arms=arms_out,
        exclusions=exclusions,
        missing=missing,
        provisional=provisional,
        override=override,
        candidate=chosen.arm if status == "incomplete" and chosen is not None else None,
    )


_PROTEIN_NAMES = {"ERBB2": "HER2"}
"""The protein an immunohistochemistry result is named by, where it differs from the gene."""


def _only_non_ngs_missing(unclear: Sequence[ArmResult]) -> bool:
    """Whether everything not assessed is a non-NGS assay (and nothing is indeterminate)."""
    results = [rr for r in unclear for rr in r.rule_results if rr.outcome != "negative"]
    return bool(results) and all(
        rr.outcome == "not assessed" and rr.rule.category in NON_NGS for rr in results
    )


def _non_ngs_words(unclear: Sequence[ArmResult]) -> str:
    """``HER2 IHC not done (...); HER2 overexpression would qualify for pyrotinib-HER2-amp``."""
    parts = []
    for r in unclear:
        missing = [rr for rr in r.rule_results if rr.outcome == "not assessed"]
        if not missing:
            continue
        why = "; ".join(dict.fromkeys(rr.reason.split(": ", 1)[-1] for rr in missing))
        labels = " or ".join(dict.fromkeys(rr.rule.alteration_label for rr in missing))
        gene = r.arm.genes[0] if r.arm.genes else ""
        parts.append(
            f"{_PROTEIN_NAMES.get(gene, gene)} IHC not done ({why}); {labels} would qualify for "
            f"{r.arm.arm_id} ({r.arm.drug})"
        )
    return "; ".join(parts)


def _demote(arms: Sequence[ArmResult], verdict: Verdict | None, reason: str | None) -> None:
    """No arm can be selected: turn ``selected`` and ``lower priority`` verdicts into ``verdict``.

    With ``verdict`` None the decision is incomplete: a matching arm reads "not assessed", its
    reason naming the alteration found and that the assignment waits for the missing items.
    """
    for r in arms:
        if r.verdict in ("selected", "lower priority"):
            if verdict is None:
                r.verdict = "not assessed"
                r.reason = f"{r.reason}; candidate, not assignable until the decision is complete"
            else:
                r.verdict = verdict
                r.reason = f"{r.reason}; {reason}"
