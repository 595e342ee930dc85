"""Unannotated VCFs from ../shared/data through the built-in classifier and the rule table."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from armmatch.calling.small_variants import read_small_variants
from armmatch.config import SmallVariantPolicy
from armmatch.events import Event
from armmatch.run.pipeline import gene_models, preferred_transcripts, rule_set
from tests.conftest import decided

pytestmark = pytest.mark.shared

SITES_ONLY = SmallVariantPolicy(accept_unknown_vaf=True)
"""These files (or the test VCFs written from them) give no VAF or depth: classification is
what is tested here; the default policy's "VAF unknown" is tested in test_small_variant_classes."""


def _events(path: Path, build: str, sample: str | None = None) -> list[Event]:
    rules = rule_set()
    ev = read_small_variants(str(path), patient="p", build=build, genes=rules.genes(),
                             preferred=preferred_transcripts(gene_models(build)),
                             vcf_sample=sample, policy=SITES_ONLY)  # fmt: skip
    return decided(ev.events, rules, build)


def _fired(events: list[Event]) -> set[str]:
    return {r for e in events if e.status == "called" for r in e.rule_ids}


@pytest.mark.parametrize(("name", "build", "braf"), [
    ("current/T001-COAD.grch37.vcf.gz", "GRCh37", 140453136),
    ("current/T001-COAD.grch38.vcf.gz", "GRCh38", 140753336),
    ("v0.3-2017/tumor_sample.COAD.vcf.gz", "GRCh37", 140453136),
])  # fmt: skip
def test_pcgr_coad_unannotated(shared_data: Path, name: str, build: str, braf: int) -> None:
    events = _events(shared_data / "sigven-pcgr" / name, build)
    assert _fired(events) == {"BRAF-V600"}
    (v600,) = [e for e in events if e.gene == "BRAF"]
    assert (v600.pos1, v600.alteration, v600.hgvsp, v600.status) == (
        braf,
        "V600E",
        "p.V600E",
        "called",
    )
    kit = [e for e in events if e.gene == "KIT"]
    assert [(e.exon, e.status, e.hgvsc) for e in kit] == [(21, "indeterminate", "c.2829C>T")]
    ntrk2 = [e for e in events if e.gene == "NTRK2"]
    assert [(e.hgvsc, e.status, e.rule_ids) for e in ntrk2] == [("c.41G>A", "indeterminate", ())]
    assert not [e for e in events if e.gene == "CDKN2A"]  # the record 3' of the gene
    for e in events:
        if e.gene == "ALK":  # v0.3 ALK point mutation: never a fusion
            assert e.category == "mutation" and e.rule_ids == ()


@pytest.mark.parametrize(("name", "build", "pos"), [("test.vcf", "GRCh37", 116412043),
                                                    ("test_grch38.vcf", "GRCh38", 116771989)])  # fmt: skip
def test_vcf2maf_met_exon14_last_base(shared_data: Path, name: str, build: str, pos: int) -> None:
    events = _events(shared_data / "mskcc-vcf2maf" / name, build, "TUMOR")
    assert _fired(events) == {"MET-ex14"}
    called = [e for e in events if e.status == "called"]
    assert [(e.gene, e.pos1, e.exon, e.variant_class, e.hgvsc) for e in called] == [
        ("MET", pos, 14, "splice_region", "c.3028G>C")
    ]
    # the codon change (D1010H on the bundled NM_000245) is left to an annotator, visibly
    assert [e.status_reason for e in events if e.status == "indeterminate"] == [
        "indeterminate: needs annotation"
    ]


def test_vcf2maf_strelka_braf_and_cdkn2a(shared_data: Path) -> None:
    events = _events(shared_data / "mskcc-vcf2maf" / "test_strelka.vcf", "GRCh37", "TUMOR")
    assert _fired(events) == {"BRAF-V600", "CDKN2A-trunc"}
    by_gene = {e.gene: e for e in events}
    assert by_gene["CDKN2A"].hgvsc == "c.203_204del"
    assert by_gene["CDKN2A"].variant_class == "frameshift"
    # Strelka TAR/TIR are used without FORMAT header lines: still read
    assert by_gene["CDKN2A"].depth == 40 and by_gene["CDKN2A"].vaf == 1.0
    assert by_gene["BRAF"].vaf is not None and by_gene["BRAF"].depth == 259


