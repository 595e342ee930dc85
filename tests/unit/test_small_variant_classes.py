"""Issue 13: the right arm for every way real pipelines write an alteration.

Each class is written the way other tools write it: an unannotated VCF (the built-in classifier),
a VEP-annotated VCF (CSQ as VEP writes it, the MANE transcript not first), a vcf2maf/genome-nexus
MAF with ``HGVSp_Short`` and the same MAF without it; left- and right-shifted; with and without
a reference built for the test. Coordinates are GRCh38 on the bundled MANE models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from armmatch.calling.consequence import classify_variant
from armmatch.calling.small_variants import read_small_variants
from armmatch.config import SmallVariantPolicy, settings_from_config
from armmatch.decision.assignment import Decision, decide
from armmatch.decision.eligibility import Criterion, Eligibility
from armmatch.decision.rules import annotate_events
from armmatch.errors import InputError
from armmatch.events import Event, assessed
from armmatch.hgvs import parse_protein_change
from armmatch.readers.maf import is_maf
from armmatch.run.pipeline import (
    check_coordinates,
    decide_events,
    gene_models,
    intronic_reach,
    preferred_transcripts,
    rule_set,
)
from tests.conftest import VcfWriter, csq

MODELS = gene_models("GRCh38")
SETTINGS = settings_from_config({"samples": "s.tsv"})
SAMPLE = "0/1:60,40:100"  # VAF 0.4, depth 100


def model(gene: str):  # type: ignore[no-untyped-def]
    m = MODELS.get(gene)
    assert m is not None
    return m


# --- helpers -------------------------------------------------------------------------------------


def read(path: Path, *, policy: SmallVariantPolicy | None = None, sample: str | None = None,
         reference: object = None) -> list[Event]:  # fmt: skip
    """The rule-annotated events of one small-variant file, as the pipeline reads it."""
    rules = rule_set()
    ev = read_small_variants(
        str(path), patient="P", build="GRCh38", genes=rules.genes(),
        preferred=preferred_transcripts(MODELS), vcf_sample=sample,
        policy=policy or SmallVariantPolicy(), reference=reference,  # type: ignore[arg-type]
        intronic_reach=intronic_reach(rules, SETTINGS),
    )  # fmt: skip
    check_coordinates(ev.events, "GRCh38", path=str(path), patient="P")
    return decide_events(ev.events, rules=rules, settings=SETTINGS, build="GRCh38")


def decision(events: Sequence[Event]) -> Decision:
    """The decision when every other input was assessed and negative and the patient eligible."""
    rules = rule_set()
    assessments = [a for cat in ("mutation", "cnv", "fusion", "ihc")
                   for a in assessed(rules.genes(cat), cat, "test")]  # type: ignore[arg-type]  # fmt: skip
    eligible = Eligibility((Criterion("age", "met", "", ""),), {}, (), ())
    return decide(events=events, assessments=assessments, rules=rules, eligibility=eligible)


def arm_of(events: Sequence[Event]) -> str | None:
    d = decision(events)
    return d.arm.arm_id if d.arm is not None else f"{d.status}: {d.status_reason}"


MAF_COLS = ["Hugo_Symbol", "NCBI_Build", "Chromosome", "Start_Position", "End_Position",
            "Variant_Classification", "Variant_Type", "Reference_Allele", "Tumor_Seq_Allele1",
            "Tumor_Seq_Allele2", "Tumor_Sample_Barcode", "HGVSc", "HGVSp", "HGVSp_Short",
            "Transcript_ID", "Exon_Number", "t_depth", "t_ref_count", "t_alt_count", "RefSeq"]  # fmt: skip


def write_maf(path: Path, rows: Sequence[dict[str, str]], cols: Sequence[str] = MAF_COLS) -> Path:
    lines = ["#version 2.4", "\t".join(cols)]
    lines += ["\t".join(r.get(c, "") for c in cols) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


@dataclass(frozen=True)
class Variant:
    """One alteration with everything the four representations need."""

    gene: str
    chrom: str
    pos1: int  # VCF POS (anchor base for an indel)
    ref: str
    alt: str
    consequence: str  # VEP's SO terms
    exon: str
    intron: str
    hgvsc: str
    hgvsp: str  # three-letter, as VEP writes it ("" when VEP gives none)
    hgvsp_short: str  # as vcf2maf/genome-nexus write it ("" or e.g. p.X550_splice)
    classification: str  # MAF Variant_Classification

    def vcf(self, write_vcf: VcfWriter, name: str) -> Path:
        return write_vcf([(f"chr{self.chrom}", str(self.pos1), self.ref, self.alt, "PASS", ".",
                           SAMPLE)], csq_header=False, name=name)  # fmt: skip

    def vep(self, write_vcf: VcfWriter, name: str) -> Path:
        m = model(self.gene)
        allele = self.alt[1:] or "-" if len(self.ref) != len(self.alt) else self.alt
        decoy = [allele, "intron_variant", "MODIFIER", self.gene, "x", "Transcript", "ENST00000999999",
                 "protein_coding", "", "1/2", "", "", "", "", ""]  # fmt: skip
        mane = [allele, self.consequence, "HIGH", self.gene, "x", "Transcript", m.ensembl_transcript,
                "protein_coding", self.exon, self.intron, f"{m.ensembl_transcript}:{self.hgvsc}",
                f"ENSP00000000001.1:{self.hgvsp}" if self.hgvsp else "", "YES", m.transcript,
                m.transcript]  # fmt: skip
        info = "CSQ=" + csq(decoy, mane)
        return write_vcf([(f"chr{self.chrom}", str(self.pos1), self.ref, self.alt, "PASS", info,
                           SAMPLE)], name=name)  # fmt: skip

    def maf_row(self, *, with_hgvsp: bool) -> dict[str, str]:
        m = model(self.gene)
        if len(self.ref) == len(self.alt):
            start, ref, alt = self.pos1, self.ref, self.alt
        elif len(self.ref) > len(self.alt):  # deletion: MAF drops the anchor
            start, ref, alt = self.pos1 + 1, self.ref[1:], "-"
        else:  # insertion: Start_Position is the base before
            start, ref, alt = self.pos1, "-", self.alt[1:]
        end = start + max(len(ref), 1) - 1
        return {
            "Hugo_Symbol": self.gene, "NCBI_Build": "GRCh38", "Chromosome": f"chr{self.chrom}",
            "Start_Position": str(start), "End_Position": str(end),
            "Variant_Classification": self.classification, "Reference_Allele": ref,
            "Tumor_Seq_Allele1": ref, "Tumor_Seq_Allele2": alt, "Tumor_Sample_Barcode": "T1",
            "HGVSc": self.hgvsc if with_hgvsp else "",
            "HGVSp": self.hgvsp if with_hgvsp else "",
            "HGVSp_Short": self.hgvsp_short if with_hgvsp else "",
            "Transcript_ID": m.ensembl_transcript.split(".")[0], "Exon_Number": self.exon,
            "t_depth": "100", "t_ref_count": "60", "t_alt_count": "40", "RefSeq": m.transcript,
        }  # fmt: skip

    def representations(self, write_vcf: VcfWriter, tmp_path: Path) -> dict[str, Path]:
        return {
            "unannotated VCF": self.vcf(write_vcf, "plain.vcf"),
            "VEP VCF": self.vep(write_vcf, "vep.vcf"),
            "MAF with HGVSp": write_maf(tmp_path / "with.maf", [self.maf_row(with_hgvsp=True)]),
            "MAF without HGVSp": write_maf(tmp_path / "without.maf",
                                           [self.maf_row(with_hgvsp=False)]),
        }  # fmt: skip


KIT_E11 = model("KIT").exon(11).start0 + 1  # c.1648, first base of KIT exon 11
MET_E14 = model("MET").exon(14).start0 + 1  # c.2888, first base of MET exon 14
KIT_550_558 = "AAACCCATGTATGAAGTACAGTGGAAG"  # codons 550-558 (K P M Y E V Q W K)

BRAF_V600E = Variant("BRAF", "7", 140753336, "A", "T", "missense_variant", "15/18", "",
                     "c.1799T>A", "p.Val600Glu", "p.V600E", "Missense_Mutation")  # fmt: skip
EGFR_EX19 = Variant("EGFR", "7", 55174771, "AGGAATTAAGAGAAGC", "A", "inframe_deletion", "19/28", "",
                    "c.2235_2249del", "p.Glu746_Ala750del", "p.E746_A750del", "In_Frame_Del")  # fmt: skip
# KIT c.1648-3_1674del: the intron 10 acceptor AG (and one more intron base) with codons 550-558
KIT_BOUNDARY = Variant(
    "KIT", "4", KIT_E11 - 4, "T" + "CAG" + KIT_550_558, "T",
    "splice_acceptor_variant&coding_sequence_variant&intron_variant", "11/21", "10/20",
    "c.1648-3_1674del", "", "p.X550_splice", "Splice_Site",
)  # fmt: skip
# MET c.2888-25_2888-16del: intron 13, in the polypyrimidine tract before the exon 14 acceptor
MET_PPT = Variant("MET", "7", MET_E14 - 26, "G" + "TTTCTTTCTC", "G", "intron_variant", "", "13/20",
                  "c.2888-25_2888-16del", "", "p.X963_splice", "Intron")  # fmt: skip

FOUR = [(BRAF_V600E, "vemurafenib-BRAF"), (EGFR_EX19, "almonertinib-EGFR"),
        (KIT_BOUNDARY, "imatinib-KIT"), (MET_PPT, "crizotinib-MET-mut")]  # fmt: skip


@pytest.mark.parametrize(("variant", "arm"), FOUR, ids=[a for _, a in FOUR])
def test_same_arm_from_every_representation(
    variant: Variant, arm: str, write_vcf: VcfWriter, tmp_path: Path
) -> None:
    paths = variant.representations(write_vcf, tmp_path)
    assert is_maf(str(paths["MAF without HGVSp"])) and not is_maf(str(paths["VEP VCF"]))
    got = {}
    for kind, path in paths.items():
        events = read(path)
        assert [e.gene for e in events] == [variant.gene], kind
        assert events[0].status == "called", (kind, events[0].status_reason)
        got[kind] = arm_of(events)
    assert got == dict.fromkeys(paths, arm)


# --- indels that cross an exon boundary -----------------------------------------------------------


def test_kit_intron10_exon11_deletion_counts_for_exon_11(write_vcf: VcfWriter) -> None:
    (e,) = read(KIT_BOUNDARY.vcf(write_vcf, "kit.vcf"))
    assert (e.exon, e.intron, e.splice_exon, e.splice_offset) == (11, 10, 11, -1)
    assert "exon_boundary_deletion" in e.variant_class.split("&")
    assert "splice_acceptor" in e.variant_class.split("&")
    assert e.rule_ids == ("KIT-ex11",)
    assert "27 coding bases c.1648_1674 (codons 550-558)" in e.alteration
    assert arm_of([e]) == "imatinib-KIT"


@pytest.mark.parametrize(("gene", "exon", "side", "rule"), [
    ("EGFR", 19, "acceptor", "EGFR-ex19del"), ("EGFR", 19, "donor", "EGFR-ex19del"),
    ("ERBB2", 20, "acceptor", "ERBB2-ex20ins"), ("MET", 14, "acceptor", "MET-ex14"),
    ("MET", 14, "donor", "MET-ex14"), ("KIT", 9, "donor", "KIT-ex9"),
    ("KIT", 17, "acceptor", "KIT-ex17"),
])  # fmt: skip
def test_boundary_deletions_count_for_their_exon(
    gene: str, exon: int, side: str, rule: str
) -> None:
    m = model(gene)
    e = m.exon(exon)
    assert m.strand == "+"
    # 6 intron + 9 coding bases across the boundary (15: in frame whichever way it shifts)
    start = e.start0 + 1 - 6 if side == "acceptor" else e.end - 8
    ref = "C" + "ACGTAC" + "GTACGTACG"
    (call,) = classify_variant({gene: m}, m.chrom, start - 1, ref, "C", {})
    assert "exon_boundary_deletion" in call.classes and call.exon == exon
    assert ("splice_acceptor" if side == "acceptor" else "splice_donor") in call.classes
    # as written (its other readings, a repeat could give it, are tested below)
    (ev,) = annotate_events([replace(_event(call, m.chrom, start - 1, ref, "C"), readings=())],
                            rule_set())  # fmt: skip
    assert rule in ev.rule_ids and ev.status == "called"
    assert {a for a in ev.arm_ids} == {
        rule_set().rules[[r.rule_id for r in rule_set().rules].index(rule)].arm_id
    }


def _event(call, chrom: str, pos1: int, ref: str, alt: str) -> Event:  # type: ignore[no-untyped-def]
    from armmatch.calling.small_variants import builtin_event

    return builtin_event(call, chrom, pos1, ref, alt, path="x.vcf", line=1, vaf=0.4, depth=100,
                         how="test", filter_reason="")  # fmt: skip


def test_whole_exon_deletion_is_exon_deletion() -> None:
    m = model("MET")
    e = m.exon(14)
    length = e.end - e.start0 + 20
    (call,) = classify_variant({"MET": m}, "7", e.start0 - 10, "N" * (length + 1), "N", {})
    assert "exon_deletion" in call.classes and call.exon == 14


def test_a_maf_deletion_from_intron_into_exon_is_valid(tmp_path: Path) -> None:
    """The whole span is checked against the transcript, not its start alone."""
    row = KIT_BOUNDARY.maf_row(with_hgvsp=True)
    row.update({"HGVSp_Short": "p.K550_K558del", "HGVSp": "p.Lys550_Lys558del",
                "Variant_Classification": "In_Frame_Del"})  # fmt: skip
    (e,) = read(write_maf(tmp_path / "kit.maf", [row]))
    assert (e.exon, e.rule_ids, e.status) == (11, ("KIT-ex11",), "called")
    assert int(row["Start_Position"]) < KIT_E11  # starts in intron 10


# --- left- versus right-shifted ---------------------------------------------------------------


class PatchReference:
    """A test genome: fixed bases where given, else C."""

    def __init__(self, chrom: str, patches: dict[int, str]) -> None:
        self.chrom, self.patches = chrom, patches

    def fetch(self, chrom: str, start0: int, end: int) -> str:
        assert chrom.removeprefix("chr") == self.chrom
        return "".join(self.patches.get(p + 1) or _base(p + 1) for p in range(start0, end))


def _base(pos1: int) -> str:
    """C everywhere else (CCC is proline: the CDS around the patch has no stop codon)."""
    return "C"


def _kit_genome() -> tuple[PatchReference, str, int]:
    """KIT exon 11 where c.1675-1677 repeat the last three intron 10 bases (CAG), so that the
    30-base deletion c.1648-3_1674del and c.1648_1677del are the same change."""
    exonic = KIT_550_558 + "CAG" + "GATCTT"
    patches = {KIT_E11 - 4: "T", KIT_E11 - 3: "C", KIT_E11 - 2: "A", KIT_E11 - 1: "G"}
    patches.update({KIT_E11 + i: b for i, b in enumerate(exonic)})
    end = model("KIT").cds_end  # the stop codon: the last three CDS bases (plus strand)
    patches.update({end - 2: "T", end - 1: "A", end: "A"})
    deleted = "CAG" + KIT_550_558
    return PatchReference("4", patches), deleted, KIT_E11 - 3


def test_left_and_right_shifted_kit_deletion_classify_alike_with_a_reference() -> None:
    reference, deleted, left = _kit_genome()
    kit = {"KIT": model("KIT")}
    written = {
        "left (across the acceptor)": (left - 1, reference.fetch("4", left - 2, left - 1) + deleted),
        "right (inside exon 11)": (left + 2, reference.fetch("4", left + 1, left + 2)
                                   + reference.fetch("4", left + 2, left + 32)),
    }  # fmt: skip
    results = set()
    for pos1, ref in written.values():
        anchor = ref[0]
        (call,) = classify_variant(kit, "4", pos1, ref, anchor, {}, reference)  # type: ignore[arg-type]
        results.add((call.classes, call.exon, call.hgvsc, call.hgvsp))
    # the HGVS 3' rule puts it inside exon 11: an in-frame deletion of codons 550-559 (its first
    # base is the exon's first: splice region too)
    assert results == {(("inframe_deletion", "splice_region"), 11, "c.1648_1677del",
                        "p.Lys550_Gln559del")}  # fmt: skip
    # without the reference each written form has readings, and every reading counts for KIT
    for pos1, ref in written.values():
        (call,) = classify_variant(kit, "4", pos1, ref, ref[0], {})
        (ev,) = annotate_events([_event(call, "4", pos1, ref, ref[0])], rule_set())
        assert ev.status == "called" and ev.rule_ids == ("KIT-ex11",)
        assert call.readings


def test_reference_fasta_in_the_pipeline_decides_the_kit_deletion(
    tmp_path: Path, write_vcf: VcfWriter
) -> None:
    """The same through read_small_variants with a FASTA file (pysam) built for the test."""
    from armmatch.calling.reference import FastaReference

    reference, deleted, left = _kit_genome()
    lo = left - 200
    seq = reference.fetch("4", lo - 1, model("KIT").cds_end + 10)  # to the stop codon
    fasta = tmp_path / "kit.fa"
    # contig 4 up to the window end: N before it (so positions stay genomic)
    body = "N" * (lo - 1) + seq
    fasta.write_text(
        ">4\n" + "\n".join(body[i : i + 1000] for i in range(0, len(body), 1000)) + "\n"
    )
    vcf = write_vcf([("chr4", str(left - 1), reference.fetch("4", left - 2, left - 1) + deleted,
                      reference.fetch("4", left - 2, left - 1), "PASS", ".", SAMPLE)],
                    csq_header=False)  # fmt: skip
    with FastaReference(fasta) as ref:
        (e,) = read(vcf, reference=ref)
    assert (e.hgvsc, e.exon, e.variant_class, e.rule_ids) == (
        "c.1648_1677del",
        11,
        "inframe_deletion&splice_region",
        ("KIT-ex11",),
    )
    assert e.hgvsp == "p.Lys550_Gln559del"
    assert not e.readings


def test_insertion_whose_place_changes_its_class_is_for_review(write_vcf: VcfWriter) -> None:
    """ERBB2 Y772_A775dup as VEP's input writes it, 5 bases into exon 20: without annotation
    or reference it could sit in a repeat reaching the intron 19 acceptor."""
    vcf = write_vcf([("chr17", "39724730", "C", "CATACGTGATGGC", "PASS", ".", SAMPLE)],
                    csq_header=False)  # fmt: skip
    (e,) = read(vcf)
    assert e.status == "indeterminate"
    assert "place in a possible repeat" in e.status_reason
    assert "as written: inframe_insertion -> pyrotinib-HER2-mut" in e.status_reason
    assert "splice_acceptor intron 19 -> no arm" in e.status_reason
    d = decision([e])
    assert d.status == "incomplete"
    her2 = next(a for a in d.arms if a.arm.arm_id == "pyrotinib-HER2-mut")
    assert her2.verdict == "indeterminate evidence"
    # the annotator's protein change (named with the sequence, 3' rule) decides it
    row = {"Allele": "ATACGTGATGGC"}
    m = model("ERBB2")
    entry = [row["Allele"], "inframe_insertion", "MODERATE", "ERBB2", "x", "Transcript",
             m.ensembl_transcript, "protein_coding", "20/27", "",
             f"{m.ensembl_transcript}:c.2313_2324dup", "ENSP1:p.Tyr772_Ala775dup", "YES",
             m.transcript, m.transcript]  # fmt: skip
    vep = write_vcf([("chr17", "39724730", "C", "CATACGTGATGGC", "PASS", "CSQ=" + csq(entry),
                      SAMPLE)], name="vep.vcf")  # fmt: skip
    (a,) = read(vep)
    assert (a.status, a.rule_ids, a.readings) == ("called", ("ERBB2-ex20ins",), ())


def test_a_vcf_anchor_base_rules_readings_out(write_vcf: VcfWriter) -> None:
    """The record's own REF bases are genome bases: a left shift they contradict is not tried."""
    m = model("KIT")
    first = m.exon(11).start0 + 1
    # delete c.1648_1650 (AAA); the anchor (last intron base) is G, not A: no left shift
    calls = classify_variant({"KIT": m}, "4", first - 1, "GAAA", "G", {})
    assert all("intron" not in r.variant_class for c in calls for r in c.readings)
    # a MAF row proves nothing about its flanks: the intron readings are tried
    calls = classify_variant({"KIT": m}, "4", first - 1, "GAAA", "G", {}, padded=False)
    assert any(r.intron == 10 for c in calls for r in c.readings)


