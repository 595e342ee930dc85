"""Screenshots of one patient report and the batch summary: python scripts/screenshots.py RESULTS OUT."""

from __future__ import annotations

import argparse
from pathlib import Path

from armmatch.run.browser import browser, check_page


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", type=Path, help="the workflow's outdir (e.g. results)")
    parser.add_argument("out", type=Path, help="folder for the PNG files")
    parser.add_argument("--patient", default="PLT-011", help="patient whose report to capture")
    args = parser.parse_args()
    with browser() as b:
        shots = {
            "report.png": args.results / "patients" / args.patient / "report.html",
            "summary.png": args.results / "batch" / "summary.html",
        }
        for name, html in shots.items():
            check = check_page(b, html, "h1", screenshot=args.out / name)
            if check.errors:
                print(f"{html}: {check.errors}")
                return 1
            print(f"{args.out / name}: {check.text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
