"""The arm decision on hand-built evidence: every status, verdict and edge of the order."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from armmatch.decision.assignment import decide
from armmatch.decision.eligibility import Criterion, Eligibility
from armmatch.events import Assessment, Event, SourceRecord, assessed, not_assessed
from armmatch.run.pipeline import rule_set
from tests.conftest import decided

VERDICTS = {
    "selected", "no matching alteration", "not assessed", "molecular exclusion",
    "clinical exclusion", "lower priority", "indeterminate evidence",
}  # fmt: skip
SRC = SourceRecord("test.vcf", 10, "7:55191822 T>G")


def eligible(prior: Sequence[str] = ()) -> Eligibility:
    return Eligibility((Criterion("age", "met", "age 50 >= 18", "Table 2"),), {}, tuple(prior), ())


def everything_assessed(skip: str | None = None) -> list[Assessment]:
    rules = rule_set()
    out: list[Assessment] = []
    for cat in ("mutation", "cnv", "fusion", "ihc"):
        genes = rules.genes(cat)
        out += (not_assessed if cat == skip else assessed)(genes, cat, f"test {cat}")  # type: ignore[operator]
    return out


def mutation(gene: str, hgvsp: str, cls: str, exon: int, status: str = "called") -> Event:
    return Event(gene=gene, category="mutation", alteration=hgvsp, source=SRC, status=status,  # type: ignore[arg-type]
                 hgvsp=hgvsp, variant_class=cls, exon=exon)  # fmt: skip


def cnv(gene: str, call: str, status: str = "called") -> Event:
    return Event(
        gene=gene, category="cnv", alteration=call, source=SRC, status=status, cnv_call=call
    )  # type: ignore[arg-type]


def fusion(g5: str, g3: str, target: str) -> Event:
    return Event(gene=target, category="fusion", alteration=f"{g5}-{g3} fusion", source=SRC,
                 gene5=g5, gene3=g3, frame="in-frame")  # fmt: skip


def run(events: list[Event], assessments: list[Assessment] | None = None, **kw):  # type: ignore[no-untyped-def]
    rules = rule_set()
    return decide(
        events=decided(events, rules, "GRCh38"),
        assessments=everything_assessed() if assessments is None else assessments,
        rules=rules,
        eligibility=kw.pop("eligibility", eligible()),
        **kw,
    )


def verdict(decision, arm_id: str) -> str:  # type: ignore[no-untyped-def]
    return next(a.verdict for a in decision.arms if a.arm.arm_id == arm_id)


L858R = mutation("EGFR", "p.Leu858Arg", "missense", 21)


def test_l858r_selects_almonertinib_and_every_arm_has_one_verdict() -> None:
    d = run([L858R])
    assert d.status == "targeted"
    assert d.arm is not None and d.arm.arm_id == "almonertinib-EGFR"
    assert d.dose == "110 mg qd"
    assert {a.verdict for a in d.arms} <= VERDICTS
    assert len(d.arms) == len([a for a in rule_set().arms if a.arm_type != "exclusion"])
    assert verdict(d, "sintilimab-PD1") == "no matching alteration"
    assert all(x.verdict == "no matching alteration" for x in d.exclusions)


def test_priority_chooses_and_lists_the_other_arm() -> None:
    d = run([L858R, cnv("CDK4", "amplification")])
    assert d.arm is not None and d.arm.arm_id == "almonertinib-EGFR"
    assert verdict(d, "palbociclib-CDK4") == "lower priority"


def test_nothing_found_everything_assessed_is_immunotherapy() -> None:
    d = run([])
    assert d.status == "immunotherapy"
    assert d.arm is not None and d.arm.arm_id == "sintilimab-PD1"


def test_no_fusion_calls_is_incomplete_never_immunotherapy() -> None:
    d = run([], everything_assessed(skip="fusion"))
    assert d.status == "incomplete"
    assert d.arm is None
    assert verdict(d, "sintilimab-PD1") == "not assessed"
    assert verdict(d, "alectinib-ALK") == "not assessed"
    assert any(m["item"] == "RET fusion" for m in d.missing)


def test_targeted_patient_without_fusions_is_incomplete_with_candidate() -> None:
    d = run([L858R], everything_assessed(skip="fusion"))
    assert d.status == "incomplete"
    assert d.candidate is not None and d.candidate.arm_id == "almonertinib-EGFR"
    assert d.arm is None


def test_ret_fusion_excludes_from_study() -> None:
    d = run([L858R, fusion("CCDC6", "RET", "RET")])
    assert d.status == "excluded"
    assert d.arm is None
    assert verdict(d, "almonertinib-EGFR") == "molecular exclusion"
    ret = next(x for x in d.exclusions if x.arm.arm_id == "exclusion-RET")
    assert ret.verdict == "molecular exclusion"


def test_alk_as_5prime_partner_does_not_fire() -> None:
    d = run([fusion("ALK", "PTPN3", "ALK")])
    assert verdict(d, "alectinib-ALK") == "no matching alteration"
    assert d.status == "immunotherapy"


def test_braf_fusion_is_not_v600() -> None:
    braf = Event(gene="BRAF", category="fusion", alteration="KIAA1549-BRAF fusion", source=SRC,
                 gene5="KIAA1549", gene3="BRAF")  # fmt: skip
    d = run([braf])
    assert verdict(d, "vemurafenib-BRAF") == "no matching alteration"


def test_prior_targeted_drug_is_a_clinical_exclusion_of_that_arm() -> None:
    d = run([L858R, cnv("CDK4", "amplification")], eligibility=eligible(["almonertinib"]))
    assert verdict(d, "almonertinib-EGFR") == "clinical exclusion"
    assert d.arm is not None and d.arm.arm_id == "palbociclib-CDK4"


def test_only_matching_arm_clinically_excluded_is_ineligible() -> None:
    d = run([L858R], eligibility=eligible(["almonertinib"]))
    assert d.status == "ineligible"
    assert d.arm is None


def test_indeterminate_fgfr_amplification_blocks_assignment() -> None:
    d = run([L858R, cnv("FGFR2", "indeterminate_gain", status="indeterminate")])
    assert d.status == "incomplete"
    fgfr = next(x for x in d.exclusions if x.arm.arm_id == "exclusion-FGFR")
    assert fgfr.verdict == "indeterminate evidence"


def test_indeterminate_met_gain_blocks_pd1() -> None:
    d = run([cnv("MET", "indeterminate_gain", status="indeterminate")])
    assert d.status == "incomplete"
    assert verdict(d, "crizotinib-MET-amp") == "indeterminate evidence"
    assert verdict(d, "sintilimab-PD1") == "indeterminate evidence"


def test_filtered_l858r_does_not_fire() -> None:
    d = run([mutation("EGFR", "p.Leu858Arg", "missense", 21, status="filtered")])
    assert d.status == "immunotherapy"


def test_higher_priority_arm_not_assessed_makes_assignment_provisional() -> None:
    a = [x for x in everything_assessed() if not (x.gene == "ALK" and x.category == "fusion")]
    a.append(Assessment("ALK", "fusion", False, "ALK not on panel"))
    d = run([cnv("CDK4", "amplification")], a)
    assert d.status == "targeted"
    assert d.provisional and "alectinib-ALK" in d.provisional[0]


def test_missing_clinical_field_is_incomplete_not_ineligible() -> None:
    elig = Eligibility((Criterion("ECOG", "missing", "ecog is empty", "Table 2"),), {}, (), ())
    d = run([L858R], eligibility=elig)
    assert d.status == "incomplete"
    assert any(m["item"] == "ECOG" for m in d.missing)


def test_ineligible_patient_gets_no_arm() -> None:
    elig = Eligibility((Criterion("age", "not met", "age 16 < 18", "Table 2"),), {}, (), ())
    d = run([L858R], eligibility=elig)
    assert d.status == "ineligible"
    assert verdict(d, "almonertinib-EGFR") == "clinical exclusion"


def test_override_is_honoured_and_recorded() -> None:
    d = run([L858R, cnv("CDK4", "amplification")], arm_override="palbociclib-CDK4",
            override_reason="board decision 2026-11-20")  # fmt: skip
    assert d.arm is not None and d.arm.arm_id == "palbociclib-CDK4"
    assert d.override is not None and d.override["computed_arm"] == "almonertinib-EGFR"
    assert verdict(d, "almonertinib-EGFR") == "lower priority"


def test_a_waiver_never_lifts_a_molecular_exclusion() -> None:
    """Issue 31: RET/NTRK/FGFR exclude for the drug's sake, not as eligibility: a waiver id
    changes nothing, the override is refused as without one."""
    d = run([L858R, fusion("CCDC6", "RET", "RET")], arm_override="almonertinib-EGFR",
            override_reason="x", eligibility_waiver="W-1")  # fmt: skip
    assert d.status == "excluded" and d.arm is None and d.override is None
    assert any(p.startswith("tumour-board override refused") for p in d.provisional)
    assert not any(p.startswith("PROTOCOL DEVIATION") for p in d.provisional)


def test_a_waiver_lifts_a_clinical_exclusion_as_a_protocol_deviation() -> None:
    """A clinical exclusion of the targeted arm (its own drug given before): without a waiver the
    override is refused; with one, it is applied and recorded as a deviation."""
    prior = eligible(["almonertinib"])
    refused = run([L858R], arm_override="almonertinib-EGFR", override_reason="x",
                  eligibility=prior)  # fmt: skip
    assert verdict(refused, "almonertinib-EGFR") == "clinical exclusion"
    assert refused.override is None
    waived = run([L858R], arm_override="almonertinib-EGFR", override_reason="x",
                 eligibility=prior, eligibility_waiver="W-2")  # fmt: skip
    assert waived.arm is not None and waived.arm.arm_id == "almonertinib-EGFR"
    assert waived.override is not None and waived.override["waiver"]["id"] == "W-2"


def test_unknown_override_arm_raises() -> None:
    with pytest.raises(ValueError, match="not an arm"):
        run([], arm_override="no-such-arm", override_reason="x")


@pytest.mark.parametrize(
    ("event", "arm"),
    [
        (mutation("EGFR", "p.Glu746_Ala750del", "inframe_deletion", 19), "almonertinib-EGFR"),
        (
            mutation("EGFR", "p.Leu747_Ser752delinsGln", "inframe_deletion&inframe_delins", 19),
            "almonertinib-EGFR",
        ),
        (mutation("EGFR", "p.Gly719Ser", "missense", 18), "dacomitinib-EGFR"),
        (mutation("BRAF", "p.Val600Lys", "missense", 15), "vemurafenib-BRAF"),
        (mutation("ERBB2", "p.Tyr772_Ala775dup", "inframe_insertion", 20), "pyrotinib-HER2-mut"),
        (mutation("BRCA2", "p.Ile605TyrfsTer9", "frameshift", 10), "niraparib-BRCA"),
        (mutation("MET", "p.Asp1010His", "missense&splice_region", 14), "crizotinib-MET-mut"),
        (mutation("KIT", "p.Asp816Val", "missense", 17), "imatinib-KIT"),
        (cnv("CDKN2A", "homozygous_deletion"), "palbociclib-CDKN2A"),
        (cnv("ERBB2", "amplification"), "pyrotinib-HER2-amp"),
        (fusion("EML4", "ALK", "ALK"), "alectinib-ALK"),
        (fusion("CD74", "ROS1", "ROS1"), "crizotinib-ROS1"),
    ],
)
def test_each_arm_is_reachable(event: Event, arm: str) -> None:
    d = run([event])
    assert d.arm is not None and d.arm.arm_id == arm, d.status_reason


@pytest.mark.parametrize(
    "event",
    [
        mutation("KIT", "p.Ala943Val", "missense", 21),  # exon 21: not an imatinib exon
        mutation("BRCA1", "p.Pro903Arg", "missense", 10),  # missense without classification
        mutation("BRAF", "p.Val600=", "synonymous", 15),
        mutation("EGFR", "p.Leu858Met", "missense", 21),
        mutation("MET", "p.Asp1010His", "missense", 14),  # no splice-region class
        cnv("MET", "gain"),
        cnv("CDKN2A", "loss"),
    ],
)
def test_non_actionable_events_do_not_fire(event: Event) -> None:
    d = run([event])
    assert d.status == "immunotherapy", d.status_reason
