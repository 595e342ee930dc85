"""Study-level eligibility from the sample sheet's clinical fields (protocol Table 2).

Each criterion is ``met``, ``not met`` or ``missing``. A missing field never makes a patient
ineligible: it makes the decision ``incomplete`` with the field named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from armmatch.decision.tumour_types import decide_rare_tumour
from armmatch.events import Assessment, Event, Evidence, SourceRecord
from armmatch.io import plain_dict
from armmatch.knowledge.drug_classes import UNKNOWN_WORDS, DrugVocabulary
from armmatch.knowledge.table1 import Table1Row
from armmatch.patient import Patient

CriterionStatus = Literal["met", "not met", "missing"]


@dataclass(frozen=True)
class Criterion:
    """One eligibility criterion and its outcome for a patient."""

    name: str
    status: CriterionStatus
    detail: str
    source: str


"""An entry that says the history is unknown: the criterion is missing, never met."""


@dataclass(frozen=True)
class Eligibility:
    """The study-level clinical decision for one patient."""

    criteria: tuple[Criterion, ...]
    rare_tumour: dict[str, Any]
    prior_study_drugs: tuple[str, ...]
    unlisted_prior_drugs: tuple[str, ...]

    @property
    def status(self) -> Literal["eligible", "ineligible", "incomplete"]:
        if any(c.status == "not met" for c in self.criteria):
            return "ineligible"
        if any(c.status == "missing" for c in self.criteria):
            return "incomplete"
        return "eligible"

    def failing(self, status: CriterionStatus) -> list[Criterion]:
        return [c for c in self.criteria if c.status == status]

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "criteria": [plain_dict(c) for c in self.criteria],
            "rare_tumour": self.rare_tumour,
            "prior_study_drugs": list(self.prior_study_drugs),
            "unlisted_prior_drugs": list(self.unlisted_prior_drugs),
        }


RARE_TUMOUR = "rare solid tumour (Table 1)"
RARE_TUMOUR_SOURCE = "Table 2 inclusion 2; protocol rare-tumour definition"


def rare_tumour(
    tumour_type: str | None, table1: Sequence[Table1Row]
) -> tuple[dict[str, Any], Criterion]:
    """Table 2 inclusion 2 for the sheet's ``tumour_type``: the decision's facts as the record
    keeps them, and the criterion (met, not met, or missing when the sheet gives no tumour type:
    ``rare`` is then None, never False)."""
    if tumour_type is None:
        detail = "tumour_type is empty in the sample sheet"
        facts: dict[str, Any] = {"tumour_type": None, "rare": None, "criterion": None, "reason": detail,
                 "table1_row": None}  # fmt: skip
        return facts, Criterion(RARE_TUMOUR, "missing", f"{detail} (write the ICD-10 code, e.g. "
                                "C49, and the Table 1 subtype after '|')", RARE_TUMOUR_SOURCE)  # fmt: skip
    decision = decide_rare_tumour(tumour_type, table1)
    row = decision.row
    facts = {
        "tumour_type": tumour_type,
        "rare": decision.rare,
        "criterion": decision.criterion,
        "reason": decision.reason,
        "table1_row": None
        if row is None
        else {"row_id": row.row_id, "system": row.system, "tier": row.tier,
              "tumour_type": row.tumour_type, "icd10": row.icd10_printed},
    }  # fmt: skip
    return facts, Criterion(RARE_TUMOUR, "met" if decision.rare else "not met", decision.reason,
                            RARE_TUMOUR_SOURCE)  # fmt: skip


def assess_eligibility(
    patient: Patient,
    *,
    table1: Sequence[Table1Row],
    drugs: DrugVocabulary,
    min_age: int,
    max_ecog: int,
) -> Eligibility:
    """Decide the study-level criteria available in the sample sheet."""
    rare, criterion = rare_tumour(patient.tumour_type, table1)
    criteria: list[Criterion] = [criterion]
    if patient.age is None:
        criteria.append(
            Criterion("age", "missing", "age is empty in the sample sheet", "Table 2 inclusion 1")
        )
    else:
        ok = patient.age >= min_age
        criteria.append(
            Criterion("age", "met" if ok else "not met",
                      f"age {patient.age} {'>=' if ok else '<'} {min_age}", "Table 2 inclusion 1")
        )  # fmt: skip
    if patient.ecog is None:
        criteria.append(
            Criterion("ECOG", "missing", "ecog is empty in the sample sheet", "Table 2 inclusion 3")
        )
    else:
        ok = patient.ecog <= max_ecog
        criteria.append(
            Criterion("ECOG", "met" if ok else "not met",
                      f"ECOG {patient.ecog} {'<=' if ok else '>'} {max_ecog}", "Table 2 inclusion 3")
        )  # fmt: skip
    study_drugs: list[str] = []
    unlisted: list[str] = []
    if patient.prior_therapies is None:
        criteria.append(
            Criterion("no prior anti-PD-1/PD-L1", "missing",
                      "prior_therapies is empty in the sample sheet (write 'none' when there were none)",
                      "Table 2 exclusion 2")
        )  # fmt: skip
    else:
        checkpoint = []
        unclear: list[str] = []
        for name in patient.prior_therapies:
            canon = drugs.canonical(name)
            if name.strip().lower() in UNKNOWN_WORDS:
                unclear.append(f"{name!r} (the history is unknown)")
            elif canon is None:
                unlisted.append(name)
                unclear.append(f"{name!r} (not a drug of resources/drug_classes.tsv: correct "
                               "it, or add it there with its class)")  # fmt: skip
            elif drugs.classes[canon] == "anti-PD-1/PD-L1":
                checkpoint.append(
                    f"{canon} (as {name!r})" if canon != name.strip().lower() else canon
                )
            elif drugs.classes[canon] == "ambiguous":
                unclear.append(f"{name!r} (name the drug: it may or may not be anti-PD-1/PD-L1)")
            elif drugs.classes[canon] == "study targeted drug":
                study_drugs.append(canon)
        if checkpoint:
            criteria.append(
                Criterion("no prior anti-PD-1/PD-L1", "not met",
                          f"prior {', '.join(checkpoint)} (anti-PD-1/PD-L1)", "Table 2 exclusion 2")
            )  # fmt: skip
        elif unclear:
            criteria.append(
                Criterion("no prior anti-PD-1/PD-L1", "missing",
                          "prior_therapies entry not recognised: " + "; ".join(unclear),
                          "Table 2 exclusion 2")
            )  # fmt: skip
        else:
            criteria.append(
                Criterion("no prior anti-PD-1/PD-L1", "met",
                          "no anti-PD-1/PD-L1 drug among prior therapies", "Table 2 exclusion 2")
            )  # fmt: skip
    return Eligibility(tuple(criteria), rare, tuple(sorted(set(study_drugs))), tuple(unlisted))


def her2_evidence(patient: Patient, *, sheet: str = "sample sheet") -> Evidence:
    """HER2 IHC/ISH from the sample sheet as ``ihc`` evidence on ERBB2.

    IHC 2+ without an ISH result is ``indeterminate``: the protocol's overexpression needs ISH.
    """
    source = SourceRecord(
        sheet, patient.line, f"her2_ihc={patient.her2_ihc or ''} her2_ish={patient.her2_ish or ''}"
    )
    if patient.her2_ihc is None:
        return Evidence(
            assessments=[Assessment("ERBB2", "ihc", False, "her2_ihc is empty in the sample sheet")]
        )
    value = f"her2_ihc={patient.her2_ihc}" + (
        f";her2_ish={patient.her2_ish}" if patient.her2_ish else ""
    )
    status: Literal["called", "indeterminate"] = "called"
    reason = ""
    if patient.her2_ihc == "2+" and patient.her2_ish is None:
        status, reason = "indeterminate", "HER2 IHC 2+ needs an ISH result (her2_ish) to decide"
    alteration = f"HER2 IHC {patient.her2_ihc}" + (
        f", ISH {patient.her2_ish}" if patient.her2_ish else ""
    )
    event = Event(gene="ERBB2", category="ihc", alteration=alteration, source=source,
                  status=status, status_reason=reason, value=value)  # fmt: skip
    return Evidence(
        events=[event],
        assessments=[Assessment("ERBB2", "ihc", True, "HER2 IHC/ISH from the sample sheet")],
    )
