"""Copy number with the ploidy unknown, on CCLE SNP6 segments of SK-BR-3 (far from diploid):
an amplification that holds over only part of the ploidy range is never a confident arm."""

from __future__ import annotations

from pathlib import Path

import pytest

from armmatch.config import settings_from_config
from armmatch.decision.assignment import decide
from armmatch.decision.eligibility import Criterion, Eligibility
from armmatch.events import Event, assessed
from armmatch.patient import Patient
from armmatch.run.pipeline import decide_events, detect_copy_number, rule_set

pytestmark = pytest.mark.shared

SEG = "real-outputs/svpluscnv-ccle-seg/ccle_snp6_cbs.subset.seg"


def _cnv(shared_data: Path, ploidy: float | None) -> list[Event]:
    patient = Patient(patient_id="P", tumour_type="C50", vcf="x.vcf", line=2,
                      cnv=str(shared_data / SEG), cnv_format="seg", cnv_sample="SKBR3_BREAST",
                      purity=1.0, ploidy=ploidy)  # fmt: skip
    settings = settings_from_config({"samples": "s.tsv"})
    ev = detect_copy_number(patient, build="GRCh37", rules=rule_set(), settings=settings)
    return decide_events(ev.events, rules=rule_set(), settings=settings, build="GRCh37")


def _decision(events: list[Event]):  # type: ignore[no-untyped-def]
    rules = rule_set()
    assessments = [a for cat in ("mutation", "cnv", "fusion", "ihc")
                   for a in assessed(rules.genes(cat), cat, "test")]  # type: ignore[arg-type]  # fmt: skip
    eligible = Eligibility((Criterion("age", "met", "", ""),), {}, (), ())
    return decide(events=events, assessments=assessments, rules=rules, eligibility=eligible)


def test_skbr3_met_is_not_amplified_at_an_assumed_ploidy(shared_data: Path) -> None:
    events = {e.gene: e for e in _cnv(shared_data, None)}
    met, erbb2 = events["MET"], events["ERBB2"]
    assert met.status == "indeterminate" and met.status_reason.startswith(
        "indeterminate: ploidy unknown: indeterminate_gain at ploidy 1.5, amplification at 3.5"
    )
    assert "3.04 x ploidy" in met.status_reason
    assert (erbb2.status, erbb2.cnv_call) == ("called", "amplification")
    assert any("holds at ploidy 1.5 and 3.5" in n for n in erbb2.notes)
    d = _decision(list(events.values()))
    assert d.arm is not None and d.arm.arm_id == "pyrotinib-HER2-amp"
    assert any("crizotinib-MET-amp (higher priority) is indeterminate evidence" in p
               for p in d.provisional)  # fmt: skip


def test_with_a_ploidy_the_call_is_made(shared_data: Path) -> None:
    """Given ploidy 2 (the old silent default), MET 6.08 is an amplification and crizotinib
    outranks ERBB2: the reason the ploidy must not be assumed."""
    events = {e.gene: e for e in _cnv(shared_data, 2.0)}
    assert (events["MET"].status, events["MET"].cnv_call) == ("called", "amplification")
    d = _decision(list(events.values()))
    assert d.arm is not None and d.arm.arm_id == "crizotinib-MET-amp"
