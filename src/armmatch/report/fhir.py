"""One patient's assignment as an HL7 FHIR R4 ``Bundle`` after the Genomics Reporting IG.

Follows the HL7 FHIR Genomics Reporting implementation guide 4.0.0 (the build in
``../shared/reference/hl7-genomics-reporting``, FHIR R4 4.0.1): a ``DiagnosticReport`` (profile
genomic-report, LOINC 51969-4) for the patient and specimen of the sample sheet, an
``Observation`` (profile variant) per reported small variant, copy-number event and fusion, an
``Observation`` (profile therapeutic-implication) for the assigned arm's drug with the variants
it rests on, and an ``Observation`` with ``dataAbsentReason`` not-performed per item that was
**not assessed**, so that "not assessed" is never read as negative (the IG describes studied
regions with GenomicStudy, an R5 resource, so these carry no IG profile). The decision is the
report's ``conclusion``.

Every identifier is derived from the patient and the record (UUID v5), and no clock is read:
the same record gives the same bundle byte for byte. Codes are LOINC (answer lists LA...) and
Sequence Ontology where the IG uses them; what the IG does not cover (the PLATFORM arm and its
verdicts for every other arm) stays in ``assignment.json``.
"""

from __future__ import annotations

import uuid
from typing import Any

from armmatch.events import Event
from armmatch.io import json_lines
from armmatch.report.record import AssignmentRecord, hgvs_names

IG = "http://hl7.org/fhir/uv/genomics-reporting"
IG_VERSION = "4.0.0"
PROFILE = {
    "report": f"{IG}/StructureDefinition/genomic-report",
    "variant": f"{IG}/StructureDefinition/variant",
    "implication": f"{IG}/StructureDefinition/therapeutic-implication",
}
TBD_CODES = f"{IG}/CodeSystem/tbd-codes-cs"
LOINC = "http://loinc.org"
SO = "http://www.sequenceontology.org"
HGNC = "http://www.genenames.org/geneId"
_NAMESPACE = uuid.UUID("6f1c3b0e-4f0a-5d8e-9a57-2b8f0c4d9e21")
_CATEGORY = [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                          "code": "laboratory"}]},
             {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074",
                          "code": "GE", "display": "Genetics"}]}]  # fmt: skip
_SOURCE = {"somatic": ("LA6684-0", "Somatic"), "germline": ("LA6683-2", "Germline")}
_CHANGE_TYPE = {
    "amplification": ("SO:0001742", "copy_number_gain"), "gain": ("SO:0001742", "copy_number_gain"),
    "indeterminate_gain": ("SO:0001742", "copy_number_gain"),
    "loss": ("SO:0001743", "copy_number_loss"), "indeterminate_loss": ("SO:0001743", "copy_number_loss"),
    "homozygous_deletion": ("SO:0001743", "copy_number_loss"),
}  # fmt: skip
_NOT_ASSESSED_CODE = {"mutation": "small variants", "cnv": "copy number", "fusion": "fusions"}


def _urn(record: AssignmentRecord, *parts: object) -> str:
    return "urn:uuid:" + str(
        uuid.uuid5(_NAMESPACE, "/".join(map(str, (record.patient_id, *parts))))
    )


def _concept(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}]}


def _component(code: str, display: str, **value: Any) -> dict[str, Any]:
    return {"code": _concept(LOINC, code, display), **value}


def _text(text: str) -> dict[str, Any]:
    return {"text": text}


def variant_observation(
    e: Event, *, patient: str, specimen: str | None, transcripts: dict[str, Any]
) -> dict[str, Any]:
    """A variant Observation (profile variant) for one small variant, CNV or fusion event."""
    components = [_component("48018-6", "Gene studied [ID]",
                             valueCodeableConcept={"coding": [{"system": HGNC, "display": e.gene}],
                                                   "text": e.gene})]  # fmt: skip
    if e.category == "mutation":
        names = hgvs_names(e, transcripts)  # the same names as the patient report
        if names.transcript:
            components.append(_component("51958-7", "Transcript reference sequence [ID]",
                                         valueCodeableConcept=_text(names.transcript)))  # fmt: skip
        if names.c:
            components.append(_component("48004-6", "DNA change (c.HGVS)",
                                         valueCodeableConcept=_text(names.c)))  # fmt: skip
        if names.p:
            components.append(_component("48005-3", "Amino acid change (pHGVS)",
                                         valueCodeableConcept=_text(names.p)))  # fmt: skip
        if e.vaf is not None:
            components.append(_component("81258-6", "Sample variant allelic frequency [NFr]",
                                         valueQuantity={"value": round(e.vaf, 4),
                                                        "system": "http://unitsofmeasure.org",
                                                        "code": "1"}))  # fmt: skip
        if e.origin in _SOURCE:
            code, display = _SOURCE[e.origin]
            components.append(_component("48002-0", "Genomic source class [Type]",
                                         valueCodeableConcept=_concept(LOINC, code, display)))  # fmt: skip
    elif e.category == "cnv":
        if e.cnv_call in _CHANGE_TYPE:
            code, display = _CHANGE_TYPE[str(e.cnv_call)]
            components.append(_component("48019-4", "DNA change type",
                                         valueCodeableConcept=_concept(SO, code, display)))  # fmt: skip
        if e.copy_number is not None:
            components.append(_component("82155-3", "Genomic structural variant copy number",
                                         valueQuantity={"value": round(e.copy_number, 2)}))  # fmt: skip
    elif e.category == "fusion":
        components.append(_component("48019-4", "DNA change type",
                                     valueCodeableConcept=_concept(SO, "SO:0001565", "gene_fusion")))  # fmt: skip
        for partner in (e.gene5, e.gene3):
            if partner and partner != e.gene:
                components.append(_component("48018-6", "Gene studied [ID]",
                                             valueCodeableConcept={"coding": [{"system": HGNC, "display": partner}],
                                                                   "text": partner}))  # fmt: skip
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "meta": {"profile": [PROFILE["variant"]]},
        "status": "preliminary" if e.status == "indeterminate" else "final",
        "category": _CATEGORY,
        "code": _concept(LOINC, "69548-6", "Genetic variant assessment"),
        "subject": {"reference": patient},
        "valueCodeableConcept": _concept(LOINC, "LA9633-4", "Present"),
        "component": components,
        "note": [{"text": f"{e.gene} {e.alteration} ({e.status}"
                          + (f": {e.status_reason}" if e.status_reason else "") + ")"}],
    }  # fmt: skip
    if specimen:
        obs["specimen"] = {"reference": specimen}
    return obs


