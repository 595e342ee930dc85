"""The typed patient: one validated sample-sheet row, parsed once.

:mod:`armmatch.readers.sample_sheet` makes it; the workflow passes it to the patient job as
plain JSON params (:meth:`Patient.to_params`), and the job rebuilds it without parsing the row
again (:meth:`Patient.from_params`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal


@dataclass(frozen=True)
class Patient:
    """One validated sample-sheet row. Optional fields are ``None`` when the cell is empty."""

    patient_id: str
    tumour_type: str | None
    """ICD-10 code and optional Table 1 subtype (``C49|Synovial sarcoma``); ``None`` when the
    cell is empty: Table 2 inclusion 2 is then missing and the patient incomplete."""
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
    eligibility_waiver: str | None = None
    """A sponsor's waiver id: lets ``arm_override`` lift an eligibility criterion (a protocol
    deviation), only with config ``assignment.eligibility_waivers``."""
    specimen_id: str | None = None
    accession: str | None = None
    assay: str | None = None
    collection_date: str | None = None
    report_date: str | None = None
    raw: Mapping[str, str] = field(default_factory=dict, compare=False)
    """The row's non-empty cells, paths resolved: rebuilding a Patient from it is lossless."""

    def sheet_row(self) -> dict[str, str]:
        """The row as plain strings (paths resolved) plus its sheet line, as fingerprinted."""
        return {**dict(sorted(self.raw.items())), "__line__": str(self.line)}

    def to_params(self) -> dict[str, Any]:
        """The parsed patient as plain JSON values: deterministic Snakemake ``params``.

        The job rebuilds it with :meth:`from_params` without parsing the row again.
        """
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "raw":
                value = dict(sorted(value.items()))
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Patient:
        """The patient of :meth:`to_params` (the types restored, nothing re-validated)."""
        values = dict(params)
        if values.get("prior_therapies") is not None:
            values["prior_therapies"] = tuple(values["prior_therapies"])
        values["raw"] = dict(values.get("raw") or {})
        return cls(**values)


ReviewDecision = Literal["accept", "override", "defer"]


@dataclass(frozen=True)
class Review:
    """A tumour board's sign-off of one patient's computed decision (one row of the review file).

    ``accept``: the computed decision stands; ``override``: the board assigns ``arm`` (with a
    ``reason``); ``defer``: no decision yet (``reason`` says what is awaited).
    """

    patient_id: str
    reviewer: str
    date: str
    decision: ReviewDecision
    line: int
    arm: str | None = None
    reason: str | None = None
