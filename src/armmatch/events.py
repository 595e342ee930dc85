"""The events model shared by every reader and by the assignment.

A reader (small variants, copy number, fusions, clinical fields) turns one input file into an
:class:`Evidence`: the :class:`Event` records it found in the target genes, and one
:class:`Assessment` per (gene, category) saying whether that input could have seen an event
there at all. "Not assessed" is therefore explicit and never confused with "negative".

Coordinates follow one convention everywhere: ``pos1`` is a 1-based position (VCF ``POS``),
``start0``/``end`` describe 0-based half-open intervals (BED, pyranges).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from armmatch.io import plain_dict

Category = Literal["mutation", "cnv", "fusion", "ihc"]
CATEGORIES: tuple[Category, ...] = ("mutation", "cnv", "fusion", "ihc")

EventStatus = Literal["called", "filtered", "indeterminate"]
"""``called``: passed every filter and counts; ``filtered``: seen but removed by a filter
(kept for the report with the reason); ``indeterminate``: seen, but the evidence can neither
confirm nor refute an actionable call (e.g. copy number between gain and amplification)."""

CnvCall = Literal[
    "amplification",
    "indeterminate_gain",
    "gain",
    "neutral",
    "loss",
    "indeterminate_loss",
    "homozygous_deletion",
]


REVIEW_CALL: dict[str, CnvCall] = {
    "amplification": "indeterminate_gain",
    "indeterminate_gain": "indeterminate_gain",
    "homozygous_deletion": "indeterminate_loss",
    "indeterminate_loss": "indeterminate_loss",
}
"""The review-band call an actionable copy-number call is held back as (a review-band call is
its own): an indeterminate event with it could still satisfy the actionable call's rule."""


@dataclass(frozen=True)
class SourceRecord:
    """Where an event came from: the input file, the 1-based line, and the record in brief."""

    path: str
    line: int | None
    record: str

    def describe(self) -> str:
        """Human-readable location, e.g. ``tumour.vcf.gz:131 (7:140753336 A>T)``."""
        at = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{at} ({self.record})" if self.record else at


@dataclass(frozen=True)
class Reading:
    """Another placement of the same indel, as a repeat allows it (no reference to decide).

    An indel in a repeat can sit at several positions with the same sequence result; without
    a reference FASTA the classifier cannot tell how far the repeat runs, so every placement
    within the indel's own length each way that the record's known bases do not rule out is
    classified. The rule matcher (:func:`armmatch.decision.rules.annotate_events`) compares the rules
    each reading fires: when they differ, the event needs review.
    """

    placement: str
    """Where this reading puts the indel, e.g. ``4:55593579-55593605 (c.1646_1672)``."""
    variant_class: str
    exon: int | None = None
    intron: int | None = None
    splice_exon: int | None = None
    splice_offset: int | None = None

    def describe(self) -> str:
        """``4:55593579-55593605: splice_acceptor&exon_boundary_deletion exon 11 intron 10``."""
        where = " ".join(
            f"{k} {v}" for k, v in (("exon", self.exon), ("intron", self.intron)) if v is not None
        )
        return f"{self.placement}: {self.variant_class or 'no class'}" + (
            f" {where}" if where else ""
        )


