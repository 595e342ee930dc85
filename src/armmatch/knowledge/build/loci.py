"""Building the bundled loci (``resources/loci/loci.<build>.tsv``) from LRG records.

For each trial gene with an LRG record, the locus of each build is the record's sequence with
every listed difference applied (:func:`armmatch.knowledge.build.lrg.assembly_locus`). Before
anything is written the build is checked against independent facts:

* every internal exon boundary and both CDS ends of the bundled transcript models
  (``resources/transcripts``, from refGene) equal the LRG transcript mapped to the assembly;
* the LRG coding sequence, spliced from the assembly locus, translates to the record's protein.

A disagreement stops the build naming the gene, build and exon.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from armmatch.calling.alleles import revcomp
from armmatch.calling.reference import translate
from armmatch.errors import InputError
from armmatch.knowledge.build.lrg import (
    AssemblyLocus,
    Diff,
    LrgRecord,
    LrgTranscript,
    assembly_locus,
    parse_lrg,
    record_transcript,
)
from armmatch.knowledge.loci import LOCI_COLUMNS
from armmatch.knowledge.transcripts import GeneModel

LOCI_GENES = (
    "ALK", "BRAF", "BRCA1", "BRCA2", "CDK4", "CDKN2A", "EGFR", "ERBB2", "ETV6", "KIT", "MET",
    "NTRK1", "RET",
)  # fmt: skip
"""Trial genes (and the ETV6 fusion partner) whose LRG records are bundled."""


@dataclass(frozen=True)
class SourceFile:
    name: str
    sha256: str
    text: str


def _spliced_cds(locus: AssemblyLocus, tx: LrgTranscript) -> tuple[str, set[int]]:
    """The transcript's CDS read from the assembly locus, and the codons (1-based) holding a
    listed LRG/assembly mismatch (where the assembly may encode another residue)."""
    assert tx.cds is not None
    lo, hi = tx.cds
    mismatched = {
        p for d in locus_diffs(locus) if d.kind == "mismatch"
        for p in range(d.lrg_start, d.lrg_end + 1)
    }  # fmt: skip
    parts: list[str] = []
    codons: set[int] = set()
    for a, b in tx.exons:
        a, b = max(a, lo), min(b, hi)
        for p in range(a, b + 1):
            pos = locus.lrg_to_pos1.get(p)
            if pos is None:
                raise InputError(f"{locus.gene} {locus.build}: CDS base LRG {p} not in assembly")
            if p in mismatched:
                codons.add(len(parts) // 3 + 1)
            parts.append(locus.base(pos))
    seq = "".join(parts)  # plus-strand bases in LRG (gene) order
    return (seq if locus.strand == "+" else revcomp(seq)[::-1]), codons


_DIFFS: dict[tuple[str, str], tuple[Diff, ...]] = {}


def locus_diffs(locus: AssemblyLocus) -> tuple[Diff, ...]:
    return _DIFFS.get((locus.lrg_id, locus.build), ())


def check_locus(record: LrgRecord, locus: AssemblyLocus, model: GeneModel | None) -> list[str]:
    """What disagrees between the locus and independent facts (empty when all agree)."""
    problems = []
    tx = record.transcripts[0]
    if tx.cds and tx.protein:
        _DIFFS[(locus.lrg_id, locus.build)] = record.mappings[locus.build].diffs
        coding, allowed = _spliced_cds(locus, tx)
        protein = translate(coding).rstrip("*")
        differ = {
            i + 1 for i, (a, b) in enumerate(zip(protein, tx.protein, strict=False)) if a != b
        }
        if len(protein) != len(tx.protein) or differ - allowed:
            problems.append(f"{tx.name} CDS does not translate to the record's protein")
    if model is None:
        return problems
    mine = record_transcript(record, model.refseq_accession)
    spans: list[tuple[int, int]] = []
    cds: tuple[int, int] | None = None
    if mine is not None:
        spans = [(locus.lrg_to_pos1[a], locus.lrg_to_pos1[b]) for a, b in mine.exons]
        if mine.cds:
            cds = (locus.lrg_to_pos1[mine.cds[0]], locus.lrg_to_pos1[mine.cds[1]])
    else:
        tx_map = next(
            (
                v
                for k, v in record.transcript_maps.items()
                if k.split(".")[0] == model.refseq_accession
            ),
            None,
        )
        if tx_map is None:
            return [*problems, f"no LRG transcript for {model.refseq_accession}"]
        spans = [(locus.lrg_to_pos1[a], locus.lrg_to_pos1[b]) for a, b, _, _ in tx_map]
    got = sorted((min(a, b) - 1, max(a, b)) for a, b in spans)  # 0-based half-open
    want = sorted((e.start0, e.end) for e in model.exons)
    if len(got) != len(want):
        return [*problems, f"{len(got)} LRG exons, {len(want)} in the bundled model"]
    for i, ((gs, ge), (ws, we)) in enumerate(zip(got, want, strict=True)):
        if i > 0 and gs != ws:
            problems.append(f"exon start {ws} (bundled) != {gs} (LRG)")
        if i < len(got) - 1 and ge != we:
            problems.append(f"exon end {we} (bundled) != {ge} (LRG)")
    if cds is not None:
        lo, hi = min(cds) - 1, max(cds)
        if (lo, hi) != (model.cds_start0, model.cds_end):
            problems.append(f"CDS {lo}-{hi} (LRG) != {model.cds_start0}-{model.cds_end} (bundled)")
    return problems


def render_loci(
    loci: Sequence[AssemblyLocus], sources: Mapping[str, SourceFile], build: str, version: str
) -> str:
    """The loci table text (deterministic)."""
    lines = [
        f"# armmatch bundled loci, {build}: the trial genes' genomic sequence (plus strand), "
        "equal to the assembly",
        f"# build: {build}",
        f"# loci_version: {version}",
        "# built-by: scripts/build_loci.py (armmatch.knowledge.build.loci) from LRG records "
        "(LRG project, NCBI RefSeqGene sequences); do not edit by hand",
    ]
    for x in sorted(loci, key=lambda x: x.gene):
        src = sources[x.lrg_id]
        lines.append(
            f"# source {x.gene}: {src.name} sha256={src.sha256}; {x.chrom}:{x.start0 + 1}-{x.end} "
            f"({x.strand}); {x.diffs_applied} LRG/assembly differences applied"
        )
    lines.append("\t".join(LOCI_COLUMNS))
    for x in sorted(loci, key=lambda x: x.gene):
        lines.append(
            "\t".join(
                (x.gene, x.lrg_id, x.chrom, str(x.start0), str(x.end), x.strand,
                 str(x.diffs_applied), x.sequence)
            )
        )  # fmt: skip
    return "\n".join(lines) + "\n"


def gzip_text(text: str) -> bytes:
    """Deterministic gzip (no name, no timestamp)."""
    return gzip.compress(text.encode("ascii"), compresslevel=9, mtime=0)


def build_loci(
    sources: Sequence[SourceFile],
    models: Mapping[str, Mapping[str, GeneModel]],
    version: str,
    genes: Sequence[str] = LOCI_GENES,
) -> dict[str, str]:
    """Per build, the loci table text; raises InputError on any disagreement."""
    records: dict[str, tuple[LrgRecord, SourceFile]] = {}
    for src in sources:
        rec = parse_lrg(src.text, path=src.name)
        if rec.gene in genes:
            records[rec.gene] = (rec, src)
    missing = sorted(set(genes) - set(records))
    if missing:
        raise InputError(f"no LRG record for {', '.join(missing)}")
    out = {}
    for build, build_models in models.items():
        loci = []
        for gene in genes:
            rec, _ = records[gene]
            locus = assembly_locus(rec, build)
            problems = check_locus(rec, locus, build_models.get(gene))
            if problems:
                raise InputError(f"{gene} {build}: " + "; ".join(problems), path=rec.lrg_id)
            loci.append(locus)
        by_id = {rec.lrg_id: src for rec, src in records.values()}
        out[build] = render_loci(loci, by_id, build, version)
    return out


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
