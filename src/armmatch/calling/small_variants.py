"""Small-variant events from a VCF (annotated or not) or a MAF of one patient.

Positions are ``pos1`` (1-based, as in the VCF). One event per (record, ALT allele, target
gene): an annotated record on the transcript chosen by
:func:`~armmatch.calling.annotations.choose_transcript`, an unannotated one through the
built-in classifier. Records removed by the FILTER, VAF or depth policy are kept as
``filtered`` events with the reason, so that a tumour board can see, for example, a filtered-out
L858R.
"""

from __future__ import annotations

import os
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from armmatch.calling.consequence import classify_variant, reconcile
from armmatch.calling.variant_events import (
    VariantContext,
    builtin_event,
    coordinate_facts,
    keep_classes,
    unreadable_events,
)
from armmatch.errors import InputError
from armmatch.events import Event, Evidence, SourceRecord, assessed
from armmatch.genome import (
    normalise_build,
    normalise_chrom,
    other_build,
)
from armmatch.hgvs import alteration_words, is_protein_change
from armmatch.io import sha256_file
from armmatch.knowledge.hotspots import Hotspot, default_hotspots_path, load_hotspots
from armmatch.knowledge.transcripts import GeneModel, GeneModels, gene_models
from armmatch.readers.vcf import header_annotation
from armmatch.readers.vcf_text import (
    PARALLEL_INFLATE_BYTES,
    Picks,
    VcfText,
    scan_vcf_text,
    vcf_header_text,
)

if TYPE_CHECKING:
    from armmatch.calling.reference import SequenceSource
from armmatch.calling.annotations import CLASS_ORDER, choose_transcript, classify
from armmatch.calling.builds import check_exon_build
from armmatch.calling.maf_events import read_maf
from armmatch.calling.reference import ref_mismatch, sequence_for
from armmatch.calling.support import (
    check_vaf,
    event_status,
    filter_reason,
    mixed_support,
    support_problem,
)
from armmatch.config import SmallVariantPolicy
from armmatch.readers.bgzf import is_bgzf, usable_threads
from armmatch.readers.maf import is_maf
from armmatch.readers.snpeff_ann import parse_ann
from armmatch.readers.vcf import (
    Region,
    all_records,
    allele_support,
    check_build,
    check_index_fresh,
    check_small_variant_vcf,
    declare_contigs,
    find_index,
    header_builds,
    indexed_records,
    info_value,
    number_value,
    open_cyvcf2,
    open_lines,
    open_selected,
    region_spans,
    select_sample,
    selected_records,
    symbol_pattern,
    tabix_lines,
    unnumbered_records,
)
from armmatch.readers.vcf_records import record_problem
from armmatch.readers.vep_csq import parse_csq, vep_alleles

"""Classes that no rule can fire on; such records are counted, not listed."""
"""SnpEff ``Annotation`` terms that differ from VEP's SO terms (others are shared)."""


def check_ref(
    reference: SequenceSource | None,
    variant: Any,
    *,
    path: str,
    line: int | None,
    patient: str,
) -> None:
    """Stop when the record's REF differs from the reference (the FASTA, or the bundled loci
    where the record lies in one): the file is of the other build, or not what it says."""
    pos, ref = int(variant.POS), str(variant.REF)
    reference = sequence_for(reference, normalise_chrom(variant.CHROM), pos - 1, pos - 1 + len(ref))
    if reference is None:
        return
    problem = ref_mismatch(reference, str(variant.CHROM), pos, ref)
    if problem is not None:
        raise InputError(problem, path=path, line=line, patient=patient)