# --- MET exon 14 acceptor region -----------------------------------------------------------------


@pytest.mark.parametrize(("first", "last", "counted"), [
    (-25, -16, True),  # polypyrimidine tract
    (-50, -46, True),  # branch-point region, the window's edge
    (-58, -55, False),  # just beyond the 50-base window: shown, not counted
])  # fmt: skip
def test_met_intron13_deletions_and_the_window(
    write_vcf: VcfWriter, first: int, last: int, counted: bool
) -> None:
    start = MET_E14 + first  # c.2888-25 = 25 bases before the acceptor's exon base
    n = last - first + 1
    vcf = write_vcf([("chr7", str(start - 1), "G" + "T" * n, "G", "PASS", ".", SAMPLE)],
                    csq_header=False)  # fmt: skip
    (e,) = read(vcf)
    assert (e.splice_exon, e.splice_offset, e.intron) == (14, last, 13)
    assert "intronic_deletion" in e.variant_class.split("&")
    assert e.hgvsc == f"c.2888{first}_2888{last}del"
    if counted:
        assert (e.status, e.rule_ids) == ("called", ("MET-ex14-acceptor",))
        assert arm_of([e]) == "crizotinib-MET-mut"
    else:
        assert (e.status, e.rule_ids) == ("called", ())
        assert arm_of([e]) == "sintilimab-PD1"


