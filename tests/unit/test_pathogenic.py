"""The BRCA1/2 pathogenic variant list: matching, the niraparib arm, the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from armmatch.calling.pathogenic import is_classified_pathogenic
from armmatch.config import load_config_file, settings_from_config
from armmatch.errors import ConfigError
from armmatch.events import Event, SourceRecord
from armmatch.knowledge.brca_list import load_list, parse_list
from armmatch.knowledge.build.clinvar import list_from_clinvar
from armmatch.patient import Patient
from armmatch.report.html import patient_html
from armmatch.report.record import AssignmentRecord
from armmatch.report.tables import events_tsv
from tests.conftest import REPO, assign_record, example_patient

SRC = SourceRecord("t.vcf", 12, "17:43106487 A>C")
BUNDLED = REPO / "resources" / "brca_pathogenic.tsv"


def brca1(hgvsp: str | None, hgvsc: str, cls: str = "missense", tx: str = "NM_007294.4") -> Event:
    return Event(gene="BRCA1", category="mutation", alteration=hgvsp or hgvsc, source=SRC,
                 hgvsp=hgvsp, hgvsc=f"{tx}:{hgvsc}", transcript=tx, variant_class=cls,
                 vaf=0.4, depth=100)  # fmt: skip


@pytest.fixture(scope="module")
def plt008() -> Patient:
    return example_patient("PLT-008")


def record_with(
    patient: Patient, extra: list[Event], monkeypatch: pytest.MonkeyPatch, **resources: str
) -> dict[str, Any]:
    """PLT-008 (nothing actionable, everything assessed) with ``extra`` BRCA1 events added."""
    monkeypatch.chdir(REPO)
    config = load_config_file(REPO / "config" / "config.yaml")
    config["resources"].update(resources)
    return assign_record(patient, settings_from_config(config), extra)


def test_listed_missense_assigns_niraparib_with_the_classification_in_the_report(
    plt008: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = record_with(plt008, [brca1("p.Cys61Gly", "c.181T>G")], monkeypatch)
    assert (record["status"], record["arm"]) == ("targeted", "niraparib-BRCA")
    (event,) = [e for e in record["events"] if e["gene"] == "BRCA1"]
    assert event["rule_ids"] == ["BRCA1-path"]
    (note,) = [n for n in event["notes"] if n.startswith("pathogenic: ")]
    assert "ClinVar Pathogenic" in note and "brca_pathogenic version 2026.11-seed" in note
    assert "evaluation date not recorded" in note  # the seed does not invent dates
    html = patient_html(AssignmentRecord.from_dict(record))
    assert "pathogenic: ClinVar Pathogenic" in html
    assert "ClinVar Pathogenic" in events_tsv(AssignmentRecord.from_dict(record))


@pytest.mark.parametrize(
    "event",
    [
        brca1("p.Pro871Leu", "c.2612C>T"),  # missense not on the list
        brca1("p.Cys61Gly", "c.181T>G", tx="NM_007300.4"),  # another transcript's numbering
        brca1("p.Cys61Ser", "c.182G>C"),  # same codon, other residue
    ],
    ids=["not-listed", "other-transcript", "other-residue"],
)
def test_unlisted_missense_is_not_actionable(
    plt008: Patient, monkeypatch: pytest.MonkeyPatch, event: Event
) -> None:
    record = record_with(plt008, [event], monkeypatch)
    assert (record["status"], record["arm"]) == ("immunotherapy", "sintilimab-PD1")
    (e,) = [x for x in record["events"] if x["gene"] == "BRCA1"]
    assert not e["actionable"] and not any(n.startswith("pathogenic") for n in e["notes"])


def test_custom_list_with_a_splice_variant(
    plt008: Patient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    text = BUNDLED.read_text().rstrip("\n")
    custom = tmp_path / "brca.tsv"
    custom.write_text(
        text + "\nBRCA1\tNM_007294.4\tc.5194-12G>A\t\tsplice\tLikely pathogenic\t"
        "criteria provided, single submitter\t2021-05-04\t\t\t\n"
    )
    event = brca1(None, "c.5194-12G>A", cls="splice_region&intron")
    record = record_with(plt008, [event], monkeypatch, brca_pathogenic=str(custom))
    assert record["arm"] == "niraparib-BRCA"
    (e,) = [x for x in record["events"] if x["gene"] == "BRCA1"]
    assert any("Likely pathogenic" in n and "last evaluated 2021-05-04" in n for n in e["notes"])


def test_bundled_seed_is_valid_and_small() -> None:
    plist = load_list(BUNDLED)
    assert {(v.gene, v.hgvsp) for v in plist.variants} == {
        ("BRCA1", "p.Cys61Gly"), ("BRCA1", "p.Arg1699Trp"), ("BRCA1", "p.Met1775Arg"),
        ("BRCA2", "p.Asp2723His"),
    }  # fmt: skip
    assert not is_classified_pathogenic(brca1("p.Cys61Gly", "c.181T>G"))


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("BRCA1\tNM_007294.4\t181T>G\tp.Cys61Gly\tmissense\tPathogenic\t\t\t\t\t", "HGVS c."),
        ("BRCA1\tNM_007294.4\tc.181T>G\tp.Cys61Gly\tmissense\tBenign\t\t\t\t\t", "classification"),
        (
            "BRCA1\tNM_007294.4\tc.181T>G\tp.Cys61Ter\tmissense\tPathogenic\t\t\t\t\t",
            "not a missense",
        ),
        (
            "BRCA1\tNM_007294.4\tc.181T>G\tp.Cys61Gly\tmissense\tPathogenic\t\t14/03/2023\t\t\t",
            "YYYY-MM-DD",
        ),
    ],
)
def test_bad_list_row_is_an_error_with_the_line(row: str, problem: str) -> None:
    text = BUNDLED.read_text() + row + "\n"
    with pytest.raises(ConfigError, match=problem) as exc:
        parse_list(text, path="brca.tsv")
    assert "brca.tsv, line" in str(exc.value)


def test_clinvar_rows_keep_only_plp_missense_and_noncanonical_splice() -> None:
    def row(name: str, sig: str, gene: str = "BRCA2") -> dict[str, str]:
        return {"GeneSymbol": gene, "ClinicalSignificance": sig, "Name": name,
                "VariationID": name, "LastEvaluated": "-", "Assembly": "GRCh38"}  # fmt: skip

    rows = [
        row("NM_000059.4(BRCA2):c.8167G>C (p.Asp2723His)", "Pathogenic"),
        row("NM_000059.4(BRCA2):c.8331+2T>C", "Pathogenic"),  # canonical: counted by class
        row("NM_000059.4(BRCA2):c.8332-13T>G", "Pathogenic/Likely pathogenic"),
        row("NM_000059.4(BRCA2):c.1813del (p.Ile605fs)", "Pathogenic"),
        row("NM_000059.4(BRCA2):c.100A>G (p.Thr34Ala)", "Uncertain significance"),
    ]
    got = {v.hgvsc: v.variant_type for v in list_from_clinvar(rows)}
    assert got == {"c.8167G>C": "missense", "c.8332-13T>G": "splice"}
