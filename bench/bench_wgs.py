"""Benchmark: reading small variants from whole-genome tumour VCFs (issue "Scale", part 1).

Generates synthetic GRCh38 whole-genome VCFs (chr1..22, X; one sample TUMOR with GT:AD:DP;
sorted; bgzipped and tabix-indexed with pysam) of 50k, 500k and 5M records, with actionable
variants planted in target genes (BRAF V600E, EGFR L858R, KIT D816V, a MET exon 14 splice
donor; unannotated, so the built-in classifier calls them). For each size:

* indexed mode: armmatch's reader (target regions through the tabix index) against a bare
  cyvcf2 region query over the same merged regions (target: within 1.2x) and, second,
  ``bcftools view -R`` of the same regions;
* streaming mode (a bgzipped copy without an index): armmatch's reader against a bare cyvcf2
  iteration over the whole file and ``bgzip -dc`` of the file alone (target: within 3x of
  decompressing it, since only target-region records need parsing);
* the planted events must be found in both modes;
* peak RSS: each (size, mode) runs in its own child process, armmatch and the baseline
  alternating (at least 3 runs each, more for sub-second runs; median time); the peak is
  the child's (``VmHWM``);
* the provenance checksum (``armmatch.io.sha256_file``) on its own line, with MB/s.

Timings: wall-clock (``time.perf_counter``) medians; the CPU-time ratio
(``time.process_time``, every thread of the process) is printed beside it: armmatch's
provenance checksum of the whole file runs in a second thread beside the reading, so it
counts fully in the CPU ratio and little in the wall ratio. Exits non-zero when a planted
event is missing or, unless ``--no-check``, when a target is missed (indexed wall ratio >
1.2, streaming > 3 x ``bgzip -dc``, peak RSS > 500 MB). bcftools and bgzip are Debian's
(``make bench-tools``); without them their columns say so.

Usage: ``python bench/bench_wgs.py [--records 50000,500000,5000000] [--workdir DIR] [--no-check]``
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import peak_rss_mb, table, timed  # noqa: E402

GENERATOR_VERSION = "4"
BUILD = "GRCh38"
CHROMS = [str(n) for n in range(1, 23)] + ["X"]
TARGETS = {"indexed": 1.2, "streaming": 3.0}
"""indexed: armmatch / bare cyvcf2 region query; streaming: armmatch / ``bgzip -dc`` alone."""
MAX_RSS_MB = 500.0
REPEATS = 3
PLANTED_SAMPLE = "DP=100\tGT:AD:DP\t0/1:60,40:100\n"


# --- planted variants ------------------------------------------------------------------------


def planted_variants() -> list[tuple[str, int, str, str, str, str]]:
    """``(chrom, pos1, ref, alt, gene, alteration)`` of the planted actionable records.

    BRAF V600E and EGFR L858R at their known GRCh38 positions; KIT D816V placed from the
    hotspot table on the bundled transcript; a MET exon 14 splice-donor SNV. The expected
    alteration is what the built-in classifier calls on the bundled models.
    """
    from armmatch.calling.alleles import revcomp
    from armmatch.calling.consequence import classify_variant
    from armmatch.knowledge.hotspots import default_hotspots_path, load_hotspots
    from armmatch.run.pipeline import gene_models

    models = gene_models(BUILD)
    hotspots = load_hotspots(default_hotspots_path())
    wanted: list[tuple[str, int, str, str]] = [
        ("7", 140753336, "A", "T"),  # BRAF V600E
        ("7", 55191822, "T", "G"),  # EGFR L858R
    ]
    kit = models.get("KIT")
    assert kit is not None
    hs = next(h for h in hotspots["KIT"] if h.protein == "D816V")
    for pos in range(kit.cds_start0 + 1, kit.cds_end + 1):
        if kit.cds_position(pos) == hs.c_start:
            ref, alt = (hs.ref, hs.alt) if kit.strand == "+" else (revcomp(hs.ref), revcomp(hs.alt))
            wanted.append((kit.chrom, pos, ref, alt))
            break
    met = models.get("MET")
    assert met is not None
    exon14 = met.exon(14)
    donor = exon14.end + 1 if met.strand == "+" else exon14.start0  # first intronic base
    wanted.append((met.chrom, donor, "G", "A"))
    out = []
    for chrom, pos, ref, alt in wanted:
        calls = classify_variant(
            {g: m for g in models.genes() if (m := models.get(g)) is not None},
            chrom, pos, ref, alt, hotspots,
        )  # fmt: skip
        if not calls:
            raise SystemExit(f"planted variant {chrom}:{pos} {ref}>{alt} is not called")
        out.append((chrom, pos, ref, alt, calls[0].gene, calls[0].alteration))
    return out


# --- generation ------------------------------------------------------------------------------


def _header() -> str:
    from armmatch.genome import CONTIG_LENGTHS

    lengths = CONTIG_LENGTHS[BUILD]
    lines = [
        "##fileformat=VCFv4.2",
        "##source=armmatch-bench_wgs",
        *(f"##contig=<ID=chr{c},length={lengths[c]}>" for c in CHROMS),
        '##FILTER=<ID=PASS,Description="All filters passed">',
        '##INFO=<ID=DP,Number=1,Type=Integer,Description="Total depth">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR",
    ]
    return "\n".join(lines) + "\n"


def generate(n_records: int, plain: Path) -> None:
    """Write a sorted synthetic whole-genome VCF of about ``n_records`` records to ``plain``."""
    import numpy as np

    from armmatch.genome import CONTIG_LENGTHS

    rng = np.random.default_rng(n_records)
    lengths = CONTIG_LENGTHS[BUILD]
    genome = sum(lengths[c] for c in CHROMS)
    planted = planted_variants()
    # pools of REF/ALT pairs, INFO and sample columns, picked at random per record
    pairs = [(r, a) for r in "ACGT" for a in "ACGT" if r != a]
    pairs += [("AC", "A"), ("GTT", "G"), ("C", "CA"), ("T", "TGG"), ("ATG", "A")]
    pool = []
    for _ in range(997):
        dp = int(rng.integers(20, 120))
        alt_reads = int(rng.integers(2, dp // 2 + 1))
        pool.append(f"DP={dp}\tGT:AD:DP\t0/1:{dp - alt_reads},{alt_reads}:{dp}\n")
    with open(plain, "w", encoding="ascii") as out:
        out.write(_header())
        for chrom in CHROMS:
            n = max(1, round(n_records * lengths[chrom] / genome))
            pos = np.unique(rng.integers(10_000, lengths[chrom] - 10_000, n))
            mine = [p for p in planted if p[0] == chrom]
            for p in mine:  # keep background records off the planted positions
                pos = pos[np.abs(pos - p[1]) > 5]
            pair_i = rng.integers(0, len(pairs), pos.size)
            pool_i = rng.integers(0, len(pool), pos.size)
            quals = rng.integers(30, 99, pos.size)
            extra = [  # planted: a clear call (VAF 0.4, depth 100) at every file size
                (p[1], f"chr{chrom}\t{p[1]}\t.\t{p[2]}\t{p[3]}\t60\tPASS\t{PLANTED_SAMPLE}")
                for p in mine
            ]
            step = 200_000
            for lo in range(0, pos.size, step):
                rows = [
                    f"chr{chrom}\t{p}\t.\t{pairs[i][0]}\t{pairs[i][1]}\t{q}\tPASS\t{pool[j]}"
                    for p, i, j, q in zip(
                        pos[lo : lo + step].tolist(),
                        pair_i[lo : lo + step].tolist(),
                        pool_i[lo : lo + step].tolist(),
                        quals[lo : lo + step].tolist(),
                        strict=True,
                    )
                ]
                if extra:
                    keyed = [(int(r.split("\t", 2)[1]), r) for r in rows]
                    top = int(pos[min(lo + step, pos.size) - 1])
                    last_chunk = lo + step >= pos.size
                    take = [e for e in extra if e[0] <= top or last_chunk]
                    extra = [e for e in extra if e not in take]
                    keyed.extend(take)
                    keyed.sort(key=lambda kv: kv[0])
                    rows = [r for _, r in keyed]
                out.write("".join(rows))


def prepare(n_records: int, workdir: Path) -> tuple[Path, Path]:
    """The indexed ``.vcf.gz`` (+ ``.tbi``) and an unindexed copy, generated once and cached."""
    import pysam

    workdir.mkdir(parents=True, exist_ok=True)
    gz = workdir / f"wgs_{n_records}.vcf.gz"
    noidx = workdir / f"wgs_{n_records}.noindex.vcf.gz"
    stamp = workdir / f"wgs_{n_records}.stamp"
    if stamp.exists() and stamp.read_text() == GENERATOR_VERSION and gz.exists() and noidx.exists():
        return gz, noidx
    t0 = time.perf_counter()
    plain = workdir / f"wgs_{n_records}.vcf"
    generate(n_records, plain)
    t1 = time.perf_counter()
    for p in (gz, noidx, Path(f"{gz}.tbi")):
        p.unlink(missing_ok=True)
    pysam.tabix_compress(str(plain), str(gz), force=True)
    pysam.tabix_index(str(gz), preset="vcf", force=True)
    plain.unlink()
    try:
        os.link(gz, noidx)
    except OSError:
        import shutil

        shutil.copyfile(gz, noidx)
    stamp.write_text(GENERATOR_VERSION)
    print(
        f"generated {gz.name}: {n_records:,} records in {t1 - t0:.1f} s, "
        f"bgzip + tabix {time.perf_counter() - t1:.1f} s, {gz.stat().st_size / 1e6:.0f} MB",
        flush=True,
    )
    return gz, noidx


# --- measurements (each in a child process) ---------------------------------------------------


def merged_regions() -> list[tuple[str, int, int]]:
    """The regions armmatch reads in indexed mode from these (unannotated) VCFs: the target
    genes of the patient's build +/- the margin (an annotated VCF adds the other build's)."""
    from armmatch.calling.small_variants import target_regions
    from armmatch.run.pipeline import COORDINATE_MARGIN, gene_models, rule_set

    return target_regions([gene_models(BUILD)], rule_set().genes(), COORDINATE_MARGIN)


@functools.cache
def settings() -> Any:
    from armmatch.config import load_config_file, settings_from_config

    root = Path(__file__).resolve().parent.parent
    config = load_config_file(root / "config" / "config.yaml")
    # every size through its index when it has one (the bundled default streams files < 20 MB)
    config.setdefault("small_variants", {})["index_min_mb"] = 0
    return settings_from_config(config)


def run_armmatch(path: str) -> list[tuple[str, str, str]]:
    """The pipeline's small-variant step for one patient (as the Snakemake rule runs it)."""
    from armmatch.patient import Patient
    from armmatch.run.pipeline import detect_small_variants, rule_set

    patient = Patient(patient_id="BENCH", tumour_type="NSCLC", vcf=path, line=2, vcf_sample="TUMOR")
    evidence = detect_small_variants(patient, build=BUILD, rules=rule_set(), settings=settings())
    return [(e.gene, e.alteration, e.status) for e in evidence.events]


