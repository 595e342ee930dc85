"""The assignment record of one patient (``assignment.json``) and its JSON encoding.

The record carries the decision, every arm's result, the events by id, the eligibility, the
provenance (input hashes, rule-set and knowledge versions) and the settings used.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from armmatch.errors import InputError
from armmatch.events import Assessment, Event
from armmatch.hgvs import parse_protein_change, unversioned
from armmatch.io import json_lines, plain_dict
from armmatch.knowledge.rule_table import RuleSet
from armmatch.patient import Review

if TYPE_CHECKING:
    from armmatch.decision.assignment import ArmResult, Decision
    from armmatch.decision.eligibility import Eligibility
    from armmatch.patient import Patient


SCHEMA_ID = "armmatch.assignment/1"


def event_ids(events: Sequence[Event]) -> list[str]:
    return [f"E{i + 1}" for i in range(len(events))]


JsonDict = dict[str, Any]
"""A JSON object kept as it is written (eligibility, clinical fields, resources, settings)."""


@dataclass(frozen=True)
class RecordedEvent:
    """One event of the record with its id (``E1``, ``E2`` ...), referenced from the arms."""

    event_id: str
    event: Event

    def to_dict(self) -> JsonDict:
        return {"event_id": self.event_id, **self.event.to_dict()}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RecordedEvent:
        return cls(str(d["event_id"]), Event.from_dict(d))


@dataclass(frozen=True)
class FiredRule:
    """A rule-table row that at least one event fired, as the report cites it."""

    rule_id: str
    arm_id: str
    rule_line: int
    gene: str
    category: str
    criterion: str
    source: str
    note: str


@dataclass(frozen=True)
class RuleRow:
    """How one rule of an arm came out for the patient."""

    rule_id: str
    rule_line: int
    gene: str
    category: str
    criterion: str
    outcome: str
    events: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class ArmRow:
    """One arm's (or exclusion group's) verdict and reason, with its rules."""

    arm_id: str
    arm_type: str
    drug: str
    dose: str
    priority: int
    verdict: str
    reason: str
    rules: tuple[RuleRow, ...]

    def to_dict(self) -> JsonDict:
        d = plain_dict(self)
        d["rules"] = [{**plain_dict(r), "events": list(r.events)} for r in self.rules]
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ArmRow:
        rules = tuple(RuleRow(**{**r, "events": tuple(r["events"])}) for r in d["rules"])
        return cls(**{**d, "rules": rules})

    @classmethod
    def of(cls, result: ArmResult, ids: Sequence[str]) -> ArmRow:
        """The row of a decided arm; ``ids`` are the record's event ids by event index."""
        arm = result.arm
        rules = tuple(
            RuleRow(
                rule_id=rr.rule.rule_id,
                rule_line=rr.rule.line,
                gene=rr.rule.gene,
                category=rr.rule.category,
                criterion=rr.rule.criterion_text(),
                outcome=rr.outcome,
                events=tuple(ids[i] for i in rr.events),
                reason=rr.reason,
            )  # fmt: skip
            for rr in result.rule_results
        )
        return cls(arm_id=arm.arm_id, arm_type=arm.arm_type, drug=arm.drug,
                   dose="; ".join(arm.doses), priority=arm.priority, verdict=result.verdict,
                   reason=result.reason, rules=rules)  # fmt: skip


@dataclass(frozen=True)
class InputFile:
    path: str
    sha256: str


@dataclass(frozen=True)
class Provenance:
    """What produced the record: versions, the build, resources, inputs and settings."""

    armmatch_version: str
    genome_build: str
    rule_set: JsonDict
    resources: JsonDict
    inputs: tuple[InputFile, ...]
    parameters: JsonDict
    knowledge: JsonDict | None = None

    def to_dict(self) -> JsonDict:
        d: JsonDict = {
            "armmatch_version": self.armmatch_version,
            "genome_build": self.genome_build,
            "rule_set": self.rule_set,
            "resources": self.resources,
            "inputs": [plain_dict(i) for i in self.inputs],
            "parameters": self.parameters,
        }
        if self.knowledge is not None:
            d["knowledge"] = self.knowledge
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Provenance:
        return cls(
            armmatch_version=d["armmatch_version"], genome_build=d["genome_build"],
            rule_set=dict(d["rule_set"]), resources=dict(d["resources"]),
            inputs=tuple(InputFile(**i) for i in d["inputs"]), parameters=dict(d["parameters"]),
            knowledge=dict(d["knowledge"]) if "knowledge" in d else None,
        )  # fmt: skip


