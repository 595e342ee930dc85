"""The bad-input catalogue (issue 8): each case with the exact error (file, line/patient, problem).

Package-level and fast; the Snakemake-level cases (parse-time errors, kills, concurrency) are in
tests/workflow/test_faults.py. Every case is marked ``bad_input``; the test run prints their count.
"""

from __future__ import annotations

import gzip
import logging
import os
from pathlib import Path

import pysam
import pytest

from armmatch.calling.copy_number import CnvContext, read_copy_number
from armmatch.calling.fusions import read_fusion_file
from armmatch.calling.gene_copy_number import GeneSpan
from armmatch.calling.purity import CnvThresholds
from armmatch.calling.small_variants import read_small_variants
from armmatch.config import SmallVariantPolicy, settings_from_config, validate_config
from armmatch.errors import ConfigError, InputError, RuleTableError
from armmatch.knowledge.rule_table import load_rules
from armmatch.patient import Patient
from armmatch.readers.cnv_formats import read_segments_file
from armmatch.readers.sample_sheet import read_sample_sheet
from armmatch.run.pipeline import (
    assign_patient,
    detect_copy_number,
    detect_fusions,
    detect_small_variants,
    gene_models,
    preferred_transcripts,
    rule_set,
)
from tests.conftest import CSQ_FIELDS, REPO, VcfWriter, csq

pytestmark = pytest.mark.bad_input

MANE_TX = ["G", "missense_variant", "MODERATE", "EGFR", "ENSG00000146648", "Transcript",
           "ENST00000275493.7", "protein_coding", "21/28", "", "ENST00000275493.7:c.2573T>G",
           "ENSP00000275493.2:p.Leu858Arg", "YES", "NM_005228.5", "NM_005228.5"]  # fmt: skip
L858R = ("chr7", "55191822", "T", "G", "PASS", f"DP=300;CSQ={csq(MANE_TX)}", "0/1:200,100:300")
L858R_PLAIN = ("chr7", "55191822", "T", "G", "PASS", "DP=300", "0/1:200,100:300")
HEADER_LINES = 16  # the write_vcf fixture's header: records start on line 17


def read(path: Path | str, *, sample: str | None = "TUMOR", build: str = "GRCh38"):  # type: ignore[no-untyped-def]
    return read_small_variants(
        str(path), patient="P1", build=build, genes=rule_set().genes(),
        preferred=preferred_transcripts(gene_models(build)), vcf_sample=sample,
        policy=SmallVariantPolicy(),
    )  # fmt: skip