def test_met_window_is_a_rule_table_parameter(tmp_path: Path) -> None:
    from armmatch.knowledge.rule_table import load_rules

    text = Path(rule_set().path).read_text().replace("offset=-50..-1", "offset=-20..-1")
    path = tmp_path / "rules.tsv"
    path.write_text(text)
    rules = load_rules(path)
    assert rules.intronic_reach()["MET"] == 30
    (r,) = [r for r in rules.rules if r.rule_id == "MET-ex14-acceptor"]
    assert r.criterion["offset"] == "-20..-1"


def test_met_intron13_donor_side_is_not_exon_14(write_vcf: VcfWriter) -> None:
    """A splice site after exon 13 belongs to exon 13, not to exon 14 skipping."""
    donor13 = model("MET").exon(13).end + 1
    vcf = write_vcf([("chr7", str(donor13), "G", "A", "PASS", ".", SAMPLE)], csq_header=False)
    (e,) = read(vcf)
    assert (e.splice_exon, e.variant_class, e.rule_ids) == (13, "splice_donor", ())


# --- MAF as annotators write it ------------------------------------------------------------------


def test_maf_without_hgvsp_reads_braf_v600e_from_its_alleles(tmp_path: Path) -> None:
    row = BRAF_V600E.maf_row(with_hgvsp=False)
    (e,) = read(write_maf(tmp_path / "m.maf", [row]))
    assert (e.alteration, e.hgvsp, e.rule_ids, e.status) == (
        "V600E",
        "p.V600E",
        ("BRAF-V600",),
        "called",
    )
    assert any("gives no protein change" in n for n in e.notes)
    # the same row with the HGVSp columns removed altogether
    cols = [c for c in MAF_COLS if not c.startswith("HGVS")]
    (e2,) = read(write_maf(tmp_path / "n.maf", [row], cols))
    assert e2.rule_ids == ("BRAF-V600",)


