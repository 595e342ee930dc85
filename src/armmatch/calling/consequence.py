"""Built-in consequence classification of small variants from the bundled transcript models.

Used for VCFs without annotation (and, for annotated VCFs, as a cross-check on the bundled
transcript). Without a reference sequence the classifier decides only what follows from
coordinates, lengths and the hotspot table (``resources/hotspots.tsv``):

* hotspot substitutions and MNVs/delins listed in the table, matched by coding position and
  allele on the bundled transcript (e.g. BRAF c.1799T>A = V600E);
* in-frame versus frameshift indels inside the CDS (by length);
* exon and intron membership on the bundled transcript;
* canonical splice sites (intron +-1/2) and splice regions (exon 1-3 bases, intron 3-8 bases
  from an internal exon boundary);
* deletions that cross an exon/intron boundary (``exon_boundary_deletion``: they remove coding
  bases of the exon together with its splice site, e.g. KIT intron 10 / exon 11 deletions),
  deletions of a whole exon (``exon_deletion``), and intronic variants within a gene's
  ``intronic_reach`` of an exon (class ``intron``, ``intronic_deletion`` for deletions), each
  with the nearest exon and the HGVS-style intronic offset (``splice_exon``/``splice_offset``);
* without a reference, the other placements an indel could have in a repeat (its own length
  each way, as far as the record's own bases allow): each is classified and kept as a
  :class:`~armmatch.events.Reading` when it classifies differently.

Anything that needs the codon (a non-hotspot substitution in a coding exon, e.g. a possible
BRCA nonsense SNV) is returned with status ``indeterminate`` and the reason
``indeterminate: needs annotation``, never dropped. All functions are pure.

Positions: ``pos1`` 1-based (VCF), ``start0`` 0-based.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from armmatch.events import Reading
from armmatch.knowledge.transcripts import GeneModel

if TYPE_CHECKING:
    from armmatch.calling.reference import SequenceSource
from armmatch.calling.alleles import Allele, revcomp, trim
from armmatch.calling.reference import left_align, model_change, sequence_for, shift_on_transcript
from armmatch.hgvs import parse_protein_change
from armmatch.knowledge.hotspots import Hotspot

NEEDS_ANNOTATION = "indeterminate: needs annotation"
CODING_UNKNOWN = ("missense", "stop_gained", "synonymous")
"""What a non-hotspot coding substitution may be; the codon decides (not known here)."""


# ---------------------------------------------------------------------------------------------
# Classification
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuiltinCall:
    """What the built-in classifier decided for one allele on one gene's bundled transcript."""

    gene: str
    transcript: str
    status: str
    """``called`` or ``indeterminate``."""
    status_reason: str
    classes: tuple[str, ...]
    exon: int | None
    intron: int | None
    hgvsc: str | None
    hgvsp: str | None
    alteration: str
    notes: tuple[str, ...] = field(default=())
    splice_exon: int | None = None
    """For a change touching intronic bases: the nearest exon (HGVS ``c.N+k``/``c.N-k``)."""
    splice_offset: int | None = None
    """The signed intronic offset of the touched base nearest to ``splice_exon``."""
    readings: tuple[Reading, ...] = ()
    """Other placements of the indel in a possible repeat that classify differently."""

    @property
    def variant_class(self) -> str:
        return "&".join(self.classes)

    def signature(self) -> tuple[object, ...]:
        """What a rule can test: classes, exon, intron, nearest exon and offset."""
        return (self.classes, self.exon, self.intron, self.splice_exon, self.splice_offset)


_ORDER = (
    "exon_deletion", "splice_acceptor", "splice_donor", "exon_boundary_deletion", "stop_gained",
    "frameshift", "stop_lost", "start_lost", "inframe_insertion",
    "inframe_deletion", "inframe_delins", "missense", "splice_region", "intronic_deletion",
    "other", "synonymous", "intron",
)  # fmt: skip
MAX_SHIFT = 10
"""Without a reference, an indel is tried at up to its own length, and at most this many bases,
each way: the placements a repeat could give it. (Each further base needs one more flanking
base to repeat the indel's sequence; a longer shift is tried only with a reference.)"""


