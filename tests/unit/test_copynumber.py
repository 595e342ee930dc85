"""Unit tests for armmatch.calling.copy_number: purity formula, thresholds, readers, gene summaries."""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from armmatch.calling.copy_number import BIN_LEVEL_REASON, CnvContext, read_copy_number
from armmatch.calling.gene_copy_number import GeneSpan, gene_copy_number, segment_copy_number
from armmatch.calling.purity import CnvThresholds, call_copy_number, tumour_copy_number
from armmatch.errors import InputError
from armmatch.io import sha256_file
from armmatch.readers.cnv_formats import detect_cnv_format, read_segments_file
from armmatch.readers.cnv_table import Segment
from armmatch.readers.cnvkit import read_cnvkit
from armmatch.readers.segments import read_segments

DEFAULT = CnvThresholds(
    amplification=6.0,
    review_gain=4.0,
    gain=2.5,
    loss=1.5,
    review_loss=1.0,
    homozygous_deletion=0.5,
)

CNVKIT_HEADER = "chromosome\tstart\tend\tgene\tlog2\tprobes\n"
PCGR_HEADER = "Chromosome\tStart\tEnd\tnMajor\tnMinor\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _seg(
    chrom: str,
    start0: int,
    end: int,
    log2: float | None,
    line: int,
    *,
    cn: float | None = None,
    probes: int | None = 5,
) -> Segment:
    return Segment(chrom, start0, end, log2, cn, probes, line)