@pytest.mark.parametrize("protein", ["p.*927*", "p.X927_splice"])
def test_non_protein_maf_changes_are_never_truncating(tmp_path: Path, protein: str) -> None:
    """genome-nexus / vcf2maf write these for splice and non-coding rows: not stop gains."""
    m = model("BRCA2")
    intron = m.exon(11).end + 40  # deep in intron 11: nothing to count
    row = {"Hugo_Symbol": "BRCA2", "NCBI_Build": "GRCh38", "Chromosome": "13",
           "Start_Position": str(intron), "End_Position": str(intron),
           "Variant_Classification": "Intron", "Reference_Allele": "A", "Tumor_Seq_Allele1": "A",
           "Tumor_Seq_Allele2": "G", "Tumor_Sample_Barcode": "T1", "HGVSp_Short": protein,
           "t_depth": "100", "t_alt_count": "40"}  # fmt: skip
    events = read(write_maf(tmp_path / "b.maf", [row]))
    assert not [e for e in events if e.rule_ids or "stop_gained" in (e.variant_class or "")]
    assert parse_protein_change("p.*927*").kind == "synonymous"


def test_maf_stop_retained_with_coordinates_is_not_truncating(tmp_path: Path) -> None:
    m = model("BRCA1")
    row = {"Hugo_Symbol": "BRCA1", "NCBI_Build": "GRCh38", "Chromosome": "17",
           "Start_Position": str(m.exon(10).start0 + 500), "Variant_Classification": "Silent",
           "Reference_Allele": "A", "Tumor_Seq_Allele2": "G", "HGVSp_Short": "p.*1864*",
           "Tumor_Sample_Barcode": "T1", "t_depth": "100", "t_alt_count": "40"}  # fmt: skip
    events = read(write_maf(tmp_path / "s.maf", [row], list(row)))
    assert not [e for e in events if e.status == "called" and e.rule_ids]