def _ordered(classes: set[str]) -> tuple[str, ...]:
    return tuple(c for c in _ORDER if c in classes)


def splice_class(model: GeneModel, pos1: int) -> str | None:
    """Splice class of one base: ``splice_donor``/``splice_acceptor`` (intron +-1/2),
    ``splice_region`` (intron 3-8, or exon 1-3 bases from an internal boundary), else None."""
    dist = model.distance_to_exon(pos1)
    if dist is not None:
        offset = dist[1]
        if abs(offset) <= 2:
            return "splice_donor" if offset > 0 else "splice_acceptor"
        return "splice_region" if abs(offset) <= 8 else None
    number = model.exon_at(pos1)
    if number is None:
        return None
    exon = model.exon(number)
    # transcript-order 5' and 3' ends of the exon
    five, three = (
        (exon.start0 + 1, exon.end) if model.strand == "+" else (exon.end, exon.start0 + 1)
    )
    if number > 1 and abs(pos1 - five) < 3:
        return "splice_region"
    if number < len(model.exons) and abs(pos1 - three) < 3:
        return "splice_region"
    return None


def _hgvsc(model: GeneModel, a: Allele) -> str | None:
    """A c. description when every touched base is coding (no 3' shifting: no reference)."""
    if a.kind == "insertion":
        left, right = model.cds_position(a.pos1 - 1), model.cds_position(a.pos1)
        if left is None or right is None or abs(left - right) != 1:
            return None
        seq = a.alt if model.strand == "+" else revcomp(a.alt)
        lo = min(left, right)
        return f"c.{lo}_{lo + 1}ins{seq}"
    cs = [model.cds_position(p) for p in range(a.pos1, a.end1 + 1)]
    if any(c is None for c in cs):
        return None
    ints = [c for c in cs if c is not None]
    lo, hi = min(ints), max(ints)
    if hi - lo != len(ints) - 1:
        return None
    ref = a.ref if model.strand == "+" else revcomp(a.ref)
    alt = a.alt if model.strand == "+" else revcomp(a.alt)
    span = f"{lo}" if lo == hi else f"{lo}_{hi}"
    if a.kind == "snv":
        return f"c.{lo}{ref}>{alt}"
    if a.kind == "deletion":
        return f"c.{span}del"
    return f"c.{span}delins{alt}"


def _coding_key(model: GeneModel, a: Allele) -> tuple[int, int, str, str] | None:
    """(c_start, c_end, ref, alt) on the coding strand for a substitution inside the CDS."""
    if a.kind not in ("snv", "mnv"):
        return None
    cs = [model.cds_position(p) for p in range(a.pos1, a.end1 + 1)]
    if any(c is None for c in cs):
        return None
    ints = [c for c in cs if c is not None]
    ref = a.ref if model.strand == "+" else revcomp(a.ref)
    alt = a.alt if model.strand == "+" else revcomp(a.alt)
    return min(ints), max(ints), ref, alt


def match_hotspot(model: GeneModel, a: Allele, hotspots: Sequence[Hotspot]) -> Hotspot | None:
    """The hotspot row that this substitution/MNV encodes on the bundled transcript, if any."""
    key = _coding_key(model, a)
    if key is None:
        return None
    start, end, ref, alt = key
    for h in hotspots:
        if (h.c_start, h.c_end, h.alt) == (start, end, alt) and (not h.ref or h.ref == ref):
            return h
    return None


def _bases(a: Allele) -> list[int]:
    """The reference bases a variant touches; both flanking bases for an insertion."""
    if a.kind == "insertion":
        return [a.pos1 - 1, a.pos1]
    return list(range(a.pos1, a.end1 + 1))


def nearest_intronic(model: GeneModel, bases: Sequence[int]) -> tuple[int, int] | None:
    """``(exon, offset)`` of the intronic base nearest to an exon boundary, or None when no
    touched base is intronic (see :meth:`GeneModel.distance_to_exon`)."""
    found = [d for p in bases if (d := model.distance_to_exon(p)) is not None]
    return min(found, key=lambda d: (abs(d[1]), d[1])) if found else None


