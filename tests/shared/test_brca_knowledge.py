"""BRCA1/2 decided at expert-panel level, over the public classifications in ../shared/data.

The ClinVar BRCA1 missense control set (347 variants with two or more stars, ClinVar build
2026-08-18) is written as an unannotated VCF and as a VEP-annotated VCF (the control set's own
HGVS names in the CSQ) of both builds, and as a MAF with and without HGVSp; each record goes
through the real reader, the BRCA1/2 classification and the rule table. The bundled table
and the bundled loci are checked against facts the build did not use.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from armmatch.calling.brca import classify_events
from armmatch.calling.small_variants import read_small_variants
from armmatch.config import SmallVariantPolicy, settings_from_config
from armmatch.decision.rules import annotate_events
from armmatch.events import Event
from armmatch.knowledge.brca_table import default_table_path, load_table
from armmatch.knowledge.build.brca import (
    BuildInputs,
    allele_from_c,
    build_rows,
    lift_allele,
    normalised,
    read_brca2,
    read_controls,
    read_export_2018,
    read_master,
)
from armmatch.knowledge.build.lrg import assembly_locus, parse_lrg
from armmatch.knowledge.loci import bundled_loci
from armmatch.run.pipeline import (
    brca_knowledge,
    gene_models,
    intronic_reach,
    preferred_transcripts,
    rule_set,
)
from tests.conftest import CSQ_FIELDS

pytestmark = pytest.mark.shared

KNOWLEDGE = "brca-knowledge"
CONTROLS = f"{KNOWLEDGE}/clinvar-brca1-missense-controls-sadique2k22/controls_p_lp_b_lb.tsv"
POLICY = SmallVariantPolicy()
SETTINGS = settings_from_config({"samples": "s.tsv"})


def _controls(shared_data: Path) -> list[dict[str, str]]:
    with open(shared_data / CONTROLS, encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _table_rows() -> dict[str, object]:
    return {r.grch38: r for r in load_table(default_table_path()).rows}


def _vcf(path: Path, records: list[tuple[str, int, str, str, str]], annotated: bool) -> Path:
    lines = ["##fileformat=VCFv4.2", "##contig=<ID=13>", "##contig=<ID=17>"]
    lines += [
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="allele depths">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="depth">',
    ]
    if annotated:
        lines.append(
            '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from '
            f'Ensembl VEP. Format: {CSQ_FIELDS}">'
        )
    lines.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                            "FORMAT", "TUMOR"]))  # fmt: skip
    for chrom, pos, ref, alt, info in sorted(records, key=lambda r: (r[0], r[1])):
        lines.append("\t".join([chrom, str(pos), ".", ref, alt, ".", "PASS", info or ".",
                                "GT:AD:DP", "0/1:30,30:60"]))  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _events(path: Path, build: str) -> list[Event]:
    rules = rule_set()
    models = gene_models(build)
    ev = read_small_variants(
        str(path), patient="p", build=build, genes=rules.genes(),
        preferred=preferred_transcripts(models), vcf_sample="TUMOR", policy=POLICY,
        models=models, intronic_reach=intronic_reach(rules, SETTINGS),
    )  # fmt: skip
    k = brca_knowledge(SETTINGS, build, rules, models)
    return annotate_events(classify_events(ev.events, k), rules)


def _csq(gene: str, hgvsc: str, hgvsp: str, alt: str, consequence: str) -> str:
    tx = "NM_007294.4" if gene == "BRCA1" else "NM_000059.4"
    fields = [alt, consequence, "MODERATE", gene, "", "Transcript", tx, "protein_coding", "", "",
              f"{tx}:{hgvsc}", f"NP_X:{hgvsp}" if hgvsp else "", "YES", tx, tx]  # fmt: skip
    return "CSQ=" + "|".join(fields)


@pytest.mark.parametrize("build", ["GRCh37", "GRCh38"])
@pytest.mark.parametrize("annotated", [False, True], ids=["unannotated", "vep"])
def test_control_set_every_variant_decided(
    shared_data: Path, tmp_path: Path, build: str, annotated: bool
) -> None:
    """Every two-star-or-better P/LP BRCA1 missense of the control set counts for niraparib;
    every B/LB is called, counts for nothing and is never flagged for review."""
    table = _table_rows()
    records, expected = [], {}
    for row in _controls(shared_data):
        key38 = f"17:{row['pos38']}:{row['ref38']}:{row['alt38']}"
        allele = table[key38].grch38 if build == "GRCh38" else table[key38].grch37  # type: ignore[attr-defined]
        chrom, pos, ref, alt = allele.split(":")
        name = row["name"]
        hgvsc = name.split(":", 1)[1].split(" ")[0]
        hgvsp = re.search(r"\((p\.[^)]+)\)", name).group(1)  # type: ignore[union-attr]
        consequence = "start_lost" if hgvsp.startswith("p.Met1") else "missense_variant"
        info = _csq("BRCA1", hgvsc, hgvsp, alt, consequence) if annotated else ""
        records.append((chrom, int(pos), ref, alt, info))
        expected[(int(pos), alt)] = row["label"]
    events = _events(_vcf(tmp_path / "c.vcf", records, annotated), build)
    by_pos = {(e.pos1, e.alt): e for e in events if e.gene == "BRCA1"}
    assert set(by_pos) == set(expected)
    wrong = []
    for pos, label in expected.items():
        e = by_pos[pos]
        if label == "P/LP":
            ok = e.status == "called" and "BRCA1-path" in e.rule_ids
        else:
            ok = e.status == "called" and e.rule_ids == () and e.classification == "benign"
        if not ok or not e.classification_evidence.startswith("ClinVar "):
            wrong.append((pos, label, e.status, e.status_reason, e.rule_ids, e.hgvsp))
    assert not wrong, wrong[:5]
    assert sum(1 for v in expected.values() if v == "P/LP") == 159


def _maf(path: Path, rows: list[dict[str, str]]) -> Path:
    cols = ["Hugo_Symbol", "Chromosome", "Start_Position", "End_Position", "Reference_Allele",
            "Tumor_Seq_Allele1", "Tumor_Seq_Allele2", "Variant_Classification", "HGVSc",
            "HGVSp_Short", "Transcript_ID", "NCBI_Build", "Tumor_Sample_Barcode", "t_depth",
            "t_ref_count", "t_alt_count"]  # fmt: skip
    lines = ["\t".join(cols)] + ["\t".join(r.get(c, "") for c in cols) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("with_protein", [True, False], ids=["hgvsp", "no-hgvsp"])
def test_issue_examples_as_maf(shared_data: Path, tmp_path: Path, with_protein: bool) -> None:
    """The issue's examples in a vcf2maf-style MAF (GRCh37), with and without HGVSp: known
    pathogenic missense variants count, benign ones are neither counted nor flagged."""
    table = load_table(default_table_path())
    wanted = {("BRCA1", "p.Thr37Lys"): "BRCA1-path", ("BRCA1", "p.Cys39Arg"): "BRCA1-path",
              ("BRCA1", "p.Met1775Lys"): "BRCA1-path", ("BRCA2", "p.Asp2723Gly"): "BRCA2-path",
              ("BRCA2", "p.Arg3052Trp"): "BRCA2-path", ("BRCA1", "p.Lys45Gln"): None}  # fmt: skip
    rows, expect = [], {}
    for r in table.rows:
        rule = wanted.get((r.gene, r.hgvsp), "absent")
        if rule == "absent":
            continue
        chrom, pos, ref, alt = r.grch37.split(":")
        short = re.sub(r"^p\.", "p.", r.hgvsp)
        rows.append({
            "Hugo_Symbol": r.gene, "Chromosome": chrom, "Start_Position": pos, "End_Position": pos,
            "Reference_Allele": ref, "Tumor_Seq_Allele1": ref, "Tumor_Seq_Allele2": alt,
            "Variant_Classification": "Missense_Mutation", "HGVSc": r.hgvsc,
            "HGVSp_Short": short if with_protein else "", "NCBI_Build": "GRCh37",
            "Transcript_ID": "ENST00000357654" if r.gene == "BRCA1" else "ENST00000380152",
            "Tumor_Sample_Barcode": "T", "t_depth": "60", "t_ref_count": "30", "t_alt_count": "30",
        })  # fmt: skip
        expect[int(pos)] = rule
    assert len(expect) == 6
    rules = rule_set()
    models = gene_models("GRCh37")
    ev = read_small_variants(
        str(_maf(tmp_path / "v.maf", rows)), patient="p", build="GRCh37", genes=rules.genes(),
        preferred=preferred_transcripts(models), vcf_sample=None, policy=POLICY, models=models,
        intronic_reach=intronic_reach(rules, SETTINGS),
    )  # fmt: skip
    events = annotate_events(
        classify_events(ev.events, brca_knowledge(SETTINGS, "GRCh37", rules, models)), rules
    )
    got = {e.pos1: e for e in events}
    for pos, rule in expect.items():
        e = got[pos]
        assert e.status == "called", (pos, e.status_reason)
        assert e.rule_ids == ((rule,) if rule else ()), (pos, e.rule_ids, e.classification)


def test_table_counts_and_sources_as_stated(shared_data: Path) -> None:
    """The table states its release, sources (with checksums) and counts; the counts are the
    rows'."""
    table = load_table(default_table_path())
    counts = table.counts()
    assert sum(counts["BRCA1"].values()) == 4898 and sum(counts["BRCA2"].values()) == 20580
    assert set(table.sources) == {"clinvar-2026-08", "clinvar-2026-02", "clinvar-brca2",
                                  "clinvar-2018"}  # fmt: skip
    for key, desc in table.sources.items():
        assert "sha256=" in desc, key
    # every control-set variant is in the table with the control set's classification
    by38 = _table_rows()
    for row in _controls(shared_data):
        r = by38[f"17:{row['pos38']}:{row['ref38']}:{row['alt38']}"]
        assert r.source == "clinvar-2026-08"  # type: ignore[attr-defined]
        group = "P/LP" if "pathogenic" in r.classification else "B/LB"  # type: ignore[attr-defined]
        assert group == row["label"]