def test_oncokb_style_maf_is_read_at_protein_level(tmp_path: Path) -> None:
    cols = ["Tumor_Sample_Barcode", "Hugo_Symbol", "Variant_Classification", "HGVSp_Short"]
    rows = [{"Tumor_Sample_Barcode": "T1", "Hugo_Symbol": "EGFR",
             "Variant_Classification": "In_Frame_Del", "HGVSp_Short": "p.E746_A750del"},
            {"Tumor_Sample_Barcode": "T1", "Hugo_Symbol": "BRAF",
             "Variant_Classification": "Missense_Mutation", "HGVSp_Short": "V600E"}]  # fmt: skip
    path = write_maf(tmp_path / "oncokb.txt", rows, cols)
    assert is_maf(str(path))
    egfr, braf = read(path, policy=SmallVariantPolicy(accept_unknown_vaf=True))
    assert (egfr.exon, egfr.rule_ids, egfr.pos1) == (19, ("EGFR-ex19del",), None)
    assert (braf.alteration, braf.rule_ids) == ("V600E", ("BRAF-V600",))
    assert "no genomic check" in egfr.notes[0]
    # no counts in the whole file: they count by default (the decision says so), or are for
    # review with small_variants.unknown_vaf: review
    assert {e.status for e in read(path)} == {"called"}
    strict = read(path, policy=SmallVariantPolicy(unknown_vaf="review"))
    assert {e.status for e in strict} == {"indeterminate"}
    assert "VAF unknown" in strict[0].status_reason


