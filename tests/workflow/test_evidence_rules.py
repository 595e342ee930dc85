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
