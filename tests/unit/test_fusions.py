"""Unit tests for armmatch.calling.fusions: readers, frame normalisation, roles and evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from armmatch.calling.fusions import fusion_evidence, read_fusion_file, read_fusions
from armmatch.errors import InputError
from armmatch.io import sha256_file
from armmatch.readers.arriba import parse_arriba_gene, read_arriba
from armmatch.readers.fusion_formats import detect_fusion_format
from armmatch.readers.fusion_table import Fusion, normalise_frame
from armmatch.readers.fusioncatcher import read_fusioncatcher
from armmatch.readers.generic_fusions import read_generic_fusions
from armmatch.readers.pcgr_fusions import read_pcgr_fusions

ROLES = {"ALK": "3prime", "ROS1": "3prime", "RET": "any", "NTRK3": "any", "FGFR2": "any"}

ARRIBA_HEADER = (
    "#gene1\tgene2\tstrand1(gene/fusion)\tstrand2(gene/fusion)\tbreakpoint1\tbreakpoint2\t"
    "site1\tsite2\ttype\tsplit_reads1\tsplit_reads2\tdiscordant_mates\treading_frame\n"
)
FC_HEADER = (
    "Gene_1_symbol(5end_fusion_partner)\tGene_2_symbol(3end_fusion_partner)\tFusion_description\t"
    "Spanning_unique_reads\tFusion_point_for_gene_1(5end_fusion_partner)\t"
    "Fusion_point_for_gene_2(3end_fusion_partner)\tPredicted_effect\n"
)
PCGR_HEADER = "FusionGene\tLeftBreakpoint\tRightBreakpoint\tSplitReads\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _fusion(gene5: str | None, gene3: str | None, frame: str = "in-frame", **kw: object) -> Fusion:
    return Fusion(gene5, gene3, "1:1", "2:2", frame, 10, 2, frame, **kw)  # type: ignore[arg-type]


# --- frame and gene names ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "frame"),
    [
        ("in-frame", "in-frame"),
        ("In-Frame", "in-frame"),
        ("inframe", "in-frame"),
        ("out-of-frame", "out-of-frame"),
        ("frameshift", "out-of-frame"),
        ("stop-codon", "out-of-frame"),
        ("CDS(truncated)/intronic", "out-of-frame"),
        ("intronic/CDS(truncated)", "out-of-frame"),
        ("UTR/CDS(complete)", "out-of-frame"),
        (".", "unknown"),
        ("", "unknown"),
        (None, "unknown"),
        ("NA", "unknown"),
        ("something new", "unknown"),
    ],
)
def test_normalise_frame(text: str | None, frame: str) -> None:
    assert normalise_frame(text) == frame


def test_normalise_frame_strict() -> None:
    with pytest.raises(ValueError, match="unknown frame 'maybe'"):
        normalise_frame("maybe", strict=True)
    assert normalise_frame("", strict=True) == "unknown"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ALK", ("ALK", ())),
        (".", (None, ())),
        ("LINC01234(1200),ALK(350)", (None, ("LINC01234", "ALK"))),
        ("ALK(350)", (None, ("ALK",))),
        ("GENE1,GENE2", (None, ("GENE1", "GENE2"))),
    ],
)
def test_parse_arriba_gene(text: str, expected: tuple[str | None, tuple[str, ...]]) -> None:
    assert parse_arriba_gene(text) == expected


# --- readers -------------------------------------------------------------------------------


def test_read_arriba(tmp_path: Path) -> None:
    text = ARRIBA_HEADER + (
        "EML4\tALK\t+/+\t-/-\t2:42522694\t2:29446394\tCDS/splice-site\tCDS/splice-site\t"
        "inversion\t4\t7\t2\tin-frame\n"
        "LINC00486(5000),EML4(200)\tALK\t./+\t-/-\t2:1\t2:29446394\tintergenic\tintron\t"
        "inversion\t1\t0\t0\t.\n"
        "ALK\tPTPN3\t-/.\t+/.\t2:29446394\t9:1\tCDS\tCDS\ttranslocation\t3\t3\t1\tstop-codon\n"
    )
    first, second, third = read_arriba(_write(tmp_path, "fusions.tsv", text))
    assert (first.gene5, first.gene3, first.frame, first.split_reads, first.line) == (
        "EML4",
        "ALK",
        "in-frame",
        11,
        2,
    )
    assert (first.breakpoint5, first.breakpoint3, first.caller_effect) == (
        "2:42522694",
        "2:29446394",
        "in-frame",
    )
    assert first.orientation_known and first.caller == "Arriba"
    assert (second.gene5, second.near5, second.gene3, second.frame) == (
        None,
        ("LINC00486", "EML4"),
        "ALK",
        "unknown",
    )
    assert third.frame == "out-of-frame" and not third.orientation_known


def test_read_arriba_missing_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "f.tsv", "#gene1\tgene2\tbreakpoint1\n")
    with pytest.raises(InputError, match="missing column"):
        read_arriba(path)


def test_read_arriba_bad_count(tmp_path: Path) -> None:
    text = ARRIBA_HEADER + "A\tB\t+/+\t+/+\t1:1\t2:2\tCDS\tCDS\tdel\tx\t0\t0\t.\n"
    with pytest.raises(InputError, match="split_reads1 'x'") as info:
        read_arriba(_write(tmp_path, "f.tsv", text))
    assert info.value.line == 2


def test_read_fusioncatcher(tmp_path: Path) -> None:
    text = FC_HEADER + (
        "EML4\tALK\tknown\t4\t2:42301391:+\t2:29223587:-\tCDS(truncated)/intronic\n"
        "CD74\tROS1\tknown\t7\t5:150404680:-\t6:117324415:-\tin-frame\n"
    )
    eml4, cd74 = read_fusioncatcher(_write(tmp_path, "final-list.txt", text))
    assert (eml4.name, eml4.frame, eml4.caller_effect, eml4.split_reads) == (
        "EML4-ALK",
        "out-of-frame",
        "CDS(truncated)/intronic",
        4,
    )
    assert (cd74.name, cd74.frame, cd74.breakpoint3, cd74.line) == (
        "CD74-ROS1",
        "in-frame",
        "6:117324415:-",
        3,
    )


def test_read_fusioncatcher_wrong_field_count(tmp_path: Path) -> None:
    text = FC_HEADER + "EML4\tALK\tknown\n"
    with pytest.raises(
        InputError, match=r"expected 7 tab-separated fields \(as in the header\), found 3"
    ) as info:
        read_fusioncatcher(_write(tmp_path, "final-list.txt", text))
    assert info.value.line == 2


def test_read_pcgr_fusions(tmp_path: Path) -> None:
    text = (
        PCGR_HEADER
        + "EML4--ALK\t2:42522694\t2:29446394\t100\n--ALK\t2:1\t2:2\t50\nFGFR2--\t10:1\t3:1\t40\n"
    )
    full, no5, no3 = read_pcgr_fusions(_write(tmp_path, "fusions.tsv", text))
    assert (full.gene5, full.gene3, full.frame, full.split_reads) == ("EML4", "ALK", "unknown", 100)
    assert (no5.gene5, no5.gene3) == (None, "ALK")
    assert (no3.gene5, no3.gene3) == ("FGFR2", None)


@pytest.mark.parametrize(
    ("name", "problem"), [("EML4-ALK", "not written GENE5--GENE3"), ("--", "names no gene")]
)
def test_read_pcgr_bad_names(tmp_path: Path, name: str, problem: str) -> None:
    path = _write(tmp_path, "f.tsv", PCGR_HEADER + f"{name}\t1:1\t2:2\t5\n")
    with pytest.raises(InputError, match=problem) as info:
        read_pcgr_fusions(path)
    assert info.value.line == 2


def test_read_generic(tmp_path: Path) -> None:
    text = (
        "gene5\tgene3\tbreakpoint5\tbreakpoint3\tframe\tsplit_reads\n"
        "CD74\tROS1\t5:1\t6:2\tinframe\t12\n"
        "\tALK\t\t\t\t\n"
    )
    cd74, alk = read_generic_fusions(_write(tmp_path, "f.tsv", text))
    assert (cd74.name, cd74.frame, cd74.split_reads, cd74.breakpoint5) == (
        "CD74-ROS1",
        "in-frame",
        12,
        "5:1",
    )
    assert (alk.gene5, alk.gene3, alk.frame, alk.split_reads) == (None, "ALK", "unknown", None)


@pytest.mark.parametrize(
    ("text", "problem", "line"),
    [
        ("gene5\tgene3\tFrame\nA\tB\tin-frame\n", "unknown column.*Frame", 1),
        ("gene5\tframe\nA\tin-frame\n", "missing column.*gene3", 1),
        ("gene5\tgene3\tframe\nA\tB\tmaybe\n", "unknown frame 'maybe'", 2),
        ("gene5\tgene3\n.\tNA\n", "neither gene5 nor gene3", 2),
        ("gene5\tgene3\tsplit_reads\nA\tB\t-1\n", "not a non-negative integer", 2),
    ],
)
def test_read_generic_errors(tmp_path: Path, text: str, problem: str, line: int) -> None:
    with pytest.raises(InputError, match=problem) as info:
        read_generic_fusions(_write(tmp_path, "f.tsv", text))
    assert info.value.line == line


def test_detect_fusion_format(tmp_path: Path) -> None:
    assert detect_fusion_format(_write(tmp_path, "a.tsv", ARRIBA_HEADER)) == "arriba"
    assert detect_fusion_format(_write(tmp_path, "b.txt", FC_HEADER)) == "fusioncatcher"
    assert detect_fusion_format(_write(tmp_path, "c.tsv", PCGR_HEADER)) == "pcgr"
    assert detect_fusion_format(_write(tmp_path, "d.tsv", "gene5\tgene3\n")) == "generic"
    with pytest.raises(InputError, match="accepted: arriba .*fusioncatcher.*pcgr.*generic"):
        detect_fusion_format(_write(tmp_path, "e.tsv", "left\tright\n"))
    vcf = _write(tmp_path, "f.vcf", "##fileformat=VCFv4.3\n#CHROM\tPOS\n")
    assert detect_fusion_format(vcf) == "bnd-vcf"


def test_read_fusion_file_unknown_format(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.tsv", PCGR_HEADER)
    with pytest.raises(InputError, match="unknown fusion format 'star'"):
        read_fusion_file(path, "star")
    assert read_fusion_file(path) == ("pcgr", [])


# --- evidence ------------------------------------------------------------------------------


def _one(fusion: Fusion, gene: str, *, require_in_frame: bool = True):  # type: ignore[no-untyped-def]
    ev = fusion_evidence(
        [fusion], [gene], source_path="f.tsv", require_in_frame=require_in_frame, roles=ROLES
    )
    (event,) = ev.events
    return event


def test_three_prime_partner_is_called() -> None:
    e = _one(_fusion("EML4", "ALK"), "ALK")
    assert (e.gene, e.category, e.status, e.alteration) == (
        "ALK",
        "fusion",
        "called",
        "EML4-ALK fusion",
    )
    assert (e.gene5, e.gene3, e.frame, e.breakpoint5, e.breakpoint3) == (
        "EML4",
        "ALK",
        "in-frame",
        "1:1",
        "2:2",
    )
    assert e.source.path == "f.tsv" and e.source.line == 2


def test_wrong_role_is_filtered_with_reason() -> None:
    e = _one(_fusion("ALK", "PTPN3"), "ALK")
    assert e.status == "filtered"
    assert e.status_reason.startswith("ALK is the 5' partner of ALK-PTPN3")
    assert "kinase domain" in e.status_reason


def test_role_any_accepts_either_side() -> None:
    assert _one(_fusion("RET", "X"), "RET").status == "called"
    assert _one(_fusion("CCDC6", "RET"), "RET").status == "called"
    # a gene missing from roles is "any"
    assert _one(_fusion("TPM3", "NTRK1"), "NTRK1").status == "called"


def test_five_prime_role() -> None:
    ev = fusion_evidence(
        [_fusion("FGFR3", "TACC3"), _fusion("X", "FGFR3")],
        ["FGFR3"],
        source_path="f",
        require_in_frame=False,
        roles={"FGFR3": "5prime"},
    )
    assert [e.status for e in ev.events] == ["called", "filtered"]
    assert "must be the 5' partner" in ev.events[1].status_reason


def test_frame_policy() -> None:
    out = _fusion("EML4", "ALK", "out-of-frame")
    e = _one(out, "ALK")
    assert e.status == "filtered" and "not an in-frame fusion" in e.status_reason
    assert _one(out, "ALK", require_in_frame=False).status == "called"
    unknown = _one(_fusion("EML4", "ALK", "unknown"), "ALK")
    assert unknown.status == "called"
    assert any("reading frame not given" in n for n in unknown.notes)


def test_partnerless_fusions() -> None:
    e = _one(_fusion(None, "ALK", "unknown"), "ALK")
    assert e.status == "called" and e.alteration == "ALK fusion (5' partner not named)"
    e = _one(_fusion("FGFR2", None, "unknown"), "FGFR2")
    assert e.status == "called" and e.alteration == "FGFR2 fusion (3' partner not named)"
    e = _one(_fusion("ALK", None, "unknown"), "ALK")
    assert e.status == "filtered"


def test_intergenic_neighbour_is_filtered() -> None:
    e = _one(_fusion("EML4", None, "unknown", near3=("LINC1", "ALK")), "ALK")
    assert e.status == "filtered" and "intergenic" in e.status_reason
    assert e.gene3 is None


def test_intragenic_is_indeterminate() -> None:
    e = _one(_fusion("ALK", "ALK"), "ALK")
    assert e.status == "indeterminate" and "intragenic" in e.status_reason


def test_unknown_orientation_is_indeterminate_when_role_matters() -> None:
    f = _fusion("EML4", "ALK", orientation_known=False)
    assert _one(f, "ALK").status == "indeterminate"
    assert _one(_fusion("CCDC6", "RET", orientation_known=False), "RET").status == "called"


def test_two_target_genes_give_two_events_and_all_genes_assessed() -> None:
    ev = fusion_evidence(
        [_fusion("FGFR2", "RET")],
        ["FGFR2", "RET", "ALK", "ALK"],
        source_path="f.tsv",
        require_in_frame=True,
        roles=ROLES,
    )
    assert [e.gene for e in ev.events] == ["FGFR2", "RET"]
    assert [(a.gene, a.category, a.assessed) for a in ev.assessments] == [
        ("ALK", "fusion", True),
        ("FGFR2", "fusion", True),
        ("RET", "fusion", True),
    ]
    assert all("f.tsv" in a.reason for a in ev.assessments)


def test_no_fusion_means_no_event_but_assessed() -> None:
    ev = fusion_evidence(
        [_fusion("BCR", "ABL1")], ["ALK"], source_path="f", require_in_frame=True, roles=ROLES
    )
    assert ev.events == [] and ev.assessments[0].assessed


def test_bad_role() -> None:
    with pytest.raises(ValueError, match="unknown fusion role"):
        fusion_evidence([], ["ALK"], source_path="f", require_in_frame=True, roles={"ALK": "3'"})


def test_read_fusions_entry_point(tmp_path: Path) -> None:
    path = _write(tmp_path, "f.tsv", PCGR_HEADER + "CCDC6--RET\t10:1\t10:2\t65\n")
    ev = read_fusions(path, None, ["RET", "ALK"], ROLES, True, "P01")
    assert ev.inputs == {str(path): sha256_file(path)}
    (e,) = ev.events
    assert (e.gene, e.status, e.source.line) == ("RET", "called", 2)
    assert "CCDC6-RET" in e.source.record


def test_out_of_frame_exclusion_fusion_stays_for_review() -> None:
    # A missed exclusion is a protocol violation: an out-of-frame RET fusion cannot clear it.
    e = _one(_fusion("CCDC6", "RET", "out-of-frame"), "RET")
    assert e.status == "indeterminate"
    assert "study exclusion" in e.status_reason
