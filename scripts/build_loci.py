"""Rebuild resources/loci/loci.GRCh37.tsv and loci.GRCh38.tsv from the LRG records.

Reads ../shared/data/reference-loci/lrg-records/ (not part of a user's clone), checks every
locus against the bundled transcript models and the records' proteins, and writes both files
with armmatch.knowledge.build.loci. Afterwards: ``armmatch manifest --update loci_grch37``
(and ``loci_grch38``). Usage::

    python scripts/build_loci.py [--records DIR] [--out DIR] [--version V]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from armmatch.errors import InputError
from armmatch.io import write_text_atomic
from armmatch.knowledge.build.loci import SourceFile, build_loci
from armmatch.knowledge.transcripts import gene_models

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, build both loci files and write them; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = REPO.parent / "shared" / "data" / "reference-loci" / "lrg-records"
    parser.add_argument("--records", type=Path, default=default)
    parser.add_argument("--out", type=Path, default=REPO / "resources" / "loci")
    parser.add_argument("--version", default="2026.12-1")
    args = parser.parse_args(argv)
    try:
        sources = []
        for path in sorted(args.records.glob("LRG_*.xml")):
            data = path.read_bytes()
            sources.append(
                SourceFile(path.name, hashlib.sha256(data).hexdigest(), data.decode("utf-8"))
            )
        models = {b: dict(gene_models(b).models) for b in ("GRCh37", "GRCh38")}
        texts = build_loci(sources, models, args.version)
        args.out.mkdir(parents=True, exist_ok=True)
        for build, text in texts.items():
            write_text_atomic(args.out / f"loci.{build}.tsv", text)
    except (InputError, OSError) as error:
        print(f"build_loci: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