def _evidence(segments: list[Segment], genes: list[GeneSpan], **kw: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {
        "purity": 1.0,
        "ploidy": 2.0,
        "thresholds_for": lambda g: DEFAULT,
        "source_path": "t.cns",
    }
    args.update(kw)
    return gene_copy_number(segments, genes, **args)  # type: ignore[arg-type]


# --- formula -------------------------------------------------------------------------------


def test_formula_known_values() -> None:
    assert tumour_copy_number(0.0, 1.0, 2.0) == pytest.approx(2.0)
    assert tumour_copy_number(1.0, 1.0, 2.0) == pytest.approx(4.0)
    # p = 0.5, P = 2: 2^1 * (1 + 1) - 1 = 3, / 0.5 = 6
    assert tumour_copy_number(1.0, 0.5, 2.0) == pytest.approx(6.0)
    # p = 0.6, P = 3, r = 0.5: (2^0.5 * (1.8 + 0.8) - 0.8) / 0.6
    expected = (2**0.5 * 2.6 - 0.8) / 0.6
    assert tumour_copy_number(0.5, 0.6, 3.0) == pytest.approx(expected)


def test_formula_clamps_negative_to_zero() -> None:
    # p = 0.5: the normal half alone gives log2 = -1 at CN 0; anything lower clamps
    assert tumour_copy_number(-1.0, 0.5, 2.0) == pytest.approx(0.0, abs=1e-12)
    assert tumour_copy_number(-3.0, 0.5, 2.0) == 0.0


@pytest.mark.parametrize(
    ("purity", "ploidy"),
    [
        (0.0, 2.0),
        (-0.1, 2.0),
        (1.01, 2.0),
        (0.5, 0.0),
        (0.5, -1.0),
        (math.nan, 2.0),
        (0.5, math.inf),
    ],
)
def test_formula_rejects_bad_purity_ploidy(purity: float, ploidy: float) -> None:
    with pytest.raises(ValueError, match="purity|ploidy"):
        tumour_copy_number(0.0, purity, ploidy)


@pytest.mark.parametrize("log2", [math.nan, math.inf, -math.inf])
def test_formula_rejects_non_finite_log2(log2: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        tumour_copy_number(log2, 1.0, 2.0)


@given(st.floats(min_value=-20, max_value=10, allow_nan=False))
def test_pure_diploid_is_two_times_ratio(log2: float) -> None:
    assert tumour_copy_number(log2, 1.0, 2.0) == pytest.approx(2 * 2**log2)


@given(
    st.floats(min_value=-20, max_value=10, allow_nan=False),
    st.floats(min_value=-20, max_value=10, allow_nan=False),
    st.floats(min_value=0.01, max_value=1.0),
    st.floats(min_value=0.5, max_value=8.0),
)
def test_formula_monotone_in_log2(a: float, b: float, purity: float, ploidy: float) -> None:
    lo, hi = sorted((a, b))
    assert tumour_copy_number(lo, purity, ploidy) <= tumour_copy_number(hi, purity, ploidy)


@given(st.floats(min_value=0.01, max_value=1.0), st.floats(min_value=0.5, max_value=8.0))
def test_zero_log2_gives_sample_ploidy_weighted(purity: float, ploidy: float) -> None:
    # r = 0 means the tumour equals the sample average: CN = P
    assert tumour_copy_number(0.0, purity, ploidy) == pytest.approx(ploidy)


# --- thresholds and calls -------------------------------------------------------------------


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="out of order"):
        CnvThresholds(4, 6, 2.5, 1.5, 1.0, 0.5)
    with pytest.raises(ValueError, match="out of order"):
        CnvThresholds(6, 4, 2.5, 1.5, 0.4, 0.5)
    with pytest.raises(ValueError, match=">= 0"):
        CnvThresholds(6, 4, 2.5, 1.5, 1.0, -0.1)
    with pytest.raises(ValueError, match="finite"):
        CnvThresholds(math.inf, 4, 2.5, 1.5, 1.0, 0.5)
    CnvThresholds(6, 6, 2.5, 1.5, 1.0, 1.0)  # empty review bands are allowed


@pytest.mark.parametrize(
    ("cn", "call"),
    [
        (12.0, "amplification"),
        (6.0, "amplification"),
        (5.99, "indeterminate_gain"),
        (4.0, "indeterminate_gain"),
        (3.99, "gain"),
        (2.5, "gain"),
        (2.49, "neutral"),
        (1.51, "neutral"),
        (1.5, "loss"),
        (1.01, "loss"),
        (1.0, "loss"),
        (0.99, "indeterminate_loss"),
        (0.51, "indeterminate_loss"),
        (0.5, "homozygous_deletion"),
        (0.0, "homozygous_deletion"),
    ],
)
def test_call_bands(cn: float, call: str) -> None:
    assert call_copy_number(cn, DEFAULT) == call


def test_call_rejects_nan() -> None:
    with pytest.raises(ValueError):
        call_copy_number(math.nan, DEFAULT)


# --- readers -------------------------------------------------------------------------------


def test_read_cnvkit_keeps_zero_based_coordinates(tmp_path: Path) -> None:
    path = _write(tmp_path, "s.cns", CNVKIT_HEADER + "chr7\t100\t200\tMET\t1.5\t4\n")
    assert read_cnvkit(path) == [Segment("chr7", 100, 200, 1.5, None, 4, 2)]


def test_read_cnvkit_cn_column_is_total(tmp_path: Path) -> None:
    text = "chromosome\tstart\tend\tgene\tlog2\tcn\tprobes\nchr9\t0\t50\tCDKN2A\t-1.2\t1\t3\n"
    (seg,) = read_cnvkit(_write(tmp_path, "s.call.cns", text))
    assert seg.total_cn == 1.0 and seg.log2 == -1.2


def test_read_cnvkit_gzip(tmp_path: Path) -> None:
    path = tmp_path / "s.cns.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(CNVKIT_HEADER + "7\t5\t9\tMET\t0.1\t2\n")
    assert read_cnvkit(path)[0].end == 9


def test_read_cnvkit_skips_empty_zero_probe_segment(tmp_path: Path) -> None:
    text = CNVKIT_HEADER + "chr2\t212578209\t212576985\tERBB4\t-2.4\t0\nchr2\t1\t5\tX\t0\t2\n"
    segs = read_cnvkit(_write(tmp_path, "s.cns", text))
    assert [s.line for s in segs] == [3]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("chr7\t200\t100\tMET\t1.5\t4", "not after the start"),
        ("chr7\t100\t100\tMET\t1.5\t4", "not after the start"),
        ("chr7\t-5\t100\tMET\t1.5\t4", "negative"),
        ("chr7\t100\t200\tMET\tabc\t4", "log2 'abc' is not a number"),
        ("chr7\t100\t200\tMET\tnan\t4", "finite"),
        ("chr7\t100\t200\tMET\t-inf\t4", "finite"),
        ("chr7\t100\t200\tMET\t\t4", "log2 is empty"),
        ("chr7\t1e2x\t200\tMET\t1\t4", "start '1e2x' is not an integer"),
        ("chr7\t100.5\t200\tMET\t1\t4", "not an integer"),
        ("chr7\t100\t200\tMET\t1", "expected 6 tab-separated fields"),
        ("\t100\t200\tMET\t1\t4", "chromosome is empty"),
    ],
)
def test_read_cnvkit_bad_rows(tmp_path: Path, row: str, problem: str) -> None:
    path = _write(tmp_path, "bad.cns", CNVKIT_HEADER + "chr1\t1\t2\tA\t0\t1\n" + row + "\n")
    with pytest.raises(InputError, match=problem) as info:
        read_cnvkit(path)
    assert info.value.line == 3 and info.value.path == str(path)
    assert f"{path}, line 3:" in str(info.value)