def intronic_hgvsc(model: GeneModel, exon: int, offset: int) -> str | None:
    """``c.1647-2`` style position of an intronic base next to a coding exon boundary, or None
    when that boundary base is not coding (UTR numbering is not written here)."""
    e = model.exon(exon)
    first, last = (e.start0 + 1, e.end) if model.strand == "+" else (e.end, e.start0 + 1)
    c = model.cds_position(last if offset > 0 else first)
    if c is None:
        return None
    return f"c.{c}{offset:+d}"


def _intronic_hgvsc(model: GeneModel, a: Allele) -> str | None:
    """HGVS c. of a change whose bases are all intronic (``c.3028+1G>A``, ``c.3029-30_3029-12del``),
    or None when a boundary it is counted from is not coding."""
    if a.kind == "insertion":
        return None
    ends = []
    for p in (a.pos1, a.end1):
        d = model.distance_to_exon(p)
        if d is None:
            return None
        ends.append(intronic_hgvsc(model, *d))
    if None in ends:
        return None
    lo, hi = (ends[0], ends[1]) if model.strand == "+" else (ends[1], ends[0])
    span = str(lo) if lo == hi else f"{lo}_{str(hi)[2:]}"
    ref = a.ref if model.strand == "+" else revcomp(a.ref)
    alt = a.alt if model.strand == "+" else revcomp(a.alt)
    if a.kind == "snv":
        return f"{span}{ref}>{alt}"
    return f"{span}del" if a.kind == "deletion" else f"{span}delins{alt}"


def exon_of_codon(model: GeneModel, codon: int) -> int | None:
    """The exon holding the first base of ``codon`` on the model's CDS (None outside it)."""
    c = 3 * codon - 2
    if not model.is_coding or c < 1 or c > model.cds_length:
        return None
    seen = 0
    for exon in model.exons:
        lo, hi = max(exon.start0, model.cds_start0), min(exon.end, model.cds_end)
        if hi > lo:
            if c <= seen + (hi - lo):
                return exon.number
            seen += hi - lo
    return None


def _whole_exons(model: GeneModel, a: Allele) -> list[int]:
    """Exons whose every base the deletion removes."""
    if a.kind not in ("deletion", "delins"):
        return []
    return [e.number for e in model.exons if a.pos1 <= e.start0 + 1 and e.end <= a.end1]