def error(call, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        call(*args, **kwargs)
    return str(info.value)


def bgzip(src: Path) -> Path:
    out = src.with_name(src.name + ".gz")
    pysam.tabix_compress(str(src), str(out), force=True)
    return out


def block_job(patient: Patient, out: Path) -> Path:
    """Run the block job of one patient (GRCh38, bundled resources) into ``out``; its manifest."""
    from armmatch.run.steps import run_block_job

    manifest = out / "blocks" / "00001.tsv"
    run_block_job(block="00001", members=[patient.to_params()],
                  builds={patient.patient_id: "GRCh38"}, sheet=str(REPO / "config" / "samples.tsv"),
                  config={"samples": "s.tsv", "outdir": str(out)},
                  rules_path=str(REPO / "resources" / "actionable_targets.tsv"),
                  table1_path=str(REPO / "resources" / "table1_rare_tumours.tsv"),
                  drugs_path=str(REPO / "resources" / "drug_classes.tsv"), outdir=str(out),
                  manifest_path=str(manifest), reports_dir=str(out / "reports" / "00001"))  # fmt: skip
    return manifest


# --- VCF -----------------------------------------------------------------------------------------


def test_truncated_bgzip(write_vcf: VcfWriter) -> None:
    path = bgzip(write_vcf([L858R] * 200))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    msg = error(read, path)
    assert msg.startswith(f"{path} (patient P1): the gzip/bgzip file is truncated or corrupt")
    assert msg.endswith("re-create it with bgzip")


def test_corrupt_bgzip(write_vcf: VcfWriter) -> None:
    path = bgzip(write_vcf([L858R]))
    data = bytearray(path.read_bytes())
    data[20:40] = b"\xff" * 20  # damage the deflate stream, keep the gzip magic
    path.write_bytes(bytes(data))
    msg = error(read, path)
    assert msg.startswith(f"{path} (patient P1): the gzip/bgzip file is truncated or corrupt")


def test_not_a_vcf_at_all(tmp_path: Path) -> None:
    path = tmp_path / "x.vcf"
    path.write_text("hello\tworld\n")
    assert error(read, path) == (
        f"{path}, line 1 (patient P1): the first line is 'hello\\tworld', not "
        "'##fileformat=VCFv4.x': not a VCF, or its header is broken"
    )


def test_broken_header_line(write_vcf: VcfWriter) -> None:
    path = write_vcf([L858R])
    text = path.read_text().replace("#CHROM\tPOS\tID", "#CHROM\tPOS\tIDENT")
    path.write_text(text)
    msg = error(read, path)
    assert msg.startswith(f"{path}, line {HEADER_LINES} (patient P1): broken header line '#CHROM")
    assert msg.endswith("the column header must start #CHROM, POS, ID, REF, ALT, QUAL, FILTER, INFO (tab-separated)")  # fmt: skip


def test_missing_chrom_line(write_vcf: VcfWriter) -> None:
    path = write_vcf([L858R])
    lines = [x for x in path.read_text().splitlines() if not x.startswith("#CHROM")]
    path.write_text("\n".join(lines) + "\n")
    assert error(read, path) == (
        f"{path}, line {HEADER_LINES} (patient P1): the '#CHROM POS ID REF ALT QUAL FILTER "
        "INFO' header line is missing before the first record"
    )


def test_header_only_without_chrom_line(write_vcf: VcfWriter) -> None:
    path = write_vcf([])
    path.write_text("\n".join(path.read_text().splitlines()[:-1]) + "\n")
    assert error(read, path) == (
        f"{path} (patient P1): the '#CHROM POS ID REF ALT QUAL FILTER INFO' header line is "
        "missing (the file ends inside the header)"
    )


def test_record_with_too_few_fields(write_vcf: VcfWriter) -> None:
    path = write_vcf([L858R])
    path.write_text(path.read_text() + "chr7\t55191822\t.\tT\n")
    assert error(read, path) == (
        f"{path}, line {HEADER_LINES + 2} (patient P1): a VCF record needs at least 8 "
        "tab-separated fields, found 4"
    )


def test_records_out_of_order_are_accepted_with_a_warning(
    write_vcf: VcfWriter, caplog: pytest.LogCaptureFixture
) -> None:
    later = ("chr7", "55200000", "A", "C", "PASS", "DP=300", "0/1:200,100:300")
    path = write_vcf([later, L858R])
    with caplog.at_level(logging.WARNING):
        events = read(path).events
    assert [e.alteration for e in events] == ["L858R"]
    assert (
        f"{path}, line {HEADER_LINES + 2} (patient P1): records are not sorted "
        "(chr7:55191822 after chr7:55200000); accepted, each record is read on its own"
    ) in caplog.text


def test_unknown_contig(write_vcf: VcfWriter) -> None:
    rec = ("NC_000007.14", "55191822", "T", "G", "PASS", "DP=300", "0/1:200,100:300")
    path = write_vcf([rec])
    msg = error(read, path)
    assert msg == (
        f"{path}, line {HEADER_LINES + 1} (patient P1): unknown contig 'NC_000007.14': the "
        "header's ##contig lines do not declare it (declared: chr12, chr13, chr17, chr4, chr7, "
        "chr9); is the VCF of another reference?"
    )


def test_sample_named_in_the_sheet_but_absent(write_vcf: VcfWriter) -> None:
    path = write_vcf([L858R])
    assert error(read, path, sample="T1") == (
        f"{path} (patient P1): vcf_sample 'T1' is not in the VCF (its samples: TUMOR)"
    )


def test_empty_vcf_is_valid_and_still_gets_a_verdict(write_vcf: VcfWriter) -> None:
    path = bgzip(write_vcf([]))
    settings = settings_from_config(validate_config({"samples": "x"}))
    rules = rule_set()
    patient = Patient(patient_id="P1", tumour_type="C49|Synovial sarcoma", vcf=str(path),
                      line=2, age=40, ecog=0, purity=0.7)  # fmt: skip
    evidence = [
        detect_small_variants(patient, build="GRCh38", rules=rules, settings=settings),
        detect_copy_number(patient, build="GRCh38", rules=rules, settings=settings),
        detect_fusions(patient, build="GRCh38", rules=rules, settings=settings),
    ]
    assert evidence[0].events == [] and evidence[0].assessments
    record = assign_patient(
        patient, evidence, rules=rules, settings=settings, build="GRCh38", sheet="s.tsv"
    )
    assert record.status in {"targeted", "immunotherapy", "excluded", "ineligible", "incomplete"}


def test_missing_csq_header_uses_the_builtin_classifier(write_vcf: VcfWriter) -> None:
    path = write_vcf([L858R_PLAIN], csq_header=False)
    (event,) = [e for e in read(path).events if e.gene == "EGFR"]
    assert event.alteration == "L858R" and event.status == "called"


def test_csq_fields_in_another_order(write_vcf: VcfWriter) -> None:
    names = CSQ_FIELDS.split("|")
    order = list(reversed(range(len(names))))
    header = (
        '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl '
        f'VEP. Format: {"|".join(names[i] for i in order)}">'
    )
    entry = "|".join(MANE_TX[i] for i in order)
    rec = ("chr7", "55191822", "T", "G", "PASS", f"DP=300;CSQ={entry}", "0/1:200,100:300")
    path = write_vcf([rec], csq_header=False)
    lines = path.read_text().splitlines()
    lines.insert(len(lines) - 2, header)
    path.write_text("\n".join(lines) + "\n")
    (event,) = read(path).events
    assert (event.alteration, event.transcript, event.exon) == ("L858R", "ENST00000275493.7", 21)


def test_plain_gzip_vcf_reads(write_vcf: VcfWriter, tmp_path: Path) -> None:
    src = write_vcf([L858R])
    path = tmp_path / "plain.vcf.gz"
    path.write_bytes(gzip.compress(src.read_bytes()))
    assert [e.alteration for e in read(path).events] == ["L858R"]


# --- copy number ---------------------------------------------------------------------------------

CNS = "chromosome\tstart\tend\tgene\tlog2\tprobes\n"
MET = GeneSpan("MET", "chr7", 116672195, 116798377)


THRESHOLDS = CnvThresholds(6.0, 4.0, 2.5, 1.5, 1.0, 0.5)


def cnv(path: Path, text: str, **kw: object):  # type: ignore[no-untyped-def]
    path.write_text(text)
    context = CnvContext([MET], lambda g: THRESHOLDS, purity=0.7, ploidy=2.0, patient="P1", **kw)  # type: ignore[arg-type]
    return read_copy_number(path, "cnvkit", context)


def test_cnv_unknown_columns(tmp_path: Path) -> None:
    path = tmp_path / "x.cns"
    assert error(cnv, path, "foo\tbar\n1\t2\n") == (
        f"{path}, line 1 (patient P1): missing column(s) chrom, start, end, log2; "
        "header has: foo, bar"
    )


def test_cnv_unknown_format_autodetect(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("foo\tbar\n1\t2\n")
    msg = error(read_segments_file, path, None, patient="P1")
    assert msg.startswith(
        f"{path}, line 1 (patient P1): cannot tell the copy-number format from the header "
        "(foo bar); accepted: cnvkit"
    )


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "Infinity"])
def test_cnv_nan_or_infinite_log2(tmp_path: Path, value: str) -> None:
    path = tmp_path / "x.cns"
    assert error(cnv, path, CNS + f"chr7\t116672195\t116798377\tMET\t{value}\t40\n") == (
        f"{path}, line 2 (patient P1): log2 is {value!r}; it must be a finite number"
    )


