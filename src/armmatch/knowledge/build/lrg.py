"""Locus Reference Genomic (LRG) records read into exact per-build locus sequences (build time).

An LRG record (``LRG_292.xml``) holds, in its fixed section, a gene's genomic sequence on the
gene's coding strand (LRG coordinate 1 = its first base) with the transcripts' exons and coding
regions in LRG coordinates; its updatable section aligns that sequence to GRCh37 and GRCh38
(``<mapping>``/``<mapping_span>``), listing every difference (``<diff>``: ``mismatch``,
``lrg_ins`` = LRG bases the assembly lacks, ``other_ins`` = assembly bases the LRG lacks).

:func:`assembly_locus` applies those differences, so the locus it returns equals the assembly
base for base, and keeps the LRG-to-assembly position map that carries a variant between
builds (:func:`lift`). Pure functions over the XML text; nothing is fetched.

Positions: ``pos1`` 1-based; a locus is ``chrom``, ``start0``, ``end`` (0-based half-open),
its ``sequence`` on the plus strand.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from armmatch.calling.alleles import revcomp
from armmatch.errors import InputError

BUILD_COORD_SYSTEMS: Mapping[str, tuple[str, ...]] = {
    "GRCh37": ("GRCh37.p13", "GRCh37"),
    "GRCh38": ("GRCh38", "GRCh38.p12", "GRCh38.p13", "GRCh38.p14"),
}


@dataclass(frozen=True)
class Diff:
    """One listed difference between the LRG sequence and an assembly (LRG orientation)."""

    kind: str
    """``mismatch``, ``lrg_ins`` or ``other_ins``."""
    lrg_start: int
    lrg_end: int
    lrg_sequence: str
    other_sequence: str


@dataclass(frozen=True)
class Mapping_:
    """The record's alignment to one assembly (a single span: every trial gene's is)."""

    build: str
    chrom: str
    other_start: int
    other_end: int
    strand: int
    lrg_start: int
    lrg_end: int
    diffs: tuple[Diff, ...]


@dataclass(frozen=True)
class LrgTranscript:
    """A fixed-section transcript: exons and coding region in LRG coordinates (1-based)."""

    name: str
    comment: str
    exons: tuple[tuple[int, int], ...]
    cds: tuple[int, int] | None
    protein: str


@dataclass(frozen=True)
class LrgRecord:
    lrg_id: str
    gene: str
    sequence_source: str
    sequence: str
    transcripts: tuple[LrgTranscript, ...]
    mappings: Mapping[str, Mapping_]
    transcript_maps: Mapping[str, tuple[tuple[int, int, int, int], ...]] = field(
        default_factory=dict
    )
    """Updatable-section transcript alignments (``NM_000245.2`` -> spans of
    ``(lrg_start, lrg_end, tx_start, tx_end)``), e.g. MANE transcripts not in the fixed set."""


def _int(e: ET.Element, key: str, where: str) -> int:
    try:
        return int(e.attrib[key])
    except (KeyError, ValueError):
        raise InputError(f"LRG record: {e.tag} without an integer {key}", path=where) from None


def parse_lrg(text: str, *, path: str) -> LrgRecord:
    """Parse an LRG XML record (schema 1.9).

    Raises
    ------
    InputError
        Naming the file: not XML, no sequence, no GRCh37/GRCh38 mapping, or a mapping split
        into several spans.
    """
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise InputError(f"not an LRG XML record ({exc})", path=path) from None
    fixed = root.find("fixed_annotation")
    if fixed is None or fixed.findtext("sequence") is None:
        raise InputError("LRG record without a fixed_annotation sequence", path=path)
    lrg_id = (fixed.findtext("id") or "").strip()
    sequence = "".join((fixed.findtext("sequence") or "").split()).upper()
    transcripts = []
    for tx in fixed.findall("transcript"):
        exons = []
        for ex in tx.findall("exon"):
            c = next(
                (c for c in ex.findall("coordinates") if c.attrib.get("coord_system") == lrg_id),
                None,
            )
            if c is not None:
                exons.append((_int(c, "start", path), _int(c, "end", path)))
        cds = None
        cr = tx.find("coding_region")
        if cr is not None:
            c = cr.find("coordinates")
            if c is not None:
                cds = (_int(c, "start", path), _int(c, "end", path))
        protein = "".join((tx.findtext("coding_region/translation/sequence") or "").split())
        transcripts.append(
            LrgTranscript(
                tx.attrib.get("name", ""), (tx.findtext("comment") or "").strip(),
                tuple(exons), cds, protein,
            )
        )  # fmt: skip
    gene = ""
    mappings: dict[str, Mapping_] = {}
    tx_maps: dict[str, tuple[tuple[int, int, int, int], ...]] = {}
    for aset in root.findall("updatable_annotation/annotation_set"):
        gene = gene or (aset.findtext("lrg_locus") or "").strip()
        for m in aset.findall("mapping"):
            system = m.attrib.get("coord_system", "")
            build = next((b for b, names in BUILD_COORD_SYSTEMS.items() if system in names), None)
            spans = m.findall("mapping_span")
            if m.attrib.get("type") == "transcript":
                tx_maps.setdefault(
                    system,
                    tuple(
                        (_int(s, "lrg_start", path), _int(s, "lrg_end", path),
                         _int(s, "other_start", path), _int(s, "other_end", path))
                        for s in spans
                    ),
                )  # fmt: skip
                continue
            if build is None or build in mappings:
                continue
            if len(spans) != 1:
                raise InputError(
                    f"LRG {lrg_id} {system}: {len(spans)} mapping spans (one expected)", path=path
                )
            s = spans[0]
            diffs = tuple(
                Diff(
                    d.attrib.get("type", ""), _int(d, "lrg_start", path), _int(d, "lrg_end", path),
                    d.attrib.get("lrg_sequence", "").upper(),
                    d.attrib.get("other_sequence", "").upper(),
                )
                for d in s.findall("diff")
            )  # fmt: skip
            mappings[build] = Mapping_(
                build, m.attrib.get("other_name", ""), _int(s, "other_start", path),
                _int(s, "other_end", path), _int(s, "strand", path),
                _int(s, "lrg_start", path), _int(s, "lrg_end", path), diffs,
            )  # fmt: skip
    for build in BUILD_COORD_SYSTEMS:
        if build not in mappings:
            raise InputError(f"LRG {lrg_id} has no {build} mapping", path=path)
    return LrgRecord(
        lrg_id, gene, (fixed.findtext("sequence_source") or "").strip(), sequence,
        tuple(transcripts), mappings, tx_maps,
    )  # fmt: skip


@dataclass(frozen=True)
class AssemblyLocus:
    """An LRG record's region of one assembly: the plus-strand sequence and the position map."""

    gene: str
    lrg_id: str
    build: str
    chrom: str
    start0: int
    end: int
    strand: str
    sequence: str
    """Plus-strand bases of ``start0..end``, equal to the assembly (differences applied)."""
    diffs_applied: int
    lrg_to_pos1: Mapping[int, int]
    """LRG position -> assembly position (absent for LRG bases the assembly lacks)."""

    def base(self, pos1: int) -> str:
        return self.sequence[pos1 - 1 - self.start0]

    def fetch(self, start0: int, end: int) -> str:
        if start0 < self.start0 or end > self.end:
            raise KeyError(f"{self.chrom}:{start0}-{end} is outside the {self.gene} locus")
        return self.sequence[start0 - self.start0 : end - self.start0]


