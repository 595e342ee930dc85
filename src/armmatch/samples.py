"""The sample sheet: one row per patient, validated before the first job.

Every cell is read as text; empty cells are absent. Paths are resolved against the sheet's own
folder. Problems raise :class:`~armmatch.errors.InputError` naming the sheet, the line and the
patient.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from armmatch.errors import InputError
from armmatch.schemas import load_schema, schema_errors

PATH_COLUMNS = ("vcf", "cnv", "fusions", "germline_vcf")


@dataclass(frozen=True)
class Patient:
    """One validated sample-sheet row. Optional fields are ``None`` when the cell is empty."""

    patient_id: str
    tumour_type: str
    vcf: str
    line: int
    vcf_sample: str | None = None
    germline_vcf: str | None = None
    """Optional germline VCF/MAF; its BRCA1/2 variants count for the niraparib arm (origin germline)."""
    cnv: str | None = None
    cnv_format: str | None = None
    cnv_sample: str | None = None
    fusions: str | None = None
    fusion_format: str | None = None
    purity: float | None = None
    ploidy: float | None = None
    her2_ihc: str | None = None
    her2_ish: str | None = None
    age: int | None = None
    ecog: int | None = None
    prior_therapies: tuple[str, ...] | None = None
    """``None`` when the cell is empty (unknown); ``()`` when it says ``none``."""
    genome_build: str | None = None
    arm_override: str | None = None
    override_reason: str | None = None
    raw: Mapping[str, str] = field(default_factory=dict, compare=False)
    """The row's non-empty cells, paths resolved: rebuilding a Patient from it is lossless."""

    def to_params(self) -> dict[str, str]:
        """The row as plain strings (plus its sheet line): deterministic Snakemake ``params``."""
        return {**dict(sorted(self.raw.items())), "__line__": str(self.line)}


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


def patient_from_row(
    row: Mapping[str, str], *, sheet: str, line: int, sheet_dir: str, check_files: bool = True
) -> Patient:
    """Validate one row (non-empty cells only) and build a :class:`Patient`."""
    pid = row.get("patient_id") or None
    errors = schema_errors(dict(row), load_schema("samples"), fill_defaults=False)
    if errors:
        raise InputError("; ".join(errors), path=sheet, line=line, patient=pid)
    assert pid is not None
    values: dict[str, str] = dict(row)
    for col in PATH_COLUMNS:
        if col in values:
            values[col] = resolve_path(values[col], sheet_dir)
            if check_files and not Path(values[col]).is_file():
                raise InputError(
                    f"{col} file {values[col]!r} does not exist (given as {row[col]!r}, "
                    f"resolved against the sample sheet's folder)",
                    path=sheet,
                    line=line,
                    patient=pid,
                )
    purity = float(values["purity"]) if "purity" in values else None
    if purity is not None and not 0 < purity <= 1:
        raise InputError(f"purity {purity} is outside (0, 1]", path=sheet, line=line, patient=pid)
    ploidy = float(values["ploidy"]) if "ploidy" in values else None
    if ploidy is not None and ploidy <= 0:
        raise InputError(f"ploidy {ploidy} must be > 0", path=sheet, line=line, patient=pid)
    prior: tuple[str, ...] | None = None
    if "prior_therapies" in values:
        items = [p.strip() for p in values["prior_therapies"].split(";") if p.strip()]
        prior = () if [i.lower() for i in items] == ["none"] else tuple(items)
    tumour = values["tumour_type"]
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
        raw=dict(values),
    )


def read_sample_sheet(path: str | Path, *, check_files: bool = True) -> list[Patient]:
    """Read and validate the sample sheet.

    Raises
    ------
    InputError
        For a missing sheet, a header with unknown or missing columns, a row with the wrong
        number of fields, an invalid value, a duplicate ``patient_id`` or a missing file.
    """
    sheet = str(path)
    if not Path(path).is_file():
        raise InputError("sample sheet does not exist", path=sheet)
    allowed = set(load_schema("samples")["properties"])
    required = list(load_schema("samples")["required"])
    sheet_dir = os.path.dirname(sheet)
    patients: list[Patient] = []
    seen: dict[str, int] = {}
    header: list[str] | None = None
    with open(path, encoding="utf-8", newline="") as fh:
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
            patient = patient_from_row(
                row, sheet=sheet, line=lineno, sheet_dir=sheet_dir, check_files=check_files
            )
            if patient.patient_id in seen:
                raise InputError(
                    f"duplicate patient_id (first on line {seen[patient.patient_id]})",
                    path=sheet,
                    line=lineno,
                    patient=patient.patient_id,
                )
            seen[patient.patient_id] = lineno
            patients.append(patient)
    if header is None:
        raise InputError("sample sheet is empty (no header row)", path=sheet)
    return patients