def test_vcf2maf_muse_brca1_snv_is_not_pathogenic(shared_data: Path) -> None:
    events = _events(shared_data / "mskcc-vcf2maf" / "test_muse.vcf", "GRCh37", "TUMOR")
    assert _fired(events) == set()
    (brca1,) = [e for e in events if e.gene == "BRCA1"]
    assert brca1.status == "filtered" and "needs annotation" in brca1.status_reason


def test_vcf2maf_negatives_parse(shared_data: Path) -> None:
    assert (
        _fired(_events(shared_data / "mskcc-vcf2maf" / "test_b37.vcf", "GRCh37", "TUMOR")) == set()
    )


EXPECTED = {
    "BRAF V600E missense (minus)": ("BRAF-V600", 15, "missense"),
    "EGFR L858R missense (plus)": ("EGFR-L858R", 21, "missense"),
    "EGFR E746_A750del inframe del (plus)": ("EGFR-ex19del", 19, "inframe_deletion"),
    "ERBB2 exon20 12bp inframe dup (plus, 3' shifted)": ("ERBB2-ex20ins", 20, "inframe_insertion"),
    # known pathogenic frameshifts: the ClinVar table decides (BRCA-path), never by class alone
    "BRCA1 c.68_69del frameshift (minus)": ("BRCA1-path", 2, "frameshift"),
    "BRCA1 c.5266dup frameshift ins (minus)": ("BRCA1-path", 19, "frameshift"),
    "BRCA2 c.1813del frameshift (plus)": ("BRCA2-path", 10, "frameshift"),
    "BRCA2 c.5946del frameshift (plus)": ("BRCA2-path", 11, "frameshift"),
    "BRCA2 c.6275_6276del frameshift (plus)": ("BRCA2-path", 11, "frameshift"),
}


def test_vep_ground_truth_with_annotation_stripped(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "lia-genomics-vareffect" / "vep_concordance_grch38_hgvs_p.30variants.tsv"
    rows = list(csv.DictReader([x for x in path.read_text().splitlines() if not x.startswith("#")],
                               delimiter="\t"))  # fmt: skip
    out = ["##fileformat=VCFv4.2", "##contig=<ID=chr7,length=159345973>",
           "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]  # fmt: skip
    for r in sorted(rows, key=lambda r: (r["CHROM"], int(r["POS"]))):
        out.append("\t".join([r["CHROM"], r["POS"], r["LABEL"].replace(" ", "~"), r["REF"], r["ALT"],
                              ".", "PASS", "."]))  # fmt: skip
    vcf = tmp_path / "stripped.vcf"
    vcf.write_text("\n".join(out) + "\n")
    lines = vcf.read_text().splitlines()
    events = _events(vcf, "GRCh38")
    by_label: dict[str, list[Event]] = {}
    for e in events:
        by_label.setdefault(lines[e.source.line - 1].split("\t")[2].replace("~", " "), []).append(e)
    dup = "ERBB2 exon20 12bp inframe dup (plus, 3' shifted)"
    for label, (rule, exon, cls) in EXPECTED.items():
        (e,) = by_label[label]
        status = "indeterminate" if label == dup else "called"
        assert (e.status, e.exon, e.variant_class) == (status, exon, cls), label
        assert e.rule_ids == (rule,), label  # as written; an indeterminate event never counts
    # the 12-bp insertion sits 5 bases into exon 20 as written: without annotation or reference
    # it could lie in a repeat reaching the intron 19 acceptor, so it is for review, both named
    (e,) = by_label[dup]
    assert "place in a possible repeat" in e.status_reason
    assert "inframe_insertion -> pyrotinib-HER2-mut" in e.status_reason
    assert "splice_acceptor intron 19 -> no arm" in e.status_reason
    # the EGFR exon 20 3-bp insertion is an in-frame exon 20 insertion, not an almonertinib alteration
    (ins,) = by_label["EGFR exon20 3bp inframe ins (plus)"]
    assert (ins.exon, ins.variant_class, ins.rule_ids) == (20, "inframe_insertion", ())
    assert {e.gene for e in events} <= {"BRAF", "EGFR", "ERBB2", "BRCA1", "BRCA2"}
