"""The sample sheet: one row per patient, validated before the first job.

Every cell is read as text; empty cells are absent. Paths are resolved against the sheet's own
folder. Problems raise :class:`~armmatch.errors.InputError` naming the sheet, the line and the
patient.
"""

from __future__ import annotations

import csv
import logging
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from armmatch.errors import InputError
from armmatch.patient import Patient
from armmatch.schemas import load_schema, schema_errors, string_check

PATH_COLUMNS = ("vcf", "cnv", "fusions", "germline_vcf")

log = logging.getLogger(__name__)


class RealPaths:
    """``os.path.realpath`` for many files in few folders: each folder is resolved once, and a
    file is resolved on its own only when it is itself a symlink (same answers, a fraction of
    the system calls at 10,000 rows)."""

    def __init__(self) -> None:
        self._folders: dict[str, str] = {}
        self._files: dict[str, bool] = {}

    def is_file(self, path: str) -> bool:
        """``os.path.isfile``, asked once per path while one sheet is read (a negative control
        named on 10,000 rows is one system call)."""
        known = self._files.get(path)
        if known is None:
            known = self._files[path] = os.path.isfile(path)
        return known

    def __call__(self, path: str) -> str:
        if os.path.islink(path):
            return os.path.realpath(path)
        folder, name = os.path.split(os.path.abspath(path))
        real = self._folders.get(folder)
        if real is None:
            real = self._folders[folder] = os.path.realpath(folder)
        return os.path.join(real, name)


def check_inside_roots(
    value: str,
    roots: Sequence[str | Path],
    *,
    column: str,
    sheet: str,
    line: int,
    patient: str,
    roots_resolved: bool = False,
    realpath: Callable[[str], str] = os.path.realpath,
) -> str:
    """Stop when the file ``value`` (symlinks resolved) lies outside every folder in ``roots``.

    Returns the resolved path. ``roots_resolved``: the roots are already real paths.

    Raises
    ------
    InputError
        Naming the sheet, line, patient, column, the resolved path and the allowed folders.
    """
    real = realpath(value)
    resolved_roots = [str(r) if roots_resolved else os.path.realpath(r) for r in roots]
    if any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in resolved_roots):
        return real
    raise InputError(
        f"{column} file {value!r} resolves to {real!r}, which is outside the allowed input "
        f"folders ({', '.join(resolved_roots)}); move it there or add its "
        "folder to the config key input_roots",
        path=sheet,
        line=line,
        patient=patient,
    )


def missing_file(column: str, resolved: str, given: str) -> str:
    """The words for a sheet cell naming a file that does not exist."""
    return (f"{column} file {resolved!r} does not exist (given as {given!r}, resolved against "
            "the sample sheet's folder)")  # fmt: skip


def resolve_path(value: str, sheet_dir: str) -> str:
    """Resolve a sheet path against the sheet's folder, keeping relative paths relative.

    Examples
    --------
    >>> resolve_path("../example/a.vcf", "config")
    'example/a.vcf'
    >>> resolve_path("/data/a.vcf", "config")
    '/data/a.vcf'
    """
    if os.path.isabs(value):
        return os.path.normpath(value)
    return os.path.normpath(os.path.join(sheet_dir, value))


_ICD10 = re.compile(r"[Cc][0-9]{2}(\.[0-9]{1,2})?")


def split_prior_therapies(text: str) -> tuple[str, ...]:
    """The entries of a ``prior_therapies`` cell: separated by ``;`` (the documented form), or
    by ``,``, ``+`` or a line break as people also write them.

    >>> split_prior_therapies("pembrolizumab, doxorubicin")
    ('pembrolizumab', 'doxorubicin')
    """
    return tuple(p.strip() for p in re.split(r"[;,+\n]", text) if p.strip())


def parse_prior_therapies(text: str) -> tuple[str, ...]:
    """The entries of a ``prior_therapies`` cell; ``none`` (alone) is the empty history.

    >>> parse_prior_therapies("None"), parse_prior_therapies("nivolumab; doxorubicin")
    ((), ('nivolumab', 'doxorubicin'))
    """
    items = split_prior_therapies(text)
    return () if [i.lower() for i in items] == ["none"] else items