def test_read_cnvkit_missing_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.cns", "chromosome\tstart\tend\tgene\n")
    with pytest.raises(InputError, match="missing column.*log2") as info:
        read_cnvkit(path)
    assert info.value.line == 1


def test_read_empty_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty"):
        read_cnvkit(_write(tmp_path, "e.cns", "\n"))


def test_read_segments_pcgr_is_one_based(tmp_path: Path) -> None:
    text = PCGR_HEADER + "17\t37756263\t38156253\t8\t1\n9\t1\t10\t1\t0\n"
    segs = read_segments(_write(tmp_path, "s.cna.tsv", text))
    assert segs[0] == Segment("17", 37756262, 38156253, None, 9.0, None, 2)
    assert (segs[1].start0, segs[1].end, segs[1].total_cn) == (0, 10, 1.0)


def test_read_segments_total_column_and_log2(tmp_path: Path) -> None:
    text = "chromosome\tstart\tend\tcopyNumber\tbaf\n1\t11\t20\t3.96\t0.5\n1\t21\t30\t-0.02\t.\n"
    segs = read_segments(_write(tmp_path, "purple.cnv.somatic.tsv", text))
    assert segs[0].total_cn == pytest.approx(3.96) and segs[0].start0 == 10
    assert segs[1].total_cn == 0.0  # small negative fits clamp to 0
    text = "Chromosome\tStart\tEnd\tSample\tSegment_Mean\tStrand\nchr17\t5\t9\tS\t1.79\t+\n"
    (seg,) = read_segments(_write(tmp_path, "old.cna.tsv", text))
    assert (seg.log2, seg.total_cn, seg.start0) == (1.79, None, 4)


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("17\t200\t100\t1\t1", r"End \(100\) < Start \(200\)"),
        ("17\t0\t100\t1\t1", "Start 0 < 1"),
        ("17\t1\t100\tx\t1", "nMajor 'x' is not a number"),
        ("17\t1\t100\t1\tinf", "finite"),
        ("17\t1\t100\t1\t", "only one of nMajor/nMinor"),
        ("17\t1\t100\t\t", "neither a copy number nor a log2"),
    ],
)
def test_read_segments_bad_rows(tmp_path: Path, row: str, problem: str) -> None:
    path = _write(tmp_path, "bad.cna.tsv", PCGR_HEADER + "17\t1\t2\t1\t1\n" + row + "\n")
    with pytest.raises(InputError, match=problem) as info:
        read_segments(path)
    assert info.value.line == 3