def baseline_indexed(path: str) -> int:
    import cyvcf2

    vcf = cyvcf2.VCF(path, lazy=True)
    n = 0
    chroms = set(vcf.seqnames)
    for chrom, start0, end in merged_regions():
        name = chrom if chrom in chroms else f"chr{chrom}"
        for v in vcf(f"{name}:{start0 + 1}-{end}"):
            n += v.POS > 0
    vcf.close()
    return n


def baseline_streaming(path: str) -> int:
    import cyvcf2

    n = 0
    for v in cyvcf2.VCF(path, lazy=True):
        n += v.POS > 0
    return n


def regions_bed(path: str) -> str:
    """The merged target regions as a BED file beside ``path`` (for ``bcftools view -R``)."""
    bed = f"{path}.regions.bed"
    with open(bed, "w", encoding="utf-8") as fh:
        for chrom, start0, end in merged_regions():
            fh.write(f"{chrom}\t{start0}\t{end}\n")
    return bed


def tool_baseline(mode: str, path: str) -> tuple[str, Any] | None:
    """The second baseline of ``mode`` as (name, callable), None when the tool is missing:
    ``bcftools view -R`` of the same regions (indexed), ``bgzip -dc`` of the file alone
    (streaming: decompressing is the least any pass over the file costs)."""
    if mode == "indexed":
        if shutil.which("bcftools") is None:
            return None
        bed = regions_bed(path)
        cmd = ["bcftools", "view", "--no-version", "-H", "-R", bed, path]
        return "bcftools view -R", lambda: subprocess.run(
            cmd, stdout=subprocess.DEVNULL, check=True
        )
    if shutil.which("bgzip") is None:
        return None
    cmd = ["bgzip", "-dc", path]
    return "bgzip -dc", lambda: subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)


