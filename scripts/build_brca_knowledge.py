"""Rebuild resources/brca_classifications.tsv and resources/brca_lof_rules.tsv.

Reads ../shared/data/brca-knowledge (ClinVar BRCA1/2 classifications; see its PROVENANCE.md)
and the LRG records of BRCA1/2 in ../shared/data/reference-loci (both builds), builds the
table with armmatch.knowledge.build.brca and writes it; then ``armmatch manifest --update
brca_classifications``. The ENIGMA VCEP facts (exon weights of termination codons, the last
pathogenic termination codon, splice-site decisions) become resources/brca_lof_rules.tsv
(armmatch.knowledge.build.brca_lof); then ``armmatch manifest --update brca_lof_rules``. Usage::

    python scripts/build_brca_knowledge.py [--data DIR] [--out FILE] [--lof-out FILE] [--version V]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from armmatch.errors import InputError
from armmatch.io import write_text_atomic
from armmatch.knowledge.brca_table import render_table
from armmatch.knowledge.build.brca import (
    BuildInputs,
    build_rows,
    intronic_reach,
    read_brca2,
    read_controls,
    read_export_2018,
    read_master,
)
from armmatch.knowledge.build.brca_lof import last_ptc_codon, ptc_rows, render_lof, splice_rows
from armmatch.knowledge.build.lrg import assembly_locus, parse_lrg
from armmatch.knowledge.loci import bundled_loci
from armmatch.knowledge.transcripts import gene_models

REPO = Path(__file__).resolve().parents[1]

SOURCES = {
    # key: (folder/file, description, date)
    "clinvar-2026-08": (
        "clinvar-brca1-missense-controls-sadique2k22/controls_p_lp_b_lb.tsv",
        "ClinVar variant_summary build 260818-0035.1 (2026-08-18), BRCA1 missense with two or "
        "more stars, via sadique2k22/brca1-vus-research c07198e",
        "2026-08-18",
    ),
    "clinvar-2026-02": (
        "clinvar-brca1-missense-cc0-yasinsyar/master.tsv",
        "ClinVar GRCh38 VCF 2026-02-01, BRCA1 missense SNVs without conflicting records, via "
        "YasinsYar/BRCA1_VUS f672daf (CC0)",
        "2026-02-01",
    ),
    "clinvar-brca2": (
        "clinvar-brca2-gnanda23/brca2_merged.csv",
        "ClinVar GRCh38 VCF, BRCA2 records of every kind; release not recorded (2024-2025 by its "
        "terms), repackaged 2025-11-16 by gnanda23/BRCA2-database-bias 604c881",
        "2025-11-16",
    ),
    "clinvar-2018": (
        "clinvar-2018-brca-webexport-mbbelge/clinvar_result.txt",
        "ClinVar web export of 2018 (last-reviewed dates up to 2018), BRCA1/2, alleles from the "
        "HGVS names, via MBBelge/brca 79e845f; used only where no newer source has the variant",
        "",
    ),
}
PRECEDENCE = ("clinvar-2026-08", "clinvar-2026-02", "clinvar-brca2", "clinvar-2018")
RELEASE = "2026-08-18 (BRCA1 missense), 2026-02-01 (BRCA1 missense), 2024-2025 (BRCA2), 2018"


def write_lof(data: Path, out: Path, version: str) -> None:
    """Build the loss-of-function rules from the VCEP facts and write them."""
    rules_dir = data / "brca-knowledge" / "enigma-vcep-rules-herediclassify"
    names = {
        "BRCA1": ("acmg_brca1.yaml", "PM5_PTC_BRCA1.csv", "BRCA1_splice_table.csv"),
        "BRCA2": ("acmg_brca2.yaml", "PM5_PTC_BRCA2.csv", "BRCA2_splice_table_reformatted.csv"),
    }
    models = gene_models("GRCh38")
    rows: list[list[str]] = []
    digests = {}
    for gene, files in names.items():
        texts = []
        for name in files:
            raw = (rules_dir / name).read_bytes()
            digests[f"enigma-vcep-rules-herediclassify/{name}"] = hashlib.sha256(raw).hexdigest()
            texts.append(raw.decode("utf-8"))
        model = models.get(gene)
        assert model is not None
        last = last_ptc_codon(texts[0], path=files[0])
        rows += ptc_rows(gene, model, texts[1], last, path=files[1])
        rows += splice_rows(gene, texts[2], path=files[2])
    write_text_atomic(out, render_lof(rows, digests, version))


def main(argv: list[str] | None = None) -> int:
    """Build the table and write it; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shared = REPO.parent / "shared" / "data"
    parser.add_argument("--data", type=Path, default=shared)
    parser.add_argument("--out", type=Path, default=REPO / "resources" / "brca_classifications.tsv")
    parser.add_argument("--lof-out", type=Path, default=REPO / "resources" / "brca_lof_rules.tsv")
    parser.add_argument("--version", default="2026.12-1")
    parser.add_argument("--lof-only", action="store_true", help="rebuild the rules file only")
    args = parser.parse_args(argv)
    try:
        texts, digests = {}, {}
        for key, (rel, _, _) in SOURCES.items():
            data = (args.data / "brca-knowledge" / rel).read_bytes()
            texts[key] = data.decode("utf-8")
            digests[key] = hashlib.sha256(data).hexdigest()
        write_lof(args.data, args.lof_out, args.version)
        if args.lof_only:
            return 0
        lrg = {}
        for gene, name in (("BRCA1", "LRG_292.xml"), ("BRCA2", "LRG_293.xml")):
            path = args.data / "reference-loci" / "lrg-records" / name
            rec = parse_lrg(path.read_text(encoding="utf-8"), path=str(path))
            lrg[gene] = {b: assembly_locus(rec, b) for b in ("GRCh37", "GRCh38")}
        builds = ("GRCh37", "GRCh38")
        inputs = BuildInputs(
            models={b: dict(gene_models(b).models) for b in builds},
            loci={b: bundled_loci(b) for b in builds},
            lrg=lrg,
        )
        raws = [
            *read_controls(texts["clinvar-2026-08"], "clinvar-2026-08", "2026-08-18"),
            *read_master(texts["clinvar-2026-02"], "clinvar-2026-02", "2026-02-01"),
            *read_brca2(texts["clinvar-brca2"], "clinvar-brca2", "2025-11-16"),
            *read_export_2018(texts["clinvar-2018"], "clinvar-2018"),
        ]
        rows, report = build_rows(raws, inputs, PRECEDENCE)
        counts: dict[str, dict[str, int]] = {}
        for r in rows:
            g = counts.setdefault(r.gene, {})
            g[r.classification] = g.get(r.classification, 0) + 1
        header = [
            "# armmatch BRCA1/2 classification table: ClinVar classifications of BRCA1/2 variants, "
            "normalised in both builds and named on the MANE transcripts",
            "# (BRCA1 NM_007294.4, BRCA2 NM_000059.4) by armmatch's own classifier; built by "
            "scripts/build_brca_knowledge.py (armmatch.knowledge.build.brca). Do not edit by hand:",
            "# a lab's own classifications go in config brca_classification.custom.",
            f"# version: {args.version}",
            f"# clinvar_release: {RELEASE}",
        ]
        for key in PRECEDENCE:
            rel, desc, _ = SOURCES[key]
            header.append(
                f"# source {key}: {desc}; file {rel} sha256={digests[key]}; read "
                f"{report.read.get(key, 0)}, kept {report.kept.get(key, 0)}, superseded by a "
                f"newer source {report.superseded.get(key, 0)}, skipped "
                + (
                    ", ".join(
                        f"{n} {why}" for why, n in sorted(report.skipped.get(key, {}).items())
                    )
                    or "0"
                )
            )
        for gene, by in sorted(counts.items()):
            header.append(
                f"# counts {gene}: {sum(by.values())} variants: "
                + ", ".join(f"{k} {v}" for k, v in sorted(by.items()))
            )
        reach = intronic_reach(rows)
        header.append("# intronic_reach: " + ", ".join(f"{g}={n}" for g, n in reach.items()))
        text = render_table(rows, header)
        write_text_atomic(args.out, text)
        print("\n".join(h for h in header if h.startswith(("# source", "# counts", "# intronic"))))
    except (InputError, OSError, KeyError) as error:
        print(f"build_brca_knowledge: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
