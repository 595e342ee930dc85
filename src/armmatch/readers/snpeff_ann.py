"""snpEff's ``ANN`` INFO field, with its effect terms translated to Sequence Ontology terms."""

from __future__ import annotations

from collections.abc import Sequence

from armmatch.readers.vep_csq import CsqEntry

SNPEFF_TERMS: dict[str, str] = {
    "conservative_inframe_deletion": "inframe_deletion",
    "disruptive_inframe_deletion": "inframe_deletion",
    "conservative_inframe_insertion": "inframe_insertion",
    "disruptive_inframe_insertion": "inframe_insertion",
    "initiator_codon_variant": "start_lost",
    "start_lost": "start_lost",
    "exon_loss_variant": "exon_loss_variant",
    "5_prime_UTR_premature_start_codon_gain_variant": "5_prime_UTR_variant",
    "non_coding_transcript_exon_variant": "non_coding_transcript_exon_variant",
    "intragenic_variant": "intron_variant",
}

ANN_FIELDS = (
    "Allele", "Annotation", "Annotation_Impact", "Gene_Name", "Gene_ID", "Feature_Type",
    "Feature_ID", "Transcript_BioType", "Rank", "HGVS.c", "HGVS.p",
)  # fmt: skip


def has_ann_header(raw_header: str) -> bool:
    """Whether the header declares SnpEff's ``##INFO=<ID=ANN,...>``."""
    return any(line.startswith("##INFO=<ID=ANN,") for line in raw_header.splitlines())


def parse_ann(value: str, alts: Sequence[str]) -> list[CsqEntry]:
    """SnpEff ``ANN`` entries as CSQ-style entries (same field names as VEP's).

    ``Rank`` (``exon/total`` or ``intron/total``) becomes ``INTRON`` for intronic annotations
    (intron, splice donor/acceptor) and ``EXON`` otherwise; the ALT allele becomes
    ``ALLELE_NUM``. Entries of other features (e.g. ``intergenic_region``) are kept but carry
    no transcript.

    >>> e, = parse_ann("T|missense_variant|MODERATE|BRAF|673|transcript|NM_004333.6|"
    ...                "protein_coding|15/18|c.1799T>A|p.Val600Glu|1799/2301|1799/2301|600/766||", ["T"])
    >>> e.get("EXON"), e.get("HGVSp"), e.get("ALLELE_NUM")
    ('15/18', 'p.Val600Glu', '1')
    """
    out = []
    for block in value.split(","):
        parts = block.split("|")
        if len(parts) < len(ANN_FIELDS):
            raise ValueError(
                f"ANN entry has {len(parts)} fields, at least {len(ANN_FIELDS)} expected"
            )
        f = dict(zip(ANN_FIELDS, parts, strict=False))
        terms = [SNPEFF_TERMS.get(t, t) for t in f["Annotation"].split("&") if t]
        intronic = any(
            t in ("intron_variant", "splice_donor_variant", "splice_acceptor_variant")
            for t in terms
        ) and not any(t.endswith(("missense_variant", "inframe_deletion", "inframe_insertion",
                                  "frameshift_variant", "stop_gained", "synonymous_variant"))
                      for t in terms)  # fmt: skip
        allele = f["Allele"].split("-")[-1]  # cancer mode writes "ALT-REF"
        num = str(alts.index(allele) + 1) if allele in alts else ""
        out.append(
            CsqEntry(
                {
                    "Allele": allele,
                    "ALLELE_NUM": num,
                    "Consequence": "&".join(terms),
                    "SYMBOL": f["Gene_Name"],
                    "Feature": f["Feature_ID"],
                    "EXON": "" if intronic else f["Rank"],
                    "INTRON": f["Rank"] if intronic else "",
                    "HGVSc": f["HGVS.c"],
                    "HGVSp": f["HGVS.p"],
                }
            )
        )
    return out