def iter_target_events(
    vcf: Any,
    *,
    path: str,
    sample_index: int | None,
    context: VariantContext,
    records: Iterable[tuple[int | None, Any]] | None = None,
) -> Iterator[Event]:
    """Yield one event per (record, ALT, target gene) with a protein-level or splice class.

    A VCF without a VEP ``CSQ`` header is classified by the built-in classifier
    (:mod:`armmatch.calling.consequence`) on ``models`` (the bundled transcripts of the target genes).
    With a ``reference`` the REF of every target-gene record is checked against it and the
    built-in classification is codon-level (:mod:`armmatch.calling.reference`).

    ``records`` (``(line, record)`` pairs, line None when unknown) replaces iterating ``vcf``:
    :func:`read_small_variants` passes only the records of the target regions.
    """
    c = context
    patient, genes, preferred, policy = c.patient, c.genes, c.preferred, c.policy
    models, hotspots, reference, intronic_reach = (
        c.models,
        c.hotspots,
        c.reference,
        c.intronic_reach,
    )
    annotation = header_annotation(vcf.raw_header)
    ann = annotation is not None and annotation.field == "ANN"
    names = annotation.fields if annotation is not None else None
    if names is None:
        if models is None:
            raise InputError(
                "the VCF has no VEP CSQ annotation (no ##INFO=<ID=CSQ> header line) and no "
                "transcript models were given for the built-in classifier",
                path=path,
                patient=patient,
            )
        yield from iter_builtin_events(
            vcf,
            path=path,
            patient=patient,
            models={g: m for g, m in models.items() if g in set(genes)},
            hotspots=hotspots or {},
            sample_index=sample_index,
            policy=policy,
            reference=reference,
            records=records,
            intronic_reach=intronic_reach,
        )
        return
    for needed in ("Allele", "Consequence", "SYMBOL", "Feature"):
        if needed not in names:
            raise InputError(f"the CSQ header has no {needed} field", path=path, patient=patient)
    wanted = set(genes)
    for line, variant in all_records(vcf, path, patient) if records is None else records:
        csq = info_value(variant, "ANN" if ann else "CSQ")
        if not csq:
            continue
        try:
            entries = parse_ann(csq, list(variant.ALT)) if ann else parse_csq(csq, names)
        except ValueError as exc:
            raise InputError(str(exc), path=path, line=line, patient=patient) from None
        entries = [e for e in entries if e.get("SYMBOL") in wanted]
        if not entries:
            continue
        if (problem := record_problem(variant)) is not None:
            genes_here = sorted({str(e.get("SYMBOL")) for e in entries})
            yield from unreadable_events(genes_here, variant, problem, path=path, line=line)
            continue
        check_ref(reference, variant, path=path, line=line, patient=patient)
        alts = list(variant.ALT)
        vep = vep_alleles(variant.REF, alts)
        for alt_index, alt in enumerate(alts):
            mine = [
                e
                for e in entries
                if (e.get("ALLELE_NUM") == str(alt_index + 1))
                or (not e.get("ALLELE_NUM") and e.get("Allele") == vep[alt_index])
            ]
            for gene in sorted({e.get("SYMBOL") for e in mine}):
                chosen, why = choose_transcript(
                    [e for e in mine if e.get("SYMBOL") == gene], preferred.get(gene, ())
                )
                hgvsp = chosen.get("HGVSp") or None
                classes = classify(chosen.get("Consequence"), hgvsp)
                exon, intron = number_value(chosen.get("EXON")), number_value(chosen.get("INTRON"))
                extra_notes: list[str] = []
                model = models.get(gene) if models is not None else None
                rec = None
                if model is not None:
                    chrom_ = normalise_chrom(variant.CHROM)
                    pos_ = int(variant.POS)
                    calls = classify_variant(
                        {gene: model},
                        chrom_,
                        pos_,
                        variant.REF,
                        alt,
                        hotspots or {},
                        sequence_for(reference, chrom_, pos_ - 1 - _ALIGN_SLACK,
                                     pos_ + len(variant.REF) + _ALIGN_SLACK),
                        intronic_reach,
                    )  # fmt: skip
                    rec = reconcile(
                        classes,
                        exon,
                        intron,
                        annotation_on_bundled=why.startswith("bundled transcript"),
                        calls=calls,
                    )
                    classes = [c for c in CLASS_ORDER if c in rec.classes]
                    exon, intron = rec.exon, rec.intron
                    if rec.note:
                        extra_notes.append(rec.note)
                    named = next((c for c in calls if c.status == "called" and c.hgvsp), None)
                    if not is_protein_change(hgvsp) and named is not None:
                        hgvsp = named.hgvsp
                        extra_notes.append(
                            f"protein change {named.hgvsp} from the built-in classifier (the "
                            "annotation gives none)"
                        )
                if not keep_classes(classes, rec.splice_offset if rec else None):
                    continue
                vaf, depth, how = allele_support(variant, sample_index, alt_index)
                check_vaf(vaf, how, path=path, line=line, patient=patient)
                status, reason = event_status(
                    filter_reason(variant.FILTER, vaf, depth, policy),
                    support_problem(vaf, depth, policy),
                )
                alteration = alteration_words(
                    hgvsp, chosen.get("HGVSc").rsplit(":", 1)[-1], chosen.get("Consequence")
                )
                notes = [f"transcript: {why}", f"VAF/depth from {how}", *extra_notes]
                chrom = normalise_chrom(variant.CHROM)
                yield Event(
                    gene=gene,
                    category="mutation",
                    alteration=alteration,
                    source=SourceRecord(
                        path, line, f"{variant.CHROM}:{variant.POS} {variant.REF}>{alt}"
                    ),
                    status=status,
                    status_reason=reason,
                    chrom=chrom,
                    pos1=int(variant.POS),
                    ref=variant.REF,
                    alt=alt,
                    transcript=chosen.get("Feature") or None,
                    exon=exon,
                    intron=intron,
                    hgvsc=chosen.get("HGVSc") or None,
                    hgvsp=hgvsp,
                    variant_class="&".join(classes),
                    consequence=chosen.get("Consequence") or None,
                    **coordinate_facts(rec, hgvsp),
                    vaf=round(vaf, 4) if vaf is not None else None,
                    depth=depth,
                    origin="somatic",
                    notes=tuple(notes),
                )