def test_table_names_agree_with_clinvar_and_vep(shared_data: Path) -> None:
    """armmatch's own naming of every table row of the 2026-02 set equals VEP 115's HGVS on the
    MANE transcript; the control set's ClinVar names agree except the start codon, which HGVS
    names p.Met1? (ClinVar writes the residue)."""
    rows = _table_rows()
    master = shared_data / KNOWLEDGE / "clinvar-brca1-missense-cc0-yasinsyar" / "master.tsv"
    n = 0
    with open(master, encoding="utf-8") as fh:
        for rec in csv.DictReader(fh, delimiter="\t"):
            if rec["Feature"] != "ENST00000357654":
                continue
            r = rows[f"17:{rec['pos']}:{rec['ref']}:{rec['alt']}"]
            assert r.hgvsc == rec["HGVSc"].split(":")[1]  # type: ignore[attr-defined]
            hgvsp = rec["HGVSp"].split(":")[-1].replace("%3D", "=") if rec["HGVSp"] != "-" else ""
            assert r.hgvsp == hgvsp  # type: ignore[attr-defined]
            n += 1
    assert n == 2399
    differ = []
    for row in _controls(shared_data):
        r = rows[f"17:{row['pos38']}:{row['ref38']}:{row['alt38']}"]
        c, p = row["name"].split(":", 1)[1].split(" ")[0], row["name"].split("(")[-1].rstrip(")")
        if (r.hgvsc, r.hgvsp) != (c, p):  # type: ignore[attr-defined]
            differ.append((r.hgvsp, p))  # type: ignore[attr-defined]
    assert differ and all(
        ours == "p.Met1?" and theirs.startswith("p.Met1") for ours, theirs in differ
    )


