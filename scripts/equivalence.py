"""Output equivalence across a refactor: the same batch must give byte-identical outputs.

Builds a deterministic batch of the example patients and every input format of ../shared/data
(both builds; VCF, MAF, CNVkit, SEG, PCGR segments and gene tables, Arriba, FusionCatcher,
PCGR fusion lists, Manta breakend VCFs), runs the workflow on it and compares two output
folders file by file (``patients/`` and ``batch/``). The only fields allowed to differ are the
code's own hash and the fingerprint that includes it (``fingerprint.json``).

Usage::

    python scripts/equivalence.py batch DIR [--patients 200] [--shared ../shared/data]
    python scripts/equivalence.py run DIR OUTDIR          # snakemake on DIR/samples.tsv
    python scripts/equivalence.py digest OUTDIR > digests.tsv
    python scripts/equivalence.py compare OUTDIR_A OUTDIR_B   # or a digests.tsv for either

``compare`` exits 1 and names every file that differs. tests/workflow/test_equivalence.py runs
the batch and compares it with tests/data/equivalence_digests.tsv, the digests recorded before
the package was reorganised; regenerate them (``digest``) only for a deliberate output change.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_SHEET = REPO / "config" / "samples.tsv"
COLUMNS = (
    "patient_id", "tumour_type", "vcf", "vcf_sample", "cnv", "cnv_format", "cnv_sample",
    "fusions", "fusion_format", "purity", "ploidy", "her2_ihc", "her2_ish", "age", "ecog",
    "prior_therapies", "genome_build",
)  # fmt: skip
# fields of fingerprint.json that hold the code's hash (directly or through the fingerprint)
CODE_FIELDS = ("code_sha256", "fingerprint")

# (build, vcf, vcf_sample, cnv, cnv_format, cnv_sample, fusions, fusion_format), paths relative
# to the shared data folder; "" leaves a column empty.
SHARED_COMBOS: tuple[tuple[str, ...], ...] = (
    ("GRCh37", "mskcc-vcf2maf/test.vcf", "TUMOR", "sigven-pcgr/current/T001-BRCA.grch37.cna.tsv", "segments", "", "sigven-pcgr/current/T001-BRCA.grch37.fusions.tsv", "pcgr"),
    ("GRCh38", "mskcc-vcf2maf/test_grch38.vcf", "TUMOR", "sigven-pcgr/current/T001-BRCA.grch38.cna.tsv", "segments", "", "sigven-pcgr/current/T001-BRCA.grch38.fusions.tsv", "pcgr"),
    ("GRCh37", "mskcc-vcf2maf/test_strelka.vcf", "TUMOR", "sigven-pcgr/v0.3-2017/tumor_sample.BRCA.cna.tsv", "seg", "", "illumina-manta/demo_expectedResults_somaticSV.vcf.gz", "bnd-vcf"),
    ("GRCh37", "mskcc-vcf2maf/test_b37.vcf", "TUMOR", "etal-cnvkit/p2-9_2.call.cns", "cnvkit", "", "arriba/test_fusions.tsv", "arriba"),
    ("GRCh37", "mskcc-vcf2maf/test_muse.vcf", "TUMOR", "etal-cnvkit/tr95t.segmetrics.cns", "cnvkit", "", "", ""),
    ("GRCh37", "mskcc-vcf2maf/test_output.custom_isoforms.maf", "", "sigven-pcgr/v0.3-2017/tumor_sample.BRCA.pcgr.cna_segments.targetgenes.tsv", "gene-table", "", "", ""),
    ("GRCh37", "mskcc-vcf2maf/test_output.vep_isoforms.maf", "", "etal-cnvkit/amplicon.cns", "cnvkit", "", "", ""),
    ("GRCh37", "sigven-pcgr/current/T001-BRCA.grch37.vcf.gz", "", "sigven-pcgr/current/T001-BRCA.grch37.cna.tsv", "segments", "", "", ""),
    ("GRCh38", "sigven-pcgr/current/T001-COAD.grch38.vcf.gz", "", "sigven-pcgr/current/T001-BRCA.grch38.cna.tsv", "segments", "", "fusioncatcher/final-list_candidate-fusion-genes.txt", "fusioncatcher"),
    ("GRCh37", "sigven-pcgr/v0.3-2017/tumor_sample.BRCA.pcgr.vcf.gz", "", "sigven-pcgr/v0.3-2017/tumor_sample.BRCA.cna.tsv", "seg", "", "", ""),
    ("GRCh37", "sigven-pcgr/v0.3-2017/tumor_sample.COAD.vcf.gz", "", "sigven-pcgr/v0.3-2017/tumor_sample.COAD.cna.tsv", "seg", "", "", ""),
    ("GRCh38", "sigven-pcgr/current/T001-BRCA.grch38.vcf.gz", "", "", "", "", "fusioncatcher/final-list_candidate-fusion-genes.vcf", "bnd-vcf"),
    ("GRCh38", "mskcc-vcf2maf/test_grch38.vcf", "TUMOR", "", "", "", "", ""),
    ("GRCh37", "mskcc-vcf2maf/test.vcf", "TUMOR", "", "", "", "sigven-pcgr/current/T001-BRCA.grch38.fusions.tsv", "pcgr"),
)  # fmt: skip
CLINICAL = (
    ("C17|Adenocarcinoma, NOS", "0.70", "2.0", "0", "negative", "58", "1", "oxaliplatin"),
    ("C49|Synovial sarcoma", "0.45", "2.0", "1+", "negative", "41", "0", "doxorubicin"),
    ("C24|Cholangiocarcinoma", "", "", "", "", "63", "2", "gemcitabine;cisplatin"),
    ("C34", "0.90", "3.0", "3+", "", "70", "1", "none"),
    ("C48|Dedifferentiated liposarcoma", "0.30", "2.0", "", "positive", "35", "0", ""),
)  # fmt: skip


def read_tsv(path: Path) -> list[dict[str, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:] if line]


def build_batch(out: Path, n_patients: int, shared: Path | None) -> Path:
    """Write ``out/samples.tsv`` and return it: the example rows, then shared-data combinations."""
    out.mkdir(parents=True, exist_ok=True)
    # paths in the sheet go through two links in the batch folder, so that outputs (which name
    # the input files as given) do not depend on where the repository or the data lie
    for name, target in (("example", REPO / "example"), ("shared", shared)):
        link = out / name
        if target is not None and not link.exists():
            link.symlink_to(target, target_is_directory=True)
    rows: list[dict[str, str]] = []
    for row in read_tsv(EXAMPLE_SHEET):
        for key in ("vcf", "cnv", "fusions"):
            if row.get(key):
                row[key] = row[key].removeprefix("../")
        row.setdefault("genome_build", "GRCh38")
        rows.append(row)
    templates = list(rows)
    combos = SHARED_COMBOS if shared is not None else ()
    i = 0
    while len(rows) < n_patients:
        if combos and i % 2 == 0:
            build, vcf, vcf_sample, cnv, cnv_format, cnv_sample, fus, fus_format = combos[
                (i // 2) % len(combos)
            ]
            clin = CLINICAL[i % len(CLINICAL)]
            row = {
                "tumour_type": clin[0], "purity": clin[1], "ploidy": clin[2], "her2_ihc": clin[3],
                "her2_ish": clin[4], "age": clin[5], "ecog": clin[6], "prior_therapies": clin[7],
                "genome_build": build, "vcf": f"shared/{vcf}" if vcf else "",
                "vcf_sample": vcf_sample, "cnv": f"shared/{cnv}" if cnv else "",
                "cnv_format": cnv_format, "cnv_sample": cnv_sample,
                "fusions": f"shared/{fus}" if fus else "", "fusion_format": fus_format,
            }  # fmt: skip
        else:
            row = dict(templates[i % len(templates)])
            clin = CLINICAL[(i // 3) % len(CLINICAL)]
            row["tumour_type"], row["age"], row["ecog"] = clin[0], clin[5], clin[6]
        row["patient_id"] = f"EQ-{len(rows) + 1:04d}"
        rows.append(row)
        i += 1
    sheet = out / "samples.tsv"
    body = ["\t".join(COLUMNS)]
    body += ["\t".join(row.get(col, "") for col in COLUMNS) for row in rows[:n_patients]]
    sheet.write_text("\n".join(body) + "\n", encoding="utf-8")
    return sheet


def run_batch(batch: Path, outdir: Path, cores: int = 2) -> int:
    """Run the workflow on ``batch/samples.tsv``; failing patients are part of the comparison."""
    if outdir.exists():
        shutil.rmtree(outdir)
    roots = json.dumps(["/"])
    cmd = [
        sys.executable, "-m", "snakemake", "--cores", str(cores), "--quiet", "--keep-going",
        "--snakefile", str(REPO / "Snakefile"), "--directory", str(batch),
        "--config", "samples=samples.tsv", f"outdir={outdir}",
        f"input_roots={roots}",
    ]  # fmt: skip
    return subprocess.run(cmd, check=False, capture_output=True).returncode


def _normalised(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name == "fingerprint.json":
        doc = json.loads(data)
        for key in CODE_FIELDS:
            doc.pop(key, None)
        return json.dumps(doc, sort_keys=True).encode()
    return data


def digests(outdir: Path) -> dict[str, str]:
    """sha256 of every file under ``patients/`` and ``batch/``, code hash fields removed."""
    found: dict[str, str] = {}
    for part in ("patients", "batch"):
        for path in sorted((outdir / part).rglob("*")):
            if path.is_file():
                rel = path.relative_to(outdir).as_posix()
                found[rel] = hashlib.sha256(_normalised(path)).hexdigest()
    return found


def load_digests(source: Path) -> dict[str, str]:
    if source.is_dir():
        return digests(source)
    pairs = (line.split("\t") for line in source.read_text(encoding="utf-8").splitlines() if line)
    return {name: digest for name, digest in pairs}


def differences(a: dict[str, str], b: dict[str, str]) -> list[str]:
    """One line per file that is missing on one side or differs."""
    out = [f"only in A: {name}" for name in sorted(a.keys() - b.keys())]
    out += [f"only in B: {name}" for name in sorted(b.keys() - a.keys())]
    out += [f"differs: {name}" for name in sorted(a.keys() & b.keys()) if a[name] != b[name]]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_batch = sub.add_parser("batch")
    p_batch.add_argument("dir", type=Path)
    p_batch.add_argument("--patients", type=int, default=200)
    p_batch.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    p_run = sub.add_parser("run")
    p_run.add_argument("dir", type=Path)
    p_run.add_argument("outdir", type=Path)
    p_digest = sub.add_parser("digest")
    p_digest.add_argument("outdir", type=Path)
    p_cmp = sub.add_parser("compare")
    p_cmp.add_argument("a", type=Path)
    p_cmp.add_argument("b", type=Path)
    args = parser.parse_args(argv)
    if args.command == "batch":
        shared = args.shared.resolve() if args.shared.is_dir() else None
        print(build_batch(args.dir.resolve(), args.patients, shared))
    elif args.command == "run":
        return run_batch(args.dir.resolve(), args.outdir.resolve())
    elif args.command == "digest":
        for name, digest in digests(args.outdir).items():
            print(f"{name}\t{digest}")
    else:
        diff = differences(load_digests(args.a), load_digests(args.b))
        for line in diff:
            print(line)
        print(f"{len(diff)} difference(s)")
        return 1 if diff else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
