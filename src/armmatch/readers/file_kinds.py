"""What kind of file a sample-sheet column was given, told from its first lines.

Each reader knows its own format; this module knows all of them at once, so that a file in the
wrong column (Arriba calls as copy number, a MAF as fusions, a VCF as copy number) is named for
what it is, with the column that takes it, instead of failing its reader's format check with
a message about columns it was never meant to have ("file is empty": Arriba's only header
line starts with ``#``) or, worse, passing it (a MAF has ``Hugo_Symbol`` first, as a gene-level
copy-number table has).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from armmatch.errors import ArmmatchError
from armmatch.io import open_text
from armmatch.readers.cnv_formats import cnv_format_candidates
from armmatch.readers.fusion_formats import fusion_format_candidates
from armmatch.readers.maf import is_maf_header

SNIFF_CHARS = 1 << 20
"""How much of a file is read to find its header (1 MiB of text): GATK's SAM-style ``@``
header has a line per contig (about 3,400 lines, 150 KB, for GRCh38 with its alternate and
decoy contigs), a MAF a few ``#`` lines; a binary file (a BCF) is not read to its end."""


@dataclass(frozen=True)
class FileKind:
    """A kind of file and the sample-sheet columns that take it."""

    name: str
    columns: tuple[str, ...]

    def advice(self) -> str:
        """Where the file belongs, in words: ``give it in the fusions column``."""
        return "give it in the " + " or the ".join(f"{c} column" for c in self.columns)


VCF = FileKind("a VCF", ("vcf", "fusions"))
MAF = FileKind("a MAF (small variants)", ("vcf",))

FORMAT_NAMES = {
    "arriba": "Arriba", "star-fusion": "STAR-Fusion", "fusioncatcher": "FusionCatcher",
    "pcgr": "PCGR", "generic": "generic (gene5, gene3)", "cnvkit": "CNVkit", "seg": "SEG",
    "gatk": "GATK", "segments": "segment-table", "gene-table": "gene-level",
    "ctat-lr-fusion": "ctat-LR-fusion", "jaffa": "JAFFA/JAFFAL", "pbfusion": "pbfusion",
}  # fmt: skip
"""Each format id (the sample sheet's ``fusion_format``/``cnv_format``) as a reader knows it."""

WANTED = {
    "vcf": "small variants (a VCF or a MAF)",
    "germline_vcf": "germline small variants (a VCF)",
    "cnv": "copy-number calls",
    "fusions": "fusion calls",
}
"""What each column takes, in words."""


def header_kind(first: Sequence[str], header: Sequence[str] | None) -> FileKind | None:
    """The kind of a table from its first non-blank line (``first``: as Arriba and STAR-Fusion
    write their header, behind a ``#``) and its first line that is no ``#``/``@`` comment
    (``header``: MAF, copy-number tables); None for none of the kinds armmatch reads.

    >>> header_kind(["#gene1", "gene2", "breakpoint1", "breakpoint2"], ["ALK", "EML4"])
    FileKind(name='Arriba fusion calls', columns=('fusions',))
    >>> header_kind(["#version 2.4"], ["Hugo_Symbol", "Chromosome", "Start_Position",
    ...             "Reference_Allele", "Tumor_Seq_Allele2"]).name
    'a MAF (small variants)'
    """
    if header is not None and is_maf_header(header):
        return MAF  # before copy number: a gene-level table has Hugo_Symbol first too
    if found := fusion_format_candidates(first):
        return FileKind(f"{FORMAT_NAMES[found[0]]} fusion calls", ("fusions",))
    if header is not None and (found := cnv_format_candidates(header)):
        return FileKind(f"{FORMAT_NAMES[found[0]]} copy-number calls", ("cnv",))
    return None


def _lines(fh: IO[str]) -> Iterator[str]:
    """The complete lines of the first :data:`SNIFF_CHARS` characters, read 64 KiB at a time
    (a header is found in the first piece; a binary file ends the lines at its first NUL)."""
    rest, read = "", 0
    while read < SNIFF_CHARS and (piece := fh.read(1 << 16)):
        read += len(piece)
        if "\x00" in piece:
            return  # binary: BCF, BAM
        *lines, rest = (rest + piece).split("\n")
        yield from lines
    if read < SNIFF_CHARS:
        yield rest  # the last line, without a line end


def file_kind(path: str | Path, *, patient: str | None = None) -> FileKind | None:
    """The kind of the file at ``path`` from its first lines, or None when it is none of the
    kinds armmatch reads, is binary, or cannot be read (the column's reader then says what is
    wrong). Read with replacement: that reader names a byte that is not UTF-8."""
    first: list[str] | None = None
    try:
        with open_text(path, patient=patient, errors="replace") as fh:
            for line in _lines(fh):
                text = line.rstrip("\r")
                if not text.strip():
                    continue
                if first is None:
                    if text.startswith("##fileformat=VCF"):
                        return VCF
                    first = text.split("\t")
                if not text.startswith(("#", "@")):
                    return header_kind(first, text.split("\t"))
    except (ArmmatchError, OSError, EOFError):
        return None
    return None if first is None else header_kind(first, None)


def wrong_column(kind: FileKind | None, column: str) -> str | None:
    """The problem of a file of ``kind`` given in the sample-sheet ``column``, or None when the
    column takes it (or the kind is unknown: the column's reader then says what is wrong).

    >>> print(wrong_column(MAF, "cnv"))
    this is a MAF (small variants), not copy-number calls: give it in the vcf column
    >>> wrong_column(VCF, "germline_vcf") is None
    True
    """
    if kind is None:
        return None
    if ("vcf" if column == "germline_vcf" else column) in kind.columns:
        return None
    return f"this is {kind.name}, not {WANTED[column]}: {kind.advice()}"
