"""Breakend-VCF and breakpoint-checked fusion reading on the public test data in ../shared/data.

Expected (INDEX.md): FusionCatcher's BND VCF (GRCh38) gives ALK, ROS1, RET, NTRK3 and FGFR3
fusion events; the Manta somatic demo (GRCh37, HCC1954 chr8/chr11) and the vcf2maf DELLY test
VCF (GRCh37) give no target-gene event.
"""

from __future__ import annotations

import pytest

from armmatch.calling.fusions import read_fusion_file, read_fusions
from armmatch.errors import InputError
from armmatch.events import Evidence
from armmatch.knowledge.kinase_domains import load_kinase_rules
from armmatch.knowledge.transcripts import default_transcripts_path, load_gene_models
from tests.conftest import shared_file

pytestmark = pytest.mark.shared

GENES = ("ALK", "ROS1", "RET", "NTRK1", "NTRK2", "NTRK3", "FGFR1", "FGFR2", "FGFR3", "FGFR4")
ROLES = {"ALK": "3prime", "ROS1": "3prime"}


def _read(relative: str, build: str, fmt: str | None = None) -> Evidence:
    models = load_gene_models(default_transcripts_path(build))  # type: ignore[arg-type]
    return read_fusions(
        shared_file(relative), fmt, GENES, ROLES, True, "P1", models=models,
        kinase_rules=load_kinase_rules(),
    )  # fmt: skip


FC_VCF = "fusioncatcher/final-list_candidate-fusion-genes.vcf"


def test_fusioncatcher_vcf_gives_the_target_fusions() -> None:
    fmt, fusions = read_fusion_file(
        shared_file(FC_VCF), None, models=load_gene_models(default_transcripts_path("GRCh38"))
    )
    assert fmt == "bnd-vcf"
    assert len(fusions) == 22  # 44 breakend records = 22 junctions
    ev = _read(FC_VCF, "GRCh38")
    called = {e.gene for e in ev.events if e.status == "called"}
    assert called == {"ALK", "ROS1", "RET", "NTRK3", "FGFR3"}
    assert all(a.assessed for a in ev.assessments)


def test_fusioncatcher_vcf_frame_and_kinase_domain() -> None:
    ev = _read(FC_VCF, "GRCh38")
    by = {(e.gene, e.alteration, e.source.line): e for e in ev.events}
    alk = [e for (g, _, _), e in by.items() if g == "ALK"]
    # EML4-ALK is "CDS(truncated)/UTR" in this VCF: not in frame -> filtered; NPM1-ALK called.
    assert {(e.alteration, e.status) for e in alk} == {
        ("EML4-ALK fusion", "filtered"),
        ("NPM1-ALK fusion", "called"),
    }
    for e in alk + [e for (g, _, _), e in by.items() if g == "ROS1"]:
        assert any("kinase domain retained" in n for n in e.notes), e
    fgfr3 = sorted((e.frame, e.status) for (g, _, _), e in by.items() if g == "FGFR3")
    # The out-of-frame FGFR3-TACC3 junction cannot clear an exclusion: indeterminate.
    assert fgfr3 == [("in-frame", "called"), ("out-of-frame", "indeterminate")]


@pytest.mark.parametrize(
    "relative",
    ["illumina-manta/demo_expectedResults_somaticSV.vcf.gz", "mskcc-vcf2maf/test_delly.vcf"],
)
def test_dna_breakend_vcfs_have_no_target_event(relative: str) -> None:
    ev = _read(relative, "GRCh37", "bnd-vcf")
    assert ev.events == []
    assert {a.gene for a in ev.assessments if a.assessed} == set(GENES)


def test_fusioncatcher_text_breakpoints_checked_against_models() -> None:
    ev = _read("fusioncatcher/final-list_candidate-fusion-genes.txt", "GRCh38")
    ros1 = [e for e in ev.events if e.gene == "ROS1"]
    assert {e.gene5 for e in ros1} == {"CD74", "GOPC"}
    assert all(e.gene3 == "ROS1" for e in ros1)
    assert not any("caller names" in n for e in ros1 for n in e.notes)
    called = {e.gene for e in ev.events if e.status == "called"}
    assert {"ALK", "ROS1", "RET", "NTRK3", "FGFR3"} <= called


def _latin1_copy(relative: str, tmp_path, line: int) -> str:  # type: ignore[no-untyped-def]
    """The file with a Latin-1 byte (0xfc) appended to its ``line``-th line."""
    lines = shared_file(relative).read_bytes().split(b"\n")
    lines[line - 1] += "M\u00fcller".encode("latin-1")
    copy = tmp_path / shared_file(relative).name
    copy.write_bytes(b"\n".join(lines))
    return str(copy)  # absolute: shared_file(copy) is the copy


def test_a_latin1_header_line_of_a_breakend_vcf_is_read_like_htslib(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A breakend VCF is read for its positions, ALTs and INFO with replacement, as htslib reads
    a small-variant VCF: a stray byte in a header line changes no event."""
    copy = _latin1_copy(FC_VCF, tmp_path, 2)
    clean, damaged = _read(FC_VCF, "GRCh38"), _read(copy, "GRCh38")
    assert [(e.gene, e.alteration, e.status) for e in damaged.events] == [
        (e.gene, e.alteration, e.status) for e in clean.events
    ]
    assert len(clean.events) >= 5


def test_a_latin1_row_of_a_fusion_table_names_the_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    copy = _latin1_copy("fusioncatcher/final-list_candidate-fusion-genes.txt", tmp_path, 10)
    with pytest.raises(
        InputError, match=r"line 10 \(patient P1\): byte 0xfc \(column \d+\) is not UTF-8"
    ):
        _read(copy, "GRCh38")


def test_an_arriba_file_with_a_byte_order_mark_reads_as_without(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Arriba's header starts with ``#gene1``: behind a byte-order mark it was "missing column
    gene1", and the patient stopped."""
    relative = "arriba/test_fusions.tsv"
    copy = tmp_path / "test_fusions.tsv"
    copy.write_bytes(b"\xef\xbb\xbf" + shared_file(relative).read_bytes())
    clean, marked = _read(relative, "GRCh37"), _read(str(copy), "GRCh37")
    assert [(a.gene, a.assessed) for a in marked.assessments] == [
        (a.gene, a.assessed) for a in clean.assessments
    ]
    assert [(e.gene, e.status) for e in marked.events] == [(e.gene, e.status) for e in clean.events]
    assert all(a.assessed for a in marked.assessments)
