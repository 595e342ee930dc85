"""GATK ``ModelSegments``/``CallCopyRatioSegments`` ``.seg`` files (1-based inclusive; the
``CALL`` column is kept as the caller's call).
"""

from __future__ import annotations

from pathlib import Path

from armmatch.errors import InputError
from armmatch.readers.cnv_table import (
    Segment,
    check_fields,
    header_index,
    one_based_interval,
    parse_chrom,
    parse_float,
    parse_int,
    require_columns,
    split_header,
    table_lines,
)

GATK_COLUMNS: dict[str, tuple[str, ...]] = {
    "chrom": ("contig",),
    "start": ("start",),
    "end": ("end",),
    "probes": ("num_points_copy_ratio",),
    "log2": ("mean_log2_copy_ratio", "log2_copy_ratio_posterior_50"),
    "call": ("call",),
}


def read_gatk_seg(path: str | Path, *, patient: str | None = None) -> list[Segment]:
    """Read a GATK ``ModelSegments``/``CallCopyRatioSegments`` ``.seg`` file.

    ``@`` lines (the SAM-style header) are skipped. Columns: ``CONTIG START END``,
    ``NUM_POINTS_COPY_RATIO`` (probes), ``MEAN_LOG2_COPY_RATIO`` (or the posterior median
    ``LOG2_COPY_RATIO_POSTERIOR_50`` of ``modelFinal.seg``) and an optional ``CALL``.
    Coordinates are 1-based inclusive. A segment with 0 copy-ratio points has no measurement
    and is ignored by the gene summary.

    Raises
    ------
    InputError
        Missing columns, wrong field counts, bad coordinates or a non-numeric log2 ratio.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "x.seg")
    >>> _ = open(p, "w").write("@HD\\tVN:1.6\\nCONTIG\\tSTART\\tEND\\tNUM_POINTS_COPY_RATIO\\t"
    ...                        "MEAN_LOG2_COPY_RATIO\\tCALL\\nchr12\\t11\\t20\\t3\\t2.5\\t+\\n")
    >>> s = read_gatk_seg(p)[0]
    >>> s.start0, s.end, s.log2, s.probes, s.caller_call
    (10, 20, 2.5, 3, '+')
    """
    rows = table_lines(path, patient, comments=("#", "@"))
    header_line, header, body = split_header(rows, path, patient)
    cols = header_index(header, GATK_COLUMNS)
    require_columns(cols, ("chrom", "start", "end", "log2"), header, path, header_line, patient)
    segments: list[Segment] = []
    for line, fields in body:
        check_fields(fields, len(header), path, line, patient)
        start0, end = one_based_interval(fields, cols, path, line, patient)
        log2 = parse_float(fields[cols["log2"]], "log2 copy ratio", path, line, patient)
        if log2 is None:
            raise InputError("log2 copy ratio is empty", path=path, line=line, patient=patient)
        probes = (
            parse_int(fields[cols["probes"]], "NUM_POINTS_COPY_RATIO", path, line, patient)
            if "probes" in cols
            else None
        )
        call = fields[cols["call"]].strip() or None if "call" in cols else None
        chrom = parse_chrom(fields[cols["chrom"]], path, line, patient)
        segments.append(Segment(chrom, start0, end, log2, None, probes, line, call))
    return segments
