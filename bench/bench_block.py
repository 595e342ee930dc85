"""Per-patient cost of a block job, beside its floor measured in the same process.

A block of ``--patients`` panel patients (bench_batch's generator: the example patients' files
plus 300 off-target calls per VCF) is assessed in this process by the block job's own function
(``run_block_job``, everything a Snakemake block job does after start-up), twice: the second
pass forced by a changed output folder so that nothing is reused. The floor is the least any
implementation must do per patient: a bare cyvcf2 read of the same VCF (every record) plus
writing the same ``assignment.json`` text with ``json.dumps`` (one file per patient). The ratio
of the two is the figure; ``--profile`` prints the top of a cProfile of one block.

Usage: python bench/bench_block.py [--patients 50] [--workdir DIR] [--profile]
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import json
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import cyvcf2  # noqa: E402
from bench_batch import make_batch  # noqa: E402

from armmatch.config import load_config_file, validate_config  # noqa: E402
from armmatch.paths import RESOURCE_DIR, RULE_TABLE, TABLE1  # noqa: E402
from armmatch.readers.sample_sheet import read_sample_sheet  # noqa: E402
from armmatch.run.steps import run_block_job  # noqa: E402


def block_args(sheet: Path, outdir: Path, knowledge: Path | None = None) -> dict[str, Any]:
    config = validate_config({**load_config_file(REPO / "config" / "config.yaml"),
                              "samples": str(sheet), "outdir": str(outdir)})  # fmt: skip
    patients = read_sample_sheet(str(sheet))
    return {
        "block": "00001", "members": [p.to_params() for p in patients],
        "builds": {p.patient_id: p.genome_build or config["genome_build"] for p in patients},
        "sheet": str(sheet), "config": config, "rules_path": str(RULE_TABLE),
        "table1_path": str(TABLE1), "drugs_path": str(RESOURCE_DIR / "drug_classes.tsv"),
        "outdir": str(outdir), "manifest_path": str(outdir / "blocks" / "00001.tsv"),
        "reports_dir": str(outdir / "reports" / "00001"),
        "knowledge_path": str(knowledge) if knowledge else None,
    }  # fmt: skip


def run_block(sheet: Path, outdir: Path) -> float:
    shutil.rmtree(outdir, ignore_errors=True)
    (outdir / "blocks").mkdir(parents=True)
    args = block_args(sheet, outdir)
    start = time.perf_counter()
    run_block_job(**args)
    return time.perf_counter() - start


def floor(sheet: Path, outdir: Path, folder: Path) -> float:
    """A bare cyvcf2 read of each patient's VCF and its assignment.json written with json.dumps."""
    patients = read_sample_sheet(str(sheet))
    docs = {p.patient_id: json.loads((outdir / "patients" / p.patient_id / "assignment.json")
                                     .read_text(encoding="utf-8")) for p in patients}  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for p in patients:
        for _ in cyvcf2.VCF(p.vcf):
            pass
        with open(folder / f"{p.patient_id}.json", "w", encoding="utf-8") as fh:
            fh.write(json.dumps(docs[p.patient_id]))
    return time.perf_counter() - start


def creation_ms(folder: Path, n: int = 200) -> float:
    """What creating one file costs on this disk, in ms (median of ``n``, each new and empty):
    a block job creates a folder, four outputs and a log per patient, the floor one file."""
    folder.mkdir(parents=True, exist_ok=True)
    times = []
    for i in range(n):
        start = time.perf_counter()
        os.close(os.open(folder / f"f{i}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def created_per_patient(outdir: Path, patients: int) -> float:
    """Entries (files, folders, report links) a block job created per patient."""
    return sum(1 for _ in outdir.rglob("*")) / patients


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--patients", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="armmatch-block-"))
    if args.workdir is None:  # the generated batch and its outputs go with the folder
        atexit.register(shutil.rmtree, work, ignore_errors=True)
    sheet = make_batch(work, args.patients)
    os.chdir(work)
    n = args.patients
    run_block(sheet, work / "warm")  # imports, caches and the page cache warm
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        run_block(sheet, work / "profiled")
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    block = statistics.median(run_block(sheet, work / f"out{i}") for i in range(args.repeat))
    base = statistics.median(
        floor(sheet, work / "out0", work / f"floor{i}") for i in range(args.repeat)
    )
    print(f"block of {n} patients: {block * 1000 / n:.1f} ms per patient; floor (bare cyvcf2 "
          f"read + json.dumps of the same assignment.json): {base * 1000 / n:.2f} ms; "
          f"ratio {block / base:.1f}")  # fmt: skip
    made = created_per_patient(work / "out0", n)
    print(f"files, folders and links created per patient: {made:.1f} (floor: 1); creating a file on "
          f"this disk: {creation_ms(work / 'creations'):.3f} ms (median of 200, same run)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
