"""The batch dashboard at 1,000 patients in headless Chromium: load and filter time.

The example batch is run once (its 14 records reused under 1,000 ids); the dashboard is
rendered by ``armmatch.report.summary.summary_html`` and opened in Debian's Chromium
(Playwright). Baseline in the same browser: a static page of the same size (the same bytes in
a ``<pre>``, no script), loaded the same way. Prints both and the ratio; the filter time is
printed beside the same filter's no-op (an empty filter).

Usage: python bench/bench_summary.py [--patients 1000] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import atexit
import dataclasses
import html
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from armmatch.report.record import load_record
from armmatch.report.summary import summary_html
from armmatch.run.browser import browser

REPO = Path(__file__).resolve().parents[1]
FILTER = """(text) => { const f = document.getElementById('filter'); const t0 = performance.now();
  f.value = text; f.dispatchEvent(new Event('input')); return performance.now() - t0; }"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--patients", type=int, default=1000)
    ap.add_argument("--workdir", type=Path)
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="armmatch-summary-"))
    if args.workdir is None:  # the generated batch and its outputs go with the folder
        atexit.register(shutil.rmtree, work, ignore_errors=True)
    out = work / "example"
    snakemake = str(Path(sys.executable).with_name("snakemake"))
    subprocess.run(
        [
            snakemake,
            "--snakefile",
            str(REPO / "Snakefile"),
            "--directory",
            str(REPO),
            "--cores",
            "2",
            "--quiet",
            "all",
            "--config",
            f"outdir={out}",
        ],
        check=False,
        capture_output=True,
    )  # fmt: skip  (PLT-009 is incomplete)
    base = [load_record(p) for p in sorted((out / "patients").glob("*/assignment.json"))]
    records = [dataclasses.replace(base[i % len(base)], patient_id=f"B-{i:05d}")
               for i in range(args.patients)]  # fmt: skip
    page_path = work / "batch" / "summary.html"
    page_path.parent.mkdir(parents=True, exist_ok=True)
    text = summary_html(records)
    page_path.write_text(text, encoding="utf-8")
    static = work / "batch" / "static.html"
    static.write_text(f"<!doctype html><pre>{html.escape(text)}</pre>", encoding="utf-8")
    loads: dict[str, list[float]] = {"dashboard": [], "static": []}
    filters: dict[str, list[float]] = {"excluded": [], "": []}
    with browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 900})
        for _ in range(5):
            for name, path in (("dashboard", page_path), ("static", static)):
                page.goto(path.resolve().as_uri())
                loads[name].append(page.evaluate(
                    "performance.getEntriesByType('navigation')[0].loadEventEnd"))  # fmt: skip
            page.goto(page_path.resolve().as_uri())
            for word in filters:
                filters[word].append(page.evaluate(FILTER, word))
    dash, flat = statistics.median(loads["dashboard"]), statistics.median(loads["static"])
    hit, none = statistics.median(filters["excluded"]), statistics.median(filters[""])
    print(
        f"dashboard of {args.patients:,} patients ({len(text) / 1e6:.1f} MB): loads in "
        f"{dash:.0f} ms; a static page of the same bytes: {flat:.0f} ms; ratio {dash / flat:.2f}"
    )
    print(f"filter 'excluded' over {args.patients:,} rows: {hit:.0f} ms; clearing the filter: "
          f"{none:.0f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