def _lrg(shared_data: Path, name: str) -> dict[str, object]:
    path = shared_data / "reference-loci" / "lrg-records" / name
    rec = parse_lrg(path.read_text(encoding="utf-8"), path=str(path))
    return {b: assembly_locus(rec, b) for b in ("GRCh37", "GRCh38")}


def test_lift_between_builds_matches_clinvar_2018_positions(shared_data: Path) -> None:
    """Every 2018 ClinVar BRCA1/2 substitution whose name reads as a change: the allele from the
    name lies at the export's GRCh38 position, and the LRG lift puts it at its GRCh37 one."""
    text = (shared_data / KNOWLEDGE / "clinvar-2018-brca-webexport-mbbelge" /
            "clinvar_result.txt").read_text(encoding="utf-8").lstrip("\ufeff")  # fmt: skip
    models = gene_models("GRCh38")
    seq = bundled_loci("GRCh38")
    lrg = {"BRCA1": _lrg(shared_data, "LRG_292.xml"), "BRCA2": _lrg(shared_data, "LRG_293.xml")}
    checked = 0
    for row in csv.DictReader(text.splitlines(), delimiter="\t"):
        gene = row["Gene(s)"]
        m = re.match(
            r"NM_\d+\.\d\((BRCA[12])\):(c\.[-*]?\d+(?:[+-]\d+)?[ACGT]>[ACGT])", row["Name"]
        )
        if gene not in ("BRCA1", "BRCA2") or not m or not row["GRCh37Location"].isdigit():
            continue
        model = models.get(gene)
        assert model is not None
        vcf = allele_from_c(model, seq, m.group(2))
        assert vcf is not None, row["Name"]
        assert vcf[0] == int(row["GRCh38Location"]), row["Name"]
        chrom = model.chrom
        a38 = normalised(seq, chrom, *vcf)
        assert a38 is not None
        a37 = lift_allele(a38, chrom, lrg[gene]["GRCh38"], lrg[gene]["GRCh37"])  # type: ignore[arg-type]
        assert a37 is not None and a37.pos1 == int(row["GRCh37Location"]), row["Name"]
        checked += 1
    assert checked > 1500