@dataclass(frozen=True)
class Specimen:
    """The report header's specimen facts from the sample sheet (None: not given)."""

    specimen_id: str | None = None
    accession: str | None = None
    assay: str | None = None
    collection_date: str | None = None
    report_date: str | None = None
    report_date_source: str = "not given"
    """``sample sheet``, ``config`` or ``not given``: the clock is never read."""


@dataclass(frozen=True)
class SignOff:
    """The tumour board's sign-off beside the computed decision (the review file's row)."""

    status: str = "not yet reviewed"
    """``signed`` or ``not yet reviewed``."""
    reviewer: str | None = None
    date: str | None = None
    decision: str | None = None
    """``accept``, ``override`` or ``defer``."""
    arm: str | None = None
    reason: str | None = None
    computed_status: str | None = None
    computed_arm: str | None = None
    source: str | None = None
    """The review file and line."""

    def words(self) -> str:
        """``accepted by Dr A (2026-12-02)``, ``override to X by ...``, or not yet reviewed."""
        if self.status != "signed":
            return "not yet reviewed"
        what = {"accept": "accepted", "defer": "deferred",
                "override refused": f"override to {self.arm} refused"}.get(
            str(self.decision), f"override to {self.arm}")  # fmt: skip
        return f"{what} by {self.reviewer} ({self.date})"