def readable_value_problems(row: Mapping[str, str]) -> list[str]:
    """Messages in words (not schema regexes) for the values users most often get wrong."""
    problems = []
    pid = row.get("patient_id")
    if pid is not None and not _SAFE_ID.fullmatch(pid):
        problems.append(
            f"patient_id {pid!r} is not a safe name: it names the patient's output folder, so it "
            "takes letters, digits, '-', '_' and '.', starts with a letter or digit, and is not "
            "only dots"
        )
    if "tumour_type" in row:
        code = row["tumour_type"].partition("|")[0].strip()
        if not _ICD10.fullmatch(code):
            problems.append(
                f"tumour_type {row['tumour_type']!r}: {code!r} is not an ICD-10 C code; write "
                "it like C49 or C49.2, optionally followed by '|' and the Table 1 subtype name "
                "(e.g. C49|Synovial sarcoma)"
            )
    if "purity" in row:
        try:
            purity = float(row["purity"])
        except ValueError:
            purity = math.nan
        if not 0 < purity <= 1:
            problems.append(
                f"purity {row['purity']!r} is not a number in (0, 1] (tumour cell fraction, "
                "e.g. 0.7)"
            )
    if "age" in row and not row["age"].isdigit():
        problems.append(f"age {row['age']!r} is not a whole number of years (e.g. 58)")
    elif "age" in row and int(row["age"]) > MAX_AGE:
        problems.append(f"age {row['age']} is outside the human range (0-{MAX_AGE} years)")
    if "ploidy" in row:
        try:
            ploidy = float(row["ploidy"])
        except ValueError:
            ploidy = math.nan
        if not 0 < ploidy <= MAX_PLOIDY:
            problems.append(
                f"ploidy {row['ploidy']!r} is not a tumour ploidy in (0, {MAX_PLOIDY:g}] (e.g. 2.0; "
                "tumour ploidy fits rarely exceed 6-8)"
            )
    if "ecog" in row and row["ecog"] not in ("0", "1", "2", "3", "4", "5"):
        problems.append(f"ecog {row['ecog']!r} is not an ECOG performance status 0 to 5")
    build = row.get("genome_build")
    if build is not None and build not in ("GRCh37", "GRCh38"):
        hint = _BUILD_HINTS.get(build.lower())
        problems.append(
            f"genome_build {build!r}: " + (f"use {hint}" if hint else "write GRCh37 or GRCh38")
        )
    return problems


MAX_AGE = 120
MAX_PLOIDY = 8.0
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
"""A patient id: it names an output folder, so it starts with a letter or digit (never ``.``,
``..`` or ``-rf``) and holds no separator."""
_BUILD_HINTS = {"hg19": "GRCh37", "b37": "GRCh37", "hs37d5": "GRCh37", "grch37": "GRCh37",
                "hg38": "GRCh38", "grch38": "GRCh38"}  # fmt: skip


def _check_readable_values(
    row: Mapping[str, str], *, sheet: str, line: int, patient: str | None
) -> None:
    """Stop on the first row's problems in words (:func:`readable_value_problems`)."""
    problems = readable_value_problems(row)
    if problems:
        raise InputError("; ".join(problems), path=sheet, line=line, patient=patient)


@cache
def _cell_schema(column: str) -> dict[str, Any] | None:
    """The sheet schema of one column, as a schema of a one-cell row (None: no such column)."""
    sub = load_schema("samples")["properties"].get(column)
    return None if sub is None else {"type": "object", "properties": {column: sub}}


@cache
def _cell_check(column: str) -> Callable[[str], bool] | None:
    """A fast validity test for one column's cells (None: no such column)."""
    schema = _cell_schema(column)
    if schema is None:
        return None
    check = string_check(schema["properties"][column])
    if check is not None:
        return check
    validator = jsonschema.Draft202012Validator(schema)
    return lambda value: bool(validator.is_valid({column: value}))


def cell_errors(column: str, value: str) -> tuple[str, ...]:
    """Schema messages for one cell: a valid cell is passed by the column's fast test, the
    schema's own messages are made only for a cell that fails it."""
    check = _cell_check(column)
    if check is None or check(value):
        return ()
    return _cell_messages(column, value)


@cache
def _cell_messages(column: str, value: str) -> tuple[str, ...]:
    schema = _cell_schema(column)
    assert schema is not None  # only asked of a cell whose column has a check
    return tuple(schema_errors({column: value}, schema, fill_defaults=False))


@cache
def _shape_errors(columns: frozenset[str]) -> tuple[str, ...]:
    """Schema messages about which columns a row has (required, unknown, dependent)."""
    schema = dict(load_schema("samples"))
    schema["properties"] = {c: {} for c in schema["properties"]}
    return tuple(schema_errors(dict.fromkeys(columns, ""), schema, fill_defaults=False))


