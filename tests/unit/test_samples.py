"""The sample sheet: contract columns, validation errors naming sheet, line and patient."""

from __future__ import annotations

from pathlib import Path

import pytest

from armmatch.errors import InputError
from armmatch.readers.sample_sheet import read_sample_sheet

HEADER = "patient_id\ttumour_type\tvcf\tvcf_sample\tage\tecog\tprior_therapies\tpurity\n"


def sheet(tmp_path: Path, rows: str, header: str = HEADER) -> Path:
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "a.vcf").write_text("##fileformat=VCFv4.2\n")
    path = tmp_path / "sheets" / "samples.tsv"
    path.parent.mkdir(exist_ok=True)
    path.write_text(header + rows, encoding="utf-8")
    return path


def test_valid_sheet_resolves_paths_against_its_folder(tmp_path: Path) -> None:
    path = sheet(tmp_path, "P1\tC49|Leiomyosarcoma\t../data/a.vcf\tTUMOR\t52\t1\tnone\t0.7\n")
    (p,) = read_sample_sheet(path)
    assert Path(p.vcf).resolve() == (tmp_path / "data" / "a.vcf").resolve()
    assert p.tumour_type == "C49|Leiomyosarcoma"
    assert p.age == 52 and p.ecog == 1 and p.prior_therapies == () and p.purity == 0.7
    assert p.cnv is None and p.fusions is None


@pytest.mark.parametrize(
    ("rows", "header", "message", "line", "patient"),
    [
        (
            "P1\tC49\t../data/a.vcf\tT\t52\t1\tnone\t0.7\n",
            HEADER.replace("purity", "purity\tcolour"),
            "unknown column(s) 'colour'",
            1,
            None,
        ),
        ("P1\tC49\t../data/missing.vcf\tT\t52\t1\tnone\t0.7\n", HEADER, "vcf file", 2, "P1"),
        (
            "P1\tC49\t../data/a.vcf\tT\t52\t1\tnone\t0.7\nP1\tC49\t../data/a.vcf\tT\t52\t1\tnone\t0.7\n",
            HEADER,
            "duplicate patient_id (first on line 2)",
            3,
            "P1",
        ),
        ("P 1\tC49\t../data/a.vcf\tT\t52\t1\tnone\t0.7\n", HEADER, "is not a safe name", 2, "P 1"),
        ("P1\tlung\t../data/a.vcf\tT\t52\t1\tnone\t0.7\n", HEADER, "tumour_type", 2, "P1"),
        ("P1\tC49\t../data/a.vcf\tT\t52\t1\tnone\t1.5\n", HEADER, "purity", 2, "P1"),
        ("P1\tC49\t../data/a.vcf\tT\t52\t7\tnone\t0.7\n", HEADER, "ecog", 2, "P1"),
        (
            "P1\tC49\t../data/a.vcf\tT\t52\t1\n",
            HEADER,
            "expected 8 tab-separated fields, found 6",
            2,
            "P1",
        ),
        (
            "P1\tC49\t\tT\t52\t1\tnone\t0.7\n",
            HEADER,
            "'vcf' is a required property",
            2,
            "P1",
        ),
    ],
)
def test_bad_sheets_name_the_line_and_patient(
    tmp_path: Path, rows: str, header: str, message: str, line: int, patient: str | None
) -> None:
    path = sheet(tmp_path, rows, header)
    with pytest.raises(InputError) as info:
        read_sample_sheet(path)
    assert message in str(info.value)
    assert info.value.line == line
    assert info.value.patient == patient
    assert str(path) in str(info.value)


def test_override_needs_a_reason(tmp_path: Path) -> None:
    header = HEADER.replace("purity\n", "purity\tarm_override\n")
    path = sheet(tmp_path, "P1\tC49\t../data/a.vcf\tT\t52\t1\tnone\t0.7\tsintilimab-PD1\n", header)
    with pytest.raises(InputError, match="override_reason"):
        read_sample_sheet(path)


def test_patient_params_round_trip_without_reparsing(tmp_path: Path) -> None:
    """Issue 15: the job receives the parsed patient (JSON params), not the row to parse again."""
    import json

    from armmatch.patient import Patient

    patient = Patient(
        patient_id="P1", tumour_type="C49|Synovial sarcoma", vcf="/d/p1.vcf.gz", line=7,
        purity=0.4, ploidy=2.5, age=40, ecog=1, prior_therapies=("doxorubicin",),
        raw={"vcf": "/d/p1.vcf.gz", "patient_id": "P1"},
    )  # fmt: skip
    params = json.loads(json.dumps(patient.to_params()))  # what Snakemake hands to the job
    back = Patient.from_params(params)
    assert back == patient and back.raw == patient.raw
    assert back.prior_therapies == ("doxorubicin",) and isinstance(back.purity, float)
    assert Patient.from_params(Patient(patient_id="P2", tumour_type="C80", vcf="v", line=2,
                                       prior_therapies=()).to_params()).prior_therapies == ()  # fmt: skip
    assert back.sheet_row() == {"patient_id": "P1", "vcf": "/d/p1.vcf.gz", "__line__": "7"}


def test_the_fast_cell_checks_agree_with_the_schema() -> None:
    """Each sample-sheet column's fast check (armmatch.schemas.string_check) says what
    jsonschema says, on values that pass and fail every pattern, length and enum."""
    import jsonschema

    from armmatch.schemas import load_schema, string_check

    values = ["", "x", "PLT-001", "a b", "C17|Adenocarcinoma", "c17.1|x", "C1", "0.5", "1.0",
              "0", "1+", "3+", "positive", "GRCh38", "grch38", "2026-12-01", "2026-1-1", "120",
              "1234", "x" * 101, "arm-1", "-arm", "cnvkit", "seg", "arriba", "é", "1\n"]  # fmt: skip
    for column, sub in load_schema("samples")["properties"].items():
        check = string_check(sub)
        assert check is not None, column  # every column is a plain string schema today
        validator = jsonschema.Draft202012Validator(sub)
        for value in values:
            assert check(value) == validator.is_valid(value), (column, value)