def test_cnv_overlapping_segments(tmp_path: Path) -> None:
    path = tmp_path / "x.cns"
    text = CNS + "chr7\t100\t300\tA\t0.1\t4\nchr7\t1000\t2000\tB\t0\t4\nchr7\t200\t400\tC\t1\t4\n"
    assert error(cnv, path, text) == (
        f"{path}, line 4 (patient P1): segment chr7:201-400 overlaps the segment chr7:101-300 "
        "on line 2: one sample's segments must not overlap (two samples or two files pasted "
        "together?)"
    )


def test_cnv_touching_segments_are_fine(tmp_path: Path) -> None:
    """Segments that touch (one's end is the next one's start, half-open) do not overlap."""
    path = tmp_path / "x.cns"
    evidence = cnv(path, CNS + "chr7\t116672195\t116700000\tMET\t0.1\t4\n"
                   "chr7\t116700000\t116798377\tMET\t2.5\t9\n")  # fmt: skip
    (met,) = evidence.events
    assert met.gene == "MET" and any("by 2 segment(s)" in n for n in met.notes)
    assert met.cnv_call == "amplification"  # the higher segment covers most of the gene


def test_cnv_beyond_the_chromosome_of_the_build(tmp_path: Path) -> None:
    # chr7 is 159,138,663 bp on GRCh37 and 159,345,973 bp on GRCh38: an end between the two
    # is detectable only when the patient's build is known
    path = tmp_path / "x.cns"
    text = CNS + "chr7\t159200000\t159300000\tX\t0\t4\n"
    assert error(cnv, path, text, build="GRCh37") == (
        f"{path}, line 2 (patient P1): segment chr7:159200001-159300000 ends beyond the end of "
        "chr7 in GRCh37 (159,138,663 bp): the file is of another genome build, or its "
        "coordinates are wrong; it fits GRCh38: the copy-number file is of GRCh38 but the "
        "patient's genome_build is GRCh37"
    )
    cnv(path, text, build="GRCh38")  # fits GRCh38
    cnv(path, text)  # build unknown: fits one build, accepted


def test_cnv_beyond_every_build(tmp_path: Path) -> None:
    path = tmp_path / "x.cns"
    assert error(cnv, path, CNS + "7\t1000\t260000000\tX\t0\t4\n") == (
        f"{path}, line 2 (patient P1): segment 7:1001-260000000 ends beyond the end of 7 in "
        "GRCh37 (159,138,663 bp) and GRCh38 (159,345,973 bp): the file is of another genome "
        "build, or its coordinates are wrong"
    )


# --- fusions -------------------------------------------------------------------------------------


def test_fusion_file_of_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "f.tsv"
    path.write_text("left\tright\nEML4\tALK\n")
    msg = error(read_fusion_file, path, patient="P1")
    assert msg.startswith(
        f"{path}, line 1 (patient P1): cannot tell the fusion format from the header; accepted: "
        "arriba"
    )


def test_fusion_format_that_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "f.tsv"
    path.write_text("gene5\tgene3\nEML4\tALK\n")
    assert error(read_fusion_file, path, "defuse", patient="P1") == (
        f"{path} (patient P1): unknown fusion format 'defuse'; accepted: "
        "arriba, star-fusion, fusioncatcher, bnd-vcf, generic, pcgr, ctat-lr-fusion, jaffa, pbfusion or auto"
    )


# --- sample sheet --------------------------------------------------------------------------------

SHEET_HEADER = "patient_id\ttumour_type\tvcf\tpurity\n"


def sheet(tmp_path: Path, rows: str, header: str = SHEET_HEADER) -> Path:
    (tmp_path / "a.vcf").write_text("##fileformat=VCFv4.2\n")
    (tmp_path / "b.vcf").write_text("##fileformat=VCFv4.2\n")
    path = tmp_path / "samples.tsv"
    path.write_text(header + rows)
    return path


@pytest.mark.parametrize("purity", ["0", "1.5", "-0.2", "0.0", "abc", "nan", "inf"])
def test_purity_outside_zero_one(tmp_path: Path, purity: str) -> None:
    path = sheet(tmp_path, f"P1\tC49\ta.vcf\t{purity}\n")
    assert error(read_sample_sheet, path) == (
        f"{path}, line 2 (patient P1): purity {purity!r} is not a number in (0, 1] (tumour cell "
        "fraction, e.g. 0.7)"
    )


@pytest.mark.parametrize("code", ["X49", "C4", "C499", "C49.", "49", "C49.123"])
def test_malformed_icd10(tmp_path: Path, code: str) -> None:
    path = sheet(tmp_path, f"P1\t{code}\ta.vcf\t0.5\n")
    assert error(read_sample_sheet, path) == (
        f"{path}, line 2 (patient P1): tumour_type {code!r}: {code!r} is not an ICD-10 C code; "
        "write it like C49 or C49.2, optionally followed by '|' and the Table 1 subtype name "
        "(e.g. C49|Synovial sarcoma)"
    )


def test_duplicate_patient_ids(tmp_path: Path) -> None:
    path = sheet(tmp_path, "P1\tC49\ta.vcf\t0.5\nP2\tC49\tb.vcf\t0.5\nP1\tC49\tb.vcf\t0.5\n")
    assert error(read_sample_sheet, path) == (
        f"{path}, line 4 (patient P1): duplicate patient_id (first on line 2)"
    )