def test_read_segments_needs_a_value_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.tsv", "Chromosome\tStart\tEnd\tfoo\n1\t1\t2\t3\n")
    with pytest.raises(InputError, match="no copy-number column"):
        read_segments(path)


def test_detect_cnv_format(tmp_path: Path) -> None:
    assert detect_cnv_format(_write(tmp_path, "a.cns", CNVKIT_HEADER)) == "cnvkit"
    assert detect_cnv_format(_write(tmp_path, "b.tsv", PCGR_HEADER)) == "segments"
    seg = "ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\n"
    assert detect_cnv_format(_write(tmp_path, "c.seg", seg)) == "seg"
    with pytest.raises(InputError, match="cannot tell .*accepted: cnvkit .*gene-table") as info:
        detect_cnv_format(_write(tmp_path, "d.tsv", "foo\tbar\n"))
    assert info.value.line == 1


def test_read_segments_file_unknown_format(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.cns", CNVKIT_HEADER)
    with pytest.raises(InputError, match="unknown copy-number format 'bam'.*cnvkit, seg"):
        read_segments_file(path, "bam")
    assert read_segments_file(path, "auto") == ("cnvkit", [])


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_segments_file(tmp_path / "nope.cns", patient="P01")


# --- gene summaries ------------------------------------------------------------------------


def test_unsorted_segments_and_chr_naming() -> None:
    segs = [
        _seg("chr7", 600, 1000, 0.0, 4),
        _seg("chr9", 0, 1000, -5.0, 2),
        _seg("chr7", 0, 600, 2.0, 3),
    ]
    ev = _evidence(segs, [GeneSpan("MET", "7", 100, 500), GeneSpan("X1", "chr7", 700, 800)])
    met, x1 = ev.events
    assert (met.gene, met.cnv_call, met.copy_number, met.source.line) == (
        "MET",
        "amplification",
        8.0,
        3,
    )
    assert met.source.record == "chr7:0-600 log2=2 cn=NA"
    assert met.chrom == "7" and met.status == "called" and met.alteration == "amplification"
    assert x1.cnv_call == "neutral" and x1.copy_number == 2.0
    assert all(a.assessed for a in ev.assessments)


def test_gene_without_segment_is_not_assessed() -> None:
    ev = _evidence([_seg("chr7", 0, 100, 0.0, 2)], [GeneSpan("CDK4", "12", 10, 20)])
    assert ev.events == []
    (a,) = ev.assessments
    assert (a.gene, a.category, a.assessed) == ("CDK4", "cnv", False)
    assert a.reason == "no segment covers CDK4 in t.cns"


def test_adjacent_segment_does_not_touch_gene() -> None:
    # half-open: a segment ending at the gene start does not overlap it
    ev = _evidence([_seg("7", 0, 100, 3.0, 2)], [GeneSpan("MET", "7", 100, 200)])
    assert not ev.assessments[0].assessed


def test_coverage_and_notes() -> None:
    segs = [_seg("7", 0, 150, 0.0, 2), _seg("7", 150, 175, 0.0, 3)]
    ev = _evidence(segs, [GeneSpan("MET", "7", 100, 200)])
    (event,) = ev.events
    assert event.notes[0] == "coverage 75.0% of MET (75 of 100 bp) by 2 segment(s), lines 2, 3"
    assert any("focal" in n for n in event.notes)
    assert any("purity 1, ploidy 2" in n for n in event.notes)
    assert ev.assessments[0].assessed


def test_amplification_needs_min_coverage_else_partial_gain_is_indeterminate() -> None:
    segs = [_seg("7", 0, 1000, 0.0, 2), _seg("7", 400, 450, 3.0, 3)]
    ev = _evidence(segs, [GeneSpan("BRAF", "7", 0, 1000)])
    (e,) = ev.events
    assert e.cnv_call == "indeterminate_gain" and e.status == "indeterminate"
    assert e.copy_number == 16.0 and e.source.line == 3
    assert "partial-gene gain" in e.status_reason and "5%" in e.status_reason
    assert e.alteration == "copy-number gain (review band)"


def test_amplification_over_most_of_gene_is_called() -> None:
    # two high segments cover 80% of the gene; the higher covers only 30%
    segs = [_seg("7", 0, 200, 0.0, 2), _seg("7", 200, 700, 2.0, 3), _seg("7", 700, 1000, 3.0, 4)]
    (e,) = _evidence(segs, [GeneSpan("MET", "7", 0, 1000)]).events
    assert e.cnv_call == "amplification" and e.status == "called"
    assert e.copy_number == 8.0 and e.source.line == 3  # CN reached over >= 50%


def test_partial_homozygous_deletion_counts() -> None:
    segs = [_seg("9", 0, 900, 0.0, 2), _seg("9", 900, 1000, -6.0, 3)]
    (e,) = _evidence(segs, [GeneSpan("CDKN2A", "9", 0, 1000)]).events
    assert e.cnv_call == "homozygous_deletion" and e.status == "called"
    assert e.alteration == "homozygous deletion" and e.source.line == 3


def test_review_bands_are_indeterminate() -> None:
    (gain,) = _evidence([_seg("10", 0, 100, 1.38, 2)], [GeneSpan("FGFR2", "10", 10, 20)]).events
    assert gain.cnv_call == "indeterminate_gain" and gain.status == "indeterminate"
    assert "4 <= CN < 6" in gain.status_reason
    (loss,) = _evidence([_seg("9", 0, 100, -1.5, 2)], [GeneSpan("CDKN2A", "9", 10, 20)]).events
    assert loss.cnv_call == "indeterminate_loss" and loss.status == "indeterminate"
    assert "0.5 < CN < 1" in loss.status_reason
    assert loss.alteration == "copy-number loss (review band)"


@pytest.mark.parametrize(
    ("log2", "call", "words"),
    [
        (0.6, "gain", "copy-number gain"),
        (-0.5, "loss", "copy-number loss"),
        (0.0, "neutral", "neutral"),
    ],
)
def test_plain_calls(log2: float, call: str, words: str) -> None:
    (e,) = _evidence([_seg("1", 0, 100, log2, 2)], [GeneSpan("G", "1", 0, 100)]).events
    assert (e.cnv_call, e.alteration, e.status, e.status_reason) == (call, words, "called", "")


def test_total_copy_number_is_not_purity_adjusted() -> None:
    segs = [_seg("17", 0, 100, None, 2, cn=9.0)]
    (e,) = _evidence(segs, [GeneSpan("ERBB2", "17", 0, 100)], purity=0.3).events
    assert e.copy_number == 9.0 and e.cnv_call == "amplification" and e.log2 is None
    assert any("purity formula not applied" in n for n in e.notes)


def test_log2_is_purity_adjusted() -> None:
    # log2 1 at purity 0.5, ploidy 2 -> CN 6 (amplification); pure it would be 4
    segs = [_seg("7", 0, 100, 1.0, 2)]
    (e,) = _evidence(segs, [GeneSpan("MET", "7", 0, 100)], purity=0.5).events
    assert e.copy_number == pytest.approx(6.0) and e.cnv_call == "amplification"
    (e,) = _evidence(
        segs, [GeneSpan("MET", "7", 0, 100)], purity=0.5, log2_is_tumour_ratio=False
    ).events
    assert e.copy_number == pytest.approx(4.0)


def test_thresholds_per_gene() -> None:
    strict = CnvThresholds(7, 5, 2.5, 1.5, 1.0, 0.5)
    segs = [_seg("17", 0, 100, None, 2, cn=6.0)]
    genes = [GeneSpan("ERBB2", "17", 0, 50), GeneSpan("X", "17", 50, 100)]
    ev = _evidence(segs, genes, thresholds_for=lambda g: strict if g == "ERBB2" else DEFAULT)
    assert [e.cnv_call for e in ev.events] == ["indeterminate_gain", "amplification"]


def test_zero_probe_segments_are_ignored() -> None:
    segs = [_seg("7", 0, 100, 5.0, 2, probes=0)]
    ev = _evidence(segs, [GeneSpan("MET", "7", 0, 100)])
    assert ev.events == [] and not ev.assessments[0].assessed


def test_duplicate_segments_count_once_for_coverage() -> None:
    segs = [_seg("3", 0, 50, 0.0, 2), _seg("3", 0, 50, 0.0, 3)]
    (e,) = _evidence(segs, [GeneSpan("G", "3", 0, 100)]).events
    assert e.notes[0].startswith("coverage 50.0% of G (50 of 100 bp) by 2 segment(s)")


def test_min_gene_coverage() -> None:
    segs = [_seg("7", 0, 10, 0.0, 2)]
    (e,) = _evidence(segs, [GeneSpan("EGFR", "7", 0, 100)], min_gene_coverage=0.5).events
    assert e.status == "indeterminate" and "cover only 10% of EGFR" in e.status_reason
    (e,) = _evidence(segs, [GeneSpan("EGFR", "7", 0, 100)]).events
    assert e.status == "called"


def test_broad_homozygous_deletion_note() -> None:
    segs = [_seg("6", 0, 48_000_000, -3.0, 2)]
    (e,) = _evidence(segs, [GeneSpan("ROS1", "6", 100, 200)]).events
    assert e.cnv_call == "homozygous_deletion"
    assert any("broad (arm-level)" in n for n in e.notes)
    assert any("unusual" in n for n in e.notes)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="purity"):
        _evidence([], [], purity=0.0)
    with pytest.raises(ValueError, match="min_coverage"):
        _evidence([], [], min_coverage=0.0)
    with pytest.raises(ValueError, match="empty span"):
        _evidence([], [GeneSpan("G", "1", 10, 10)])