_NEAR = 10_000
"""Models this far from a record are not asked to classify it (they cannot call it)."""
_ALIGN_SLACK = 200
"""How far a sequence may move an indel when it left-aligns it (a repeat's length): records
this much farther from every exon are still classified when there is a sequence."""
_EXON_SLACK = 10
"""Without a reference (no left-alignment), the built-in classifier calls nothing on an allele
more than 8 bases from every exon (splice region: intron 3-8), nor beyond a gene's intronic
reach: such records are skipped."""


def _near_exon(
    exons: tuple[list[int], list[int]], start0: int, end: int, slack: int = _EXON_SLACK
) -> bool:
    """Whether ``[start0, end)`` comes within ``slack`` of one of the (sorted) exons."""
    starts, ends = exons
    i = bisect_left(starts, end + slack) - 1
    return i >= 0 and ends[i] > start0 - slack


def _union(exon_sets: Iterable[tuple[list[int], list[int]]]) -> tuple[list[int], list[int]]:
    """The union of several sorted exon lists, merged (so that its ends rise with its starts)."""
    merged: list[list[int]] = []
    for start0, end in sorted(
        p for starts, ends in exon_sets for p in zip(starts, ends, strict=True)
    ):
        if merged and start0 <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start0, end])
    return [s for s, _ in merged], [e for _, e in merged]