def test_path_that_does_not_exist(tmp_path: Path) -> None:
    path = sheet(tmp_path, "P1\tC49\tmissing.vcf\t0.5\n")
    missing = os.path.join(str(tmp_path), "missing.vcf")
    assert error(read_sample_sheet, path) == (
        f"{path}, line 2 (patient P1): vcf file {missing!r} does not exist (given as "
        "'missing.vcf', resolved against the sample sheet's folder)"
    )


def test_path_outside_the_allowed_tree(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.vcf").write_text("##fileformat=VCFv4.2\n")
    inside = tmp_path / "batch"
    inside.mkdir()
    path = sheet(inside, "P1\tC49\t../elsewhere/x.vcf\t0.5\n")
    given = os.path.join(str(inside), "../elsewhere/x.vcf")
    assert read_sample_sheet(path)  # no roots given: no restriction (library use)
    msg = error(read_sample_sheet, path, input_roots=[inside])
    assert msg == (
        f"{path}, line 2 (patient P1): vcf file {os.path.normpath(given)!r} resolves to "
        f"{str(outside / 'x.vcf')!r}, which is outside the allowed input folders ({inside}); "
        "move it there or add its folder to the config key input_roots"
    )
    assert read_sample_sheet(path, input_roots=[inside, outside])


def test_symlink_out_of_the_allowed_tree(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.vcf").write_text("##fileformat=VCFv4.2\n")
    inside = tmp_path / "batch"
    inside.mkdir()
    (inside / "link.vcf").symlink_to(outside / "x.vcf")
    path = sheet(inside, "P1\tC49\tlink.vcf\t0.5\n")
    msg = error(read_sample_sheet, path, input_roots=[inside])
    assert msg.startswith(f"{path}, line 2 (patient P1): vcf file ")
    assert f"resolves to {str(outside / 'x.vcf')!r}, which is outside" in msg


def test_same_file_for_two_patients_is_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = sheet(tmp_path, "P1\tC49\ta.vcf\t0.5\nP2\tC49\ta.vcf\t0.5\n")
    with caplog.at_level(logging.WARNING):
        patients = read_sample_sheet(path)
    assert [p.patient_id for p in patients] == ["P1", "P2"]
    assert (
        f"{path}: the same file {tmp_path / 'a.vcf'} is given for 2 patients: P1 (vcf), P2 (vcf) "
        "(first repeat on line 3); check the sample sheet if that is not intended"
    ) in caplog.text


def test_a_file_shared_by_many_patients_is_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 31: a negative control given for many patients: one line naming the count and
    the first ids (it printed a line per pair), every id at debug level."""
    (tmp_path / "control.vcf").write_text("##fileformat=VCFv4.2\n")
    rows = "".join(f"P{i}\tC49\tcontrol.vcf\t0.5\n" for i in range(1, 41))
    path = sheet(tmp_path, rows)
    with caplog.at_level(logging.DEBUG):
        read_sample_sheet(path)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert (
        "is given for 40 patients: P1 (vcf), P2 (vcf), P3 (vcf), P4 (vcf), P5 (vcf) and 35 "
        "more (first repeat on line 3)" in warnings[0].getMessage()
    )
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any("P40 (vcf)" in m for m in debug)


def test_config_input_roots_must_be_a_list_of_folders() -> None:
    with pytest.raises(InputError, match="input_roots"):
        validate_config({"samples": "s.tsv", "input_roots": "not-a-list"})
    assert validate_config({"samples": "s.tsv"})["input_roots"] is None


# --- rule table ----------------------------------------------------------------------------------


def _rules_copy(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    text = (REPO / "resources" / "actionable_targets.tsv").read_text()
    lines = text.splitlines()
    path = tmp_path / "rules.tsv"
    path.write_text("\n".join(edit(lines)) + "\n")
    return path


def _first_rule_line(lines: list[str]) -> int:
    header = next(i for i, x in enumerate(lines) if x and not x.startswith("#"))
    return header + 1


def test_rule_table_duplicate_rule_id(tmp_path: Path) -> None:
    def edit(lines: list[str]) -> list[str]:
        i = _first_rule_line(lines)
        return [*lines[: i + 1], lines[i], *lines[i + 1 :]]

    path = _rules_copy(tmp_path, edit)
    lines = path.read_text().splitlines()
    i = _first_rule_line(lines)
    rid = lines[i].split("\t")[0]
    with pytest.raises(RuleTableError) as info:
        load_rules(path)
    assert str(info.value) == (
        f"{path}, line {i + 2}: duplicate rule_id {rid!r} (first on line {i + 1})"
    )


def test_rule_table_arm_id_reused_for_another_drug(tmp_path: Path) -> None:
    # one arm id, two drugs: two arms sharing an id
    def edit(lines: list[str]) -> list[str]:
        i = _first_rule_line(lines)
        row = lines[i].split("\t")
        row[0] = row[0] + "-dup"
        row[3] = "otherdrug"
        return [*lines[: i + 1], "\t".join(row), *lines[i + 1 :]]

    path = _rules_copy(tmp_path, edit)
    lines = path.read_text().splitlines()
    i = _first_rule_line(lines)
    arm, drug = lines[i].split("\t")[1], lines[i].split("\t")[3]
    with pytest.raises(RuleTableError) as info:
        load_rules(path)
    assert str(info.value) == (
        f"{path}, line {i + 2}: arm {arm!r} has drug 'otherdrug' here but {drug!r} on line "
        f"{i + 1}: one arm, one drug"
    )


def test_rule_table_unknown_gene(tmp_path: Path) -> None:
    def edit(lines: list[str]) -> list[str]:
        i = _first_rule_line(lines)
        row = lines[i].split("\t")
        row[5] = "NOTAGENE"
        return [*lines[:i], "\t".join(row), *lines[i + 1 :]]

    path = _rules_copy(tmp_path, edit)
    i = _first_rule_line(path.read_text().splitlines())
    with pytest.raises(RuleTableError) as info:
        load_rules(path, known_genes=gene_models("GRCh38").genes())
    assert str(info.value) == (
        f"{path}, line {i + 1}: unknown gene 'NOTAGENE': not in the bundled transcript models"
    )


def test_blank_line_among_vcf_records_is_named(tmp_path: Path) -> None:
    # found by fuzzing: htslib reads a blank line as an empty record, and cyvcf2 then crashed
    from armmatch.readers.vcf_text import check_vcf_text

    path = tmp_path / "blank.vcf"
    path.write_text(
        "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        "chr7\t55191822\t.\tT\tG\t.\tPASS\t.\n\nchr7\t55191823\t.\tA\tG\t.\tPASS\t.\n"
    )
    with pytest.raises(InputError) as info:
        check_vcf_text(str(path), patient="P1")
    assert info.value.line == 4 and "blank line among the records" in str(info.value)


def test_the_same_file_in_two_columns_of_a_row(tmp_path: Path) -> None:
    """Issue 14: a VCF named as both small variants and fusions (a copy-paste slip)."""
    path = sheet(tmp_path, "P1\tC49\ta.vcf\t0.5\t../" + tmp_path.name + "/a.vcf\n",
                 "patient_id\ttumour_type\tvcf\tpurity\tfusions\n")  # fmt: skip
    assert error(read_sample_sheet, path) == (
        f"{path}, line 2 (patient P1): the same file '../{tmp_path.name}/a.vcf' is named in both "
        "vcf and fusions: each column takes its own kind of file (small variants, germline "
        "variants, copy number, fusions)"
    )


# --- issue 19: names and values that must not pass ------------------------------------------------


@pytest.mark.parametrize("pid", ["..", ".", "-rf", "_x"])
def test_unsafe_patient_ids_stop_at_the_row(tmp_path: Path, pid: str) -> None:
    path = sheet(tmp_path, f"{pid}\tC49\ta.vcf\t0.5\n")
    msg = error(read_sample_sheet, path)
    assert msg.startswith(f"{path}, line 2 (patient {pid}): patient_id {pid!r} is not a safe name")


@pytest.mark.parametrize(("cells", "problem"), [
    ("\tage\n", "age 999 is outside the human range (0-120 years)"),
    ("\tploidy\n", "ploidy '20' is not a tumour ploidy in (0, 8]"),
])  # fmt: skip
def test_values_outside_physical_range(tmp_path: Path, cells: str, problem: str) -> None:
    value = "999" if "age" in cells else "20"
    path = sheet(tmp_path, f"P1\tC49\ta.vcf\t0.5\t{value}\n", SHEET_HEADER.rstrip("\n") + cells)
    assert problem in error(read_sample_sheet, path)


def test_a_latin1_sheet_names_the_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "samples.tsv"
    (tmp_path / "a.vcf").write_text("##fileformat=VCFv4.2\n")
    path.write_bytes(SHEET_HEADER.encode() + b"P1\tC49|Ew\xe9ng\ta.vcf\t0.5\n")
    assert error(read_sample_sheet, path) == (
        f"{path}, line 2: byte 0xe9 (offset 43) is not UTF-8: the sample sheet must be UTF-8 "
        "(re-save it as UTF-8)"
    )


def test_formula_cells_are_neutralised_in_every_tsv(tmp_path: Path) -> None:
    """A fusion partner named like a spreadsheet formula reaches events.tsv and the batch TSV
    only as text (OWASP: a leading apostrophe), and a reader gets the value back."""
    import dataclasses

    from armmatch.io import tsv_value
    from armmatch.report.record import AssignmentRecord
    from armmatch.report.tables import assignments_tsv, events_tsv
    from tests.conftest import assign_record, example_patient

    hostile = '=HYPERLINK("http://evil.example/x","click")'
    fusions = tmp_path / "fusions.tsv"
    fusions.write_text(f"gene5\tgene3\tframe\tsplit_reads\n{hostile}\tRET\tin-frame\t12\n")
    patient = dataclasses.replace(example_patient("PLT-008"), fusions=str(fusions),
                                  fusion_format="generic")  # fmt: skip
    record = assign_record(patient, settings_from_config({"samples": "s.tsv"}))
    rows = [r.split("\t") for r in events_tsv(AssignmentRecord.from_dict(record)).splitlines()]
    head = rows[0]
    (ret,) = [r for r in rows[1:] if r[head.index("gene")] == "RET"]
    cell = ret[head.index("gene5")]
    assert cell == "'" + hostile and tsv_value(cell) == hostile
    assert not any(c.startswith(("=", "+", "@")) for r in rows for c in r)
    batch = assignments_tsv([AssignmentRecord.from_dict(record)])
    assert not any(
        c.startswith(("=", "+", "@")) for line in batch.splitlines() for c in line.split("\t")
    )
    # plain numbers stay numbers (a log2 of -0.25 is no formula); text after a sign does not
    from armmatch.io import tsv_cell

    assert (tsv_cell(-0.25), tsv_cell("-0.25"), tsv_cell("-x"), tsv_cell("@SUM(A1)")) == (
        "-0.25", "-0.25", "'-x", "'@SUM(A1)")  # fmt: skip


def test_an_empty_alt_is_a_malformed_record(write_vcf: VcfWriter) -> None:
    path = write_vcf([("chr7", "140753336", "A", "", "PASS", "DP=100", "0/1:60,40:100")],
                     csq_header=False)  # fmt: skip
    msg = error(read, path)
    assert msg == (f"{path}, line {HEADER_LINES} (patient P1): the ALT field is empty: a "
                   "malformed record (VCF writes '.' for no ALT allele), never a tested negative")  # fmt: skip


def test_an_allele_fraction_above_one_stops(write_vcf: VcfWriter) -> None:
    path = write_vcf([("chr7", "140753336", "A", "T", "PASS", "DP=100", "0/1:45.0:100")],
                     csq_header=False, fmt="GT:AF:DP")  # fmt: skip
    msg = error(read, path)
    assert msg.startswith(f"{path}, line {HEADER_LINES} (patient P1): FORMAT/AF gives an allele "
                          "fraction of 45, above 1: a percentage written as a number?")  # fmt: skip


def test_chr7_and_7_are_one_chromosome_for_the_overlap_check(tmp_path: Path) -> None:
    path = tmp_path / "x.cns"
    text = CNS + "chr7\t100\t5000\tX\t0\t4\n7\t4000\t9000\tX\t0\t4\n"
    msg = error(cnv, path, text)
    assert "segment 7:4001-9000 overlaps the segment chr7:101-5000 on line 2" in msg


def test_a_write_failure_leaves_the_patient_complete_or_absent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Disk full in the middle of a patient's outputs: nothing of that patient is left, the
    block records a clean failure (no traceback)."""
    import errno

    import armmatch.run.blocks as blocks
    from armmatch.run.blocks import read_manifest
    from tests.conftest import example_patient

    patient = example_patient("PLT-002")
    real = blocks.write_text_atomic
    calls = {"n": 0}

    def failing(path, text, **kw):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, text, **kw)

    monkeypatch.setattr(blocks, "write_text_atomic", failing)
    out = tmp_path / "out"
    manifest = block_job(patient, out)
    assert not [p for p in (out / "patients" / "PLT-002").rglob("*") if p.is_file()]
    ((pid, action, err),) = read_manifest(str(manifest))
    assert (pid, action) == ("PLT-002", "failed")
    assert "cannot write its outputs" in err and "No space left on device" in err


def test_a_line_longer_than_the_bound_stops_with_its_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_vcf: VcfWriter
) -> None:
    """Issue 19: a bgzip that expands to one huge line ended in MemoryError; every reader now
    stops at armmatch.io.MAX_LINE_BYTES (64 MiB; 4 KiB here, so the test stays small)."""
    import armmatch.io
    import armmatch.readers.vcf_text

    monkeypatch.setattr(armmatch.io, "MAX_LINE_BYTES", 4096)
    monkeypatch.setattr(armmatch.readers.vcf_text, "MAX_LINE_BYTES", 4096)
    # the VCF pass reads 4 MiB pieces: a line is bounded when no line end comes within the
    # bound (always so at 64 MiB); pieces of 1 KiB here
    monkeypatch.setattr(armmatch.readers.vcf_text, "_CHUNK", 1024)
    huge = "A" * 10_000
    vcf = bgzip(write_vcf([("chr7", "140753336", "A", "T", "PASS", f"X={huge}", "0/1:60,40:100")],
                          csq_header=False))  # fmt: skip
    msg = error(read, vcf)
    assert msg == (f"{vcf} (patient P1): line {HEADER_LINES} is longer than 4,096 bytes: not a VCF "
                   "line (a corrupt or binary file?)")  # fmt: skip
    table = tmp_path / "x.cns"
    assert "line 2 is longer than 4,096 bytes: not a line of a text table" in error(
        cnv, table, CNS + huge + "\n")  # fmt: skip
    maf = tmp_path / "m.maf"
    maf.write_text("Hugo_Symbol\tHGVSp_Short\nBRAF\t" + huge + "\n")
    assert "line 2 is longer than" in error(read, maf, sample=None)


