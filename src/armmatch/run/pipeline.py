"""Per-patient steps called by the Snakemake scripts and the command line.

Each ``detect_*`` function reads one input of one patient into :class:`Evidence`; an input the
sample sheet does not give yields explicit "not assessed" evidence. :func:`assign_patient`
combines the evidence with the rule table and the clinical fields into the assignment record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from armmatch import __version__
from armmatch.calling.brca import BrcaKnowledge, classify_events, needs_brca
from armmatch.calling.copy_number import CnvContext, read_copy_number
from armmatch.calling.fusions import read_fusions
from armmatch.calling.gene_copy_number import GeneSpan
from armmatch.calling.purity import CnvThresholds
from armmatch.calling.reference import FastaReference, fasta_build_problem
from armmatch.calling.small_variants import read_small_variants
from armmatch.config import Settings
from armmatch.decision.assignment import (
    OVERRIDE_REFUSED,
    PROTOCOL_DEVIATION,
    decide,
    waivers_off,
)
from armmatch.decision.eligibility import assess_eligibility, her2_evidence
from armmatch.decision.rules import annotate_events
from armmatch.errors import ConfigError, InputError
from armmatch.events import CATEGORIES, Event, Evidence, not_assessed
from armmatch.genome import other_build
from armmatch.io import sha256_file
from armmatch.knowledge.brca_lof import default_lof_path, lof_rules
from armmatch.knowledge.brca_table import (
    classification_table,
    default_table_path,
    table_header,
    table_intronic_reach,
)
from armmatch.knowledge.drug_classes import DrugVocabulary, load_drug_vocabulary
from armmatch.knowledge.kinase_domains import KinaseRule, load_kinase_rules
from armmatch.knowledge.loci import bundled_loci
from armmatch.knowledge.oncokb import evidence_for as oncokb_evidence
from armmatch.knowledge.rule_table import RuleSet, load_rules
from armmatch.knowledge.table1 import Table1Row, load_table1
from armmatch.knowledge.transcripts import GeneModel, GeneModels, gene_models
from armmatch.paths import DRUG_CLASSES, KINASE_DOMAINS, RULE_TABLE, TABLE1
from armmatch.patient import Patient, Review
from armmatch.readers.cnv_formats import detect_cnv_format
from armmatch.readers.maf import is_maf
from armmatch.readers.vcf import named_sample, vcf_samples
from armmatch.readers.vcf_text import vcf_header_text
from armmatch.report.html import patient_html
from armmatch.report.record import (
    AssignmentRecord,
    assignment_record,
    dumps_json,
    provenance,
    sign_off,
)
from armmatch.report.tables import events_tsv
from armmatch.run.blocks import PATIENT_FILES

COORDINATE_MARGIN = 10_000
"""Annotated target-gene records may lie this far outside the transcript (VEP up/downstream)."""


@cache
def rule_set(path: str | None = None) -> RuleSet:
    """The rule table (bundled unless ``path`` is given), checked against the GRCh38 models."""
    p = path or str(RULE_TABLE)
    return load_rules(p, known_genes=gene_models("GRCh38").genes())


def brca_knowledge(
    settings: Settings, build: str, rules: RuleSet, models: GeneModels
) -> BrcaKnowledge:
    """The BRCA1/2 classification table (with the lab's list), the VCEP loss-of-function rules
    and the build's bundled loci; each read once per process, on the first BRCA1/2 event."""
    return BrcaKnowledge(
        table=classification_table(
            settings.resource_path("brca_classifications", default_table_path()),
            settings.brca_custom,
        ),
        lof=lof_rules(settings.resource_path("brca_lof_rules", default_lof_path())),
        min_stars=settings.brca_min_stars,
        build=build,
        sequence=bundled_loci(build),
        transcripts=preferred_transcripts(models),
        rule_reach=rules.intronic_reach(),
        models={g: m for g in ("BRCA1", "BRCA2") if (m := models.get(g)) is not None},
    )


def decide_events(
    events: Sequence[Event], *, rules: RuleSet, settings: Settings, build: str
) -> list[Event]:
    """The events classified (BRCA1/2: table, lab list, VCEP rules; the knowledge is read only
    when there is a BRCA1/2 event) and matched against the rule table."""
    if needs_brca(events):
        models = gene_models(build, settings.transcripts_path(build))
        events = classify_events(events, brca_knowledge(settings, build, rules, models))
    return annotate_events(events, rules)


def brca_provenance(settings: Settings) -> dict[str, Any]:
    """The BRCA1/2 knowledge a report names: the table (its header only), the review level,
    the lab's list and the loss-of-function rules."""
    table = settings.resource_path("brca_classifications", default_table_path())
    lof = settings.resource_path("brca_lof_rules", default_lof_path())
    head = table_header(table)
    out: dict[str, Any] = {
        "path": Path(table).name, "sha256": sha256_file(table), "version": head["version"],
        "release": head["release"],
        "counts": head["counts"], "min_stars": settings.brca_min_stars,
        "lof_rules": {"path": Path(lof).name, "version": lof_rules(lof).version,
                      "sha256": sha256_file(lof)},
    }  # fmt: skip
    if settings.brca_custom:
        out["custom"] = {"path": Path(settings.brca_custom).name,
                         "sha256": sha256_file(settings.brca_custom)}  # fmt: skip
    return out


def intronic_reach(rules: RuleSet, settings: Settings) -> dict[str, int]:
    """How far into each gene's introns calling reports changes: the rule table's offset
    windows, and for BRCA1/2 the deepest intronic pathogenic or conflicting record of the
    classification table (its header states it; the table itself is not read here)."""
    reach = rules.intronic_reach()
    table = settings.resource_path("brca_classifications", default_table_path())
    for gene, n in table_intronic_reach(table).items():
        reach[gene] = max(reach.get(gene, 0), n + 1)
    return reach


@cache
def table1_rows(path: str) -> tuple[Table1Row, ...]:
    """Table 1 (the protocol's rare tumour list) at ``path`` (read once per process)."""
    return tuple(load_table1(Path(path)))


@cache
def kinase_rules(path: str) -> Mapping[str, KinaseRule]:
    """The kinase-domain retention table at ``path`` (read once per process)."""
    return MappingProxyType(load_kinase_rules(path))


@cache
def drug_vocabulary(path: str) -> DrugVocabulary:
    """The drug-class vocabulary at ``path`` (read once per process)."""
    return load_drug_vocabulary(path)


def patient_build(patient: Patient, default_build: str) -> str:
    """The patient's genome build: the sheet's ``genome_build`` column, else the config's."""
    return patient.genome_build or default_build


def preferred_transcripts(models: GeneModels) -> dict[str, tuple[str, ...]]:
    """Accessions that identify each gene's bundled transcript in annotations
    (:attr:`armmatch.knowledge.transcripts.GeneModels.accessions`)."""
    return models.accessions


def _fits(model: GeneModel | None, e: Event) -> bool:
    """Whether the record's position agrees with its annotation on this build's model.

    With the bundled transcript chosen and an exon given, the record's span (REF bases, and the
    next base for an indel's anchor) must reach into that exon: a deletion that starts in the
    intron and ends in the exon fits. Otherwise it must lie within the gene (+/-
    COORDINATE_MARGIN, for VEP's upstream/downstream calls).
    """
    if model is None or e.pos1 is None or e.chrom is None:
        return False
    bundled = any(n.startswith("transcript: bundled transcript") for n in e.notes)
    if bundled and e.exon is not None:
        span = max(1, len((e.ref or "").replace("-", "")))
        return any(model.exon_at(p) == e.exon for p in range(e.pos1, e.pos1 + span + 1))
    return model.overlaps(e.chrom, e.pos1 - 1 - COORDINATE_MARGIN, e.pos1 + COORDINATE_MARGIN)


def check_coordinates(
    events: Sequence[Event],
    build: str,
    *,
    path: str,
    patient: str,
    settings: Settings | None = None,
) -> None:
    """Stop when annotated target-gene records do not sit where their annotation says on ``build``.

    A record that fits the other build's transcript model is reported as a genome-build
    mismatch (the VCF's coordinates are of the other build). ``settings``: its transcript
    models (custom ones, if configured); default the bundled models.
    """
    other = other_build(build)
    here = gene_models(build, settings.transcripts_path(build) if settings else None)
    there = gene_models(other, settings.transcripts_path(other) if settings else None)
    for e in events:
        if e.category != "mutation" or e.pos1 is None or e.chrom is None:
            continue
        model = here.get(e.gene)
        if model is None or _fits(model, e):
            continue
        where = f"exon {e.exon} of {model.transcript}" if e.exon is not None else e.gene
        hint = (
            f"; it fits {e.gene} on {other}: the VCF looks like {other}"
            if _fits(there.get(e.gene), e)
            else ""
        )
        raise InputError(
            f"record {e.source.record} is annotated as {e.gene} ({where}) but lies outside it "
            f"on {build}{hint}",
            path=path,
            line=e.source.line,
            patient=patient,
        )


def detect_small_variants(
    patient: Patient, *, build: str, rules: RuleSet, settings: Settings
) -> Evidence:
    """Small-variant evidence from the patient's VCF (VEP-annotated, or unannotated: built-in
    classification on the bundled transcript models).

    With ``reference_fasta`` configured for ``build``, REFs are checked against the FASTA and
    the built-in classification is codon-level (:mod:`armmatch.calling.reference`).
    """

    models = gene_models(build, settings.transcripts_path(build))
    other = other_build(build)
    fasta = settings.reference_fasta_for(build)
    # a configured FASTA, checked against the bundled loci; else the bundled loci themselves
    reference: Any = checked_fasta(fasta, build) if fasta else bundled_loci(build)
    try:
        evidence = read_small_variants(
            patient.vcf,
            patient=patient.patient_id,
            build=build,
            genes=rules.genes(),
            preferred=preferred_transcripts(models),
            vcf_sample=patient.vcf_sample,
            policy=settings.small_variants,
            models=models,
            reference=reference,
            region_margin=COORDINATE_MARGIN,
            other_models=gene_models(other, settings.transcripts_path(other)),
            hotspots=settings.hotspots_path(),
            intronic_reach=intronic_reach(rules, settings),
        )
        check_coordinates(
            evidence.events, build, path=patient.vcf, patient=patient.patient_id, settings=settings
        )
        if patient.germline_vcf is not None:
            evidence.extend(
                detect_germline(
                    patient, build=build, rules=rules, settings=settings, reference=reference
                )
            )
    finally:
        if isinstance(reference, FastaReference):
            reference.close()
    return evidence


def checked_fasta(path: str, build: str) -> FastaReference:
    """The configured FASTA, opened; one of the other build (or no genome at all) is refused:
    its bases at the bundled loci must be those of ``build``."""
    fasta = FastaReference(path)
    problem = fasta_build_problem(fasta, bundled_loci(build), bundled_loci(other_build(build)))
    if problem is not None:
        fasta.close()
        raise ConfigError(f"reference_fasta for {build}: {problem}", path=path)
    return fasta


def germline_sample(path: str, tumour_sample: str | None, *, patient: str) -> str | None:
    """The germline sample: the only sample, the only one that is not the tumour sample, or the
    one the VCF names as its normal."""

    if is_maf(path):
        return None
    samples = vcf_samples(path, patient=patient)
    others = [s for s in samples if s != tumour_sample]
    if len(samples) <= 1:
        return samples[0] if samples else None
    if len(others) == 1:
        return others[0]
    if (
        normal := named_sample(samples, vcf_header_text(path, patient=patient), "normal")
    ) is not None:
        return normal[0]  # a tumour/normal VCF given as germline: its normal (##normal_sample)
    raise InputError(
        f"the germline VCF has samples {', '.join(samples)}; it must have one sample, one "
        "besides the tumour's vcf_sample, or name its normal (##normal_sample, a NORMAL column)",
        path=path,
        patient=patient,
    )


def detect_germline(
    patient: Patient,
    *,
    build: str,
    rules: RuleSet,
    settings: Settings,
    reference: Any = None,
) -> Evidence:
    """Events of the patient's germline VCF in the genes of ``small_variants.germline_arms``
    (BRCA1/2 of the niraparib arm by default), marked ``origin='germline'``."""
    from dataclasses import replace

    assert patient.germline_vcf is not None
    path = patient.germline_vcf
    known = {a.arm_id for a in rules.arms}
    unknown = [a for a in settings.germline_arms if a not in known]
    if unknown:
        raise ConfigError(
            f"small_variants.germline_arms names unknown arm(s) {', '.join(unknown)}", path="config"
        )
    genes = tuple(
        sorted({g for a in rules.arms if a.arm_id in settings.germline_arms for g in a.genes})
    )
    models = gene_models(build, settings.transcripts_path(build))
    other = other_build(build)
    evidence = read_small_variants(
        path,
        patient=patient.patient_id,
        build=build,
        genes=genes,
        preferred=preferred_transcripts(models),
        vcf_sample=germline_sample(path, patient.vcf_sample, patient=patient.patient_id),
        germline=True,
        policy=settings.small_variants,
        models=models,
        reference=reference,
        other_models=gene_models(other, settings.transcripts_path(other)),
        hotspots=settings.hotspots_path(),
        intronic_reach=intronic_reach(rules, settings),
    )
    check_coordinates(
        evidence.events, build, path=path, patient=patient.patient_id, settings=settings
    )
    evidence.events = [
        replace(e, origin="germline", notes=(*e.notes, f"germline variant (germline_vcf {path})"))
        for e in evidence.events
    ]
    evidence.assessments = [
        replace(a, reason=f"germline small variants read from {path}") for a in evidence.assessments
    ]
    return evidence


def detect_copy_number(
    patient: Patient, *, build: str, rules: RuleSet, settings: Settings
) -> Evidence:
    """Copy-number evidence, or "not assessed" for every CNV rule gene without a file."""
    genes = rules.genes("cnv")
    if patient.cnv is None:
        return Evidence(
            assessments=not_assessed(genes, "cnv", "no copy-number file in the sample sheet")
        )

    models = gene_models(build, settings.transcripts_path(build))
    other = other_build(build)
    other_models = gene_models(other, settings.transcripts_path(other))
    spans = [GeneSpan(g, m.chrom, m.tx_start0, m.tx_end) for g in genes if (m := models.get(g))]
    other_spans = [
        GeneSpan(g, m.chrom, m.tx_start0, m.tx_end) for g in genes if (m := other_models.get(g))
    ]
    # purity None: unknown; each call is checked over copy_number.min_purity .. 1.0 (a
    # gene-level table gives calls: no purity formula is applied to it)
    purity, _ = purity_in_use(patient, settings)
    ploidy, _ = ploidy_in_use(patient, settings)
    fmt = patient.cnv_format or detect_cnv_format(patient.cnv, patient=patient.patient_id)
    return read_copy_number(
        patient.cnv,
        fmt,
        CnvContext(
            genes=spans,
            thresholds_for=lambda g: _thresholds(settings, g),
            purity=purity,
            ploidy=ploidy,
            patient=patient.patient_id,
            sample=patient.cnv_sample,
            seg_mean_scale="log10" if settings.seg_mean_scale == "log10" else "log2",
            build=build,
            min_purity=settings.min_purity,
            ploidy_range=settings.ploidy_range,
            focal_max_bp=int(settings.focal_max_mb * 1_000_000),
            other_genes=other_spans,
        ),
    )


def _thresholds(settings: Settings, gene: str) -> Any:

    return CnvThresholds(**settings.thresholds_for(gene))


def detect_fusions(
    patient: Patient, *, rules: RuleSet, settings: Settings, build: str | None = None
) -> Evidence:
    """Fusion evidence, or "not assessed" for every fusion rule gene without a file.

    Breakpoints are checked against the bundled transcript models of ``build`` (default: the
    patient's ``genome_build``, else the config's), which also name the genes of breakend VCFs
    and decide ALK/ROS1 kinase-domain retention (``resources/kinase_domains.tsv``).
    """
    genes = rules.genes("fusion")
    if patient.fusions is None:
        return Evidence(
            assessments=not_assessed(genes, "fusion", "no fusion calls in the sample sheet")
        )

    used_build = build or patient_build(patient, settings.genome_build)
    other = other_build(used_build)
    return read_fusions(
        patient.fusions,
        patient.fusion_format,
        genes,
        rules.fusion_roles(),
        settings.require_in_frame,
        patient.patient_id,
        models=gene_models(used_build, settings.transcripts_path(used_build)),
        kinase_rules=kinase_rules(str(settings.resource_path("kinase_domains", KINASE_DOMAINS))),
        other_models=gene_models(other, settings.transcripts_path(other)),
        support=settings.fusion_support,
    )


def combine(evidences: Sequence[Evidence]) -> Evidence:
    """One evidence set, events ordered by category then input order (deterministic)."""
    out = Evidence()
    for ev in evidences:
        out.extend(ev)
    order = {c: i for i, c in enumerate(CATEGORIES)}
    out.events.sort(key=lambda e: order[e.category])
    return out


def assign_patient(
    patient: Patient,
    evidences: Sequence[Evidence],
    *,
    rules: RuleSet,
    settings: Settings,
    build: str,
    sheet: str,
    table1_path: str | None = None,
    drugs_path: str | None = None,
    knowledge: Mapping[str, Any] | None = None,
) -> AssignmentRecord:
    """The full assignment record of one patient (the content of ``assignment.json``).

    ``knowledge`` (the checked resource record of :func:`armmatch.knowledge.manifest.knowledge_record`)
    is stamped into the provenance.
    """
    table1_file = table1_path or str(TABLE1)
    drugs_file = drugs_path or str(DRUG_CLASSES)
    table1 = table1_rows(table1_file)
    drugs = drug_vocabulary(drugs_file)
    evidence = combine([*evidences, her2_evidence(patient, sheet=sheet)])
    transcripts_file = settings.transcripts_path(build)
    models = gene_models(build, transcripts_file)
    events = decide_events(evidence.events, rules=rules, settings=settings, build=build)
    eligibility = assess_eligibility(
        patient, table1=table1, drugs=drugs, min_age=settings.min_age, max_ecog=settings.max_ecog
    )
    problem = rules.override_problem(patient.arm_override) if patient.arm_override else None
    if patient.eligibility_waiver and not settings.eligibility_waivers:
        problem = waivers_off(patient.eligibility_waiver)
    if problem is not None:
        raise InputError(problem, path=sheet, line=patient.line, patient=patient.patient_id)
    decision = decide(
        events=events,
        assessments=evidence.assessments,
        rules=rules,
        eligibility=eligibility,
        arm_override=patient.arm_override,
        override_reason=patient.override_reason,
        eligibility_waiver=patient.eligibility_waiver,
        require_exclusions_assessed=settings.require_exclusions_assessed,
        require_non_ngs_assessed=settings.her2_ihc_required,
    )
    decision.provisional = [
        f"{p} (patient {patient.patient_id}, {sheet} line {patient.line})"
        if p.startswith((OVERRIDE_REFUSED, PROTOCOL_DEVIATION)) else p
        for p in decision.provisional
    ]  # fmt: skip
    events = oncokb_evidence(events, settings.oncokb)  # after the decision: notes only
    resources = {
        "rule_table": {"path": Path(rules.path).name, "version": rules.version, "sha256": rules.sha256},
        "table1": {"path": Path(table1_file).name, "sha256": sha256_file(table1_file)},
        "drug_classes": {"path": Path(drugs_file).name, "version": drugs.version,
                         "sha256": sha256_file(drugs_file)},
        "transcripts": {"path": Path(transcripts_file).name,
                        "sha256": sha256_file(transcripts_file)},
        "brca_classifications": brca_provenance(settings),
    }  # fmt: skip
    origin = provenance(
        build=build,
        version=__version__,
        inputs=evidence.inputs,
        resources=resources,
        parameters=settings.to_dict(),
        knowledge=knowledge,
    )
    return assignment_record(
        patient=patient,
        decision=decision,
        events=events,
        assessments=evidence.assessments,
        eligibility=eligibility,
        provenance=origin,
        clinical=clinical_fields(patient, settings),
        rules=rules,
        report_date=settings.report_date,
        transcripts=bundled_transcripts(models, events),
    )


def bundled_transcripts(models: GeneModels, events: Sequence[Event]) -> dict[str, Any]:
    """The bundled transcript of each event's gene, for the report's one naming scheme."""
    out: dict[str, Any] = {}
    for gene in sorted({e.gene for e in events}):
        model = models.get(gene)
        if model is not None:
            out[gene] = {"refseq": model.transcript, "ensembl": model.ensembl_transcript or None,
                         "mane_select": not model.note}  # fmt: skip
    return out


def purity_in_use(patient: Patient, settings: Settings) -> tuple[float | None, str]:
    """The purity the copy-number calls use and where it comes from (the report states both)."""
    if patient.purity is not None:
        return patient.purity, "sample sheet"
    if settings.default_purity is not None:
        return settings.default_purity, "config default"
    return None, f"unknown: calls checked over purity {settings.min_purity:g}-1.0"


def ploidy_in_use(patient: Patient, settings: Settings) -> tuple[float | None, str]:
    """The tumour ploidy the copy-number calls use and where it comes from (None: unknown, the
    calls are checked over ``copy_number.ploidy_range``)."""
    if patient.ploidy is not None:
        return patient.ploidy, "sample sheet"
    if settings.default_ploidy is not None:
        return settings.default_ploidy, "config default"
    low, high = settings.ploidy_range
    return None, f"unknown: calls checked over ploidy {low:g}-{high:g}"


def clinical_fields(patient: Patient, settings: Settings) -> dict[str, Any]:
    """The sample sheet's clinical values, and the purity/ploidy actually used, for the report."""
    purity, purity_source = purity_in_use(patient, settings)
    ploidy, ploidy_source = ploidy_in_use(patient, settings)
    return {
        "age": patient.age,
        "ecog": patient.ecog,
        "prior_therapies": list(patient.prior_therapies)
        if patient.prior_therapies is not None
        else None,
        "her2_ihc": patient.her2_ihc,
        "her2_ish": patient.her2_ish,
        "purity": purity,
        "ploidy": ploidy,
        "purity_source": purity_source,
        "ploidy_source": ploidy_source,
    }


@dataclass(frozen=True)
class PatientOutputs:
    """One patient's output texts (keyed as :data:`armmatch.run.blocks.PATIENT_FILES`) and the
    decision they record (status and arm, for naming the report)."""

    texts: dict[str, str]
    status: str
    arm: str | None


def assess_patient(
    patient: Patient,
    *,
    build: str,
    rules: RuleSet,
    settings: Settings,
    sheet: str,
    table1_path: str | None = None,
    drugs_path: str | None = None,
    knowledge: Mapping[str, Any] | None = None,
    review: Review | None = None,
    review_source: str = "",
) -> PatientOutputs:
    """Every output text of one patient, keyed as :data:`armmatch.run.blocks.PATIENT_FILES`.

    The assignment record (every event with its input, every assessment and every input's
    sha256: each fact once), its events table and the HTML report. Nothing is written here: the caller writes
    all of them only once every step has succeeded, so a failing patient leaves no output.
    """

    evidences = [
        detect_small_variants(patient, build=build, rules=rules, settings=settings),
        detect_copy_number(patient, build=build, rules=rules, settings=settings),
        detect_fusions(patient, rules=rules, settings=settings, build=build),
    ]
    record = assign_patient(
        patient,
        evidences,
        rules=rules,
        settings=settings,
        build=build,
        sheet=sheet,
        table1_path=table1_path,
        drugs_path=drugs_path,
        knowledge=knowledge,
    )
    record = sign_off(record, review, rules, source=review_source)
    texts = [dumps_json(record), events_tsv(record), patient_html(record, evidences[1].profile)]
    return PatientOutputs(dict(zip(PATIENT_FILES, texts, strict=True)), record.status, record.arm)
