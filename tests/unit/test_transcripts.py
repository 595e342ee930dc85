"""Tests of armmatch.knowledge.build.transcripts against the committed resources/transcripts/*.tsv.

Expected coordinates come from the shared data INDEX (refGene sanity checks, independently
verified) and from VEP-annotated records (BRAF V600E, EGFR L858R / E746_A750del, MET c.3028,
BRCA1/BRCA2 frameshifts, CDKN2A c.203_204del). The INDEX gives exons as 1-based inclusive
ranges, i.e. ``start0 + 1`` to ``end`` of the genePred exon.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from armmatch.errors import InputError
from armmatch.genome import Build
from armmatch.knowledge.transcripts import (
    COLUMNS,
    REQUIRED_GENES,
    Exon,
    GeneModel,
    GeneModels,
    default_transcripts_path,
    load_gene_models,
    render_gene_models,
)


@pytest.fixture(scope="module")
def grch37() -> GeneModels:
    return load_gene_models(default_transcripts_path("GRCh37"))


@pytest.fixture(scope="module")
def grch38() -> GeneModels:
    return load_gene_models(default_transcripts_path("GRCh38"))


def model(models: GeneModels, gene: str) -> GeneModel:
    found = models.get(gene)
    assert found is not None, f"{gene} is not bundled"
    return found


def inclusive1(exon: Exon) -> tuple[int, int]:
    """An exon as a 1-based inclusive range, the convention of the INDEX sanity checks."""
    return exon.start0 + 1, exon.end


# --- the bundled tables ------------------------------------------------------------------------


def test_default_paths_point_into_the_repository() -> None:
    for build in ("GRCh37", "GRCh38"):
        path = default_transcripts_path(build)
        assert path.parts[-3:] == ("resources", "transcripts", f"transcripts.{build}.tsv")
        assert path.is_file()


def test_tables_hold_the_same_genes_including_every_target(
    grch37: GeneModels, grch38: GeneModels
) -> None:
    assert grch37.build == "GRCh37" and grch38.build == "GRCh38"
    assert grch37.genes() == grch38.genes()
    assert set(REQUIRED_GENES) <= set(grch38.genes())
    for partner in ("EML4", "CD74", "KIF5B", "CCDC6", "NCOA4", "ETV6", "TACC3", "TPM3"):
        assert partner in grch38
    assert "MANE v1.5" in grch38.source and "sha256=" in grch38.source


MANE_SELECT = {
    "EGFR": ("NM_005228.5", "ENST00000275493.7"),
    "ALK": ("NM_004304.5", "ENST00000389048.8"),
    "MET": ("NM_000245.4", "ENST00000397752.8"),
    "BRAF": ("NM_004333.6", "ENST00000646891.2"),
    "BRCA1": ("NM_007294.4", "ENST00000357654.9"),
    "BRCA2": ("NM_000059.4", "ENST00000380152.8"),
    "ERBB2": ("NM_004448.4", "ENST00000269571.10"),
    "KIT": ("NM_000222.3", "ENST00000288135.6"),
    "CDK4": ("NM_000075.4", "ENST00000257904.11"),
    "CDKN2A": ("NM_000077.5", "ENST00000304494.10"),
    "RET": ("NM_020975.6", "ENST00000355710.8"),
    "NTRK1": ("NM_002529.4", "ENST00000524377.7"),
    "NTRK2": ("NM_006180.6", "ENST00000277120.8"),
    "NTRK3": ("NM_001012338.3", "ENST00000629765.3"),
    "FGFR1": ("NM_023110.3", "ENST00000447712.7"),
    "FGFR2": ("NM_000141.5", "ENST00000358487.10"),
    "FGFR3": ("NM_000142.5", "ENST00000440486.8"),
    "FGFR4": ("NM_213647.3", "ENST00000292408.9"),
}


@pytest.mark.parametrize("build", ["GRCh37", "GRCh38"])
@pytest.mark.parametrize("gene", sorted(MANE_SELECT))
def test_target_genes_use_their_mane_select_transcript(
    gene: str, build: Build, grch37: GeneModels, grch38: GeneModels
) -> None:
    m = model(grch37 if build == "GRCh37" else grch38, gene)
    assert (m.transcript, m.ensembl_transcript) == MANE_SELECT[gene]
    assert m.refseq_accession == m.transcript.split(".")[0]
    assert m.note == ""


@pytest.mark.parametrize("build", ["GRCh37", "GRCh38"])
def test_ros1_falls_back_to_the_mskcc_isoform_with_a_note(
    build: Build, grch37: GeneModels, grch38: GeneModels
) -> None:
    m = model(grch37 if build == "GRCh37" else grch38, "ROS1")
    assert (m.transcript, m.refseq_accession, m.ensembl_transcript) == (
        "NM_002944.2",
        "NM_002944",
        "ENST00000368508",
    )
    assert m.note.startswith("fallback: MANE Select NM_001378902.1")
    assert "MSKCC isoform override" in m.note
    assert (m.chrom, m.strand, len(m.exons)) == ("6", "-", 43)


def test_cdkn2a_is_p16ink4a(grch37: GeneModels) -> None:
    m = model(grch37, "CDKN2A")
    assert m.refseq_accession == "NM_000077"
    assert m.cds_length == 471  # 156 codons + stop


def test_both_builds_agree_on_exon_count_and_cds_length(
    grch37: GeneModels, grch38: GeneModels
) -> None:
    for gene in grch38.genes():
        old, new = model(grch37, gene), model(grch38, gene)
        assert old.transcript == new.transcript
        assert len(old.exons) == len(new.exons), gene
        assert old.cds_length == new.cds_length, gene
        assert new.cds_length % 3 == 0 and new.cds_length > 0, gene


@pytest.mark.parametrize("build", ["GRCh37", "GRCh38"])
def test_every_coding_base_gets_a_distinct_c_position(
    build: Build, grch37: GeneModels, grch38: GeneModels
) -> None:
    models = grch37 if build == "GRCh37" else grch38
    for gene in ("EGFR", "BRCA1", "KIT", "CDKN2A"):
        m = model(models, gene)
        positions = []
        for exon in m.exons:
            for pos0 in range(exon.start0, exon.end):
                c = m.cds_position(pos0 + 1)
                if c is not None:
                    positions.append(c)
        assert sorted(positions) == list(range(1, m.cds_length + 1)), gene


def test_table_bytes_round_trip_through_the_loader(grch38: GeneModels) -> None:
    path = default_transcripts_path("GRCh38")
    text = render_gene_models(grch38.models.values(), grch38.source.split("\n"))
    assert text.encode("utf-8") == path.read_bytes()


# --- exons -------------------------------------------------------------------------------------


def test_egfr_exon_19(grch37: GeneModels, grch38: GeneModels) -> None:
    assert inclusive1(model(grch37, "EGFR").exon(19)) == (55242415, 55242513)
    assert inclusive1(model(grch38, "EGFR").exon(19)) == (55174722, 55174820)
    # i.e. genePred / BED start0 = INDEX start - 1, end = INDEX end
    assert model(grch38, "EGFR").exon(19) == Exon(19, 55174721, 55174820)
    assert model(grch38, "EGFR").exon_at(55174722) == 19
    assert model(grch38, "EGFR").exon_at(55174721) is None
    assert model(grch38, "EGFR").exon_at(55174820) == 19
    assert model(grch38, "EGFR").exon_at(55174821) is None


def test_met_exon_14(grch37: GeneModels, grch38: GeneModels) -> None:
    assert inclusive1(model(grch37, "MET").exon(14)) == (116411903, 116412043)
    assert inclusive1(model(grch38, "MET").exon(14)) == (116771849, 116771989)
    assert len(model(grch38, "MET").exons) == 21


def test_kit_exons_grch37(grch37: GeneModels) -> None:
    kit = model(grch37, "KIT")
    assert inclusive1(kit.exon(9)) == (55592023, 55592216)
    assert inclusive1(kit.exon(11)) == (55593582, 55593708)
    assert inclusive1(kit.exon(13)) == (55594177, 55594287)
    assert inclusive1(kit.exon(17)) == (55599236, 55599358)


def test_brca2_plus_strand_numbering(grch38: GeneModels) -> None:
    brca2 = model(grch38, "BRCA2")
    assert brca2.strand == "+" and len(brca2.exons) == 27
    assert brca2.exon(1).start0 == brca2.tx_start0
    assert brca2.exon(27).end == brca2.tx_end
    assert brca2.exon_at(32340301) == 11  # c.5946del lies in the large exon 11


def test_brca1_minus_strand_numbering(grch37: GeneModels, grch38: GeneModels) -> None:
    for models in (grch37, grch38):
        brca1 = model(models, "BRCA1")
        assert brca1.strand == "-" and len(brca1.exons) == 23
        assert brca1.exon(1).end == brca1.tx_end  # exon 1 has the highest coordinates
        assert brca1.exon(23).start0 == brca1.tx_start0
        assert [e.number for e in brca1.exons_genomic] == list(range(23, 0, -1))
        exon10 = brca1.exon(10)  # legacy "exon 11", c.671-c.4096
        assert brca1.cds_position(exon10.end) == 671
        assert brca1.cds_position(exon10.start0 + 1) == 4096
    assert model(grch37, "BRCA1").exon_at(41244840) == 10


# --- c. positions ------------------------------------------------------------------------------


def test_braf_v600e_is_c1799(grch37: GeneModels, grch38: GeneModels) -> None:
    assert model(grch38, "BRAF").cds_position(140753336) == 1799
    assert model(grch37, "BRAF").cds_position(140453136) == 1799
    assert model(grch38, "BRAF").exon_at(140753336) == 15


def test_egfr_c_positions(grch38: GeneModels) -> None:
    egfr = model(grch38, "EGFR")
    assert egfr.cds_position(55191822) == 2573  # L858R, exon 21
    assert egfr.exon_at(55191822) == 21
    assert egfr.cds_position(55174772) == 2235  # first base deleted by E746_A750del
    assert egfr.cds_position(55181319) == 2310  # D770_N771insG anchor, exon 20
    assert egfr.exon_at(55181319) == 20


def test_met_exon_14_last_base(grch37: GeneModels, grch38: GeneModels) -> None:
    assert model(grch37, "MET").cds_position(116412043) == 3028
    assert model(grch37, "MET").exon_at(116412043) == 14
    assert model(grch38, "MET").cds_position(116771989) == 3028


def test_other_vep_checked_positions(grch37: GeneModels, grch38: GeneModels) -> None:
    assert model(grch38, "BRCA2").cds_position(32340301) == 5946
    assert model(grch38, "BRCA2").cds_position(32333291) == 1813
    assert model(grch38, "BRCA1").cds_position(43057063) == 5266
    assert model(grch38, "ERBB2").cds_position(39724730) == 2312
    cdkn2a = model(grch37, "CDKN2A")  # c.203_204del = GRCh37 9:21971154-21971155 (minus)
    assert (cdkn2a.cds_position(21971155), cdkn2a.cds_position(21971154)) == (203, 204)
    assert model(grch37, "KIT").cds_position(55604621) == 2829
    assert model(grch37, "KIT").exon_at(55604621) == 21
    assert model(grch37, "NTRK2").cds_position(87285704) == 41
    assert model(grch37, "ALK").cds_position(30143415) == 111


def test_cds_position_is_none_outside_coding_exons(grch38: GeneModels) -> None:
    met = model(grch38, "MET")
    assert met.cds_position(116771990) is None  # intron 14
    assert met.cds_position(met.tx_start0 + 1) is None  # 5' UTR
    assert met.cds_position(met.tx_end) is None  # 3' UTR
    assert met.cds_position(met.tx_end + 1000) is None


# --- introns -----------------------------------------------------------------------------------


def test_met_splice_donor_after_exon_14(grch38: GeneModels) -> None:
    met = model(grch38, "MET")
    assert met.exon_at(116771990) is None
    assert met.intron_at(116771990) == 14
    assert met.distance_to_exon(116771990) == (14, 1)  # c.3028+1
    assert met.distance_to_exon(116771991) == (14, 2)
    assert met.distance_to_exon(116771848) == (14, -1)  # c.2888-1, intron 13
    assert met.intron_at(116771848) == 13
    assert met.cds_position(116771849) == 2888
    assert met.distance_to_exon(116771989) is None  # exonic


def test_minus_strand_intron_offsets(grch38: GeneModels) -> None:
    brca1 = model(grch38, "BRCA1")
    exon2, exon3 = brca1.exon(2), brca1.exon(3)
    below_exon2 = exon2.start0  # 1-based position of the base just below exon 2
    above_exon3 = exon3.end + 1  # 1-based position of the base just above exon 3
    assert brca1.intron_at(below_exon2) == brca1.intron_at(above_exon3) == 2
    assert brca1.distance_to_exon(below_exon2) == (2, 1)
    assert brca1.distance_to_exon(above_exon3) == (3, -1)


def test_intron_midpoint_takes_plus(grch38: GeneModels) -> None:
    met = model(grch38, "MET")
    for strand_model in (met, model(grch38, "BRCA1")):
        upstream, downstream = strand_model.exon(5), strand_model.exon(6)
        lo = min(upstream.end, downstream.end)
        hi = max(upstream.start0, downstream.start0)
        length = hi - lo
        offsets = [strand_model.distance_to_exon(p0 + 1) for p0 in range(lo, hi)]
        assert all(o is not None for o in offsets)
        plus = [o for o in offsets if o is not None and o[1] > 0]
        assert {o[0] for o in plus} == {5}
        assert len(plus) == (length + 1) // 2


def test_outside_the_transcript(grch38: GeneModels) -> None:
    met = model(grch38, "MET")
    for pos1 in (met.tx_start0, met.tx_end + 1):
        assert met.exon_at(pos1) is None
        assert met.intron_at(pos1) is None
        assert met.distance_to_exon(pos1) is None


# --- lookups -----------------------------------------------------------------------------------


def test_contains_overlaps_and_chr_styles(grch37: GeneModels, grch38: GeneModels) -> None:
    egfr = model(grch38, "EGFR")
    assert egfr.contains("chr7", 55191822) and egfr.contains("7", 55191822)
    assert not egfr.contains("chr8", 55191822)
    assert egfr.overlaps("chr7", egfr.tx_end - 1, egfr.tx_end + 10)
    assert not egfr.overlaps("7", egfr.tx_end, egfr.tx_end + 10)
    assert not egfr.overlaps("7", egfr.tx_start0, egfr.tx_start0)  # insertion before base 1
    assert egfr.overlaps("7", egfr.tx_start0 + 1, egfr.tx_start0 + 1)
    with pytest.raises(ValueError):
        egfr.overlaps("7", 10, 5)
    assert [m.gene for m in grch38.at("chr7", 140753336)] == ["BRAF"]
    assert grch37.at("9", 21967651) == []  # ~100 bp 3' of CDKN2A
    found = grch37.overlapping("chr9", 21960000, 22010000)
    assert [m.gene for m in found] == ["CDKN2A", "CDKN2B"]
    assert grch38.get("NOTAGENE") is None


# --- loader errors -----------------------------------------------------------------------------


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "t.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD_FIELDS = ["G", "NM_1.1", "NM_1", "ENST1", "7", "-", "100", "400", "150", "350", "2"]
GOOD_ROW = "\t".join([*GOOD_FIELDS, "100,300", "200,400", ""])


def test_loader_reads_a_minimal_minus_strand_table(tmp_path: Path) -> None:
    models = load_gene_models(_write(tmp_path, ["# build: hg19", "\t".join(COLUMNS), GOOD_ROW]))
    g = model(models, "G")
    assert models.build == "GRCh37"
    assert g.exons == (Exon(1, 300, 400), Exon(2, 100, 200))
    assert g.cds_position(350) == 1  # cds_end - 1 (0-based) is c.1 on the minus strand
    assert g.cds_position(151) == 100  # cds_start0 is the last coding base, c.100
    assert g.cds_position(200) == 51 and g.cds_position(301) == 50
    assert g.intron_at(250) == 1
    assert g.distance_to_exon(300) == (1, 1)
    assert g.distance_to_exon(201) == (2, -1)


@pytest.mark.parametrize(
    ("lines", "line", "problem"),
    [
        (["# build: GRCh38", "gene\ttranscript"], 2, "header row"),
        (["# build: GRCh38", "\t".join(COLUMNS), "G\tNM_1"], 3, "expected 14"),
        (
            ["# build: GRCh38", "\t".join(COLUMNS), GOOD_ROW.replace("\t2\t", "\t3\t")],
            3,
            "exon_count 3",
        ),
        (["# build: GRCh38", "\t".join(COLUMNS), GOOD_ROW.replace("\t-\t", "\t.\t")], 3, "strand"),
        (
            ["# build: GRCh38", "\t".join(COLUMNS), GOOD_ROW.replace("\t150\t", "\t250\t")],
            3,
            "CDS start",
        ),
        (
            ["# build: GRCh38", "\t".join(COLUMNS), GOOD_ROW.replace("\t100\t", "\tx\t")],
            3,
            "tx_start0",
        ),
        (["# build: GRCh38", "\t".join(COLUMNS), GOOD_ROW, GOOD_ROW], 4, "appears twice"),
    ],
)
def test_loader_reports_file_line_and_problem(
    tmp_path: Path, lines: list[str], line: int, problem: str
) -> None:
    path = _write(tmp_path, lines)
    with pytest.raises(InputError) as caught:
        load_gene_models(path)
    assert caught.value.line == line
    assert caught.value.path == str(path)
    assert problem in caught.value.problem


def test_loader_requires_a_build_comment(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="build"):
        load_gene_models(_write(tmp_path, ["# no build here", "\t".join(COLUMNS), GOOD_ROW]))
    with pytest.raises(InputError, match="unknown genome build"):
        load_gene_models(_write(tmp_path, ["# build: hg18", "\t".join(COLUMNS), GOOD_ROW]))


def test_loader_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_gene_models(tmp_path / "absent.tsv")


def test_gene_model_rejects_misnumbered_exons() -> None:
    with pytest.raises(ValueError, match="numbered 1..n"):
        GeneModel("G", "NM_1.1", "NM_1", "", "7", "+", 0, 10, 0, 10, (Exon(2, 0, 10),))
    with pytest.raises(ValueError, match="transcript order"):
        GeneModel(
            "G", "NM_1.1", "NM_1", "", "7", "-", 0, 30, 0, 30, (Exon(1, 0, 10), Exon(2, 20, 30))
        )