def iter_builtin_events(
    vcf: Any,
    *,
    path: str,
    patient: str,
    models: Mapping[str, GeneModel],
    hotspots: Mapping[str, Sequence[Hotspot]],
    sample_index: int | None,
    policy: SmallVariantPolicy,
    origin: Literal["somatic", "germline"] = "somatic",
    reference: SequenceSource | None = None,
    records: Iterable[tuple[int | None, Any]] | None = None,
    intronic_reach: Mapping[str, int] | None = None,
) -> Iterator[Event]:
    """Events of an unannotated VCF, classified on the bundled transcript models.

    With a ``reference``: REF checked (:class:`InputError` on a mismatch), indels left-aligned,
    codon-level consequences and HGVS p. ``records``: as for :func:`iter_target_events`.
    """
    spans: dict[str, list[tuple[str, int, int]]] = {}
    for g, m in sorted(models.items()):
        spans.setdefault(m.chrom, []).append((g, m.tx_start0, m.tx_end))
    exons = {
        g: ([x.start0 for x in m.exons_genomic], [x.end for x in m.exons_genomic])
        for g, m in models.items()
    }
    # without a reference, a record must come near an exon of some model: one bisect over the
    # union of every model's exons on its chromosome turns the (many) intronic records away
    union = {c: _union(exons[g] for g, _, _ in mine) for c, mine in spans.items()}
    reach = dict(intronic_reach or {})
    slack = {g: max(_EXON_SLACK, reach.get(g, 0) + 1) for g in models}
    widest = {c: max(slack[g] for g, _, _ in mine) for c, mine in spans.items()}
    chroms: dict[str, str] = {}
    for line, variant in all_records(vcf, path, patient) if records is None else records:
        raw_chrom = variant.CHROM
        chrom = chroms.get(raw_chrom) or chroms.setdefault(raw_chrom, normalise_chrom(raw_chrom))
        mine = spans.get(chrom)
        if not mine:
            continue
        pos = int(variant.POS)
        end = pos + len(variant.REF)
        # (a sequence left-aligns an indel: a wider margin, the same prefilter)
        margin = widest[chrom] + (_ALIGN_SLACK if reference is not None else 0)
        if not _near_exon(union[chrom], pos - 1, end - 1, margin):
            continue
        if not any(s - 1 <= end and pos <= e + 1 for _, s, e in mine):
            continue
        # classify on the models near the record only (an allele is called on a model only
        # when it touches the transcript; the slack covers left-alignment with a reference)
        near = {
            g: models[g]
            for g, s, e in mine
            if s - _NEAR <= end
            and pos <= e + _NEAR
            and _near_exon(exons[g], pos - 1, end - 1,
                           slack[g] + (_ALIGN_SLACK if reference is not None else 0))
        }  # fmt: skip
        if not near:
            continue  # deep intron or UTR-free flank of every model: nothing to call
        if (problem := record_problem(variant)) is not None:
            yield from unreadable_events(sorted(near), variant, problem, path=path, line=line)
            continue
        check_ref(reference, variant, path=path, line=line, patient=patient)
        here = sequence_for(reference, chrom, pos - 1 - _ALIGN_SLACK, end + _ALIGN_SLACK)
        for alt_index, alt in enumerate(variant.ALT):
            calls = classify_variant(near, chrom, pos, variant.REF, alt, hotspots, here, reach)
            if not calls:
                continue
            vaf, depth, how = allele_support(variant, sample_index, alt_index)
            check_vaf(vaf, how, path=path, line=line, patient=patient)
            reason = filter_reason(variant.FILTER, vaf, depth, policy)
            support = support_problem(vaf, depth, policy)
            for call in calls:
                yield builtin_event(
                    call, variant.CHROM, pos, variant.REF, alt, path=path, line=line, vaf=vaf,
                    depth=depth, how=how, filter_reason=reason, origin=origin, support=support,
                )  # fmt: skip


@cache
def _bundled_map(build: str) -> dict[str, GeneModel]:
    models = gene_models(normalise_build(build))
    return {g: m for g in models.genes() if (m := models.get(g)) is not None}


def _model_map(models: GeneModels | None, build: str) -> dict[str, GeneModel]:
    if models is None:
        return dict(_bundled_map(build))
    return {g: m for g in models.genes() if (m := models.get(g)) is not None}


DEFAULT_REGION_MARGIN = 10_000
"""Default widening of each target gene's transcript span (VEP's upstream/downstream calls);
the pipeline passes its ``COORDINATE_MARGIN``."""
"""``(chrom without chr, start0, end)``: 0-based half-open."""


