"""Segment tables with copy numbers, 1-based inclusive: PCGR ``.cna.tsv`` (``nMajor``/
``nMinor`` or ``Segment_Mean``), PURPLE (``copyNumber``), ASCAT's ``segments.txt`` (``sample chr
startpos endpos nMajor nMinor``), FACETS' ``cncf`` (``chrom ... start end ... tcn.em lcn.em``,
or facets-suite's ``loc.start loc.end``) and Sequenza's ``segments.txt`` (``"chromosome"
"start.pos" "end.pos" ... "CNt"``, quoted as R writes it).
"""

from __future__ import annotations

from pathlib import Path

from armmatch.errors import InputError
from armmatch.readers.cnv_table import (
    Segment,
    check_fields,
    header_index,
    parse_chrom,
    parse_float,
    parse_int,
    require_columns,
    segment_total,
    select_sample,
    split_header,
    table_lines,
    unquoted,
)

SEGMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "chrom": ("chromosome", "chrom", "chr"),
    "start": ("start", "startpos", "start.pos", "loc.start"),
    "end": ("end", "endpos", "end.pos", "loc.end"),
    "total": ("total_cn", "totalcn", "copynumber", "copy_number", "tcn", "tcn.em", "cnt"),
    "major": ("nmajor", "majorallelecopynumber"),
    "minor": ("nminor", "minorallelecopynumber"),
    "log2": ("segment_mean", "log2"),
    "probes": ("num_probes", "num.mark", "probes"),
    "sample": ("sample", "sample_id", "sampleid", "sid"),
}


def read_segments(
    path: str | Path, *, patient: str | None = None, sample: str | None = None
) -> list[Segment]:
    """Read a PCGR/PURPLE-like segment table.

    Columns are matched case-insensitively: ``Chromosome`` (or ``chrom``/``chr``), ``Start``,
    ``End``, then the copy number from (first found) a total column (``Total_CN``,
    ``copyNumber``, ``copy_number``, ``tcn``), else ``nMajor + nMinor`` (or PURPLE's
    ``majorAlleleCopyNumber + minorAlleleCopyNumber``); ``Segment_Mean``/``log2`` is read as the
    log2 ratio when present. At least one of a copy number or a log2 column is required.
    With a sample column (ASCAT's ``sample``, facets-suite's ``sid``) the rows of one sample
    are read: ``sample`` (the sheet's ``cnv_sample``), else the patient id, else the file's
    only sample (:func:`armmatch.readers.cnv_table.select_sample`).
    Coordinates are 1-based inclusive (PCGR documents them as one-based), so
    ``start0 = Start - 1``. A small negative total copy number (PURPLE fits can give e.g.
    -0.02) is clamped to 0.

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
        Missing columns, wrong field count, non-integer coordinates, ``Start < 1``,
        ``End < Start``, or a non-numeric/NaN/infinite value, naming the file and 1-based line.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "x.cna.tsv")
    >>> _ = open(p, "w").write("Chromosome\\tStart\\tEnd\\tnMajor\\tnMinor\\n"
    ...                        "17\\t101\\t200\\t8\\t1\\n")
    >>> read_segments(p)[0]
    Segment(chrom='17', start0=100, end=200, log2=None, total_cn=9.0, probes=None, line=2)
    """
    header_line, header, rows = split_header(table_lines(path, patient), path, patient)
    cols = header_index(header, SEGMENT_COLUMNS)
    require_columns(cols, ("chrom", "start", "end"), header, path, header_line, patient)
    if "sample" in cols:  # ASCAT writes one file for several samples
        at = cols["sample"]
        ids = [unquoted(f[at]) for _, f in rows if len(f) > at]
        if ids:
            chosen = select_sample(ids, sample, patient, path, header_line)
            rows = [(n, f) for n, f in rows if len(f) > at and unquoted(f[at]) == chosen]
    has_alleles = "major" in cols and "minor" in cols
    if "total" not in cols and not has_alleles and "log2" not in cols:
        raise InputError(
            "no copy-number column: need a total copy number (Total_CN, copyNumber), nMajor and "
            f"nMinor, or a log2 ratio (Segment_Mean, log2); header has: {', '.join(header)}",
            path=path,
            line=header_line,
            patient=patient,
        )
    segments: list[Segment] = []
    for line, fields in rows:
        check_fields(fields, len(header), path, line, patient)
        start1 = parse_int(fields[cols["start"]], "Start", path, line, patient)
        end = parse_int(fields[cols["end"]], "End", path, line, patient)
        if start1 < 1:
            raise InputError(
                f"Start {start1} < 1 (coordinates are 1-based)",
                path=path,
                line=line,
                patient=patient,
            )
        if end < start1:
            raise InputError(
                f"End ({end}) < Start ({start1})", path=path, line=line, patient=patient
            )
        total = segment_total(fields, cols, has_alleles, path, line, patient)
        log2 = (
            parse_float(fields[cols["log2"]], "log2 (Segment_Mean)", path, line, patient)
            if "log2" in cols
            else None
        )
        if total is None and log2 is None:
            raise InputError(
                "neither a copy number nor a log2 ratio is given",
                path=path,
                line=line,
                patient=patient,
            )
        probes = (
            parse_int(fields[cols["probes"]], "probes", path, line, patient)
            if "probes" in cols and fields[cols["probes"]].strip() not in ("", "NA")
            else None
        )
        chrom = parse_chrom(fields[cols["chrom"]], path, line, patient)
        segments.append(Segment(chrom, start1 - 1, end, log2, total, probes, line))
    return segments
