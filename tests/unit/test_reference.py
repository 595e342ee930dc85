"""Reference-FASTA mode: codon-level consequences, HGVS p., normalisation and REF checks.

No real genome is available offline: every test builds a synthetic chromosome (and FASTA in
tmp_path) around a synthetic gene model with several exons, on the plus or the minus strand.
"""

from __future__ import annotations

import random
from pathlib import Path

import pysam
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armmatch.calling.alleles import Allele, revcomp, trim
from armmatch.calling.consequence import NEEDS_ANNOTATION, classify_variant
from armmatch.calling.reference import (
    MISMATCH_PROBLEM,
    DictReference,
    FastaReference,
    coding_change,
    left_align,
    ref_mismatch,
    right_align,
    translate,
)
from armmatch.config import load_config_file, settings_from_config, validate_config
from armmatch.errors import ConfigError, InputError
from armmatch.knowledge.transcripts import Exon, GeneModel, GeneModels
from armmatch.patient import Patient
from tests.conftest import REPO, VcfWriter, decided

# codon:  1   2   3   4   5   6   7   8   9   10  11  12  13  14  15  16  17  18  19  20  stop
CDS = "ATG GCT CAG AAA CTG CTG CTG GAA TGG CGT TCT CAG GGC GAC GTG CCA ACC TAC AAC ATC TAA"
CDS = CDS.replace(" ", "")
UTR5 = "GCCGCCACCA"
UTR3 = "GGCTTCAGCTAGTTAACTGAGCC"
PROTEIN = "MAQKLLLEWRSQGDVPTYNI*"
EXON_ENDS = (18, 50)  # transcript offsets where exons 1 and 2 end: c.1-8 | c.9-40 | c.41-...


def _filler(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("ACGT") for _ in range(n))


