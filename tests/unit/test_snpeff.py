"""SnpEff ANN annotation read into the same events as VEP CSQ."""

from __future__ import annotations

from pathlib import Path

from armmatch.calling.small_variants import read_small_variants
from armmatch.config import SmallVariantPolicy
from armmatch.readers.snpeff_ann import parse_ann
from armmatch.run.pipeline import gene_models, preferred_transcripts, rule_set
from tests.conftest import VcfWriter, decided

ANN_HEADER = (
    "##INFO=<ID=ANN,Number=.,Type=String,Description=\"Functional annotations: 'Allele | Annotation | "
    "Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | "
    "HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | "
    "ERRORS / WARNINGS / INFO' \">"
)


def _ann(*entries: str) -> str:
    return "ANN=" + ",".join(entries)


def _write(write_vcf: VcfWriter, records: list[tuple[str, str, str, str, str]]) -> Path:
    rows = [(chrom, pos, ref, alt, "PASS", info, "50,50") for chrom, pos, ref, alt, info in records]
    return write_vcf(rows, name="snpeff.vcf", csq_header=False, fmt="AD", header=[ANN_HEADER])


def test_snpeff_records_give_the_expected_rules(write_vcf: VcfWriter) -> None:
    path = _write(write_vcf, [
        ("chr7", "55174771", "AGGAATTAAGAGAAGC", "A", _ann(
            "A|conservative_inframe_deletion|MODERATE|EGFR|1956|transcript|NM_005228.5|protein_coding|"
            "19/28|c.2235_2249delGGAATTAAGAGAAGC|p.Glu746_Ala750del|2495/9905|2235/3633|745/1210||")),
        ("chr7", "55191822", "T", "G,C", _ann(
            "G|missense_variant|MODERATE|EGFR|1956|transcript|NM_005228.5|protein_coding|21/28|c.2573T>G|"
            "p.L858R||||",
            "C|missense_variant|MODERATE|EGFR|1956|transcript|NM_005228.5|protein_coding|21/28|c.2573T>C|"
            "p.L858P||||")),
        ("chr7", "140753336", "A", "T", _ann(
            "T|missense_variant|MODERATE|BRAF|673|transcript|NM_001354609.2|protein_coding|15/18|c.1799T>A|"
            "p.Val600Glu||||",
            "T|missense_variant|MODERATE|BRAF|673|transcript|NM_004333.6|protein_coding|15/18|c.1799T>A|"
            "p.Val600Glu||||")),
        ("chr17", "43124027", "ACT", "A", _ann(
            "A|frameshift_variant|HIGH|BRCA1|672|transcript|NM_007294.4|protein_coding|2/23|c.68_69delAG|"
            "p.Glu23fs||||")),
    ])  # fmt: skip
    rules = rule_set()
    ev = read_small_variants(str(path), patient="P", build="GRCh38", genes=rules.genes(),
                             preferred=preferred_transcripts(gene_models("GRCh38")), vcf_sample="TUMOR",
                             policy=SmallVariantPolicy())  # fmt: skip
    got = [(e.gene, e.alteration, e.exon, e.rule_ids) for e in decided(ev.events, rules, "GRCh38")]
    assert got == [
        ("EGFR", "E746_A750del", 19, ("EGFR-ex19del",)),
        ("EGFR", "L858R", 21, ("EGFR-L858R",)),
        ("EGFR", "L858P", 21, ()),
        ("BRAF", "V600E", 15, ("BRAF-V600",)),
        ("BRCA1", "E23fs", 2, ("BRCA1-path",)),  # ClinVar expert panel: pathogenic
    ]
    braf = next(e for e in ev.events if e.gene == "BRAF")
    assert braf.transcript == "NM_004333.6"  # the bundled transcript, not the first entry


def test_parse_ann_rank_goes_to_intron_for_intronic_terms() -> None:
    (e,) = parse_ann("A|splice_donor_variant&intron_variant|HIGH|MET|4233|transcript|NM_000245.4|"
                     "protein_coding|14/20|c.3028+1G>A||||||", ["A"])  # fmt: skip
    assert (e.get("INTRON"), e.get("EXON"), e.get("Consequence")) == (
        "14/20",
        "",
        "splice_donor_variant&intron_variant",
    )
