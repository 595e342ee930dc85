"""Batch-scale behaviour of the workflow: patients run in blocks, yet reruns compute only what
changed, each patient keeps its own outputs and log, and parse time reads only the sample sheet
(plus config and rule table). Timings are measured by bench/bench_batch.py, not here."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.workflow.test_workflow import snakemake

pytestmark = pytest.mark.workflow


def example_copy(work: Path, drop_last: int = 0) -> tuple[Path, list[str]]:
    """The example batch in ``work``; the sheet without its last ``drop_last`` rows.

    Returns the sheet path and the dropped rows.
    """
    shutil.copytree(REPO / "example", work / "example")
    (work / "config").mkdir()
    lines = (REPO / "config" / "samples.tsv").read_text(encoding="utf-8").splitlines()
    kept, dropped = lines[: len(lines) - drop_last], lines[len(lines) - drop_last :]
    sheet = work / "config" / "samples.tsv"
    sheet.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return sheet, dropped


def set_cells(sheet: Path, patient: str, **cells: str) -> None:
    """Rewrite ``patient``'s cells of the sample sheet (column name -> new value)."""
    rows = [r.split("\t") for r in sheet.read_text(encoding="utf-8").splitlines()]
    for r in rows[1:]:
        if r[0] == patient:
            for column, value in cells.items():
                r[rows[0].index(column)] = value
    sheet.write_text("\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")


def run_failing(work: Path) -> subprocess.CompletedProcess[str]:
    """The example-copy batch in ``work``, expected to fail (its exit code is not checked)."""
    return snakemake(
        work, "--cores", "2", "--config", "samples=config/samples.tsv", "outdir=results",
        check=False,
    )  # fmt: skip


def job_counts(output: str) -> dict[str, int]:
    stats = output.split("Job stats:", 1)[1] if "Job stats:" in output else ""
    return {
        m.group(1): int(m.group(2))
        for m in re.finditer(r"^(\w+)\s+(\d+)$", stats, flags=re.M)
        if m.group(1) != "total"
    }


def test_adding_a_patient_reruns_only_that_patient_and_the_batch(tmp_path: Path) -> None:
    sheet, (new_row,) = example_copy(tmp_path, drop_last=1)
    new_id = new_row.split("\t")[0]
    args = ("--cores", "2", "--config", "samples=config/samples.tsv", "outdir=results")
    snakemake(tmp_path, *args)
    patients = tmp_path / "results" / "patients"
    before = {p: p.stat().st_mtime_ns for p in patients.rglob("*") if p.is_file()}
    assert before and not (patients / new_id).exists()

    with open(sheet, "a", encoding="utf-8") as fh:
        fh.write(new_row + "\n")
    dry = snakemake(tmp_path, *args, "-n")
    assert job_counts(dry.stdout + dry.stderr) == {
        "all": 1,
        "assess_block": 1,
        "batch_summary": 1,
        "check_batch": 1,
        "exchange_formats": 1,
    }, dry.stdout

    snakemake(tmp_path, *args)
    after = {p: p.stat().st_mtime_ns for p in patients.rglob("*") if p.is_file()}
    assert {p: after[p] for p in before} == before, "another patient's outputs were rewritten"
    assert (patients / new_id / "assignment.json").is_file()
    manifest = (tmp_path / "results" / "blocks" / "00001.tsv").read_text().splitlines()
    actions = {r.split("\t")[1]: r.split("\t")[2] for r in manifest[1:]}
    assert actions.pop(new_id) == "computed"
    assert set(actions.values()) == {"reused"} and len(actions) == 13
    rows = (tmp_path / "results" / "batch" / "assignments.tsv").read_text().splitlines()
    assert new_id in {r.split("\t")[0] for r in rows[1:]}


def test_each_patient_log_holds_only_that_patient(tmp_path: Path) -> None:
    """Blocks of 3 (five jobs, two at a time): every patient still has its own log."""
    example_copy(tmp_path)
    snakemake(
        tmp_path, "--cores", "2", "--config", "samples=config/samples.tsv", "outdir=out",
        "patients_per_job=3",
    )  # fmt: skip
    assert len(list((tmp_path / "out" / "blocks").glob("*.tsv"))) == 5
    logs = sorted((tmp_path / "out" / "logs" / "patients").glob("*.log"))
    assert len(logs) == 14
    for log in logs:
        text = log.read_text(encoding="utf-8")
        assert f"patient {log.stem} " in text
        others = set(re.findall(r"PLT-\d{3}", text)) - {log.stem}
        assert not others, (log.name, others, text)


