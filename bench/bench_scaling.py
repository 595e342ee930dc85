"""No quadratic step: time per row of three inputs at two sizes, ten times apart.

* a CNVkit ``.cnr`` (bins) of 50,000 and 500,000 bins, read by armmatch's copy-number step
  (``detect_copy_number``: reading, purity-adjusted calls, the report's profile);
* an Arriba fusion file of 5,000 and 50,000 rows (``detect_fusions``);
* a sample sheet of 5,000 and 50,000 rows (``read_sample_sheet``, as Snakemake's parse does:
  every cell checked, every file's folder resolved).

Each is timed (median of 3) in this process; the figure is the time per row at both sizes and
their ratio (1.0: linear; a quadratic step would show 10). Exit status 1 when a ratio exceeds
``--max-ratio`` (default 2), unless --no-check.

Usage: python bench/bench_scaling.py [--small 1] [--workdir DIR] [--no-check]
"""

from __future__ import annotations

import argparse
import atexit
import dataclasses
import logging
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from armmatch.config import settings_from_config
from armmatch.genome import CONTIG_LENGTHS
from armmatch.readers.sample_sheet import read_sample_sheet
from armmatch.run.pipeline import detect_copy_number, detect_fusions, rule_set

REPO = Path(__file__).resolve().parents[1]
CHROMS = [(f"chr{i}", CONTIG_LENGTHS["GRCh38"][str(i)]) for i in range(1, 23)]
GENES = ["EGFR", "ALK", "EML4", "ROS1", "CD74", "MET", "KIT", "BRAF", "TP53", "KRAS", "MYC",
         "GAPDH", "ACTB", "TPM3", "NTRK1", "ETV6", "BCR", "ABL1", "FGFR2", "BICC1"]  # fmt: skip


def write_cnr(path: Path, bins: int) -> None:
    total = sum(length for _, length in CHROMS)
    rng = random.Random(bins)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("chromosome\tstart\tend\tgene\tlog2\tdepth\tweight\n")
        for chrom, length in CHROMS:
            n = max(1, bins * length // total)
            step = length // n
            for k in range(n):
                start = k * step
                fh.write(f"{chrom}\t{start}\t{start + step}\t-\t{rng.gauss(0, 0.15):.4f}\t"
                         f"{rng.uniform(150, 250):.2f}\t{rng.uniform(0.5, 1):.3f}\n")  # fmt: skip


def write_arriba(path: Path, rows: int) -> None:
    header = (REPO / "example" / "fusions" / "PLT-001.arriba.tsv").read_text().splitlines()[0]
    columns = header.lstrip("#").split("\t")
    rng = random.Random(rows)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(header + "\n")
        for k in range(rows):
            g5, g3 = rng.sample(GENES[9:], 2)  # partners outside the rule genes: nothing fires
            row = dict.fromkeys(columns, ".")
            row.update({
                "gene1": g5, "gene2": g3, "strand1(gene/fusion)": "+/+",
                "strand2(gene/fusion)": "+/+", "breakpoint1": f"1:{1_000_000 + k}",
                "breakpoint2": f"2:{2_000_000 + k}", "site1": "splice-site", "site2": "splice-site",
                "type": "translocation", "split_reads1": "5", "split_reads2": "5",
                "discordant_mates": "3", "confidence": "high", "reading_frame": "in-frame",
            })  # fmt: skip
            fh.write("\t".join(row[c] for c in columns) + "\n")


def write_sheet(folder: Path, rows: int) -> Path:
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    header = (REPO / "config" / "samples.tsv").read_text().splitlines()
    columns = header[0].split("\t")
    first = dict(zip(columns, header[1].split("\t"), strict=True))
    # each row's files are hard links to one copy per folder (never to the repository's
    # example files: a file takes at most 65,000 links on ext4)
    sources = {}
    for c in ("vcf", "cnv", "fusions"):
        example = (REPO / "config" / first[c]).resolve()
        sources[c] = data / f"source.{c}{''.join(example.suffixes)}"
        if not sources[c].exists():
            shutil.copyfile(example, sources[c])
    sheet = folder / "samples.tsv"
    with open(sheet, "w", encoding="utf-8") as fh:
        fh.write(header[0] + "\n")
        for k in range(rows):
            row = dict(first, patient_id=f"S{k:06d}")
            for col, src in sources.items():
                target = data / f"S{k:06d}.{col}{''.join(src.suffixes)}"
                if not target.exists():
                    os.link(src, target)
                row[col] = f"data/{target.name}"
            fh.write("\t".join(row[c] for c in columns) + "\n")
    return sheet


def median_time(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--small", type=float, default=1.0, help="scale every size by this factor")
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--max-ratio", type=float, default=2.0)
    ap.add_argument("--no-check", action="store_true")
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="armmatch-scaling-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.workdir is None:  # generated inputs of a temporary folder go with it
        atexit.register(shutil.rmtree, work, ignore_errors=True)
    rules = rule_set()
    settings = settings_from_config({"samples": "s.tsv"})
    base = read_sample_sheet(str(REPO / "config" / "samples.tsv"))[0]
    os.chdir(REPO)
    cases: list[tuple[str, str, list[tuple[int, Callable[[], object]]]]] = []

    def size(n: int) -> int:
        return max(10, int(n * args.small))

    def cnr_case(n: int) -> Callable[[], object]:
        path = work / f"bins{n}.cnr"
        if not path.exists():
            write_cnr(path, n)
        patient = dataclasses.replace(base, cnv=str(path), cnv_format="cnvkit")
        return lambda: detect_copy_number(patient, build="GRCh38", rules=rules, settings=settings)

    def fusion_case(n: int) -> Callable[[], object]:
        path = work / f"fusions{n}.arriba.tsv"
        if not path.exists():
            write_arriba(path, n)
        patient = dataclasses.replace(base, fusions=str(path), fusion_format="arriba")
        return lambda: detect_fusions(patient, rules=rules, settings=settings, build="GRCh38")

    def sheet_case(n: int) -> Callable[[], object]:
        sheet = write_sheet(work / f"sheet{n}", n)
        return lambda: read_sample_sheet(str(sheet), input_roots=[str(sheet.parent)])

    for name, unit, small, make in (("CNVkit .cnr", "bins", 50_000, cnr_case),
                                    ("Arriba fusions", "rows", 5_000, fusion_case),
                                    ("sample sheet", "rows", 5_000, sheet_case)):  # fmt: skip
        cases.append((name, unit, [(size(n), make(size(n))) for n in (small, small * 10)]))

    failures = []
    print(f"{'input':<16}{'size':>10}{'time':>10}{'per row':>12}   ratio (per row, large/small)")
    for name, unit, runs in cases:
        per_row = []
        for n, fn in runs:
            t = median_time(fn)
            per_row.append(t / n)
            print(f"{name:<16}{n:>10,}{t:>9.2f}s{t / n * 1e6:>9.2f} us  ({unit})")
        ratio = per_row[1] / per_row[0]
        print(f"{'':<16}{'':>10}{'':>10}{'':>12}   {ratio:.2f}")
        if ratio > args.max_ratio:
            failures.append(f"{name}: time per row grew {ratio:.2f}x from {runs[0][0]:,} to "
                            f"{runs[1][0]:,} {unit}")  # fmt: skip
    for f in failures:
        print("TARGET MISSED:", f)
    return 1 if failures and not args.no_check else 0


if __name__ == "__main__":
    sys.exit(main())