def assembly_locus(record: LrgRecord, build: str) -> AssemblyLocus:
    """The record's locus in ``build`` with every listed difference applied.

    Raises
    ------
    InputError
        When the differences do not add up to the mapped span's length, or a mismatch's LRG
        base is not the record's.
    """
    m = record.mappings[build]
    where = f"{record.lrg_id} {build}"
    by_start: dict[int, list[Diff]] = {}
    for d in m.diffs:
        by_start.setdefault(d.lrg_start, []).append(d)
    emitted: list[str] = []  # gene-strand assembly bases, in LRG order
    lrg_index: dict[int, int] = {}  # LRG pos -> index in emitted
    skip_until = 0
    for p in range(m.lrg_start, m.lrg_end + 1):
        if p <= skip_until:
            continue
        lrg_base = record.sequence[p - 1]
        placed = False
        for d in by_start.get(p, ()):
            if d.kind == "lrg_ins":
                skip_until = d.lrg_end
                placed = True
            elif d.kind == "mismatch":
                if record.sequence[d.lrg_start - 1 : d.lrg_end] != d.lrg_sequence:
                    raise InputError(f"{where}: mismatch at LRG {p} names the wrong LRG base")
                for i, b in enumerate(d.other_sequence):
                    lrg_index[p + i] = len(emitted)
                    emitted.append(b)
                skip_until = d.lrg_end
                placed = True
        if not placed:
            lrg_index[p] = len(emitted)
            emitted.append(lrg_base)
        for d in by_start.get(p, ()):
            if d.kind == "other_ins":  # assembly bases between LRG lrg_start and lrg_end
                emitted.extend(d.other_sequence)
    gene_strand = "".join(emitted)
    span = m.other_end - m.other_start + 1
    if len(gene_strand) != span:
        raise InputError(
            f"{where}: the differences give {len(gene_strand)} bases for a {span}-base span"
        )
    if m.strand == 1:
        plus = gene_strand
        to_pos = {p: m.other_start + i for p, i in lrg_index.items()}
    else:
        plus = revcomp(gene_strand)
        to_pos = {p: m.other_end - i for p, i in lrg_index.items()}
    return AssemblyLocus(
        record.gene, record.lrg_id, build, m.chrom, m.other_start - 1, m.other_end,
        "+" if m.strand == 1 else "-", plus, len(m.diffs), to_pos,
    )  # fmt: skip


