"""Fuzzing (issue 8): arbitrary input never crashes a reader with anything but armmatch's errors.

The CNV and fusion readers may raise only :class:`~armmatch.errors.ArmmatchError` (bad input
named with its file and line); :func:`armmatch.hgvs.parse_protein_change` documents
``ValueError`` for text it cannot read. Example counts stay modest so the suite stays fast.
"""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from armmatch.calling.copy_number import CnvContext, read_copy_number
from armmatch.calling.fusions import read_fusion_file
from armmatch.calling.gene_copy_number import GeneSpan
from armmatch.calling.purity import CnvThresholds
from armmatch.errors import ArmmatchError
from armmatch.hgvs import matches_protein, parse_protein_change
from armmatch.readers.cnv_table import CNV_FORMATS
from armmatch.readers.fusion_table import FUSION_FORMATS
from armmatch.run.pipeline import gene_models

THRESHOLDS = CnvThresholds(6.0, 4.0, 2.5, 1.5, 1.0, 0.5)
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_counter = itertools.count()

# Cells that look like real content, so the fuzzer gets past header detection into the rows.
CNV_WORDS = [
    "chromosome", "start", "end", "gene", "log2", "cn", "probes", "depth", "weight", "ID",
    "chrom", "loc.start", "loc.end", "num.mark", "seg.mean", "CONTIG", "START", "END",
    "NUM_POINTS_COPY_RATIO", "MEAN_LOG2_COPY_RATIO", "CALL", "Chromosome", "Start", "End",
    "nMajor", "nMinor", "Total_CN", "Segment_Mean", "Hugo_Symbol", "Entrez_Gene_Id", "sample",
    "value", "P1", "chr7", "7", "chrX", "MET", "ERBB2", "0", "1", "-1", "100", "116672195",
    "116798377", "1e9", "nan", "inf", "-inf", "NA", ".", "", "-2", "2.5", "+", "-", "@HD",
    "@SQ\tSN:chr7\tLN:159345973", "#", "1.5e308", "99999999999999999999",
]  # fmt: skip
FUSION_WORDS = [
    "#gene1", "gene2", "strand1(gene/fusion)", "strand2(gene/fusion)", "breakpoint1",
    "breakpoint2", "site1", "site2", "type", "split_reads1", "split_reads2", "discordant_mates",
    "coverage1", "coverage2", "confidence", "reading_frame", "#FusionName", "JunctionReadCount",
    "SpanningFragCount", "LeftGene", "LeftBreakpoint", "RightGene", "RightBreakpoint",
    "Gene_1_symbol(5end_fusion_partner)", "Gene_2_symbol(3end_fusion_partner)", "FusionGene",
    "gene5", "gene3", "breakpoint5", "breakpoint3", "frame", "split_reads", "EML4", "ALK",
    "EML4--ALK", "EML4^ENSG1.2", "chr2:42522656:+", "chr2:29446394:-", "2:29446394", "in-frame",
    "out-of-frame", ".", "", "high", "0", "12", "-1", "nan", "EML4(1234),ALK(5)", "##fileformat=VCFv4.2",
    "N[chr2:29446394[", "]chr2:29446394]N", "SVTYPE=BND;MATEID=b", "<TRA>",
]  # fmt: skip


def table(words: list[str]) -> st.SearchStrategy[str]:
    cell = st.one_of(st.sampled_from(words), st.text(max_size=8))
    row = st.lists(cell, min_size=1, max_size=8).map("\t".join)
    return st.lists(row, min_size=0, max_size=8).map(lambda rows: "\n".join(rows) + "\n")


def contents(words: list[str]) -> st.SearchStrategy[bytes]:
    text = st.one_of(table(words), st.text(max_size=300))
    as_bytes = text.map(lambda t: t.encode("utf-8", errors="surrogatepass"))
    return st.one_of(as_bytes, as_bytes.map(gzip.compress), st.binary(max_size=300))


def write(folder: Path, data: bytes) -> Path:
    path = folder / f"f{next(_counter)}.txt"
    path.write_bytes(data)
    return path


GENES = [GeneSpan("MET", "chr7", 116672195, 116798377), GeneSpan("ERBB2", "17", 39687913, 39730426)]


@FUZZ
@given(data=contents(CNV_WORDS), fmt=st.sampled_from([None, *CNV_FORMATS]))
def test_cnv_reader_raises_only_armmatch_errors(
    tmp_path: Path, data: bytes, fmt: str | None
) -> None:
    path = write(tmp_path, data)
    try:
        read_copy_number(
            path,
            fmt,
            CnvContext(
                genes=GENES,
                thresholds_for=lambda g: THRESHOLDS,
                purity=0.7,
                ploidy=2.0,
                patient="P1",
            ),
        )
    except ArmmatchError as exc:
        assert str(path) in str(exc) and "P1" in str(exc)


@FUZZ
@given(data=contents(FUSION_WORDS), fmt=st.sampled_from([None, *FUSION_FORMATS]))
def test_fusion_reader_raises_only_armmatch_errors(
    tmp_path: Path, data: bytes, fmt: str | None
) -> None:
    path = write(tmp_path, data)
    try:
        read_fusion_file(path, fmt, patient="P1", models=gene_models("GRCh38"), targets=("ALK",))
    except ArmmatchError as exc:
        assert str(path) in str(exc) and "P1" in str(exc)


AA3 = ["Ala", "Arg", "Asn", "Asp", "Cys", "Gln", "Glu", "Gly", "His", "Ile", "Leu", "Lys", "Met",
       "Phe", "Pro", "Ser", "Thr", "Trp", "Tyr", "Val", "Ter", "Xaa", "Sec", "X", "*", "L", "R"]  # fmt: skip