def synthetic_gene(strand: str, gene: str = "BRCA2", chrom: str = "13") -> tuple[str, GeneModel]:
    """A chromosome and a three-exon model whose transcript is UTR5 + CDS + UTR3."""
    transcript = UTR5 + CDS + UTR3
    cuts = (0, *EXON_ENDS, len(transcript))
    pieces = [transcript[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
    introns = ["GTAAGT" + _filler(20, i) + "TTTCAG" for i in range(len(pieces) - 1)]
    construct, spans, pos = _filler(60, 99), [], 60
    for k, piece in enumerate(pieces):
        spans.append((pos, pos + len(piece)))
        construct += piece
        pos += len(piece)
        if k < len(introns):
            construct += introns[k]
            pos += len(introns[k])
    construct += _filler(60, 98)

    def genomic(t: int) -> int:  # transcript offset -> construct offset
        for (s, _e), (a, b) in zip(spans, zip(cuts, cuts[1:], strict=False), strict=True):
            if a <= t < b:
                return s + t - a
        raise AssertionError(t)

    cds0, cds_last = genomic(len(UTR5)), genomic(len(UTR5) + len(CDS) - 1)
    n = len(construct)
    if strand == "+":
        exons = tuple(Exon(i + 1, s, e) for i, (s, e) in enumerate(spans))
        seq, cds_start0, cds_end = construct, cds0, cds_last + 1
    else:
        exons = tuple(Exon(i + 1, n - e, n - s) for i, (s, e) in enumerate(spans))
        seq, cds_start0, cds_end = revcomp(construct), n - 1 - cds_last, n - cds0
    lo, hi = min(e.start0 for e in exons), max(e.end for e in exons)
    model = GeneModel(gene, "NM_TEST.1", "NM_TEST", "", chrom, strand, lo, hi, cds_start0,
                      cds_end, exons)  # fmt: skip
    return seq, model


def genome_pos(model: GeneModel, c: int) -> int:
    """1-based genomic position of coding base c.``c``."""
    for p in range(model.tx_start0 + 1, model.tx_end + 1):
        if model.cds_position(p) == c:
            return p
    raise AssertionError(c)


def vcf_change(seq: str, model: GeneModel, c: int, alt_coding: str) -> tuple[int, str, str]:
    """The VCF (pos1, REF, ALT) of substituting coding base c.``c`` by ``alt_coding``."""
    p = genome_pos(model, c)
    alt = alt_coding if model.strand == "+" else revcomp(alt_coding)
    return p, seq[p - 1], alt


# --- the genetic code and protein naming (pure functions) -------------------------------------


def test_synthetic_cds_translates() -> None:
    assert translate(CDS) == PROTEIN


@pytest.mark.parametrize(
    ("c_start", "c_end", "alt", "classes", "hgvsp"),
    [
        (34, 34, "T", ("stop_gained",), "p.Gln12Ter"),  # CAG -> TAG
        (35, 35, "T", ("missense",), "p.Gln12Leu"),  # CAG -> CTG
        (36, 36, "A", ("synonymous",), "p.Gln12="),  # CAG -> CAA
        (26, 26, "A", ("stop_gained",), "p.Trp9Ter"),  # TGG -> TGA
        (2, 2, "C", ("start_lost",), "p.Met1?"),
        (
            62,
            62,
            "C",
            ("stop_lost",),
            "p.Ter21SerextTer4",
        ),  # TAA>TCA; UTR GGC TTC AGC TAG: Ter 4 on
        (28, 30, "GAT", ("missense",), "p.Arg10Asp"),  # MNV in one codon
        (29, 31, "AAA", ("missense", "inframe_delins"), "p.Arg10_Ser11delinsGlnThr"),
        (19, 21, "", ("inframe_deletion",), "p.Leu7del"),
        (22, 21, "CTG", ("inframe_insertion",), "p.Leu7dup"),
        (22, 21, "TGG", ("inframe_insertion",), "p.Leu7_Glu8insTrp"),
        (25, 27, "", ("inframe_deletion",), "p.Trp9del"),
        (10, 15, "", ("inframe_deletion",), "p.Lys4_Leu5del"),
        (13, 18, "GAC", ("inframe_delins", "inframe_deletion"), "p.Leu5_Leu6delinsAsp"),
        (31, 30, "TAG", ("stop_gained", "inframe_insertion"), "p.Ser11Ter"),
    ],
)
def test_coding_change_names(
    c_start: int, c_end: int, alt: str, classes: tuple[str, ...], hgvsp: str
) -> None:
    change = coding_change(CDS + UTR3, len(CDS), c_start, c_end, alt)
    assert (change.classes, change.hgvsp) == (classes, hgvsp)


def test_frameshift_named_at_first_changed_residue_with_new_stop() -> None:
    # c.13del: ATG GCT CAG AAA TGC TGC TGG AAT GGC GTT CTC AGG GCG ACG TGC CAA CCT ACT ACA
    # ACA TCT AAG GCT TCA GCT AG|T TAA: Leu5 becomes Cys, new stop at the 22nd codon (Cys5 = 1)
    change = coding_change(CDS + UTR3, len(CDS), 13, 13, "")
    assert change.classes == ("frameshift",)
    mutated = translate(CDS[:12] + CDS[13:] + UTR3)
    assert mutated[4] == "C" and mutated.index("*") == 4 + 22 - 1
    assert change.hgvsp == "p.Leu5CysfsTer22"
    # a frameshift whose first changed codon is a stop is named as nonsense
    assert coding_change(CDS + UTR3, len(CDS), 26, 25, "A").hgvsp == "p.Trp9Ter"
    # no stop in the known sequence
    assert coding_change(CDS, len(CDS), 13, 13, "").hgvsp.endswith("fsTer?")


# --- normalisation -----------------------------------------------------------------------------


def test_left_and_right_align_in_a_repeat() -> None:
    ref = DictReference({"1": "GCACACACATT"})
    for pos1 in (2, 4, 6, 8):
        assert left_align(ref, "1", Allele(pos1, "CA", "")) == Allele(2, "CA", "")
        assert right_align(ref, "1", Allele(pos1, "CA", "")) == Allele(8, "CA", "")
    # CA inserted anywhere in the repeat
    assert left_align(ref, "chr1", Allele(10, "", "CA")) == Allele(2, "", "CA")
    assert right_align(ref, "1", Allele(3, "", "AC")) == Allele(10, "", "CA")
    assert left_align(ref, "1", Allele(3, "C", "T")) == Allele(3, "C", "T")  # SNV untouched


@st.composite
def repeat_reference(draw: st.DrawFn) -> str:
    unit = draw(st.text("ACGT", min_size=1, max_size=3))
    left = draw(st.text("ACGT", max_size=6))
    right = draw(st.text("ACGT", max_size=6))
    return left + unit * draw(st.integers(2, 6)) + right


def _deletion_equivalents(ref: str, length: int, alt_seq: str) -> list[Allele]:
    return [
        Allele(s + 1, ref[s : s + length], "")
        for s in range(len(ref) - length + 1)
        if ref[:s] + ref[s + length :] == alt_seq
    ]


def _insertion_equivalents(ref: str, ins: str, alt_seq: str) -> list[Allele]:
    return [
        Allele(p + 1, "", alt_seq[p : p + len(ins)])
        for p in range(len(ref) + 1)
        if ref[:p] + alt_seq[p : p + len(ins)] + ref[p:] == alt_seq
    ]


@settings(max_examples=300, deadline=None)
@given(ref=repeat_reference(), data=st.data())
def test_every_shifted_equivalent_left_aligns_the_same(ref: str, data: st.DataObject) -> None:
    source = DictReference({"1": ref})
    if data.draw(st.booleans(), label="deletion") and len(ref) >= 2:
        length = data.draw(st.integers(1, min(4, len(ref) - 1)), label="length")
        start = data.draw(st.integers(0, len(ref) - length), label="start")
        alt_seq = ref[:start] + ref[start + length :]
        equivalents = _deletion_equivalents(ref, length, alt_seq)
    else:
        ins = data.draw(st.text("ACGT", min_size=1, max_size=4), label="ins")
        point = data.draw(st.integers(0, len(ref)), label="point")
        alt_seq = ref[:point] + ins + ref[point:]
        equivalents = _insertion_equivalents(ref, ins, alt_seq)
    assert equivalents
    lefts = {left_align(source, "1", a) for a in equivalents}
    rights = {right_align(source, "1", a) for a in equivalents}
    assert len(lefts) == 1 and len(rights) == 1
    (canon,) = lefts
    assert min(equivalents, key=lambda a: a.pos1) == canon  # the leftmost equivalent
    # padded VCF forms (anchor base before, as callers write indels) trim and align the same
    for a in equivalents:
        if a.pos1 >= 2:
            anchor = ref[a.pos1 - 2]
            padded = trim(a.pos1 - 1, anchor + a.ref, anchor + a.alt)
            assert left_align(source, "1", padded) == canon


# --- on synthetic gene models -------------------------------------------------------------------


@pytest.mark.parametrize("strand", ["+", "-"])
def test_nonsense_snv_is_decided_with_reference_on_both_strands(strand: str) -> None:
    seq, model = synthetic_gene(strand)
    pos, ref, alt = vcf_change(seq, model, 34, "T")  # c.34C>T: codon 12 spans exons 2 and 3
    assert ref == ("C" if strand == "+" else "G")
    without = classify_variant({"BRCA2": model}, "13", pos, ref, alt, {})
    assert [c.status_reason for c in without] == [NEEDS_ANNOTATION]
    (call,) = classify_variant(
        {"BRCA2": model}, "13", pos, ref, alt, {}, DictReference({"13": seq})
    )
    assert (call.status, call.classes, call.hgvsc, call.hgvsp, call.alteration) == (
        "called", ("stop_gained",), "c.34C>T", "p.Gln12Ter", "Q12*",
    )  # fmt: skip
    assert call.exon == 2


@pytest.mark.parametrize("strand", ["+", "-"])
@pytest.mark.parametrize(
    ("c", "alt", "classes", "hgvsp"),
    [
        (35, "T", ("missense",), "p.Gln12Leu"),
        (36, "A", ("synonymous",), "p.Gln12="),
        (62, "C", ("stop_lost",), "p.Ter21SerextTer4"),
        (1, "G", ("start_lost",), "p.Met1?"),
    ],
)
def test_codon_consequences_on_model(
    strand: str, c: int, alt: str, classes: tuple[str, ...], hgvsp: str
) -> None:
    seq, model = synthetic_gene(strand)
    pos, ref, valt = vcf_change(seq, model, c, alt)
    calls = classify_variant({"G": model}, "13", pos, ref, valt, {}, DictReference({"13": seq}))
    assert [(x.classes, x.hgvsp) for x in calls] == [(classes, hgvsp)]


@pytest.mark.parametrize("strand", ["+", "-"])
def test_deletion_in_repeat_every_representation_same_call(strand: str) -> None:
    """CTG deleted anywhere in codons 5-7 (CTGCTGCTG): c.19_21del p.Leu7del (3' rule)."""
    seq, model = synthetic_gene(strand)
    reference = DictReference({"chr13": seq})
    results, tried = set(), 0
    for c in range(9, 38):
        if CDS[: c - 1] + CDS[c + 2 :] != CDS[:18] + CDS[21:]:
            continue  # not an equivalent of deleting c.19-21
        tried += 1
        lo = min(genome_pos(model, c), genome_pos(model, c + 2))
        anchor = seq[lo - 2]
        calls = classify_variant(
            {"BRCA2": model}, "chr13", lo - 1, anchor + seq[lo - 1 : lo + 2], anchor, {}, reference
        )
        results.add(tuple((x.classes, x.hgvsc, x.hgvsp) for x in calls))
    assert tried == 7
    assert results == {((("inframe_deletion",), "c.19_21del", "p.Leu7del"),)}


@pytest.mark.parametrize("strand", ["+", "-"])
def test_insertion_in_repeat_named_as_dup_and_frameshift(strand: str) -> None:
    seq, model = synthetic_gene(strand)
    reference = DictReference({"13": seq})
    p13, p21 = genome_pos(model, 13), genome_pos(model, 21)
    lo = min(p13, p21)
    # insert one more copy of the unit at the left end of the repeat (genomic)
    unit = seq[lo - 1 : lo + 2]
    (call,) = classify_variant({"G": model}, "13", lo - 1, seq[lo - 2], seq[lo - 2] + unit, {},
                               reference)  # fmt: skip
    assert (call.classes, call.hgvsc, call.hgvsp) == (
        ("inframe_insertion",),
        "c.19_21dup",
        "p.Leu7dup",
    )
    # single-base deletion: frameshift named at the first changed residue
    p = genome_pos(model, 13)
    anchor = seq[p - 2]
    fs = classify_variant({"G": model}, "13", p - 1, anchor + seq[p - 1], anchor, {}, reference)
    assert [(x.classes, x.hgvsp) for x in fs] == [(("frameshift",), "p.Leu5CysfsTer22")]


def test_ref_mismatch_message() -> None:
    ref = DictReference({"7": "ACGTACGT"})
    assert ref_mismatch(ref, "chr7", 2, "CG") is None
    assert ref_mismatch(ref, "7", 2, "NG") is None
    problem = ref_mismatch(ref, "7", 2, "TT")
    assert problem is not None and problem.startswith(MISMATCH_PROBLEM)
    assert "is not in the reference" in (ref_mismatch(ref, "9", 1, "A") or "")


# --- the pysam adapter ---------------------------------------------------------------------------


def write_fasta(tmp_path: Path, contigs: dict[str, str], name: str = "ref.fa") -> Path:
    path = tmp_path / name
    with path.open("w") as fh:
        for contig, seq in contigs.items():
            fh.write(f">{contig}\n")
            for i in range(0, len(seq), 60):
                fh.write(seq[i : i + 60] + "\n")
    pysam.faidx(str(path))
    return path


@pytest.mark.parametrize(("fasta_name", "query"), [("chr13", "13"), ("13", "chr13"), ("13", "13")])
def test_fasta_reference_chr_styles(tmp_path: Path, fasta_name: str, query: str) -> None:
    seq, _ = synthetic_gene("+")
    with FastaReference(write_fasta(tmp_path, {fasta_name: seq.lower()})) as ref:
        assert ref.fetch(query, 10, 20) == seq[10:20]
        assert ref.fetch(query, len(seq) - 2, len(seq) + 5) == seq[-2:]
        with pytest.raises(KeyError):
            ref.fetch("7", 0, 1)


def test_fasta_reference_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        FastaReference(tmp_path / "absent.fa")


# --- configuration and the pipeline ----------------------------------------------------------------


def test_config_reference_fasta_default_and_validation() -> None:
    c = validate_config({"samples": "s.tsv"})
    assert c["reference_fasta"] == {"GRCh37": None, "GRCh38": None}
    s = settings_from_config(c)
    assert s.reference_fasta_for("GRCh38") is None
    assert "reference_fasta" not in s.to_dict()["small_variants"]
    shipped = load_config_file(REPO / "config" / "config.yaml")
    assert shipped["reference_fasta"] == {"GRCh37": None, "GRCh38": None}
    s2 = settings_from_config({"samples": "s.tsv", "reference_fasta": {"GRCh38": "g.fa"}})
    assert s2.reference_fasta_for("GRCh38") == "g.fa" and s2.reference_fasta_for("GRCh37") is None
    assert s2.to_dict()["small_variants"]["reference_fasta"] == {"GRCh38": "g.fa"}
    with pytest.raises(ConfigError):
        validate_config({"samples": "s.tsv", "reference_fasta": {"hg19": "x.fa"}})


@pytest.fixture
def brca2_pipeline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, GeneModel, Path]:
    """A synthetic BRCA2-like plus-strand gene on chr13 replacing the bundled models."""
    import armmatch.run.pipeline as pipeline

    pipeline.rule_set()  # load (and cache) the rule table against the real models first
    seq, model = synthetic_gene("+")
    models = GeneModels("GRCh38", "synthetic", {"BRCA2": model})
    monkeypatch.setattr(pipeline, "gene_models", lambda build, path=None: models)
    fasta = write_fasta(tmp_path, {"chr13": seq}, name="genome.fa")
    return seq, model, fasta


def _run(patient_vcf: Path, fasta: Path | None) -> list[tuple[str, str, str, tuple[str, ...]]]:
    from armmatch.run.pipeline import detect_small_variants, rule_set

    config: dict[str, object] = {"samples": "s.tsv"}
    if fasta is not None:
        config["reference_fasta"] = {"GRCh38": str(fasta)}
    rules = rule_set()
    ev = detect_small_variants(
        Patient("P1", "C49", str(patient_vcf), 2), build="GRCh38", rules=rules,
        settings=settings_from_config(config),
    )  # fmt: skip
    return [(e.status, e.variant_class, e.hgvsp or "", e.rule_ids)
            for e in decided(ev.events, rules, "GRCh38")]  # fmt: skip


def test_pipeline_uses_reference_fasta_for_brca2_nonsense(
    brca2_pipeline: tuple[str, GeneModel, Path], write_vcf: VcfWriter
) -> None:
    seq, model, fasta = brca2_pipeline
    pos, ref, alt = vcf_change(seq, model, 34, "T")
    vcf = write_vcf([("chr13", str(pos), ref, alt, "PASS", ".", "0/1:50,50:100")], csq_header=False)
    # without reference_fasta: unchanged behaviour, the codon change needs annotation
    before = _run(vcf, None)
    assert [(s, r) for s, _, _, r in before] == [("indeterminate", ())]
    # with it: a called stop_gained that fires the niraparib BRCA2 rule
    assert _run(vcf, fasta) == [("called", "stop_gained", "p.Gln12Ter", ("BRCA2-trunc",))]


def test_pipeline_ref_mismatch_stops_with_file_line_patient(
    brca2_pipeline: tuple[str, GeneModel, Path], write_vcf: VcfWriter
) -> None:
    seq, model, fasta = brca2_pipeline
    pos = genome_pos(model, 34)
    wrong = {"A": "C", "C": "G", "G": "T", "T": "A"}[seq[pos - 1]]
    vcf = write_vcf([("chr13", str(pos), wrong, "T" if wrong != "T" else "A", "PASS", ".",
                      "0/1:50,50:100")], csq_header=False)  # fmt: skip
    with pytest.raises(InputError) as info:
        _run(vcf, fasta)
    err = info.value
    assert MISMATCH_PROBLEM in err.problem
    assert err.path == str(vcf) and err.patient == "P1" and err.line is not None
    assert Path(vcf).read_text().splitlines()[err.line - 1].startswith(f"chr13\t{pos}\t")
    # without a reference the same record is accepted (nothing to check against)
    assert _run(vcf, None)


def test_hotspot_still_named_and_noted_with_reference() -> None:
    from armmatch.knowledge.hotspots import Hotspot

    seq, model = synthetic_gene("-")
    hot = Hotspot("BRCA2", "Q12L", 35, 35, "A", "T", "c.35A>T", "synthetic")
    pos, ref, alt = vcf_change(seq, model, 35, "T")
    (call,) = classify_variant(
        {"BRCA2": model}, "13", pos, ref, alt, {"BRCA2": [hot]}, DictReference({"13": seq})
    )
    assert (call.classes, call.hgvsp, call.alteration) == (("missense",), "p.Gln12Leu", "Q12L")
    assert any("hotspot BRCA2 Q12L" in n for n in call.notes)


def test_annotated_vcf_ref_is_checked_too(
    brca2_pipeline: tuple[str, GeneModel, Path], write_vcf: VcfWriter
) -> None:
    from tests.conftest import csq

    seq, model, fasta = brca2_pipeline
    pos = genome_pos(model, 34)
    wrong = {"A": "C", "C": "G", "G": "T", "T": "A"}[seq[pos - 1]]
    info = "CSQ=" + csq(["A", "stop_gained", "HIGH", "BRCA2", "", "Transcript", "NM_TEST.1",
                         "protein_coding", "2/3", "", "c.34C>T", "p.Gln12Ter", "YES", "", ""])  # fmt: skip
    vcf = write_vcf([("chr13", str(pos), wrong, "A", "PASS", info, "0/1:50,50:100")])
    with pytest.raises(InputError, match="REF does not match the reference"):
        _run(vcf, fasta)
    good = write_vcf([("chr13", str(pos), seq[pos - 1], "T", "PASS", info.replace("CSQ=A|", "CSQ=T|"),
                       "0/1:50,50:100")], name="good.vcf")  # fmt: skip
    assert _run(good, fasta) == [("called", "stop_gained", "p.Gln12Ter", ("BRCA2-trunc",))]
