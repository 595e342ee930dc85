"""Issue 14: decide as the protocol reads on incomplete records (HER2 IHC not done, purity
unknown), through the pipeline on the bundled example patients."""

from __future__ import annotations

import dataclasses

from armmatch.config import settings_from_config
from armmatch.report.record import AssignmentRecord
from tests.conftest import assign_record, example_patient


def _settings(**assignment: object):  # type: ignore[no-untyped-def]
    return settings_from_config({"samples": "s.tsv", "assignment": dict(assignment)})


def test_missing_her2_ihc_with_negative_ngs_gets_the_pd1_arm_provisionally() -> None:
    patient = dataclasses.replace(example_patient("PLT-008"), her2_ihc=None, her2_ish=None)
    record = assign_record(patient, _settings())
    assert (record["status"], record["arm"]) == ("immunotherapy", "sintilimab-PD1")
    (note,) = [p for p in record["provisional"] if "HER2 IHC not done" in p]
    assert "would qualify for pyrotinib-HER2-amp (pyrotinib)" in note
    assert "her2_ihc is empty in the sample sheet" in note
    assert any(m["item"] == "ERBB2 ihc" for m in record["missing"])
    pd1 = next(a for a in record["arms"] if a["arm_id"] == "sintilimab-PD1")
    assert pd1["verdict"] == "selected" and "provisional" in pd1["reason"]
    # a site that wants the strict reading
    strict = assign_record(patient, _settings(her2_ihc_required=True))
    assert (strict["status"], strict["arm"]) == ("incomplete", None)


def test_missing_her2_ihc_never_hides_missing_ngs() -> None:
    """No fusion calls as well: NGS was not assessed, so the decision stays incomplete."""
    patient = dataclasses.replace(
        example_patient("PLT-008"), her2_ihc=None, her2_ish=None, fusions=None, fusion_format=None
    )
    record = assign_record(patient, _settings())
    assert record["status"] == "incomplete" and record["arm"] is None


def test_her2_ihc_2plus_without_ish_is_not_provisional_pd1() -> None:
    patient = dataclasses.replace(example_patient("PLT-008"), her2_ihc="2+", her2_ish=None)
    record = assign_record(patient, _settings())
    assert record["status"] == "incomplete"


def test_unknown_purity_still_decides_a_clear_amplification() -> None:
    """PLT-006: MET CN 12 at purity 0.7; without any purity it is amplified at every purity
    from 0.2 to 1.0, so the MET amplification arm is assigned."""
    patient = dataclasses.replace(example_patient("PLT-006"), purity=None)
    record = assign_record(patient, _settings())
    assert (record["status"], record["arm"]) == ("targeted", "crizotinib-MET-amp")
    assert record["clinical"]["purity_source"] == "unknown: calls checked over purity 0.2-1.0"
    (met,) = [e for e in record["events"] if e["gene"] == "MET" and e["category"] == "cnv"]
    assert any("holds at every purity from 0.2 to 1.0" in n for n in met["notes"])
    assert met["focal"] is True and met["segment_bp"] > 0


def test_copy_number_events_say_segment_length_and_focality_in_report_and_tsv() -> None:
    from armmatch.report.html import patient_html
    from armmatch.report.tables import events_tsv

    record = assign_record(example_patient("PLT-006"), _settings())
    (met,) = [e for e in record["events"] if e["gene"] == "MET" and e["category"] == "cnv"]
    assert met["focal"] is True
    rows = [
        line.split("\t") for line in events_tsv(AssignmentRecord.from_dict(record)).splitlines()
    ]
    head = rows[0]
    (row,) = [
        r for r in rows[1:] if r[head.index("gene")] == "MET" and r[head.index("category")] == "cnv"
    ]
    assert row[head.index("segment_bp")] == str(met["segment_bp"])
    assert row[head.index("focal")] == "yes"  # booleans as in the actionable column
    html = patient_html(AssignmentRecord.from_dict(record))
    size = met["segment_bp"]
    words = f"{size / 1e6:.1f} Mb" if size >= 1_000_000 else f"{size / 1e3:.1f} kb"
    assert f"segment {words}, focal" in html


def test_an_empty_tumour_type_is_a_missing_criterion_not_a_stopped_batch() -> None:
    """The sheet's tumour_type was required: one row without it stopped the whole batch at
    parse time ("'tumour_type' is a required property"). It is now Table 2 inclusion 2
    missing: the patient is assessed, incomplete, the arm its findings point to shown as the
    candidate; ``rare`` is None, never False (not assessed is not negative)."""
    from armmatch.report.html import patient_html

    patient = dataclasses.replace(example_patient("PLT-001"), tumour_type=None)
    record = assign_record(patient, _settings())
    assert (record["status"], record["arm"]) == ("incomplete", None)
    assert "tumour_type is empty in the sample sheet" in record["status_reason"]
    assert record["tumour_type"] is None
    assert record["eligibility"]["rare_tumour"]["rare"] is None
    (criterion,) = [c for c in record["eligibility"]["criteria"] if "Table 1" in c["name"]]
    assert criterion["status"] == "missing"
    assert record["candidate_arm"] == assign_record(example_patient("PLT-001"), _settings())["arm"]
    html = patient_html(AssignmentRecord.from_dict(record))
    assert "not given (the rare-tumour criterion is missing)" in html


def test_an_empty_tumour_type_cell_reads_and_a_missing_column_warns(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from armmatch.readers.sample_sheet import read_sample_sheet
    from armmatch.run.preflight import sheet_problems

    (tmp_path / "a.vcf").write_text("##fileformat=VCFv4.2\n")
    sheet = tmp_path / "s.tsv"
    sheet.write_text("patient_id\ttumour_type\tvcf\nP1\t\ta.vcf\nP2\tC49\ta.vcf\n")
    assert [p.tumour_type for p in read_sample_sheet(sheet)] == [None, "C49"]
    sheet.write_text("patient_id\tvcf\nP1\ta.vcf\n")
    problems, patients = sheet_problems(sheet)
    assert [p.patient_id for p in patients] == ["P1"]
    assert any(p.severity == "warning" and "no tumour_type column (missing, not empty)" in p.problem
               for p in problems)  # fmt: skip
