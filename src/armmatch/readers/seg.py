"""IGV/DNAcopy SEG (``ID chrom loc.start loc.end num.mark seg.mean``), possibly multi-sample.

``loc.start`` is 1-based and ``loc.end`` inclusive; ``seg.mean`` is a log2 ratio, or log10 when
the configuration says ``copy_number.seg_mean_scale: log10``.
"""

from __future__ import annotations

import math
from pathlib import Path

from armmatch.errors import InputError
from armmatch.readers.cnv_table import (
    SegMeanScale,
    Segment,
    check_fields,
    header_index,
    one_based_interval,
    parse_chrom,
    parse_float,
    parse_int,
    require_columns,
    select_sample,
    split_header,
    table_lines,
)

SEG_COLUMNS: dict[str, tuple[str, ...]] = {
    "sample": ("id", "sample", "sample_id", "id_sample"),
    "chrom": ("chrom", "chromosome", "chr"),
    "start": ("loc.start", "start"),
    "end": ("loc.end", "end"),
    "probes": ("num.mark", "num_probes", "num.probes"),
    "mean": ("seg.mean", "segment_mean"),
}

_LOG10_TO_LOG2 = 1.0 / math.log10(2.0)


def seg_mean_to_log2(value: float, scale: SegMeanScale) -> float:
    """A SEG ``seg.mean`` as a log2 ratio (``log10`` values are divided by ``log10(2)``).

    Examples
    --------
    >>> seg_mean_to_log2(1.0, "log2")
    1.0
    >>> round(seg_mean_to_log2(math.log10(4.0), "log10"), 9)
    2.0
    """
    if scale == "log2":
        return value
    if scale == "log10":
        return value * _LOG10_TO_LOG2
    raise ValueError(f"seg_mean_scale must be log2 or log10, got {scale!r}")


def read_seg(
    path: str | Path,
    *,
    patient: str | None = None,
    sample: str | None = None,
    scale: SegMeanScale = "log2",
) -> list[Segment]:
    """Read one sample of an IGV/DNAcopy SEG file.

    Columns (case-insensitive): sample (``ID``), ``chrom``, ``loc.start``, ``loc.end``,
    ``num.mark`` (optional) and ``seg.mean``. ``loc.start`` is 1-based and ``loc.end``
    inclusive, so ``start0 = loc.start - 1``. ``seg.mean`` is read in ``scale`` and stored as a
    log2 ratio. The sample is chosen by :func:`select_sample` (``sample`` = ``cnv_sample``).

    Raises
    ------
    InputError
        Missing columns, a sample not in the file (listing the ones that are), wrong field
        counts, bad coordinates or a non-numeric ``seg.mean``; with file and 1-based line.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "x.seg")
    >>> _ = open(p, "w").write("ID\\tchrom\\tloc.start\\tloc.end\\tnum.mark\\tseg.mean\\n"
    ...                        "P1\\t7\\t101\\t200\\t5\\t2.0\\nP2\\t7\\t101\\t200\\t5\\t0.1\\n")
    >>> read_seg(p, patient="P1")[0]
    Segment(chrom='7', start0=100, end=200, log2=2.0, total_cn=None, probes=5, line=2)
    """
    header_line, header, rows = split_header(table_lines(path, patient), path, patient)
    cols = header_index(header, SEG_COLUMNS)
    require_columns(
        cols, ("sample", "chrom", "start", "end", "mean"), header, path, header_line, patient
    )
    for line, fields in rows:
        check_fields(fields, len(header), path, line, patient)
    chosen = select_sample(
        [f[cols["sample"]].strip() for _, f in rows], sample, patient, path, header_line
    )
    segments: list[Segment] = []
    for line, fields in rows:
        if fields[cols["sample"]].strip() != chosen:
            continue
        start0, end = one_based_interval(fields, cols, path, line, patient)
        mean = parse_float(fields[cols["mean"]], "seg.mean", path, line, patient)
        if mean is None:
            raise InputError("seg.mean is empty", path=path, line=line, patient=patient)
        probes = (
            parse_int(fields[cols["probes"]], "num.mark", path, line, patient)
            if "probes" in cols and fields[cols["probes"]].strip() not in ("", "NA")
            else None
        )
        chrom = parse_chrom(fields[cols["chrom"]], path, line, patient)
        log2 = seg_mean_to_log2(mean, scale)
        segments.append(Segment(chrom, start0, end, log2, None, probes, line))
    return segments