def test_builder_reproduces_the_bundled_rows(shared_data: Path) -> None:
    """The builder run on a slice of every source gives exactly the bundled rows of those
    variants (the full build is scripts/build_brca_knowledge.py)."""
    d = shared_data / KNOWLEDGE
    lrg = {"BRCA1": _lrg(shared_data, "LRG_292.xml"), "BRCA2": _lrg(shared_data, "LRG_293.xml")}
    inputs = BuildInputs(
        models={b: dict(gene_models(b).models) for b in ("GRCh37", "GRCh38")},
        loci={b: bundled_loci(b) for b in ("GRCh37", "GRCh38")},
        lrg=lrg,  # type: ignore[arg-type]
    )

    def text(rel: str) -> str:
        return (d / rel).read_text(encoding="utf-8")

    raws = [
        *list(read_controls(text("clinvar-brca1-missense-controls-sadique2k22/controls_p_lp_b_lb.tsv"),
                            "clinvar-2026-08", "2026-08-18"))[:40],
        *list(read_master(text("clinvar-brca1-missense-cc0-yasinsyar/master.tsv"),
                          "clinvar-2026-02", "2026-02-01"))[:40],
        *list(read_brca2(text("clinvar-brca2-gnanda23/brca2_merged.csv"), "clinvar-brca2",
                         "2025-11-16"))[::400],
        *list(read_export_2018(text("clinvar-2018-brca-webexport-mbbelge/clinvar_result.txt"),
                               "clinvar-2018"))[::60],
    ]  # fmt: skip
    rows, report = build_rows(raws, inputs, ("clinvar-2026-08", "clinvar-2026-02",
                                             "clinvar-brca2", "clinvar-2018"))  # fmt: skip
    bundled = _table_rows()
    compared = 0
    for r in rows:
        b = bundled.get(r.grch38)
        if b is not None and b.source == r.source:  # type: ignore[attr-defined]
            assert b == r
            compared += 1
    assert compared > 100, (compared, report)