def lift(source: AssemblyLocus, target: AssemblyLocus, pos1: int) -> int | None:
    """``pos1`` of ``source``'s build at the same LRG base in ``target``'s build, or None.

    Both loci must come from the same record. None when the base is not in both assemblies.
    """
    if source.lrg_id != target.lrg_id:
        raise ValueError("lift between loci of different LRG records")
    inverse = _inverse(source)
    lrg = inverse.get(pos1)
    return None if lrg is None else target.lrg_to_pos1.get(lrg)


_INVERSE_CACHE: dict[tuple[str, str], dict[int, int]] = {}


def _inverse(locus: AssemblyLocus) -> dict[int, int]:
    key = (locus.lrg_id, locus.build)
    if key not in _INVERSE_CACHE:
        _INVERSE_CACHE[key] = {pos: lrg for lrg, pos in locus.lrg_to_pos1.items()}
    return _INVERSE_CACHE[key]


def transcript_exons_pos1(
    record: LrgRecord, locus: AssemblyLocus, tx: LrgTranscript
) -> list[tuple[int, int]]:
    """The transcript's exons as ascending assembly intervals ``(start1, end1)``."""
    out = []
    for a, b in tx.exons:
        pa, pb = locus.lrg_to_pos1.get(a), locus.lrg_to_pos1.get(b)
        if pa is None or pb is None:
            raise InputError(f"{record.lrg_id} {tx.name}: an exon end is not in {locus.build}")
        out.append((min(pa, pb), max(pa, pb)))
    return sorted(out)


def record_transcript(record: LrgRecord, accession: str) -> LrgTranscript | None:
    """The fixed-section transcript whose comment names ``accession`` (unversioned)."""
    bare = accession.split(".")[0]
    for tx in record.transcripts:
        if bare in tx.comment:
            return tx
    return None


def records_by_gene(records: Sequence[LrgRecord]) -> dict[str, LrgRecord]:
    return {r.gene: r for r in records}
