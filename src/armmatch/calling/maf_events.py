"""Reading small variants from a MAF (``vcf2maf`` output) into :class:`~armmatch.events.Event`.

A MAF is accepted wherever a VCF is (the sample sheet's ``vcf`` column); it is recognised by its
header row (``Hugo_Symbol``, ``Chromosome``, ``Start_Position`` ...), not by its name.

Transcript choice: the row's ``Transcript_ID`` when it is the gene's bundled transcript; else the
bundled transcript's entry in ``all_effects`` (vcf2maf writes every transcript's consequence and
HGVSp there); else the row as written, with a note. This avoids the isoform trap of MET
(p.D1010H on the bundled NM_000245 / ENST00000397752 versus p.D1028H on ENST00000318493).
Exon numbers come from the bundled transcript model whenever the MAF's transcript is another one.

Rows as real annotators write them:

* no (or an empty) ``HGVSp_Short``/``HGVSp``, or a protein field that names no protein change
  (genome-nexus/vcf2maf ``p.X762_splice``; ``p.*927*`` is a retained stop, never a stop gain):
  the alleles and coordinates are classified by the built-in classifier, exactly as the same
  variant in an unannotated VCF;
* a deletion that starts in an intron and ends in an exon: its whole span is classified;
* OncoKB-annotator style rows with ``Hugo_Symbol`` and a protein change but no usable position
  or alleles: read at protein level (the exon from the codon on the bundled transcript); the
  event says that no genomic check was possible. A row with neither is an input error;
* VAF/depth from ``t_alt_count``/``t_depth``; without them the event is ``indeterminate: VAF
  unknown`` unless ``small_variants.accept_unknown_vaf`` is set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from armmatch.calling.alleles import Allele
from armmatch.calling.annotations import CLASS_ORDER, classify
from armmatch.calling.builds import check_row_build
from armmatch.calling.consequence import classify_on_models, exon_of_codon, reconcile
from armmatch.calling.support import check_vaf, event_status, filter_reason, support_problem
from armmatch.calling.variant_events import (
    VariantContext,
    builtin_event,
    coordinate_facts,
    keep_classes,
)
from armmatch.config import SmallVariantPolicy
from armmatch.errors import InputError
from armmatch.events import Event, Evidence, SourceRecord, assessed
from armmatch.genome import normalise_chrom
from armmatch.hgvs import alteration_words, is_protein_change, parse_protein_change, unversioned
from armmatch.io import sha256_file
from armmatch.knowledge.hotspots import Hotspot
from armmatch.knowledge.transcripts import GeneModel
from armmatch.readers.maf import PROTEIN_COLUMNS, read_maf_rows

"""Where MAF-like tables put the protein change (vcf2maf, genome-nexus, OncoKB annotator)."""
PROTEIN_KIND_CLASS = {
    "substitution": "missense", "nonsense": "stop_gained", "frameshift": "frameshift",
    "deletion": "inframe_deletion", "insertion": "inframe_insertion",
    "duplication": "inframe_insertion", "delins": "inframe_delins", "synonymous": "synonymous",
    "start_lost": "start_lost", "extension": "stop_lost",
}  # fmt: skip

VARIANT_CLASSIFICATION_SO: dict[str, str] = {
    "Missense_Mutation": "missense_variant",
    "Nonsense_Mutation": "stop_gained",
    "Frame_Shift_Del": "frameshift_variant",
    "Frame_Shift_Ins": "frameshift_variant",
    "In_Frame_Del": "inframe_deletion",
    "In_Frame_Ins": "inframe_insertion",
    "Splice_Region": "splice_region_variant",
    "Silent": "synonymous_variant",
    "Translation_Start_Site": "start_lost",
    "Nonstop_Mutation": "stop_lost",
    "3'UTR": "3_prime_UTR_variant",
    "5'UTR": "5_prime_UTR_variant",
    "3'Flank": "downstream_gene_variant",
    "5'Flank": "upstream_gene_variant",
    "Intron": "intron_variant",
}
"""MAF ``Variant_Classification`` to SO terms, used only when the MAF has no ``Consequence``
column. ``Splice_Site`` is left to the built-in classifier (donor or acceptor by position)."""


_BASES = frozenset("ACGTN")


def _maf_allele(row: Mapping[str, str], *, path: str, line: int, patient: str) -> Allele | None:
    """The MAF allele in armmatch terms (MAF writes ``-`` for the empty side of an indel), or
    None when the row gives no usable position or alleles (empty cells).

    Raises
    ------
    InputError
        A position that is not a whole number, or alleles that are not bases.
    """
    start_text = (row.get("Start_Position") or "").strip()
    ref_text = (row.get("Reference_Allele") or "").strip().upper()
    alt_text = (row.get("Tumor_Seq_Allele2") or "").strip().upper()
    allele1 = (row.get("Tumor_Seq_Allele1") or "").strip().upper()
    if alt_text == ref_text and allele1:
        alt_text = allele1
    if not start_text or not ref_text or not alt_text or not (row.get("Chromosome") or "").strip():
        return None
    if not start_text.isdigit() or int(start_text) < 1:
        raise InputError(f"Start_Position {start_text!r} is not a position (a whole number >= 1)",
                         path=path, line=line, patient=patient)  # fmt: skip
    ref, alt = ref_text.replace("-", ""), alt_text.replace("-", "")
    if not set(ref) <= _BASES or not set(alt) <= _BASES or ref == alt:
        raise InputError(f"alleles {ref_text}>{alt_text} are not a change of bases (A, C, G, T, "
                         "N or - for the empty side)", path=path, line=line, patient=patient)  # fmt: skip
    start = int(start_text)
    if not ref:  # insertion: Start_Position is the base before the inserted bases
        return Allele(start + 1, "", alt)
    return Allele(start, ref, alt)


def _protein_text(row: Mapping[str, str]) -> str:
    for col in PROTEIN_COLUMNS:
        text = (row.get(col) or "").strip()
        if text and text not in (".", "NA"):
            return text if ":" in text or text.startswith("p.") else f"p.{text}"
    return ""


def _consequence(row: Mapping[str, str]) -> str:
    """The row's SO terms (``Consequence``, else from ``Variant_Classification``)."""
    consequence = (row.get("Consequence") or "").replace(",", "&")
    return consequence or VARIANT_CLASSIFICATION_SO.get(row.get("Variant_Classification") or "", "")


