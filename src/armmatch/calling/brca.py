"""BRCA1/2 events decided at expert-panel level: the classification table first, then the
ENIGMA VCEP loss-of-function rules, never a protein string alone.

Each BRCA1/2 mutation event gets a ``classification`` (what the rule table's
``classification=`` criterion tests) and a ``classification_evidence`` line a board can check:

* the table (:mod:`armmatch.knowledge.brca_table`) classifies the patient's allele (trimmed and
  left-aligned in the patient's build) or, failing that, its HGVS c. on the MANE transcript:
  at or above the review level (``brca_classification.min_stars``; a lab's own row always)
  ``pathogenic`` (P/LP), ``benign`` (B/LB), ``uncertain`` (VUS); ``review`` for conflicting
  interpretations or P/LP below the level; B/LB or VUS below the level decide nothing (the
  rules below apply, the record is named);
* not decided by the table: a stop or frameshift by the exon of its termination codon and the
  last pathogenic termination codon, a canonical splice-site substitution by its site
  (:mod:`armmatch.knowledge.brca_lof`): ``lof`` (counts), ``lof_review``, ``lof_no``;
* anything else is ``unclassified`` ("not classified in ClinVar release X").

An intronic event that only the table's reach brought in (deeper than every rule's offset
window) and that the table does not classify as pathogenic, conflicting or below-level P/LP is
dropped: common intronic polymorphisms are not shown as events. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from armmatch.calling.alleles import Allele, trim
from armmatch.calling.consequence import NEEDS_ANNOTATION
from armmatch.calling.hgvs_c import allele_from_c
from armmatch.calling.reference import SequenceSource, left_align
from armmatch.events import Event
from armmatch.hgvs import parse_protein_change, unversioned
from armmatch.knowledge.brca_lof import LofRules
from armmatch.knowledge.brca_table import (
    BENIGN,
    PATHOGENIC,
    REVIEW_WORDS,
    ClassificationTable,
    Classified,
)
from armmatch.knowledge.transcripts import GeneModel

GENES = ("BRCA1", "BRCA2")
TRUNCATING = frozenset({"stop_gained", "frameshift"})
CANONICAL_SPLICE = frozenset({"splice_donor", "splice_acceptor"})
INTRONIC_ONLY = frozenset({"intron", "intronic_deletion"})
LOF_VERDICT = {"count": "lof", "review": "lof_review", "no": "lof_no"}
CLASSIFICATION_VALUES = (
    "pathogenic", "benign", "uncertain", "review", "lof", "lof_review", "lof_no", "unclassified",
)  # fmt: skip


def allele_key(chrom: str, a: Allele) -> str:
    """The match key of a trimmed (and left-aligned) allele: ``chrom:pos1:ref:alt``, empty
    strings for an insertion's REF or a deletion's ALT."""
    return f"{chrom}:{a.pos1}:{a.ref}:{a.alt}"


def vcf_allele_key(text: str) -> str:
    """``13:32340300:CA:C`` (a table's VCF-style allele) -> the trimmed key ``13:32340301:A:``."""
    chrom, pos, ref, alt = text.split(":")
    return allele_key(chrom, trim(int(pos), ref, alt))


class TableIndex:
    """Lookups in the table (binary search by position, per build) and in the lab's list (a
    dictionary by allele and by HGVS c.); a lab's row wins."""

    def __init__(self, table: ClassificationTable) -> None:
        self.table = table
        self._custom: dict[tuple[str, str], Classified] = {}
        for r in table.custom:
            for build in ("GRCh37", "GRCh38"):
                if r.allele(build):
                    self._custom[(build, vcf_allele_key(r.allele(build)))] = r
            if r.hgvsc:
                self._custom[("c", f"{r.gene}:{r.hgvsc}")] = r

    def by_allele(self, build: str, gene: str, key: str) -> Classified | None:
        """The row of a trimmed, left-aligned allele (:func:`allele_key`) in ``build``."""
        if (hit := self._custom.get((build, key))) is not None:
            return hit
        pos1 = int(key.split(":", 2)[1])
        for r in self.table.at(build, gene, pos1 - 1, pos1):  # an indel's anchor is pos1 - 1
            if vcf_allele_key(r.allele(build)) == key:
                return r
        return None

    def by_hgvsc(self, gene: str, hgvsc: str) -> Classified | None:
        return self._custom.get(("c", f"{gene}:{hgvsc}"))


_INDEXES: dict[int, TableIndex] = {}


def table_index(table: ClassificationTable) -> TableIndex:
    """The index of ``table``, built once per loaded table."""
    if id(table) not in _INDEXES:
        _INDEXES[id(table)] = TableIndex(table)
    return _INDEXES[id(table)]


@dataclass(frozen=True)
class BrcaKnowledge:
    """What deciding BRCA1/2 events needs, loaded once per job."""

    table: ClassificationTable
    lof: LofRules
    min_stars: int
    build: str
    sequence: SequenceSource | None
    """The patient build's sequence (bundled loci) to left-align indels before matching."""
    transcripts: Mapping[str, Sequence[str]]
    """Accessions of each gene's MANE transcript (an HGVS c. on another is never matched)."""
    rule_reach: Mapping[str, int]
    """How deep into an intron the rule table looks, per gene (:meth:`RuleSet.intronic_reach`)."""
    models: Mapping[str, GeneModel] = field(default_factory=dict)
    """The MANE models, to read an HGVS c. back into an allele (a record without coordinates)."""


def event_allele(e: Event) -> Allele | None:
    """The event's change as a trimmed allele (a VCF record's or a MAF row's), else None."""
    if e.pos1 is None or e.ref is None or e.alt is None:
        return None
    ref, alt = e.ref.upper(), e.alt.upper()
    if not set(ref + alt) <= set("ACGTN-"):
        return None
    if "-" in ref or "-" in alt or ref == "" or alt == "":  # MAF: '-' for the empty side
        r, a = ref.replace("-", ""), alt.replace("-", "")
        return Allele(e.pos1 + 1, "", a) if not r else Allele(e.pos1, r, a)
    return trim(e.pos1, ref, alt)


def match_key(e: Event, sequence: SequenceSource | None) -> str | None:
    a = event_allele(e)
    if a is None or e.chrom is None or a.kind == "none":
        return None
    if sequence is not None:
        try:
            if a.ref and sequence.fetch(e.chrom, a.pos1 - 1, a.end1) != a.ref:
                return None  # REF is not the reference here: no allele match
            a = left_align(sequence, e.chrom, a)
        except KeyError:
            pass
    return allele_key(e.chrom, a)


def _bare_c(hgvsc: str | None) -> str | None:
    return hgvsc.rsplit(":", 1)[-1].strip() if hgvsc else None


def _mane_c(e: Event, transcripts: Mapping[str, Sequence[str]]) -> str | None:
    """The event's HGVS c. when it is on the gene's MANE (bundled) transcript."""
    if not e.hgvsc:
        return None
    accepted = {unversioned(t) for t in transcripts.get(e.gene, ())}
    tx = e.transcript or (e.hgvsc.split(":")[0] if ":" in e.hgvsc else "")
    if tx and unversioned(tx) not in accepted:
        return None
    return _bare_c(e.hgvsc)


def describe_row(row: Classified, table: ClassificationTable) -> str:
    """The evidence line: classification, review level, source and its date."""
    words = row.classification.replace("_", " ").replace("/", " / ")
    if row.review == "lab":
        return (
            f"custom classification {words} ({table.custom_path}; {row.reason}"
            + (f"; {row.date}" if row.date else "")
            + ")"
        )
    stars = f"{row.stars} star{'s' if row.stars != 1 else ''}"
    ident = f"ClinVar {row.clinvar_id}" if row.clinvar_id else "ClinVar id not in the source"
    source = table.sources.get(row.source, row.source).split("; file ")[0]
    return (
        f"ClinVar {words} ({REVIEW_WORDS[row.review]}, {stars}; {ident}; source {row.source}: "
        f"{source}; dated {row.date or 'not recorded'}); bundled table version {table.version}"
    )


def table_verdict(row: Classified, min_stars: int) -> str | None:
    """The table's verdict on a row, or None when it decides nothing (B/LB or VUS below the
    review level: the rules apply)."""
    at_level = row.review == "lab" or row.stars >= min_stars
    if row.classification == "conflicting":
        return "review"
    if row.classification in PATHOGENIC:
        return "pathogenic" if at_level else "review"
    if not at_level:
        return None
    return "benign" if row.classification in BENIGN else "uncertain"


def _ptc_c_position(e: Event) -> tuple[int | None, str]:
    """The c. position of the first base of the event's termination codon, and how it was found."""
    if e.hgvsp:
        try:
            change = parse_protein_change(e.hgvsp)
        except ValueError:
            change = None
        if change is not None and change.kind == "nonsense":
            return 3 * change.start_pos - 2, f"termination codon {change.start_pos}"
        if change is not None and change.kind == "frameshift":
            m = re.search(r"fs\*(\d+)", change.short)
            if m:
                codon = change.start_pos + int(m.group(1)) - 1
                return 3 * codon - 2, f"new termination codon {codon} ({change.short})"
            return (
                3 * change.start_pos - 2,
                f"frame shifted at codon {change.start_pos} (new stop not given)",
            )
    m = re.match(r"c\.(\d+)", _bare_c(e.hgvsc) or "")
    if m:
        codon = (int(m.group(1)) + 2) // 3
        return 3 * codon - 2, f"codon {codon} from the HGVS c. (no protein change given)"
    return None, ""


def lof_verdict(e: Event, rules: LofRules) -> tuple[str, str] | None:
    """The loss-of-function verdict and its evidence for a truncating or canonical splice
    event, else None."""
    classes = set((e.variant_class or "").split("&"))
    if classes & TRUNCATING:
        c_pos, how = _ptc_c_position(e)
        if c_pos is None:
            return "lof", "truncating by class (position on the MANE transcript unknown)"
        rule = rules.ptc(e.gene, c_pos)
        if rule is None:
            return "lof", f"truncating ({how}): no VCEP exception covers c.{c_pos}"
        return LOF_VERDICT[rule.verdict], (
            f"ENIGMA VCEP ({how}, c.{c_pos}): {rule.note} "
            f"(resources brca_lof_rules version {rules.version}, line {rule.line})"
        )
    if classes & CANONICAL_SPLICE:
        m = re.fullmatch(r"c\.(-?\d+[+-][12])([ACGT])>([ACGT])", _bare_c(e.hgvsc) or "")
        if m:
            rule = rules.splice(e.gene, m.group(1), m.group(3))
            if rule is not None:
                return LOF_VERDICT[rule.verdict], (
                    f"ENIGMA VCEP splice site c.{m.group(1)} {m.group(3)}: {rule.note} "
                    f"(resources brca_lof_rules version {rules.version}, line {rule.line})"
                )
        return (
            "lof",
            "canonical splice site by class (no site-by-site VCEP decision for this change)",
        )
    return None


def find_row(e: Event, key: str | None, k: BrcaKnowledge) -> Classified | None:
    """The row of the event's allele, else of its HGVS c. on the MANE transcript (read back
    into an allele on the bundled sequence), else None."""
    index = table_index(k.table)
    if key is not None and (row := index.by_allele(k.build, e.gene, key)) is not None:
        return row
    hgvsc = _mane_c(e, k.transcripts)
    if not hgvsc:
        return None
    if (row := index.by_hgvsc(e.gene, hgvsc)) is not None:
        return row
    model = k.models.get(e.gene)
    if model is None or k.sequence is None:
        return None
    try:
        vcf = allele_from_c(model, k.sequence, hgvsc)
        if vcf is None:
            return None
        a = left_align(k.sequence, model.chrom, trim(*vcf))
    except KeyError:
        return None
    return index.by_allele(k.build, e.gene, allele_key(model.chrom, a))


def _from_table(e: Event, row: Classified) -> Event:
    """Fill what the allele match proves: the MANE naming of an event that had none, and a
    status that only waited for the codon."""
    changes: dict[str, object] = {}
    if not e.hgvsp and row.hgvsp:
        changes.update(hgvsc=row.hgvsc or e.hgvsc, hgvsp=row.hgvsp, variant_class=row.variant_type)
        changes["alteration"] = row.hgvsp.removeprefix("p.")
        changes["notes"] = (*e.notes, f"{row.hgvsc} {row.hgvsp} from the classification table "
                            "(the record's allele matched)")  # fmt: skip
    if e.status == "indeterminate" and e.status_reason.startswith(NEEDS_ANNOTATION):
        changes.update(status="called", status_reason="")
    return replace(e, **changes) if changes else e  # type: ignore[arg-type]


def classify_event(e: Event, k: BrcaKnowledge) -> Event | None:
    """The event with its classification and evidence; None for an intronic event only the
    table's reach brought in that the table does not make relevant."""
    if e.category != "mutation" or e.gene not in GENES:
        return e
    key = match_key(e, k.sequence)
    row = find_row(e, key, k)
    below = ""
    if row is not None:
        verdict = table_verdict(row, k.min_stars)
        evidence = describe_row(row, k.table)
        if verdict is not None:
            if key is not None and row.allele(k.build):  # the allele itself matched
                e = _from_table(e, row)
            return replace(e, classification=verdict, classification_evidence=evidence)
        below = f"{evidence}: below the review level ({k.min_stars} stars), so not decisive; "
    classes = set((e.variant_class or "").split("&"))
    deep = e.splice_offset is not None and abs(e.splice_offset) > k.rule_reach.get(e.gene, 0)
    if classes and classes <= INTRONIC_ONLY and deep:
        return None
    lof = lof_verdict(e, k.lof)
    if lof is not None:
        return replace(e, classification=lof[0], classification_evidence=below + lof[1])
    return replace(
        e,
        classification="unclassified",
        classification_evidence=below
        + f"not classified in the bundled table (ClinVar {k.table.release}; version "
        f"{k.table.version})",
    )


def classify_events(events: Sequence[Event], k: BrcaKnowledge) -> list[Event]:
    """Every event, BRCA1/2 ones classified (see the module docstring)."""
    out = []
    seen = set()
    for e in events:
        c = classify_event(e, k)
        if c is None:
            continue
        if c.classification is not None:
            # two calls of one record (a splice-region call and a codon call) that the table
            # named alike are one event
            key = (c.gene, c.source, c.alt, c.hgvsp, c.variant_class, c.status, c.classification)
            if key in seen:
                continue
            seen.add(key)
        out.append(c)
    return out


def needs_brca(events: Sequence[Event]) -> bool:
    """Whether any event is a BRCA1/2 mutation (only then is the table loaded)."""
    return any(e.category == "mutation" and e.gene in GENES for e in events)