def fhir_bundle(record: AssignmentRecord) -> dict[str, Any]:
    """The FHIR R4 Bundle (type collection) of one assignment record (see the module doc)."""
    r = record
    patient_url = _urn(r, "Patient")
    entries: list[dict[str, Any]] = [{"fullUrl": patient_url, "resource": {
        "resourceType": "Patient",
        "identifier": [{"system": "urn:armmatch:patient-id", "value": r.patient_id}],
    }}]  # fmt: skip
    specimen_url = None
    sp = r.specimen
    if sp.specimen_id or sp.accession:
        specimen_url = _urn(r, "Specimen")
        specimen: dict[str, Any] = {
            "resourceType": "Specimen",
            "subject": {"reference": patient_url},
        }
        if sp.specimen_id:
            specimen["identifier"] = [
                {"system": "urn:armmatch:specimen-id", "value": sp.specimen_id}
            ]
        if sp.accession:
            specimen["accessionIdentifier"] = {
                "system": "urn:armmatch:accession",
                "value": sp.accession,
            }
        if sp.collection_date:
            specimen["collection"] = {"collectedDateTime": sp.collection_date}
        entries.append({"fullUrl": specimen_url, "resource": specimen})
    results: list[str] = []
    by_event: dict[str, str] = {}
    for x in r.events:
        if x.event.status == "filtered":
            continue
        url = _urn(r, "Observation", x.event_id)
        by_event[x.event_id] = url
        results.append(url)
        entries.append({"fullUrl": url, "resource": variant_observation(
            x.event, patient=patient_url, specimen=specimen_url, transcripts=r.transcripts)})  # fmt: skip
    if r.arm:
        deciding = [by_event[x.event_id] for x in r.events
                    if r.arm in x.event.arm_ids and x.event_id in by_event]  # fmt: skip
        url = _urn(r, "Observation", "implication")
        results.append(url)
        implication: dict[str, Any] = {
            "resourceType": "Observation",
            "meta": {"profile": [PROFILE["implication"]]},
            "status": "final",
            "category": _CATEGORY,
            "code": _concept(TBD_CODES, "therapeutic-implication", "Therapeutic Implication"),
            "subject": {"reference": patient_url},
            "component": [
                _component("51963-7", "Medication assessed [ID]", valueCodeableConcept=_text(str(r.drug))),
                {"code": _concept(TBD_CODES, "therapeutic-implication", "Therapeutic Implication"),
                 "valueCodeableConcept": _text(f"Responsive: PLATFORM arm {r.arm} ({r.arm_type}), "
                                               f"{r.dose}")},
            ],
            "note": [{"text": r.status_reason}],
        }  # fmt: skip
        if deciding:
            implication["derivedFrom"] = [{"reference": u} for u in deciding]
        entries.append({"fullUrl": url, "resource": implication})
    for n, m in enumerate(r.missing):
        url = _urn(r, "Observation", "region", n)
        results.append(url)
        entries.append({"fullUrl": url, "resource": {
            "resourceType": "Observation",
            "status": "final",
            "category": _CATEGORY,
            "code": _concept(LOINC, "53041-0", "DNA region of interest panel"),
            "subject": {"reference": patient_url},
            "dataAbsentReason": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                "code": "not-performed", "display": "Not Performed"}]},
            "note": [{"text": f"not assessed: {m['item']} (needed for {m['for']}): {m['reason']}"}],
        }})  # fmt: skip
    decision = (f"{r.status.upper()}: {r.arm} — {r.drug}, {r.dose}" if r.arm
                else f"{r.status.upper()}: no arm assigned")  # fmt: skip
    report: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "meta": {"profile": [PROFILE["report"]]},
        "status": "final" if r.signoff.status == "signed" else "preliminary",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074",
                                  "code": "GE", "display": "Genetics"}]}],
        "code": _concept(LOINC, "51969-4", "Genetic analysis report"),
        "subject": {"reference": patient_url},
        "result": [{"reference": u} for u in results],
        "conclusion": f"{decision}. {r.status_reason}",
        "identifier": [{"system": "urn:armmatch:assignment",
                        "value": f"{r.patient_id}/{r.rule_set_version}"}],
    }  # fmt: skip
    if specimen_url:
        report["specimen"] = [{"reference": specimen_url}]
    if sp.report_date:
        report["issued"] = f"{sp.report_date}T00:00:00Z"
    entries.insert(0, {"fullUrl": _urn(r, "DiagnosticReport"), "resource": report})
    return {
        "resourceType": "Bundle",
        "identifier": {"system": "urn:armmatch:bundle", "value": r.patient_id},
        "type": "collection",
        "entry": entries,
    }


def dumps_bundle(record: AssignmentRecord) -> str:
    """The bundle as deterministic JSON text (:func:`armmatch.io.json_lines`: one line per
    entry)."""
    return json_lines(fhir_bundle(record), ensure_ascii=False)
