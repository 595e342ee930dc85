"""SEG, GATK and gene-level copy-number readers; STAR-Fusion and breakend-VCF fusion readers;
gene assignment from breakpoints and ALK/ROS1 kinase-domain retention (issue 4)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from armmatch.calling.breakends import read_bnd_vcf, transcript_role
from armmatch.calling.copy_number import CnvContext, read_copy_number
from armmatch.calling.fusions import (
    assign_genes,
    first_retained_exon,
    fusion_evidence,
    kinase_check,
    read_fusion_file,
)
from armmatch.calling.gene_copy_number import GeneSpan
from armmatch.calling.purity import CnvThresholds
from armmatch.config import settings_from_config, validate_config
from armmatch.errors import ConfigError, InputError
from armmatch.knowledge.kinase_domains import load_kinase_rules
from armmatch.knowledge.transcripts import GeneModels, default_transcripts_path, load_gene_models
from armmatch.patient import Patient
from armmatch.readers.bnd_vcf import parse_bnd_alt
from armmatch.readers.cnv_formats import detect_cnv_format, read_segments_file
from armmatch.readers.cnv_table import select_sample
from armmatch.readers.fusion_formats import detect_fusion_format
from armmatch.readers.fusion_table import Fusion, parse_breakpoint
from armmatch.readers.gatk import read_gatk_seg
from armmatch.readers.gene_table import read_gene_table
from armmatch.readers.sample_sheet import patient_from_row
from armmatch.readers.seg import read_seg, seg_mean_to_log2
from armmatch.readers.star_fusion import read_star_fusion
from armmatch.run.pipeline import detect_copy_number, detect_fusions, rule_set

T = CnvThresholds(6.0, 4.0, 2.5, 1.5, 1.0, 0.5)
MET = GeneSpan("MET", "7", 116672389, 116798386)
CDK4 = GeneSpan("CDK4", "12", 57747726, 57752447)
CDKN2A = GeneSpan("CDKN2A", "9", 21967751, 21975133)
GRCH38 = load_gene_models(default_transcripts_path("GRCh38"))
KINASE = load_kinase_rules()
ROLES = {"ALK": "3prime", "ROS1": "3prime", "RET": "any", "FGFR3": "any"}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- SEG --------------------------------------------------------------------------------------

SEG_HEADER = "ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\n"
SEG = (
    SEG_HEADER + "P1\tchr7\t116600001\t116900000\t40\t2.0\n"
    "P2\tchr7\t116600001\t116900000\t40\t0.02\n"
    "P2\tchr12\t57700001\t57800000\t12\t0.6020599913\n"
)


def test_read_seg_picks_patient_and_converts_one_based(tmp_path: Path) -> None:
    segs = read_seg(_write(tmp_path, "x.seg", SEG), patient="P1")
    assert [(s.chrom, s.start0, s.end, s.log2, s.probes, s.line) for s in segs] == [
        ("chr7", 116600000, 116900000, 2.0, 40, 2)
    ]


def test_read_seg_cnv_sample_and_log10(tmp_path: Path) -> None:
    segs = read_seg(_write(tmp_path, "x.seg", SEG), patient="P1", sample="P2", scale="log10")
    assert [s.line for s in segs] == [3, 4]
    assert segs[1].log2 == pytest.approx(2.0, abs=1e-9)  # log10(4) -> log2 2


def test_read_seg_unknown_sample_lists_ids(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.seg", SEG)
    with pytest.raises(InputError, match="several samples.*P3.*samples in the file: P1, P2"):
        read_seg(path, patient="P3")
    with pytest.raises(InputError, match="cnv_sample 'X' is not a sample.*P1, P2") as info:
        read_seg(path, patient="P1", sample="X")
    assert info.value.line == 1 and str(path) in str(info.value)


def test_select_sample_single_sample_file() -> None:
    assert select_sample(["TUMOR"], None, "P1", "x.seg") == "TUMOR"
    with pytest.raises(InputError, match="samples in the file: TUMOR"):
        select_sample(["TUMOR"], "P1", "P1", "x.seg")


def test_read_seg_errors_name_line(tmp_path: Path) -> None:
    bad = _write(tmp_path, "x.seg", SEG_HEADER + "P1\t7\t-5\t10\t1\t0.1\n")
    with pytest.raises(InputError, match="start -5 < 0") as info:
        read_seg(bad, patient="P1")
    assert info.value.line == 2
    bad = _write(tmp_path, "y.seg", SEG_HEADER + "P1\t7\t1\t10\t1\tabc\n")
    with pytest.raises(InputError, match="seg.mean 'abc' is not a number"):
        read_seg(bad, patient="P1")


def test_seg_mean_to_log2() -> None:
    assert seg_mean_to_log2(-1.0, "log2") == -1.0
    assert seg_mean_to_log2(math.log10(8.0), "log10") == pytest.approx(3.0)


def test_read_copy_number_seg_log10_calls_cdk4(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.seg", SEG)
    ev = read_copy_number(
        path,
        "seg",
        CnvContext(
            genes=[CDK4, MET],
            thresholds_for=lambda g: T,
            purity=1.0,
            ploidy=2.0,
            patient="P2",
            seg_mean_scale="log10",
        ),
    )
    calls = {e.gene: (e.cnv_call, e.copy_number) for e in ev.events}
    assert calls["CDK4"][0] == "amplification"
    assert calls["CDK4"][1] == pytest.approx(8.0)
    assert calls["MET"][0] == "neutral"


# --- GATK -------------------------------------------------------------------------------------

GATK = (
    "@HD\tVN:1.6\n@SQ\tSN:chr12\tLN:133275309\n@RG\tID:GATKCopyNumber\tSM:T1\n"
    "CONTIG\tSTART\tEND\tNUM_POINTS_COPY_RATIO\tMEAN_LOG2_COPY_RATIO\tCALL\n"
    "chr12\t57700001\t57800000\t25\t3.1\t+\n"
    "chr9\t21900001\t22000000\t9\t-4.5\t-\n"
)


def test_read_gatk_seg(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.cr.seg", GATK)
    assert detect_cnv_format(path) == "gatk"
    segs = read_gatk_seg(path)
    assert [(s.start0, s.end, s.probes, s.caller_call, s.line) for s in segs] == [
        (57700000, 57800000, 25, "+", 5),
        (21900000, 22000000, 9, "-", 6),
    ]
    ev = read_copy_number(
        path,
        None,
        CnvContext(
            genes=[CDK4, CDKN2A], thresholds_for=lambda g: T, purity=1.0, ploidy=2.0, patient="P1"
        ),
    )
    by_gene = {e.gene: e for e in ev.events}
    assert by_gene["CDK4"].cnv_call == "amplification"
    assert by_gene["CDKN2A"].cnv_call == "homozygous_deletion"
    assert "caller's call for the deciding segment: +" in by_gene["CDK4"].notes


def test_read_gatk_model_final_posterior_column(tmp_path: Path) -> None:
    text = (
        "@HD\tVN:1.6\nCONTIG\tSTART\tEND\tNUM_POINTS_COPY_RATIO\tNUM_POINTS_ALLELE_FRACTION\t"
        "LOG2_COPY_RATIO_POSTERIOR_10\tLOG2_COPY_RATIO_POSTERIOR_50\tLOG2_COPY_RATIO_POSTERIOR_90\n"
        "7\t101\t200\t4\t0\t1.0\t1.5\t2.0\n"
    )
    seg = read_gatk_seg(_write(tmp_path, "m.seg", text))[0]
    assert (seg.log2, seg.caller_call, seg.start0) == (1.5, None, 100)


# --- gene-level tables ------------------------------------------------------------------------

MATRIX = (
    "Hugo_Symbol\tEntrez_Gene_Id\tP1\tP2\n"
    "MET\t4233\t2\t0\n"
    "CDKN2A\t1029\t-2\t-1\n"
    "CDK4\t1019\tNA\t1\n"
)


def test_read_gene_table_matrix(tmp_path: Path) -> None:
    path = _write(tmp_path, "data_cna.txt", MATRIX)
    assert detect_cnv_format(path) == "gene-table"
    p1 = read_gene_table(path, patient="P1")
    assert {g: (v.call, v.line) for g, v in p1.items()} == {
        "MET": ("amplification", 2),
        "CDKN2A": ("homozygous_deletion", 3),
    }
    p2 = read_gene_table(path, patient="x", sample="P2")
    assert {g: v.call for g, v in p2.items()} == {
        "MET": "neutral",
        "CDKN2A": "loss",
        "CDK4": "gain",
    }
    with pytest.raises(InputError, match="samples in the file: P1, P2"):
        read_gene_table(path, patient="P9")


def test_read_gene_table_long_and_bad_value(tmp_path: Path) -> None:
    path = _write(tmp_path, "long.tsv", "sample\tgene\tvalue\nP1\tMET\t2\nP2\tMET\t-1\n")
    assert detect_cnv_format(path) == "gene-table"
    assert read_gene_table(path, patient="P2")["MET"].call == "loss"
    bad = _write(tmp_path, "bad.tsv", "sample\tgene\tvalue\nP1\tMET\t3.5\n")
    with pytest.raises(InputError, match="not a GISTIC call") as info:
        read_gene_table(bad, patient="P1")
    assert info.value.line == 2


def test_gene_table_evidence_no_purity_formula(tmp_path: Path) -> None:
    path = _write(tmp_path, "data_cna.txt", MATRIX)
    ev = read_copy_number(
        path,
        None,
        CnvContext(
            genes=[MET, CDKN2A, CDK4],
            thresholds_for=lambda g: T,
            purity=0.2,
            ploidy=3.0,
            patient="P1",
        ),
    )
    assert [(e.gene, e.cnv_call, e.copy_number, e.status) for e in ev.events] == [
        ("MET", "amplification", None, "called"),
        ("CDKN2A", "homozygous_deletion", None, "called"),
    ]
    assert {a.gene: a.assessed for a in ev.assessments} == {
        "MET": True,
        "CDKN2A": True,
        "CDK4": False,
    }
    assert any(
        "purity formula and copy-number thresholds not applied" in n for n in ev.events[0].notes
    )


def test_detect_cnv_format_ambiguous(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.tsv", "ID\tchrom\tstart\tend\tseg.mean\tTotal_CN\n")
    with pytest.raises(InputError, match=r"fits several copy-number formats \(seg, segments\)"):
        detect_cnv_format(path)


# --- configuration and sample sheet -----------------------------------------------------------


def test_seg_mean_scale_config() -> None:
    assert settings_from_config({"samples": "s.tsv"}).seg_mean_scale == "log2"
    cfg = {"samples": "s.tsv", "copy_number": {"seg_mean_scale": "log10"}}
    settings = settings_from_config(cfg)
    assert settings.seg_mean_scale == "log10"
    assert settings.to_dict()["copy_number"]["seg_mean_scale"] == "log10"
    with pytest.raises(ConfigError, match="seg_mean_scale"):
        validate_config({"samples": "s.tsv", "copy_number": {"seg_mean_scale": "ln"}})


def test_cnv_sample_column() -> None:
    row = {"patient_id": "P1", "tumour_type": "C49", "vcf": "a.vcf", "cnv": "x.seg"}
    patient = patient_from_row(
        {**row, "cnv_sample": "TCGA-01"}, sheet="s.tsv", line=2, sheet_dir=".", check_files=False
    )
    assert patient.cnv_sample == "TCGA-01"
    plain = patient_from_row(row, sheet="s.tsv", line=2, sheet_dir=".", check_files=False)
    assert plain.cnv_sample is None


# --- STAR-Fusion ------------------------------------------------------------------------------

STAR_HEADER = (
    "#FusionName\tJunctionReadCount\tSpanningFragCount\test_J\test_S\tSpliceType\tLeftGene\t"
    "LeftBreakpoint\tRightGene\tRightBreakpoint\tPROT_FUSION_TYPE\n"
)


def test_read_star_fusion(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "star-fusion.fusion_predictions.tsv",
        STAR_HEADER + "EML4--ALK\t30\t12\t30\t12\tONLY_REF_SPLICE\tEML4^ENSG00000085999.11\t"
        "chr2:42301392:+\tALK^ENSG00000171094.16\tchr2:29223528:-\tINFRAME\n"
        "GOPC--ROS1\t4\t0\t4\t0\tONLY_REF_SPLICE\tGOPC^ENSG00000047932.14\tchr6:117566854:-\t"
        "ROS1^ENSG00000047936.10\tchr6:117318200:-\tFRAMESHIFT\n",
    )
    assert detect_fusion_format(path) == "star-fusion"
    fusions = read_star_fusion(path)
    assert [(f.gene5, f.gene3, f.frame, f.split_reads, f.line) for f in fusions] == [
        ("EML4", "ALK", "in-frame", 30, 2),
        ("GOPC", "ROS1", "out-of-frame", 4, 3),
    ]
    with pytest.raises(InputError, match="missing column"):
        read_star_fusion(_write(tmp_path, "bad.tsv", "#FusionName\tLeftGene\n"))


# --- breakend VCFs ----------------------------------------------------------------------------

VCF_HEAD = (
    '##fileformat=VCFv4.2\n##INFO=<ID=SVTYPE,Number=1,Type=String,Description="t">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
)


def test_parse_bnd_alt_and_roles() -> None:
    assert parse_bnd_alt("G]8:107653520]") == ("left", parse_bnd_alt("G]8:107653520]")[1])  # type: ignore[index]
    assert parse_bnd_alt("[2:33141314[C") is not None
    local, mate = parse_bnd_alt("[2:33141314[C")  # type: ignore[misc]
    assert (local, mate.kept, mate.pos1) == ("right", "right", 33141314)
    assert parse_bnd_alt("N[4:1727977]") is None
    assert parse_bnd_alt("A") is None
    assert transcript_role("-", "right") == "5prime"
    assert transcript_role("+", "right") == "3prime"


def test_read_bnd_vcf_pairs_by_mateid_and_orients(tmp_path: Path) -> None:
    # EML4 (+) left part joined to ALK (-) left part (inversion): EML4 is 5', ALK 3'.
    path = _write(
        tmp_path,
        "sv.vcf",
        VCF_HEAD + "2\t42301500\tb1\tN\tN]2:29224000]\t.\tPASS\tSVTYPE=BND;MATEID=b2\n"
        "2\t29224000\tb2\tN\tN]2:42301500]\t.\tPASS\tSVTYPE=BND;MATEID=b1\n",
    )
    assert detect_fusion_format(path) == "bnd-vcf"
    fusions = read_bnd_vcf(path, models=GRCH38, targets=("ALK",))
    assert len(fusions) == 1
    f = fusions[0]
    assert (f.gene5, f.gene3, f.breakpoint5, f.breakpoint3, f.line, f.orientation_known) == (
        "EML4",
        "ALK",
        "2:42301500",
        "2:29224000",
        4,
        True,
    )
    ev = fusion_evidence(
        fusions, ["ALK"], source_path=str(path), require_in_frame=True, roles=ROLES,
        models=GRCH38, kinase_rules=KINASE,
    )  # fmt: skip
    assert ev.events[0].status == "called"
    assert any(
        "kinase domain retained: fusion keeps ALK from exon 20" in n for n in ev.events[0].notes
    )


def test_read_bnd_vcf_single_record_and_unknown_orientation(tmp_path: Path) -> None:
    # DELLY style, one record, no MATEID: the mate is taken from the ALT. EML4 (+) left part
    # and ALK (-) right part are both 5' parts: orientation unknown, shown for review.
    path = _write(
        tmp_path,
        "delly.vcf",
        VCF_HEAD + "2\t42301500\tBND1\tN\tN[2:29224000[\t.\tPASS\tSVTYPE=BND;CT=3to5\n",
    )
    fusions = read_bnd_vcf(path, models=GRCH38, targets=("ALK",))
    assert [(f.gene5, f.gene3, f.orientation_known) for f in fusions] == [("EML4", "ALK", False)]
    assert any("orientation unknown" in n for n in fusions[0].notes)
    ev = fusion_evidence(fusions, ["ALK"], source_path="x", require_in_frame=True, roles=ROLES)
    assert ev.events[0].status == "indeterminate"
    assert "could not tell the 5'/3' order" in ev.events[0].status_reason


def test_read_bnd_vcf_one_named_side(tmp_path: Path) -> None:
    # RET (+) right part joined after an unannotated locus: RET is the 3' partner.
    path = _write(
        tmp_path,
        "manta.vcf",
        VCF_HEAD + "10\t43116000\tm0\tN\t]3:5000000]N\t.\tPASS\tSVTYPE=BND;MATEID=m1\n"
        "3\t5000000\tm1\tN\tN[10:43116000[\t.\tPASS\tSVTYPE=BND;MATEID=m0\n"
        "1\t1000\tm2\tN\tN[3:1000[\t.\tPASS\tSVTYPE=BND\n",
    )
    fusions = read_bnd_vcf(path, models=GRCH38, targets=("RET",))
    assert [(f.gene5, f.gene3, f.breakpoint3) for f in fusions] == [(None, "RET", "10:43116000")]
    assert any("no bundled gene model at the 5' breakend 3:5000000" in n for n in fusions[0].notes)


def test_read_bnd_vcf_fusioncatcher_info(tmp_path: Path) -> None:
    info = "SVTYPE=BND;MATEID={m};END={e};SR=7;GENE5=CD74;GENE3=ROS1;EFFECT=in-frame"
    path = _write(
        tmp_path,
        "fc.vcf",
        VCF_HEAD + f"6\t117324415\tf3\tN\t]5:150404680]N\t.\tPASS\t{info.format(m='f5', e=3)}\n"
        f"5\t150404680\tf5\tN\tN]6:117324415]\t.\tPASS\t{info.format(m='f3', e=5)}\n",
    )
    (f,) = read_bnd_vcf(path, models=GRCH38)
    assert (f.gene5, f.gene3, f.breakpoint5, f.breakpoint3, f.frame, f.split_reads) == (
        "CD74", "ROS1", "5:150404680", "6:117324415", "in-frame", 7,
    )  # fmt: skip
    assert f.caller == "FusionCatcher (VCF)"


def test_read_bnd_vcf_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no #CHROM header"):
        read_bnd_vcf(_write(tmp_path, "a.vcf", "##fileformat=VCFv4.2\n"), models=GRCH38)
    bad = _write(tmp_path, "b.vcf", VCF_HEAD + "2\tx\tb\tN\tN[2:5[\t.\tPASS\t.\n")
    with pytest.raises(InputError, match="POS 'x'") as info:
        read_bnd_vcf(bad, models=GRCH38)
    assert info.value.line == 4
    with pytest.raises(InputError, match="needs the bundled gene models"):
        read_fusion_file(bad, "bnd-vcf")


# --- gene assignment and kinase domain --------------------------------------------------------


def test_parse_breakpoint() -> None:
    assert parse_breakpoint("chr6:117321394:-") == ("chr6", 117321394)
    assert parse_breakpoint("6:117321394") == ("6", 117321394)
    assert parse_breakpoint("") is None


def test_assign_genes_breakpoint_inside_ros1_counts_as_ros1() -> None:
    f = Fusion("CD74", "GOPC", "5:150404680", "6:117321394", "in-frame", 5, 2, None)
    out = assign_genes(f, GRCH38, ("ROS1",))
    assert (out.gene5, out.gene3) == ("CD74", "ROS1")
    assert any(
        "names GOPC at the 3' breakpoint 6:117321394" in n and "counted as ROS1" in n
        for n in out.notes
    )
    ev = fusion_evidence(
        [f], ["ROS1"], source_path="x", require_in_frame=True, roles=ROLES,
        models=GRCH38, kinase_rules=KINASE,
    )  # fmt: skip
    assert ev.events[0].status == "called" and ev.events[0].gene3 == "ROS1"


def test_assign_genes_named_gene_outside_its_model() -> None:
    f = Fusion("EML4", "ALK", "2:42301392", "2:10000", "in-frame", 5, 2, None)
    out = assign_genes(f, GRCH38, ("ALK",))
    assert out.gene3 == "ALK"
    assert any("outside the bundled GRCh38 ALK model" in n for n in out.notes)


def test_first_retained_exon_alk() -> None:
    alk = GRCH38.get("ALK")
    assert alk is not None
    assert first_retained_exon(alk, 29224000) == 20  # intron 19
    assert first_retained_exon(alk, 29223528) == 20  # last base of exon 20 (first in transcript)
    assert first_retained_exon(alk, 29222450) == 22  # intron 21
    assert first_retained_exon(alk, 30000000) == 1  # upstream of ALK (minus strand)
    assert first_retained_exon(alk, 29000000) is None  # downstream: nothing retained


@pytest.mark.parametrize(
    ("gene", "point", "expected"),
    [
        ("ALK", "2:29224000", True),
        ("ALK", "2:29222450", False),
        ("ROS1", "6:117324415", True),
        ("ROS1", "6:117318200", False),
        ("ALK", None, None),
    ],
)
def test_kinase_check(gene: str, point: str | None, expected: bool | None) -> None:
    f = Fusion("EML4", gene, None, point, "in-frame", 5, 2, None)
    retained, why = kinase_check(f, gene, GRCH38, KINASE)
    assert retained is expected
    if expected is None:
        assert "not checked" in why


def test_kinase_domain_loss_filters_and_missing_coordinate_is_noted() -> None:
    lost = Fusion("EML4", "ALK", None, "2:29222450", "in-frame", 5, 2, None)
    unknown = Fusion("EML4", "ALK", None, None, "in-frame", 5, 3, None)
    ev = fusion_evidence(
        [lost, unknown], ["ALK"], source_path="x", require_in_frame=True, roles=ROLES,
        models=GRCH38, kinase_rules=KINASE,
    )  # fmt: skip
    assert ev.events[0].status == "filtered"
    assert "kinase domain not retained: fusion keeps ALK from exon 22" in ev.events[0].status_reason
    assert ev.events[1].status == "called"
    assert any("not checked" in n for n in ev.events[1].notes)


def test_kinase_rule_other_transcript_is_not_checked() -> None:
    models = GeneModels("GRCh38", "test", {})
    f = Fusion("EML4", "ALK", None, "2:29224000", "in-frame", 5, 2, None)
    assert kinase_check(f, "ALK", models, KINASE)[0] is None


def test_kinase_rules_are_data() -> None:
    assert {g: (r.transcript, r.min_first_exon, r.max_first_exon) for g, r in KINASE.items()} == {
        "ALK": ("NM_004304", 18, 20),
        "ROS1": ("NM_002944", 32, 36),
        "RET": ("NM_020975", 11, 12),
        "NTRK1": ("NM_002529", 8, 12),
        "NTRK2": ("NM_006180", 13, 17),
        "NTRK3": ("NM_001012338", 13, 16),
    }


# --- pipeline wiring --------------------------------------------------------------------------


def _patient(**kw: object) -> Patient:
    base: dict[str, object] = {"patient_id": "P1", "tumour_type": "C49", "vcf": "a.vcf", "line": 2}
    return Patient(**{**base, **kw})  # type: ignore[arg-type]


def test_detect_copy_number_gene_table_needs_no_purity(tmp_path: Path) -> None:
    path = _write(tmp_path, "data_cna.txt", MATRIX)
    settings = settings_from_config({"samples": "s.tsv"})
    ev = detect_copy_number(
        _patient(cnv=str(path), cnv_sample="P2"),
        build="GRCh38",
        rules=rule_set(),
        settings=settings,
    )
    calls = {e.gene: e.cnv_call for e in ev.events}
    assert calls["CDK4"] == "gain" and calls["MET"] == "neutral"


def test_detect_copy_number_seg_log10_from_config(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.seg", SEG)
    settings = settings_from_config(
        {"samples": "s.tsv", "copy_number": {"seg_mean_scale": "log10"}}
    )
    ev = detect_copy_number(
        _patient(patient_id="P2", cnv=str(path), purity=1.0, ploidy=2.0),
        build="GRCh38",
        rules=rule_set(),
        settings=settings,
    )
    assert {e.gene: e.cnv_call for e in ev.events}["CDK4"] == "amplification"


def test_detect_fusions_bnd_vcf_uses_the_patient_build(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "sv.vcf",
        VCF_HEAD + "2\t42301500\tb1\tN\tN]2:29224000]\t.\tPASS\tSVTYPE=BND;MATEID=b2\n"
        "2\t29224000\tb2\tN\tN]2:42301500]\t.\tPASS\tSVTYPE=BND;MATEID=b1\n",
    )
    settings = settings_from_config({"samples": "s.tsv", "genome_build": "GRCh38"})
    ev = detect_fusions(_patient(fusions=str(path)), rules=rule_set(), settings=settings)
    alk = [e for e in ev.events if e.gene == "ALK"]
    assert [(e.gene5, e.status) for e in alk] == [("EML4", "called")]
    # On GRCh37 the same coordinates are not in EML4/ALK: no ALK event.
    ev37 = detect_fusions(
        _patient(fusions=str(path), genome_build="GRCh37"), rules=rule_set(), settings=settings
    )
    assert [e for e in ev37.events if e.gene == "ALK"] == []


def test_read_bnd_vcf_symbolic_deletion_into_ros1(tmp_path: Path) -> None:
    # A GOPC-ROS1-like deletion: ROS1 (-) keeps its left (3') part, the 5' side (GOPC) is not
    # bundled. An <INV> without a stated junction and an <INS> are no junction.
    path = _write(
        tmp_path,
        "delly.vcf",
        VCF_HEAD + "6\t117321000\tDEL1\tN\t<DEL>\t.\tPASS\tSVTYPE=DEL;END=117566854;CT=3to5\n"
        "2\t29224000\tINV1\tN\t<INV>\t.\tPASS\tSVTYPE=INV;END=42301500\n"
        "6\t117321000\tINS1\tN\t<INS>\t.\tPASS\tSVTYPE=INS;END=117321001\n",
    )
    fusions = read_bnd_vcf(path, models=GRCH38, targets=("ROS1",))
    assert [(f.gene5, f.gene3, f.breakpoint5, f.breakpoint3) for f in fusions] == [
        (None, "ROS1", "6:117566855", "6:117321000")
    ]
    ev = fusion_evidence(
        fusions, ["ROS1"], source_path="x", require_in_frame=True, roles=ROLES,
        models=GRCH38, kinase_rules=KINASE,
    )  # fmt: skip
    assert ev.events[0].status == "called"
    assert any(
        "ROS1 kinase domain retained: fusion keeps ROS1 from exon 36" in n
        for n in ev.events[0].notes
    )


# --- allele-specific callers' own segment files (ASCAT, FACETS, Sequenza) ------------------------

MET_SPAN = GeneSpan("MET", "chr7", 116672195, 116798377)
ASCAT = (
    "sample\tchr\tstartpos\tendpos\tnMajor\tnMinor\n"
    "T2\t7\t100000\t159000000\t1\t1\n"
    "T1\t7\t100000\t116000000\t1\t1\n"
    "T1\t7\t116600000\t116900000\t10\t2\n"
    "T1\t7\t117000000\t159000000\t1\t1\n"
)
FACETS = (
    "chrom\tseg\tnum.mark\tnhet\tcnlr.median\tmafR\tsegclust\tcnlr.median.clust\tmafR.clust\tstart"
    "\tend\tcf.em\ttcn.em\tlcn.em\n"
    "7\t1\t500\t20\t0.01\t0.0\t1\t0.0\t0.0\t100000\t116000000\t1\t2\t1\n"
    "7\t2\t80\t5\t2.1\t0.5\t2\t2.1\t0.5\t116600000\t116900000\t0.7\t12\tNA\n"
    "23\t3\t100\t2\t-0.5\t0.1\t3\t-0.5\t0.1\t1\t150000000\t1\t1\t0\n"  # FACETS writes X as 23
)
FACETS_SUITE = (
    "sid\tchrom\tloc.start\tloc.end\ttcn.em\tlcn.em\nT1\t7\t116600000\t116900000\t12\t2\n"
)
SEQUENZA = (  # as R's write.table quotes it
    '"chromosome"\t"start.pos"\t"end.pos"\t"Bf"\t"N.BAF"\t"sd.BAF"\t"depth.ratio"\t"N.ratio"\t'
    '"sd.ratio"\t"CNt"\t"A"\t"B"\t"LPP"\n'
    '"chr7"\t100000\t116000000\t0.5\t100\t0.1\t1\t100\t0.1\t2\t1\t1\t-10\n'
    '"chr7"\t116600000\t116900000\t0.2\t50\t0.1\t4.5\t50\t0.1\t12\t10\t2\t-10\n'
)


@pytest.mark.parametrize(("text", "patient"), [
    (ASCAT, "T1"), (FACETS, "P1"), (FACETS_SUITE, "P1"), (SEQUENZA, "P1"),
], ids=["ascat", "facets", "facets-suite", "sequenza"])  # fmt: skip
def test_allele_specific_callers_segment_files_give_the_met_amplification(
    tmp_path: Path, text: str, patient: str
) -> None:
    """Each caller's own columns: ASCAT's startpos/endpos (and several samples in one file),
    FACETS' tcn.em (X as 23), Sequenza's CNt behind R's quotes. None of them was read before
    ("cannot tell the copy-number format"), although the README named FACETS and ASCAT."""
    from armmatch.readers.file_kinds import file_kind

    path = _write(tmp_path, "segments.txt", text)
    assert detect_cnv_format(path) == "segments"
    assert file_kind(path).name == "segment-table copy-number calls"  # type: ignore[union-attr]
    context = CnvContext([MET_SPAN], lambda g: CnvThresholds(6.0, 4.0, 2.5, 1.5, 1.0, 0.5),
                         purity=0.7, ploidy=2.0, patient=patient, build="GRCh38")  # fmt: skip
    ev = read_copy_number(path, None, context)
    assert [(e.gene, e.alteration, e.status) for e in ev.events] == [
        ("MET", "amplification", "called")
    ]
    assert ev.events[0].copy_number == 12


def test_a_multi_sample_ascat_file_needs_the_patients_sample(tmp_path: Path) -> None:
    path = _write(tmp_path, "ascat.segments.txt", ASCAT)
    context = CnvContext([MET_SPAN], lambda g: CnvThresholds(6.0, 4.0, 2.5, 1.5, 1.0, 0.5),
                         purity=0.7, ploidy=2.0, patient="P9", build="GRCh38")  # fmt: skip
    with pytest.raises(InputError, match=r"T2, T1|T1, T2"):
        read_copy_number(path, None, context)
    chosen = CnvContext([MET_SPAN], lambda g: CnvThresholds(6.0, 4.0, 2.5, 1.5, 1.0, 0.5),
                        purity=0.7, ploidy=2.0, patient="P9", sample="T2", build="GRCh38")  # fmt: skip
    events = read_copy_number(path, None, chosen).events  # T2 is diploid at MET
    assert [(e.alteration, e.copy_number) for e in events] == [("neutral", 2)]


# --- decided per the format (issue 29) -----------------------------------------------------------


def test_a_seg_written_with_0_based_starts_is_read(tmp_path: Path) -> None:
    """A SEG whose first start is 0 and whose segments start where the previous ended (0-based
    starts): read, the one shared base trimmed, not refused as overlapping."""
    path = _write(tmp_path, "z.seg", "ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\n"
                  "P1\t7\t0\t116000000\t100\t0.1\nP1\t7\t116000000\t117000000\t50\t2.5\n"
                  "P1\t7\t117000000\t159000000\t100\t0.0\n")  # fmt: skip
    used, segments = read_segments_file(path, "seg", patient="P1", build="GRCh38")
    assert [(s.start0, s.end) for s in segments] == [
        (0, 116000000), (116000000, 117000000), (117000000, 159000000)]  # fmt: skip


def test_cnr_bins_sharing_a_few_bases_are_trimmed_but_real_overlaps_stop(tmp_path: Path) -> None:
    head = "chromosome\tstart\tend\tgene\tdepth\tlog2\tweight\n"
    few = _write(tmp_path, "a.cnr", head + "7\t116670000\t116680010\tMET\t100\t2.5\t1\n"
                 "7\t116680000\t116690000\tMET\t100\t2.5\t1\n")  # fmt: skip
    _, segments = read_segments_file(few, "cnvkit", patient="P1", build="GRCh38")
    assert segments[1].start0 == segments[0].end
    many = _write(tmp_path, "b.cnr", head + "7\t116670000\t116690000\tMET\t100\t2.5\t1\n"
                  "7\t116680000\t116700000\tMET\t100\t2.5\t1\n")  # fmt: skip
    with pytest.raises(InputError, match="overlaps the segment"):
        read_segments_file(many, "cnvkit", patient="P1", build="GRCh38")
