"""A hand-made fusion table: ``gene5``, ``gene3`` and optional ``breakpoint5``, ``breakpoint3``,
``frame``, ``split_reads``.
"""

from __future__ import annotations

from pathlib import Path

from armmatch.io import ColumnTable
from armmatch.readers.fusion_table import GENERIC_COLUMNS, Fusion, normalise_frame, partner_name


def read_generic_fusions(path: str | Path, *, patient: str | None = None) -> list[Fusion]:
    """Read a generic fusion table (columns :data:`GENERIC_COLUMNS`; ``gene5``/``gene3`` required).

    ``frame`` must be one of the values :func:`normalise_frame` knows (checked strictly);
    an empty ``gene5`` or ``gene3`` means that partner is not named.

    Raises
    ------
    InputError
        Missing or unknown columns, a row with neither gene, an unknown frame, wrong field
        counts or a non-integer ``split_reads``.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "f.tsv")
    >>> _ = open(p, "w").write("gene5\\tgene3\\tframe\\nCD74\\tROS1\\tin-frame\\n")
    >>> read_generic_fusions(p)[0].name
    'CD74-ROS1'
    """
    table = ColumnTable.read(path, patient)
    table.require("gene5", "gene3")
    unknown = [c for c in table.columns if c not in GENERIC_COLUMNS]
    if unknown:
        raise table.error(
            f"unknown column(s) {', '.join(unknown)}; accepted: {', '.join(GENERIC_COLUMNS)}",
            table.header_line,
        )
    out = []
    for line, row in table.records():
        gene5, gene3 = partner_name(row["gene5"]), partner_name(row["gene3"])
        if gene5 is None and gene3 is None:
            raise table.error("neither gene5 nor gene3 is given", line)
        raw_frame = row.get("frame")
        try:
            frame = normalise_frame(raw_frame, strict=True)
        except ValueError as exc:
            raise table.error(str(exc), line) from None
        out.append(
            Fusion(
                gene5=gene5,
                gene3=gene3,
                breakpoint5=partner_name(row.get("breakpoint5", "")),
                breakpoint3=partner_name(row.get("breakpoint3", "")),
                frame=frame,
                split_reads=table.count(row.get("split_reads", ""), "split_reads", line),
                line=line,
                caller_effect=raw_frame,
                caller="generic table",
            )
        )
    return out