@dataclass(frozen=True)
class Event:
    """One alteration in a target gene, as read from one input record.

    Only the fields relevant to the ``category`` are filled; the others stay ``None``.
    """

    gene: str
    category: Category
    alteration: str
    """Plain words: ``L858R``, ``E746_A750del``, ``amplification``, ``EML4-ALK fusion``."""
    source: SourceRecord
    status: EventStatus = "called"
    status_reason: str = ""
    # --- small variants -------------------------------------------------------------
    chrom: str | None = None
    pos1: int | None = None
    ref: str | None = None
    alt: str | None = None
    transcript: str | None = None
    exon: int | None = None
    intron: int | None = None
    hgvsc: str | None = None
    hgvsp: str | None = None
    variant_class: str | None = None
    """Normalised class: missense, synonymous, stop_gained, frameshift, inframe_deletion,
    inframe_insertion, inframe_delins, splice_donor, splice_acceptor, splice_region,
    start_lost, stop_lost, intron, utr, upstream, downstream, other."""
    consequence: str | None = None
    """The annotator's own consequence terms, ``&``-joined, kept for the report."""
    splice_exon: int | None = None
    """For a variant touching intronic bases: the exon whose boundary is nearest (bundled
    transcript), as HGVS counts ``c.N+k`` / ``c.N-k``."""
    splice_offset: int | None = None
    """The signed intronic offset of the touched base nearest to ``splice_exon``: positive
    after the exon (donor side, ``c.N+k``), negative before it (acceptor side, ``c.N-k``)."""
    readings: tuple[Reading, ...] = ()
    """Other placements of an indel in a possible repeat (no reference FASTA), see
    :class:`Reading`; empty when the placement cannot change the classification."""
    vaf: float | None = None
    depth: int | None = None
    origin: Literal["somatic", "germline"] | None = None
    # --- copy number ----------------------------------------------------------------
    copy_number: float | None = None
    log2: float | None = None
    cnv_call: CnvCall | None = None
    segment_bp: int | None = None
    """Length of the deciding segment (bp); None for gene-level calls (no segment given)."""
    focal: bool | None = None
    """Whether that segment is within the focal size (``copy_number.focal_max_mb``)."""
    # --- fusions --------------------------------------------------------------------
    gene5: str | None = None
    gene3: str | None = None
    breakpoint5: str | None = None
    breakpoint3: str | None = None
    frame: str | None = None
    # --- clinical (IHC/ISH) -------------------------------------------------------------
    value: str | None = None
    # --- filled by the BRCA1/2 classification (armmatch.calling.brca) ------------------
    classification: str | None = None
    """``pathogenic``, ``benign``, ``uncertain``, ``review`` (the table), ``lof``,
    ``lof_review``, ``lof_no`` (the VCEP loss-of-function rules) or ``unclassified``; None for
    events of other genes. The rule table's ``classification=`` criterion tests it."""
    classification_evidence: str = ""
    """The classification, review level, source and date (or the rule) behind it."""
    # --- filled by the rule matcher ----------------------------------------------------
    rule_ids: tuple[str, ...] = ()
    arm_ids: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def actionable(self) -> bool:
        """True when the event passed every filter and at least one rule fired on it."""
        return self.status == "called" and bool(self.rule_ids)

    def with_rules(self, rule_ids: Iterable[str], arm_ids: Iterable[str]) -> Event:
        """Return a copy carrying the rules (and their arms) that fired on this event."""
        return replace(self, rule_ids=tuple(rule_ids), arm_ids=tuple(arm_ids))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (tuples become lists; ``actionable`` is included)."""
        d = plain_dict(self)
        d["source"] = plain_dict(self.source)
        d["readings"] = [plain_dict(r) for r in self.readings]
        d["actionable"] = self.actionable
        for key in ("rule_ids", "arm_ids", "notes"):
            d[key] = list(d[key])
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Event:
        """Inverse of :meth:`to_dict` (extra keys such as ``actionable`` are ignored)."""
        kw = {k: v for k, v in d.items() if k in _EVENT_FIELDS}
        kw["source"] = SourceRecord(**kw["source"])
        for key in ("rule_ids", "arm_ids", "notes"):
            kw[key] = tuple(kw.get(key, ()))
        kw["readings"] = tuple(Reading(**r) for r in kw.get("readings", ()))
        return cls(**kw)

    def reading_events(self) -> tuple[Event, ...]:
        """This event as each of its other readings would make it (same record, other class)."""
        return tuple(
            replace(
                self,
                variant_class=r.variant_class,
                exon=r.exon,
                intron=r.intron,
                splice_exon=r.splice_exon,
                splice_offset=r.splice_offset,
                readings=(),
            )  # fmt: skip
            for r in self.readings
        )


_EVENT_FIELDS = frozenset(f.name for f in fields(Event))


@dataclass(frozen=True)
class Assessment:
    """Whether an input could detect events of ``category`` in ``gene``.

    ``assessed=False`` means "not assessed": the patient has not been tested for this, which
    is never the same as a negative result.
    """

    gene: str
    category: Category
    assessed: bool
    reason: str


@dataclass(frozen=True)
class CnvProfile:
    """What the copy-number step measured along the genome, for the report's profile plot.

    ``segments``: ``(chrom, start0, end, copy number)`` at the purity in use (at most
    :data:`PROFILE_MAX_SEGMENTS`, adjacent ones averaged beyond that); ``genes``: the target
    genes' ``(gene, chrom, start0, end)``. Not written to the evidence JSON: only drawn.
    """

    build: str
    segments: tuple[tuple[str, int, int, float], ...]
    genes: tuple[tuple[str, str, int, int], ...]
    note: str = ""


PROFILE_MAX_SEGMENTS = 3000


@dataclass
class Evidence:
    """What one reader found for one patient: events plus the assessment of each target."""

    events: list[Event] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)
    """Input files read, as ``{path: sha256}``, for the provenance block."""
    profile: CnvProfile | None = field(default=None, compare=False, repr=False)
    """Copy-number segments for the report's genome-wide plot (not serialised)."""

    def extend(self, other: Evidence) -> None:
        """Add another reader's evidence to this one."""
        self.events.extend(other.events)
        self.assessments.extend(other.assessments)
        self.inputs.update(other.inputs)


def not_assessed(genes: Iterable[str], category: Category, reason: str) -> list[Assessment]:
    """Assessments saying ``category`` was not assessed in any of ``genes``, with the reason."""
    return [Assessment(g, category, False, reason) for g in sorted(set(genes))]


def assessed(genes: Iterable[str], category: Category, reason: str) -> list[Assessment]:
    """Assessments saying ``category`` was assessed in every one of ``genes``."""
    return [Assessment(g, category, True, reason) for g in sorted(set(genes))]
