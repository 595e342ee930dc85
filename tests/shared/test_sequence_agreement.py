"""armmatch's own classification with the bundled loci agrees with the annotators in
../shared/data: every annotated record of a gene with a bundled locus whose annotation is on
the MANE transcript, in every VEP/SnpEff VCF and every MAF there, and the VEP ground truth.
Records annotated on another transcript are listed with the reason they are not compared.
"""

from __future__ import annotations

import csv
import gzip
import re
from pathlib import Path

import pytest

from armmatch.calling.consequence import classify_variant
from armmatch.hgvs import parse_protein_change, unversioned
from armmatch.knowledge.loci import bundled_loci
from armmatch.readers.snpeff_ann import parse_ann
from armmatch.readers.vep_csq import parse_csq
from armmatch.run.pipeline import gene_models

pytestmark = pytest.mark.shared

BUILDS = ("GRCh38", "GRCh37")

NOT_ON_MANE = {
    ("real-outputs/griffithlab-pvactools/HCC1395.annotated.expression.vcf.gz", "BRCA2"):
        "VEP also annotates three non-MANE BRCA2 transcripts (ENST00000544455, ENST00000614259, "
        "ENST00000680887); the MANE one is compared",
    ("mskcc-vcf2maf/test_output.vep_isoforms.maf", "MET"):
        "vcf2maf's VEP-canonical isoform ENST00000318493 (NM_001127500 numbering), not MANE",
    ("real-outputs/moalmanac/example_patient.capture.somatic.snvs.maf", "BRAF"):
        "Oncotator's ENST00000288602 (an older BRAF transcript), not MANE",
    ("real-outputs/moalmanac/example_patient.capture.germline.maf", "ALK"): "no transcript named",
    ("real-outputs/moalmanac/example_patient.capture.germline.maf", "BRAF"): "no transcript named",
    ("real-outputs/moalmanac/example_patient.capture.germline.maf", "BRCA2"): "no transcript named",
}  # fmt: skip
"""Files and genes whose records are annotated only on another transcript, and why."""


def _short(p: str) -> str:
    p = p.split(":")[-1].replace("%3D", "=")
    try:
        return parse_protein_change(p).short
    except ValueError:
        return p


class Checker:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.loci = {b: bundled_loci(b) for b in BUILDS}
        self.models = {b: gene_models(b) for b in BUILDS}
        self.genes = set(self.loci["GRCh38"].genes())
        self.compared: dict[str, int] = {}
        self.disagree: list[tuple[str, ...]] = []
        self.skipped: set[tuple[str, str]] = set()

    def build_of(self, chrom: str, pos: int, ref: str) -> str | None:
        for b in BUILDS:
            try:
                if self.loci[b].fetch(chrom, pos - 1, pos - 1 + len(ref)) == ref:
                    return b
            except KeyError:
                continue
        return None

    def record(self, path: Path, gene: str, tx: str, where: tuple[str, int, str, str],
               theirs: tuple[str, str]) -> None:  # fmt: skip
        if gene not in self.genes:
            return
        chrom, pos, ref, alt = where
        chrom = chrom.removeprefix("chr")
        rel = str(path.relative_to(self.root))
        build = self.build_of(chrom, pos, ref)
        if build is None:
            self.disagree.append((rel, f"{chrom}:{pos} {ref}>{alt}", "REF is neither build's"))
            return
        model = self.models[build].get(gene)
        assert model is not None
        accepted = {unversioned(x) for x in (model.transcript, model.refseq_accession,
                                             model.ensembl_transcript) if x}  # fmt: skip
        if not tx or unversioned(tx) not in accepted:
            self.skipped.add((rel, gene))
            return
        calls = classify_variant({gene: model}, chrom, pos, ref, alt, {}, self.loci[build],
                                 {gene: 10_000})  # fmt: skip
        call = next((c for c in calls if c.status == "called" and c.hgvsc), None)
        ours = (call.hgvsc or "", _short(call.hgvsp or "")) if call else ("", "")
        their_c, their_p = theirs[0].split(":")[-1], _short(theirs[1]) if theirs[1] else ""
        self.compared[rel] = self.compared.get(rel, 0) + 1
        if (their_c and their_c != ours[0]) or (their_p and their_p != ours[1]):
            self.disagree.append(
                (rel, f"{build} {chrom}:{pos} {ref}>{alt}", f"{theirs}", f"{ours}")
            )


def _text(path: Path) -> str:
    if path.suffix == ".gz":
        return gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
    return path.read_text(encoding="utf-8", errors="replace")


