"""The optional germline_vcf column: germline BRCA1/2 count for the niraparib arm."""

from __future__ import annotations

from pathlib import Path

from armmatch.config import settings_from_config
from armmatch.patient import Patient
from armmatch.readers.sample_sheet import read_sample_sheet
from armmatch.run.pipeline import detect_small_variants, rule_set
from tests.conftest import VcfWriter, decided


def test_germline_brca2_counts_for_niraparib_with_origin(
    write_vcf: VcfWriter, tmp_path: Path
) -> None:
    tumour = write_vcf([("chr7", "55191822", "T", "G", "PASS", ".", "0/1:50,50:100")],
                       csq_header=False, name="tumour.vcf")  # fmt: skip
    germline = write_vcf([("chr13", "32333290", "AA", "A", "PASS", ".", "0/1:40,40:80"),
                          ("chr7", "140753336", "A", "T", "PASS", ".", "0/1:40,40:80")],
                         samples=("BLOOD",), csq_header=False, name="germline.vcf")  # fmt: skip
    patient = Patient("P1", "C49", str(tumour), 2, vcf_sample="TUMOR", germline_vcf=str(germline))
    rules = rule_set()
    settings = settings_from_config({"samples": "s.tsv"})
    ev = detect_small_variants(patient, build="GRCh38", rules=rules, settings=settings)
    events = decided(ev.events, rules, "GRCh38")
    got = [(e.gene, e.origin, e.rule_ids) for e in events]
    # BRAF in the germline file is ignored: only the niraparib arm's genes are read from it
    assert got == [("EGFR", "somatic", ("EGFR-L858R",)), ("BRCA2", "germline", ("BRCA2-path",))]
    assert any("germline variant" in n for n in events[1].notes)
    assert str(germline) in ev.inputs
    brca = [a for a in ev.assessments if a.gene == "BRCA2"]
    assert any("germline" in a.reason for a in brca) and all(a.assessed for a in brca)


def test_sheet_accepts_germline_vcf(tmp_path: Path) -> None:
    (tmp_path / "a.vcf").write_text("##fileformat=VCFv4.2\n")
    (tmp_path / "g.vcf").write_text("##fileformat=VCFv4.2\n")
    sheet = tmp_path / "s.tsv"
    sheet.write_text("patient_id\ttumour_type\tvcf\tgermline_vcf\nP1\tC49\ta.vcf\tg.vcf\n")
    (p,) = read_sample_sheet(sheet)
    assert p.germline_vcf == str(tmp_path / "g.vcf") or p.germline_vcf.endswith("g.vcf")  # type: ignore[union-attr]