def row_schema_errors(row: Mapping[str, str]) -> list[str]:
    """The sample-sheet schema's messages for one row (same as validating the whole row).

    Validated cell by cell and by column set, each cached, so a sheet of 10,000 rows costs
    little more than its distinct values.
    """
    errors = [*_shape_errors(frozenset(row))]
    for column in sorted(row):
        errors += cell_errors(column, row[column])
    return sorted(errors)


def patient_from_row(
    row: Mapping[str, str],
    *,
    sheet: str,
    line: int,
    sheet_dir: str,
    check_files: bool = True,
    paths: RealPaths | None = None,
) -> Patient:
    """Validate one row (non-empty cells only) and build a :class:`Patient`."""
    pid = row.get("patient_id") or None
    paths = paths or RealPaths()
    _check_readable_values(row, sheet=sheet, line=line, patient=pid)
    errors = row_schema_errors(row)
    if errors:
        raise InputError("; ".join(errors), path=sheet, line=line, patient=pid)
    assert pid is not None
    values: dict[str, str] = dict(row)
    for col in PATH_COLUMNS:
        if col in values:
            values[col] = resolve_path(values[col], sheet_dir)
            if check_files and not paths.is_file(values[col]):
                raise InputError(
                    missing_file(col, values[col], row[col]),
                    path=sheet,
                    line=line,
                    patient=pid,
                )
    named: dict[str, str] = {}
    for col in PATH_COLUMNS:
        if col not in values:
            continue
        key = paths(values[col])
        if key in named:
            raise InputError(
                f"the same file {row[col]!r} is named in both {named[key]} and {col}: each column "
                "takes its own kind of file (small variants, germline variants, copy number, "
                "fusions)",
                path=sheet,
                line=line,
                patient=pid,
            )
        named[key] = col
    purity = float(values["purity"]) if "purity" in values else None
    ploidy = float(values["ploidy"]) if "ploidy" in values else None  # ranges: checked above
    prior: tuple[str, ...] | None = None
    if "prior_therapies" in values:
        prior = parse_prior_therapies(values["prior_therapies"])
    tumour = values.get("tumour_type")
    if tumour is not None:
        code, sep, subtype = tumour.partition("|")
        tumour = code.upper() + (sep + subtype.strip() if sep else "")
    return Patient(
        patient_id=pid,
        tumour_type=tumour,
        vcf=values["vcf"],
        line=line,
        vcf_sample=values.get("vcf_sample"),
        germline_vcf=values.get("germline_vcf"),
        cnv=values.get("cnv"),
        cnv_format=values.get("cnv_format"),
        cnv_sample=values.get("cnv_sample"),
        fusions=values.get("fusions"),
        fusion_format=values.get("fusion_format"),
        purity=purity,
        ploidy=ploidy,
        her2_ihc=values.get("her2_ihc"),
        her2_ish=values.get("her2_ish"),
        age=int(values["age"]) if "age" in values else None,
        ecog=int(values["ecog"]) if "ecog" in values else None,
        prior_therapies=prior,
        genome_build=values.get("genome_build"),
        arm_override=values.get("arm_override"),
        override_reason=values.get("override_reason"),
        eligibility_waiver=values.get("eligibility_waiver"),
        specimen_id=values.get("specimen_id"),
        accession=values.get("accession"),
        assay=values.get("assay"),
        collection_date=values.get("collection_date"),
        report_date=values.get("report_date"),
        raw=dict(values),
    )


def not_utf8(raw: bytes) -> tuple[int, str] | None:
    """``(line, problem)`` for the first byte of a sample sheet's bytes that is not UTF-8, or
    None when it is UTF-8 text.

    >>> not_utf8("id\\tC49\\nPLT-1\\tMüller\\n".encode("latin-1"))
    (2, 'byte 0xfc (offset 14) is not UTF-8: the sample sheet must be UTF-8 (re-save it as UTF-8)')
    """
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return raw[: exc.start].count(b"\n") + 1, (
            f"byte 0x{raw[exc.start : exc.start + 1].hex()} (offset {exc.start}) is not UTF-8: "
            "the sample sheet must be UTF-8 (re-save it as UTF-8)"
        )
    return None


