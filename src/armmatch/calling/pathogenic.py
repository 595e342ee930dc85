"""Matching events against the BRCA1/2 pathogenic list (:mod:`armmatch.knowledge.brca_list`).

A missense event matches by gene and protein change, a splice event by gene and HGVS c., both
only on the gene's bundled transcript; a match adds a ``pathogenic: ...`` note that the rule
table's ``pathogenic=yes`` criterion requires.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from armmatch.events import Event
from armmatch.hgvs import ProteinChange, parse_protein_change, unversioned
from armmatch.knowledge.brca_list import NOTE_PREFIX, PathogenicList, PathogenicVariant

# ---------------------------------------------------------------------------------------------
# matching
# ---------------------------------------------------------------------------------------------


def _bare_c(hgvsc: str) -> str:
    return hgvsc.rsplit(":", 1)[-1].strip()


def _same_protein(a: ProteinChange, b: ProteinChange) -> bool:
    return (a.kind, a.start_aa, a.start_pos, a.alt) == (b.kind, b.start_aa, b.start_pos, b.alt)


def find_match(
    event: Event, plist: PathogenicList, transcripts: Mapping[str, Sequence[str]]
) -> PathogenicVariant | None:
    """The list row matching ``event``, or None.

    ``transcripts`` maps each gene to the accessions of its bundled transcript; an event
    annotated on another transcript is never matched (its numbering may differ).
    """
    if event.category != "mutation":
        return None
    accepted = {unversioned(t) for t in transcripts.get(event.gene, ())}
    if event.transcript and unversioned(event.transcript) not in accepted:
        return None
    classes = set((event.variant_class or "").split("&"))
    protein: ProteinChange | None = None
    if event.hgvsp and "missense" in classes:
        try:
            protein = parse_protein_change(event.hgvsp)
        except ValueError:
            protein = None
    for v in plist.variants:
        if v.gene != event.gene:
            continue
        if v.variant_type == "missense" and protein is not None:
            if _same_protein(protein, parse_protein_change(v.hgvsp)):
                return v
        elif (
            v.variant_type == "splice"
            and event.hgvsc
            and classes & {"splice_region", "intron", "splice_donor", "splice_acceptor"}
            and _bare_c(event.hgvsc) == v.hgvsc
        ):
            return v
    return None


def classification_note(v: PathogenicVariant, plist: PathogenicList) -> str:
    """The note a matched event carries (shown in the report and events.tsv)."""
    date = (
        f"last evaluated {v.last_evaluated}" if v.last_evaluated else "evaluation date not recorded"
    )
    ident = f"ClinVar {v.clinvar_id}" if v.clinvar_id else "ClinVar id not recorded"
    return (
        f"{NOTE_PREFIX}ClinVar {v.classification} ({v.review_status or 'review status not recorded'}"
        f"; {date}; {ident}); {v.gene} {v.hgvsc} {v.hgvsp} on the list "
        f"resources brca_pathogenic version {plist.version}"
    )


def classify_events(
    events: Sequence[Event], plist: PathogenicList, transcripts: Mapping[str, Sequence[str]]
) -> list[Event]:
    """The events, each one on the list carrying its ``pathogenic: ...`` note (pure)."""
    out = []
    for e in events:
        v = find_match(e, plist, transcripts)
        out.append(replace(e, notes=(*e.notes, classification_note(v, plist))) if v else e)
    return out


def is_classified_pathogenic(event: Event) -> bool:
    """True when :func:`classify_events` marked the event as on the pathogenic list."""
    return any(n.startswith(NOTE_PREFIX) for n in event.notes)
