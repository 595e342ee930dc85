"""Preflight: every problem with a batch's inputs, found at once, before any patient is assessed.

``armmatch validate`` runs it over a config and its sample sheet; the workflow runs the same
per-patient file checks (:func:`file_problems`) at the start of each patient in a block job, so
a patient with bad files fails with all of its problems listed, and the others go on.

Checked, each problem with its file, line or patient in plain words:

* the sample sheet: UTF-8, tab-separated (a comma-separated sheet is named as such), unknown
  columns (with the closest valid name), missing required columns, columns the decision needs
  that are absent (``prior_therapies``, ``age``, ``ecog``: every patient would be incomplete),
  every row's values (all rows, not the first bad one), duplicate ids, unknown
  ``arm_override`` (with the valid arm ids), files outside the input roots;
* every file a row names: that it exists, what kind it is (a structural-variant VCF as small
  variants, a small-variant VCF as fusions, a copy-number file whose format cannot be told),
  and the genome build its header states against the patient's, from its header and a bounded
  sample of records only.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from armmatch.calling.builds import check_row_build
from armmatch.decision.assignment import waivers_off
from armmatch.errors import ArmmatchError, InputError
from armmatch.io import open_text
from armmatch.knowledge.rule_table import RuleSet
from armmatch.patient import Patient
from armmatch.readers.cnv_formats import detect_cnv_format
from armmatch.readers.file_kinds import file_kind, wrong_column
from armmatch.readers.fusion_formats import check_structural_vcf, detect_fusion_format
from armmatch.readers.maf import is_maf
from armmatch.readers.sample_sheet import (
    PATH_COLUMNS,
    cell_errors,
    check_inside_roots,
    missing_file,
    not_utf8,
    patient_from_row,
    readable_value_problems,
    resolve_path,
)
from armmatch.readers.vcf import check_build, check_small_variant_vcf, check_vcf_header_build
from armmatch.readers.vcf_text import vcf_header_text
from armmatch.run.pipeline import patient_build, rule_set
from armmatch.schemas import load_schema

Severity = Literal["error", "warning"]
DECISIVE_COLUMNS = {
    "tumour_type": "Table 2 inclusion 2 (a rare tumour of Table 1)",
    "prior_therapies": "Table 2 exclusions 2 and 3 (prior anti-PD-1/PD-L1, prior study drug)",
    "age": "Table 2 inclusion 1 (age at least 18)",
    "ecog": "Table 2 inclusion 3 (ECOG 0-1)",
}


@dataclass(frozen=True)
class Problem:
    """One problem: an ``error`` stops (the run, or that patient); a ``warning`` is reported."""

    severity: Severity
    problem: str
    path: str | None = None
    line: int | None = None
    patient: str | None = None

    def text(self) -> str:
        where = str(InputError(self.problem, path=self.path, line=self.line, patient=self.patient))
        return where if self.severity == "error" else f"warning: {where}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def problem_from_error(err: ArmmatchError, severity: Severity = "error") -> Problem:
    """The :class:`Problem` an armmatch error describes (its file, line and patient kept)."""
    if isinstance(err, InputError):
        return Problem(severity, err.problem, err.path, err.line, err.patient)
    return Problem(severity, str(err))


def likely_meaning(word: str, valid: Sequence[str]) -> str | None:
    """The valid name a near miss most likely means (``tumor_type`` -> ``tumour_type``)."""
    close = difflib.get_close_matches(word, valid, n=1, cutoff=0.7)
    if not close:
        close = [v for v in valid if v.lower() == word.lower().strip()]
    return close[0] if close else None


def did_you_mean(word: str, valid: Sequence[str]) -> str:
    """`` (did you mean 'purity'?)`` for a near miss, else ``""``."""
    close = likely_meaning(word, valid)
    return f" (did you mean {close!r}?)" if close else ""


def sheet_problems(
    path: str | Path,
    *,
    rules: RuleSet | None = None,
    input_roots: Sequence[str | Path] | None = None,
) -> tuple[list[Problem], list[Patient]]:
    """Every problem of the sample sheet, and the patients whose rows are valid."""
    sheet = str(path)
    if not Path(path).is_file():
        return [Problem("error", "sample sheet does not exist", sheet)], []
    raw = Path(path).read_bytes()
    if (bad := not_utf8(raw)) is not None:
        return [Problem("error", bad[1], sheet, bad[0])], []
    text = raw.decode("utf-8-sig")
    schema = load_schema("samples")
    allowed = sorted(schema["properties"])
    required = list(schema["required"])
    problems: list[Problem] = []
    patients: list[Patient] = []
    header: list[str] | None = None
    header_broken = False
    seen: dict[str, int] = {}
    roots = [os.path.realpath(r) for r in input_roots] if input_roots is not None else None
    sheet_dir = os.path.dirname(sheet)
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if header is None:
            if len(fields) == 1 and "," in line:
                problems.append(Problem("error", "the sheet is comma-separated; armmatch reads "
                                        "tab-separated (save it as TSV)", sheet, lineno))  # fmt: skip
                return problems, []
            header = [f.strip() for f in fields]
            for col in header:
                if col not in allowed:
                    problems.append(Problem("error", f"unknown column {col!r}{did_you_mean(col, allowed)}",
                                            sheet, lineno))  # fmt: skip
            for col in required:
                if col not in header:
                    problems.append(Problem("error", f"the required column {col!r} is missing",
                                            sheet, lineno))  # fmt: skip
            for col, needed in DECISIVE_COLUMNS.items():
                if col not in header:
                    problems.append(Problem(
                        "warning", f"the sheet has no {col} column (missing, not empty): "
                        f"{needed} cannot be checked, so every patient's decision is incomplete",
                        sheet, lineno))  # fmt: skip
            dup = sorted({c for c in header if header.count(c) > 1})
            if dup:
                problems.append(
                    Problem("error", f"column(s) {', '.join(dup)} appear twice", sheet, lineno)
                )
                return problems, []
            # An unknown or missing column does not hide the rows' problems: each unknown column
            # is read with its likely meaning (or not at all), and the rows are checked with what
            # is there, so one run lists everything to fix.
            header_broken = any(p.severity == "error" for p in problems)
            if header_broken:
                header = [_read_as(c, header, allowed) for c in header]
            continue
        pid = fields[header.index("patient_id")].strip() if "patient_id" in header and len(fields) > header.index("patient_id") else None  # fmt: skip
        if len(fields) != len(header):
            problems.append(Problem("error", f"expected {len(header)} tab-separated fields, "
                                    f"found {len(fields)}", sheet, lineno, pid or None))  # fmt: skip
            continue
        row = {k: v.strip() for k, v in zip(header, fields, strict=True) if k and v.strip()}
        words = readable_value_problems(row)
        for w in words:
            problems.append(Problem("error", w, sheet, lineno, pid or None))
        override = row.get("arm_override")
        if override and rules is not None and (problem := rules.override_problem(override)):
            problems.append(Problem("error", problem, sheet, lineno, pid or None))
        if words:
            continue
        if header_broken:
            problems += _partial_row_problems(row, sheet=sheet, line=lineno, sheet_dir=sheet_dir)
            continue
        try:
            patient = patient_from_row(row, sheet=sheet, line=lineno, sheet_dir=sheet_dir)
        except InputError as err:
            problems.append(problem_from_error(err))
            continue
        if patient.patient_id in seen:
            problems.append(Problem("error", f"duplicate patient_id (first on line "
                                    f"{seen[patient.patient_id]})", sheet, lineno, patient.patient_id))  # fmt: skip
            continue
        seen[patient.patient_id] = lineno
        if roots is not None:
            for col in PATH_COLUMNS:
                value = patient.raw.get(col)
                if value is None:
                    continue
                try:
                    check_inside_roots(value, roots, column=col, sheet=sheet, line=lineno,
                                       patient=patient.patient_id, roots_resolved=True)  # fmt: skip
                except InputError as err:
                    problems.append(problem_from_error(err))
        patients.append(patient)
    if header is None:
        problems.append(Problem("error", "sample sheet is empty (no header row)", sheet))
    return problems, patients


def _read_as(column: str, header: Sequence[str], allowed: Sequence[str]) -> str:
    """The name a header column's cells are checked under when the header has problems: a
    known column as itself, an unknown one as its likely meaning when that column is absent,
    else ``""`` (its cells are not read)."""
    if column in allowed:
        return column
    meant = likely_meaning(column, allowed)
    return meant if meant is not None and meant not in header else ""


def _partial_row_problems(
    row: Mapping[str, str], *, sheet: str, line: int, sheet_dir: str
) -> list[Problem]:
    """A row's own problems under a header with problems: each cell against its column's
    schema and each named file's existence (the checks that need a missing column are the
    header's problem, already reported)."""
    pid = row.get("patient_id") or None
    problems = [
        Problem("error", message, sheet, line, pid)
        for column in sorted(row)
        for message in cell_errors(column, row[column])
    ]
    for col in PATH_COLUMNS:
        if col in row and not os.path.isfile(resolved := resolve_path(row[col], sheet_dir)):
            problems.append(
                Problem("error", missing_file(col, resolved, row[col]), sheet, line, pid)
            )
    return problems