def _vcfs(check: Checker) -> None:
    for path in sorted(check.root.rglob("*.vcf*")):
        if path.suffix in (".tbi", ".csi"):
            continue
        lines = _text(path).split("\n")
        names = next((m.group(1).split("|") for line in lines if line.startswith("##INFO=<ID=CSQ")
                      and (m := re.search(r"Format: ([^\"]+)\"", line))), None)  # fmt: skip
        ann = any(line.startswith("##INFO=<ID=ANN") for line in lines)
        if names is None and not ann:
            continue
        for line in lines:
            f = line.split("\t")
            if not line or line[0] == "#" or len(f) < 8:
                continue
            info = dict(kv.split("=", 1) for kv in f[7].split(";") if "=" in kv)
            value = info.get("CSQ" if names else "ANN")
            if not value:
                continue
            alts = f[4].split(",")
            try:
                entries = parse_csq(value, names) if names else parse_ann(value, alts)
            except ValueError:
                continue
            for i, alt in enumerate(alts):
                for e in entries:
                    if e.get("ALLELE_NUM") and e.get("ALLELE_NUM") != str(i + 1):
                        continue
                    if not e.get("HGVSc") or e.get("SYMBOL") not in check.genes:
                        continue
                    check.record(path, e.get("SYMBOL") or "", e.get("Feature") or "",
                                 (f[0], int(f[1]), f[3], alt),
                                 (e.get("HGVSc") or "", e.get("HGVSp") or ""))  # fmt: skip


_MAF_NAMES = {"Start_position": "Start_Position", "Annotation_Transcript": "Transcript_ID",
              "Protein_Change": "HGVSp", "cDNA_Change": "HGVSc"}  # fmt: skip


def _mafs(check: Checker) -> None:
    for path in sorted(check.root.rglob("*.maf")):
        rows = [r for r in _text(path).split("\n") if r and not r.startswith("#")]
        if not rows:
            continue
        header = [_MAF_NAMES.get(h, h) for h in rows[0].split("\t")]
        if not {"Hugo_Symbol", "Chromosome", "Start_Position", "Reference_Allele",
                "Tumor_Seq_Allele2", "Transcript_ID"} <= set(header):  # fmt: skip
            continue
        for row in rows[1:]:
            d = dict(zip(header, row.split("\t"), strict=False))
            gene, chrom = d.get("Hugo_Symbol", ""), d.get("Chromosome", "").removeprefix("chr")
            ref, alt, start = d["Reference_Allele"], d["Tumor_Seq_Allele2"], d["Start_Position"]
            if (
                gene not in check.genes
                or not start.isdigit()
                or not (d.get("HGVSc") or d.get("HGVSp"))
            ):
                continue
            pos = int(start)
            for build in BUILDS:  # a MAF indel has no anchor base: take it from the locus
                try:
                    if ref == "-":
                        a = check.loci[build].fetch(chrom, pos - 1, pos)
                        where = (chrom, pos, a, a + alt)
                    elif alt == "-":
                        a = check.loci[build].fetch(chrom, pos - 2, pos - 1)
                        where = (chrom, pos - 1, a + ref, a)
                    else:
                        where = (chrom, pos, ref, alt)
                    if check.build_of(chrom, where[1], where[2]) != build:
                        continue
                except KeyError:
                    continue
                check.record(path, gene, d.get("Transcript_ID", ""), where,
                             (d.get("HGVSc", ""), d.get("HGVSp", "")))  # fmt: skip
                break


def test_every_annotated_record_on_mane_agrees(shared_data: Path) -> None:
    check = Checker(shared_data)
    _vcfs(check)
    _mafs(check)
    assert check.disagree == []
    assert sum(check.compared.values()) >= 3, check.compared
    assert check.skipped == set(NOT_ON_MANE), sorted(check.skipped)


def test_vep_ground_truth_protein_changes_reproduced(shared_data: Path) -> None:
    """The VEP concordance set (30 GRCh38 variants): every one in a gene with a bundled locus
    gets VEP's HGVSp from armmatch's classifier and the bundled sequence."""
    path = shared_data / "lia-genomics-vareffect" / "vep_concordance_grch38_hgvs_p.30variants.tsv"
    rows = list(csv.DictReader([x for x in path.read_text().splitlines() if not x.startswith("#")],
                               delimiter="\t"))  # fmt: skip
    check = Checker(shared_data)
    compared = 0
    for r in rows:
        gene = r["LABEL"].split()[0]
        if gene not in check.genes:
            continue
        model = check.models["GRCh38"].get(gene)
        assert model is not None and unversioned(r["TRANSCRIPT"]) == model.refseq_accession
        calls = classify_variant({gene: model}, r["CHROM"].removeprefix("chr"), int(r["POS"]),
                                 r["REF"], r["ALT"], {}, check.loci["GRCh38"])  # fmt: skip
        call = next(c for c in calls if c.status == "called" and c.hgvsp)
        assert _short(call.hgvsp or "") == _short(r["EXPECTED_HGVSp"]), r["LABEL"]
        compared += 1
    assert compared == 10
