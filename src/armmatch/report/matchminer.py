"""MatchMiner exchange: the rule table as a CTML trial document, each patient as MatchMiner's
clinical and genomic documents.

CTML as MatchMiner's engine reads it (matchengine-V2, ``dfci_config.json`` field mapping;
reference copy in ``../shared/reference/matchengine-v2``): ``treatment_list`` > ``step`` >
``arm`` > ``match``, a tree of ``and``/``or`` over ``genomic`` and ``clinical`` criteria. Each
rule becomes ``genomic`` criteria (``hugo_symbol``, ``variant_category``, ``protein_change``,
``wildcard_protein_change``, ``exon``, ``variant_classification``, ``cnv_call``,
``fusion_partner_hugo_symbol``); the molecular exclusions are negated criteria (``!`` on
``variant_category``: the engine then drops every patient with a matching document) joined to
every arm; the PD-1 arm is the exclusions plus the negation of every targeted criterion.

What CTML cannot say is listed in the document's ``not_expressed`` (rule, arm, what is lost)
and in the README: purity-adjusted copy-number thresholds (CTML has only the lab's call),
fusion orientation and kinase-domain retention (the engine matches either partner order),
intronic offset windows, the BRCA1/2 classifications, review-only rules, HER2 IHC/ISH (the
mapping ignores ``her2_status``), the Table 1 rare-tumour list, ECOG and prior therapies,
secondary resistance, and the not-assessed rule (MatchMiner reads a missing document as
negative). MatchMiner also returns every matching arm; armmatch's priority picks one.

Patient documents carry only **called** events: an indeterminate event is a question for the
board, and MatchMiner has no way to say so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from armmatch.events import Event
from armmatch.knowledge.rule_table import Rule, RuleSet
from armmatch.report.cbioportal import MAF_CLASSES, maf_classification
from armmatch.report.record import AssignmentRecord, hgvs_names

PROTOCOL_NO = "PLATFORM"
NCT_ID = "NCT04423185"
Criterion = dict[str, Any]

_SHARED_CLASS: Mapping[str, str] = {
    "inframe_delins": "an in-frame delins written with the MAF class of a plain deletion, "
                      "insertion or substitution the rule does not count",
    "exon_boundary_deletion": "a deletion across the exon boundary (Splice_Site in a MAF, "
                              "which would also match splice-site substitutions)",
    "exon_deletion": "a whole-exon deletion (Splice_Site in a MAF, which would also match "
                     "splice-site substitutions)",
}  # fmt: skip
"""Classes whose MAF classification also holds alterations the rule does not count: they are
matched only through a class the rule counts anyway (CTML never matches more than armmatch),
otherwise listed as not expressed."""

_CNV_CALL = {"amplification": "High Amplification", "homozygous_deletion": "Homozygous Deletion"}
"""CTML ``cnv_call`` values (the engine maps them to the patient's ``CNV_CALL``)."""
_PATIENT_CNV = {
    "amplification": "High level amplification", "gain": "Gain",
    "loss": "Heterozygous deletion", "homozygous_deletion": "Homozygous deletion",
}  # fmt: skip
_CATEGORY = {"mutation": "Mutation", "cnv": "Copy Number Variation",
             "fusion": "Structural Variation"}  # fmt: skip
_NOT_CTML = {
    "pathogenic": "a BRCA1/2 classification (resources/brca_classifications.tsv) has no CTML key",
    "classification": "a BRCA1/2 classification (ClinVar table, VCEP loss-of-function rules) has "
                      "no CTML key",
    "near_exon": "an intronic variant's nearest exon has no CTML key (TRUE_TRANSCRIPT_EXON is "
                 "empty for intronic variants)",
    "offset": "intronic offset windows have no CTML key",
    "intron": "the intron number has no CTML key",
    "protein_change": "'protein change absent' has no CTML key",
}  # fmt: skip


@dataclass(frozen=True)
class NotExpressed:
    """A rule, or part of one, that the CTML document cannot carry."""

    rule_id: str
    arm_id: str
    lost: str

    def to_dict(self) -> dict[str, str]:
        return {"rule_id": self.rule_id, "arm_id": self.arm_id, "lost": self.lost}


def _negated(c: Criterion) -> Criterion:
    out = dict(c)
    out["variant_category"] = "!" + str(c["variant_category"])
    return out


def rule_criteria(rule: Rule) -> tuple[list[Criterion], list[NotExpressed]]:
    """The ``genomic`` criteria (any of them matches) for one rule, and what is lost.

    An empty list means the rule has no CTML form at all.
    """

    def lost(what: str) -> NotExpressed:
        return NotExpressed(rule.rule_id, rule.arm_id, what)

    c = rule.criterion
    if rule.review:
        return [], [lost("a review-only rule: it never assigns an arm")]
    if rule.category == "ihc":
        return [], [lost("HER2 IHC/ISH: MatchMiner's field mapping ignores her2_status")]
    if rule.category in ("none", "resistance"):
        return [], []  # the PD-1 arm is built from the others; resistance: see ctml_trial
    base: Criterion = {"hugo_symbol": rule.gene, "variant_category": _CATEGORY[rule.category]}
    notes: list[NotExpressed] = []
    if rule.category == "cnv":
        base["cnv_call"] = _CNV_CALL[c["call"]]
        notes.append(lost("the purity-adjusted copy-number threshold (config copy_number): CTML "
                          "matches the laboratory's own call"))  # fmt: skip
        return [base], notes
    if rule.category == "fusion":
        base["fusion_partner_hugo_symbol"] = "any_gene"
        if c.get("role") in ("3prime", "5prime"):
            notes.append(lost(f"{rule.gene} as the {c['role'].removesuffix('prime')}' partner and "
                              "kinase-domain retention: the engine matches either partner order"))  # fmt: skip
        return [base], notes
    blocking = [key for key in _NOT_CTML if key in c]
    if c.get("classification") == "lof" and "class" in c:
        # the truncating classes are expressed; the table and the VCEP exceptions are not
        blocking.remove("classification")
        notes.append(lost("the BRCA1/2 classification table and the ENIGMA VCEP exceptions "
                          "(last exon, exons where loss of function does not apply, splice "
                          "sites): the engine matches every truncating variant by class"))  # fmt: skip
    if blocking:
        return [], [lost(_NOT_CTML[k]) for k in blocking]
    if "exon" in c:
        base["exon"] = int(c["exon"])
    if "protein" in c:
        protein = c["protein"]
        if protein.endswith("X"):
            base["wildcard_protein_change"] = "p." + protein[:-1]
        else:
            base["protein_change"] = "p." + protein
        return [base], notes
    if "codon" in c:
        base["wildcard_protein_change"] = "p." + c["codon"]
        extra = [k for k in c.get("class", "").split(",") if k and k != "missense"]
        if extra:
            notes.append(lost(f"codon {c['codon']} changes other than a substitution "
                              f"({', '.join(extra)}): wildcard_protein_change matches one "
                              "substituted residue"))  # fmt: skip
        return [base], notes
    wanted = [k for k in c.get("class", "").split(",") if k]
    own = {m for k in wanted if k not in _SHARED_CLASS for m in MAF_CLASSES.get(k, ())}
    for k in wanted:
        if k in _SHARED_CLASS and not set(MAF_CLASSES[k]) <= own:
            notes.append(lost(_SHARED_CLASS[k]))
    if "splice_region" in wanted and "missense" not in wanted:
        notes.append(lost("a splice-region change that also changes an amino acid (a MAF "
                          "writes the more severe Missense_Mutation)"))  # fmt: skip
    nodes = [{**base, "variant_classification": m} for m in sorted(own)]
    return nodes or ([base] if not wanted else []), notes


def _any(criteria: Sequence[Criterion]) -> dict[str, Any]:
    nodes = [{"genomic": g} for g in criteria]
    return nodes[0] if len(nodes) == 1 else {"or": nodes}


def ctml_trial(rules: RuleSet, *, min_age: int) -> dict[str, Any]:
    """The PLATFORM protocol as one CTML trial document (rule-set version stamped)."""
    notes: list[NotExpressed] = []
    exclusions: list[Criterion] = []
    targeted: dict[str, list[Criterion]] = {}
    for rule in rules.rules:
        criteria, lost = rule_criteria(rule)
        notes += lost
        if rule.arm_type == "exclusion":
            exclusions += [_negated(g) for g in criteria]
        elif rule.arm_type == "targeted":
            targeted.setdefault(rule.arm_id, []).extend(criteria)
    clinical = {
        "clinical": {"age_numerical": f">={min_age}", "oncotree_primary_diagnosis": "_SOLID_"}
    }
    excluded = [{"genomic": g} for g in exclusions]
    arms: list[dict[str, Any]] = []
    for number, arm in enumerate(rules.arms, start=1):
        if arm.arm_type == "targeted" and targeted.get(arm.arm_id):
            tree = [clinical, _any(targeted[arm.arm_id]), *excluded]
        elif arm.arm_type == "immunotherapy":
            negated = [{"genomic": _negated(g)} for gs in targeted.values() for g in gs]
            tree = [clinical, *excluded, *negated]
            notes.append(NotExpressed(arm.rules[0].rule_id, arm.arm_id,
                                      "the not-assessed rule (every listed alteration assessed): "
                                      "MatchMiner reads a missing document as negative, and "
                                      "targeted rules without a CTML form are not negated"))  # fmt: skip
        else:
            if arm.arm_type in ("combination", "targeted"):
                what = ("secondary resistance on a trial arm" if arm.arm_type == "combination"
                        else "no rule of this arm has a CTML form")  # fmt: skip
                notes.append(
                    NotExpressed(arm.rules[0].rule_id, arm.arm_id, f"arm left out: {what}")
                )
            continue
        arms.append({
            "arm_code": arm.arm_id,
            "arm_description": f"{arm.drug} ({', '.join(arm.doses)}): "
                               + "; ".join(dict.fromkeys(r.alteration_label for r in arm.rules)),
            "arm_internal_id": number, "arm_suspended": "N", "arm_type": arm.arm_type,
            "dose_level": [], "match": [{"and": tree}],
        })  # fmt: skip
    shared = [
        "the Table 1 rare-tumour list (ICD-10; CTML's oncotree_primary_diagnosis is _SOLID_)",
        "ECOG performance status",
        "prior therapies (clinical exclusions 2 and 3)",
        "not assessed is not negative: a patient whose fusions or copy number were not "
        "assessed passes every negated exclusion in MatchMiner (armmatch: incomplete)",
    ]
    return {
        "protocol_no": PROTOCOL_NO, "nct_id": NCT_ID,
        "short_title": "PLATFORM: advanced rare solid tumours",
        "long_title": "PLATFORM study of targeted therapy and PD-1 blockade in advanced rare "
                      "solid tumours, arms by molecular alteration",
        "phase": "II",
        "rule_set_version": rules.version,
        "treatment_list": {"step": [{"step_internal_id": 1, "step_code": "1",
                                     "step_type": "Registration", "arm": arms}]},
        "not_expressed": [n.to_dict() for n in notes]
                         + [{"rule_id": "-", "arm_id": "*", "lost": s} for s in shared],
    }  # fmt: skip


def clinical_document(record: AssignmentRecord) -> dict[str, Any]:
    """The patient as a MatchMiner clinical document (``SAMPLE_ID`` joins the genomic ones).

    MatchMiner matches age on ``BIRTH_DATE_INT``, which the sample sheet does not hold: the
    document carries ``AGE`` for the reader and no birth date.
    """
    doc: dict[str, Any] = {
        "SAMPLE_ID": record.patient_id, "MRN": record.patient_id,
        "ONCOTREE_PRIMARY_DIAGNOSIS_NAME": record.tumour_type,
        "AGE": record.clinical.get("age"), "VITAL_STATUS": "alive",
        "ARMMATCH_STATUS": record.status, "ARMMATCH_ARM": record.arm,
        "ARMMATCH_RULE_SET": record.rule_set_version,
    }  # fmt: skip
    if record.specimen.specimen_id:
        doc["SPECIMEN_ID"] = record.specimen.specimen_id
    if record.specimen.report_date:
        doc["REPORT_DATE"] = {"$date": f"{record.specimen.report_date}T00:00:00Z"}
    return doc


def genomic_document(record: AssignmentRecord, event_id: str, e: Event) -> dict[str, Any]:
    """One called event as a MatchMiner genomic document."""
    doc: dict[str, Any] = {"SAMPLE_ID": record.patient_id, "TRUE_HUGO_SYMBOL": e.gene,
                           "WILDTYPE": False, "ARMMATCH_EVENT": event_id}  # fmt: skip
    if e.category == "mutation":
        names = hgvs_names(e, record.transcripts)
        doc.update({
            "VARIANT_CATEGORY": "MUTATION", "TRUE_PROTEIN_CHANGE": names.p or None,
            "TRUE_CDNA_CHANGE": names.c or None,
            "TRUE_VARIANT_CLASSIFICATION": maf_classification(e),
            "TRUE_TRANSCRIPT_EXON": e.exon, "CHROMOSOME": e.chrom, "POSITION": e.pos1,
            "REFERENCE_ALLELE": e.ref, "ALLELE_FRACTION": e.vaf,
        })  # fmt: skip
    elif e.category == "cnv":
        doc.update({"VARIANT_CATEGORY": "CNV", "CNV_CALL": _PATIENT_CNV.get(str(e.cnv_call))})
    elif e.category == "fusion":
        doc.update({
            "VARIANT_CATEGORY": "SV", "LEFT_PARTNER_GENE": e.gene5, "RIGHT_PARTNER_GENE": e.gene3,
            "FUSION_PARTNER_HUGO_SYMBOL": e.gene5 if e.gene3 == e.gene else e.gene3,
            "STRUCTURAL_VARIANT_COMMENT": e.alteration, "STRUCTURAL_VARIANT_TYPE": "FUSION",
        })  # fmt: skip
    return doc


def genomic_documents(record: AssignmentRecord) -> list[tuple[str, dict[str, Any]]]:
    """``(<patient>_<event id>, document)`` for every called event that MatchMiner can hold
    (neutral copy number and IHC results are not genomic documents)."""
    out = []
    for r in record.events:
        e = r.event
        if e.status != "called" or e.category not in _CATEGORY:
            continue
        if e.category == "cnv" and str(e.cnv_call) not in _PATIENT_CNV:
            continue
        out.append((f"{record.patient_id}_{r.event_id}", genomic_document(record, r.event_id, e)))
    return out
