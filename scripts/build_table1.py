"""Rebuild resources/table1_rare_tumours.tsv and resources/rare_tumour_criteria.tsv.

Reads the PLATFORM protocol text (not part of a user's clone: ../shared/protocol/ beside the
repository) and writes both resources with armmatch.knowledge.build.table1. Usage::

    python scripts/build_table1.py [--protocol PATH] [--out TSV] [--criteria-out TSV]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from armmatch.errors import InputError
from armmatch.io import write_text_atomic
from armmatch.knowledge.build.table1 import PROTOCOL_NAME, build_criteria_tsv, build_table1_tsv
from armmatch.knowledge.table1 import default_criteria_path, default_table1_path

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, build both resources and write them; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_protocol = REPO.parent / "shared" / "protocol" / PROTOCOL_NAME
    parser.add_argument("--protocol", type=Path, default=default_protocol)
    parser.add_argument("--out", type=Path, default=default_table1_path())
    parser.add_argument("--criteria-out", type=Path, default=default_criteria_path())
    args = parser.parse_args(argv)
    try:
        text = args.protocol.read_text(encoding="utf-8")
        write_text_atomic(args.out, build_table1_tsv(text, source=args.protocol.name))
        write_text_atomic(args.criteria_out, build_criteria_tsv(text, source=args.protocol.name))
    except (InputError, OSError) as error:
        print(f"build_table1: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