def target_regions(
    model_sets: Iterable[Mapping[str, GeneModel] | GeneModels], genes: Iterable[str], margin: int
) -> list[Region]:
    """Merged, sorted regions covering each gene's transcript span +/- ``margin`` in every set.

    >>> from armmatch.run.pipeline import gene_models
    >>> target_regions([gene_models("GRCh38")], ["BRAF"], 10_000)
    [('7', 140724012, 140934764)]
    """
    spans: list[Region] = []
    wanted = list(genes)
    for models in model_sets:
        for g in wanted:
            m = models.get(g)
            if m is not None:
                spans.append((m.chrom, max(0, m.tx_start0 - margin), m.tx_end + margin))
    merged: list[Region] = []
    for chrom, start0, end in sorted(spans):
        if merged and merged[-1][0] == chrom and start0 <= merged[-1][2]:
            merged[-1] = (chrom, merged[-1][1], max(end, merged[-1][2]))
        else:
            merged.append((chrom, start0, end))
    return merged


def uses_worker_threads(path: str, index_min_bytes: int) -> bool:
    """Whether reading the VCF at ``path`` puts a second thread to work: a bgzip file of
    :data:`armmatch.readers.vcf_text.PARALLEL_INFLATE_BYTES` or more that is streamed (no
    index, or smaller than ``index_min_bytes``), its blocks inflated beside the text checks.
    (Its checksum, made by a block job's fingerprint before the reading, is not one.)"""
    try:
        size = os.path.getsize(path)
        if size < PARALLEL_INFLATE_BYTES or not is_bgzf(path):
            return False
        return find_index(path) is None or size < index_min_bytes
    except OSError:
        return False


THREADED_CHECKSUM_BYTES = 8 << 20
"""From this size on, a VCF's checksum is computed in a second thread while it is read (when
the job may use two: :func:`armmatch.readers.bgzf.job_threads`)."""


