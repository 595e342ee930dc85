"""STAR-Fusion ``fusion_predictions(.abridged).tsv``: ``LeftGene`` (``SYMBOL^ENSG...``) is 5'."""

from __future__ import annotations

from pathlib import Path

from armmatch.io import ColumnTable
from armmatch.readers.fusion_table import Fusion, normalise_frame, partner_name


def _star_gene(text: str) -> str | None:
    """``EML4^ENSG00000085999.11`` -> ``EML4``; empty/``.`` -> None."""
    name = partner_name(text.split("^", 1)[0])
    return name


def read_star_fusion(path: str | Path, *, patient: str | None = None) -> list[Fusion]:
    """Read a STAR-Fusion ``star-fusion.fusion_predictions(.abridged).tsv``.

    ``LeftGene`` is the 5' partner and ``RightGene`` the 3' partner, written
    ``SYMBOL^ENSG...``; breakpoints are ``chr:pos:strand``. Split reads are
    ``JunctionReadCount``; the frame is ``PROT_FUSION_TYPE`` (``INFRAME``, ``FRAMESHIFT``;
    written only with ``--examine_coding_effect``, else the frame is unknown).

    Raises
    ------
    InputError
        Missing columns (``FusionName LeftGene LeftBreakpoint RightGene RightBreakpoint``),
        wrong field counts or non-integer read counts.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "sf.tsv")
    >>> head = ["#FusionName", "JunctionReadCount", "SpanningFragCount", "LeftGene",
    ...         "LeftBreakpoint", "RightGene", "RightBreakpoint", "PROT_FUSION_TYPE"]
    >>> _ = open(p, "w").write("\\t".join(head) + "\\nEML4--ALK\\t12\\t3\\tEML4^ENSG1\\t"
    ...     "chr2:42522656:+\\tALK^ENSG2\\tchr2:29446394:-\\tINFRAME\\n")
    >>> f = read_star_fusion(p)[0]
    >>> f.name, f.frame, f.split_reads, f.breakpoint3
    ('EML4-ALK', 'in-frame', 12, 'chr2:29446394:-')
    """
    table = ColumnTable.read(path, patient)
    table.require("FusionName", "LeftGene", "LeftBreakpoint", "RightGene", "RightBreakpoint")
    out = []
    for line, row in table.records():
        effect = row.get("PROT_FUSION_TYPE")
        out.append(
            Fusion(
                gene5=_star_gene(row["LeftGene"]),
                gene3=_star_gene(row["RightGene"]),
                breakpoint5=partner_name(row["LeftBreakpoint"]),
                breakpoint3=partner_name(row["RightBreakpoint"]),
                frame=normalise_frame(effect),
                split_reads=table.count(
                    row.get("JunctionReadCount", ""), "JunctionReadCount", line
                ),
                line=line,
                caller_effect=effect,
                caller="STAR-Fusion",
                spanning=table.count(row.get("SpanningFragCount", ""), "SpanningFragCount", line),
                ffpm=table.number(row.get("FFPM", ""), "FFPM", line),
            )
        )
    return out
