"""End-to-end (Snakemake): the evidence rules of issue 29 decide real caller files in a batch.

Two patients built on the example PLT-008 (nothing actionable, every input assessed) with
their fusion file replaced by real long-read calls of ../shared/data (GRCh38): KI-JK's
ctat-LR-fusion NPM1-ALK (462 reads: alectinib) and HCC1187's one-long-read NTRK2-SFPQ (before:
excluded; now the exclusion is not cleared, for review).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, shared_file

pytestmark = [pytest.mark.workflow, pytest.mark.shared]

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
LONG = "real-outputs/lr-fusion-benchmarking"


def test_long_read_fusions_in_a_batch(tmp_path: Path) -> None:
    kijk = shared_file(f"{LONG}/DepMap_v1v2mrgd_KIJK.ctat-LR-fusion.fusion_predictions.tsv.gz")
    hcc = shared_file(f"{LONG}/DepMap_v1v2mrgd_HCC1187.ctat-LR-fusion.fusion_predictions.tsv.gz")
    shutil.copytree(REPO / "example", tmp_path / "example")
    shutil.copy(kijk, tmp_path / "kijk.tsv.gz")
    shutil.copy(hcc, tmp_path / "hcc1187.tsv.gz")
    lines = (REPO / "config" / "samples.tsv").read_text().splitlines()
    header = lines[0].split("\t")
    base = dict(zip(header, next(x for x in lines if x.startswith("PLT-008\t")).split("\t"),
                    strict=True))  # fmt: skip
    rows = []
    for pid, fusions in (("LR-ALK", "kijk.tsv.gz"), ("LR-NTRK2", "hcc1187.tsv.gz")):
        row = {**base, "patient_id": pid, "fusions": fusions, "fusion_format": ""}
        rows.append("\t".join(row[h].replace("../example", "example") for h in header))
    (tmp_path / "samples.tsv").write_text("\n".join(["\t".join(header), *rows]) + "\n")
    cmd = [SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path),
           "--cores", "2", "--config", "samples=samples.tsv", "outdir=results"]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    alk = json.loads((tmp_path / "results/patients/LR-ALK/assignment.json").read_text())
    assert alk["arm"] == "alectinib-ALK", alk["status_reason"]
    (event,) = [e for e in alk["events"] if e["gene"] == "ALK"]
    assert "long reads: 462" in " ".join(event["notes"])
    ntrk = json.loads((tmp_path / "results/patients/LR-NTRK2/assignment.json").read_text())
    assert ntrk["status"] == "incomplete", ntrk["status_reason"]
    assert "molecular exclusions not cleared" in ntrk["status_reason"]
    (ev,) = [e for e in ntrk["events"] if e["gene"] == "NTRK2"]
    assert "low support (1 supporting long read(s), minimum 2" in ev["status_reason"]
    html = (tmp_path / "results/patients/LR-NTRK2/report.html").read_text()
    assert "low support" in html


@pytest.mark.bad_input
def test_a_board_override_cannot_lift_an_eligibility_criterion(tmp_path: Path) -> None:
    """Issue 31: prior pembrolizumab (Keytruda) with a board override to the PD-1 arm and a
    reason: the workflow keeps the patient ineligible and the report says why."""
    shutil.copytree(REPO / "example", tmp_path / "example")
    lines = (REPO / "config" / "samples.tsv").read_text().splitlines()
    header = lines[0].split("\t")
    row = dict(zip(header, next(x for x in lines if x.startswith("PLT-008\t")).split("\t"),
                   strict=True))  # fmt: skip
    row.update(prior_therapies="Keytruda")
    cols = [*header, "arm_override", "override_reason"]
    row.update(arm_override="sintilimab-PD1", override_reason="board 2026-12-01: waiver")
    text = "\t".join(cols) + "\n" + "\t".join(
        row[c].replace("../example", "example") for c in cols) + "\n"  # fmt: skip
    (tmp_path / "samples.tsv").write_text(text)
    cmd = [SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path),
           "--cores", "2", "--config", "samples=samples.tsv", "outdir=results"]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = json.loads((tmp_path / "results/patients/PLT-008/assignment.json").read_text())
    assert (doc["status"], doc["arm"], doc["override"]) == ("ineligible", None, None)
    assert any(p.startswith("tumour-board override refused to sintilimab-PD1")
               for p in doc["provisional"])  # fmt: skip
    html = (tmp_path / "results/patients/PLT-008/report.html").read_text()
    assert "tumour-board override refused" in html


def _run(tmp_path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    text = "\t".join(header) + "\n" + "".join(
        "\t".join(r.get(h, "") for h in header) + "\n" for r in rows)  # fmt: skip
    (tmp_path / "samples.tsv").write_text(text)
    cmd = [SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path),
           "--cores", "2", "--config", "samples=samples.tsv", "outdir=results"]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_unknown_ploidy_and_unknown_vaf_in_a_batch(tmp_path: Path) -> None:
    """SK-BR-3's CCLE segments (GRCh37, purity 1.0, no ploidy): MET is for review, ERBB2 gives
    pyrotinib, provisional; a curated MAF without read counts (BRAF V600E): vemurafenib,
    provisional, naming the thresholds not applied."""
    seg = shared_file("real-outputs/svpluscnv-ccle-seg/ccle_snp6_cbs.subset.seg")
    shutil.copy(seg, tmp_path / "ccle.seg")
    (tmp_path / "empty37.vcf").write_text(
        "##fileformat=VCFv4.2\n##contig=<ID=7,length=159138663>\n"
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")  # fmt: skip
    (tmp_path / "none.fusions.tsv").write_text("gene5\tgene3\n")
    (tmp_path / "curated.maf").write_text(
        "Hugo_Symbol\tChromosome\tStart_Position\tEnd_Position\tReference_Allele\t"
        "Tumor_Seq_Allele2\tVariant_Classification\tHGVSp_Short\tNCBI_Build\t"
        "Tumor_Sample_Barcode\nBRAF\t7\t140753336\t140753336\tA\tT\tMissense_Mutation\t"
        "p.V600E\tGRCh38\tT\n")  # fmt: skip
    shutil.copytree(REPO / "example", tmp_path / "example")
    header = ["patient_id", "tumour_type", "vcf", "cnv", "cnv_format", "cnv_sample", "fusions",
              "fusion_format", "purity", "ploidy", "genome_build", "her2_ihc", "her2_ish", "age",
              "ecog", "prior_therapies"]  # fmt: skip
    clinical = {"tumour_type": "C49|Synovial sarcoma", "her2_ihc": "0", "her2_ish": "negative",
                "age": "50", "ecog": "1", "prior_therapies": "doxorubicin"}  # fmt: skip
    rows = [
        {**clinical, "patient_id": "SKBR3", "vcf": "empty37.vcf", "cnv": "ccle.seg",
         "cnv_format": "seg", "cnv_sample": "SKBR3_BREAST", "fusions": "none.fusions.tsv",
         "fusion_format": "generic", "purity": "1.0", "genome_build": "GRCh37"},
        {**clinical, "patient_id": "MAF", "vcf": "curated.maf",
         "cnv": "example/cnv/PLT-008.cns", "cnv_format": "cnvkit",
         "fusions": "example/fusions/PLT-008.arriba.tsv", "fusion_format": "arriba",
         "purity": "0.75", "ploidy": "2.0", "genome_build": "GRCh38"},
    ]  # fmt: skip
    _run(tmp_path, header, rows)
    sk = json.loads((tmp_path / "results/patients/SKBR3/assignment.json").read_text())
    assert sk["arm"] == "pyrotinib-HER2-amp", sk["status_reason"]
    assert any("crizotinib-MET-amp (higher priority) is indeterminate evidence" in p
               for p in sk["provisional"])  # fmt: skip
    (met,) = [e for e in sk["events"] if e["gene"] == "MET"]
    assert met["status_reason"].startswith("indeterminate: ploidy unknown")
    maf = json.loads((tmp_path / "results/patients/MAF/assignment.json").read_text())
    assert maf["arm"] == "vemurafenib-BRAF", maf["status_reason"]
    assert any("min_vaf and min_depth could not be applied" in p for p in maf["provisional"])