def classify_allele(
    model: GeneModel,
    chrom: str,
    a: Allele,
    hotspots: Sequence[Hotspot] = (),
    reference: SequenceSource | None = None,
    intronic_reach: int = 0,
) -> list[BuiltinCall]:
    """Classify one trimmed allele on one gene model.

    With a ``reference`` (see :mod:`armmatch.calling.reference`), a change whose touched bases are all
    coding is decided at the codon level (classes, HGVS c. and three-letter p.); ``a`` should
    then be shifted 3' on the transcript strand (:func:`armmatch.calling.reference.shift_on_transcript`).

    ``intronic_reach``: an intronic change (beyond the splice region) this close to an exon
    is returned as class ``intron`` (``intronic_deletion`` for a deletion) with its nearest
    exon and offset, so that a rule with an ``offset`` window can test it; 0 drops them.

    Returns
    -------
    list[BuiltinCall]
        Empty when the allele lies outside the transcript or only in UTR/deep intron (nothing a
        rule can use). Otherwise one call; for a coding substitution that is not a hotspot but
        lies in a splice region, two: the ``called`` splice-region call and the ``indeterminate``
        codon-level call.
    """
    if a.kind == "none":
        return []
    bases = _bases(a)
    if a.kind == "insertion":
        inside = all(model.contains(chrom, p) for p in bases)
    else:
        inside = any(model.contains(chrom, p) for p in bases)
    if not inside or not model.is_coding:
        return []
    exons = [e for p in bases if (e := model.exon_at(p)) is not None]
    introns = [i for p in bases if (i := model.intron_at(p)) is not None]
    exon = exons[0] if exons else None
    intron = introns[0] if introns else None
    splice = {s for p in bases if (s := splice_class(model, p)) is not None}
    if a.kind == "insertion":
        # only an insertion between two canonical-site bases disrupts the site itself
        both = [splice_class(model, p) for p in bases]
        canonical = {"splice_donor", "splice_acceptor"}
        if not (both[0] in canonical and both[0] == both[1]):
            splice -= canonical
            if both[0] in canonical or both[1] in canonical:
                splice.add("splice_region")
    coding = [model.cds_position(p) for p in bases]
    all_coding = all(c is not None for c in coding)
    hgvsc = _hgvsc(model, a)
    near = nearest_intronic(model, bases)
    splice_exon, splice_offset = near if near is not None else (None, None)
    if hgvsc is None and near is not None and not any(c is not None for c in coding):
        hgvsc = _intronic_hgvsc(model, a)
    where = f"exon {exon}" if exon is not None else (f"intron {intron}" if intron else "")
    note: tuple[str, ...] = (f"built-in classification on bundled transcript {model.transcript}",)

    def make(
        status: str,
        reason: str,
        classes: set[str],
        hgvsp: str | None,
        alteration: str,
        notes: tuple[str, ...],
    ) -> BuiltinCall:
        return BuiltinCall(
            model.gene,
            model.transcript,
            status,
            reason,
            _ordered(classes),
            exon,
            intron,
            hgvsc,
            hgvsp,
            alteration,
            notes,
            splice_exon,
            splice_offset,
        )

    if all_coding and reference is not None:
        change = model_change(reference, model, a)
        if change is not None:
            hgvsc = change.hgvsc
            try:
                short = parse_protein_change(change.hgvsp).short
            except ValueError:
                short = change.hgvsp
            hot = match_hotspot(model, a, hotspots)
            extra = (
                (f"hotspot {hot.gene} {hot.protein} {hot.c_change} ({hot.source})",) if hot else ()
            )
            ref_note = "codon-level consequence from the reference FASTA"
            return [
                make("called", "", set(change.classes) | splice, change.hgvsp, short,
                     (*note, ref_note, *extra))
            ]  # fmt: skip

    if all_coding and a.kind in ("snv", "mnv"):
        hot = match_hotspot(model, a, hotspots)
        if hot is not None:
            classes = {"missense"} | splice
            hot_note = f"hotspot {hot.gene} {hot.protein} {hot.c_change} ({hot.source})"
            return [make("called", "", classes, f"p.{hot.protein}", hot.protein, (*note, hot_note))]
        calls = []
        if splice:
            calls.append(
                make("called", "", splice, None, f"{hgvsc} (splice region of {where})",
                     (*note, "splice region by position; the codon change needs annotation"))
            )  # fmt: skip
        calls.append(
            make("indeterminate", NEEDS_ANNOTATION, set(CODING_UNKNOWN), None,
                 f"{hgvsc} (coding substitution in {where}; codon change unknown)",
                 (*note, "no reference sequence: missense, nonsense or synonymous cannot be told apart"))
        )  # fmt: skip
        return calls

    classes = set(splice)
    status, reason = "called", ""
    words: str
    if a.kind in ("insertion", "deletion", "delins") and all_coding:
        delta = len(a.alt) - len(a.ref)
        if delta % 3:
            classes.add("frameshift")
            words = "frameshift"
        elif a.kind == "deletion":
            classes.add("inframe_deletion")
            words = "in-frame deletion"
        elif a.kind == "insertion":
            classes.add("inframe_insertion")
            words = "in-frame insertion"
        else:
            classes.add("inframe_delins")
            if delta < 0:
                classes.add("inframe_deletion")
            elif delta > 0:
                classes.add("inframe_insertion")
            words = "in-frame delins"
    elif whole := _whole_exons(model, a):
        classes.add("exon_deletion")
        exon = whole[0]
        where = f"exon{'s' if len(whole) > 1 else ''} {', '.join(map(str, whole))}"
        words = "deleted whole"
        note = (*note, "the deletion removes every base of the exon and its splice sites")
    elif (
        a.kind in ("deletion", "delins")
        and introns
        and any(c is not None for c in coding)
        and splice & {"splice_donor", "splice_acceptor"}
    ):
        # a deletion across an exon/intron boundary: coding bases of the exon go together with
        # its splice site; it counts for that exon's rules (e.g. KIT intron 10 / exon 11)
        ints = sorted(c for c in coding if c is not None)
        coding_exons = [model.exon_at(p) for p, c in zip(bases, coding, strict=True) if c]
        exon = max(set(coding_exons), key=coding_exons.count)
        classes.add("exon_boundary_deletion")
        site = "acceptor" if "splice_acceptor" in splice else "donor"
        codons = f"codon {(ints[0] + 2) // 3}" if (ints[0] + 2) // 3 == (ints[-1] + 2) // 3 else (
            f"codons {(ints[0] + 2) // 3}-{(ints[-1] + 2) // 3}")  # fmt: skip
        where = f"intron {intron} / exon {exon} boundary"
        words = (f"deletion: removes the exon {exon} splice {site} and {len(ints)} coding "
                 f"base{'s' if len(ints) > 1 else ''} c.{ints[0]}_{ints[-1]} ({codons})")  # fmt: skip
        note = (*note, f"deletion across the exon {exon} boundary: counts for exon {exon} rules "
                       "(its protein effect depends on the splice site used)")  # fmt: skip
    elif splice:
        words = "splice site" if splice & {"splice_donor", "splice_acceptor"} else "splice region"
    elif any(c is not None for c in coding):
        # touches coding sequence but also UTR/intron: the effect needs the sequence
        classes.add("other")
        status, reason = "indeterminate", NEEDS_ANNOTATION
        words = "partly coding change"
    elif near is not None and abs(near[1]) <= intronic_reach and not exons:
        classes.add("intron")
        if a.kind in ("deletion", "delins"):
            classes.add("intronic_deletion")
        side = "after" if near[1] > 0 else "before"
        words = f"{abs(near[1])} bases {side} exon {near[0]}"
    else:
        return []  # UTR, deep intron
    label = hgvsc or f"{chrom}:{a.pos1} {a.ref or '-'}>{a.alt or '-'}"
    return [
        make(status, reason, classes, None, f"{label} ({where} {words})".replace("( ", "("), note)
    ]