@dataclass(frozen=True)
class AssignmentRecord:
    """One patient's assignment: what ``assignment.json`` holds, typed.

    :meth:`to_dict` is the JSON document (``workflow/schemas/assignment.schema.json``, schema
    :data:`SCHEMA_ID`); :meth:`from_dict` reads it back losslessly (the batch summary reads the
    records of reused patients from disk).
    """

    patient_id: str
    tumour_type: str | None
    status: str
    status_reason: str
    arm: str | None
    arm_type: str | None
    drug: str | None
    dose: str | None
    candidate_arm: str | None
    provisional: tuple[str, ...]
    override: JsonDict | None
    clinical: JsonDict
    eligibility: JsonDict
    rules_fired: tuple[FiredRule, ...]
    events: tuple[RecordedEvent, ...]
    arms: tuple[ArmRow, ...]
    exclusions: tuple[ArmRow, ...]
    missing: tuple[JsonDict, ...]
    assessments: tuple[JsonDict, ...]
    provenance: Provenance
    specimen: Specimen = Specimen()
    signoff: SignOff = SignOff()
    transcripts: JsonDict = field(default_factory=dict)
    """The bundled transcript of each event's gene: ``{gene: {refseq, ensembl, mane_select}}``."""
    schema: str = SCHEMA_ID

    @property
    def rule_set_version(self) -> str:
        return str(self.provenance.rule_set["version"])

    def actionable_events(self) -> list[RecordedEvent]:
        return [e for e in self.events if e.event.actionable]

    def indeterminate_events(self) -> list[RecordedEvent]:
        return [e for e in self.events if e.event.status == "indeterminate"]

    def to_dict(self) -> JsonDict:
        return {
            "schema": self.schema,
            "patient_id": self.patient_id,
            "tumour_type": self.tumour_type,
            "status": self.status,
            "status_reason": self.status_reason,
            "arm": self.arm,
            "arm_type": self.arm_type,
            "drug": self.drug,
            "dose": self.dose,
            "candidate_arm": self.candidate_arm,
            "provisional": list(self.provisional),
            "override": self.override,
            "clinical": self.clinical,
            "eligibility": self.eligibility,
            "rules_fired": [plain_dict(r) for r in self.rules_fired],
            "events": [e.to_dict() for e in self.events],
            "arms": [a.to_dict() for a in self.arms],
            "exclusions": [x.to_dict() for x in self.exclusions],
            "missing": list(self.missing),
            "assessments": list(self.assessments),
            "provenance": self.provenance.to_dict(),
            "specimen": plain_dict(self.specimen),
            "signoff": plain_dict(self.signoff),
            "transcripts": self.transcripts,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> AssignmentRecord:
        return cls(
            schema=d["schema"],
            patient_id=d["patient_id"],
            tumour_type=d["tumour_type"],
            status=d["status"],
            status_reason=d["status_reason"],
            arm=d["arm"],
            arm_type=d["arm_type"],
            drug=d["drug"],
            dose=d["dose"],
            candidate_arm=d.get("candidate_arm"),
            provisional=tuple(d.get("provisional", ())),
            override=d.get("override"),
            clinical=dict(d.get("clinical") or {}),
            eligibility=dict(d["eligibility"]),
            rules_fired=tuple(FiredRule(**r) for r in d.get("rules_fired", ())),
            events=tuple(RecordedEvent.from_dict(e) for e in d["events"]),
            arms=tuple(ArmRow.from_dict(a) for a in d["arms"]),
            exclusions=tuple(ArmRow.from_dict(x) for x in d["exclusions"]),
            missing=tuple(dict(m) for m in d["missing"]),
            assessments=tuple(dict(a) for a in d["assessments"]),
            provenance=Provenance.from_dict(d["provenance"]),
            specimen=Specimen(**d.get("specimen", {})),
            signoff=SignOff(**d.get("signoff", {})),
            transcripts=dict(d.get("transcripts", {})),
        )


def provenance(
    *,
    build: str,
    version: str,
    inputs: Mapping[str, str],
    resources: Mapping[str, Any],
    parameters: Mapping[str, Any],
    knowledge: Mapping[str, Any] | None = None,
) -> Provenance:
    """The provenance block: versions, build, resources (the rule table first), inputs, settings."""
    return Provenance(
        armmatch_version=version,
        genome_build=build,
        rule_set=dict(resources["rule_table"]),
        resources=dict(resources),
        inputs=tuple(InputFile(p, h) for p, h in sorted(inputs.items())),
        parameters=dict(parameters),
        knowledge=dict(knowledge) if knowledge is not None else None,
    )


def assignment_record(
    *,
    patient: Patient,
    decision: Decision,
    events: Sequence[Event],
    assessments: Sequence[Assessment],
    eligibility: Eligibility,
    provenance: Provenance,
    clinical: Mapping[str, Any] | None = None,
    rules: RuleSet | None = None,
    report_date: str | None = None,
    transcripts: Mapping[str, Any] | None = None,
) -> AssignmentRecord:
    """The typed record of one patient's assignment (its JSON: :meth:`AssignmentRecord.to_dict`).

    ``provenance.knowledge``: the checked knowledge resources (manifest version, and per
    resource its version, source, date, licence, sha256 and origin).
    """
    ids = event_ids(events)
    arm = decision.arm
    fired = sorted({r for e in events for r in e.rule_ids})
    rule_rows = tuple(
        FiredRule(
            r.rule_id, r.arm_id, r.line, r.gene, r.category, r.criterion_text(), r.source, r.note
        )  # fmt: skip
        for r in (rules.rules if rules else ())
        if r.rule_id in fired
    )
    return AssignmentRecord(
        patient_id=patient.patient_id,
        tumour_type=patient.tumour_type,
        status=decision.status,
        status_reason=decision.status_reason,
        arm=arm.arm_id if arm else None,
        arm_type=arm.arm_type if arm else None,
        drug=arm.drug if arm else None,
        dose=decision.dose if arm else None,
        candidate_arm=decision.candidate.arm_id if decision.candidate else None,
        provisional=tuple(decision.provisional),
        override=decision.override,
        clinical=dict(clinical or {}),
        eligibility=eligibility.to_dict(),
        rules_fired=rule_rows,
        events=tuple(RecordedEvent(i, e) for i, e in zip(ids, events, strict=True)),
        arms=tuple(ArmRow.of(a, ids) for a in decision.arms),
        exclusions=tuple(ArmRow.of(x, ids) for x in decision.exclusions),
        missing=tuple(decision.missing),
        assessments=tuple(
            plain_dict(a) for a in sorted(assessments, key=lambda a: (a.category, a.gene))
        ),
        provenance=provenance,
        specimen=Specimen(
            specimen_id=patient.specimen_id,
            accession=patient.accession,
            assay=patient.assay,
            collection_date=patient.collection_date,
            report_date=patient.report_date or report_date,
            report_date_source=(
                "sample sheet" if patient.report_date else "config" if report_date else "not given"
            ),
        ),
        transcripts=dict(transcripts or {}),
    )


def sign_off(
    record: AssignmentRecord, review: Review | None, rules: RuleSet, *, source: str
) -> AssignmentRecord:
    """The record with the board's sign-off (or "not yet reviewed"), the computed decision kept.

    Raises
    ------
    InputError
        An override to an arm a patient cannot be assigned (the message lists the valid arms),
        or to an arm whose alteration was not found, without a reason (naming the review file,
        line and patient).
    """
    if review is None:
        return replace(record, signoff=SignOff())
    if review.decision == "override" and review.arm is not None:
        where = {"path": source, "line": review.line, "patient": record.patient_id}
        problem = rules.override_problem(review.arm)
        if problem is not None:
            raise InputError(f"review: {problem}", **where)  # type: ignore[arg-type]
        arm = next(a for a in record.arms if a.arm_id == review.arm)
        found = any(rr.outcome == "positive" for rr in arm.rules)
        if not found and not review.reason:
            raise InputError(
                f"review: the override to {review.arm} needs a reason: the patient has none of "
                f"its alterations ({arm.reason})", **where)  # type: ignore[arg-type]  # fmt: skip
    decision: str = review.decision
    reason, provisional = review.reason, record.provisional
    refusal = _override_refusal(record, review.arm) if review.decision == "override" else None
    if refusal is not None:
        decision = "override refused"
        line = (f"tumour-board override refused to {review.arm} (review {Path(source).name} line "
                f"{review.line}, patient {record.patient_id}; reason given: "
                f"{review.reason or 'none'}): {refusal}; an override chooses among the arms the "
                "patient is eligible for, it never lifts a Table 2 criterion or a study exclusion")  # fmt: skip
        provisional = (*record.provisional, line)
        reason = f"{review.reason or ''} [not applied: {refusal}]".strip()
    signed = SignOff(
        status="signed", reviewer=review.reviewer, date=review.date, decision=decision,
        arm=review.arm, reason=reason, computed_status=record.status,
        computed_arm=record.arm, source=f"{Path(source).name}:{review.line}",
    )  # fmt: skip
    return replace(record, signoff=signed, provisional=provisional)


def _override_refusal(record: AssignmentRecord, arm_id: str | None) -> str | None:
    """Why a board override to ``arm_id`` would lift an eligibility criterion or a study
    exclusion (then it is refused), or None."""
    if record.status in ("ineligible", "excluded"):
        return f"the patient is {record.status}: {record.status_reason}"
    arm = next((a for a in record.arms if a.arm_id == arm_id), None)
    if arm is not None and arm.verdict in ("clinical exclusion", "molecular exclusion"):
        return f"{arm_id} is a {arm.verdict} for this patient: {arm.reason}"
    return None


@dataclass(frozen=True)
class HgvsNames:
    """An event's transcript and HGVS in the outputs' one naming scheme (report and FHIR)."""

    transcript: str | None
    """The bundled RefSeq transcript when the annotation is on it, else the event's own."""
    on_bundled: bool
    mane_select: bool
    c: str
    """``c.2573T>G`` without the transcript prefix; empty when not given."""
    p: str
    """One-letter ``p.L858R``; the annotator's text when it is no parseable protein change."""


def hgvs_names(e: Event, transcripts: Mapping[str, Any]) -> HgvsNames:
    """The names of ``e`` given the record's bundled ``transcripts`` (gene -> refseq, ensembl,
    mane_select): an annotation on another transcript keeps that transcript's name."""
    tx = transcripts.get(e.gene) or {}
    ids = {unversioned(n) for n in (tx.get("refseq"), tx.get("ensembl")) if n}
    on_bundled = bool(tx) and (e.transcript is None or unversioned(e.transcript) in ids)
    p_text = ""
    if e.hgvsp:
        try:
            p_text = "p." + parse_protein_change(e.hgvsp).short
        except ValueError:
            p_text = e.hgvsp.rsplit(":", 1)[-1]
    return HgvsNames(
        transcript=tx["refseq"] if on_bundled else e.transcript,
        on_bundled=on_bundled,
        mane_select=on_bundled and bool(tx.get("mane_select")),
        c=e.hgvsc.rsplit(":", 1)[-1] if e.hgvsc else "",
        p=p_text,
    )


def load_record(path: str | Path) -> AssignmentRecord:
    """An ``assignment.json`` written by armmatch, read back as the typed record."""
    with open(path, encoding="utf-8") as fh:
        return AssignmentRecord.from_dict(json.load(fh))


def load_records(paths: Iterable[str | Path]) -> list[AssignmentRecord]:
    """Many ``assignment.json`` files (a batch step's input), read as typed records.

    Python's cyclic garbage collector is paused while they load and the loaded records are then
    frozen out of its scans (``gc.freeze``): at 10,000 records its repeated full scans cost as
    much as the parsing. The records hold no reference cycles; reference counting frees them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        records = [load_record(p) for p in paths]
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    return records


def dumps_json(record: AssignmentRecord) -> str:
    """``assignment.json``: deterministic JSON text of the record."""
    return json_lines(record.to_dict(), ensure_ascii=False)
