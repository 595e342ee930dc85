"""The Python matrix: armmatch on each interpreter ``requires-python`` allows.

``make test`` runs the whole suite on 3.11 (the project's .venv); ``make matrix`` (run by
``.ci/run``) runs this file: on 3.12 and 3.13, each in a fresh virtual environment with the
pinned dependencies, the package is built as a wheel and installed from it, then the unit suite
and one end-to-end Snakemake run of the example batch. An interpreter that is absent fails the
session (nox's ``--error-on-missing-interpreters``): a matrix that skips silently would test
nothing.
"""

from __future__ import annotations

import glob
import os

import nox

nox.options.default_venv_backend = "venv"
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["tests"]

VERSIONS = ["3.12", "3.13"]
END_TO_END = "tests/workflow/test_workflow.py::test_every_output_for_every_patient"


@nox.session(python=VERSIONS)
def tests(session: nox.Session) -> None:
    """Wheel-install armmatch with the test extras, then the unit suite and one workflow run."""
    dist = os.path.join(session.create_tmp(), "dist")
    session.install("-c", "constraints.txt", "build")
    session.run("python", "-m", "build", "--wheel", "--outdir", dist, silent=True)
    (wheel,) = glob.glob(os.path.join(dist, "armmatch-*.whl"))
    session.install("-c", "constraints.txt", f"{wheel}[test]")
    basetemp = os.path.join(session.create_tmp(), "pytest")
    session.run(
        "python", "-m", "pytest", "-n", "2", "-p", "no:cacheprovider", f"--basetemp={basetemp}",
        "tests/unit", END_TO_END, *session.posargs,
    )  # fmt: skip