def read_sample_sheet(
    path: str | Path,
    *,
    check_files: bool = True,
    input_roots: Sequence[str | Path] | None = None,
) -> list[Patient]:
    """Read and validate the sample sheet.

    ``input_roots``: when given, every file the sheet names must resolve (symlinks followed)
    inside one of these folders. The same file given for two patients is logged as a warning
    naming both (it is legitimate for, e.g., a multi-sample SEG file).

    Raises
    ------
    InputError
        For a missing sheet, a header with unknown or missing columns, a row with the wrong
        number of fields, an invalid value, a duplicate ``patient_id``, a missing file or
        (with ``input_roots``) a file outside the allowed folders.
    """
    sheet = str(path)
    if not Path(path).is_file():
        raise InputError("sample sheet does not exist", path=sheet)
    allowed = set(load_schema("samples")["properties"])
    required = list(load_schema("samples")["required"])
    sheet_dir = os.path.dirname(sheet)
    real_roots = [os.path.realpath(r) for r in input_roots] if input_roots is not None else None
    real = RealPaths()
    patients: list[Patient] = []
    seen: dict[str, int] = {}
    files: dict[str, list[tuple[str, str]]] = {}
    shared: dict[str, tuple[str, int]] = {}
    """Files given for several patients: the value as written and the line of its first repeat."""
    header: list[str] | None = None
    if (bad := not_utf8(Path(path).read_bytes())) is not None:
        raise InputError(bad[1], path=sheet, line=bad[0])
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for lineno, text in enumerate(fh, start=1):
            text = text.rstrip("\r\n")
            if not text.strip() or text.startswith("#"):
                continue
            fields = next(csv.reader([text], delimiter="\t", quoting=csv.QUOTE_NONE))
            if header is None:
                header = [f.strip() for f in fields]
                unknown = [c for c in header if c not in allowed]
                if unknown:
                    raise InputError(
                        f"unknown column(s) {', '.join(map(repr, unknown))}; "
                        f"valid columns: {', '.join(sorted(allowed))}",
                        path=sheet,
                        line=lineno,
                    )
                missing = [c for c in required if c not in header]
                if missing:
                    raise InputError(
                        f"missing required column(s) {', '.join(missing)}", path=sheet, line=lineno
                    )
                dup = sorted({c for c in header if header.count(c) > 1})
                if dup:
                    raise InputError(
                        f"column(s) {', '.join(dup)} appear twice", path=sheet, line=lineno
                    )
                continue
            if len(fields) != len(header):
                raise InputError(
                    f"expected {len(header)} tab-separated fields, found {len(fields)}",
                    path=sheet,
                    line=lineno,
                    patient=fields[header.index("patient_id")]
                    if len(fields) > header.index("patient_id")
                    else None,
                )
            row = {k: v.strip() for k, v in zip(header, fields, strict=True) if v.strip()}
            patient = patient_from_row(row, sheet=sheet, line=lineno, sheet_dir=sheet_dir,
                                       check_files=check_files, paths=real)  # fmt: skip
            if patient.patient_id in seen:
                raise InputError(
                    f"duplicate patient_id (first on line {seen[patient.patient_id]})",
                    path=sheet,
                    line=lineno,
                    patient=patient.patient_id,
                )
            seen[patient.patient_id] = lineno
            for col in PATH_COLUMNS:
                value = patient.raw.get(col)
                if value is None:
                    continue
                if real_roots is not None:
                    key = check_inside_roots(
                        value,
                        real_roots,
                        column=col,
                        sheet=sheet,
                        line=lineno,
                        patient=patient.patient_id,
                        roots_resolved=True,
                        realpath=real,
                    )
                else:
                    key = real(value)
                users = files.setdefault(key, [])
                if not users or users[-1][0] != patient.patient_id:
                    users.append((patient.patient_id, col))
                    if len(users) > 1:
                        shared.setdefault(key, (value, lineno))
            patients.append(patient)
    if header is None:
        raise InputError("sample sheet is empty (no header row)", path=sheet)
    for key, (value, first_line) in shared.items():
        _warn_shared(sheet, value, first_line, files[key])
    return patients


SHOWN_IDS = 5
"""How many patient ids a repeated warning names (the log's debug lines name them all)."""


def _warn_shared(sheet: str, value: str, line: int, users: Sequence[tuple[str, str]]) -> None:
    """One warning for a file given for several patients (a shared negative control given for
    thousands printed a line per pair), the full list at debug level."""
    shown = ", ".join(f"{pid} ({col})" for pid, col in users[:SHOWN_IDS])
    more = f" and {len(users) - SHOWN_IDS} more" if len(users) > SHOWN_IDS else ""
    log.warning(
        "%s: the same file %s is given for %d patients: %s%s (first repeat on line %d); check the "
        "sample sheet if that is not intended",
        sheet, value, len(users), shown, more, line,
    )  # fmt: skip
    if len(users) > SHOWN_IDS:
        log.debug("%s: every patient given %s: %s", sheet, value,
                  ", ".join(f"{pid} ({col})" for pid, col in users))  # fmt: skip
