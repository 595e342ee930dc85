"""Long-read (and JAFFA) fusion callers: ctat-LR-fusion, JAFFA/JAFFAL and pbfusion.

``ctat-lr-fusion``
    ``ctat-LR-fusion.fusion_predictions.tsv``: STAR-Fusion's layout (``LeftGene`` 5') with
    ``num_LR``, the supporting long reads, and ``LR_FFPM``.
``jaffa``
    ``jaffa_results.csv`` of JAFFA (short reads: ``spanning reads`` are junction reads,
    ``spanning pairs`` the pairs) or JAFFAL (long reads, with ``strand1``/``strand2``:
    ``spanning reads`` are long reads); ``fusion genes`` is ``GENE5:GENE3``.
``pbfusion``
    ``pbfusion .breakpoints.groups.bed`` (BEDPE-like; ``chr1``/``start1`` is the 5' side):
    ``INFO`` ``GN`` names the genes, ``RC`` the supporting reads, ``CL`` the class
    (``FUSION``, ``ReadThrough``, ``SenseAntisense``, ``Unannotated``).
"""

from __future__ import annotations

import csv
from pathlib import Path

from armmatch.errors import InputError
from armmatch.io import ColumnTable, open_text
from armmatch.readers.fusion_table import Fusion, normalise_frame, partner_name


def read_ctat_lr_fusion(path: str | Path, *, patient: str | None = None) -> list[Fusion]:
    """Read ctat-LR-fusion predictions (``num_LR`` = supporting long reads).

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "lr.tsv")
    >>> head = ["#FusionName", "num_LR", "LeftGene", "LeftBreakpoint", "RightGene",
    ...         "RightBreakpoint", "LR_FFPM"]
    >>> _ = open(p, "w").write("\\t".join(head) + "\\nNPM1--ALK\\t29\\tNPM1\\tchr5:171391799:+"
    ...     "\\tALK\\tchr2:29223528:-\\t3.1\\n")
    >>> f = read_ctat_lr_fusion(p)[0]
    >>> f.name, f.long_reads, f.split_reads
    ('NPM1-ALK', 29, None)
    """
    table = ColumnTable.read(path, patient)
    table.require("num_LR", "LeftGene", "LeftBreakpoint", "RightGene", "RightBreakpoint")
    out = []
    for line, row in table.records():
        out.append(
            Fusion(
                gene5=partner_name(row["LeftGene"].split("^", 1)[0]),
                gene3=partner_name(row["RightGene"].split("^", 1)[0]),
                breakpoint5=partner_name(row["LeftBreakpoint"]),
                breakpoint3=partner_name(row["RightBreakpoint"]),
                frame=normalise_frame(row.get("PROT_FUSION_TYPE")),
                split_reads=None,
                line=line,
                caller_effect=row.get("PROT_FUSION_TYPE") or None,
                caller="ctat-LR-fusion",
                long_reads=table.count(row["num_LR"], "num_LR", line),
            )
        )
    return out


def _csv_table(path: str | Path, patient: str | None) -> ColumnTable:
    with open_text(path, patient=patient) as fh:
        rows = [(n, r) for n, r in enumerate(csv.reader(fh), 1) if r]
    if not rows:
        raise InputError("no header line", path=path, patient=patient)
    columns = {name.strip(): i for i, name in enumerate(rows[0][1])}
    return ColumnTable(path, patient, rows[0][0], columns, rows[1:])


def read_jaffa(path: str | Path, *, patient: str | None = None) -> list[Fusion]:
    """Read JAFFA / JAFFAL ``jaffa_results.csv`` (JAFFAL when strand columns are present:
    its ``spanning reads`` are long reads)."""
    table = _csv_table(path, patient)
    table.require("fusion genes", "chrom1", "base1", "chrom2", "base2", "spanning reads")
    long_read = "strand1" in table.columns
    out = []
    for line, row in table.records():
        genes = row["fusion genes"].split(":")
        if len(genes) != 2:
            raise table.error(f"fusion genes {row['fusion genes']!r} is not GENE5:GENE3", line)
        reads = table.count(row["spanning reads"], "spanning reads", line)
        inframe = (row.get("inframe") or "").strip().upper()
        strand5 = f":{row['strand1']}" if long_read and row.get("strand1") else ""
        strand3 = f":{row['strand2']}" if long_read and row.get("strand2") else ""
        out.append(
            Fusion(
                gene5=partner_name(genes[0]),
                gene3=partner_name(genes[1]),
                breakpoint5=f"{row['chrom1']}:{row['base1']}{strand5}",
                breakpoint3=f"{row['chrom2']}:{row['base2']}{strand3}",
                frame="in-frame" if inframe == "TRUE" else "unknown",
                split_reads=None if long_read else reads,
                line=line,
                caller_effect=f"classification {row.get('classification') or '?'}",
                caller="JAFFAL" if long_read else "JAFFA",
                spanning=None
                if long_read
                else table.count(
                    (row.get("spanning pairs") or "").replace("-", ""), "spanning pairs", line
                ),
                long_reads=reads if long_read else None,
                confidence=(row.get("classification") or "").strip() or None,
            )
        )
    return out


def read_pbfusion(path: str | Path, *, patient: str | None = None) -> list[Fusion]:
    """Read pbfusion ``breakpoints.groups.bed`` (``##`` meta lines, a ``#chr1 ...`` header)."""
    with open_text(path, patient=patient) as fh:
        rows = [(n, raw.rstrip("\r\n").split("\t")) for n, raw in enumerate(fh, 1)
                if raw.strip() and not raw.startswith("##")]  # fmt: skip
    if not rows:
        raise InputError("no header line", path=path, patient=patient)
    header = [rows[0][1][0].lstrip("#"), *rows[0][1][1:]]
    table = ColumnTable(path, patient, rows[0][0], {h: i for i, h in enumerate(header)}, rows[1:])
    table.require("chr1", "start1", "chr2", "start2", "info")
    out = []
    for line, row in table.records():
        info = dict(kv.split("=", 1) for kv in row["info"].split(";") if "=" in kv)
        genes = [g if g != "N/A" else "" for g in info.get("GN", "").split(",")]
        genes += [""] * (2 - len(genes))
        start5 = table.count(row["start1"], "start1", line)
        start3 = table.count(row["start2"], "start2", line)
        strand5, strand3 = row.get("strand1", ""), row.get("strand2", "")
        out.append(
            Fusion(
                gene5=partner_name(genes[0]),
                gene3=partner_name(genes[-1]),
                breakpoint5=f"{row['chr1']}:{(start5 or 0) + 1}"
                + (f":{strand5}" if strand5 else ""),
                breakpoint3=f"{row['chr2']}:{(start3 or 0) + 1}"
                + (f":{strand3}" if strand3 else ""),
                frame="unknown",
                split_reads=None,
                line=line,
                caller_effect=info.get("CL") or None,
                caller="pbfusion",
                long_reads=table.count(info.get("RC", ""), "RC", line),
                confidence=(row.get("score") or "").strip() or None,
                partner_class=(info.get("CL") or "").split(":")[0] or None,
            )
        )
    return out