def _choose(row: Mapping[str, str], preferred: Sequence[str]) -> tuple[str, str, str, str, bool]:
    """(transcript, consequence, hgvsp, why, on_bundled) for a MAF row."""
    want = {unversioned(p) for p in preferred}
    tx = row.get("Transcript_ID") or ""
    refseq = {unversioned(x) for x in (row.get("RefSeq") or "").split(",") if x}
    consequence = _consequence(row)
    hgvsp = _protein_text(row)
    if unversioned(tx) in want or refseq & want:
        return tx, consequence, hgvsp, f"bundled transcript {tx}", True
    for effect in (row.get("all_effects") or "").split(";"):
        parts = effect.split(",")
        if len(parts) >= 4 and parts[0] == row["Hugo_Symbol"] and unversioned(parts[3]) in want:
            why = f"bundled transcript {parts[3]} (from all_effects; the MAF row is on {tx})"
            return parts[3], parts[1].replace(",", "&"), parts[2], why, True
    return tx, consequence, hgvsp, f"MAF transcript {tx} (bundled transcript not in the MAF)", False


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None and text not in ("", ".") else None
    except ValueError:
        return None


def read_maf(path: str, *, build: str, sample: str | None, context: VariantContext) -> Evidence:
    """Read a vcf2maf MAF (or an OncoKB-annotator style table) for one patient into
    :class:`Evidence`.

    Raises
    ------
    InputError
        A missing required column, an ``NCBI_Build`` other than the patient's, several tumour
        barcodes and no ``vcf_sample``, a ``vcf_sample`` not in the MAF, a malformed position or
        allele, a target-gene row with neither alleles nor a protein change.
    """
    c = context
    patient, genes, preferred, policy = c.patient, c.genes, c.preferred, c.policy
    models, hotspots, intronic_reach = c.models or {}, c.hotspots, c.intronic_reach
    rows = read_maf_rows(path, patient=patient, sample=sample)
    wanted = set(genes)
    events: list[Event] = []
    protein_only = 0
    for line, row in rows:
        check_row_build(row, build, path=path, line=line, patient=patient)
        gene = row.get("Hugo_Symbol") or ""
        if gene not in wanted:
            continue
        allele = _maf_allele(row, path=path, line=line, patient=patient)
        model = models.get(gene)
        if allele is None:
            event = _protein_level_event(row, gene, model, path=path, line=line, patient=patient,
                                         policy=policy)  # fmt: skip
            protein_only += 1
            if event is not None:
                events.append(event)
            continue
        events.extend(
            _row_events(
                row,
                gene,
                allele,
                model,
                preferred.get(gene, ()),
                hotspots,
                intronic_reach,
                path=path,
                line=line,
                policy=policy,
                patient=patient,
            )  # fmt: skip
        )
    reason = f"small variants read from MAF {path}"
    if protein_only:
        reason += f" ({protein_only} target-gene row(s) at protein level only)"
    return Evidence(
        events=events,
        assessments=assessed(genes, "mutation", reason),
        inputs={path: sha256_file(path)},
    )