def _shifts(a: Allele, known: Mapping[int, str]) -> list[int]:
    """Shifts (negative: left) that keep an indel's sequence result, as far as the bases in
    ``known`` (1-based position -> base, e.g. the record's own REF) allow; bases not known are
    assumed to continue the repeat. At most the indel's length (and :data:`MAX_SHIFT`) each way.
    """
    if a.kind not in ("insertion", "deletion"):
        return []
    seq = a.ref or a.alt
    size = len(seq)
    limit = min(size, MAX_SHIFT)
    after = a.pos1 + size if a.kind == "deletion" else a.pos1
    out: list[int] = []
    for k in range(1, limit + 1):  # right: base after the indel must repeat its sequence
        b = known.get(after + k - 1)
        if b is not None and b != seq[(k - 1) % size]:
            break
        out.append(k)
    for k in range(1, limit + 1):  # left: base before it must repeat its end
        b = known.get(a.pos1 - k)
        if b is not None and b != seq[(size - k) % size]:
            break
        out.append(-k)
    return sorted(out)


def _shifted(a: Allele, k: int) -> Allele:
    seq = a.ref or a.alt
    n = k % len(seq)
    rotated = seq[n:] + seq[:n]
    return (
        Allele(a.pos1 + k, rotated, "") if a.kind == "deletion" else Allele(a.pos1 + k, "", rotated)
    )