def read_small_variants(
    path: str,
    *,
    patient: str,
    build: str,
    genes: Sequence[str],
    preferred: Mapping[str, Sequence[str]],
    vcf_sample: str | None,
    policy: SmallVariantPolicy,
    models: GeneModels | None = None,
    reference: SequenceSource | None = None,
    region_margin: int = DEFAULT_REGION_MARGIN,
    other_models: GeneModels | None = None,
    hotspots: str | Path | None = None,
    intronic_reach: Mapping[str, int] | None = None,
    germline: bool = False,
) -> Evidence:
    """Read a VCF for one patient into :class:`Evidence`.

    ``germline``: the file is the patient's germline VCF and ``vcf_sample`` its germline sample
    (a tumour VCF's sample may not be the one the VCF names as its normal; see
    :func:`armmatch.readers.vcf.select_sample`).

    ``intronic_reach`` (gene -> bases, from :meth:`armmatch.knowledge.rule_table.RuleSet.intronic_reach`):
    how far into an intron changes are still listed, for the rules' ``offset`` windows.

    ``reference`` (the configured ``reference_fasta``, see :mod:`armmatch.calling.reference`) turns on
    the REF check and codon-level built-in classification; MAF input does not use it.

    VEP ``CSQ`` or SnpEff ``ANN`` annotation is used when present; otherwise the built-in
    classifier runs on ``models`` (default: the bundled transcript models of ``build``). A MAF
    (recognised by its header row) is read by :func:`armmatch.calling.maf_events.read_maf` instead.

    Only the target regions are read: each target gene's transcript span +/- ``region_margin``
    on ``build`` and on the other build (``other_models``, default the bundled ones), so that a
    record placed where the other build puts the gene is still read and reported as a build
    mismatch. A bgzipped VCF with a tabix/CSI index (or an indexed BCF) is read through the
    index (records cited without a line number: finding it would take a full pass); any other
    file in one pass that checks the text (:func:`armmatch.readers.vcf_text.scan_vcf_text`) and picks the
    records reaching into the regions, which alone htslib then parses, with exact line
    numbers. In an annotated VCF, a record outside the regions whose text names a target gene
    as a CSQ/ANN field is picked too (so that a target-gene annotation at another position
    still stops the run).

    Raises
    ------
    InputError
        Unreadable VCF, a header that states another build, a missing tumour sample,
        a missing or malformed CSQ annotation, an index older than the VCF.
    """

    hotspots_path = Path(hotspots or default_hotspots_path())
    if Path(path).is_file() and is_maf(path):
        context = VariantContext(
            patient=patient, genes=genes, preferred=preferred, policy=policy,
            models=_model_map(models, build), hotspots=load_hotspots(hotspots_path),
            intronic_reach=intronic_reach,
        )  # fmt: skip
        evidence = read_maf(path, build=build, sample=vcf_sample, context=context)
        evidence.events = mixed_support(evidence.events, policy)
        return evidence
    if not Path(path).is_file():
        raise InputError("VCF does not exist", path=path, patient=patient)
    check_small_variant_vcf(path, patient=patient)
    read = partial(
        _read_vcf, path, patient=patient, build=build, genes=genes, preferred=preferred,
        vcf_sample=vcf_sample, policy=policy, models=models, reference=reference,
        region_margin=region_margin, other_models=other_models, hotspots=hotspots_path,
        intronic_reach=intronic_reach, germline=germline,
    )  # fmt: skip
    # a panel VCF (a thread costs more than it saves), or a job allowed one thread
    if os.path.getsize(path) < THREADED_CHECKSUM_BYTES or usable_threads() < 2:
        evidence = read()
        evidence.events = mixed_support(evidence.events, policy)
        evidence.inputs = {path: sha256_file(path)}
        return evidence
    # The provenance checksum reads the whole file while the records are read: hashlib and
    # file reads release the GIL, so on a second core the checksum of an indexed whole genome
    # no longer adds to the region reading (measured: 0.19 -> 0.15 s at 5M records).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="armmatch-sha256") as pool:
        checksum = pool.submit(sha256_file, path)
        evidence = read()
        evidence.inputs = {path: checksum.result()}
    evidence.events = mixed_support(evidence.events, policy)
    return evidence


