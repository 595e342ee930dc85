"""Errors raised for bad input.

Every problem with user input is raised as :class:`InputError` (never ``sys.exit``), carrying the
file, the line or patient, and the problem in words a bioinformatician can act on. The command
line and the Snakemake scripts print ``str(error)`` and exit non-zero.
"""

from __future__ import annotations

from pathlib import Path


class ArmmatchError(Exception):
    """Base class of every error armmatch raises on purpose."""


class InputError(ArmmatchError):
    """A user-supplied file or value is wrong.

    Parameters
    ----------
    problem
        What is wrong, in plain words, including the bad value and the valid set where useful.
    path
        The file concerned, if any.
    line
        1-based line number in ``path``, if known.
    patient
        The patient (sample sheet ``patient_id``) concerned, if any.

    Examples
    --------
    >>> str(InputError("unknown column 'foo'", path="samples.tsv", line=1))
    'samples.tsv, line 1: unknown column \\'foo\\''
    >>> str(InputError("VCF has no sample 'T1'", path="a.vcf", patient="P01"))
    "a.vcf (patient P01): VCF has no sample 'T1'"
    """

    def __init__(
        self,
        problem: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        patient: str | None = None,
    ) -> None:
        self.problem = problem
        self.path = str(path) if path is not None else None
        self.line = line
        self.patient = patient
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where: list[str] = []
        if self.path is not None:
            where.append(self.path)
        if self.line is not None:
            where.append(f"line {self.line}")
        head = ", ".join(where)
        if self.patient is not None:
            head = f"{head} (patient {self.patient})" if head else f"patient {self.patient}"
        return f"{head}: {self.problem}" if head else self.problem


class ConfigError(InputError):
    """The configuration (config.yaml or --config values) is invalid."""


class RuleTableError(InputError):
    """The actionable-target rule table is malformed."""
