"""The patient report as a tumour board prints it (issue 16): page 1 is the decision and its
evidence, the appendix starts on a new page, every A4 page names the patient and says
"page N of M", and the screen layout has no horizontal overflow at 1,280 px.

The example batch is run once for the module; each report is printed by headless Chromium
(Playwright, Debian's package) and read back with poppler's pdftotext and pdfinfo.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.cbioportal_check import check_study
from tests.unit.test_matchminer import SCHEMA as CTML_SCHEMA
from tests.workflow.test_workflow import snakemake

pytestmark = pytest.mark.workflow

CASES = {
    "PLT-001": ("TARGETED: almonertinib-EGFR", ["c.2573T>G p.L858R on NM_005228.5 (MANE Select)",
                                                "counts for almonertinib-EGFR (rule EGFR-L858R",
                                                "VAF 0.340"]),
    "PLT-008": ("IMMUNOTHERAPY: sintilimab-PD1", ["No actionable alteration"]),
    "PLT-007": ("EXCLUDED", ["CCDC6", "counts for exclusion-RET"]),
    "PLT-009": ("INCOMPLETE: no arm assigned", ["counts for vemurafenib-BRAF", "no fusion calls"]),
}  # fmt: skip


RUN: dict[str, str] = {}


def _squeezed(text: str) -> str:
    """Text without spaces and hyphens: cells wrap (and hyphenate) differently in print."""
    return re.sub(r"[\s\-]", "", text)


def _pages(pdf: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    count = int(next(x for x in info.stdout.splitlines() if x.startswith("Pages:")).split()[1])
    return [
        subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"],
                       capture_output=True, text=True, check=True).stdout
        for i in range(1, count + 1)
    ]  # fmt: skip


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list[str], str]]:
    """Per case: the report, its printed pages' text and pdfinfo's page-size line."""
    if shutil.which("pdftotext") is None or shutil.which("chromium") is None:
        pytest.fail("chromium and poppler-utils are needed (make chromium installs both)")
    from armmatch.run.browser import browser

    work = tmp_path_factory.mktemp("print")
    proc = snakemake(Path.cwd(), "--cores", "2", "--config", f"outdir={work / 'results'}")
    RUN["output"] = proc.stdout + proc.stderr
    RUN["outdir"] = str(work / "results")
    out: dict[str, tuple[Path, list[str], str]] = {}
    with browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 900})
        for pid in CASES:
            html = work / "results" / "patients" / pid / "report.html"
            page.goto(html.resolve().as_uri())
            pdf = work / f"{pid}.pdf"
            page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
            info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
            size = next(x for x in info.splitlines() if x.startswith("Page size:"))
            out[pid] = (html, _pages(pdf), size)
    return out


@pytest.mark.parametrize("pid", list(CASES))
def test_page_one_is_the_decision_and_its_evidence(
    printed: dict[str, tuple[Path, list[str], str]], pid: str
) -> None:
    decision, evidence = CASES[pid]
    first = _squeezed(printed[pid][1][0])
    assert _squeezed(decision) in first
    assert _squeezed("Evidence for this decision") in first and "Notassessed" in first
    for words in evidence:
        assert _squeezed(words) in first, (pid, words)
    # the appendix (every arm, provenance) is not on page 1
    assert "Every arm" not in first and "Provenance" not in first


@pytest.mark.parametrize("pid", list(CASES))
def test_printed_pages_are_a4_with_patient_and_page_numbers(
    printed: dict[str, tuple[Path, list[str], str]], pid: str
) -> None:
    _, pages, size = printed[pid]
    assert "(A4)" in size, size
    assert len(pages) >= 2
    for n, text in enumerate(pages, 1):
        assert f"Patient {pid}" in text, (pid, n)
        assert f"page {n} of {len(pages)}" in text, (pid, n)
    # the appendix starts a new page: its heading opens the page that holds it
    (start,) = [n for n, text in enumerate(pages) if "Appendix" in text.split("Every arm")[0]]
    assert start >= 1 and "Eligibility (protocol Table 2)" in pages[start]


def test_no_horizontal_overflow_at_1280_px(
    printed: dict[str, tuple[Path, list[str], str]],
) -> None:
    from armmatch.run.browser import browser

    with browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 900})
        for pid, (html, _, _) in printed.items():
            page.goto(html.resolve().as_uri())
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= 1280, (pid, wide)


LINE = "14 patients: 9 targeted, 1 immunotherapy, 1 excluded, 2 ineligible; 1 need attention (1 incomplete)"


def test_end_of_run_line_and_progress_per_patient(
    printed: dict[str, tuple[Path, list[str], str]],
) -> None:
    """The run ends with the batch line on stdout and in the Snakemake log; each block's log
    says which patient of how many it is on; every exchange format is written and valid."""
    assert f"armmatch: {LINE}" in RUN["output"]
    outdir = Path(RUN["outdir"])
    assert (outdir / "batch" / "complete.txt").read_text() == LINE + "\n"
    # one FHIR R4 Genomics Reporting bundle per patient (rule exchange_formats, on by default)
    from fhir.resources.R4B.bundle import Bundle

    bundles = sorted((outdir / "batch" / "fhir").glob("*.json"))
    assert [b.stem for b in bundles] == [f"PLT-{i:03d}" for i in range(1, 15)]
    for bundle in bundles:
        Bundle.model_validate_json(bundle.read_text())
    # the other exchange formats, each checked by its independent validator
    study = outdir / "batch" / "cbioportal" / "grch38"
    assert check_study(study) == []
    trial = json.loads((outdir / "batch" / "matchminer" / "platform.ctml.json").read_text())
    jsonschema.validate(trial, CTML_SCHEMA)
    assert len(list((outdir / "batch" / "matchminer" / "clinical").glob("*.json"))) == 14
    mqc = subprocess.run([str(Path(sys.executable).with_name("multiqc")), str(outdir / "batch"),
                          "-o", str(outdir / "multiqc"), "--no-version-check", "--no-ai"],
                         capture_output=True, text=True, check=False)  # fmt: skip
    assert mqc.returncode == 0 and "armmatch: Found 14 samples" in mqc.stdout + mqc.stderr
    block_log = (outdir / "logs" / "blocks" / "00001.log").read_text()
    for n in (1, 7, 14):
        assert f"patient {n} of 14 in block 00001: PLT-{n:03d}" in block_log


def test_summary_links_open_the_patient_reports(
    printed: dict[str, tuple[Path, list[str], str]],
) -> None:
    from armmatch.run.browser import browser

    summary = Path(RUN["outdir"]) / "batch" / "summary.html"
    with browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 900})
        page.goto(summary.resolve().as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        page.locator("#patients a", has_text="PLT-007").click()
        page.wait_for_load_state()
        assert page.url.endswith("/patients/PLT-007/report.html")
        assert page.locator("h1").inner_text() == "Patient PLT-007"


def test_summary_at_1000_patients_pages_and_filters(
    printed: dict[str, tuple[Path, list[str], str]], tmp_path: Path
) -> None:
    """1,000 patients (the example's records under new ids): 100 rows a page, the filter runs
    over all of them (how long both take is measured by bench/bench_summary.py, not here)."""
    import dataclasses

    from armmatch.report.record import load_record
    from armmatch.report.summary import summary_html
    from armmatch.run.browser import browser

    base = [
        load_record(p) for p in sorted((Path(RUN["outdir"]) / "patients").glob("*/assignment.json"))
    ]
    records = [
        dataclasses.replace(base[i % len(base)], patient_id=f"B-{i:04d}") for i in range(1000)
    ]
    excluded = sum(r.status == "excluded" for r in records)
    html = tmp_path / "batch" / "summary.html"
    html.parent.mkdir()
    html.write_text(summary_html(records))
    with browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 900})
        page.goto(html.resolve().as_uri())
        assert page.locator("#page-info").inner_text().strip() == (
            "page 1 of 10 (1000 of 1000 patients)")  # fmt: skip
        visible = "Array.from(document.querySelectorAll('#patients tbody tr'))" \
                  ".filter(r => r.style.display !== 'none').length"  # fmt: skip
        assert page.evaluate(visible) == 100
        page.fill("#filter", "excluded")
        assert page.evaluate(visible) == min(100, excluded)
        assert f"({excluded} of 1000 patients)" in page.locator("#page-info").inner_text()
        assert page.locator("#pager button", has_text="next").is_disabled()  # one page only
        page.fill("#filter", "")
        page.locator("#pager button", has_text="next").click()
        assert page.locator("#page-info").inner_text().strip().startswith("page 2 of 10")
        first = page.evaluate("Array.from(document.querySelectorAll('#patients tbody tr'))"
                              ".find(r => r.style.display !== 'none').cells[0].innerText")  # fmt: skip
        assert first == "B-0100"


def _overlaps(boxes: list[list[float]]) -> list[tuple[str, str]]:
    """Pairs of text boxes ``[text, left, top, right, bottom]`` that intersect."""
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]:
                out.append((str(a[0]), str(b[0])))
    return out


def test_copy_number_profile_is_drawn_without_overlapping_labels(
    printed: dict[str, tuple[Path, list[str], str]],
) -> None:
    from armmatch.run.browser import browser

    script = """(sel) => Array.from(document.querySelectorAll(sel + ' text')).map(t => {
        const r = t.getBoundingClientRect(); return [t.textContent, r.left, r.top, r.right, r.bottom]; })"""
    with browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 900})
        for pid in ("PLT-006", "PLT-012", "PLT-001"):
            page.goto((Path(RUN["outdir"]) / "patients" / pid / "report.html").resolve().as_uri())
            assert page.locator("#cn-profile svg").count() == 1, pid
            for sel in ("#cn-profile", "#cn-genes", "#vaf"):
                boxes = page.evaluate(script, sel)
                assert _overlaps(boxes) == [], (pid, sel)
            labels = [b[0] for b in page.evaluate(script, "#cn-profile")]
            for words in ("amplification 6", "homozygous deletion 0.5", "MET", "CDKN2A", "X"):
                # a gene label's text ends with its name (its <title> comes first)
                assert any(label.endswith(words) for label in labels), (pid, words)