def child(mode: str, path: str) -> None:
    """Time armmatch and the baseline of ``mode``, alternating, in this one process.

    Prints JSON: the median seconds of each, armmatch's events, and the peak RSS of the
    process (the larger of the two: each is below it).
    """
    baseline: Any = {"indexed": baseline_indexed, "streaming": baseline_streaming}[mode]
    # load models, rules and config before timing (the pipeline loads them once per run)
    merged_regions()
    settings()
    tool = tool_baseline(mode, path)
    ours: list[tuple[float, float]] = []
    theirs: list[tuple[float, float]] = []
    tools: list[float] = []
    result: Any = None
    # at least REPEATS runs each; short ones are repeated for ~1 s (their medians are noisy)
    while len(ours) < REPEATS or (sum(t for t, _ in ours) < 1.0 and len(ours) < 15):
        (t, cpu), result = timed(lambda: run_armmatch(path))
        ours.append((t, cpu))
        theirs.append(timed(lambda: baseline(path))[0])
        if tool is not None:
            tools.append(timed(tool[1])[0][0])
    print(
        json.dumps(
            {
                "armmatch": statistics.median(t for t, _ in ours),
                "baseline": statistics.median(t for t, _ in theirs),
                "armmatch_cpu": statistics.median(c for _, c in ours),
                "baseline_cpu": statistics.median(c for _, c in theirs),
                "runs": len(ours),
                "tool": tool[0] if tool else None,
                "tool_s": statistics.median(tools) if tools else None,
                "peak_mb": peak_rss_mb(),
                "events": result,
            }
        )
    )


