"""The boundary between Snakemake scripts and the package.

Each script in ``scripts/`` calls :func:`run_step` with a function of its own: errors the package
raises on purpose become one clear line on stderr and in the rule's log, and a non-zero exit;
nothing is written to the outputs (the writers are atomic).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

from armmatch.config import Settings, settings_from_config
from armmatch.errors import ArmmatchError
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
