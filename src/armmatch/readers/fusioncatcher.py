"""FusionCatcher ``final-list_candidate-fusion-genes.txt``: ``Gene_1_symbol(5end_fusion_partner)``
is the 5' partner, ``Predicted_effect`` the frame.
"""

from __future__ import annotations

from pathlib import Path

from armmatch.io import ColumnTable
from armmatch.readers.fusion_table import Fusion, normalise_frame, partner_name

FC_GENE5 = "Gene_1_symbol(5end_fusion_partner)"
FC_GENE3 = "Gene_2_symbol(3end_fusion_partner)"
_FC_POINT5 = "Fusion_point_for_gene_1(5end_fusion_partner)"
_FC_POINT3 = "Fusion_point_for_gene_2(3end_fusion_partner)"


def read_fusioncatcher(path: str | Path, *, patient: str | None = None) -> list[Fusion]:
    """Read FusionCatcher's ``final-list_candidate-fusion-genes.txt``.

    Gene 1 is the 5' partner. ``Predicted_effect`` is kept as the caller's effect and
    normalised with :func:`normalise_frame` (``in-frame``, ``out-of-frame``; location pairs
    such as ``CDS(truncated)/intronic`` are not an in-frame coding junction -> out-of-frame).
    Read support is ``Spanning_unique_reads``.

    Raises
    ------
    InputError
        Missing columns, wrong field counts or non-integer read counts.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "final-list.txt")
    >>> head = [FC_GENE5, FC_GENE3, _FC_POINT5, _FC_POINT3, "Predicted_effect"]
    >>> _ = open(p, "w").write("\\t".join(head) + "\\n"
    ...     "EML4\\tALK\\t2:42301391:+\\t2:29223587:-\\tCDS(truncated)/intronic\\n")
    >>> f = read_fusioncatcher(p)[0]
    >>> f.name, f.frame, f.caller_effect
    ('EML4-ALK', 'out-of-frame', 'CDS(truncated)/intronic')
    """
    table = ColumnTable.read(path, patient)
    table.require(FC_GENE5, FC_GENE3, _FC_POINT5, _FC_POINT3)
    out = []
    for line, row in table.records():
        effect = row.get("Predicted_effect")
        out.append(
            Fusion(
                gene5=partner_name(row[FC_GENE5]),
                gene3=partner_name(row[FC_GENE3]),
                breakpoint5=partner_name(row[_FC_POINT5]),
                breakpoint3=partner_name(row[_FC_POINT3]),
                frame=normalise_frame(effect),
                split_reads=table.count(
                    row.get("Spanning_unique_reads", ""), "Spanning_unique_reads", line
                ),
                line=line,
                caller_effect=effect,
                caller="FusionCatcher",
                spanning=table.count(row.get("Spanning_pairs", ""), "Spanning_pairs", line),
            )
        )
    return out