MAF_VAF_COLUMNS = ("t_vaf", "tumor_f", "Tumor_VAF", "tumor_vaf", "VAF", "AF", "Tumor_VAF_median")
"""Columns that tools write a tumour allele fraction under (GATK's ``tumor_f``, PCGR's
``t_vaf``, ...), read when the row gives no ``t_alt_count``/``t_depth``."""


def _support(
    row: Mapping[str, str], *, path: str, line: int, patient: str, column: str | None = None
) -> tuple[float | None, int | None, str]:
    """VAF, depth and where they came from: ``t_alt_count``/``t_depth`` (or ``t_ref_count``),
    else ``column`` (``small_variants.maf_vaf_column``), else the one allele-fraction column of
    :data:`MAF_VAF_COLUMNS` the row fills (several that disagree stop the patient)."""
    depth, alt_count = _int(row.get("t_depth")), _int(row.get("t_alt_count"))
    ref_count = _int(row.get("t_ref_count"))
    if depth == 0 and alt_count is None and ref_count is None:
        depth = None  # t_depth 0 with empty allele counts: not given, not a depth of 0
    if depth is None and alt_count is not None and ref_count is not None:
        depth = alt_count + ref_count
    vaf = alt_count / depth if depth and alt_count is not None else None
    if vaf is not None:
        return vaf, depth, "MAF t_alt_count/t_depth"
    names = (column,) if column else MAF_VAF_COLUMNS
    given = {c: row[c].strip() for c in names
             if (row.get(c) or "").strip() not in ("", ".", "NA")}  # fmt: skip
    values = {c: _fraction(v) for c, v in given.items()}
    readable = {c: v for c, v in values.items() if v is not None}
    if len({round(v, 6) for v in readable.values()}) > 1:
        raise InputError(
            "the row gives different allele fractions in "
            + ", ".join(f"{c}={given[c]}" for c in readable)
            + ": name the one to use in small_variants.maf_vaf_column",
            path=path, line=line, patient=patient,
        )  # fmt: skip
    if readable:
        used, value = next(iter(readable.items()))
        check_vaf(value, f"MAF {used}", path=path, line=line, patient=patient)
        return value, depth, f"MAF {used}"
    how = "MAF t_depth (no t_alt_count)" if depth is not None else "not reported"
    return None, depth, how