def _read_vcf(
    path: str,
    *,
    patient: str,
    build: str,
    genes: Sequence[str],
    preferred: Mapping[str, Sequence[str]],
    vcf_sample: str | None,
    policy: SmallVariantPolicy,
    models: GeneModels | None,
    reference: SequenceSource | None,
    region_margin: int,
    other_models: GeneModels | None,
    hotspots: Path,
    intronic_reach: Mapping[str, int] | None = None,
    germline: bool = False,
) -> Evidence:
    """:func:`read_small_variants` of a VCF/BCF, without the checksum of the input."""
    model_map = _model_map(models, build)
    other = other_build(build)
    other_map = _model_map(other_models, other)
    # every target gene needs a model to have a region; else every record is read
    have_regions = all(g in model_map or g in other_map for g in genes)
    # an annotated record is read in both builds' regions (one placed where the other build
    # puts its gene is a build mismatch, see pipeline.check_coordinates); the built-in
    # classifier uses this build's models only
    both = [model_map, other_map]
    stack = ExitStack()  # the temporary file of the streamed records' lines
    index = find_index(path)
    reason = f"small variants read from {path}"
    records: Iterable[tuple[int | None, Any]]
    regions: list[Region] | None = None
    annotated = False

    def regions_of(annotated: bool, no_build: bool) -> list[Region] | None:
        chosen = both if annotated or no_build else [model_map]
        return target_regions(chosen, genes, region_margin) if have_regions else None

    plan = _StreamPlan(genes=genes, regions_of=regions_of, path=path, patient=patient)
    if index is not None and have_regions and os.path.getsize(path) >= policy.index_min_bytes:
        check_index_fresh(path, index, patient=patient)
        header = scan_vcf_text(path, patient=patient, header_only=True)
        if header is None:  # an indexed BCF: cyvcf2's region queries (its header has no index)
            vcf = open_cyvcf2(path, patient)
            raw = vcf.raw_header
            annotated = header_annotation(raw) is not None
            regions = regions_of(annotated, not header_builds(raw)) or []
            records = indexed_records(vcf, regions, path=path, patient=patient)
        else:  # text: htslib's tabix queries, then the records read as the streamed ones are
            plan(header)
            annotated, regions = plan.annotated, plan.regions or []
            found = tabix_lines(path, index, regions, patient=patient)
            head = declare_contigs(header.header_bytes, header.contigs, found.contigs)
            vcf = open_lines(head, found.lines, stack, path=path, patient=patient)
            records = unnumbered_records(vcf, len(found.lines), path=path, patient=patient)
        kind = "tabix" if index.endswith(".tbi") else "CSI"
        reason += f" (target regions through its {kind} index)"
    else:
        text = scan_vcf_text(path, patient=patient, configure=plan)
        annotated, regions = plan.annotated, plan.regions
        if text is None or regions is None:  # BCF (htslib checks it), or no regions: all
            vcf = open_cyvcf2(path, patient)
            records = all_records(vcf, path, patient)
        else:
            vcf = open_selected(text, stack, path=path, patient=patient)
            records = selected_records(vcf, text, plan.spans, path=path, patient=patient)
    tally: list[tuple[int | None, str, int, int]] = []
    if not header_builds(vcf.raw_header) and not annotated:
        records = _tallied(records, tally)
    try:
        check_build(vcf.raw_header, build, path=path, patient=patient)
        sample_index, chosen = select_sample(vcf.samples, vcf_sample, path=path, patient=patient,
                                             raw_header=vcf.raw_header, tumour=not germline)  # fmt: skip
        if chosen:
            reason += f"; {chosen}"
        events = list(
            iter_target_events(
                vcf,
                path=path,
                sample_index=sample_index,
                records=records,
                context=VariantContext(
                    patient=patient,
                    genes=genes,
                    preferred=preferred,
                    policy=policy,
                    models=model_map,
                    hotspots=load_hotspots(hotspots),
                    reference=reference,
                    intronic_reach=intronic_reach,
                ),
            )  # fmt: skip
        )
    finally:
        vcf.close()
        stack.close()
    if tally:
        check_exon_build(tally, model_map, other_map, build=build, path=path, patient=patient)
    return Evidence(events=events, assessments=assessed(genes, "mutation", reason))


@dataclass
class _StreamPlan:
    """What a streamed VCF's header decides, once the text pass has read it: annotated or
    not, the target regions (``regions_of(annotated, no_build)``) and so the records picked."""

    genes: Sequence[str]
    regions_of: Callable[[bool, bool], list[Region] | None]
    path: str
    patient: str
    annotated: bool = False
    regions: list[Region] | None = None
    spans: dict[str, tuple[list[int], list[int]]] = field(default_factory=dict)

    def __call__(self, header: VcfText) -> Picks:
        annotation = header_annotation(header.header_text)
        self.annotated = annotation is not None
        no_build = not header_builds(vcf_header_text(self.path, patient=self.patient))
        self.regions = self.regions_of(self.annotated, no_build)
        if self.regions is None:
            return None, None
        spans = self.spans = region_spans(self.regions)
        mark = None
        if annotation is not None:
            mark = symbol_pattern(self.genes, first_field=annotation.fields[:1] == ["SYMBOL"])
        return mark, lambda name: spans.get(normalise_chrom(name))


def _tallied(
    records: Iterable[tuple[int | None, Any]], tally: list[tuple[int | None, str, int, int]]
) -> Iterator[tuple[int | None, Any]]:
    """The records, each noted as ``(line, chrom, pos1, len(REF))`` in ``tally``."""
    for line, variant in records:
        tally.append((line, normalise_chrom(variant.CHROM), int(variant.POS), len(variant.REF)))
        yield line, variant