def test_parse_time_opens_no_patient_input(tmp_path: Path) -> None:
    """A dry run reads the config, the sheet and the rule table, never a VCF, CNV or fusion file
    (audited with a Python audit hook on every file open of the Snakemake process)."""
    example_copy(tmp_path)
    opened = tmp_path / "opened.txt"
    code = f"""
import sys
seen = open({str(opened)!r}, "w")
def hook(event, args):
    if event == "open" and isinstance(args[0], str):
        seen.write(args[0] + "\\n")
sys.addaudithook(hook)
from snakemake.cli import main
sys.argv = ["snakemake", "--snakefile", {str(REPO / "Snakefile")!r}, "--directory",
            {str(tmp_path)!r}, "-n", "--cores", "1",
            "--config", "samples=config/samples.tsv", "outdir=results"]
main()
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    paths = opened.read_text(encoding="utf-8").splitlines()
    assert any(p.endswith("samples.tsv") for p in paths)
    inputs = [p for p in paths if "/example/" in p or p.startswith("example/")]
    assert inputs == [], inputs


def test_changed_input_recomputes_only_that_patient(tmp_path: Path) -> None:
    """Editing one patient's CNV file recomputes that patient; the rest of its block is reused
    byte for byte (same fingerprint) and the decision follows the new file."""
    example_copy(tmp_path)
    args = ("--cores", "2", "--config", "samples=config/samples.tsv", "outdir=results")
    snakemake(tmp_path, *args)
    cns = tmp_path / "example" / "cnv" / "PLT-006.cns"
    lines = cns.read_text(encoding="utf-8").splitlines()
    # PLT-006's MET amplification: flatten every segment to a neutral log2 ratio
    cns.write_text(
        "\n".join([lines[0], *("\t".join([*r.split("\t")[:4], "0", *r.split("\t")[5:]])
                                for r in lines[1:])]) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    snakemake(tmp_path, *args)
    manifest = (tmp_path / "results" / "blocks" / "00001.tsv").read_text().splitlines()
    actions = {r.split("\t")[1]: r.split("\t")[2] for r in manifest[1:]}
    assert actions.pop("PLT-006") == "computed"
    assert set(actions.values()) == {"reused"}
    record = (tmp_path / "results" / "patients" / "PLT-006" / "assignment.json").read_text()
    assert '"crizotinib-MET-amp"' not in record.split('"arms"')[0]


def test_a_failing_patient_does_not_stop_its_block(tmp_path: Path) -> None:
    """A wrong vcf_sample for one patient: the job fails naming that patient, every other
    patient of the block is written, the failing patient has no outputs."""
    sheet, _ = example_copy(tmp_path)
    text = sheet.read_text(encoding="utf-8")
    rows = text.splitlines()
    header = rows[0].split("\t")
    col = header.index("vcf_sample")
    fields = rows[3].split("\t")
    assert fields[0] == "PLT-003"
    fields[col] = "NO_SUCH_SAMPLE"
    rows[3] = "\t".join(fields)
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    proc = snakemake(
        tmp_path, "--cores", "2", "--config", "samples=config/samples.tsv", "outdir=results",
        check=False,
    )  # fmt: skip
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "PLT-003" in out and "NO_SUCH_SAMPLE" in out, out
    patients = tmp_path / "results" / "patients"
    assert not (patients / "PLT-003" / "assignment.json").exists()
    written = {p.parent.name for p in patients.glob("*/assignment.json")}
    assert written == {f"PLT-{i:03d}" for i in range(1, 15)} - {"PLT-003"}
    # one failed patient does not hide the batch: the summary is written for the 13 assessed
    # and lists PLT-003 with its error under Needs attention; the run still fails
    batch = tmp_path / "results" / "batch"
    rows = (batch / "assignments.tsv").read_text().splitlines()
    assert len(rows) == 14 and not any(r.startswith("PLT-003\t") for r in rows)
    html = (batch / "summary.html").read_text()
    attention = html.split("<h2>Needs attention</h2>", 1)[1].split("<h2>", 1)[0]
    assert "PLT-003" in attention and "NO_SUCH_SAMPLE" in attention
    assert "13 patients assessed; 1 failed (no assignment)" in html
    assert not (batch / "complete.txt").exists()
    out = proc.stdout + proc.stderr
    assert "armmatch: 14 patients: 8 targeted, 1 immunotherapy, 1 excluded, 2 ineligible; " \
           "2 need attention (1 incomplete, 1 failed)" in out  # fmt: skip
    # fixing the row recomputes that patient only, and the run passes
    fields[col] = "TUMOR"
    rows3 = sheet.read_text(encoding="utf-8").splitlines()
    rows3[3] = "\t".join(fields)
    sheet.write_text("\n".join(rows3) + "\n", encoding="utf-8")
    snakemake(tmp_path, "--cores", "2", "--config", "samples=config/samples.tsv", "outdir=results")
    assert (patients / "PLT-003" / "assignment.json").exists()
    assert (batch / "complete.txt").read_text() == (
        "14 patients: 9 targeted, 1 immunotherapy, 1 excluded, 2 ineligible; 1 need attention "
        "(1 incomplete)\n"
    )


def test_a_hand_damaged_patient_is_repaired_by_forcing_its_block(tmp_path: Path) -> None:
    """Per-patient files are not DAG outputs: a deleted report is repaired with --forcerun, which
    recomputes that patient only (its outputs no longer match fingerprint.json)."""
    example_copy(tmp_path)
    args = ("--cores", "2", "--config", "samples=config/samples.tsv", "outdir=results")
    snakemake(tmp_path, *args)
    report = tmp_path / "results" / "patients" / "PLT-003" / "report.html"
    original = report.read_bytes()
    report.unlink()
    snakemake(tmp_path, *args, "--forcerun", "assess_block")
    assert report.read_bytes() == original
    manifest = (tmp_path / "results" / "blocks" / "00001.tsv").read_text().splitlines()
    actions = {r.split("\t")[1]: r.split("\t")[2] for r in manifest[1:]}
    assert actions.pop("PLT-003") == "computed"
    assert set(actions.values()) == {"reused"}


@pytest.mark.bad_input
def test_maf_inputs_through_the_workflow(tmp_path: Path) -> None:
    """Two MAFs in one block: PLT-008's (a vcf2maf row for BRAF V600E without HGVSp) is decided
    from its alleles; PLT-003's (an OncoKB-style row with neither a position nor a protein
    change) stops that patient only, naming the file and line, and the block's other patients
    are written."""
    import json

    sheet, _ = example_copy(tmp_path)
    cols = ["Hugo_Symbol", "NCBI_Build", "Chromosome", "Start_Position", "End_Position",
            "Variant_Classification", "Reference_Allele", "Tumor_Seq_Allele2",
            "Tumor_Sample_Barcode", "HGVSp_Short", "t_depth", "t_alt_count"]  # fmt: skip
    good = ["BRAF", "GRCh38", "chr7", "140753336", "140753336", "Missense_Mutation", "A", "T",
            "TUMOR", "", "120", "48"]  # fmt: skip
    bad = ["EGFR", "GRCh38", "", "", "", "In_Frame_Del", "", "", "TUMOR", "", "", ""]
    (tmp_path / "example" / "good.maf").write_text("\t".join(cols) + "\n" + "\t".join(good) + "\n")
    (tmp_path / "example" / "bad.maf").write_text("\t".join(cols) + "\n" + "\t".join(bad) + "\n")
    set_cells(sheet, "PLT-008", vcf="../example/good.maf")
    set_cells(sheet, "PLT-003", vcf="../example/bad.maf")
    proc = run_failing(tmp_path)
    assert proc.returncode != 0
    log = (tmp_path / "results" / "logs" / "patients" / "PLT-003.log").read_text()
    assert "example/bad.maf, line 2 (patient PLT-003): the EGFR row has neither a position" in log
    assert "Traceback" not in log
    patients = tmp_path / "results" / "patients"
    assert not (patients / "PLT-003" / "assignment.json").exists()
    record = json.loads((patients / "PLT-008" / "assignment.json").read_text())
    assert (record["status"], record["arm"]) == ("targeted", "vemurafenib-BRAF")
    (braf,) = [e for e in record["events"] if e["gene"] == "BRAF"]
    assert (braf["alteration"], braf["vaf"], braf["depth"]) == ("V600E", 0.4, 120)
    written = {p.parent.name for p in patients.glob("*/assignment.json")}
    assert written == {f"PLT-{i:03d}" for i in range(1, 15)} - {"PLT-003"}


@pytest.mark.bad_input
def test_a_structural_variant_vcf_in_the_vcf_column_through_the_workflow(
    tmp_path: Path, shared_data: Path
) -> None:
    """Issue 14: DELLY's VCF (GRCh37) given as PLT-003's small variants on a GRCh38 batch: the
    patient fails with both problems named at once (the kind of file and its build), the others
    and the summary are written."""
    sheet, _ = example_copy(tmp_path)
    shutil.copy(shared_data / "mskcc-vcf2maf" / "test_delly.vcf",
                tmp_path / "example" / "delly.vcf")  # fmt: skip
    set_cells(sheet, "PLT-003", vcf="../example/delly.vcf", vcf_sample="")
    proc = run_failing(tmp_path)
    assert proc.returncode != 0
    log = (tmp_path / "results" / "logs" / "patients" / "PLT-003.log").read_text()
    assert "2 problems with this patient's files" in log
    assert "this is a structural-variant VCF" in log
    assert "says GRCh37 but the patient's genome_build is GRCh38" in log
    patients = tmp_path / "results" / "patients"
    assert not (patients / "PLT-003" / "assignment.json").exists()
    assert len(list(patients.glob("*/assignment.json"))) == 13
    assert "PLT-003" in (tmp_path / "results" / "batch" / "summary.html").read_text()


@pytest.mark.bad_input
def test_a_corrected_input_with_an_older_mtime_still_recomputes(tmp_path: Path) -> None:
    """Issue 19: a corrected file restored with an old mtime (backup, cp -p, rsync) must not leave
    the old decision: the block reruns and the patient's fingerprint (content) recomputes it."""
    import gzip
    import json
    import os

    example_copy(tmp_path)
    args = ("--cores", "2", "--config", "samples=config/samples.tsv", "outdir=results")
    snakemake(tmp_path, *args)
    record = tmp_path / "results" / "patients" / "PLT-002" / "assignment.json"
    assert json.loads(record.read_text())["arm"] == "vemurafenib-BRAF"
    vcf = tmp_path / "example" / "vcf" / "PLT-002.vcf.gz"
    old = os.stat(vcf)
    lines = gzip.decompress(vcf.read_bytes()).decode().splitlines(keepends=True)
    kept = [x for x in lines if x.startswith("#") or "\t140753336\t" not in x]  # drop V600E
    assert len(kept) == len(lines) - 1
    import pysam

    plain = tmp_path / "plain.vcf"
    plain.write_text("".join(kept))
    pysam.tabix_compress(str(plain), str(vcf), force=True)
    os.utime(vcf, ns=(old.st_atime_ns, old.st_mtime_ns - 10**12))  # older than every output
    proc = snakemake(tmp_path, *args)
    assert "Nothing to be done" not in proc.stdout + proc.stderr
    after = json.loads(record.read_text())
    assert after["arm"] != "vemurafenib-BRAF"
    manifest = (tmp_path / "results" / "blocks" / "00001.tsv").read_text().splitlines()
    actions = {r.split("\t")[1]: r.split("\t")[2] for r in manifest[1:]}
    assert actions.pop("PLT-002") == "computed" and set(actions.values()) == {"reused"}