def measure(mode: str, path: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def checksum_line(path: Path) -> str:
    from armmatch.io import sha256_file

    seconds = statistics.median(timed(lambda: sha256_file(path))[0][0] for _ in range(REPEATS))
    mb = path.stat().st_size / 1e6
    return f"sha256_file {path.name}: {mb:.0f} MB in {seconds:.2f} s ({mb / seconds:.0f} MB/s)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", default="50000,500000,5000000")
    parser.add_argument("--workdir", default=str(Path(__file__).resolve().parent / ".cache"))
    parser.add_argument(
        "--no-check", action="store_true", help="report, but do not fail on targets"
    )
    parser.add_argument("--child", nargs=2, metavar=("WHAT", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    expected = {(g, a) for *_, g, a in planted_variants()}
    rows: list[list[object]] = []
    sums: list[str] = []
    failures: list[str] = []
    for n in [int(x) for x in args.records.split(",") if x]:
        gz, noidx = prepare(n, Path(args.workdir))
        for mode, path in (("indexed", gz), ("streaming", noidx)):
            got = measure(mode, path)
            found = {(g, a) for g, a, status in got["events"] if status == "called"}
            missing = expected - found
            if missing:
                failures.append(f"{n:,} {mode}: planted events not found: {sorted(missing)}")
            ratio = got["armmatch"] / got["baseline"]
            cpu_ratio = got["armmatch_cpu"] / got["baseline_cpu"]
            tool_ratio = got["armmatch"] / got["tool_s"] if got["tool_s"] else None
            rows.append([
                f"{n:,}", mode, f"{got['armmatch']:.3f}", f"{got['baseline']:.3f}",
                f"{ratio:.2f}", f"{cpu_ratio:.2f}",
                f"{got['tool']}: {got['tool_s']:.3f}" if got["tool"] else "(tool not installed)",
                f"{tool_ratio:.2f}" if tool_ratio else "-", got["runs"],
                f"{got['peak_mb']:.0f}",
                "" if not missing else "MISSING EVENTS",
            ])  # fmt: skip
            if mode == "indexed" and ratio > TARGETS[mode]:
                failures.append(f"{n:,} {mode}: ratio {ratio:.2f} > {TARGETS[mode]}")
            if mode == "streaming" and tool_ratio and tool_ratio > TARGETS[mode]:
                failures.append(f"{n:,} {mode}: {tool_ratio:.2f} x bgzip -dc > {TARGETS[mode]}")
            if got["peak_mb"] > MAX_RSS_MB:
                failures.append(
                    f"{n:,} {mode}: peak RSS {got['peak_mb']:.0f} MB > {MAX_RSS_MB:.0f} MB"
                )
            print(
                f"  {n:,} {mode}: armmatch {got['armmatch']:.3f} s, baseline "
                f"{got['baseline']:.3f} s, peak {got['peak_mb']:.0f} MB",
                flush=True,
            )
        sums.append(checksum_line(gz))
    print()
    print(
        table(
            [
                "records",
                "mode",
                "armmatch s",
                "baseline s",
                "ratio",
                "cpu ratio",
                "second baseline s",
                "ratio",
                "runs",
                "peak MB",
                "",
            ],
            rows,
        )
    )
    print()
    print("\n".join(sums))
    if failures:
        print("\n".join(["", *failures]), file=sys.stderr)
        missing_events = any("planted" in f for f in failures)
        if missing_events or not args.no_check:
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