def _placement(chrom: str, call: BuiltinCall | None, a: Allele) -> str:
    span = f"{chrom}:{a.pos1}" if a.kind == "insertion" or a.end1 == a.pos1 else (
        f"{chrom}:{a.pos1}-{a.end1}")  # fmt: skip
    c = call.hgvsc if call is not None and call.hgvsc else None
    return f"{span} ({c})" if c else span


def with_readings(
    model: GeneModel,
    chrom: str,
    a: Allele,
    calls: list[BuiltinCall],
    known: Mapping[int, str],
    hotspots: Sequence[Hotspot],
    intronic_reach: int,
) -> list[BuiltinCall]:
    """Attach the other placements of an indel (no reference) that classify differently."""
    if not calls or a.kind not in ("insertion", "deletion"):
        return calls
    main = calls[0]
    seen = {main.signature()}
    readings: list[Reading] = []
    for k in _shifts(a, known):
        b = _shifted(a, k)
        other = classify_allele(model, chrom, b, hotspots, None, intronic_reach)
        first = other[0] if other else None
        sig = first.signature() if first is not None else ((), None, None, None, None)
        if sig in seen:
            continue
        seen.add(sig)
        readings.append(
            Reading(
                _placement(chrom, first, b),
                first.variant_class if first is not None else "",
                first.exon if first is not None else None,
                first.intron if first is not None else None,
                first.splice_exon if first is not None else None,
                first.splice_offset if first is not None else None,
            )
        )
    if not readings:
        return calls
    return [replace(main, readings=tuple(readings)), *calls[1:]]


def classify_variant(
    models: Mapping[str, GeneModel],
    chrom: str,
    pos1: int,
    ref: str,
    alt: str,
    hotspots: Mapping[str, Sequence[Hotspot]],
    reference: SequenceSource | None = None,
    intronic_reach: Mapping[str, int] | None = None,
    *,
    padded: bool = True,
) -> list[BuiltinCall]:
    """Classify one VCF allele (any padding) on every given gene model it touches.

    With a ``reference``, indels are left-aligned in the genome, then shifted 3' on each
    transcript's strand and decided at the codon level. Without one, the other placements a
    repeat could give an indel are classified too (:func:`with_readings`); ``padded``: the
    record's REF bases are genome bases (a VCF; a MAF's alleles carry no padding and prove
    nothing about the flanks).
    """
    if (
        not ref
        or not alt
        or not set(ref.upper()) <= set("ACGTN")
        or not set(alt.upper()) <= set("ACGTN")
    ):
        return []  # symbolic or breakend ALT: not a small variant
    a = trim(pos1, ref, alt)
    if reference is not None:
        a = left_align(reference, chrom, a)
    known = {pos1 + i: b for i, b in enumerate(ref.upper())} if padded else {}
    return classify_on_models(models, chrom, a, hotspots, reference, intronic_reach, known)


def classify_on_models(
    models: Mapping[str, GeneModel],
    chrom: str,
    a: Allele,
    hotspots: Mapping[str, Sequence[Hotspot]],
    reference: SequenceSource | None = None,
    intronic_reach: Mapping[str, int] | None = None,
    known: Mapping[int, str] | None = None,
) -> list[BuiltinCall]:
    """Classify a trimmed (and, with a reference, left-aligned) allele on every model.

    ``known``: genome bases the record itself proves (a VCF's REF), which limit the other
    placements tried for an indel without a reference; a MAF row proves none.
    """
    reach = intronic_reach or {}
    known = known or {}
    out: list[BuiltinCall] = []
    for gene in sorted(models):
        model = models[gene]
        here = a
        seq = sequence_for(reference, chrom, model.tx_start0, model.tx_end)
        if seq is not None:
            here = shift_on_transcript(seq, model, chrom, a)
        spots = hotspots.get(gene, ())
        calls = classify_allele(model, chrom, here, spots, seq, reach.get(gene, 0))
        if seq is None:
            calls = with_readings(model, chrom, a, calls, known, spots, reach.get(gene, 0))
        out.extend(calls)
    return out


# ---------------------------------------------------------------------------------------------
# Annotation versus built-in classification
# ---------------------------------------------------------------------------------------------

