"""Annotators' consequences to armmatch's variant classes, and the transcript choice.

VEP and snpEff write Sequence Ontology terms; :data:`SO_TO_CLASS` maps them to the classes the
rule table names, and :func:`choose_transcript` picks the entry on the gene's bundled (MANE)
transcript, else the annotator's canonical one, with a note.
"""

from __future__ import annotations

from collections.abc import Sequence

from armmatch.hgvs import parse_protein_change, unversioned
from armmatch.readers.vep_csq import CsqEntry

SO_TO_CLASS: dict[str, str] = {
    "transcript_ablation": "exon_deletion",
    "exon_loss_variant": "exon_deletion",
    "splice_acceptor_variant": "splice_acceptor",
    "splice_donor_variant": "splice_donor",
    "stop_gained": "stop_gained",
    "frameshift_variant": "frameshift",
    "stop_lost": "stop_lost",
    "start_lost": "start_lost",
    "inframe_insertion": "inframe_insertion",
    "inframe_deletion": "inframe_deletion",
    "protein_altering_variant": "inframe_delins",
    "missense_variant": "missense",
    "splice_region_variant": "splice_region",
    "splice_donor_5th_base_variant": "splice_region",
    "splice_donor_region_variant": "splice_region",
    "splice_polypyrimidine_tract_variant": "splice_region",
    "coding_sequence_variant": "other",
    "incomplete_terminal_codon_variant": "other",
    "synonymous_variant": "synonymous",
    "stop_retained_variant": "synonymous",
    "start_retained_variant": "synonymous",
    "5_prime_UTR_variant": "utr",
    "3_prime_UTR_variant": "utr",
    "intron_variant": "intron",
    "upstream_gene_variant": "upstream",
    "downstream_gene_variant": "downstream",
}
CLASS_ORDER = (
    "exon_deletion", "splice_acceptor", "splice_donor", "exon_boundary_deletion", "stop_gained",
    "frameshift", "stop_lost", "start_lost", "inframe_insertion", "inframe_deletion",
    "inframe_delins", "missense", "splice_region", "intronic_deletion", "other", "synonymous",
    "utr", "intron", "upstream", "downstream",
)  # fmt: skip
NON_PROTEIN = frozenset({"synonymous", "utr", "intron", "upstream", "downstream"})


def choose_transcript(
    entries: Sequence[CsqEntry], preferred: Sequence[str]
) -> tuple[CsqEntry, str]:
    """Pick the entry on the gene's reference transcript, and say why it was chosen.

    Order: the bundled transcript (ENST or NM, version-insensitive) as ``Feature`` or in the
    ``RefSeq`` field; then ``MANE_SELECT``; ``CANONICAL=YES``; ``PICK=1``; the first entry.
    """
    want = {unversioned(p) for p in preferred}
    for e in entries:
        if unversioned(e.get("Feature")) in want:
            return e, f"bundled transcript {e.get('Feature')}"
    for e in entries:
        refseq = {unversioned(x) for x in e.get("RefSeq").split("&") if x}
        if refseq & want:
            return e, f"bundled transcript {sorted(refseq & want)[0]} (via {e.get('Feature')})"
    for e in entries:
        if e.get("MANE_SELECT") or "MANE_Select" in e.get("MANE"):
            return e, f"MANE Select {e.get('Feature')}"
    for e in entries:
        if e.get("CANONICAL") == "YES":
            return e, f"canonical {e.get('Feature')}"
    for e in entries:
        if e.get("PICK") == "1":
            return e, f"VEP PICK {e.get('Feature')}"
    return entries[
        0
    ], f"first CSQ entry {entries[0].get('Feature')} (no preferred transcript present)"


def classify(consequence: str, hgvsp: str | None) -> list[str]:
    """Normalised variant classes, most severe first, from SO terms and the protein change.

    Examples
    --------
    >>> classify("missense_variant&splice_region_variant", "p.Asp1028His")
    ['missense', 'splice_region']
    >>> classify("inframe_deletion", "p.Leu747_Ser752delinsGln")
    ['inframe_deletion', 'inframe_delins']
    """
    classes = {SO_TO_CLASS.get(term, "other") for term in consequence.split("&") if term}
    if hgvsp:
        try:
            kind = parse_protein_change(hgvsp).kind
        except ValueError:
            kind = "unknown"
        extra = {
            "delins": "inframe_delins",
            "duplication": "inframe_insertion",
            "insertion": "inframe_insertion",
            "deletion": "inframe_deletion",
            "nonsense": "stop_gained",
            "frameshift": "frameshift",
        }.get(kind)
        if extra:
            classes.add(extra)
    return [c for c in CLASS_ORDER if c in classes]
