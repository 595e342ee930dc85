"""Gene-level copy-number tables: a cBioPortal GISTIC matrix or a long ``sample gene value`` table.

GISTIC values are calls, not copy numbers: -2 homozygous deletion, -1 loss, 0 neutral, 1 gain,
2 amplification.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from armmatch.errors import InputError
from armmatch.events import (
    CnvCall,
)
from armmatch.readers.cnv_table import (
    check_fields,
    header_index,
    select_sample,
    split_header,
    table_lines,
)

GISTIC_CALLS: dict[int, CnvCall] = {
    -2: "homozygous_deletion",
    -1: "loss",
    0: "neutral",
    1: "gain",
    2: "amplification",
}


@dataclass(frozen=True)
class GeneLevelValue:
    """One gene's value in a gene-level table: the GISTIC-style call and where it was read."""

    gene: str
    value: int
    line: int
    sample: str

    @property
    def call(self) -> CnvCall:
        """The call the value stands for (:data:`GISTIC_CALLS`)."""
        return GISTIC_CALLS[self.value]


_LONG_COLUMNS: dict[str, tuple[str, ...]] = {
    "sample": ("sample", "sample_id", "tumor_sample_barcode"),
    "gene": ("gene", "hugo_symbol", "symbol"),
    "value": ("value", "gistic", "call", "cna"),
}


def _gistic_value(text: str, path: str | Path, line: int, patient: str | None) -> int | None:
    """A -2..2 integer, ``None`` for an empty/NA cell."""
    cell = text.strip()
    if cell in ("", "NA", "NaN", "nan", "."):
        return None
    try:
        number = float(cell)
    except ValueError:
        number = math.nan
    if not number.is_integer() or int(number) not in GISTIC_CALLS:
        raise InputError(
            f"gene-level value {text!r} is not a GISTIC call (-2, -1, 0, 1 or 2)",
            path=path,
            line=line,
            patient=patient,
        )
    return int(number)


def gene_table_kind(header: Sequence[str]) -> str | None:
    """``"matrix"`` (``Hugo_Symbol`` first), ``"long"`` (sample, gene, value; also cBioPortal's
    long CNA format, ``Hugo_Symbol``, ``Entrez_Gene_Id``, ``Sample_Id``, ``Value``) or None."""
    first = header[0].strip().lower() if header else ""
    if {"sample", "gene", "value"} <= header_index(header, _LONG_COLUMNS).keys():
        return "long"
    if first == "hugo_symbol":
        return "matrix"
    return None


def read_gene_table(
    path: str | Path, *, patient: str | None = None, sample: str | None = None
) -> dict[str, GeneLevelValue]:
    """Read one sample of a gene-level copy-number table (GISTIC -2..2 calls).

    Two layouts: a cBioPortal matrix (``Hugo_Symbol``, optional ``Entrez_Gene_Id``, then one
    column per sample) and a long table (``sample``, ``gene``, ``value``). The sample is chosen
    by :func:`select_sample`. Empty/NA values are left out (the gene is then not assessed).

    Returns
    -------
    dict[str, GeneLevelValue]
        By gene symbol.

    Raises
    ------
    InputError
        An unrecognised layout, a sample not in the file (listing those that are), a value
        outside -2..2, a gene given twice for the sample, or wrong field counts.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "cna.txt")
    >>> _ = open(p, "w").write("Hugo_Symbol\\tEntrez_Gene_Id\\tP1\\tP2\\n"
    ...                        "MET\\t4233\\t2\\t0\\nCDKN2A\\t1029\\t-2\\t-1\\n")
    >>> {g: v.call for g, v in read_gene_table(p, patient="P1").items()}
    {'MET': 'amplification', 'CDKN2A': 'homozygous_deletion'}
    """
    header_line, header, rows = split_header(table_lines(path, patient), path, patient)
    kind = gene_table_kind(header)
    if kind is None:
        raise InputError(
            "not a gene-level table: need Hugo_Symbol[, Entrez_Gene_Id] then sample columns, or "
            f"columns sample, gene, value; header has: {', '.join(header)}",
            path=path,
            line=header_line,
            patient=patient,
        )
    for line, fields in rows:
        check_fields(fields, len(header), path, line, patient)
    out: dict[str, GeneLevelValue] = {}
    if kind == "matrix":
        first_sample = 2 if len(header) > 1 and header[1].strip().lower() == "entrez_gene_id" else 1
        samples = [h.strip() for h in header[first_sample:]]
        chosen = select_sample(samples, sample, patient, path, header_line)
        column = first_sample + samples.index(chosen)
        triples = [(line, f[0].strip(), f[column]) for line, f in rows]
    else:
        cols = header_index(header, _LONG_COLUMNS)
        chosen = select_sample(
            [f[cols["sample"]].strip() for _, f in rows], sample, patient, path, header_line
        )
        triples = [
            (line, f[cols["gene"]].strip(), f[cols["value"]])
            for line, f in rows
            if f[cols["sample"]].strip() == chosen
        ]
    for line, gene, text in triples:
        value = _gistic_value(text, path, line, patient)
        if not gene or value is None:
            continue
        if gene in out:
            raise InputError(
                f"gene {gene} is given twice for sample {chosen} (first at line {out[gene].line})",
                path=path,
                line=line,
                patient=patient,
            )
        out[gene] = GeneLevelValue(gene, value, line, chosen)
    return out
