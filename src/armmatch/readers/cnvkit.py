"""CNVkit ``.cns`` segments and ``.cnr`` bins (BED-like: ``start`` 0-based, ``end`` exclusive)."""

from __future__ import annotations

import logging
from pathlib import Path

from armmatch.errors import InputError
from armmatch.readers.cnv_table import (
    Segment,
    check_fields,
    check_interval,
    header_index,
    parse_chrom,
    parse_float,
    parse_int,
    require_columns,
    split_header,
    table_lines,
)

log = logging.getLogger(__name__)

log = logging.getLogger(__name__)

_CNVKIT_COLUMNS: dict[str, tuple[str, ...]] = {
    "chrom": ("chromosome",),
    "start": ("start",),
    "end": ("end",),
    "gene": ("gene",),
    "log2": ("log2",),
    "cn": ("cn",),
    "probes": ("probes",),
}


def read_cnvkit(path: str | Path, *, patient: str | None = None) -> list[Segment]:
    """Read a CNVkit ``.cns`` (segments) or ``.cnr`` (bins) file.

    Coordinates are 0-based half-open in CNVkit and are kept as they are. The integer ``cn``
    column written by ``cnvkit.py call`` becomes :attr:`Segment.total_cn` and is used as the
    tumour copy number without the purity formula (CNVkit adjusts it for purity when ``call``
    is run with ``--purity``; without it, ``cn`` is unadjusted). CNVkit can emit empty segments
    with ``probes`` 0 whose ``end`` is below ``start``; such rows carry no measurement and are
    skipped with a logged warning. Any other row with ``end <= start`` is an error. A ``.cnr``
    has no ``probes`` column, so its bins get ``probes=None`` (see :func:`read_copy_number` for
    how bin-level input is treated).

    Parameters
    ----------
    path
        The file (plain or gzip).
    patient
        For error messages.

    Returns
    -------
    list[Segment]
        In file order.

    Raises
    ------
    InputError
        Missing required columns (``chromosome start end log2``), wrong field count, a
        non-integer coordinate or ``cn``, a non-numeric/NaN/infinite ``log2``, a negative start
        or an empty/inverted interval; each names the file and 1-based line.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "x.cns")
    >>> _ = open(p, "w").write("chromosome\\tstart\\tend\\tgene\\tlog2\\tprobes\\n"
    ...                        "chr7\\t100\\t200\\tMET\\t1.5\\t4\\n")
    >>> read_cnvkit(p)[0]
    Segment(chrom='chr7', start0=100, end=200, log2=1.5, total_cn=None, probes=4, line=2)
    """
    header_line, header, rows = split_header(table_lines(path, patient), path, patient)
    cols = header_index(header, _CNVKIT_COLUMNS)
    require_columns(cols, ("chrom", "start", "end", "log2"), header, path, header_line, patient)
    segments: list[Segment] = []
    for line, fields in rows:
        check_fields(fields, len(header), path, line, patient)
        start = parse_int(fields[cols["start"]], "start", path, line, patient)
        end = parse_int(fields[cols["end"]], "end", path, line, patient)
        probes = (
            parse_int(fields[cols["probes"]], "probes", path, line, patient)
            if "probes" in cols
            else None
        )
        if end <= start and probes == 0:
            log.warning(
                "%s:%d: skipping empty CNVkit segment %d-%d (0 probes)", path, line, start, end
            )
            continue
        check_interval(start, end, "start", path, line, patient)
        log2 = parse_float(fields[cols["log2"]], "log2", path, line, patient)
        if log2 is None:
            raise InputError("log2 is empty", path=path, line=line, patient=patient)
        total: float | None = None
        if "cn" in cols and fields[cols["cn"]].strip() not in ("", "NA", "."):
            total = float(parse_int(fields[cols["cn"]], "cn", path, line, patient))
            if total < 0:
                raise InputError(f"cn {total:g} is negative", path=path, line=line, patient=patient)
        chrom = parse_chrom(fields[cols["chrom"]], path, line, patient)
        named = tuple(
            g.strip() for g in fields[cols["gene"]].split(",") if g.strip() not in ("", "-")
        ) if "gene" in cols else ()  # fmt: skip
        segments.append(Segment(chrom, start, end, log2, total, probes, line, genes=named))
    return segments
