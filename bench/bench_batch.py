"""Batch-scale benchmark: 1,000 panel-size patients end to end, a 10,000-patient dry run, and a
rerun after adding one patient.

Every figure is printed beside a baseline measured in the same run:

* the 1,000-patient run (``snakemake --cores 2``, patients in blocks of ``patients_per_job``)
  against the pure work (the same patients assessed in one Python loop, no Snakemake) and
  against a minimal Snakefile with one do-nothing job per patient (what Snakemake alone costs
  when every patient is its own job);
* the Python start-up a per-patient process would pay (interpreter + armmatch imports), which
  blocks pay once per block;
* the 10,000-patient dry run against the minimal Snakefile's dry run with one job per patient;
* the rerun after adding one patient against a run with nothing to do.

Usage: python bench/bench_batch.py [--patients 1000] [--dry-patients 10000] [--workdir DIR]
Exit status 1 when a target is missed (1,000 patients > 300 s, dry run > 30 s, a rerun that
runs more than the new patient's job and the batch summary), unless --no-check.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
SNAKEMAKE = str(Path(PYTHON).with_name("snakemake"))
FILLER_RECORDS = 300  # a panel VCF: the example's target records plus off-target calls
CHROM_LENGTHS = {f"chr{i}": 40_000_000 for i in range(1, 23)}


def example_rows() -> list[dict[str, str]]:
    with open(REPO / "config" / "samples.tsv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def panel_vcf_text(example_vcf: Path, seed: int) -> str:
    """The example VCF's header and records plus off-target calls, sorted by position."""
    with gzip.open(example_vcf, "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    header = [x for x in lines if x.startswith("#")]
    records = [x.split("\t") for x in lines if x and not x.startswith("#")]
    n_samples = len(header[-1].split("\t")) - 9
    sample = "0/1:180,20:0.1:200"
    for k in range(FILLER_RECORDS):
        chrom = f"chr{(k + seed) % 22 + 1}"
        pos = 1_000_000 + ((k * 7919 + seed * 104_729) % 30_000_000)
        records.append(
            [chrom, str(pos), ".", "A", "G", ".", "PASS", "DP=400", "GT:AD:AF:DP"]
            + [sample] * n_samples
        )
    order = {f"chr{i}": i for i in range(1, 23)} | {"chrX": 23, "chrY": 24, "chrM": 25}
    records.sort(key=lambda r: (order.get(r[0], 99), int(r[1])))
    return "\n".join(header + ["\t".join(r) for r in records]) + "\n"


def make_batch(folder: Path, n: int, *, link_from: Path | None = None) -> Path:
    """A sheet of ``n`` patients, each with its own VCF, CNV and fusion file.

    With ``link_from`` (an existing batch), files are hard links to that batch's files (distinct
    paths, no copying): enough for a dry run, which only needs the files to exist.
    """
    rows = example_rows()
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    out_rows = []
    for i in range(n):
        row = dict(rows[i % len(rows)])
        pid = f"P{i:05d}"
        row["patient_id"] = pid
        for col, suffix in (("vcf", ".vcf"), ("cnv", ".cns"), ("fusions", ".fusions.tsv")):
            if not row.get(col):
                continue
            target = data / f"{pid}{suffix}"
            if not target.exists():
                source = link_from / "data" / f"P{i % len(rows):05d}{suffix}" if link_from else None
                if source is not None and source.exists():
                    os.link(source, target)
                elif col == "vcf":
                    target.write_text(panel_vcf_text(REPO / "config" / row[col], i), "utf-8")
                else:
                    shutil.copyfile(REPO / "config" / row[col], target)
            row[col] = f"data/{target.name}"
        out_rows.append(row)
    sheet = folder / "samples.tsv"
    with open(sheet, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(out_rows)
    return sheet


def timed(cmd: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"command failed: {' '.join(cmd)}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return elapsed, proc.stdout + proc.stderr


_RSS = (
    "import resource, subprocess, sys; rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
    "stderr=subprocess.DEVNULL).returncode; print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def timed_rss(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one command, measured by a fresh Python
    parent (its only child is the command, so RUSAGE_CHILDREN's peak is the command's)."""
    start = time.perf_counter()
    proc = subprocess.run([PYTHON, "-c", _RSS, *cmd], cwd=cwd, capture_output=True, text=True,
                          check=True)  # fmt: skip
    elapsed = time.perf_counter() - start
    rc, kib = proc.stdout.split()
    if rc != "0":
        sys.exit(f"command failed ({rc}): {' '.join(cmd)}")
    return elapsed, int(kib) / 1024


def armmatch_cmd(sheet: Path, outdir: Path, *extra: str, quiet: bool = True) -> list[str]:
    return [
        SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--cores", "2",
        *(["--quiet", "all"] if quiet else []),
        "--config", f"samples={sheet}", f"outdir={outdir}", *extra,
    ]  # fmt: skip


TRIVIAL = """
N = int(config["count"])
rule all:
    input: expand("out/{i}/a", i=range(N))
rule one:
    output: [f"out/{{i}}/{x}" for x in "abcdef"]
    log: "logs/{i}.log"
    run:
        for path in [*output, *log]:
            with open(path, "w") as fh:
                fh.write(wildcards.i)
"""


def trivial_cmd(folder: Path, n: int, *extra: str) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Snakefile").write_text(TRIVIAL, encoding="utf-8")
    return [
        SNAKEMAKE, "--snakefile", str(folder / "Snakefile"), "--directory", str(folder),
        "--cores", "2", "--force-use-threads", "--quiet", "all", "--config", f"count={n}", *extra,
    ]  # fmt: skip


def in_process_work(sheet: Path, scratch: Path) -> float:
    """Seconds to assess every patient of ``sheet`` in one Python loop (no Snakemake)."""
    code = f"""
import time
from armmatch.config import validate_config
from armmatch.run.blocks import PATIENT_FILES
from armmatch.run.pipeline import assess_patient, rule_set
from armmatch.run.steps import settings
from armmatch.io import write_text_atomic
from armmatch.readers.sample_sheet import read_sample_sheet
import yaml, os
cfg = validate_config(yaml.safe_load(open({str(REPO / "config" / "config.yaml")!r})))
s = settings(cfg)
rules = rule_set()
patients = read_sample_sheet({str(sheet)!r})
start = time.perf_counter()
for p in patients:
    texts = assess_patient(p, build=p.genome_build or "GRCh38", rules=rules, settings=s,
                           sheet={str(sheet)!r}).texts
    d = os.path.join({str(scratch)!r}, p.patient_id)
    os.makedirs(d, exist_ok=True)
    for name in PATIENT_FILES:
        write_text_atomic(os.path.join(d, name), texts[name])
print(time.perf_counter() - start)
"""
    proc = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True)
    return float(proc.stdout.strip().splitlines()[-1])


def startup_seconds(repeats: int = 5) -> float:
    """Median wall time of a fresh Python process importing what a patient job needs."""
    imports = "import armmatch.run.pipeline, armmatch.report.html, armmatch.calling.small_variants, armmatch.calling.copy_number, armmatch.calling.fusions"
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([PYTHON, "-c", imports], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def job_counts(dry_run_output: str) -> dict[str, int]:
    """Job stats of a ``snakemake -n`` output: rule -> count."""
    counts: dict[str, int] = {}
    for m in re.finditer(r"^(\w+)\s+(\d+)$", dry_run_output, flags=re.M):
        if m.group(1) != "total":
            counts[m.group(1)] = int(m.group(2))
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, default=1000)
    ap.add_argument("--dry-patients", type=int, default=10000)
    ap.add_argument("--large", type=int, default=10000, help="patients of the end-to-end run")
    ap.add_argument(
        "--memory-patients", type=int, default=50000, help="patients of the memory dry run"
    )
    ap.add_argument("--workdir", type=Path, default=REPO / "bench" / ".cache" / "batch")
    ap.add_argument("--no-check", action="store_true")
    args = ap.parse_args(argv)
    n, n_dry = args.patients, args.dry_patients
    work = args.workdir.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    failures: list[str] = []
    rows: list[tuple[str, str, str, str]] = []

    def row(what: str, value: float, baseline_name: str, baseline: float) -> None:
        rows.append((what, f"{value:8.2f} s", f"{baseline_name} {baseline:.2f} s",
                     f"{value / baseline:6.2f}x"))  # fmt: skip

    t0 = time.perf_counter()
    sheet = make_batch(work / "run", n)
    print(f"generated {n} panel patients ({FILLER_RECORDS + 3} VCF records each) in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)  # fmt: skip

    work_s = in_process_work(sheet, work / "loop")
    startup = startup_seconds()
    trivial_s, _ = timed(trivial_cmd(work / "trivial", n), work)
    run_s, _ = timed(armmatch_cmd(sheet, work / "run" / "results"), work / "run")
    row(f"{n} patients, snakemake --cores 2", run_s, "work alone, one loop, 1 core", work_s)
    row(f"{n} patients, snakemake --cores 2", run_s, "bare Snakemake, 1 job/patient", trivial_s)
    blocks = len(list((work / "run" / "results" / "blocks").glob("*.tsv")))
    print(f"per patient: {run_s / n * 1000:.0f} ms wall on 2 cores; work {work_s / n * 1000:.0f} ms "
          f"(1 core); {blocks} block jobs")  # fmt: skip
    print(f"overhead per job: bare Snakemake {trivial_s / n * 1000:.0f} ms/job; Python start-up + "
          f"armmatch imports {startup * 1000:.0f} ms/process. One job per patient would cost "
          f"{(trivial_s + startup * n / 2):.0f} s before any work on 2 cores (five per patient, "
          f"the first design: {5 * (trivial_s + startup * n / 2):.0f} s); {blocks} blocks pay "
          f"{startup * blocks:.0f} s of start-up")  # fmt: skip
    if run_s > 300:
        failures.append(f"{n} patients took {run_s:.0f} s (target < 300 s)")

    # Rerun after adding one patient: only that patient's job and the batch summary.
    noop_s, _ = timed(armmatch_cmd(sheet, work / "run" / "results"), work / "run")
    make_batch(work / "run", n + 1)  # the same n rows, one more row and its files
    _, dry = timed(armmatch_cmd(sheet, work / "run" / "results", "-n", quiet=False), work / "run")
    counts = job_counts(dry)
    rerun_s, _ = timed(armmatch_cmd(sheet, work / "run" / "results"), work / "run")
    row("rerun after adding 1 patient", rerun_s, "nothing-to-do run", noop_s)
    last = max((work / "run" / "results" / "blocks").glob("*.tsv"))
    actions: dict[str, int] = {}
    for line in last.read_text(encoding="utf-8").splitlines()[1:]:
        actions[line.split("\t")[2]] = actions.get(line.split("\t")[2], 0) + 1
    print(f"rerun jobs: {counts}; patients of the rerun block ({last.name}): {actions}")
    # one block, then the batch steps: summary, the exchange formats, the verdict, all
    if counts.get("assess_block") != 1 or counts.get("batch_summary") != 1 or len(counts) != 5:
        failures.append(f"rerun after adding one patient ran {counts}")
    if actions.get("computed") != 1:
        failures.append(f"rerun after adding one patient computed {actions} in {last.name}")

    # Dry run of n_dry patients (files hard-linked: they only need to exist).
    dry_sheet = make_batch(work / "dry", n_dry, link_from=work / "run")
    dry_s, dry_out = timed(
        armmatch_cmd(dry_sheet, work / "dry" / "results", "-n", quiet=False), work / "dry"
    )
    trivial_dry_s, _ = timed(trivial_cmd(work / "trivial-dry", n_dry, "-n"), work)
    row(f"dry run, {n_dry} patients", dry_s, "bare Snakemake dry run, 1 job/patient", trivial_dry_s)
    planned = job_counts(dry_out)
    print(f"dry run plans: {planned}")
    if planned.get("assess_block", 0) < 1:
        failures.append(f"dry run did not plan the patient blocks: {planned}")
    if dry_s > 5:
        failures.append(f"dry run of {n_dry} patients took {dry_s:.1f} s (target < 5 s)")

    # End to end at --large patients (default 10,000), against the work alone extrapolated from
    # the n-patient loop to the same count on 2 cores.
    if args.large:
        t0 = time.perf_counter()
        large_sheet = make_batch(work / "large", args.large)
        print(
            f"generated {args.large} panel patients in {time.perf_counter() - t0:.1f} s", flush=True
        )
        large_s, _ = timed(armmatch_cmd(large_sheet, work / "large" / "results"), work / "large")
        floor_s = work_s / n * args.large / 2
        row(f"{args.large} patients, snakemake --cores 2", large_s,
            f"work alone ({n}-patient loop) x{args.large // n} / 2 cores", floor_s)  # fmt: skip
        print(f"{args.large} patients: {large_s:.0f} s ({large_s / args.large * 1000:.1f} ms per "
              f"patient wall on 2 cores)")  # fmt: skip
        if large_s > 120:
            failures.append(f"{args.large} patients took {large_s:.0f} s (target < 120 s)")

    # Memory of the Snakemake process in a dry run of --memory-patients (default 50,000).
    if args.memory_patients:
        mem_sheet = make_batch(work / "memory", args.memory_patients, link_from=work / "run")
        mem_s, mem_mb = timed_rss(
            armmatch_cmd(mem_sheet, work / "memory" / "results", "-n"), work / "memory"
        )
        base_s, base_mb = timed_rss([SNAKEMAKE, "--version"], work)
        rows.append((f"dry run, {args.memory_patients} patients: peak memory", f"{mem_mb:6.0f} MB",
                     f"snakemake --version: {base_mb:.0f} MB", f"{mem_mb / base_mb:6.2f}x"))  # fmt: skip
        print(f"dry run of {args.memory_patients} patients: {mem_s:.1f} s, peak {mem_mb:.0f} MB")

    print()
    print(f"{'figure':42} {'time':>10}  {'baseline (same run)':40} {'ratio':>7}")
    for what, value, base, ratio in rows:
        print(f"{what:42} {value:>10}  {base:40} {ratio:>7}")
    print(f"\nmachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for f in failures:
        print(f"TARGET MISSED: {f}")
    return 1 if failures and not args.no_check else 0


if __name__ == "__main__":
    sys.exit(main())
