"""Screenshots for the README: python scripts/screenshots.py RESULTS OUT.

``report-page1.png``: page 1 of a patient report as printed (A4, through Chromium's PDF and
poppler's pdftoppm); ``report.png``: the report on screen; ``summary.png``: the batch dashboard.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from armmatch.run.browser import browser, check_page


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", type=Path, help="the workflow's outdir (e.g. results)")
    parser.add_argument("out", type=Path, help="folder for the PNG files")
    parser.add_argument("--patient", default="PLT-011", help="patient whose report to capture")
    args = parser.parse_args()
    report = args.results / "patients" / args.patient / "report.html"
    args.out.mkdir(parents=True, exist_ok=True)
    with browser() as b:
        shots = {"report.png": report, "summary.png": args.results / "batch" / "summary.html"}
        for name, html in shots.items():
            check = check_page(b, html, "h1", screenshot=args.out / name)
            if check.errors:
                print(f"{html}: {check.errors}")
                return 1
            print(f"{args.out / name}: {check.text}")
        page = b.new_page()
        page.goto(report.resolve().as_uri())
        with tempfile.TemporaryDirectory() as tmp:
            pdf = Path(tmp) / "report.pdf"
            page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
            stem = args.out / "report-page1"
            subprocess.run(["pdftoppm", "-r", "80", "-f", "1", "-l", "1", "-singlefile", "-png",
                            str(pdf), str(stem)], check=True)  # fmt: skip
        print(f"{stem}.png: page 1 of {report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
