"""vcf2maf MAFs from ../shared/data read in place of a VCF."""

from __future__ import annotations

from pathlib import Path

import pytest

from armmatch.calling.small_variants import read_small_variants
from armmatch.config import SmallVariantPolicy
from armmatch.errors import InputError
from armmatch.events import Event
from armmatch.readers.maf import is_maf
from armmatch.run.pipeline import check_coordinates, gene_models, preferred_transcripts, rule_set
from tests.conftest import decided

pytestmark = pytest.mark.shared


def _read(path: Path, build: str = "GRCh37", sample: str | None = None) -> list[Event]:
    rules = rule_set()
    ev = read_small_variants(str(path), patient="p", build=build, genes=rules.genes(),
                             preferred=preferred_transcripts(gene_models(build)), vcf_sample=sample,
                             policy=SmallVariantPolicy())  # fmt: skip
    check_coordinates(ev.events, build, path=str(path), patient="p")
    return decided(ev.events, rules, build)


@pytest.mark.parametrize(
    "name", ["test_output.custom_isoforms.maf", "test_output.vep_isoforms.maf"]
)
def test_met_exon14_from_maf_on_the_bundled_transcript(shared_data: Path, name: str) -> None:
    path = shared_data / "mskcc-vcf2maf" / name
    assert is_maf(str(path))
    events = _read(path)
    # only MET among the 20 rows is a target gene; the isoform trap: D1010H (bundled NM_000245 /
    # ENST00000397752), never D1028H (ENST00000318493) even when the MAF row is on the long isoform
    assert [(e.gene, e.alteration, e.exon, e.rule_ids, e.status) for e in events] == [
        ("MET", "D1010H", 14, ("MET-ex14",), "called")
    ]
    assert events[0].transcript == "ENST00000397752"
    assert (events[0].vaf, events[0].depth) == (0.4681, 47)


def test_vcf_files_are_not_mafs(shared_data: Path) -> None:
    assert not is_maf(str(shared_data / "mskcc-vcf2maf" / "test.vcf"))
    assert not is_maf(str(shared_data / "sigven-pcgr" / "current" / "T001-COAD.grch37.vcf.gz"))


def test_maf_build_mismatch_is_refused(shared_data: Path) -> None:
    with pytest.raises(InputError, match="NCBI_Build is GRCh37"):
        _read(shared_data / "mskcc-vcf2maf" / "test_output.custom_isoforms.maf", build="GRCh38")


def test_a_vcf2maf_maf_with_a_latin1_cell_names_its_row(shared_data: Path, tmp_path: Path) -> None:
    """A cell re-saved as Latin-1 (a spreadsheet's doing) in row 12 of vcf2maf's MAF: still
    recognised as a MAF, and the reader names the row, the column and the byte, instead of
    calling it "not a VCF"."""
    lines = (
        (shared_data / "mskcc-vcf2maf" / "test_output.vep_isoforms.maf").read_bytes().split(b"\n")
    )
    lines[11] = lines[11] + "\tM\u00fcller".encode("latin-1")
    bad = tmp_path / "latin1.maf"
    bad.write_bytes(b"\n".join(lines))
    assert is_maf(str(bad))
    with pytest.raises(
        InputError, match=r"line 12 \(patient p\): byte 0xfc \(column \d+\) is not UTF-8"
    ) as info:
        _read(bad)
    assert info.value.line == 12


def test_a_vcf2maf_maf_with_a_byte_order_mark_reads_as_without(
    shared_data: Path, tmp_path: Path
) -> None:
    path = shared_data / "mskcc-vcf2maf" / "test_output.vep_isoforms.maf"
    marked = tmp_path / "marked.maf"
    marked.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert is_maf(str(marked))
    assert [(e.gene, e.alteration, e.status) for e in _read(marked)] == [
        (e.gene, e.alteration, e.status) for e in _read(path)
    ]
