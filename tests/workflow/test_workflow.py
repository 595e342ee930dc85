"""End-to-end: the real Snakemake workflow in a subprocess on copies of the example batch."""

from __future__ import annotations

import gzip
import json
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pysam
import pytest

from tests.conftest import REPO, load_script

pytestmark = pytest.mark.workflow

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
OUTPUTS = ("assignment.json", "events.tsv", "report.html")
SCHEMA = json.loads((REPO / "workflow" / "schemas" / "assignment.schema.json").read_text())

# Expected decision per example patient (see example/README.md for why).
EXPECTED: dict[str, tuple[str, str | None]] = {
    "PLT-001": ("targeted", "almonertinib-EGFR"),  # L858R (+ a FILTERed T790M)
    "PLT-002": ("targeted", "vemurafenib-BRAF"),
    "PLT-003": ("targeted", "pyrotinib-HER2-mut"),
    "PLT-004": ("targeted", "niraparib-BRCA"),
    "PLT-005": ("targeted", "alectinib-ALK"),
    "PLT-006": ("targeted", "crizotinib-MET-amp"),
    "PLT-007": ("excluded", None),  # CCDC6-RET beside a BRAF V600E
    "PLT-008": ("immunotherapy", "sintilimab-PD1"),
    "PLT-009": ("incomplete", None),  # BRAF V600E, no fusion calls
    "PLT-010": ("ineligible", None),  # C34 without a rare subtype
    "PLT-011": ("targeted", "almonertinib-EGFR"),  # exon 19 deletion before CDK4 amplification
    "PLT-012": ("targeted", "palbociclib-CDKN2A"),  # a VAF 0.01 V600E must not win
    "PLT-013": ("targeted", "crizotinib-MET-mut"),
    "PLT-014": ("ineligible", None),  # age 16
}


def snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    cmd = [SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the example batch (sheet + data) in a temporary working directory."""
    work = tmp_path_factory.mktemp("batch")
    shutil.copytree(REPO / "example", work / "example")
    (work / "config").mkdir()
    shutil.copy(REPO / "config" / "samples.tsv", work / "config" / "samples.tsv")
    return work


@pytest.fixture(scope="module")
def results(batch: Path) -> Path:
    snakemake(batch, "--cores", "2", "--config", "samples=config/samples.tsv", "outdir=results")
    return batch / "results"


def patient_ids() -> list[str]:
    lines = (REPO / "config" / "samples.tsv").read_text().splitlines()
    return [line.split("\t")[0] for line in lines[1:] if line and not line.startswith("#")]


def test_every_output_for_every_patient(results: Path) -> None:
    ids = patient_ids()
    assert len(ids) >= 10
    for pid in ids:
        for name in OUTPUTS:
            assert (results / "patients" / pid / name).stat().st_size > 0, (pid, name)
    rows = (results / "batch" / "assignments.tsv").read_text().splitlines()
    assert [r.split("\t")[0] for r in rows[1:]] == sorted(ids)
    assert "armmatch batch summary" in (results / "batch" / "summary.html").read_text()


@pytest.mark.parametrize("pid", sorted(EXPECTED))
def test_expected_decision(results: Path, pid: str) -> None:
    record = json.loads((results / "patients" / pid / "assignment.json").read_text())
    status, arm = EXPECTED[pid]
    assert (record["status"], record["arm"]) == (status, arm), record["status_reason"]


def test_reasons_a_board_relies_on(results: Path) -> None:
    def record(pid: str) -> dict:  # type: ignore[type-arg]
        return json.loads((results / "patients" / pid / "assignment.json").read_text())

    p1 = record("PLT-001")
    t790m = [e for e in p1["events"] if e["alteration"] == "T790M"]
    assert (
        t790m
        and t790m[0]["status"] == "filtered"
        and "FILTER=weak_evidence" in t790m[0]["status_reason"]
    )
    p11 = {a["arm_id"]: a["verdict"] for a in record("PLT-011")["arms"]}
    assert p11["palbociclib-CDK4"] == "lower priority"
    p9 = record("PLT-009")
    assert p9["candidate_arm"] == "vemurafenib-BRAF"
    p9_arms = {a["arm_id"]: a for a in p9["arms"]}
    assert p9_arms["alectinib-ALK"]["verdict"] == "not assessed"
    assert p9_arms["vemurafenib-BRAF"]["verdict"] == "not assessed"  # candidate, pending fusions
    assert "V600E" in p9_arms["sintilimab-PD1"]["reason"]
    assert any(m["item"] == "RET fusion" for m in p9["missing"])
    p7 = record("PLT-007")
    assert [x["arm_id"] for x in p7["exclusions"] if x["verdict"] == "molecular exclusion"] == [
        "exclusion-RET"
    ]
    p12 = record("PLT-012")
    v600e = [e for e in p12["events"] if e["alteration"] == "V600E"]
    assert v600e and v600e[0]["status"] == "filtered" and "min_vaf" in v600e[0]["status_reason"]
    p10 = record("PLT-010")
    assert "C34" in p10["status_reason"] and "rare subtype" in p10["status_reason"]
    events = (results / "patients" / "PLT-001" / "events.tsv").read_text().splitlines()
    assert events[0].split("\t")[:4] == ["event_id", "gene", "category", "alteration"]
    html = (results / "patients" / "PLT-001" / "report.html").read_text()
    assert "TARGETED: almonertinib-EGFR" in html and "110 mg qd" in html and "2026.12-2" in html


def test_jsonl_for_lims_holds_every_record_under_the_schema(results: Path) -> None:
    lines = (results / "batch" / "assignments.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["patient_id"] for r in records] == sorted(patient_ids())
    for r in records:
        jsonschema.validate(r, SCHEMA)
        assert r == json.loads(
            (results / "patients" / r["patient_id"] / "assignment.json").read_text()
        )


def test_assignments_follow_the_published_schema(results: Path) -> None:
    for pid in patient_ids():
        record = json.loads((results / "patients" / pid / "assignment.json").read_text())
        jsonschema.validate(record, SCHEMA)
        assert record["provenance"]["rule_set"]["version"] == "2026.12-2"
        assert all(len(i["sha256"]) == 64 for i in record["provenance"]["inputs"])


def test_example_covers_every_status(results: Path) -> None:
    statuses = set()
    arms = set()
    for pid in patient_ids():
        record = json.loads((results / "patients" / pid / "assignment.json").read_text())
        statuses.add(record["status"])
        if record["status"] == "targeted":
            arms.add(record["arm"])
    assert statuses == {"targeted", "immunotherapy", "excluded", "ineligible", "incomplete"}
    assert len(arms) >= 4


def test_rerun_into_another_folder_is_byte_identical(batch: Path, results: Path) -> None:
    snakemake(batch, "--cores", "2", "--config", "samples=config/samples.tsv", "outdir=again")
    first = sorted(p.relative_to(results) for p in (results / "patients").rglob("*") if p.is_file())
    first += sorted(p.relative_to(results) for p in (results / "batch").rglob("*") if p.is_file())
    assert first
    for rel in first:
        assert (results / rel).read_bytes() == (batch / "again" / rel).read_bytes(), rel


def test_nothing_to_do_after_a_complete_run(batch: Path, results: Path) -> None:
    proc = snakemake(batch, "-n", "--config", "samples=config/samples.tsv", "outdir=results")
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_dry_run_and_lint_from_the_repository(tmp_path: Path) -> None:
    proc = subprocess.run([SNAKEMAKE, "-n", "--config", f"outdir={tmp_path}/r"], cwd=REPO,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lint = load_script("lint_workflow")
    code, kinds, text = lint.lint_kinds(f"{tmp_path}/r")
    # the only lint is the documented one (README, "Development")
    assert lint.problems(code, kinds, text) == []
    assert kinds == set(lint.ALLOWED), "the documented conda lint is expected for every rule"
    # the check itself can fail: another lint, or an exit that is no lint verdict
    assert lint.problems(1, {*kinds, "* Mixed rules and functions in same snakefile.:"}, "")
    assert lint.problems(0, kinds, "") and lint.problems(2, set(), "")


def test_a_block_with_a_streamed_whole_genome_vcf_asks_for_two_threads(tmp_path: Path) -> None:
    """A block with a bgzip VCF of 8 MB or more that is streamed asks Snakemake for two threads
    (its blocks are inflated beside the text checks); panel blocks one; --cores 1 wins."""
    text = (REPO / "config" / "samples.tsv").read_text().replace("../example/", f"{REPO}/example/")
    lines = text.splitlines()
    columns = lines[0].split("\t")
    row = dict(zip(columns, lines[1].split("\t"), strict=True))
    with gzip.open(row["vcf"], "rt") as fh:
        first, rest = fh.read().split("\n", 1)
    # the first patient's VCF behind 17 MB of header lines that compress only to half
    rng = random.Random(5)
    pad = "".join(f"##pad{i}={rng.randbytes(140_000).hex()}\n" for i in range(60))
    plain = tmp_path / "big.vcf"
    plain.write_text(first + "\n" + pad + rest)
    big = tmp_path / "big.vcf.gz"
    pysam.tabix_compress(str(plain), str(big), force=True)
    assert big.stat().st_size > 8 << 20
    row["vcf"] = str(big)
    lines[1] = "\t".join(row[c] for c in columns)
    sheet = tmp_path / "samples.tsv"
    sheet.write_text("\n".join(lines) + "\n")

    def plan(cores: str) -> str:
        proc = subprocess.run([SNAKEMAKE, "-n", "--cores", cores, "--config", f"samples={sheet}",
                               f"outdir={tmp_path}/r", "patients_per_job=1"], cwd=REPO,
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        return proc.stdout + proc.stderr

    jobs = plan("2").split("rule assess_block:")[1:]
    assert len(jobs) == len(lines) - 1
    two = [j for j in jobs if "threads: 2" in j.split("\n\n", 1)[0]]
    assert len(two) == 1 and "block=00001" in two[0]
    assert "threads: 2" not in plan("1")


# --- bad input: one clear message naming the file and patient; no outputs ----------------------


def _sheet(batch: Path, tmp_path: Path, edit: str, old: str, new: str) -> Path:
    """A copy of the example sheet in tmp_path with one edit; paths point at the batch copy."""
    text = (REPO / "config" / "samples.tsv").read_text()
    text = text.replace("../example/", f"{batch}/example/")
    if edit == "header":
        lines = text.splitlines()
        lines[0] = lines[0].replace(old, new)
        text = "\n".join(lines) + "\n"
    else:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "samples.tsv"
    path.write_text(text)
    return path


def _run_bad(tmp_path: Path, sheet: Path, patient: str | None = None) -> str:
    """Run on a bad sheet: it must fail; with ``patient`` (a job-time error) that patient has no
    assignment, otherwise (a parse-time error) no assignment exists at all."""
    proc = snakemake(
        tmp_path,
        "--cores",
        "1",
        "--config",
        f"samples={sheet}",
        "outdir=out",
        f"input_roots=[{tmp_path.parent}]",  # the sheet's paths point at the batch copy
        check=False,
    )
    assert proc.returncode != 0
    if patient is None:
        assert not list((tmp_path / "out").rglob("assignment.json"))
    else:
        assert not (tmp_path / "out" / "patients" / patient / "assignment.json").exists()
        # the batch summary lists the failed patient; the run's verdict (complete.txt) is absent
        summary = (tmp_path / "out" / "batch" / "summary.html").read_text()
        assert patient in summary.split("<h2>Needs attention</h2>", 1)[1].split("<h2>", 1)[0]
        assert not (tmp_path / "out" / "batch" / "complete.txt").exists()
    return proc.stdout + proc.stderr


def test_missing_file_is_named_before_any_job(batch: Path, tmp_path: Path) -> None:
    first = patient_ids()[0]
    sheet = _sheet(batch, tmp_path, "row", f"{first}.vcf.gz", "does-not-exist.vcf.gz")
    out = _run_bad(tmp_path, sheet)
    assert f"(patient {first}): vcf file" in out and "does not exist" in out
    assert not (tmp_path / "out").exists()


def test_unknown_column_is_named(batch: Path, tmp_path: Path) -> None:
    sheet = _sheet(batch, tmp_path, "header", "ploidy", "ploidie")
    out = _run_bad(tmp_path, sheet)
    assert f"{sheet}, line 1: unknown column 'ploidie' (did you mean 'ploidy'?)" in out


def test_duplicate_patient_is_named(batch: Path, tmp_path: Path) -> None:
    first, second = patient_ids()[:2]
    sheet = _sheet(batch, tmp_path, "row", f"\n{second}\t", f"\n{first}\t")
    out = _run_bad(tmp_path, sheet)
    assert f"line 3 (patient {first}): duplicate patient_id (first on line 2)" in out


def test_a_batch_whose_every_patient_fails_still_ends_with_its_verdict(
    batch: Path, tmp_path: Path
) -> None:
    """One patient, and its VCF starts with a byte-order mark: the exchange-formats job wrote no
    cBioPortal folder for zero records and the run ended in Snakemake's MissingOutputException
    instead of the batch's list of failed patients."""
    import gzip

    first = patient_ids()[0]
    marked = tmp_path / "marked.vcf"
    marked.write_bytes(
        b"\xef\xbb\xbf"
        + gzip.decompress((batch / "example" / "vcf" / f"{first}.vcf.gz").read_bytes())
    )
    sheet = _sheet(batch, tmp_path, "row", "", "")
    header, row = sheet.read_text().splitlines()[:2]
    sheet.write_text(
        f"{header}\n{row.replace(f'{batch}/example/vcf/{first}.vcf.gz', str(marked))}\n"
    )
    out = _run_bad(tmp_path, sheet, patient=first)
    assert "MissingOutputException" not in out
    assert "1 patient(s) failed and have no assignment" in out
    assert (
        f"{marked}, line 1 (patient {first}): the file starts with a UTF-8 byte-order mark" in out
    )
    batch_dir = tmp_path / "out" / "batch"
    assert not list((batch_dir / "cbioportal").glob("*/"))  # no study (Snakemake's timestamp only)
    assert not list((batch_dir / "fhir").glob("*.json"))
    assert (batch_dir / "assignments.tsv").read_text().count("\n") == 1  # the header alone


def test_vcf_without_the_named_sample(batch: Path, tmp_path: Path) -> None:
    first = patient_ids()[0]
    sheet = _sheet(batch, tmp_path, "row", "\tTUMOR\t", "\tTUMOUR_1\t")
    # a job-time error: other patients' jobs may finish first (each output is whole), but the
    # failing patient gets no evidence and no assignment
    out = _run_bad(tmp_path, sheet, patient=first)
    assert (
        f"(patient {first}): vcf_sample 'TUMOUR_1' is not in the VCF (its samples: TUMOR, NORMAL)"
        in out
    )


def test_wrong_genome_build_for_the_coordinates(batch: Path, tmp_path: Path) -> None:
    sheet = _sheet(batch, tmp_path, "row", "", "")
    # --keep-going: every job runs, so the VCF's own message is shown whichever job fails first
    proc = snakemake(tmp_path, "--cores", "1", "--keep-going", "--config", f"samples={sheet}", "outdir=out",
                     "genome_build=GRCh37", f"input_roots=[{batch}]", check=False)  # fmt: skip
    assert proc.returncode != 0
    assert "says GRCh38 but the patient's genome_build is GRCh37" in proc.stdout + proc.stderr
    assert not list((tmp_path / "out").rglob("assignment.json"))


# --- in a real browser: headless Debian chromium ------------------------------------------------


def test_reports_render_in_headless_chromium(results: Path) -> None:
    from armmatch.run.browser import browser, check_page, chromium_path

    assert chromium_path(), "chromium is missing: `make test` installs Debian's chromium package"
    with browser() as b:
        report = check_page(b, results / "patients" / "PLT-001" / "report.html", "#decision")
        assert "TARGETED: almonertinib-EGFR" in report.text and "110 mg qd" in report.text
        assert report.errors == []
        excluded = check_page(b, results / "patients" / "PLT-007" / "report.html", "#decision")
        assert excluded.text.startswith("EXCLUDED") and "RET" in excluded.text
        summary = check_page(b, results / "batch" / "summary.html", "h1")
        assert summary.text == "armmatch batch summary"
        assert summary.errors == []
        page = b.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((results / "batch" / "summary.html").resolve().as_uri())
        page.fill("#filter", "excluded")
        visible = [r for r in page.locator("#patients tbody tr").all() if r.is_visible()]
        assert [r.locator("td").first.inner_text() for r in visible] == ["PLT-007"]
        page.fill("#filter", "")
        page.locator("#patients th", has_text="status").click()
        first = page.locator("#patients tbody tr").first.locator("td").nth(2).inner_text()
        assert first == "excluded"  # alphabetical: excluded < immunotherapy < incomplete < ...
        assert errors == []
        page.goto((results / "patients" / "PLT-011" / "report.html").resolve().as_uri())
        pdf = page.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2  # prints to A4 pages
        page.close()


def test_snakemake_report_holds_patient_reports_and_summary(batch: Path, results: Path) -> None:
    snakemake(
        batch,
        "--report",
        "smk-report.zip",
        "--config",
        "samples=config/samples.tsv",
        "outdir=results",
    )
    import zipfile

    with zipfile.ZipFile(batch / "smk-report.zip") as z:
        names = z.namelist()
        index = next(
            z.read(n).decode() for n in names if n.endswith("/report.html") and "/data/" not in n
        )
    patient_reports = [n for n in names if "/data/raw/" in n and re.search(r"PLT-\d+~", n)]
    assert len(patient_reports) == len(patient_ids()), names
    assert len([n for n in names if n.endswith("/summary.html")]) == 1
    assert "PLT-001" in index  # patient labels and captions travel into the report
    # the patient list shows each report's status and arm (issue 16)
    assert any(n.endswith("PLT-001~targeted~almonertinib-EGFR.html") for n in patient_reports)
    assert any(n.endswith("PLT-010~ineligible~none.html") for n in patient_reports)
    assert "almonertinib-EGFR" in index and "ineligible" in index


def test_responses_table_drives_resistance_and_monitoring(batch: Path, results: Path) -> None:
    responses = batch / "responses.tsv"
    responses.write_text(
        "patient_id\tarm_id\tfirst_dose_date\tassessment_date\tresponse\tconfirmed\tnext_treatment_date\n"
        "PLT-001\talmonertinib-EGFR\t2026-01-05\t2026-02-20\tPD\t\t\n"
        "PLT-002\tvemurafenib-BRAF\t2026-01-10\t2026-03-01\tPR\tyes\t\n"
        "PLT-002\tvemurafenib-BRAF\t2026-01-10\t2026-09-10\tPD\t\t\n"
    )
    snakemake(batch, "--cores", "2", "--config", "samples=config/samples.tsv", "outdir=results",
              f"responses={responses}")  # fmt: skip
    html = (results / "batch" / "summary.html").read_text()
    assert "Simon two-stage monitoring" in html and "Resistance and next step" in html
    assert "primary" in html and "sintilimab-PD1" in html
    assert "vemurafenib-PD1-combination" in html
    # per-patient outputs are not redone for a batch-level input
    assert (
        results / "patients" / "PLT-001" / "assignment.json"
    ).stat().st_mtime < responses.stat().st_mtime
