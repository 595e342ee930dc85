"""MatchMiner CTML export (issue 17): the schema's facts, and MatchMiner's matching of the
exported patients against the exported trial (tests/ctml_engine.py, MatchMiner's own config)."""

from __future__ import annotations

import copy
import dataclasses
import datetime
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from armmatch.config import settings_from_config
from armmatch.events import Event, SourceRecord
from armmatch.knowledge.rule_table import load_rules
from armmatch.paths import RULE_TABLE
from armmatch.report.matchminer import clinical_document, ctml_trial, genomic_documents
from armmatch.report.record import AssignmentRecord, Specimen
from tests.conftest import REPO, assign_record, example_patient
from tests.ctml_engine import Engine

REFERENCE = REPO.parent / "shared" / "reference" / "matchengine-v2" / "matchengine"
SCHEMA = json.loads((REPO / "tests" / "data" / "ctml.schema.json").read_text(encoding="utf-8"))
TODAY = datetime.date(2026, 12, 1)
PATIENTS = [f"PLT-{i:03d}" for i in range(1, 15)]


def _reference() -> Path:
    if not REFERENCE.is_dir():
        pytest.skip(f"../shared/reference is absent ({REFERENCE}): MatchMiner's reference copy")
    return REFERENCE


@pytest.fixture(scope="module")
def trial() -> dict[str, Any]:
    return ctml_trial(load_rules(RULE_TABLE), min_age=18)


@pytest.fixture(scope="module")
def records() -> dict[str, AssignmentRecord]:
    settings = settings_from_config({"samples": "s.tsv"})
    return {p: AssignmentRecord.from_dict(assign_record(example_patient(p), settings))
            for p in PATIENTS}  # fmt: skip


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(_reference() / "config" / "dfci_config.json", today=TODAY)


