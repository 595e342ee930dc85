#!/usr/bin/env python3
"""Regenerate resources/transcripts/transcripts.{GRCh37,GRCh38}.tsv from the shared test data.

The tables are built by :func:`armmatch.knowledge.build.transcripts.build_transcript_files` (MANE Select NM per
gene, exons and CDS from the UCSC refGene table of each build). The output is deterministic:
rerunning on the same inputs rewrites identical bytes.

Usage::

    python scripts/build_transcript_models.py [--shared-data DIR] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from armmatch.errors import InputError
from armmatch.knowledge.build.transcripts import build_transcript_files

REPO_ROOT = Path(__file__).resolve().parents[1]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--shared-data",
        type=Path,
        default=REPO_ROOT.parent / "shared" / "data",
        help="the public test-data directory (default: ../shared/data from the repo root)",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=REPO_ROOT / "resources" / "transcripts",
        help="where to write transcripts.{build}.tsv (default: resources/transcripts)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Build both tables; print the files written, or the input problem and return 1."""
    args = parse_args(argv)
    try:
        written = build_transcript_files(args.shared_data, args.out_dir)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
