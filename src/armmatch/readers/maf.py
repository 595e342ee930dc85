"""MAF rows (``vcf2maf`` output, or an OncoKB-annotator style table) for one tumour sample.

A MAF is recognised by its header row (:func:`is_maf_header`), not by its name; the rows are
turned into events by :mod:`armmatch.calling.maf_events`.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from armmatch.errors import InputError
from armmatch.io import open_text, per_file_state

MAF_REQUIRED = ("Hugo_Symbol", "Chromosome", "Start_Position", "Reference_Allele",
                "Tumor_Seq_Allele2")  # fmt: skip
PROTEIN_COLUMNS = ("HGVSp_Short", "HGVSp", "Protein_Change", "Alteration")


def maf_data_lines(path: str, patient: str | None = None) -> list[tuple[int, str]]:
    """Numbered lines that are neither ``#`` comments nor blank."""
    with open_text(Path(path), patient=patient) as fh:
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


@per_file_state(maxsize=256)
def is_maf(path: str | Path) -> bool:
    """Whether the file's first non-``#`` line is a MAF header row (remembered per file state,
    :func:`armmatch.io.per_file_state`: a block job's preflight and its reader ask)."""
    try:  # the header's ASCII structure only: the reader then names a byte that is not UTF-8
        with open_text(Path(path), errors="replace") as fh:
            for line in fh:
                if line.startswith("#"):
                    continue
                return is_maf_header(line.rstrip("\n").rstrip("\r").split("\t"))
    except (OSError, EOFError, InputError):
        return False  # the reader that comes next says what is wrong, naming the patient
    return False


def read_maf_rows(
    path: str, *, patient: str, sample: str | None
) -> list[tuple[int, dict[str, str]]]:
    """The rows of a vcf2maf MAF (or an OncoKB-annotator style table) for one tumour sample.

    Returns ``(line number, row)`` pairs in file order, cells keyed by column (a short row's
    missing cells are empty), restricted to ``sample`` when it is given; a MAF with several
    ``Tumor_Sample_Barcode`` values needs ``sample``.

    Raises
    ------
    InputError
        An unreadable file, no header row, a header without the required columns (or a
        protein-change column), a row with more fields than the header, a ``sample`` that is no
        barcode of the MAF, or several barcodes and no ``sample``.
    """
    try:
        lines = maf_data_lines(path, patient)
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read the MAF ({exc})", path=path, patient=patient) from None
    if not lines:
        raise InputError("the MAF has no header row", path=path, patient=patient)
    reader = csv.DictReader([text for _, text in lines], delimiter="\t", quoting=csv.QUOTE_NONE)
    header = reader.fieldnames or []
    if not is_maf_header(header):
        missing = [c for c in MAF_REQUIRED if c not in header]
        raise InputError(f"the MAF has no {', '.join(missing)} column(s), and no protein-change "
                         f"column ({', '.join(PROTEIN_COLUMNS)}) to read it at protein level",
                         path=path, patient=patient)  # fmt: skip
    rows: list[tuple[int, dict[str, str]]] = []
    for (n, _), row in zip(lines[1:], reader, strict=True):
        if None in row:  # more fields than the header: the columns no longer line up
            raise InputError(f"the row has more fields than the header's {len(header)}",
                             path=path, line=n, patient=patient)  # fmt: skip
        rows.append((n, {k: v or "" for k, v in row.items()}))  # short rows: empty cells
    barcodes = sorted({r.get("Tumor_Sample_Barcode") or "" for _, r in rows} - {""})
    if sample is not None and barcodes and sample not in barcodes:
        raise InputError(f"vcf_sample {sample!r} is not a Tumor_Sample_Barcode of the MAF "
                         f"({', '.join(barcodes)})", path=path, patient=patient)  # fmt: skip
    if sample is None and len(barcodes) > 1:
        raise InputError(f"the MAF has {len(barcodes)} tumour barcodes ({', '.join(barcodes)}); "
                         "name one in the sample sheet's vcf_sample", path=path, patient=patient)  # fmt: skip
    if sample is None:
        return rows
    return [(n, r) for n, r in rows if (r.get("Tumor_Sample_Barcode") or sample) == sample]
