"""FHIR R4 Genomics Reporting bundles (issue 17), validated by fhir.resources (R4B models)."""

from __future__ import annotations

import dataclasses
import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from armmatch.config import settings_from_config
from armmatch.report.fhir import IG, PROFILE, dumps_bundle, fhir_bundle
from armmatch.report.record import AssignmentRecord, Specimen
from tests.conftest import assign_record, example_patient

PATIENTS = [f"PLT-{i:03d}" for i in range(1, 15)]


@pytest.fixture(scope="module")
def records() -> dict[str, AssignmentRecord]:
    settings = settings_from_config({"samples": "s.tsv"})
    return {p: AssignmentRecord.from_dict(assign_record(example_patient(p), settings))
            for p in PATIENTS}  # fmt: skip


def _resources(doc: dict, kind: str) -> list[dict]:  # type: ignore[type-arg]
    return [e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == kind]


@pytest.mark.parametrize("pid", PATIENTS)
def test_every_bundle_validates_and_every_reference_resolves(
    records: dict[str, AssignmentRecord], pid: str
) -> None:
    doc = fhir_bundle(records[pid])
    Bundle.model_validate(doc)  # raises on any structural or datatype error
    urls = {e["fullUrl"] for e in doc["entry"]}
    text = json.dumps(doc)
    refs = {r for r in __import__("re").findall(r'"reference": "([^"]+)"', text)}
    assert refs <= urls, refs - urls
    (report,) = _resources(doc, "DiagnosticReport")
    assert report["meta"]["profile"] == [PROFILE["report"]] and IG in PROFILE["report"]
    assert report["code"]["coding"][0]["code"] == "51969-4"  # the IG's genomic-report code
    observations = {
        e["fullUrl"] for e in doc["entry"] if e["resource"]["resourceType"] == "Observation"
    }
    assert {r["reference"] for r in report["result"]} == observations
    assert report["conclusion"].startswith(records[pid].status.upper())
    assert dumps_bundle(records[pid]) == dumps_bundle(records[pid])  # no clock, no random ids


def test_variant_and_implication_carry_the_reported_facts(
    records: dict[str, AssignmentRecord],
) -> None:
    doc = fhir_bundle(records["PLT-001"])
    variants = [
        o
        for o in _resources(doc, "Observation")
        if o.get("meta", {}).get("profile") == [PROFILE["variant"]]
    ]
    l858r = next(o for o in variants if "L858R" in o["note"][0]["text"])
    values = {c["code"]["coding"][0]["code"]: c for c in l858r["component"]}
    assert values["48018-6"]["valueCodeableConcept"]["text"] == "EGFR"
    assert values["48004-6"]["valueCodeableConcept"]["text"] == "c.2573T>G"
    assert values["48005-3"]["valueCodeableConcept"]["text"] == "p.L858R"
    assert values["51958-7"]["valueCodeableConcept"]["text"] == "NM_005228.5"
    assert values["81258-6"]["valueQuantity"]["value"] == pytest.approx(0.34, abs=0.01)
    assert values["48002-0"]["valueCodeableConcept"]["coding"][0]["code"] == "LA6684-0"
    (implication,) = [
        o
        for o in _resources(doc, "Observation")
        if o.get("meta", {}).get("profile") == [PROFILE["implication"]]
    ]
    url = next(e["fullUrl"] for e in doc["entry"] if e["resource"] is l858r)
    assert implication["derivedFrom"] == [{"reference": url}]
    assert "almonertinib" in json.dumps(implication)


def test_not_assessed_is_an_explicit_region_studied(records: dict[str, AssignmentRecord]) -> None:
    doc = fhir_bundle(records["PLT-009"])
    regions = [o for o in _resources(doc, "Observation") if "dataAbsentReason" in o]
    assert len(regions) == len(records["PLT-009"].missing) >= 9
    assert all(o["dataAbsentReason"]["coding"][0]["code"] == "not-performed" for o in regions)
    assert any("RET fusion" in o["note"][0]["text"] for o in regions)


def test_hostile_values_survive_json_escaping(records: dict[str, AssignmentRecord]) -> None:
    hostile = 'a"b\\c\n\t<script>alert(1)</script>&'
    record = dataclasses.replace(records["PLT-001"], specimen=Specimen(
        specimen_id=hostile, accession=hostile, collection_date="2026-11-30"))  # fmt: skip
    text = dumps_bundle(record)
    doc = json.loads(text)
    Bundle.model_validate(doc)
    (specimen,) = _resources(doc, "Specimen")
    assert specimen["identifier"][0]["value"] == hostile
    assert "\n\t<script>" not in text  # escaped in the JSON text


@pytest.mark.parametrize("damage", ["no status", "unknown element", "bad date", "bad quantity"])
def test_the_validator_refuses_a_broken_bundle(
    records: dict[str, AssignmentRecord], damage: str
) -> None:
    """The check can fail: each damage is refused (fhir.resources does not check code values,
    so the tests above check the codes themselves)."""
    doc = fhir_bundle(records["PLT-001"])
    report = doc["entry"][0]["resource"]
    observation = next(
        e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == "Observation"
    )
    if damage == "no status":
        report.pop("status")
    elif damage == "unknown element":
        report["arm"] = "almonertinib-EGFR"
    elif damage == "bad date":
        report["issued"] = "03/12/2026"
    else:
        observation["component"][0] = {"code": {"text": "x"}, "valueQuantity": {"value": "high"}}
    with pytest.raises(ValidationError):
        Bundle.model_validate(doc)


def test_report_and_bundle_name_the_same_transcript(records: dict[str, AssignmentRecord]) -> None:
    """One naming scheme for both outputs: an annotation on another transcript keeps its name
    in the bundle too (it is never presented as the MANE transcript)."""
    from armmatch.report.html import hgvs_display

    record = records["PLT-001"]
    x = next(x for x in record.events if x.event.alteration == "L858R")
    other = dataclasses.replace(x.event, transcript="ENST00000454757.6")
    moved = dataclasses.replace(
        record,
        events=tuple(dataclasses.replace(y, event=other) if y is x else y for y in record.events),
    )
    doc = fhir_bundle(moved)
    variant = next(
        o
        for o in _resources(doc, "Observation")
        if "L858R" in o.get("note", [{}])[0].get("text", "")
    )
    tx = next(c for c in variant["component"] if c["code"]["coding"][0]["code"] == "51958-7")
    assert tx["valueCodeableConcept"]["text"] == "ENST00000454757.6"
    assert (
        hgvs_display(other, record.transcripts)[0]
        == "ENST00000454757.6 (not the bundled transcript)"
    )
    assert hgvs_display(x.event, record.transcripts)[0] == "NM_005228.5 (MANE Select)"
