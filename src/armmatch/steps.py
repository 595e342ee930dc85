"""The boundary between Snakemake and the package.

The per-patient rule calls :func:`run_patient_job` from a ``run:`` block, so with the workflow
profile's ``force-use-threads`` it runs inside the Snakemake process: no Python start-up and no
imports per patient (the dominant cost at batch scale; see ``bench/``). Its log records go to
the patient's own log file even when two patients run at once in two threads.

The batch script in ``scripts/`` calls :func:`run_step` with a function of its own. Either way,
errors the package raises on purpose become one clear line in the log and a failed job, and
nothing is written to the outputs (the writers are atomic).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TextIO

from armmatch.config import Settings, settings_from_config
from armmatch.errors import ArmmatchError
from armmatch.io import write_text_atomic
from armmatch.samples import Patient, patient_from_row


def run_step(log_path: str | None, step: Callable[[], None]) -> None:
    """Run ``step`` with logging to ``log_path``; exit 1 with the message on a known error."""
    if log_path:
        # Everything written to stderr, including htslib's own warnings from C code, goes
        # to the rule's log; Snakemake shows that log when the job fails.
        sys.stderr.flush()
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(message)s", handlers=handlers, force=True
    )
    try:
        step()
    except ArmmatchError as err:
        logging.error("armmatch: %s", err)
        sys.exit(1)


def patient_from_params(row: Mapping[str, str], sheet: str) -> Patient:
    """Rebuild the :class:`Patient` from the row passed as Snakemake params (paths resolved)."""
    values = dict(row)
    line = int(values.pop("__line__", "0"))
    return patient_from_row(values, sheet=sheet, line=line, sheet_dir="", check_files=False)


def settings(config: Mapping[str, Any]) -> Settings:
    """Typed settings from the Snakemake config."""
    return settings_from_config(config)


class _ThreadLogs(logging.Handler):
    """Routes ``armmatch.*`` log records to the log file of the job running in that thread."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        self.streams: dict[int, TextIO] = {}
        self.lock_streams = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        stream = self.streams.get(record.thread or 0, sys.stderr)
        try:
            stream.write(self.format(record) + "\n")
            stream.flush()
        except Exception:  # pragma: no cover - logging must never fail the job
            self.handleError(record)


_THREAD_LOGS = _ThreadLogs()


@contextmanager
def job_log(path: str) -> Iterator[TextIO]:
    """Send this thread's ``armmatch`` log records to ``path`` while the block runs."""
    package_log = logging.getLogger("armmatch")
    with _THREAD_LOGS.lock_streams:
        if _THREAD_LOGS not in package_log.handlers:
            package_log.addHandler(_THREAD_LOGS)
            package_log.setLevel(logging.INFO)
            package_log.propagate = False
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    ident = threading.get_ident()
    with open(path, "w", encoding="utf-8") as stream:
        _THREAD_LOGS.streams[ident] = stream
        try:
            yield stream
        finally:
            del _THREAD_LOGS.streams[ident]


def run_patient_job(
    row: Mapping[str, str],
    *,
    sheet: str,
    build: str,
    config: Mapping[str, Any],
    rules_path: str,
    table1_path: str,
    drugs_path: str,
    outputs: Mapping[str, str],
    log_path: str,
) -> None:
    """One patient's whole assessment: evidence, assignment, events table and report.

    Every output is written (atomically) only after all steps succeeded. A known input error
    is written to the patient's log and raised as :class:`ArmmatchError` with the one-line
    message (file, line or patient, problem), which Snakemake reports as the job's error.
    """
    from armmatch.pipeline import PATIENT_OUTPUTS, assess_patient, rule_set

    quiet_htslib()
    with job_log(log_path) as log_file:
        patient = patient_from_params(row, sheet)
        logging.getLogger("armmatch.steps").info(
            "patient %s (build %s, sheet %s line %d)",
            patient.patient_id,
            build,
            sheet,
            patient.line,
        )
        try:
            texts = assess_patient(
                patient,
                build=build,
                rules=rule_set(rules_path),
                settings=settings(config),
                sheet=sheet,
                table1_path=table1_path,
                drugs_path=drugs_path,
            )
        except ArmmatchError as err:
            log_file.write(f"ERROR armmatch: {err}\n")
            raise
        for name in PATIENT_OUTPUTS:
            write_text_atomic(outputs[name], texts[name])
        log_file.write(f"INFO wrote {', '.join(outputs[n] for n in PATIENT_OUTPUTS)}\n")


def quiet_htslib() -> None:
    """Keep htslib's own warnings (e.g. contigs missing from a VCF header) off the terminal.

    In-process jobs share one stderr; armmatch checks contigs itself and names the file and
    line, so htslib's unattributed warnings would only be noise. Errors still show.
    """
    import cyvcf2

    cyvcf2.cyvcf2.set_htslib_log_level(1)
