"""Transcript models of the target genes (``resources/transcripts/transcripts.{build}.tsv``).

One transcript per gene and build: the MANE Select RefSeq NM with exons and CDS from the UCSC
refGene alignment (the builder is :mod:`armmatch.knowledge.build.transcripts`). Coordinates:
``pos1`` 1-based, ``start0``/``end`` 0-based half-open; exons numbered in transcript order.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from armmatch.errors import InputError
from armmatch.genome import Build, normalise_build, normalise_chrom
from armmatch.io import open_text, write_text_atomic
from armmatch.paths import transcripts_file

COLUMNS: tuple[str, ...] = (
    "gene",
    "transcript",
    "refseq_accession",
    "ensembl_transcript",
    "chrom",
    "strand",
    "tx_start0",
    "tx_end",
    "cds_start0",
    "cds_end",
    "exon_count",
    "exon_starts0",
    "exon_ends",
    "note",
)

REQUIRED_GENES: tuple[str, ...] = (
    "EGFR",
    "ALK",
    "ROS1",
    "MET",
    "BRAF",
    "BRCA1",
    "BRCA2",
    "ERBB2",
    "KIT",
    "CDK4",
    "CDKN2A",
    "RET",
    "NTRK1",
    "NTRK2",
    "NTRK3",
    "FGFR1",
    "FGFR2",
    "FGFR3",
    "FGFR4",
)

BUILD_COMMENT_KEY = "build"

# ---------------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exon:
    """One exon of a transcript.

    Parameters
    ----------
    number
        Exon number in transcript order, 1-based (exon 1 holds the transcript's 5' end).
    start0, end
        Genomic interval, 0-based half-open.
    """

    number: int
    start0: int
    end: int

    @property
    def length(self) -> int:
        """Number of bases in the exon."""
        return self.end - self.start0


@dataclass(frozen=True)
class GeneModel:
    """One transcript of one gene on one build, with exons in transcript order.

    Parameters
    ----------
    gene
        HGNC symbol.
    transcript
        Versioned RefSeq NM reported for the gene (e.g. the MANE Select ``NM_005228.5``).
    refseq_accession
        Unversioned RefSeq accession whose alignment gives the coordinates (``NM_005228``).
    ensembl_transcript
        Matching Ensembl transcript id (versioned when taken from MANE), or ``""``.
    chrom
        Chromosome without ``chr`` prefix.
    strand
        ``"+"`` or ``"-"``.
    tx_start0, tx_end
        Transcript span, 0-based half-open.
    cds_start0, cds_end
        Coding span (start codon to stop codon inclusive), 0-based half-open; equal for a
        non-coding transcript.
    exons
        Exons in transcript order, numbered 1..n.
    note
        Free text, e.g. why a fallback transcript was used; ``""`` when nothing to say.

    Raises
    ------
    ValueError
        If the fields are inconsistent (see :func:`model_problems`).
    """

    gene: str
    transcript: str
    refseq_accession: str
    ensembl_transcript: str
    chrom: str
    strand: str
    tx_start0: int
    tx_end: int
    cds_start0: int
    cds_end: int
    exons: tuple[Exon, ...]
    note: str = ""
    _genomic: tuple[Exon, ...] = field(init=False, repr=False, compare=False)
    _genomic_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _coding_before: tuple[int, ...] = field(init=False, repr=False, compare=False)
    """Coding bases in the exons before each exon (transcript order): ``[k]`` for exon k+1."""

    def __post_init__(self) -> None:
        problems = model_problems(self)
        if problems:
            raise ValueError(f"{self.gene or '<no gene>'}: " + "; ".join(problems))
        genomic = tuple(sorted(self.exons, key=lambda e: e.start0))
        object.__setattr__(self, "_genomic", genomic)
        object.__setattr__(self, "_genomic_starts", tuple(e.start0 for e in genomic))
        before, total = [], 0
        for e in self.exons:
            before.append(total)
            total += _coding_overlap(e, self.cds_start0, self.cds_end)
        object.__setattr__(self, "_coding_before", tuple(before))

    # -- simple properties --------------------------------------------------------------------

    @property
    def is_coding(self) -> bool:
        """Whether the transcript has a CDS."""
        return self.cds_end > self.cds_start0

    @property
    def exons_genomic(self) -> tuple[Exon, ...]:
        """The exons in ascending genomic order."""
        return self._genomic

    @property
    def cds_length(self) -> int:
        """Number of coding bases (stop codon included), 0 for a non-coding transcript."""
        return sum(_coding_overlap(e, self.cds_start0, self.cds_end) for e in self.exons)

    def exon(self, number: int) -> Exon:
        """The exon with transcript-order ``number`` (1-based).

        Raises
        ------
        KeyError
            If the transcript has no such exon.
        """
        if not 1 <= number <= len(self.exons):
            raise KeyError(f"{self.gene} {self.transcript} has no exon {number}")
        return self.exons[number - 1]

    # -- position queries ---------------------------------------------------------------------

    def contains(self, chrom: str, pos1: int) -> bool:
        """Whether 1-based ``pos1`` on ``chrom`` (any ``chr`` style) lies in the transcript span."""
        return normalise_chrom(chrom) == self.chrom and self.tx_start0 < pos1 <= self.tx_end

    def overlaps(self, chrom: str, start0: int, end: int) -> bool:
        """Whether the 0-based half-open interval overlaps the transcript span.

        An empty interval (``start0 == end``, an insertion point between bases ``start0`` and
        ``start0 + 1`` in 1-based terms) overlaps when both flanking bases are in the span.

        Raises
        ------
        ValueError
            If ``end < start0``.
        """
        if end < start0:
            raise ValueError(f"interval end {end} is before its start {start0}")
        if normalise_chrom(chrom) != self.chrom:
            return False
        if start0 == end:
            return self.tx_start0 < start0 < self.tx_end
        return start0 < self.tx_end and self.tx_start0 < end

    def exon_at(self, pos1: int) -> int | None:
        """Transcript-order number of the exon containing 1-based ``pos1``, else None."""
        index = self._genomic_index(pos1 - 1)
        return None if index is None else self._genomic[index].number

    def intron_at(self, pos1: int) -> int | None:
        """Number of the intron containing 1-based ``pos1``, else None.

        Intron n lies between exons n and n + 1 in transcript order.
        """
        pair = self._flanking_exons(pos1 - 1)
        return None if pair is None else min(pair[0].number, pair[1].number)

    def cds_position(self, pos1: int) -> int | None:
        """The HGVS c. position of a coding base (c.1 = A of the start codon).

        Returns
        -------
        int or None
            The position for a base in a coding part of an exon; None in UTRs, introns and
            outside the transcript.
        """
        pos0 = pos1 - 1
        if not self.cds_start0 <= pos0 < self.cds_end:
            return None
        index = self._genomic_index(pos0)
        if index is None:
            return None
        here = self._genomic[index]
        before = self._coding_before[here.number - 1]
        lo = max(here.start0, self.cds_start0)
        hi = min(here.end, self.cds_end)
        offset = pos0 - lo if self.strand == "+" else hi - 1 - pos0
        return before + offset + 1

    def distance_to_exon(self, pos1: int) -> tuple[int, int] | None:
        """Nearest exon and signed offset of an intronic base, HGVS style.

        Returns
        -------
        tuple[int, int] or None
            ``(exon_number, offset)``: a positive offset counts into the intron from the 3' end
            (in transcript order) of the exon (``c.N+k``), a negative one back from the 5' end
            of the next exon (``c.N-k``). The middle base of an odd-length intron takes ``+``.
            None for exonic bases and positions outside the transcript.
        """
        pos0 = pos1 - 1
        pair = self._flanking_exons(pos0)
        if pair is None:
            return None
        left, right = pair  # left has the lower coordinates
        to_left = pos0 - (left.end - 1)
        to_right = right.start0 - pos0
        upstream, downstream = (left, right) if self.strand == "+" else (right, left)
        after_upstream = to_left if self.strand == "+" else to_right
        before_downstream = to_right if self.strand == "+" else to_left
        if after_upstream <= before_downstream:
            return upstream.number, after_upstream
        return downstream.number, -before_downstream

    # -- helpers ------------------------------------------------------------------------------

    def _genomic_index(self, pos0: int) -> int | None:
        """Index into the genomic-order exons of the exon containing 0-based ``pos0``."""
        index = bisect.bisect_right(self._genomic_starts, pos0) - 1
        if index >= 0 and pos0 < self._genomic[index].end:
            return index
        return None

    def _flanking_exons(self, pos0: int) -> tuple[Exon, Exon] | None:
        """The exons (lower, higher coordinates) around an intronic 0-based ``pos0``."""
        if not self.tx_start0 <= pos0 < self.tx_end or self._genomic_index(pos0) is not None:
            return None
        index = bisect.bisect_right(self._genomic_starts, pos0) - 1
        return self._genomic[index], self._genomic[index + 1]


def _coding_overlap(exon: Exon, cds_start0: int, cds_end: int) -> int:
    """Number of bases of ``exon`` inside the CDS interval."""
    return max(0, min(exon.end, cds_end) - max(exon.start0, cds_start0))


def model_problems(model: GeneModel) -> list[str]:
    """Consistency problems of a gene model, in words (empty when it is valid).

    Checks the strand, the intervals, exon numbering 1..n in transcript order, exon order and
    non-overlap, that the exons span exactly the transcript, and that the CDS ends lie in exons.
    """
    problems: list[str] = []
    if not model.gene:
        problems.append("empty gene name")
    if model.strand not in ("+", "-"):
        problems.append(f"strand must be '+' or '-', not {model.strand!r}")
    if not model.chrom or model.chrom != normalise_chrom(model.chrom):
        problems.append(f"chrom {model.chrom!r} must be non-empty and have no 'chr' prefix")
    if not 0 <= model.tx_start0 < model.tx_end:
        problems.append(f"bad transcript span {model.tx_start0}-{model.tx_end}")
    if not model.tx_start0 <= model.cds_start0 <= model.cds_end <= model.tx_end:
        problems.append(
            f"CDS {model.cds_start0}-{model.cds_end} is not inside the transcript "
            f"{model.tx_start0}-{model.tx_end}"
        )
    if not model.exons:
        problems.append("no exons")
        return problems
    numbers = [e.number for e in model.exons]
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"exons must be numbered 1..n in order, got {numbers}")
    genomic = list(model.exons) if model.strand == "+" else list(reversed(model.exons))
    for exon in genomic:
        if exon.end <= exon.start0:
            problems.append(f"exon {exon.number} is empty or reversed ({exon.start0}-{exon.end})")
    for first, second in zip(genomic, genomic[1:], strict=False):
        if second.start0 <= first.end:
            problems.append(
                f"exons {first.number} and {second.number} overlap, touch or are out of "
                f"transcript order for strand {model.strand}"
            )
    if genomic[0].start0 != model.tx_start0 or genomic[-1].end != model.tx_end:
        problems.append("exons do not span exactly the transcript")
    if model.cds_end > model.cds_start0:
        starts = [e.start0 for e in genomic]
        for label, pos0 in (("start", model.cds_start0), ("end", model.cds_end - 1)):
            index = bisect.bisect_right(starts, pos0) - 1
            if index < 0 or pos0 >= genomic[index].end:
                problems.append(f"CDS {label} {pos0} (0-based) is not in an exon")
    return problems


@dataclass(frozen=True)
class GeneModels:
    """The transcript models of one build.

    Parameters
    ----------
    build
        The genome build of every model.
    source
        Where the models came from (the TSV's comment lines, or a short description).
    models
        Gene symbol to model.
    """

    build: Build
    source: str
    models: Mapping[str, GeneModel]

    def get(self, gene: str) -> GeneModel | None:
        """The model of ``gene`` (HGNC symbol, exact case), or None when it is not bundled."""
        return self.models.get(gene)

    @cached_property
    def accessions(self) -> dict[str, tuple[str, ...]]:
        """Per gene, the accessions that name its bundled transcript in annotations (the
        model's transcript, RefSeq and Ensembl ids), worked out once per set of models."""
        return {
            g: tuple(x for x in (m.transcript, m.refseq_accession, m.ensembl_transcript) if x)
            for g in self.genes()
            if (m := self.models.get(g)) is not None
        }

    def genes(self) -> tuple[str, ...]:
        """The bundled gene symbols, sorted."""
        return tuple(sorted(self.models))

    def overlapping(self, chrom: str, start0: int, end: int) -> list[GeneModel]:
        """Models whose transcript span overlaps a 0-based half-open interval.

        ``chrom`` may use any ``chr`` style. Sorted by transcript start, then gene.
        """
        found = [m for m in self.models.values() if m.overlaps(chrom, start0, end)]
        return sorted(found, key=lambda m: (m.tx_start0, m.gene))

    def at(self, chrom: str, pos1: int) -> list[GeneModel]:
        """Models whose transcript span contains 1-based ``pos1``, sorted by start then gene."""
        found = [m for m in self.models.values() if m.contains(chrom, pos1)]
        return sorted(found, key=lambda m: (m.tx_start0, m.gene))

    def __len__(self) -> int:
        return len(self.models)

    def __contains__(self, gene: object) -> bool:
        return gene in self.models


# ---------------------------------------------------------------------------------------------
# TSV reading and writing
# ---------------------------------------------------------------------------------------------


@cache
def gene_models(build: str, path: str | None = None) -> GeneModels:
    """The transcript models of ``build``: the bundled table, or a custom one at ``path``.

    Cached per process: the one cache of gene models.
    """
    return load_gene_models(Path(path) if path else transcripts_file(build))


def default_transcripts_path(build: Build) -> Path:
    """Path of the bundled transcript TSV of ``build`` (``resources/transcripts/`` in the repo)."""
    return transcripts_file(build)


def exons_from_genomic(
    strand: str, starts0: Sequence[int], ends: Sequence[int]
) -> tuple[Exon, ...]:
    """Number exons given in ascending genomic order and return them in transcript order.

    Parameters
    ----------
    strand
        ``"+"`` or ``"-"``; on ``-`` the highest exon is exon 1.
    starts0, ends
        Exon starts (0-based) and ends, ascending, same length.

    Raises
    ------
    ValueError
        If the lists differ in length.
    """
    if len(starts0) != len(ends):
        raise ValueError(f"{len(starts0)} exon starts but {len(ends)} exon ends")
    pairs = list(zip(starts0, ends, strict=True))
    ordered = pairs if strand == "+" else list(reversed(pairs))
    return tuple(Exon(n, s, e) for n, (s, e) in enumerate(ordered, start=1))


def parse_int_list(text: str) -> list[int]:
    """Parse a comma-separated integer list (a trailing comma, as in genePred, is allowed).

    Raises
    ------
    ValueError
        If an item is not a non-negative integer.
    """
    items = text[:-1].split(",") if text.endswith(",") else text.split(",")
    values: list[int] = []
    for item in items:
        if not item.isdigit():
            raise ValueError(f"{item!r} in {text!r} is not a non-negative integer")
        values.append(int(item))
    return values


def parse_count(text: str, column: str) -> int:
    """A non-negative integer field, or ValueError naming the column."""
    if not text.isdigit():
        raise ValueError(f"column {column} must be a non-negative integer, not {text!r}")
    return int(text)


def parse_model_row(fields: Sequence[str]) -> GeneModel:
    """Build a :class:`GeneModel` from the fields of one TSV row (in :data:`COLUMNS` order).

    Raises
    ------
    ValueError
        If a field is malformed or the model is inconsistent.
    """
    if len(fields) != len(COLUMNS):
        raise ValueError(f"expected {len(COLUMNS)} tab-separated fields, found {len(fields)}")
    row = dict(zip(COLUMNS, fields, strict=True))
    starts0 = parse_int_list(row["exon_starts0"])
    ends = parse_int_list(row["exon_ends"])
    count = parse_count(row["exon_count"], "exon_count")
    if not count == len(starts0) == len(ends):
        raise ValueError(
            f"exon_count {count} does not match {len(starts0)} exon_starts0 "
            f"and {len(ends)} exon_ends"
        )
    if starts0 != sorted(starts0):
        raise ValueError("exon_starts0 must be in ascending genomic order")
    return GeneModel(
        gene=row["gene"],
        transcript=row["transcript"],
        refseq_accession=row["refseq_accession"],
        ensembl_transcript=row["ensembl_transcript"],
        chrom=row["chrom"],
        strand=row["strand"],
        tx_start0=parse_count(row["tx_start0"], "tx_start0"),
        tx_end=parse_count(row["tx_end"], "tx_end"),
        cds_start0=parse_count(row["cds_start0"], "cds_start0"),
        cds_end=parse_count(row["cds_end"], "cds_end"),
        exons=exons_from_genomic(row["strand"], starts0, ends),
        note=row["note"],
    )


def format_model_row(model: GeneModel) -> str:
    """One TSV row (no newline) for ``model``, in :data:`COLUMNS` order."""
    genomic = model.exons_genomic
    fields = [
        model.gene,
        model.transcript,
        model.refseq_accession,
        model.ensembl_transcript,
        model.chrom,
        model.strand,
        str(model.tx_start0),
        str(model.tx_end),
        str(model.cds_start0),
        str(model.cds_end),
        str(len(genomic)),
        ",".join(str(e.start0) for e in genomic),
        ",".join(str(e.end) for e in genomic),
        model.note,
    ]
    for value in fields:
        if "\t" in value or "\n" in value or "\r" in value:
            raise ValueError(f"{model.gene}: field {value!r} contains a tab or newline")
    return "\t".join(fields)


def comment_value(comments: Sequence[str], key: str) -> str | None:
    """The value of the first ``key: value`` comment line (comment text without ``# ``)."""
    prefix = f"{key}:"
    for text in comments:
        if text.startswith(prefix):
            return text[len(prefix) :].strip()
    return None


def load_gene_models(path: Path) -> GeneModels:
    """Read a transcript TSV (format in the module docstring).

    Parameters
    ----------
    path
        The TSV, plain or gzip.

    Returns
    -------
    GeneModels
        The models, with the build from the ``# build:`` comment and the comment text as
        ``source``.

    Raises
    ------
    InputError
        Naming the file and line, if the file is missing, the build comment or header row is
        missing or wrong, a row is malformed or inconsistent, or a gene appears twice.
    """
    comments: list[str] = []
    models: dict[str, GeneModel] = {}
    header_seen = False
    with open_text(path) as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip("\n").rstrip("\r")
            if not header_seen and line.startswith("#"):
                comments.append(line[1:].removeprefix(" "))
                continue
            if not header_seen:
                if tuple(line.split("\t")) != COLUMNS:
                    raise InputError(
                        f"expected the header row {' '.join(COLUMNS)!r} (tab-separated), "
                        f"found {line[:200]!r}",
                        path=path,
                        line=number,
                    )
                header_seen = True
                continue
            if not line.strip():
                continue
            try:
                model = parse_model_row(line.split("\t"))
            except ValueError as error:
                raise InputError(
                    f"malformed transcript row: {error}", path=path, line=number
                ) from None
            if model.gene in models:
                raise InputError(f"gene {model.gene} appears twice", path=path, line=number)
            models[model.gene] = model
    if not header_seen:
        raise InputError("no header row: the file is empty or only has comments", path=path)
    build_text = comment_value(comments, BUILD_COMMENT_KEY)
    if build_text is None:
        raise InputError("no '# build: GRCh37|GRCh38' comment line before the header", path=path)
    try:
        build = normalise_build(build_text)
    except ValueError as error:
        raise InputError(f"bad build comment: {error}", path=path) from None
    return GeneModels(build=build, source="\n".join(comments), models=models)


def render_gene_models(models: Iterable[GeneModel], header_lines: Sequence[str]) -> str:
    """The TSV text for ``models`` (sorted by gene) under ``# `` comment lines.

    Raises
    ------
    ValueError
        If a header line contains a newline or a gene appears twice.
    """
    ordered = sorted(models, key=lambda m: m.gene)
    genes = [m.gene for m in ordered]
    if len(set(genes)) != len(genes):
        raise ValueError("a gene appears twice among the models")
    lines: list[str] = []
    for text in header_lines:
        if "\n" in text or "\r" in text:
            raise ValueError(f"header line {text!r} contains a newline")
        lines.append(f"# {text}".rstrip())
    lines.append("\t".join(COLUMNS))
    lines.extend(format_model_row(m) for m in ordered)
    return "\n".join(lines) + "\n"


def write_gene_models(models: Iterable[GeneModel], path: Path, header_lines: Sequence[str]) -> None:
    """Write ``models`` as a transcript TSV atomically (deterministic bytes, LF newlines).

    Parameters
    ----------
    models
        The models; written sorted by gene.
    path
        The output file.
    header_lines
        Comment text, one item per line, written with a ``# `` prefix; include a
        ``build: GRCh3x`` line so that :func:`load_gene_models` can read the file.
    """
    write_text_atomic(path, render_gene_models(models, header_lines))
