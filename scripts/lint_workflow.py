"""``snakemake --lint`` with the one documented lint allowed (README, "Development").

Every rule runs armmatch's own Python code in the environment that runs Snakemake, so the lint
"Specify a conda environment or container for each rule" is expected once per rule; any other
lint, or a lint run that fails, exits 1. Usage: ``python scripts/lint_workflow.py [OUTDIR]``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ALLOWED = frozenset({"* Specify a conda environment or container for each rule.:"})


def lint_kinds(outdir: str = "results/.lint") -> tuple[int, set[str], str]:
    """Snakemake's exit code, the kinds of lint it reported and its whole output."""
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "--lint", "--config", f"outdir={outdir}"],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    text = done.stdout + done.stderr
    kinds = {line.strip() for line in text.splitlines() if line.startswith("    * ")}
    return done.returncode, kinds, text


def problems(code: int, kinds: set[str], text: str) -> list[str]:
    """What is wrong with a lint run: unexpected lints, or an exit that is no lint verdict."""
    out = [f"unexpected lint: {kind}" for kind in sorted(kinds - ALLOWED)]
    if code != (1 if kinds else 0):  # snakemake exits 1 when it reports lints, 0 when none
        out.append(f"snakemake --lint exited {code}:\n{text[-2000:]}")
    return out


def main(argv: list[str]) -> int:
    code, kinds, text = lint_kinds(*argv[:1])
    found = problems(code, kinds, text)
    for line in found:
        print(f"lint_workflow: {line}", file=sys.stderr)
    if not found:
        print(f"snakemake --lint: only the documented lint ({len(kinds)} kind)")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
