"""Whether a file is of the patient's genome build, judged from its content.

Small variants by the exons they fall in, segments by the target genes they cover, fusion
breakpoints by the genes the caller names, MAF rows by ``NCBI_Build``: each compares the
fit on both builds with the bundled gene models (:func:`~armmatch.genome.build_fit`) and stops
the patient when the other build fits clearly better.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from armmatch.calling.gene_copy_number import GeneSpanLike
from armmatch.errors import InputError
from armmatch.genome import (
    build_fit,
    normalise_build,
    normalise_chrom,
    other_build,
)
from armmatch.knowledge.transcripts import (
    GeneModel,
    GeneModels,
)
from armmatch.readers.cnv_table import Segment
from armmatch.readers.fusion_table import Fusion, parse_breakpoint


def check_exon_build(
    records: Sequence[tuple[int | None, str, int, int]],
    here: Mapping[str, GeneModel],
    there: Mapping[str, GeneModel],
    *,
    build: str,
    path: str,
    patient: str,
) -> None:
    """Stop when a VCF that states no genome build has target-gene records that sit in exons
    (or their splice sites) on the other build only: its coordinates are of the other build.

    A record counts for a build when it touches an exon (+/- 2 bases) of a target gene's
    bundled model there and not on the other build; more records fitting only the other build
    than only the patient's stop it.
    """

    def fits(models: Mapping[str, GeneModel], chrom: str, pos1: int, n: int) -> str | None:
        for gene, m in models.items():
            if m.chrom == chrom and any(
                e.start0 - 2 < pos1 - 1 + n and pos1 - 1 < e.end + 2 for e in m.exons
            ):
                return gene
        return None

    other = other_build(build)
    fit = build_fit(
        (fits(here, chrom, pos1, n) is not None, (b := fits(there, chrom, pos1, n)) is not None,
         f"line {line}: {chrom}:{pos1} in {b} exons on {other}")
        for line, chrom, pos1, n in records
    )  # fmt: skip
    if fit.other_build_wins:
        raise InputError(
            f"the VCF header states no genome build, and its target-gene records fit {other}, not "
            f"{build}: {fit.only_there} record(s) lie in target-gene exons on {other} only, "
            f"{fit.only_here} on {build} only ({fit.example}); the VCF is of {other} but the "
            f"patient's genome_build is {build}",
            path=path,
            patient=patient,
        )


def check_segment_build(
    segments: Sequence[Segment],
    here: Sequence[GeneSpanLike],
    there: Sequence[GeneSpanLike],
    *,
    build: str,
    path: str | Path,
    patient: str | None = None,
) -> None:
    """Stop when the genes a file names for its segments (CNVkit's ``gene`` column) lie there
    on the other build: the file's coordinates are of ``other``, not the patient's ``build``.

    A segment counts for a build when it overlaps the named gene there and not on the other
    build (a long segment covering the gene on both proves nothing); more segments fitting only
    the other build than only the patient's stop it. Only target genes with a model on both
    builds count; files without gene names pass.
    """
    other = other_build(build)
    spans_here = {g.gene: g for g in here}
    spans_there = {g.gene: g for g in there}

    def named_segments() -> Iterator[tuple[bool, bool, str]]:
        for seg in segments:
            same = normalise_chrom(seg.chrom)
            for gene in sorted(set(seg.genes) & spans_here.keys() & spans_there.keys()):
                a, b = spans_here[gene], spans_there[gene]
                yield (
                    normalise_chrom(a.chrom) == same and seg.start0 < a.end and a.start0 < seg.end,
                    normalise_chrom(b.chrom) == same and seg.start0 < b.end and b.start0 < seg.end,
                    f"line {seg.line}: {gene} at {seg.chrom}:{seg.start0 + 1}-{seg.end}",
                )

    fit = build_fit(named_segments())
    if fit.other_build_wins:
        raise InputError(
            f"the segments fit {other}, not {build}: {fit.only_there} segment(s) naming a target "
            f"gene overlap it on {other} only, {fit.only_here} on {build} only ({fit.example}); "
            f"the copy-number file is of {other} but the patient's genome_build is {build}",
            path=path,
            patient=patient,
        )


def check_fusion_build(
    fusions: Sequence[Fusion],
    models: GeneModels,
    other_models: GeneModels,
    *,
    path: str | Path,
    patient: str | None = None,
) -> None:
    """Stop when the calls' breakpoints fit the genes the caller names on the other build only.

    Each breakpoint with a coordinate and a caller-named gene that has a bundled model on both
    builds is tested: does it lie inside that gene (its transcript span, +/- 10 kb for
    breakpoints just outside it) on the patient's build, and on the other? Where a gene sits at
    nearly the same coordinates on both (FGFR3 at the tip of 4p) a breakpoint proves nothing;
    more breakpoints fitting only the other build than only the patient's means the file is of
    the other build (e.g. a GRCh38
    Arriba file given to a GRCh37 patient, whose EML4-ALK would otherwise be "filtered: the
    3' breakpoint lies after ALK").
    """

    def breakpoints() -> Iterator[tuple[bool, bool, str]]:
        for f in fusions:
            for gene, point in ((f.gene5, f.breakpoint5), (f.gene3, f.breakpoint3)):
                parsed = parse_breakpoint(point)
                a = models.get(gene) if gene else None
                b = other_models.get(gene) if gene else None
                if parsed is None or a is None or b is None:
                    continue
                chrom, pos1 = parsed
                yield (
                    a.overlaps(chrom, pos1 - 1 - _BUILD_SLACK, pos1 + _BUILD_SLACK),
                    b.overlaps(chrom, pos1 - 1 - _BUILD_SLACK, pos1 + _BUILD_SLACK),
                    f"line {f.line}: {gene} breakpoint {point}",
                )

    fit = build_fit(breakpoints())
    if fit.other_build_wins:
        raise InputError(
            f"the fusion calls fit {other_models.build}, not {models.build}: {fit.only_there} "
            f"breakpoint(s) lie in the gene the caller names on {other_models.build} only, "
            f"{fit.only_here} on {models.build} only ({fit.example}); the fusion file is of "
            f"{other_models.build} but the patient's genome_build is {models.build}",
            path=path,
            patient=patient,
        )


_BUILD_SLACK = 10_000


def check_row_build(
    row: Mapping[str, str], build: str, *, path: str, line: int, patient: str
) -> None:
    """Stop when a MAF row's ``NCBI_Build`` names another build than the patient's."""
    stated = row.get("NCBI_Build") or ""
    if not stated:
        return
    try:
        maf_build = normalise_build(stated)
    except ValueError:
        return
    if maf_build != build:
        raise InputError(f"the MAF's NCBI_Build is {stated} but the patient's genome_build "
                         f"is {build}", path=path, line=line, patient=patient)  # fmt: skip
