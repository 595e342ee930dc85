"""cBioPortal study export (issue 17): the facts of cBioPortal's validator, and the MAF read
back as a variant input gives the same decisions."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from armmatch.config import settings_from_config
from armmatch.events import Event, SourceRecord
from armmatch.knowledge.rule_table import load_rules
from armmatch.paths import RULE_TABLE
from armmatch.report.cbioportal import MAF_COLUMNS, maf_allele, maf_classification, studies
from armmatch.report.record import AssignmentRecord, RecordedEvent
from tests.cbioportal_check import check_study
from tests.conftest import assign_record, example_patient

PATIENTS = [f"PLT-{i:03d}" for i in range(1, 15)]
CNV_GENES = load_rules(RULE_TABLE).genes("cnv")


@pytest.fixture(scope="module")
def records() -> dict[str, AssignmentRecord]:
    settings = settings_from_config({"samples": "s.tsv"})
    return {p: AssignmentRecord.from_dict(assign_record(example_patient(p), settings))
            for p in PATIENTS}  # fmt: skip


def _write(folder: Path, records: list[AssignmentRecord]) -> Path:
    (build, files), = studies(records, CNV_GENES).items()  # fmt: skip
    study = folder / build
    study.mkdir(parents=True)
    for name, text in files.items():
        (study / name).write_text(text, encoding="utf-8")
    return study


def test_the_example_study_passes_cbioportals_checks(
    records: dict[str, AssignmentRecord], tmp_path: Path
) -> None:
    study = _write(tmp_path, list(records.values()))
    assert study.name == "grch38"
    assert check_study(study) == []
    maf = (study / "data_mutations.txt").read_text(encoding="utf-8").splitlines()
    assert maf[1].split("\t") == list(MAF_COLUMNS)
    cna = (study / "data_cna.txt").read_text(encoding="utf-8").splitlines()
    assert cna[0].split("\t")[1:] == PATIENTS
    cdk4 = dict(
        zip(PATIENTS, next(r for r in cna if r.startswith("CDK4\t")).split("\t")[1:], strict=True)
    )
    assert cdk4["PLT-011"] == "2" and cdk4["PLT-001"] == "0"
    sv = (study / "data_sv.txt").read_text(encoding="utf-8")
    assert "PLT-005\tSOMATIC\tEML4\t2\t42295516\tALK\t2\t29223528\tin-frame\tGRCh38" in sv


@pytest.mark.parametrize("damage", ["cna value", "blank gene", "comma in protein", "sv status",
                                    "meta field", "duplicate sv", "unknown sample"])  # fmt: skip
def test_the_checks_catch_a_damaged_study(
    records: dict[str, AssignmentRecord], tmp_path: Path, damage: str
) -> None:
    study = _write(tmp_path, list(records.values()))

    def edit(name: str, old: str, new: str) -> None:
        path = study / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    if damage == "cna value":
        edit("data_cna.txt", "\t2\t", "\t3\t")
    elif damage == "blank gene":
        edit("data_mutations.txt", "EGFR\t\tarmmatch", "\t\tarmmatch")
    elif damage == "comma in protein":
        edit("data_mutations.txt", "p.L858R", "p.L858R,p.T790M")
    elif damage == "sv status":
        edit("data_sv.txt", "SOMATIC", "somatic-ish")
    elif damage == "meta field":
        edit("meta_cna.txt", "stable_id: cna\n", "")
    elif damage == "duplicate sv":
        text = (study / "data_sv.txt").read_text(encoding="utf-8")
        (study / "data_sv.txt").write_text(text + text.splitlines()[1] + "\n", encoding="utf-8")
    else:
        edit("data_mutations.txt", "\tPLT-001\t", "\tPLT-999\t")
    assert check_study(study) != []


def test_the_maf_read_back_as_a_variant_input_gives_the_same_decisions(
    records: dict[str, AssignmentRecord], tmp_path: Path
) -> None:
    """armmatch's MAF reader (vcf2maf, genome-nexus and OncoKB-annotator conventions) reads the
    exported MAF in place of each patient's VCF: the same status and arm for every patient in
    it (a patient without a reported variant has no MAF row, and armmatch refuses a barcode that
    is not in the file rather than read it as "no variants")."""
    study = _write(tmp_path, list(records.values()))
    settings = settings_from_config({"samples": "s.tsv"})
    maf = (study / "data_mutations.txt").read_text(encoding="utf-8")
    present = {pid for pid in records if f"\t{pid}\t" in maf}
    assert len(present) == 8
    for pid, record in records.items():
        if pid not in present:
            continue
        patient = dataclasses.replace(example_patient(pid), vcf=str(study / "data_mutations.txt"),
                                      vcf_sample=pid)  # fmt: skip
        again = assign_record(patient, settings)
        assert (again["status"], again["arm"]) == (record.status, record.arm), pid


def _mut(variant_class: str, ref: str, alt: str) -> Event:
    return Event(gene="KIT", category="mutation", alteration="x", source=SourceRecord("f", 1, "r"),
                 chrom="4", pos1=100, ref=ref, alt=alt, variant_class=variant_class)  # fmt: skip


@pytest.mark.parametrize(("cls", "ref", "alt", "maf"), [
    ("missense", "A", "T", "Missense_Mutation"),
    ("frameshift", "AC", "A", "Frame_Shift_Del"),
    ("frameshift", "A", "AC", "Frame_Shift_Ins"),
    ("inframe_delins", "ACGTAC", "AT", "In_Frame_Del"),
    ("inframe_delins", "AC", "GT", "Missense_Mutation"),
    ("missense&splice_region", "G", "C", "Missense_Mutation"),
    ("splice_acceptor&exon_boundary_deletion", "AAGGT", "A", "Splice_Site"),
    ("no_such_class", "A", "T", "Unknown"),
])  # fmt: skip
def test_maf_classification_follows_vcf2maf(cls: str, ref: str, alt: str, maf: str) -> None:
    assert maf_classification(_mut(cls, ref, alt)) == maf


def test_maf_alleles_trim_the_anchor_base() -> None:
    assert maf_allele(100, "A", "T").variant_type == "SNP"
    assert (maf_allele(100, "AC", "GT").variant_type, maf_allele(100, "ACG", "TCA").end1) == (
        "DNP",
        102,
    )
    e19 = maf_allele(55174771, "AGGAATTAAGAGAAGC", "A")
    assert (e19.start1, e19.end1, e19.ref, e19.alt) == (55174772, 55174786, "GGAATTAAGAGAAGC", "-")


def test_hostile_values_stay_inside_their_cell(
    records: dict[str, AssignmentRecord], tmp_path: Path
) -> None:
    hostile = 'a"b\tc\nd<script>&\r'
    record = records["PLT-001"]
    first = record.events[0]
    bad = dataclasses.replace(
        first.event, consequence=hostile, status_reason=hostile, status="called"
    )
    record = dataclasses.replace(record, tumour_type=hostile,
                                 events=(RecordedEvent(first.event_id, bad), *record.events[1:]))  # fmt: skip
    study = _write(tmp_path, [record])
    assert check_study(study) == []
    maf = (study / "data_mutations.txt").read_text(encoding="utf-8").split("\n")
    row = dict(zip(maf[1].split("\t"), maf[2].split("\t"), strict=True))
    assert row["Consequence"] == 'a"b c d<script>& '
    clinical = (study / "data_clinical_sample.txt").read_text(encoding="utf-8").split("\n")
    assert clinical[5].split("\t")[3] == 'a"b c d<script>& '


def test_two_readings_of_one_record_are_one_maf_row(
    records: dict[str, AssignmentRecord], tmp_path: Path
) -> None:
    # an unannotated splice-region change: called as splice region, indeterminate as coding
    record = records["PLT-013"]
    (met,) = [r for r in record.events if r.event.gene == "MET" and r.event.category == "mutation"]
    other = dataclasses.replace(met.event, variant_class="stop_gained&missense&synonymous",
                                status="indeterminate", status_reason="needs annotation",
                                alteration="coding change", rule_ids=(), arm_ids=())  # fmt: skip
    record = dataclasses.replace(record, events=(*record.events, RecordedEvent("E99", other)))
    study = _write(tmp_path, [record])
    assert check_study(study) == []
    rows = (study / "data_mutations.txt").read_text(encoding="utf-8").splitlines()[2:]
    (row,) = [dict(zip(MAF_COLUMNS, r.split("\t"), strict=True)) for r in rows]
    assert (row["FILTER"], row["armmatch_rule_ids"]) == ("PASS", "MET-ex14")
    assert row["Variant_Classification"] == "Missense_Mutation"
    assert "also read as coding change (indeterminate: needs annotation)" in row["armmatch_reason"]
