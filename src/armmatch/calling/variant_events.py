"""Events of the built-in classifier: one :class:`~armmatch.events.Event` per classified call.

Shared by the VCF and the MAF calling: the classifier's call (:mod:`armmatch.calling.consequence`)
with the record's support, filter status and source line becomes an event.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from armmatch.calling.annotations import NON_PROTEIN
from armmatch.calling.consequence import BuiltinCall, Reconciled
from armmatch.calling.reference import SequenceSource
from armmatch.calling.support import event_status
from armmatch.config import SmallVariantPolicy
from armmatch.events import Event, SourceRecord
from armmatch.genome import (
    normalise_chrom,
)
from armmatch.hgvs import is_protein_change
from armmatch.knowledge.hotspots import Hotspot
from armmatch.knowledge.transcripts import GeneModel


@dataclass(frozen=True)
class VariantContext:
    """One patient's small-variant setting: what calling needs besides the records.

    ``models`` are the bundled transcripts by gene (None: an unannotated VCF cannot be
    classified); ``intronic_reach`` is how far into each gene's introns a rule looks
    (:meth:`~armmatch.knowledge.rule_table.RuleSet.intronic_reach`).
    """

    patient: str
    genes: Sequence[str]
    preferred: Mapping[str, Sequence[str]]
    policy: SmallVariantPolicy
    models: Mapping[str, GeneModel] | None = None
    hotspots: Mapping[str, Sequence[Hotspot]] = field(default_factory=dict)
    reference: SequenceSource | None = None
    intronic_reach: Mapping[str, int] | None = None


def builtin_event(
    call: BuiltinCall,
    chrom: str,
    pos1: int,
    ref: str,
    alt: str,
    *,
    path: str,
    line: int | None,
    vaf: float | None,
    depth: int | None,
    how: str,
    filter_reason: str,
    origin: Literal["somatic", "germline"] = "somatic",
    support: str = "",
) -> Event:
    """An :class:`Event` from a built-in classification of one VCF allele (``support``: the
    VAF/depth problem of :func:`support_problem`, if any)."""
    status, reason = event_status(filter_reason, support, call.status, call.status_reason)
    return Event(
        gene=call.gene,
        category="mutation",
        alteration=call.alteration,
        source=SourceRecord(path, line, f"{chrom}:{pos1} {ref}>{alt}"),
        status=status,
        status_reason=reason,
        chrom=normalise_chrom(chrom),
        pos1=pos1,
        ref=ref,
        alt=alt,
        transcript=call.transcript,
        exon=call.exon,
        intron=call.intron,
        hgvsc=call.hgvsc,
        hgvsp=call.hgvsp,
        variant_class=call.variant_class,
        consequence=None,
        splice_exon=call.splice_exon,
        splice_offset=call.splice_offset,
        readings=call.readings,
        vaf=round(vaf, 4) if vaf is not None else None,
        depth=depth,
        origin=origin,
        notes=(*call.notes, f"VAF/depth from {how}"),
    )


def coordinate_facts(rec: Reconciled | None, hgvsp: str | None) -> dict[str, Any]:
    """The built-in call's coordinate facts for an annotated record's :class:`Event`: nearest
    exon and intronic offset, and the other readings of an indel. An annotator's protein change
    was named with the sequence (HGVS 3' rule): its class stands, so readings are kept only
    where the coordinates decide."""
    if rec is None:
        return {"splice_exon": None, "splice_offset": None, "readings": ()}
    return {
        "splice_exon": rec.splice_exon,
        "splice_offset": rec.splice_offset,
        "readings": () if is_protein_change(hgvsp) else rec.readings,
    }


def keep_classes(classes: Sequence[str], splice_offset: int | None) -> bool:
    """Whether a classified allele becomes an event: a class a rule can use, or an intronic
    change the classifier placed near an exon (within a gene's intronic reach)."""
    if not classes:
        return False
    return splice_offset is not None or not all(c in NON_PROTEIN for c in classes)


UNREADABLE = "unreadable"
"""The ``variant_class`` of an event whose record cannot be read as written: every mutation rule
of its gene reads *indeterminate evidence* (never absent)."""


def unreadable_events(
    genes: Sequence[str], variant: Any, problem: str, *, path: str, line: int | None
) -> Iterator[Event]:
    """One ``indeterminate`` event per gene near a record that cannot be read as written."""
    alts = ",".join(str(a) for a in variant.ALT)
    for gene in genes:
        yield Event(
            gene=gene,
            category="mutation",
            alteration="unreadable record",
            source=SourceRecord(path, line, f"{variant.CHROM}:{variant.POS} {variant.REF}>{alts}"),
            status="indeterminate",
            status_reason=f"indeterminate: the record cannot be read as written: {problem}",
            chrom=normalise_chrom(str(variant.CHROM)),
            pos1=int(variant.POS),
            ref=str(variant.REF),
            alt=alts,
            variant_class=UNREADABLE,
        )