def test_config_booleans_given_as_words_on_the_command_line() -> None:
    """Snakemake's --config passes nested values as text: true/false/yes/no become booleans
    where the schema wants one; any other word is still refused with its key."""
    from armmatch.config import validate_config

    cfg = validate_config({"samples": "s.tsv", "exports": {"fhir": "false", "multiqc": "No"}})
    assert cfg["exports"] == {
        "fhir": False,
        "matchminer": True,
        "cbioportal": True,
        "multiqc": False,
    }
    with pytest.raises(ConfigError, match="exports.fhir: 'maybe' is not of type 'boolean'"):
        validate_config({"samples": "s.tsv", "exports": {"fhir": "maybe"}})
    assert validate_config({"samples": "s.tsv"})["patients_per_job"] == "auto"


# --- text that is not UTF-8 ----------------------------------------------------------------------

LATIN1 = "Müller".encode("latin-1")  # b"M\xfcller": 0xfc is not UTF-8


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_a_latin1_table_names_the_line_column_and_byte(tmp_path: Path, compress: bool) -> None:
    """A byte that is not UTF-8 on line 3 of a CNVkit table: the text reader decodes 8 KiB
    ahead, so the error used to come without a line; it now names line, column and byte."""
    data = (
        (CNS + "chr7\t100\t5000\tMET\t0.1\t4\n").encode()
        + b"chr7\t6000\t9000\t"
        + LATIN1
        + b"\t0\t4\n"
    )
    path = tmp_path / "x.cns"
    path.write_bytes(gzip.compress(data) if compress else data)
    context = CnvContext([MET], lambda g: THRESHOLDS, purity=0.7, ploidy=2.0, patient="P1")  # type: ignore[arg-type]
    assert error(read_copy_number, path, "cnvkit", context) == (
        f"{path}, line 3 (patient P1): byte 0xfc (column 17) is not UTF-8: the file must be "
        "UTF-8 text (re-save it as UTF-8)"
    )