def _check_maf_builds(path: str, build: str, *, patient: str, limit: int) -> None:
    """:func:`armmatch.calling.builds.check_row_build` on the first ``limit`` rows of a MAF."""

    with open_text(path, patient=patient) as fh:
        header: list[str] | None = None
        for n, line in enumerate(fh, start=1):
            if line.startswith("#") or not line.strip():
                continue
            cells = line.rstrip("\n").rstrip("\r").split("\t")
            if header is None:
                header = cells
                continue
            if n > limit:
                break
            check_row_build(dict(zip(header, cells, strict=False)), build, path=path, line=n,
                            patient=patient)  # fmt: skip


def file_problems(patient: Patient, build: str, *, limit: int = 2000) -> list[Problem]:
    """Every problem of one patient's files, from their headers and first ``limit`` records:
    the kind of file in each column and the genome build each header states."""

    pid = patient.patient_id
    problems: list[Problem] = []

    def guard(check: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return check(*args, **kwargs)
        except ArmmatchError as err:
            problems.append(problem_from_error(err))
            return None

    def given(path: str | None, column: str) -> bool:
        """Whether the column names a file that is of the column's kind (else its problem)."""
        if path is None or not Path(path).is_file():
            return False
        kind = guard(file_kind, path, patient=pid)
        if (problem := wrong_column(kind, column)) is not None:
            problems.append(Problem("error", problem, path, None, pid))
            return False
        return True

    for column, path in (("vcf", patient.vcf), ("germline_vcf", patient.germline_vcf)):
        if not given(path, column):
            continue
        assert path is not None
        if is_maf(path):
            guard(_check_maf_builds, path, build, patient=pid, limit=limit)
            continue
        guard(check_small_variant_vcf, path, patient=pid, limit=limit)
        header = guard(vcf_header_text, path, patient=pid)
        guard(check_build, header or "", build, path=path, patient=pid)
    if given(patient.cnv, "cnv") and not patient.cnv_format:
        guard(detect_cnv_format, patient.cnv, patient=pid)
    if given(patient.fusions, "fusions"):
        assert patient.fusions is not None
        fmt = patient.fusion_format or guard(detect_fusion_format, patient.fusions, patient=pid)
        if fmt == "bnd-vcf":
            guard(check_structural_vcf, patient.fusions, patient=pid)
            guard(check_vcf_header_build, patient.fusions, build, patient=pid)
    return problems


@dataclass(frozen=True)
class Report:
    """The preflight of a batch."""

    sheet: str
    patients: int
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    def to_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "patients_valid": self.patients,
            "errors": len(self.errors),
            "warnings": len(self.problems) - len(self.errors),
            "problems": [p.to_dict() for p in self.problems],
        }


def preflight(config: Mapping[str, Any], *, sheet: str | None = None) -> Report:
    """Check a validated config's sample sheet and every file it names (see module doc)."""

    path = sheet or str(config["samples"])
    problems: list[Problem] = []
    rules: RuleSet | None = None
    try:
        rules = rule_set(config["rules"])
    except ArmmatchError as err:
        problems.append(problem_from_error(err))
    roots = config.get("input_roots")
    if roots is None:  # as the workflow: the sheet's own folder and the working directory
        roots = [os.path.dirname(os.path.abspath(path)), os.getcwd()]
    sheet_issues, patients = sheet_problems(path, rules=rules, input_roots=roots)
    problems += sheet_issues
    waivers = bool(config.get("assignment", {}).get("eligibility_waivers"))
    for p in patients:
        if p.eligibility_waiver and not waivers:
            problems.append(
                Problem("error", waivers_off(p.eligibility_waiver), path, p.line, p.patient_id)
            )
        problems += file_problems(p, patient_build(p, str(config["genome_build"])))
    return Report(path, len(patients), tuple(problems))