@pytest.mark.bad_input
@pytest.mark.parametrize(("cells", "problem"), [
    ({"Start_Position": "abc"}, "Start_Position 'abc' is not a position"),
    ({"Start_Position": "", "HGVSp_Short": ""}, "neither a position with alleles nor a protein change"),
    ({"Start_Position": "", "HGVSp_Short": "p.nonsense"}, "protein change cannot be read"),
    ({"Reference_Allele": "A", "Tumor_Seq_Allele2": "A", "Tumor_Seq_Allele1": "A"}, "not a change of bases"),
    ({"Tumor_Seq_Allele2": "<DEL>"}, "not a change of bases"),
])  # fmt: skip
def test_broken_maf_rows_stop_with_the_line(
    tmp_path: Path, cells: dict[str, str], problem: str
) -> None:
    row = BRAF_V600E.maf_row(with_hgvsp=False)
    row.update(cells)
    path = write_maf(tmp_path / "bad.maf", [BRAF_V600E.maf_row(with_hgvsp=True), row])
    with pytest.raises(InputError) as info:
        read(path)
    assert problem in info.value.problem and info.value.line == 4 and info.value.path == str(path)


def test_empty_position_with_a_protein_change_is_read_not_crashed(tmp_path: Path) -> None:
    row = BRAF_V600E.maf_row(with_hgvsp=True)
    row["Start_Position"] = ""
    (e,) = read(write_maf(tmp_path / "e.maf", [row]))
    assert (e.rule_ids, e.status, e.pos1) == (("BRAF-V600",), "called", None)


# --- VAF and depth from every common caller -----------------------------------------------------

CALLER_HEADERS = [
    '##FORMAT=<ID=FREQ,Number=1,Type=String,Description="VarScan">',
    '##FORMAT=<ID=AO,Number=A,Type=Integer,Description="FreeBayes alt">',
    '##FORMAT=<ID=RO,Number=1,Type=Integer,Description="FreeBayes ref">',
    '##FORMAT=<ID=AU,Number=2,Type=Integer,Description="Strelka">',
    '##FORMAT=<ID=TU,Number=2,Type=Integer,Description="Strelka">',
    '##FORMAT=<ID=ADT,Number=.,Type=String,Description="PCGR tumour counts">',
    '##INFO=<ID=TVAF,Number=.,Type=Float,Description="PCGR">',
    '##INFO=<ID=TDP,Number=.,Type=Integer,Description="PCGR">',
]