def _docs(record: AssignmentRecord) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The exported documents; the test gives MatchMiner a birth date that fits the sheet's age
    (armmatch has no birth date to export)."""
    clinical = clinical_document(record)
    clinical["BIRTH_DATE_INT"] = (TODAY.year - int(clinical["AGE"]) - 1) * 10000 + 101
    return clinical, [doc for _, doc in genomic_documents(record)]


def _reference_trials() -> list[dict[str, Any]]:
    docs = []
    for folder in ("trials", "integration_trials"):
        for path in sorted((_reference() / "tests" / "data" / folder).glob("*.json")):
            text, decoder, at = path.read_text(encoding="utf-8"), json.JSONDecoder(), 0
            while at < len(text.rstrip()):  # one file holds two documents back to back
                doc, end = decoder.raw_decode(text, at)
                items = doc if isinstance(doc, list) else [doc]
                docs += [d for d in items if "treatment_list" in d]
                at = end + (len(text[end:]) - len(text[end:].lstrip()))
    return docs


def test_the_schema_facts_accept_every_reference_trial_of_matchminer() -> None:
    trials = _reference_trials()
    assert len(trials) == 24
    for doc in trials:
        jsonschema.validate(doc, SCHEMA)


def test_the_schema_keys_are_matchminers_config_keys() -> None:
    config = json.loads((_reference() / "config" / "dfci_config.json").read_text(encoding="utf-8"))
    mappings = config["ctml_collection_mappings"]
    genomic = set(SCHEMA["$defs"]["genomic"]["propertyNames"]["enum"])
    clinical = set(SCHEMA["$defs"]["clinical"]["propertyNames"]["enum"])
    # true_variant_classification is used by the reference trials without a mapping
    assert genomic == {k.lower() for k in mappings["genomic"]["trial_key_mappings"]} | {
        "true_variant_classification"}  # fmt: skip
    assert clinical == {k.lower() for k in mappings["clinical"]["trial_key_mappings"]}


def test_the_export_is_valid_ctml(trial: dict[str, Any]) -> None:
    jsonschema.validate(trial, SCHEMA)
    arms = [a["arm_code"] for s in trial["treatment_list"]["step"] for a in s["arm"]]
    assert "sintilimab-PD1" in arms and "alectinib-ALK" in arms
    assert not any("combination" in a for a in arms)  # secondary resistance has no CTML form
    assert trial["rule_set_version"] == load_rules(RULE_TABLE).version


@pytest.mark.parametrize("damage", ["unknown key", "two keys in a node", "no arm code",
                                    "bad category", "bad age"])  # fmt: skip
def test_the_schema_refuses_a_damaged_export(trial: dict[str, Any], damage: str) -> None:
    doc = copy.deepcopy(trial)
    arm = doc["treatment_list"]["step"][0]["arm"][0]
    tree = arm["match"][0]["and"]
    if damage == "unknown key":
        tree[1]["or"][0]["genomic"]["gene"] = "EGFR"
    elif damage == "two keys in a node":
        tree[0]["genomic"] = {"hugo_symbol": "EGFR"}
    elif damage == "no arm code":
        del arm["arm_code"]
    elif damage == "bad category":
        tree[2]["genomic"]["variant_category"] = "!Fusion"
    else:
        tree[0]["clinical"]["age_numerical"] = "18+"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)


def test_every_exclusion_is_a_negated_criterion_on_every_arm(trial: dict[str, Any]) -> None:
    rules = load_rules(RULE_TABLE)
    excluded = {r.gene for r in rules.rules if r.arm_type == "exclusion"}
    for arm in trial["treatment_list"]["step"][0]["arm"]:
        negated = {n["genomic"]["hugo_symbol"] for n in arm["match"][0]["and"]
                   if "genomic" in n and n["genomic"]["variant_category"].startswith("!")
                   and n["genomic"]["hugo_symbol"] in excluded}  # fmt: skip
        assert negated == excluded, arm["arm_code"]


@pytest.mark.parametrize("with_report_date", [True, False], ids=["structured SV", "SV comment"])
def test_matchminer_matches_the_same_arms_on_the_simple_cases(
    trial: dict[str, Any], records: dict[str, AssignmentRecord], engine: Engine,
    with_report_date: bool,
) -> None:  # fmt: skip
    decided = 0
    for pid, record in records.items():
        if with_report_date:
            record = dataclasses.replace(record, specimen=Specimen(report_date="2026-11-30"))
        clinical, genomic = _docs(record)
        matched = engine.matching_arms(trial, clinical, genomic)
        if pid == "PLT-013":  # MET c.3082G>C: missense and splice region, see below
            continue
        if record.status in ("targeted", "immunotherapy", "excluded"):
            positive = {
                a.arm_id for a in record.arms if a.verdict in ("selected", "lower priority")
            }
            assert matched == positive, pid
            decided += 1
    assert decided == 10
    assert engine.matching_arms(trial, *_docs(records["PLT-007"])) == set()  # RET fusion


def test_the_not_assessed_rule_is_what_matchminer_cannot_say(
    trial: dict[str, Any], records: dict[str, AssignmentRecord], engine: Engine
) -> None:
    # PLT-009 (BRAF V600E) has no fusion calls: armmatch keeps it incomplete (RET, NTRK and
    # FGFR fusions not assessed); MatchMiner reads the missing documents as negative
    assert records["PLT-009"].status == "incomplete"
    assert engine.matching_arms(trial, *_docs(records["PLT-009"])) == {"vemurafenib-BRAF"}
    lost = [n["lost"] for n in trial["not_expressed"]]
    assert any(text.startswith("not assessed is not negative") for text in lost)
    assert any(n["arm_id"] == "sintilimab-PD1" and "not-assessed" in n["lost"]
               for n in trial["not_expressed"])  # fmt: skip


def test_a_missense_splice_region_variant_is_listed_as_lost(
    trial: dict[str, Any], records: dict[str, AssignmentRecord], engine: Engine
) -> None:
    # MET exon 14's last base: armmatch counts the splice-region class, a MAF calls it missense
    record = records["PLT-013"]
    assert record.arm == "crizotinib-MET-mut"
    assert "crizotinib-MET-mut" not in engine.matching_arms(trial, *_docs(record))
    assert any(n["rule_id"] == "MET-ex14" and "Missense_Mutation" in n["lost"]
               for n in trial["not_expressed"])  # fmt: skip


def _event(**kw: Any) -> Event:
    return Event(source=SourceRecord("extra.maf", 2, "row"), **kw)


@pytest.mark.parametrize(("event", "arm"), [
    (_event(gene="KIT", category="mutation", alteration="K550_K558del", chrom="4", pos1=55593579,
            ref="AAAGGAAGGTTGTTGAGGAACAACTTGAA", alt="A", exon=11, variant_class="inframe_deletion",
            hgvsp="p.Lys550_Lys558del", vaf=0.4, depth=300), "imatinib-KIT"),
    (_event(gene="EGFR", category="mutation", alteration="E746_A750del", chrom="7", pos1=55174771,
            ref="AGGAATTAAGAGAAGC", alt="A", exon=19, variant_class="inframe_deletion",
            hgvsp="p.Glu746_Ala750del", vaf=0.3, depth=200), "almonertinib-EGFR"),
    (_event(gene="BRCA2", category="mutation", alteration="E1953*", chrom="13", pos1=32340000,
            ref="G", alt="T", exon=11, variant_class="stop_gained", hgvsp="p.Glu1953Ter",
            vaf=0.5, depth=150), "niraparib-BRCA"),
])  # fmt: skip
def test_an_added_alteration_matches_its_arm_in_both(
    trial: dict[str, Any], engine: Engine, event: Event, arm: str
) -> None:
    settings = settings_from_config({"samples": "s.tsv"})
    record = AssignmentRecord.from_dict(
        assign_record(example_patient("PLT-008"), settings, [event])
    )
    assert record.arm == arm
    assert arm in engine.matching_arms(trial, *_docs(record))
    assert "sintilimab-PD1" not in engine.matching_arms(trial, *_docs(record))


def test_patient_documents_carry_matchminers_fields(records: dict[str, AssignmentRecord]) -> None:
    docs = dict(genomic_documents(records["PLT-001"]))
    (l858r,) = [d for d in docs.values() if d.get("TRUE_PROTEIN_CHANGE") == "p.L858R"]
    assert l858r["VARIANT_CATEGORY"] == "MUTATION"
    assert l858r["TRUE_VARIANT_CLASSIFICATION"] == "Missense_Mutation"
    assert l858r["TRUE_TRANSCRIPT_EXON"] == 21
    # filtered T790M and neutral copy number are not MatchMiner documents
    assert not any(d.get("TRUE_PROTEIN_CHANGE") == "p.T790M" for d in docs.values())
    assert not any(d["VARIANT_CATEGORY"] == "CNV" for d in docs.values())
    (fusion,) = [
        d for _, d in genomic_documents(records["PLT-005"]) if d["VARIANT_CATEGORY"] == "SV"
    ]
    assert (fusion["LEFT_PARTNER_GENE"], fusion["RIGHT_PARTNER_GENE"]) == ("EML4", "ALK")
    (amp,) = [d for _, d in genomic_documents(records["PLT-006"]) if d["VARIANT_CATEGORY"] == "CNV"]
    assert amp["CNV_CALL"] == "High level amplification"


def test_hostile_values_survive_the_json_documents(records: dict[str, AssignmentRecord]) -> None:
    hostile = 'a"b\\c\n\t<script>alert(1)</script>&#'
    record = dataclasses.replace(records["PLT-005"], tumour_type=hostile,
                                 specimen=Specimen(specimen_id=hostile))  # fmt: skip
    for doc in (clinical_document(record), *(d for _, d in genomic_documents(record))):
        text = json.dumps(
            doc, indent=1, ensure_ascii=False
        )  # as the exchange_formats job writes it
        assert "\n\t<script>" not in text and json.loads(text) == doc
    clinical = clinical_document(record)
    assert clinical["ONCOTREE_PRIMARY_DIAGNOSIS_NAME"] == hostile == clinical["SPECIMEN_ID"]