def test_a_latin1_maf_is_read_as_a_maf_and_names_the_line(tmp_path: Path) -> None:
    """The MAF check used to decode strictly, call the file "not a MAF" and hand it to the VCF
    reader ("not a VCF"); the header's structure is now read with replacement, and the MAF
    reader names the row."""
    maf = tmp_path / "m.maf"
    maf.write_bytes(
        b"#version 2.4\nHugo_Symbol\tHGVSp_Short\tComment\nBRAF\tp.V600E\t" + LATIN1 + b"\n"
    )
    assert error(read, maf, sample=None) == (
        f"{maf}, line 3 (patient P1): byte 0xfc (column 15) is not UTF-8: the file must be "
        "UTF-8 text (re-save it as UTF-8)"
    )


def test_a_latin1_responses_table_stops_with_the_line(tmp_path: Path) -> None:
    from armmatch.readers.responses import read_responses

    path = tmp_path / "responses.tsv"
    path.write_bytes(b"patient_id\tarm\n" + b"P1\t" + LATIN1 + b"\n")
    assert error(read_responses, path).startswith(
        f"{path}, line 2: byte 0xfc (column 5) is not UTF-8"
    )


def test_a_block_keeps_the_line_of_a_file_problem(tmp_path: Path) -> None:
    """A block job raised the preflight's single file problem without its line number."""
    import dataclasses

    from armmatch.run.blocks import read_manifest
    from tests.conftest import example_patient

    bad = tmp_path / "PLT-002.cns"
    text = (REPO / "example" / "cnv" / "PLT-002.cns").read_bytes().splitlines(keepends=True)
    bad.write_bytes(
        b"".join(text[:4]) + text[4].replace(b"\t", b"\t" + LATIN1, 1) + b"".join(text[5:])
    )
    patient = dataclasses.replace(example_patient("PLT-002"), cnv=str(bad))
    out = tmp_path / "out"
    manifest = block_job(patient, out)
    ((pid, action, err),) = read_manifest(str(manifest))
    assert (pid, action) == ("PLT-002", "failed")
    assert err.startswith(f"{bad}, line 5 (patient PLT-002): byte 0xfc (column 7) is not UTF-8")


