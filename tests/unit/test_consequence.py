"""The built-in classifier (no annotation, no reference sequence) on the bundled transcripts."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from armmatch.calling.alleles import Allele, revcomp, trim
from armmatch.calling.consequence import NEEDS_ANNOTATION, classify_variant, splice_class
from armmatch.calling.small_variants import read_small_variants
from armmatch.config import SmallVariantPolicy
from armmatch.decision.assignment import _could_match
from armmatch.knowledge.hotspots import default_hotspots_path, load_hotspots
from armmatch.run.pipeline import gene_models, rule_set
from tests.conftest import VcfWriter, decided

HOTSPOTS = load_hotspots(default_hotspots_path())
BASES = "TCAG"
CODE = dict(zip((a + b + c for a in BASES for b in BASES for c in BASES),
                "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG", strict=True))  # fmt: skip


def _models(build: str = "GRCh38") -> dict[str, object]:
    m = gene_models(build)
    return {g: x for g in m.genes() if (x := m.get(g)) is not None}


def test_every_hotspot_row_translates_to_its_protein_change() -> None:
    """Some codon of the reference residue, with the stated bases changed, gives the new residue."""
    assert sum(len(v) for v in HOTSPOTS.values()) >= 20
    for rows in HOTSPOTS.values():
        for h in rows:
            ref_aa, codon, alt_aa = h.protein[0], int(h.protein[1:-1]), h.protein[-1]
            first = 3 * codon - 2
            assert first <= h.c_start <= h.c_end <= first + 2, h
            ok = False
            for triplet in (c for c, aa in CODE.items() if aa == ref_aa):
                i, j = h.c_start - first, h.c_end - first + 1
                if h.ref and triplet[i:j] != h.ref:
                    continue
                new = triplet[:i] + h.alt + triplet[j:]
                ok = ok or CODE[new] == alt_aa
            assert ok, h


def test_hotspots_on_both_builds_give_the_same_calls() -> None:
    # BRAF V600E GRCh37 / GRCh38 (PCGR); EGFR L858R GRCh38 (VEP truth)
    for build, pos in (("GRCh37", 140453136), ("GRCh38", 140753336)):
        (call,) = classify_variant(_models(build), "7", pos, "A", "T", HOTSPOTS)  # type: ignore[arg-type]
        assert (call.gene, call.hgvsp, call.exon, call.status) == ("BRAF", "p.V600E", 15, "called")


def test_every_hotspot_is_found_at_its_computed_genomic_position() -> None:
    for build in ("GRCh37", "GRCh38"):
        models = _models(build)
        for gene, rows in HOTSPOTS.items():
            model = models[gene]
            for h in rows:
                pos = [p for p in range(model.cds_start0 + 1, model.cds_end + 1)
                       if model.cds_position(p) in (h.c_start, h.c_end)]  # type: ignore[attr-defined]  # fmt: skip
                lo = min(pos)
                alt = h.alt if model.strand == "+" else revcomp(h.alt)  # type: ignore[attr-defined]
                ref = (h.ref if model.strand == "+" else revcomp(h.ref)) or "N" * len(alt)  # type: ignore[attr-defined]
                calls = classify_variant(models, model.chrom, lo, ref, alt, HOTSPOTS)  # type: ignore[arg-type, attr-defined]
                assert [c.alteration for c in calls] == [h.protein], (build, h)


def test_trim_and_kinds() -> None:
    assert trim(10, "CTG", "CAG") == Allele(11, "T", "A")
    assert trim(5, "ACT", "A").kind == "deletion"
    assert trim(5, "G", "GG").kind == "insertion"
    assert trim(5, "GTG", "AAG").kind == "mnv"
    assert trim(5, "A", "A").kind == "none"


def test_splice_sites_of_met_exon14() -> None:
    met = gene_models("GRCh38").get("MET")
    assert met is not None
    last = 116771989  # last base of exon 14 (plus strand)
    assert splice_class(met, last) == "splice_region"
    assert splice_class(met, last + 1) == "splice_donor"
    assert splice_class(met, last + 2) == "splice_donor"
    assert splice_class(met, last + 3) == "splice_region"
    assert splice_class(met, last + 9) is None
    first = met.exon(14).start0 + 1
    assert splice_class(met, first - 1) == "splice_acceptor"
    (call,) = classify_variant(_models(), "7", last + 1, "G", "A", HOTSPOTS)  # type: ignore[arg-type]
    assert (call.variant_class, call.intron, call.status) == ("splice_donor", 14, "called")
    rules = rule_set()
    assert [r.rule_id for r in rules.rules if r.category == "mutation" and _fires(r, call)] == [
        "MET-ex14-intron"
    ]


def _fires(rule, call) -> bool:  # type: ignore[no-untyped-def]
    from armmatch.decision.rules import rule_matches
    from armmatch.events import Event, SourceRecord

    e = Event(call.gene, "mutation", call.alteration, SourceRecord("x", 1, ""), exon=call.exon,
              intron=call.intron, variant_class=call.variant_class, hgvsp=call.hgvsp,
              splice_exon=call.splice_exon, splice_offset=call.splice_offset)  # fmt: skip
    return rule_matches(rule, e)


def test_brca_coding_snv_is_indeterminate_never_absent(write_vcf: VcfWriter) -> None:
    # BRCA2 c.1813 region (plus strand, exon 10): a substitution may be nonsense: needs annotation
    # (c.1813A>C: not in the bundled classification table; A>T is, as conflicting)
    path = write_vcf([("chr13", "32333291", "A", "C", "PASS", "DP=100", "0/1:50,50:100")],
                     csq_header=False)  # fmt: skip
    rules = rule_set()
    ev = read_small_variants(str(path), patient="P", build="GRCh38", genes=rules.genes(), preferred={},
                             vcf_sample="TUMOR", policy=SmallVariantPolicy())  # fmt: skip
    (e,) = decided(ev.events, rules, "GRCh38")
    assert (e.gene, e.status, e.status_reason, e.rule_ids) == (
        "BRCA2",
        "indeterminate",
        NEEDS_ANNOTATION,
        (),
    )
    brca2 = next(r for r in rules.rules if r.rule_id == "BRCA2-trunc")
    assert _could_match(brca2, e)


def test_mnv_and_delins_encoding_hotspots(write_vcf: VcfWriter) -> None:
    # BRAF V600E as a 2-base MNV (GRCh38 minus strand: c.1799_1800 TG>AA = genomic CA>TT)
    # and V600K c.1798_1799delinsAA = genomic 140753336-7 AC>TT; EGFR L747_S752delinsQ-like delins
    path = write_vcf([("chr7", "140753335", "CA", "TT", "PASS", ".", "0/1:50,50:100"),
                      ("chr7", "140753336", "AC", "TT", "PASS", ".", "0/1:50,50:100"),
                      ("chr7", "55174775", "ATTAAGAGAAGCAACATCT", "ACAA", "PASS", ".", "0/1:50,50:100")],
                     csq_header=False)  # fmt: skip
    rules = rule_set()
    ev = read_small_variants(str(path), patient="P", build="GRCh38", genes=rules.genes(), preferred={},
                             vcf_sample="TUMOR", policy=SmallVariantPolicy())  # fmt: skip
    events = decided(ev.events, rules, "GRCh38")
    assert [(e.alteration, e.rule_ids) for e in events[:2]] == [
        ("V600E", ("BRAF-V600",)),
        ("V600K", ("BRAF-V600",)),
    ]
    assert events[2].exon == 19 and events[2].rule_ids == ("EGFR-ex19del",)
    assert "inframe_delins" in (events[2].variant_class or "")


# --- normalisation property: padding does not change the classification -----------------------

TARGETS = [("7", 140753336, "A", "T"), ("7", 55191822, "T", "G"), ("17", 43124027, "ACT", "A"),
           ("7", 55174771, "AGGAATTAAGAGAAGC", "A"), ("17", 39724730, "C", "CATACGTGATGGC"),
           ("7", 116771989, "G", "C"), ("7", 116771990, "G", "A")]  # fmt: skip


def _summary(calls: list) -> list[tuple]:  # type: ignore[type-arg]
    return [(c.gene, c.status, c.variant_class, c.exon, c.intron, c.hgvsp) for c in calls]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(TARGETS), st.text(BASES, max_size=4), st.text(BASES, max_size=4))
def test_padding_does_not_change_the_classification(target: tuple[str, int, str, str], left: str,
                                                     right: str) -> None:  # fmt: skip
    chrom, pos, ref, alt = target
    models = _models()
    plain = classify_variant(models, chrom, pos, ref, alt, HOTSPOTS)  # type: ignore[arg-type]
    a = trim(pos, ref, alt)
    # pad the trimmed allele with arbitrary flanking bases that cannot be trimmed back into it
    if a.alt and a.ref:
        ok_left = not left or (left[-1] != a.ref[0] or left[-1] != a.alt[0])
    else:
        seq = a.ref or a.alt
        ok_left = not left or left[-1] != seq[-1]
        right = "" if right and right[0] == seq[0] else right
    if not ok_left:
        left = ""
    if not (a.ref and a.alt) and not left:
        seq = a.ref or a.alt
        left = next(b for b in BASES if b != seq[-1])  # a VCF indel needs an anchor base
    padded = classify_variant(models, chrom, a.pos1 - len(left), left + a.ref + right,
                              left + a.alt + right, HOTSPOTS)  # type: ignore[arg-type]  # fmt: skip
    assert _summary(padded) == _summary(plain)
    assert plain


def test_symbolic_alleles_are_ignored() -> None:
    assert classify_variant(_models(), "7", 140753336, "A", "<DEL>", HOTSPOTS) == []  # type: ignore[arg-type]
    assert itertools is not None and Path is not None


# --- annotation versus built-in ------------------------------------------------------------------


def _annotated(write_vcf: VcfWriter, entry: list[str]) -> list:  # type: ignore[type-arg]
    from tests.conftest import csq

    path = write_vcf([("chr17", "39724730", "C", "CATACGTGATGGC", "PASS", "CSQ=" + csq(entry),
                       "0/1:50,50:100")])  # fmt: skip
    rules = rule_set()
    ev = read_small_variants(str(path), patient="P", build="GRCh38", genes=rules.genes(),
                             preferred={"ERBB2": ("NM_004448.4", "NM_004448")}, vcf_sample="TUMOR",
                             policy=SmallVariantPolicy())  # fmt: skip
    return decided(ev.events, rules, "GRCh38")


def test_exon20_insertion_called_splice_region_by_the_annotator(write_vcf: VcfWriter) -> None:
    entry = ["ATACGTGATGGC", "splice_region_variant&intron_variant", "LOW", "ERBB2", "", "Transcript",
             "NM_004448.4", "protein_coding", "", "19/26", "", "", "YES", "", ""]  # fmt: skip
    (e,) = _annotated(write_vcf, entry)
    # built-in wins for the frame class (by length) and fills in the exon the annotation lacks
    assert "inframe_insertion" in (e.variant_class or "") and "splice_region" in (
        e.variant_class or ""
    )
    assert e.exon == 20 and e.rule_ids == ("ERBB2-ex20ins",)
    (note,) = [n for n in e.notes if n.startswith("annotation vs built-in")]
    assert "splice_region_variant" not in note and "annotation splice_region&intron" in note


def test_agreeing_annotation_has_no_disagreement_note(write_vcf: VcfWriter) -> None:
    entry = ["ATACGTGATGGC", "inframe_insertion", "MODERATE", "ERBB2", "", "Transcript", "NM_004448.4",
             "protein_coding", "20/27", "", "", "NP_004439.2:p.Tyr772_Ala775dup", "YES", "", ""]  # fmt: skip
    (e,) = _annotated(write_vcf, entry)
    assert e.alteration == "Y772_A775dup" and e.rule_ids == ("ERBB2-ex20ins",)
    assert not [n for n in e.notes if n.startswith("annotation vs built-in")]


def test_other_transcript_exon_number_is_replaced_by_the_bundled_one(write_vcf: VcfWriter) -> None:
    entry = ["ATACGTGATGGC", "inframe_insertion", "MODERATE", "ERBB2", "", "Transcript",
             "ENST00000999999", "protein_coding", "21/28", "", "", "p.Tyr802_Ala805dup", "", "", ""]  # fmt: skip
    (e,) = _annotated(write_vcf, entry)
    assert e.exon == 20 and e.alteration == "Y802_A805dup"  # protein change: the annotation's
    assert any("exon 21" in n and "kept" in n for n in e.notes)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([("EGFR", 19), ("EGFR", 20), ("ERBB2", 20), ("BRCA1", 10), ("BRCA2", 11), ("KIT", 11)]),
       st.integers(1, 9), st.integers(0, 40), st.integers(0, 40), st.booleans())  # fmt: skip
def test_right_shifted_indels_in_one_exon_classify_the_same(
    target: tuple[str, int], length: int, offset: int, shift: int, insertion: bool
) -> None:
    """Within a repeat the same indel can be written at several positions (left-aligned or
    3'-shifted); while they stay inside one coding exon the class and exon do not change."""
    gene, number = target
    model = gene_models("GRCh38").get(gene)
    assert model is not None
    exon = model.exon(number)
    lo, hi = max(exon.start0, model.cds_start0) + 4, min(exon.end, model.cds_end) - 4  # 0-based
    first = lo + 1 + offset  # 1-based anchor base
    if first + shift + length + 1 > hi:
        return
    models = _models()

    def at(pos: int) -> list[tuple]:  # type: ignore[type-arg]
        ref, alt = ("A", "A" + "C" * length) if insertion else ("A" + "C" * length, "A")
        return [
            s[:-1] for s in _summary(classify_variant(models, model.chrom, pos, ref, alt, HOTSPOTS))
        ]  # type: ignore[arg-type]

    assert at(first) == at(first + shift)
    assert at(first)[0][2] == (
        "frameshift" if length % 3 else ("inframe_insertion" if insertion else "inframe_deletion")
    )


def test_utr_and_deep_intron_give_nothing_and_cds_edge_is_indeterminate() -> None:
    models = _models()
    egfr = gene_models("GRCh38").get("EGFR")
    assert egfr is not None
    utr = egfr.tx_start0 + 5  # 5' UTR of exon 1 (plus strand)
    assert classify_variant(models, "7", utr, "AC", "A", HOTSPOTS) == []  # type: ignore[arg-type]
    intron = egfr.exon(19).end + 200
    assert classify_variant(models, "7", intron, "A", "G", HOTSPOTS) == []  # type: ignore[arg-type]
    start = egfr.cds_start0 + 1  # c.1: a deletion from the UTR into the start codon
    (call,) = classify_variant(models, "7", start - 3, "ACGTA", "A", HOTSPOTS)  # type: ignore[arg-type]
    assert (call.status, call.status_reason) == ("indeterminate", NEEDS_ANNOTATION)
