"""Breakpoint windows of the 3' kinase partners (``resources/kinase_domains.tsv``): the first
exon of the gene kept in the fusion must lie in ``min_first_exon .. max_first_exon``; after the
window the kinase domain is lost, before it the fusion is unlike the oncogenic ones (review).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from armmatch.errors import InputError
from armmatch.io import ColumnTable, open_text
from armmatch.paths import KINASE_DOMAINS


@dataclass(frozen=True)
class KinaseRule:
    """A 3'-partner rule: the first retained exon must lie in ``min_first_exon ..
    max_first_exon``."""

    gene: str
    transcript: str
    max_first_exon: int
    source: str
    min_first_exon: int = 1


DEFAULT_KINASE_RULES = KINASE_DOMAINS


def load_kinase_rules(path: str | Path = DEFAULT_KINASE_RULES) -> dict[str, KinaseRule]:
    """Read the kinase-domain retention table (``#`` lines are comments).

    Raises
    ------
    InputError
        Missing columns, a non-integer ``max_first_exon`` or a gene given twice.

    Examples
    --------
    >>> load_kinase_rules()["ALK"].max_first_exon
    20
    """
    with open_text(path) as fh:
        rows = [
            (number, raw.rstrip("\r\n").split("\t"))
            for number, raw in enumerate(fh, start=1)
            if raw.strip() and not raw.startswith("#")
        ]
    if not rows:
        raise InputError("no header line", path=path)
    columns = {name.strip(): i for i, name in enumerate(rows[0][1])}
    table = ColumnTable(path, None, rows[0][0], columns, rows[1:])
    table.require("gene", "transcript", "max_first_exon", "source")
    rules: dict[str, KinaseRule] = {}
    for line, row in table.records():
        exon = table.count(row["max_first_exon"], "max_first_exon", line)
        if exon is None or exon < 1:
            raise table.error("max_first_exon must be an exon number >= 1", line)
        low = table.count(row.get("min_first_exon", "") or "1", "min_first_exon", line)
        if low is None or not 1 <= low <= exon:
            raise table.error(
                "min_first_exon must be an exon number from 1 to max_first_exon", line
            )
        gene = row["gene"].strip()
        if gene in rules:
            raise table.error(f"gene {gene} is given twice", line)
        rules[gene] = KinaseRule(
            gene, row["transcript"].strip(), exon, row["source"].strip(), min_first_exon=low
        )
    return rules
