"""TODO-DOC readers.maf."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from armmatch.errors import InputError
from armmatch.io import open_text

MAF_REQUIRED = ("Hugo_Symbol", "Chromosome", "Start_Position", "Reference_Allele",
                "Tumor_Seq_Allele2")  # fmt: skip
PROTEIN_COLUMNS = ("HGVSp_Short", "HGVSp", "Protein_Change", "Alteration")


def _data_lines(path: str) -> list[tuple[int, str]]:
    """Numbered lines that are neither ``#`` comments nor blank."""
    with open_text(Path(path)) as fh:
        return [
            (n, line.rstrip("\n").rstrip("\r"))
            for n, line in enumerate(fh, 1)
            if not line.startswith("#") and line.strip()
        ]


def is_maf_header(cols: Sequence[str]) -> bool:
    """A MAF header: every genomic column, or (OncoKB-annotator style) ``Hugo_Symbol`` and a
    protein-change column."""
    if all(c in cols for c in MAF_REQUIRED):
        return True
    return "Hugo_Symbol" in cols and any(c in cols for c in PROTEIN_COLUMNS)


def is_maf(path: str) -> bool:
    """Whether the file's first non-``#`` line is a MAF header row."""
    try:
        with open_text(Path(path)) as fh:
            for line in fh:
                if line.startswith("#"):
                    continue
                return is_maf_header(line.rstrip("\n").rstrip("\r").split("\t"))
    except (OSError, UnicodeDecodeError, EOFError, InputError):
        return False  # the reader that comes next says what is wrong, naming the patient
    return False
