"""Arriba ``fusions.tsv``: ``gene1`` is the 5' partner; an intergenic side names its neighbours.

For an intergenic breakpoint Arriba writes the nearest genes with their distances, e.g.
``LINC00486(12345),ALK(4321)``: such a side has no fused gene and the neighbours are kept, so
an intergenic breakpoint next to ALK is reported (filtered) but never counts as an ALK fusion.
"""

from __future__ import annotations

import re
from pathlib import Path

from armmatch.io import ColumnTable
from armmatch.readers.fusion_table import Fusion, normalise_frame, partner_name

_NEIGHBOUR = re.compile(r"^(?P<gene>[^()]+?)\s*(?:\((?P<dist>-?\d+)\))?$")


def parse_arriba_gene(text: str) -> tuple[str | None, tuple[str, ...]]:
    """Split an Arriba ``gene1``/``gene2`` cell into the fused gene and intergenic neighbours.

    Parameters
    ----------
    text
        ``ALK`` (a gene), ``.`` (no gene), or ``GENE_A(123),GENE_B(456)`` for an intergenic
        breakpoint (the nearest genes up- and downstream with their distances).

    Returns
    -------
    tuple[str | None, tuple[str, ...]]
        ``(gene, ())`` for a single gene; ``(None, neighbours)`` for an intergenic breakpoint
        (or any comma-separated list, which Arriba uses only for intergenic breakpoints);
        ``(None, ())`` for ``.``.

    Examples
    --------
    >>> parse_arriba_gene("ALK")
    ('ALK', ())
    >>> parse_arriba_gene("LINC01234(1200),ALK(350)")
    (None, ('LINC01234', 'ALK'))
    >>> parse_arriba_gene(".")
    (None, ())
    """
    cell = text.strip()
    if cell in ("", "."):
        return None, ()
    if "," not in cell and "(" not in cell:
        return cell, ()
    names = []
    for part in cell.split(","):
        m = _NEIGHBOUR.match(part.strip())
        if m is not None and m.group("gene") not in (".", ""):
            names.append(m.group("gene"))
    return None, tuple(names)


def read_arriba(path: str | Path, *, patient: str | None = None) -> list[Fusion]:
    """Read an Arriba ``fusions.tsv``.

    ``gene1`` is the 5' partner and ``gene2`` the 3' partner; split reads are
    ``split_reads1 + split_reads2``; ``reading_frame`` gives the frame (``stop-codon`` counts as
    out-of-frame, ``.`` as unknown). When Arriba could not predict the transcribed strand
    (``.`` after the slash in ``strand1(gene/fusion)``/``strand2(gene/fusion)``) the 5'/3'
    order is uncertain and ``orientation_known`` is False. Intergenic breakpoints: see the
    module docstring.

    Raises
    ------
    InputError
        Missing columns (``gene1 gene2 breakpoint1 breakpoint2``), wrong field counts or
        non-integer read counts, with the file and 1-based line.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "fusions.tsv")
    >>> _ = open(p, "w").write("#gene1\\tgene2\\tbreakpoint1\\tbreakpoint2\\treading_frame\\n"
    ...                        "EML4\\tALK\\t2:42522694\\t2:29446394\\tin-frame\\n")
    >>> f = read_arriba(p)[0]
    >>> f.gene5, f.gene3, f.frame, f.line
    ('EML4', 'ALK', 'in-frame', 2)
    """
    table = ColumnTable.read(path, patient)
    table.require("gene1", "gene2", "breakpoint1", "breakpoint2")
    out = []
    for line, row in table.records():
        gene5, near5 = parse_arriba_gene(row["gene1"])
        gene3, near3 = parse_arriba_gene(row["gene2"])
        reads = [table.count(row.get(c, ""), c, line) for c in ("split_reads1", "split_reads2")]
        known = [r for r in reads if r is not None]
        raw_frame = row.get("reading_frame")
        strands = [row.get(c, "") for c in ("strand1(gene/fusion)", "strand2(gene/fusion)")]
        orientation_known = not any(s.strip().endswith("/.") for s in strands)
        out.append(
            Fusion(
                gene5=gene5,
                gene3=gene3,
                breakpoint5=partner_name(row["breakpoint1"]),
                breakpoint3=partner_name(row["breakpoint2"]),
                frame=normalise_frame(raw_frame),
                split_reads=sum(known) if known else None,
                line=line,
                caller_effect=raw_frame,
                near5=near5,
                near3=near3,
                orientation_known=orientation_known,
                caller="Arriba",
                spanning=table.count(row.get("discordant_mates", ""), "discordant_mates", line),
                confidence=(row.get("confidence") or "").strip() or None,
            )
        )
    return out
