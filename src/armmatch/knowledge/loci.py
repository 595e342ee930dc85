"""The bundled reference sequence of the trial genes' loci (``resources/loci/loci.<build>.tsv``).

One row per gene: the locus (``chrom``, ``start0``, ``end``, 0-based half-open) and its
plus-strand sequence, equal base for base to the assembly (built from the LRG records by
:mod:`armmatch.knowledge.build.loci`, every listed LRG/assembly difference applied). It serves
as a :class:`~armmatch.calling.reference.SequenceSource` when no ``reference_fasta`` is
configured: :meth:`BundledLoci.fetch` answers inside a locus and raises ``KeyError`` outside
one (the callers treat that as "no sequence here").

Genes without an LRG record here (ROS1, NTRK2, NTRK3, FGFR1-4) have no bundled sequence:
every rule on them is a fusion or copy-number rule.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from armmatch.errors import ConfigError
from armmatch.genome import normalise_chrom
from armmatch.paths import RESOURCE_DIR

LOCI_COLUMNS = ("gene", "lrg", "chrom", "start0", "end", "strand", "diffs", "sequence")


@dataclass(frozen=True)
class Locus:
    gene: str
    lrg: str
    chrom: str
    start0: int
    end: int
    strand: str
    diffs: int
    sequence: str


class BundledLoci:
    """The loci of one build, queried like a FASTA (``fetch(chrom, start0, end)``)."""

    def __init__(self, build: str, loci: tuple[Locus, ...], version: str) -> None:
        self.build = build
        self.version = version
        self.loci = loci
        self._by_chrom: dict[str, list[Locus]] = {}
        for locus in sorted(loci, key=lambda x: (x.chrom, x.start0)):
            self._by_chrom.setdefault(locus.chrom, []).append(locus)
        self._starts = {c: [x.start0 for x in v] for c, v in self._by_chrom.items()}

    def locus_at(self, chrom: str, start0: int, end: int) -> Locus | None:
        """The locus holding the whole interval, else None."""
        c = normalise_chrom(chrom)
        loci = self._by_chrom.get(c)
        if not loci:
            return None
        i = bisect_right(self._starts[c], start0) - 1
        while i >= 0:
            x = loci[i]
            if x.start0 <= start0 and end <= x.end:
                return x
            i -= 1
        return None

    def covers(self, chrom: str, start0: int, end: int) -> bool:
        """Whether ``start0..end`` lies inside one locus (the sequence can answer there)."""
        return self.locus_at(chrom, max(0, start0), end) is not None

    def fetch(self, chrom: str, start0: int, end: int) -> str:
        """Plus-strand bases of ``start0..end``; ``KeyError`` when not inside one locus."""
        if end <= start0:
            return ""
        x = self.locus_at(chrom, start0, end)
        if x is None:
            raise KeyError(f"{chrom}:{start0 + 1}-{end} is outside the bundled loci ({self.build})")
        return x.sequence[start0 - x.start0 : end - x.start0]

    def genes(self) -> tuple[str, ...]:
        return tuple(sorted(x.gene for x in self.loci))


def parse_loci(text: str, *, path: str, validate: bool = True) -> BundledLoci:
    """Parse the loci table (comments ``# build:`` and ``# loci_version:``, then rows);
    ``validate=False`` (a patient job: the run checked the file's sha256) skips the per-base
    check."""
    build = version = ""
    loci = []
    header_seen = False
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            if key.strip() == "build":
                build = value.strip()
            elif key.strip() == "loci_version":
                version = value.strip()
            continue
        fields = line.split("\t")
        if not header_seen:
            if tuple(fields) != LOCI_COLUMNS:
                raise ConfigError(
                    f"header must be {' '.join(LOCI_COLUMNS)}", path=path, line=lineno
                )
            header_seen = True
            continue
        if len(fields) != len(LOCI_COLUMNS):
            raise ConfigError(
                f"{len(fields)} fields, {len(LOCI_COLUMNS)} expected", path=path, line=lineno
            )
        gene, lrg, chrom, s0, end, strand, diffs, seq = fields
        locus = Locus(gene, lrg, chrom, int(s0), int(end), strand, int(diffs), seq)
        if len(seq) != locus.end - locus.start0 or (validate and not set(seq) <= set("ACGTN")):
            raise ConfigError(f"{gene}: sequence does not fill its locus", path=path, line=lineno)
        loci.append(locus)
    if not build or not version:
        raise ConfigError("loci table without '# build:' and '# loci_version:' comments", path=path)
    return BundledLoci(build, tuple(loci), version)


def default_loci_path(build: str) -> Path:
    return RESOURCE_DIR / "loci" / f"loci.{build}.tsv"


def load_loci(path: str | Path, *, validate: bool = True) -> BundledLoci:
    p = Path(path)
    if not p.is_file():
        raise ConfigError("the bundled loci file does not exist", path=str(p))
    return parse_loci(p.read_text(encoding="ascii"), path=str(p), validate=validate)


@cache
def bundled_loci(build: str, path: str | None = None) -> BundledLoci:
    """The loci of ``build`` (read once per process, unchecked: the run checked its sha256)."""
    return load_loci(path or default_loci_path(build), validate=False)