FRAME_CLASSES = frozenset({"frameshift", "inframe_insertion", "inframe_deletion", "inframe_delins"})
SPLICE_CLASSES = frozenset({"splice_donor", "splice_acceptor", "splice_region"})
COORDINATE_CLASSES = SPLICE_CLASSES | {
    "exon_boundary_deletion",
    "exon_deletion",
    "intronic_deletion",
}
"""Classes that follow from coordinates alone: the built-in call adds them to an annotation."""
DISAGREEMENT_RULE = (
    "the annotation wins for protein-level consequences (HGVSp, missense/nonsense/synonymous, "
    "in-frame subtype); the built-in classification on the bundled transcript wins for what "
    "follows from coordinates alone: frameshift versus in-frame (by length), splice sites "
    "(intron +-1/2), splice regions (exon 1-3, intron 3-8 bases), deletions across an exon "
    "boundary or of a whole exon and intronic deletions near an exon, added when the annotation "
    "lacks them, and the exon/intron number when the annotation used another transcript or "
    "gave none"
)


@dataclass(frozen=True)
class Reconciled:
    """The classes, exon and intron kept after comparing annotation and built-in calls."""

    classes: frozenset[str]
    exon: int | None
    intron: int | None
    note: str | None
    """``None`` when annotation and built-in agree."""
    splice_exon: int | None = None
    splice_offset: int | None = None
    readings: tuple[Reading, ...] = ()


def reconcile(
    ann_classes: Sequence[str],
    ann_exon: int | None,
    ann_intron: int | None,
    *,
    annotation_on_bundled: bool,
    calls: Sequence[BuiltinCall],
) -> Reconciled:
    """Decide between an annotation and the built-in calls for the same allele and gene.

    The rule is :data:`DISAGREEMENT_RULE`. When the annotation used the bundled transcript and
    the exon numbers differ, the annotation's exon is kept (the coordinate check then tells a
    genome-build mismatch).
    """
    classes = set(ann_classes)
    if not calls:
        return Reconciled(frozenset(classes), ann_exon, ann_intron, None)
    called = [c for c in calls if c.status == "called"]
    b = called[0] if called else calls[0]
    b_classes = set(b.classes) if b.status == "called" else set()
    bf, af = b_classes & FRAME_CLASSES, classes & FRAME_CLASSES
    if bf and (not af or ("frameshift" in bf) != ("frameshift" in af)):
        classes = (classes - FRAME_CLASSES) | bf
    classes |= b_classes & COORDINATE_CLASSES
    exon, intron = ann_exon, ann_intron
    if "exon_boundary_deletion" in b_classes or "exon_deletion" in b_classes:
        exon = b.exon  # the exon whose coding bases go (the annotation may name the intron)
    if b.exon is not None and (ann_exon is None or not annotation_on_bundled):
        exon = b.exon
    if b.intron is not None and (ann_intron is None or not annotation_on_bundled):
        intron = b.intron
    differs = (ann_exon is not None and ann_exon != b.exon) or (
        ann_intron is not None and ann_intron != b.intron
    )
    if b.status == "called":
        # the built-in call is partial (no codon): it disagrees only by what it adds or replaces
        differs = differs or bool(b_classes - set(ann_classes)) or set(classes) != set(ann_classes)
    where = (b.splice_exon, b.splice_offset, b.readings)
    if not differs:
        return Reconciled(frozenset(classes), exon, intron, None, *where)
    note = (
        f"annotation vs built-in ({b.transcript}): annotation "
        f"{'&'.join(ann_classes) or '-'} exon {ann_exon} intron {ann_intron}; built-in "
        f"{b.variant_class if b.status == 'called' else 'codon change undetermined'} exon {b.exon} "
        f"intron {b.intron}; kept {'&'.join(sorted(classes))} exon {exon} intron {intron} "
        f"(rule: {DISAGREEMENT_RULE})"
    )
    return Reconciled(frozenset(classes), exon, intron, note, *where)
