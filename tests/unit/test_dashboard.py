"""The batch dashboard and the report header (issue 16): links, grouped needs-attention
reasons, QC columns, and hostile values in the new sheet columns."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from armmatch.config import settings_from_config
from armmatch.io import tsv_value
from armmatch.readers.sample_sheet import read_sample_sheet
from armmatch.report.html import patient_html
from armmatch.report.record import AssignmentRecord
from armmatch.report.summary import attention_reasons, qc_facts, summary_html
from armmatch.report.tables import assignments_tsv
from armmatch.run.steps import batch_line
from tests.conftest import REPO, assign_record, example_patient

HOSTILE = ('<script>alert("x")</script>', '=HYPERLINK("http://evil.example")', "+1+1",
           "-2+3", "@SUM(A1)", "'quoted", 'a"b<c>&d')  # fmt: skip


def _typed(pid: str, **changes: object) -> AssignmentRecord:
    patient = dataclasses.replace(example_patient(pid), **changes)  # type: ignore[arg-type]
    return AssignmentRecord.from_dict(
        assign_record(patient, settings_from_config({"samples": "s"}))
    )


def test_summary_links_groups_and_shows_qc() -> None:
    records = [_typed(p) for p in ("PLT-001", "PLT-009")]
    records.append(dataclasses.replace(records[1], patient_id="PLT-109"))
    html = summary_html(records, failed=[("PLT-099", "x.vcf (patient PLT-099): not a VCF")])
    assert '<a href="../patients/PLT-001/report.html">PLT-001</a>' in html
    # the two incomplete patients share one reason: one row, count 2, both linked
    (reason,) = attention_reasons(records[1])
    row = html.split(reason.replace('"', "&quot;"), 1)[1].split("</tr>", 1)[0]
    assert "<td>2</td>" in row and "PLT-009</a>, <a" in row and "PLT-109</a>" in row
    assert "failed, no assignment: x.vcf (patient PLT-099): not a VCF" in html
    assert "3 patients assessed; 1 failed (no assignment); 3 need attention" in html
    inputs, support, purity = qc_facts(records[1])
    assert inputs == "small variants, copy number (no fusions)"
    assert support.startswith("all ") and purity == "sample sheet"


def test_batch_line_counts_and_attention(tmp_path: Path) -> None:
    records = [_typed(p) for p in ("PLT-001", "PLT-008", "PLT-009", "PLT-010")]
    tsv = tmp_path / "assignments.tsv"
    tsv.write_text(assignments_tsv(records))
    assert batch_line(str(tsv), failed=2) == (
        "6 patients: 1 targeted, 1 immunotherapy, 1 ineligible; 3 need attention "
        "(1 incomplete, 2 failed)"
    )


def test_hostile_values_in_every_new_sheet_column(tmp_path: Path) -> None:
    """Markup is escaped in the report; formula prefixes are neutralised in the batch TSV."""
    from armmatch.report.html import esc

    for value in HOSTILE:
        record = _typed("PLT-001", specimen_id=value, accession=value, assay=value)
        html = patient_html(record)
        assert "<script>alert" not in html
        assert html.count(f"<dd>{esc(value)}</dd>") == 3, value
        rows = [line.split("\t") for line in assignments_tsv([record]).splitlines()]
        head, row = rows
        for col in ("specimen_id", "accession"):
            cell = row[head.index(col)]
            assert not cell.startswith(("=", "+", "@", "-")) and tsv_value(cell) == value


def test_sheet_dates_are_checked_and_the_report_date_never_comes_from_the_clock(
    tmp_path: Path,
) -> None:
    from armmatch.errors import InputError

    head = "patient_id\ttumour_type\tvcf\tcollection_date\treport_date\n"
    (tmp_path / "a.vcf").write_text("##fileformat=VCFv4.2\n")
    sheet = tmp_path / "s.tsv"
    sheet.write_text(head + "P1\tC49\ta.vcf\t2026-11-30\t03/12/2026\n")
    with pytest.raises(InputError) as info:
        read_sample_sheet(str(sheet))
    assert "report_date" in str(info.value)
    sheet.write_text(head + "P1\tC49\ta.vcf\t2026-11-30\t2026-12-02\n")
    (patient,) = read_sample_sheet(str(sheet))
    assert (patient.collection_date, patient.report_date) == ("2026-11-30", "2026-12-02")
    plain = _typed("PLT-001")
    assert plain.specimen.report_date is None and plain.specimen.report_date_source == "not given"
    assert "Report date</dt><dd>not given" in patient_html(plain)
    configured = AssignmentRecord.from_dict(assign_record(
        example_patient("PLT-001"), settings_from_config({"samples": "s", "report_date": "2026-12-03"})))  # fmt: skip
    assert configured.specimen.report_date == "2026-12-03"
    assert "2026-12-03 (config)" in patient_html(configured)
    assert REPO.is_dir()