BOM = b"\xef\xbb\xbf"  # the UTF-8 byte-order mark Excel's "UTF-8 CSV" and Windows tools write


def test_a_sheet_with_a_byte_order_mark_reads_as_without(tmp_path: Path) -> None:
    """The mark used to glue itself to the first column's name: "unknown column patient_id"."""
    from armmatch.run.preflight import sheet_problems

    (tmp_path / "a.vcf").write_text("##fileformat=VCFv4.2\n")
    plain, marked = tmp_path / "plain.tsv", tmp_path / "marked.tsv"
    plain.write_text(SHEET_HEADER + "P1\tC49\ta.vcf\t0.5\n")
    marked.write_bytes(BOM + plain.read_bytes())
    assert [p.patient_id for p in read_sample_sheet(marked)] == ["P1"]
    assert read_sample_sheet(marked)[0].raw == read_sample_sheet(plain)[0].raw
    problems, patients = sheet_problems(marked)
    assert [p.patient_id for p in patients] == ["P1"]
    assert [p.severity for p in problems] == ["warning"] * len(problems)  # the missing columns
    assert [p.problem for p in problems] == [p.problem for p in sheet_problems(plain)[0]]


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_a_table_with_a_byte_order_mark_reads_as_without(tmp_path: Path, compress: bool) -> None:
    text = (CNS + "chr7\t116672195\t116798377\tMET\t2.1\t40\n").encode()
    clean, marked = tmp_path / "clean.cns", tmp_path / "marked.cns"
    for path, data in ((clean, text), (marked, BOM + text)):
        path.write_bytes(gzip.compress(data) if compress else data)
    context = CnvContext([MET], lambda g: THRESHOLDS, purity=0.7, ploidy=2.0, patient="P1")  # type: ignore[arg-type]
    got, want = (read_copy_number(p, None, context) for p in (marked, clean))
    assert [(e.gene, e.alteration, e.status) for e in got.events] == [
        (e.gene, e.alteration, e.status) for e in want.events
    ]
    assert [e.status for e in got.events] == ["called"]


# --- records that cannot be read as written (issue 29) ------------------------------------------

_V600 = ("chr7", "140753336")


@pytest.mark.bad_input
@pytest.mark.parametrize(("ref", "alt", "flt", "info", "problem"), [
    ("A", "R", "PASS", ".", "ALT 'R' is not a sequence of bases"),
    ("A", "A,,T", "PASS", ".", "an empty allele in ALT"),
    ("B", "T", "PASS", ".", "REF 'B' is not a sequence of bases"),
    ("A", "<DEL>", "PASS", "SVTYPE=DEL", "symbolic or breakend allele"),
])  # fmt: skip
def test_a_record_that_cannot_be_read_is_never_absent(
    write_vcf: VcfWriter, ref: str, alt: str, flt: str, info: str, problem: str
) -> None:
    """Each defect on BRAF codon 600: an indeterminate event naming file, line and problem,
    and the vemurafenib arm indeterminate (the patient incomplete), never the PD-1 arm."""
    from armmatch.config import settings_from_config
    from armmatch.decision.assignment import decide
    from armmatch.decision.eligibility import Criterion, Eligibility
    from armmatch.events import assessed
    from armmatch.patient import Patient
    from armmatch.run.pipeline import decide_events, detect_small_variants, rule_set

    vcf = write_vcf([(*_V600, ref, alt, flt, info, "0/1:30,30:60"),
                     ("chr7", "150000000", "N", "T", "PASS", ".", "0/1:30,30:60")],
                    csq_header=False,
                    header=['##INFO=<ID=AF,Number=A,Type=Float,Description="af">',
                            '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="t">'])  # fmt: skip
    rules = rule_set()
    settings = settings_from_config({"samples": "s.tsv"})
    ev = detect_small_variants(Patient("P1", "C49", str(vcf), 2, vcf_sample="TUMOR"),
                               build="GRCh38", rules=rules, settings=settings)  # fmt: skip
    (e,) = [x for x in ev.events if x.gene == "BRAF"]
    assert e.status == "indeterminate" and problem in e.status_reason, e.status_reason
    assert e.source.line is not None and e.source.path == str(vcf)
    events = decide_events(ev.events, rules=rules, settings=settings, build="GRCh38")
    assessments = [a for cat in ("mutation", "cnv", "fusion", "ihc")
                   for a in assessed(rules.genes(cat), cat, "test")]  # type: ignore[arg-type]  # fmt: skip
    eligible = Eligibility((Criterion("age", "met", "", ""),), {}, (), ())
    d = decide(events=events, assessments=assessments, rules=rules, eligibility=eligible)
    assert d.status == "incomplete" and d.arm is None
    braf = next(a for a in d.arms if a.arm.arm_id == "vemurafenib-BRAF")
    assert braf.verdict == "indeterminate evidence"