def test_segment_copy_number_needs_a_value() -> None:
    with pytest.raises(ValueError, match="neither"):
        segment_copy_number(_seg("1", 0, 1, None, 2), purity=1.0, ploidy=2.0)


def test_read_copy_number_entry_point(tmp_path: Path) -> None:
    path = _write(tmp_path, "s.cns", CNVKIT_HEADER + "chr12\t0\t100\tCDK4\t3.5\t12\n")
    ev = read_copy_number(
        path,
        None,
        CnvContext(
            genes=[GeneSpan("CDK4", "12", 10, 20)],
            thresholds_for=lambda g: DEFAULT,
            purity=1.0,
            ploidy=2.0,
            patient="P01",
        ),
    )
    assert ev.inputs == {str(path): sha256_file(path)}
    assert ev.events[0].source.path == str(path) and ev.events[0].cnv_call == "amplification"


def test_read_copy_number_bins_are_for_review(tmp_path: Path) -> None:
    text = "chromosome\tstart\tend\tgene\tlog2\tdepth\tweight\nchr12\t0\t100\tCDK4\t3.5\t9\t1\n"
    path = _write(tmp_path, "s.cnr", text)
    (e,) = read_copy_number(
        path,
        "cnvkit",
        CnvContext(
            genes=[GeneSpan("CDK4", "12", 0, 100)],
            thresholds_for=lambda g: DEFAULT,
            purity=1.0,
            ploidy=2.0,
        ),
    ).events
    assert e.cnv_call == "amplification" and e.status == "indeterminate"
    assert e.status_reason == BIN_LEVEL_REASON


def test_read_copy_number_bad_purity_is_input_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "s.cns", CNVKIT_HEADER)
    with pytest.raises(InputError, match="purity") as info:
        read_copy_number(
            path,
            None,
            CnvContext(
                genes=[], thresholds_for=lambda g: DEFAULT, purity=1.5, ploidy=2.0, patient="P07"
            ),
        )
    assert info.value.patient == "P07"