def _fraction(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _record(row: Mapping[str, str]) -> str:
    return (f"{row.get('Chromosome') or '?'}:{row.get('Start_Position') or '?'} "
            f"{row.get('Reference_Allele') or '?'}>{row.get('Tumor_Seq_Allele2') or '?'}")  # fmt: skip


def _row_events(
    row: Mapping[str, str],
    gene: str,
    allele: Allele,
    model: GeneModel | None,
    preferred: Sequence[str],
    hotspots: Mapping[str, Sequence[Hotspot]],
    intronic_reach: Mapping[str, int] | None,
    *,
    path: str,
    line: int,
    policy: SmallVariantPolicy,
    patient: str = "",
) -> list[Event]:
    """The events of one MAF row with a position and alleles."""
    tx, consequence, hgvsp, why, bundled = _choose(row, preferred)
    chrom = normalise_chrom(row.get("Chromosome") or "")
    vaf, depth, how = _support(row, path=path, line=line, patient=patient,
                               column=policy.maf_vaf_column)  # fmt: skip
    reason = filter_reason(row.get("FILTER"), vaf, depth, policy)
    support = support_problem(vaf, depth, policy)
    calls = (
        classify_on_models({gene: model}, chrom, allele, hotspots, None, intronic_reach)
        if model is not None
        else []
    )
    ref, alt = row.get("Reference_Allele") or "", row.get("Tumor_Seq_Allele2") or ""
    pos1 = int(row.get("Start_Position") or 0)
    if hgvsp and not is_protein_change(hgvsp) and calls:
        # p.X762_splice and the like: no protein change; the coordinates decide, as in a VCF
        hgvsp = ""
    if not hgvsp and calls:
        note = (f"the MAF row gives no protein change ({_protein_text(row) or 'HGVSp empty'}): "
                "classified from its alleles and coordinates, as an unannotated VCF")  # fmt: skip
        return [
            replace(
                builtin_event(
                    call,
                    row.get("Chromosome") or "",
                    pos1,
                    ref,
                    alt,
                    path=path,
                    line=line,
                    vaf=vaf,
                    depth=depth,
                    how=how,
                    filter_reason=reason,
                    support=support,
                ),
                consequence=consequence or None,
                notes=(*call.notes, f"VAF/depth from {how}", note),
            )  # fmt: skip
            for call in calls
        ]
    classes = classify(consequence, hgvsp or None)
    row_on_bundled = bundled and "all_effects" not in why
    exon_text = row.get("Exon_Number") or row.get("EXON") or ""
    exon = _int(exon_text.split("/")[0]) if row_on_bundled else None
    intron = _int((row.get("INTRON") or "").split("/")[0]) if row_on_bundled else None
    notes = [f"transcript: {why}"]
    rec = None
    if calls:
        rec = reconcile(classes, exon, intron, annotation_on_bundled=row_on_bundled, calls=calls)
        classes = [c for c in CLASS_ORDER if c in rec.classes]
        exon, intron = rec.exon, rec.intron
        if rec.note:
            notes.append(rec.note)
    if not keep_classes(classes, rec.splice_offset if rec else None):
        return []
    notes.append(f"VAF/depth from {how}")
    status, status_reason = event_status(reason, support)
    return [
        Event(
            gene=gene,
            category="mutation",
            alteration=alteration_words(hgvsp, row.get("HGVSc"), consequence),
            source=SourceRecord(path, line, _record(row)),
            status=status,
            status_reason=status_reason,
            chrom=chrom,
            pos1=pos1,
            ref=ref,
            alt=alt,
            transcript=tx or None,
            exon=exon,
            intron=intron,
            hgvsc=row.get("HGVSc") or None,
            hgvsp=hgvsp or None,
            variant_class="&".join(classes),
            consequence=consequence or None,
            **coordinate_facts(rec, hgvsp),
            vaf=round(vaf, 4) if vaf is not None else None,
            depth=depth,
            origin="somatic",
            notes=tuple(notes),
        )
    ]


def _protein_level_event(
    row: Mapping[str, str],
    gene: str,
    model: GeneModel | None,
    *,
    path: str,
    line: int,
    patient: str,
    policy: SmallVariantPolicy,
) -> Event | None:
    """An event read from the protein change alone (no usable position or alleles)."""
    hgvsp = _protein_text(row)
    if not hgvsp:
        raise InputError(f"the {gene} row has neither a position with alleles nor a protein "
                         f"change ({', '.join(PROTEIN_COLUMNS)}): nothing to assess",
                         path=path, line=line, patient=patient)  # fmt: skip
    try:
        change = parse_protein_change(hgvsp)
    except ValueError as exc:
        raise InputError(f"the {gene} row has no position or alleles, and its protein change "
                         f"cannot be read ({exc})", path=path, line=line, patient=patient) from None  # fmt: skip
    consequence = _consequence(row)
    classes = set(classify(consequence, hgvsp))
    if change.kind in PROTEIN_KIND_CLASS:
        classes.add(PROTEIN_KIND_CLASS[change.kind])
    ordered = [c for c in CLASS_ORDER if c in classes]
    if not keep_classes(ordered, None):
        return None
    exon = exon_of_codon(model, change.start_pos) if model is not None else None
    vaf, depth, how = _support(row, path=path, line=line, patient=patient,
                               column=policy.maf_vaf_column)  # fmt: skip
    status, reason = event_status(filter_reason(row.get("FILTER"), vaf, depth, policy),
                                  support_problem(vaf, depth, policy))  # fmt: skip
    transcript = model.transcript if model is not None else None
    return Event(
        gene=gene,
        category="mutation",
        alteration=change.short,
        source=SourceRecord(path, line, f"{gene} {hgvsp}"),
        status=status,
        status_reason=reason,
        transcript=transcript,
        exon=exon,
        hgvsc=row.get("HGVSc") or None,
        hgvsp=hgvsp,
        variant_class="&".join(ordered),
        consequence=consequence or None,
        vaf=round(vaf, 4) if vaf is not None else None,
        depth=depth,
        origin="somatic",
        notes=(
            "read at protein level: the row gives no genomic position or alleles, so no genomic "
            "check (build, coordinates, alleles) was possible; the protein change is the "
            f"evidence, on the numbering of the bundled transcript {transcript}"
            + (f" (codon {change.start_pos} lies in exon {exon})" if exon is not None else ""),
            f"VAF/depth from {how}",
        ),
    )