@pytest.mark.bad_input
@pytest.mark.parametrize(("flt", "info", "problem"), [
    (";PASS", ".", "FILTER ';PASS' is malformed"),
    ("PASS;", ".", "FILTER 'PASS;' is malformed"),
    ("PASS", "DP=1.150", "INFO DP=1.150 is not a whole number"),
    ("PASS", "AF=-0.01", "INFO AF=-0.01 is not an allele fraction"),
])  # fmt: skip
def test_a_field_htslib_would_misread_stops_the_patient(
    write_vcf: VcfWriter, flt: str, info: str, problem: str
) -> None:
    """FILTER and INFO values htslib reads as something else (``PASS;`` as passed, ``DP=1.150``
    as 1): the patient stops, naming the file and line (never a silent pass or fail)."""
    from armmatch.config import settings_from_config
    from armmatch.patient import Patient
    from armmatch.run.pipeline import detect_small_variants, rule_set

    vcf = write_vcf([(*_V600, "A", "T", flt, info, "0/1:30,30:60")], csq_header=False,
                    header=['##INFO=<ID=AF,Number=A,Type=Float,Description="af">'])  # fmt: skip
    with pytest.raises(InputError) as exc:
        detect_small_variants(Patient("P1", "C49", str(vcf), 2, vcf_sample="TUMOR"),
                              build="GRCh38", rules=rule_set(),
                              settings=settings_from_config({"samples": "s.tsv"}))  # fmt: skip
    assert problem in exc.value.problem and exc.value.line is not None


@pytest.mark.bad_input
@pytest.mark.parametrize("chrom", ["chr 7", "chr:7", "<7"])
def test_a_chromosome_name_that_reaches_no_gene_stops(write_vcf: VcfWriter, chrom: str) -> None:
    from armmatch.config import settings_from_config
    from armmatch.patient import Patient
    from armmatch.run.pipeline import detect_small_variants, rule_set

    vcf = write_vcf([(chrom, "140753336", "A", "T", "PASS", ".", "0/1:30,30:60")],
                    csq_header=False, chr7_length=None)  # fmt: skip
    text = vcf.read_text().replace("##contig=<ID=chr4>\n", "").replace("##contig=<ID=chr9>\n", "")
    for c in ("chr12", "chr13", "chr17"):
        text = text.replace(f"##contig=<ID={c}>\n", "")
    vcf.write_text(text)
    with pytest.raises(InputError) as exc:
        detect_small_variants(Patient("P1", "C49", str(vcf), 2, vcf_sample="TUMOR"),
                              build="GRCh38", rules=rule_set(),
                              settings=settings_from_config({"samples": "s.tsv"}))  # fmt: skip
    assert f"CHROM {chrom!r} is not a chromosome name" in exc.value.problem
    assert exc.value.line is not None


@pytest.mark.bad_input
@pytest.mark.parametrize(("tail", "problem"), [
    ("\n", "blank line among the records"),  # a trailing empty line
    ("chr7\t0\t.\tA\tT\t.\tPASS\t.\n", "POS 0 (the VCF specification's telomere position)"),
])  # fmt: skip
def test_trailing_blank_line_and_telomere_pos_are_refused_with_the_reason(
    tmp_path: Path, tail: str, problem: str
) -> None:
    from armmatch.config import settings_from_config
    from armmatch.patient import Patient
    from armmatch.run.pipeline import detect_small_variants, rule_set

    vcf = tmp_path / "t.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n##contig=<ID=chr7>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\t"
                   "FILTER\tINFO\nchr7\t140753336\t.\tA\tT\t.\tPASS\t.\n" + tail)  # fmt: skip
    with pytest.raises(InputError) as exc:
        detect_small_variants(Patient("P1", "C49", str(vcf), 2), build="GRCh38",
                              rules=rule_set(), settings=settings_from_config({"samples": "s"}))  # fmt: skip
    assert problem in exc.value.problem and exc.value.line == 5


@pytest.mark.bad_input
def test_a_bzip2_vcf_is_named_as_such(tmp_path: Path) -> None:
    import bz2

    from armmatch.config import settings_from_config
    from armmatch.patient import Patient
    from armmatch.run.pipeline import detect_small_variants, rule_set

    vcf = tmp_path / "t.vcf.bz2"
    vcf.write_bytes(bz2.compress(b"##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\t"
                                 b"FILTER\tINFO\n"))  # fmt: skip
    with pytest.raises(InputError, match="bzip2-compressed, which is not read"):
        detect_small_variants(Patient("P1", "C49", str(vcf), 2), build="GRCh38",
                              rules=rule_set(), settings=settings_from_config({"samples": "s"}))  # fmt: skip