@pytest.mark.parametrize(("info", "fmt", "value", "vaf", "depth"), [
    (".", "GT:AF:DP", "0/1:0.31:80", 0.31, 80),  # Mutect2
    (".", "GT:AD", "0/1:70,30", 0.3, 100),  # GATK AD
    (".", "GT:FREQ:DP", "0/1:45.5%:200", 0.455, 200),  # VarScan
    (".", "GT:RO:AO", "0/1:75,25", 0.25, 100),  # FreeBayes (RO then AO)
    (".", "GT:AU:TU", "0/1:30,30:70,70", 0.7, 100),  # Strelka tier 1 (REF A: AU; ALT T: TU)
    (".", "GT:ADT", "0/1:21,8", 0.2759, 29),  # PCGR TCGA
    ("TVAF=0.25;TDP=28", "GT", "0/1", 0.25, 28),  # PCGR INFO
    ("DP=55", "GT", "0/1", None, 55),  # depth only: VAF not applied, depth is
])  # fmt: skip
def test_vaf_and_depth_from_each_caller(tmp_path: Path, info: str, fmt: str, value: str,
                                        vaf: float | None, depth: int) -> None:  # fmt: skip
    head = ["##fileformat=VCFv4.2", "##contig=<ID=chr7>",
            '##INFO=<ID=DP,Number=1,Type=Integer,Description="d">',
            '##FORMAT=<ID=GT,Number=1,Type=String,Description="g">',
            '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="a">',
            '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="d">',
            '##FORMAT=<ID=AF,Number=A,Type=Float,Description="f">', *CALLER_HEADERS,
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR"]  # fmt: skip
    rec = ["chr7", "140753336", ".", "A", "T", ".", "PASS", info, fmt, value]
    if "RO:AO" in fmt:
        rec[-1] = "0/1:75:25"
    path = tmp_path / "c.vcf"
    path.write_text("\n".join([*head, "\t".join(rec)]) + "\n")
    (e,) = read(path)
    assert (e.vaf, e.depth, e.status) == (vaf, depth, "called")


def test_a_file_without_any_vaf_counts_provisionally(write_vcf: VcfWriter) -> None:
    """A sites-only VCF (no VAF, no depth anywhere): the variant counts, and the decision is
    provisional, naming the thresholds it could not apply (small_variants.unknown_vaf: count)."""
    vcf = write_vcf([("chr7", "140753336", "A", "T", "PASS", ".")], samples=(), csq_header=False)
    (ok,) = read(vcf)
    assert (ok.status, ok.rule_ids) == ("called", ("BRAF-V600",))
    assert any("not reported" in n for n in ok.notes)
    d = decision([ok])
    assert d.arm is not None and d.arm.arm_id == "vemurafenib-BRAF"
    assert any("min_vaf and min_depth could not be applied" in p for p in d.provisional)
    # unknown_vaf: review keeps it for the board
    (e,) = read(vcf, policy=SmallVariantPolicy(unknown_vaf="review"))
    assert e.status == "indeterminate" and e.status_reason.startswith("indeterminate: VAF unknown")
    assert "min_vaf 0.05" in e.status_reason
    d = decision([e])
    assert d.status == "incomplete"  # never silently negative, never PD-1
    braf = next(a for a in d.arms if a.arm.arm_id == "vemurafenib-BRAF")
    assert braf.verdict == "indeterminate evidence"


def test_a_record_without_vaf_among_records_with_it_is_for_review(write_vcf: VcfWriter) -> None:
    vcf = write_vcf([("chr7", "140753336", "A", "T", "PASS", ".", "0/1:.:."),
                     ("chr7", "55191822", "T", "G", "PASS", ".", SAMPLE)],
                    csq_header=False)  # fmt: skip
    events = read(vcf)
    braf = next(e for e in events if e.gene == "BRAF")
    egfr = next(e for e in events if e.gene == "EGFR")
    assert egfr.status == "called" and egfr.vaf == 0.4
    assert braf.status == "indeterminate"
    assert "while other records of the file do" in braf.status_reason


@pytest.mark.parametrize(("cells", "vaf", "status"), [
    ({"t_depth": "0", "t_alt_count": "", "t_ref_count": ""}, None, "called"),  # 0 = not given
    ({"t_depth": "", "t_alt_count": "", "tumor_f": "0.31"}, 0.31, "called"),
    ({"t_depth": "", "t_alt_count": "", "Tumor_VAF": "0.02"}, 0.02, "filtered"),
])  # fmt: skip
def test_maf_allele_fraction_columns_and_empty_depth(
    tmp_path: Path, cells: dict[str, str], vaf: float | None, status: str
) -> None:
    row = BRAF_V600E.maf_row(with_hgvsp=True)
    row.update(cells)
    cols = list(row)
    (e,) = read(write_maf(tmp_path / "v.maf", [row], cols))
    assert (e.vaf, e.status) == (vaf, status), e.status_reason


@pytest.mark.bad_input
def test_maf_allele_fractions_that_disagree_stop_the_patient(tmp_path: Path) -> None:
    row = BRAF_V600E.maf_row(with_hgvsp=True)
    row.update({"t_depth": "", "t_alt_count": "", "tumor_f": "0.31", "VAF": "0.4"})
    with pytest.raises(InputError, match="different allele fractions in tumor_f=0.31, VAF=0.4"):
        read(write_maf(tmp_path / "v.maf", [row], list(row)))


# --- BRCA1/2 beyond the truncating classes ------------------------------------------------------


def test_brca_missense_vus_is_shown_not_counted(write_vcf: VcfWriter) -> None:
    m = model("BRCA2")
    pos = m.exon(11).start0 + 800
    entry = ["G", "missense_variant", "MODERATE", "BRCA2", "x", "Transcript", m.ensembl_transcript,
             "protein_coding", "11/27", "", f"{m.ensembl_transcript}:c.2700A>G",
             "ENSP1:p.Ile900Val", "YES", m.transcript, m.transcript]  # fmt: skip
    vcf = write_vcf([("chr13", str(pos), "A", "G", "PASS", "CSQ=" + csq(entry), SAMPLE)])
    (e,) = read(vcf)
    assert (e.status, e.rule_ids) == ("called", ())
    assert arm_of([e]) == "sintilimab-PD1"


@pytest.mark.parametrize("offset", [3, 8, 15, 20, -3, -12, -20])
def test_brca_splice_region_vus_is_for_review(write_vcf: VcfWriter, offset: int) -> None:
    m = model("BRCA2")
    e11 = m.exon(11)
    pos = e11.end + offset if offset > 0 else e11.start0 + 1 + offset
    vcf = write_vcf([("chr13", str(pos), "A", "G", "PASS", ".", SAMPLE)], csq_header=False)
    (e,) = read(vcf)
    assert e.status == "indeterminate"
    assert "possible splice effect: review" in e.status_reason
    assert e.splice_offset == offset
    d = decision([e])
    assert d.status == "incomplete" and d.arm is None  # never silently the PD-1 arm
    niraparib = next(a for a in d.arms if a.arm.arm_id == "niraparib-BRCA")
    assert niraparib.verdict == "indeterminate evidence"
    assert "possible splice effect" in niraparib.reason


def test_brca_intron_variant_beyond_20_is_not_listed(write_vcf: VcfWriter) -> None:
    m = model("BRCA2")
    vcf = write_vcf([("chr13", str(m.exon(11).end + 45), "A", "G", "PASS", ".", SAMPLE)],
                    csq_header=False)  # fmt: skip
    assert read(vcf) == []


def test_brca_last_exon_bases_and_unknown_protein_are_for_review(write_vcf: VcfWriter) -> None:
    m = model("BRCA2")
    last = m.exon(11).end - 1  # second-last base of exon 11
    entry = ["G", "missense_variant&splice_region_variant", "MODERATE", "BRCA2", "x", "Transcript",
             m.ensembl_transcript, "protein_coding", "11/27", "", "", "", "YES", m.transcript,
             m.transcript]  # fmt: skip
    vcf = write_vcf([("chr13", str(last), "A", "G", "PASS", "CSQ=" + csq(entry), SAMPLE)])
    (e,) = read(vcf)
    assert e.status == "indeterminate" and "review" in e.status_reason
    # an in-exon coding record the annotator gave no protein change for
    entry2 = ["G", "coding_sequence_variant", "MODIFIER", "BRCA2", "x", "Transcript",
              m.ensembl_transcript, "protein_coding", "11/27", "", "", "", "YES", m.transcript,
              m.transcript]  # fmt: skip
    vcf2 = write_vcf([("chr13", str(m.exon(11).start0 + 900), "A", "G", "PASS",
                       "CSQ=" + csq(entry2), SAMPLE)], name="u.vcf")  # fmt: skip
    (u,) = read(vcf2)
    assert u.status == "indeterminate" and "protein change not given: review" in u.status_reason
    # a truncating variant in the same place still counts (the review rules never do)
    trunc = ["T", "stop_gained", "HIGH", "BRCA2", "x", "Transcript", m.ensembl_transcript,
             "protein_coding", "11/27", "", "", "ENSP1:p.Lys1000Ter", "YES", m.transcript,
             m.transcript]  # fmt: skip
    vcf3 = write_vcf([("chr13", str(m.exon(11).start0 + 900), "A", "T", "PASS",
                       "CSQ=" + csq(trunc), SAMPLE)], name="t3.vcf")  # fmt: skip
    (t,) = read(vcf3)
    assert (t.status, t.rule_ids) == ("called", ("BRCA2-trunc",))
    assert arm_of([t]) == "niraparib-BRCA"


def test_protein_unknown_at_a_rule_codon_is_for_review(write_vcf: VcfWriter) -> None:
    """A BRAF codon 600 substitution the hotspot table does not list (c.1798G>A, V600M) in an
    unannotated VCF: the codon rule cannot be ruled out."""
    vcf = write_vcf([("chr7", "140753337", "C", "T", "PASS", ".", SAMPLE)], csq_header=False)
    events = read(vcf)
    assert [e.status for e in events] == ["indeterminate"]
    d = decision(events)
    assert d.status == "incomplete"
    braf = next(a for a in d.arms if a.arm.arm_id == "vemurafenib-BRAF")
    assert braf.verdict == "indeterminate evidence"


def test_report_says_how_much_the_brca_table_knows() -> None:
    from armmatch.knowledge.brca_table import default_table_path, load_table
    from armmatch.knowledge.manifest import knowledge_record, load_manifest, resource_files
    from armmatch.paths import RESOURCE_DIR
    from armmatch.report.html import patient_html
    from armmatch.run.pipeline import assign_patient, detect_small_variants
    from tests.conftest import example_patient

    patient = example_patient("PLT-004")
    manifest = load_manifest(RESOURCE_DIR / "manifest.tsv")
    knowledge = knowledge_record(manifest, {}, present=resource_files(manifest.folder))
    small = detect_small_variants(patient, build="GRCh38", rules=rule_set(), settings=SETTINGS)
    record = assign_patient(patient, [small], rules=rule_set(), settings=SETTINGS, build="GRCh38",
                            sheet="samples.tsv", knowledge=knowledge)  # fmt: skip
    listed = record.provenance.resources["brca_classifications"]
    table = load_table(default_table_path())
    assert listed["version"] == table.version and listed["release"] == table.release
    assert listed["counts"]["BRCA2"].startswith("20580 variants: benign 778,")
    assert listed["min_stars"] == 2 and listed["lof_rules"]["version"] == "2026.12-1"
    html = patient_html(record)
    assert "BRCA1/2 variants are decided by the classification table brca_classifications" in html
    assert "4898 variants" in html and "at 2 or more review stars" in html


def test_a_board_resolves_a_brca_splice_vus_with_a_custom_list(
    write_vcf: VcfWriter, tmp_path: Path
) -> None:
    """The review is settled by a classification the lab adds to its own list (or an override)."""
    m = model("BRCA2")
    pos = m.exon(11).end + 15
    vcf = write_vcf([("chr13", str(pos), "A", "G", "PASS", ".", SAMPLE)], csq_header=False)
    (raw,) = read(vcf)
    assert raw.hgvsc == "c.6841+15A>G" and raw.status == "indeterminate"
    custom = tmp_path / "brca.tsv"
    custom.write_text(
        "gene\tbuild\tallele\thgvsc\tclassification\treason\tclassified_by\tdate\n"
        "BRCA2\t\t\tc.6841+15A>G\tlikely_pathogenic\tRNA study, board 2026-12-03\tboard\t"
        "2026-12-03\n", encoding="utf-8")  # fmt: skip
    settings = settings_from_config({"samples": "s.tsv",
                                     "brca_classification": {"custom": str(custom)}})  # fmt: skip
    rules = rule_set()
    ev = read_small_variants(str(vcf), patient="P", build="GRCh38", genes=rules.genes(),
                             preferred=preferred_transcripts(MODELS), vcf_sample=None,
                             policy=SmallVariantPolicy(),
                             intronic_reach=intronic_reach(rules, settings))  # fmt: skip
    (e,) = decide_events(ev.events, rules=rules, settings=settings, build="GRCh38")
    assert (e.status, e.rule_ids) == ("called", ("BRCA2-path",))
    assert "RNA study, board 2026-12-03 (board)" in e.classification_evidence
    assert arm_of([e]) == "niraparib-BRCA"
