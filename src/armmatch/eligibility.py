"""Study-level eligibility from the sample sheet's clinical fields (protocol Table 2).

Each criterion is ``met``, ``not met`` or ``missing``. A missing field never makes a patient
ineligible: it makes the decision ``incomplete`` with the field named.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from armmatch.errors import InputError
from armmatch.events import Assessment, Event, Evidence, SourceRecord
from armmatch.samples import Patient
from armmatch.tumour_types import Table1Row, decide_rare_tumour

CriterionStatus = Literal["met", "not met", "missing"]


@dataclass(frozen=True)
class Criterion:
    """One eligibility criterion and its outcome for a patient."""

    name: str
    status: CriterionStatus
    detail: str
    source: str


@dataclass(frozen=True)
class DrugVocabulary:
    """Drug names and aliases with their class (checkpoint inhibitor or study targeted drug)."""

    classes: dict[str, str]
    """canonical name -> class"""
    aliases: dict[str, str]
    """lower-case name or alias -> canonical name"""
    version: str

    def canonical(self, name: str) -> str | None:
        return self.aliases.get(name.strip().lower())


def load_drug_vocabulary(path: str | Path) -> DrugVocabulary:
    """Read ``resources/drug_classes.tsv`` (columns drug, class, aliases)."""
    classes: dict[str, str] = {}
    aliases: dict[str, str] = {}
    version = "unversioned"
    header: list[str] | None = None
    with open(path, encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, start=1):
            text = raw.rstrip("\n")
            if text.startswith("#"):
                if text.startswith("# version:"):
                    version = text.split(":", 1)[1].strip()
                continue
            if not text.strip():
                continue
            fields = next(csv.reader([text], delimiter="\t"))
            if header is None:
                if fields != ["drug", "class", "aliases"]:
                    raise InputError("header must be: drug, class, aliases", path=path, line=lineno)
                header = fields
                continue
            if len(fields) != 3:
                raise InputError(f"expected 3 fields, found {len(fields)}", path=path, line=lineno)
            drug, cls, alias_text = (f.strip() for f in fields)
            if cls not in ("anti-PD-1/PD-L1", "study targeted drug"):
                raise InputError(f"unknown drug class {cls!r}", path=path, line=lineno)
            classes[drug.lower()] = cls
            for name in [drug, *alias_text.split(";")]:
                if name.strip():
                    aliases[name.strip().lower()] = drug.lower()
    return DrugVocabulary(classes, aliases, version)


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
            "criteria": [asdict(c) for c in self.criteria],
            "rare_tumour": self.rare_tumour,
            "prior_study_drugs": list(self.prior_study_drugs),
            "unlisted_prior_drugs": list(self.unlisted_prior_drugs),
        }


def assess_eligibility(
    patient: Patient,
    *,
    table1: Sequence[Table1Row],
    drugs: DrugVocabulary,
    min_age: int,
    max_ecog: int,
) -> Eligibility:
    """Decide the study-level criteria available in the sample sheet."""
    criteria: list[Criterion] = []
    decision = decide_rare_tumour(patient.tumour_type, table1)
    row = decision.row
    rare = {
        "tumour_type": patient.tumour_type,
        "rare": decision.rare,
        "criterion": decision.criterion,
        "reason": decision.reason,
        "table1_row": None
        if row is None
        else {"row_id": row.row_id, "system": row.system, "tier": row.tier,
              "tumour_type": row.tumour_type, "icd10": row.icd10_printed},
    }  # fmt: skip
    criteria.append(
        Criterion("rare solid tumour (Table 1)", "met" if decision.rare else "not met",
                  decision.reason, "Table 2 inclusion 2; protocol rare-tumour definition")
    )  # fmt: skip
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
        for name in patient.prior_therapies:
            canon = drugs.canonical(name)
            if canon is None:
                unlisted.append(name)
            elif drugs.classes[canon] == "anti-PD-1/PD-L1":
                checkpoint.append(canon)
            else:
                study_drugs.append(canon)
        if checkpoint:
            criteria.append(
                Criterion("no prior anti-PD-1/PD-L1", "not met",
                          f"prior {', '.join(checkpoint)} (anti-PD-1/PD-L1)", "Table 2 exclusion 2")
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
