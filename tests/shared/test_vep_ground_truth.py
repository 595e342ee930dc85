"""Real annotated data from ../shared/data through the small-variant reader and the rule table.

* the VEP ground-truth table (GRCh38, Ensembl VEP REST with RefSeq transcripts): each record is
  wrapped in a VCF with a CSQ built from the table's own transcript, consequence and HGVSp
  (the exon number comes from the bundled transcript model);
* the PCGR v0.3 BRCA tumour, a real VEP v85 annotated VCF (GRCh37) with no target-gene variant.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from armmatch.calling.small_variants import read_small_variants
from armmatch.config import SmallVariantPolicy
from armmatch.decision.assignment import decide
from armmatch.decision.eligibility import Criterion, Eligibility
from armmatch.events import assessed
from armmatch.run.pipeline import gene_models, preferred_transcripts, rule_set
from tests.conftest import CSQ_FIELDS, decided

pytestmark = pytest.mark.shared

SITES_ONLY = SmallVariantPolicy(accept_unknown_vaf=True)
"""These files (or the test VCFs written from them) give no VAF or depth: classification is
what is tested here; the default policy's "VAF unknown" is tested in test_small_variant_classes."""

EXPECTED_ARM = {
    "BRAF V600E missense (minus)": "vemurafenib-BRAF",
    "EGFR L858R missense (plus)": "almonertinib-EGFR",
    "EGFR E746_A750del inframe del (plus)": "almonertinib-EGFR",
    "ERBB2 exon20 12bp inframe dup (plus, 3' shifted)": "pyrotinib-HER2-mut",
    "BRCA1 c.68_69del frameshift (minus)": "niraparib-BRCA",
    "BRCA1 c.5266dup frameshift ins (minus)": "niraparib-BRCA",
    "BRCA2 c.1813del frameshift (plus)": "niraparib-BRCA",
    "BRCA2 c.5946del frameshift (plus)": "niraparib-BRCA",
    "BRCA2 c.6275_6276del frameshift (plus)": "niraparib-BRCA",
}
SYMBOLS = {"NM_004333": "BRAF", "NM_005228": "EGFR", "NM_004448": "ERBB2", "NM_007294": "BRCA1",
           "NM_000059": "BRCA2", "NM_000546": "TP53", "NM_000038": "APC", "NM_000492": "CFTR",
           "NR_001566": "TERC", "NM_000020": "ACVRL1", "NM_006772": "SYNGAP1"}  # fmt: skip


def _vep_allele(ref: str, alt: str) -> str:
    return (alt[1:] or "-") if ref[0] == alt[0] and len(ref) != len(alt) else alt


def _rows(shared_data: Path) -> list[dict[str, str]]:
    path = shared_data / "lia-genomics-vareffect" / "vep_concordance_grch38_hgvs_p.30variants.tsv"
    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def _vcf(rows: list[dict[str, str]], path: Path) -> Path:
    models = gene_models("GRCh38")
    out = ["##fileformat=VCFv4.2", "##contig=<ID=chr7,length=159345973>",
           f'##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: {CSQ_FIELDS}">',
           "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]  # fmt: skip
    for r in sorted(rows, key=lambda r: (r["CHROM"], int(r["POS"]))):
        gene = SYMBOLS[r["TRANSCRIPT"].split(".")[0]]
        model = models.get(gene)
        pos = int(r["POS"])
        exon = model.exon_at(pos + 1) or model.exon_at(pos) if model else None
        total = len(model.exons) if model else 0
        hgvsp = f"NP_0:{r['EXPECTED_HGVSp']}" if r["EXPECTED_HGVSp"] else ""
        entry = [_vep_allele(r["REF"], r["ALT"]), r["CONSEQUENCE"], "HIGH", gene, "", "Transcript",
                 r["TRANSCRIPT"], "protein_coding", f"{exon}/{total}" if exon else "", "", "", hgvsp,
                 "YES", r["TRANSCRIPT"], r["TRANSCRIPT"]]  # fmt: skip
        out.append("\t".join([r["CHROM"], r["POS"], r["LABEL"].replace(" ", "~"), r["REF"], r["ALT"], ".",
                              "PASS", "CSQ=" + "|".join(entry)]))  # fmt: skip
    path.write_text("\n".join(out) + "\n")
    return path


def test_vep_ground_truth_fires_exactly_the_expected_arms(
    shared_data: Path, tmp_path: Path
) -> None:
    rows = _rows(shared_data)
    assert len(rows) == 30
    rules = rule_set()
    vcf = _vcf(rows, tmp_path / "truth.vcf")
    evidence = read_small_variants(str(vcf), patient="truth", build="GRCh38", genes=rules.genes(),
                                   preferred=preferred_transcripts(gene_models("GRCh38")),
                                   vcf_sample=None, policy=SITES_ONLY)  # fmt: skip
    events = decided(evidence.events, rules, "GRCh38")
    fired = {}
    lines = vcf.read_text().splitlines()
    for e in events:
        label = lines[e.source.line - 1].split("\t")[2].replace("~", " ")
        fired[label] = e.arm_ids
    for label, arm in EXPECTED_ARM.items():
        assert fired.get(label) == (arm,), (label, fired.get(label))
    # EGFR p.D770_N771insG is an exon 20 insertion: not an almonertinib alteration in the protocol
    assert fired["EGFR exon20 3bp inframe ins (plus)"] == ()
    # no non-target gene produces an event
    assert {e.gene for e in events} <= {"BRAF", "EGFR", "ERBB2", "BRCA1", "BRCA2"}
    by_label = {lines[e.source.line - 1].split("\t")[2].replace("~", " "): e for e in events}
    assert by_label["EGFR E746_A750del inframe del (plus)"].exon == 19
    assert by_label["EGFR L858R missense (plus)"].alteration == "L858R"
    assert by_label["ERBB2 exon20 12bp inframe dup (plus, 3' shifted)"].exon == 20


def test_pcgr_vep_annotated_brca_tumour_has_no_target_event(shared_data: Path) -> None:
    path = shared_data / "sigven-pcgr" / "v0.3-2017" / "tumor_sample.BRCA.pcgr.vcf.gz"
    rules = rule_set()
    evidence = read_small_variants(str(path), patient="TCGA-BRCA", build="GRCh37", genes=rules.genes(),
                                   preferred=preferred_transcripts(gene_models("GRCh37")),
                                   vcf_sample=None, policy=SITES_ONLY)  # fmt: skip
    assert evidence.events == []
    assert len(evidence.inputs[str(path)]) == 64
    assessments = [*evidence.assessments]
    for cat in ("cnv", "fusion", "ihc"):
        assessments += assessed(rules.genes(cat), cat, "test")  # type: ignore[arg-type]
    eligible = Eligibility((Criterion("age", "met", "", ""),), {}, (), ())
    d = decide(events=[], assessments=assessments, rules=rules, eligibility=eligible)
    assert d.status == "immunotherapy"


def test_pcgr_vep_annotated_tumour_is_refused_as_grch38(shared_data: Path) -> None:
    from armmatch.errors import InputError

    path = shared_data / "sigven-pcgr" / "v0.3-2017" / "tumor_sample.BRCA.pcgr.vcf.gz"
    with pytest.raises(InputError, match="says GRCh37 but the patient's genome_build is GRCh38"):
        read_small_variants(str(path), patient="X", build="GRCh38", genes=rule_set().genes(),
                            preferred={}, vcf_sample=None, policy=SITES_ONLY)  # fmt: skip
