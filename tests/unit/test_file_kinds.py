"""A file in the wrong sample-sheet column is named for what it is (armmatch.readers.file_kinds).

Before: Arriba calls in the cnv column were "file is empty (no header line)" (their only header
line starts with ``#``); a VCF there was "cannot tell the copy-number format" at its first
record; a MAF there was a gene-level copy-number table whose "samples" were Center, NCBI_Build,
Chromosome, ...; a CNVkit file as small variants was "not a VCF".
"""

from __future__ import annotations

import dataclasses
import gzip
from pathlib import Path

import pysam
import pytest

from armmatch.readers.file_kinds import MAF, VCF, file_kind, wrong_column
from armmatch.run.preflight import file_problems
from tests.conftest import REPO, example_patient

pytestmark = pytest.mark.bad_input

EXAMPLE = REPO / "example"
VCF_FILE = EXAMPLE / "vcf" / "PLT-002.vcf.gz"
CNS_FILE = EXAMPLE / "cnv" / "PLT-002.cns"
ARRIBA_FILE = EXAMPLE / "fusions" / "PLT-002.arriba.tsv"
MAF_TEXT = (
    "#version 2.4\nHugo_Symbol\tEntrez_Gene_Id\tCenter\tNCBI_Build\tChromosome\t"
    "Start_Position\tEnd_Position\tReference_Allele\tTumor_Seq_Allele2\tTumor_Sample_Barcode\t"
    "HGVSp_Short\nBRAF\t673\t.\tGRCh38\tchr7\t140753336\t140753336\tA\tT\tTUMOR\tp.V600E\n"
)


@pytest.fixture
def maf_file(tmp_path: Path) -> Path:
    path = tmp_path / "calls.maf"
    path.write_text(MAF_TEXT)
    return path


def test_each_example_file_is_of_its_own_column(maf_file: Path) -> None:
    assert file_kind(VCF_FILE) is VCF
    assert file_kind(maf_file) is MAF
    assert file_kind(CNS_FILE).name == "CNVkit copy-number calls"  # type: ignore[union-attr]
    assert file_kind(ARRIBA_FILE).name == "Arriba fusion calls"  # type: ignore[union-attr]
    for path, column in ((VCF_FILE, "vcf"), (VCF_FILE, "fusions"), (VCF_FILE, "germline_vcf"),
                         (maf_file, "vcf"), (CNS_FILE, "cnv"), (ARRIBA_FILE, "fusions")):  # fmt: skip
        assert wrong_column(file_kind(path), column) is None, (path, column)


@pytest.mark.parametrize(("name", "column", "problem"), [
    ("arriba", "cnv", "this is Arriba fusion calls, not copy-number calls: give it in the fusions column"),
    ("arriba", "vcf", "this is Arriba fusion calls, not small variants (a VCF or a MAF): give it in the fusions column"),
    ("cns", "vcf", "this is CNVkit copy-number calls, not small variants (a VCF or a MAF): give it in the cnv column"),
    ("cns", "fusions", "this is CNVkit copy-number calls, not fusion calls: give it in the cnv column"),
    ("vcf", "cnv", "this is a VCF, not copy-number calls: give it in the vcf column or the fusions column"),
    ("maf", "cnv", "this is a MAF (small variants), not copy-number calls: give it in the vcf column"),
    ("maf", "fusions", "this is a MAF (small variants), not fusion calls: give it in the vcf column"),
])  # fmt: skip
def test_a_file_in_another_column_stops_the_patient_naming_its_kind(
    maf_file: Path, name: str, column: str, problem: str
) -> None:
    path = {"arriba": ARRIBA_FILE, "cns": CNS_FILE, "vcf": VCF_FILE, "maf": maf_file}[name]
    fmt = {"cnv": "cnv_format", "fusions": "fusion_format", "vcf": "vcf_sample"}[column]
    patient = dataclasses.replace(example_patient("PLT-002"), **{column: str(path), fmt: None})
    errors = [p.text() for p in file_problems(patient, "GRCh38") if p.severity == "error"]
    assert errors == [f"{path} (patient PLT-002): {problem}"]


def test_compressed_binary_and_unknown_files(tmp_path: Path) -> None:
    arriba_gz = tmp_path / "fusions.tsv.gz"
    arriba_gz.write_bytes(gzip.compress(ARRIBA_FILE.read_bytes()))
    assert file_kind(arriba_gz).name == "Arriba fusion calls"  # type: ignore[union-attr]
    bcf = tmp_path / "PLT-002.bcf"  # binary once inflated: no kind, the VCF reader reads it
    with pysam.VariantFile(str(VCF_FILE)) as vin, pysam.VariantFile(str(bcf), "wb", header=vin.header) as out:  # fmt: skip
        for record in vin:
            out.write(record)
    assert file_kind(bcf) is None
    notes = tmp_path / "notes.txt"
    notes.write_text("patient notes\n")
    assert file_kind(notes) is None and wrong_column(None, "cnv") is None
    empty = tmp_path / "empty.tsv"
    empty.write_text("")
    assert file_kind(empty) is None  # the reader says "file is empty"
    broken = tmp_path / "broken.cns.gz"
    broken.write_bytes(gzip.compress(CNS_FILE.read_bytes())[:40])
    assert file_kind(broken) is None  # the reader names the truncated gzip


def test_a_gatk_header_longer_than_the_first_piece_is_read_through(tmp_path: Path) -> None:
    """GATK's SAM-style header has a line per contig: 4,000 of them are 170 KB, more than the
    64 KiB the sniff reads first."""
    contigs = "".join(f"@SQ\tSN:chrUn_decoy{i}\tLN:{1000 + i}\n" for i in range(4000))
    path = tmp_path / "tumour.cr.seg"
    path.write_text("@HD\tVN:1.6\n" + contigs + "CONTIG\tSTART\tEND\tNUM_POINTS_COPY_RATIO\t"
                    "MEAN_LOG2_COPY_RATIO\nchr7\t1\t100\t5\t0.1\n")  # fmt: skip
    assert path.stat().st_size > 1 << 16
    assert file_kind(path).name == "GATK copy-number calls"  # type: ignore[union-attr]


def test_every_fusion_and_cnv_format_has_a_name() -> None:
    """Each format a reader accepts is named in the file-kind messages (a missing name crashed
    the preflight of a ctat-LR-fusion file)."""
    from armmatch.readers.cnv_table import CNV_FORMATS
    from armmatch.readers.file_kinds import FORMAT_NAMES
    from armmatch.readers.fusion_table import FUSION_FORMATS

    assert {*FUSION_FORMATS, *CNV_FORMATS} - {"bnd-vcf"} <= set(FORMAT_NAMES)