def test_a_review_file_signs_off_and_recomputes_only_its_patients(tmp_path: Path) -> None:
    """Issue 16: config `review` prints each sign-off on the report and in assignment.json; a
    changed row recomputes that patient only; an unknown patient stops the run at parse time."""
    import json

    example_copy(tmp_path)
    review = tmp_path / "review.tsv"
    review.write_text("patient_id\treviewer\tdate\tdecision\tarm\treason\n"
                      "PLT-001\tDr A\t2026-12-02\taccept\t\t\n")  # fmt: skip
    args = ("--cores", "2", "--config", "samples=config/samples.tsv", "outdir=results",
            f"review={review}")  # fmt: skip
    snakemake(tmp_path, *args)
    patients = tmp_path / "results" / "patients"
    signed = json.loads((patients / "PLT-001" / "assignment.json").read_text())["signoff"]
    assert (signed["status"], signed["reviewer"], signed["computed_arm"]) == (
        "signed", "Dr A", "almonertinib-EGFR")  # fmt: skip
    other = json.loads((patients / "PLT-002" / "assignment.json").read_text())["signoff"]
    assert other["status"] == "not yet reviewed"
    assert (
        "Signed off: accepted by Dr A (2026-12-02)"
        in (patients / "PLT-001" / "report.html").read_text()
    )
    before = (patients / "PLT-002" / "report.html").stat().st_mtime_ns
    review.write_text(review.read_text().replace("accept\t\t", "defer\t\tawaiting HER2 IHC"))
    snakemake(tmp_path, *args)
    manifest = (tmp_path / "results" / "blocks" / "00001.tsv").read_text().splitlines()
    actions = {r.split("\t")[1]: r.split("\t")[2] for r in manifest[1:]}
    assert actions.pop("PLT-001") == "computed" and set(actions.values()) == {"reused"}
    assert (patients / "PLT-002" / "report.html").stat().st_mtime_ns == before
    summary = (tmp_path / "results" / "batch" / "summary.html").read_text()
    assert "deferred by Dr A (2026-12-02)" in summary
    review.write_text(review.read_text() + "PLT-999\tDr B\t2026-12-02\taccept\t\t\n")
    proc = snakemake(tmp_path, *args, check=False)
    assert proc.returncode != 0
    assert f"{review}, line 3: review: patient PLT-999 is not in config/samples.tsv" in proc.stderr