PIECES = ["p.", "(", ")", "_", "del", "ins", "delins", "dup", "fs", "ext", "Ter", "=", "?", "%3D",
          ":", "ENSP00000275493.2", "0", "1", "858", "99999999999999999999", "-", "*"]  # fmt: skip
HGVS_LIKE = st.lists(
    st.one_of(st.sampled_from(AA3), st.sampled_from(PIECES), st.integers(0, 2000).map(str)),
    max_size=10,
).map("".join)


@FUZZ
@given(text=st.one_of(HGVS_LIKE, st.text(max_size=40)))
def test_protein_change_parser_raises_only_value_error(text: str) -> None:
    try:
        change = parse_protein_change(text)
    except ValueError as exc:
        assert str(exc)  # a message, quoting the part it could not read
        return
    assert change.short
    # a readable change matches its own one-letter form, and never a different residue's
    assert matches_protein(change, change.short)
    other = "W" if change.start_aa != "W" else "Y"
    assert not matches_protein(change, f"{other}{change.start_pos}{change.alt or 'A'}")


@pytest.mark.parametrize("text", ["p.Leu858Arg", "p.(Val600Glu)", "p.Glu746_Ala750del"])
def test_protein_change_parser_reads_real_changes(text: str) -> None:
    assert parse_protein_change(text).short


# --- the VCF reader -------------------------------------------------------------------------

_VCF_HEAD = (
    "##fileformat=VCFv4.2\n##contig=<ID=chr7,length=159345973>\n"
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="d">\n'
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="a">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n"
)
_FIELD = st.text(alphabet="ACGTN.,:;=0123456789-chr7<>[]", min_size=0, max_size=12)


def read_raising_only_input_errors(path: Path, sample: str | None = "TUMOR") -> None:
    """Read ``path`` as a patient's VCF (or MAF): any failure must be armmatch's own error,
    naming it."""
    from armmatch.calling.small_variants import read_small_variants
    from armmatch.config import SmallVariantPolicy
    from armmatch.errors import ArmmatchError
    from armmatch.run.pipeline import gene_models, preferred_transcripts, rule_set

    try:
        read_small_variants(
            str(path), patient="F", build="GRCh38", genes=rule_set().genes(),
            preferred=preferred_transcripts(gene_models("GRCh38")), vcf_sample=sample,
            policy=SmallVariantPolicy(), intronic_reach=rule_set().intronic_reach(),
        )  # fmt: skip
    except ArmmatchError as err:
        assert str(path) in str(err)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(_FIELD, min_size=1, max_size=11), min_size=1, max_size=4))
def test_vcf_reader_raises_only_input_errors(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]]
) -> None:
    path = tmp_path_factory.mktemp("fuzzvcf") / "f.vcf"
    path.write_text(_VCF_HEAD + "".join("\t".join(r) + "\n" for r in rows))
    read_raising_only_input_errors(path)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(st.integers(140753300, 140753400), st.lists(_FIELD, min_size=0, max_size=9)),
        min_size=1,
        max_size=4,
    )
)
def test_vcf_reader_on_target_region_records_raises_only_input_errors(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[int, list[str]]]
) -> None:
    """Records inside BRAF: the ones the streaming pass hands to htslib (a random POS above
    almost never lands in a target region)."""
    path = tmp_path_factory.mktemp("fuzzvcf") / "f.vcf"
    lines = ["\t".join(["chr7", str(pos), *rest]) + "\n" for pos, rest in sorted(rows)]
    path.write_text(_VCF_HEAD + "".join(lines))
    read_raising_only_input_errors(path)


# --- the MAF reader ---------------------------------------------------------------------------

MAF_HEADER = ("Hugo_Symbol\tNCBI_Build\tChromosome\tStart_Position\tReference_Allele\t"
              "Tumor_Seq_Allele2\tTumor_Sample_Barcode\tHGVSp_Short\tVariant_Classification\t"
              "t_depth\tt_alt_count\n")  # fmt: skip
MAF_WORDS = ["BRAF", "EGFR", "KIT", "MET", "BRCA2", "TP53", "GRCh38", "GRCh37", "hg19", "7", "chr7",
             "140753336", "55174771", "", "-", "A", "T", "AGG", "N", "<DEL>", "p.V600E", "V600E",
             "p.X762_splice", "p.*927*", "p.E746_A750del", "p.?", "Missense_Mutation", "Intron",
             "Splice_Site", "100", "0", "-1", "abc", "1e9", "99999999999999999999", "T1", "T2",
             "NA", "."]  # fmt: skip


@FUZZ
@given(rows=st.lists(st.lists(st.one_of(st.sampled_from(MAF_WORDS), st.text(max_size=6)),
                              min_size=0, max_size=13), min_size=0, max_size=5),
       header=st.sampled_from([MAF_HEADER, "Hugo_Symbol\tHGVSp_Short\n",
                               "Hugo_Symbol\tChromosome\tStart_Position\tReference_Allele\t"
                               "Tumor_Seq_Allele2\n"]))  # fmt: skip
def test_maf_reader_raises_only_input_errors(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], header: str
) -> None:
    """MAF-like tables (vcf2maf, genome-nexus, OncoKB annotator) with any cells: only armmatch's
    own error, naming the file; never ValueError from an empty or malformed position."""
    path = tmp_path_factory.mktemp("fuzzmaf") / "calls.maf"
    body = "".join("\t".join(c.replace("\t", " ").replace("\n", " ").replace("\r", " ")
                              for c in r) + "\n" for r in rows)  # fmt: skip
    path.write_text("#version 2.4\n" + header + body, encoding="utf-8")
    read_raising_only_input_errors(path, sample=None)
