"""PCGR's example ``fusions.tsv``: ``FusionGene`` written ``5'--3'`` (``EML4--ALK``; ``--ALK`` and
``FGFR2--`` lack a partner), ``LeftBreakpoint``, ``RightBreakpoint``, ``SplitReads``; no frame.
"""

from __future__ import annotations

from pathlib import Path

from armmatch.io import ColumnTable
from armmatch.readers.fusion_table import Fusion, partner_name


def read_pcgr_fusions(path: str | Path, *, patient: str | None = None) -> list[Fusion]:
    """Read the PCGR example ``fusions.tsv`` (``FusionGene`` = ``5'--3'``).

    A missing partner (``--ALK``, ``FGFR2--``) gives ``None`` for that side. The file has no
    frame, so the frame is ``unknown``.

    Raises
    ------
    InputError
        Missing ``FusionGene``, a ``FusionGene`` without ``--`` or with no gene at all, wrong
        field counts or non-integer ``SplitReads``.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "fusions.tsv")
    >>> _ = open(p, "w").write("FusionGene\\tLeftBreakpoint\\tRightBreakpoint\\tSplitReads\\n"
    ...                        "--ALK\\t2:29955249\\t2:29717697\\t50\\n")
    >>> f = read_pcgr_fusions(p)[0]
    >>> f.gene5, f.gene3, f.split_reads
    (None, 'ALK', 50)
    """
    table = ColumnTable.read(path, patient)
    table.require("FusionGene")
    out = []
    for line, row in table.records():
        name = row["FusionGene"].strip()
        if "--" not in name:
            raise table.error(f"FusionGene {name!r} is not written GENE5--GENE3", line)
        left, right = name.split("--", 1)
        gene5, gene3 = partner_name(left), partner_name(right)
        if gene5 is None and gene3 is None:
            raise table.error(f"FusionGene {name!r} names no gene", line)
        out.append(
            Fusion(
                gene5=gene5,
                gene3=gene3,
                breakpoint5=partner_name(row.get("LeftBreakpoint", "")),
                breakpoint3=partner_name(row.get("RightBreakpoint", "")),
                frame="unknown",
                split_reads=table.count(row.get("SplitReads", ""), "SplitReads", line),
                line=line,
                caller_effect=None,
                caller="PCGR",
            )
        )
    return out
