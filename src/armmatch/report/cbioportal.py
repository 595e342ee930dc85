"""A batch's events as a cBioPortal study: MAF (vcf2maf columns), discrete CNA and SV tables.

One study folder per genome build of the batch (cBioPortal takes one reference genome per
study): ``meta_study.txt``, the clinical sample file (patient, status, arm), and each data
file with its meta file, in the formats cBioPortal's importer reads (cbioportal-core,
``validateData.py``):

- ``data_mutations.txt``: the MAF of every reported small variant (called, and indeterminate
  with ``FILTER`` = ``indeterminate``), vcf2maf's 34 standard columns plus HGVSc, HGVSp,
  HGVSp_Short, Transcript_ID, Exon_Number, depth and allele counts, and armmatch's own
  columns (lower case, which cBioPortal ignores): status, reason, rules, arms, source.
- ``data_cna.txt``: discrete copy number of the rule table's copy-number genes per sample
  (-2 homozygous deletion, -1 loss, 0 neutral, 1 gain, 2 amplification; an indeterminate
  call is written as the call it certainly is, gain or loss, never as amplification or
  homozygous deletion; ``NA`` where copy number was not assessed).
- ``data_sv.txt``: every reported fusion in cBioPortal's structural-variant format (site 1 the
  5' partner, site 2 the 3' partner).

Cells are written for loaders, not spreadsheets: tabs and line breaks become spaces and
nothing else is changed (a MAF's ``-`` allele stays ``-``). The same records give the same
files byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from armmatch.events import Event
from armmatch.report.record import AssignmentRecord, hgvs_names

STUDY_ID = "armmatch_platform"
BUILD_GENOME = {"GRCh38": "hg38", "GRCh37": "hg19"}

MAF_COLUMNS = (
    "Hugo_Symbol", "Entrez_Gene_Id", "Center", "NCBI_Build", "Chromosome", "Start_Position",
    "End_Position", "Strand", "Variant_Classification", "Variant_Type", "Reference_Allele",
    "Tumor_Seq_Allele1", "Tumor_Seq_Allele2", "dbSNP_RS", "dbSNP_Val_Status",
    "Tumor_Sample_Barcode", "Matched_Norm_Sample_Barcode", "Match_Norm_Seq_Allele1",
    "Match_Norm_Seq_Allele2", "Tumor_Validation_Allele1", "Tumor_Validation_Allele2",
    "Match_Norm_Validation_Allele1", "Match_Norm_Validation_Allele2", "Verification_Status",
    "Validation_Status", "Mutation_Status", "Sequencing_Phase", "Sequence_Source",
    "Validation_Method", "Score", "BAM_File", "Sequencer", "Tumor_Sample_UUID",
    "Matched_Norm_Sample_UUID", "HGVSc", "HGVSp", "HGVSp_Short", "Transcript_ID", "Exon_Number",
    "t_depth", "t_ref_count", "t_alt_count", "n_depth", "n_ref_count", "n_alt_count",
    "Consequence", "FILTER", "armmatch_status", "armmatch_reason", "armmatch_rule_ids",
    "armmatch_arm_ids", "armmatch_source",
)  # fmt: skip
"""vcf2maf's output columns (the 34 of the MAF specification, then its VEP-derived ones that
cBioPortal reads), then armmatch's own."""

SV_COLUMNS = (
    "Sample_Id", "SV_Status", "Site1_Hugo_Symbol", "Site1_Chromosome", "Site1_Position",
    "Site2_Hugo_Symbol", "Site2_Chromosome", "Site2_Position", "Site2_Effect_On_Frame",
    "NCBI_Build", "Event_Info", "Comments", "armmatch_status", "armmatch_rule_ids",
    "armmatch_arm_ids",
)  # fmt: skip

_SV_UNIQUE = ("Sample_Id", "Site1_Hugo_Symbol", "Site1_Chromosome", "Site1_Position",
              "Site2_Hugo_Symbol", "Site2_Chromosome", "Site2_Position", "Event_Info")  # fmt: skip
"""The columns cBioPortal tells structural-variant rows apart by (of those written here)."""

MAF_CLASS: Mapping[str, str] = {
    "missense": "Missense_Mutation", "stop_gained": "Nonsense_Mutation",
    "inframe_deletion": "In_Frame_Del", "inframe_insertion": "In_Frame_Ins",
    "splice_donor": "Splice_Site", "splice_acceptor": "Splice_Site",
    "exon_boundary_deletion": "Splice_Site", "exon_deletion": "Splice_Site",
    "splice_region": "Splice_Region", "start_lost": "Translation_Start_Site",
    "stop_lost": "Nonstop_Mutation", "synonymous": "Silent", "intron": "Intron",
    "intronic_deletion": "Intron", "upstream": "5'Flank", "downstream": "3'Flank",
}  # fmt: skip
"""armmatch's variant classes as MAF ``Variant_Classification`` (vcf2maf's mapping of the SO
terms). ``frameshift`` and ``inframe_delins`` depend on the alleles (:func:`maf_classification`)."""

MAF_CLASSES: Mapping[str, tuple[str, ...]] = {
    **{cls: (maf,) for cls, maf in MAF_CLASS.items()},
    "frameshift": ("Frame_Shift_Del", "Frame_Shift_Ins"),
    "inframe_delins": ("In_Frame_Del", "In_Frame_Ins", "Missense_Mutation"),
}
"""Every MAF class an armmatch variant class can be written as (:func:`maf_classification`
picks the one its alleles give)."""

_MAF_ORDER = (
    "Splice_Site", "Nonsense_Mutation", "Frame_Shift_Del", "Frame_Shift_Ins", "Nonstop_Mutation",
    "Translation_Start_Site", "In_Frame_Ins", "In_Frame_Del", "Missense_Mutation",
    "Splice_Region", "Silent", "Intron", "5'Flank", "3'Flank",
)  # fmt: skip
"""Most severe first, as vcf2maf picks one class for several consequence terms."""

CNA_VALUE: Mapping[str, str] = {
    "amplification": "2", "indeterminate_gain": "1", "gain": "1", "neutral": "0",
    "loss": "-1", "indeterminate_loss": "-1", "homozygous_deletion": "-2",
}  # fmt: skip


def cell(value: object) -> str:
    """One cell of a loader's TSV: None is empty, tabs and line breaks become spaces."""
    if value is None:
        return ""
    text = str(value)
    for ch in "\t\r\n":
        text = text.replace(ch, " ")
    return text


def _line(cells: Iterable[object]) -> str:
    return "\t".join(cell(c) for c in cells) + "\n"


@dataclass(frozen=True)
class MafAllele:
    """An allele the MAF way: 1-based inclusive ``start1``..``end1``, ``-`` for an empty side."""

    start1: int
    end1: int
    ref: str
    alt: str
    variant_type: str


def maf_allele(pos1: int, ref: str, alt: str) -> MafAllele:
    """VCF-style ``pos1``/``ref``/``alt`` (shared anchor bases allowed) as a MAF allele.

    >>> maf_allele(100, "AGG", "A")
    MafAllele(start1=101, end1=102, ref='GG', alt='-', variant_type='DEL')
    >>> maf_allele(100, "C", "CAT")
    MafAllele(start1=100, end1=101, ref='-', alt='AT', variant_type='INS')
    """
    while ref and alt and ref[0] == alt[0] and (len(ref) > 1 or len(alt) > 1):
        ref, alt, pos1 = ref[1:], alt[1:], pos1 + 1
    while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    if not ref:
        return MafAllele(pos1 - 1, pos1, "-", alt, "INS")
    if not alt:
        return MafAllele(pos1, pos1 + len(ref) - 1, ref, "-", "DEL")
    if len(ref) == len(alt):
        kind = {1: "SNP", 2: "DNP", 3: "TNP"}.get(len(ref), "ONP")
        return MafAllele(pos1, pos1 + len(ref) - 1, ref, alt, kind)
    return MafAllele(pos1, pos1 + len(ref) - 1, ref, alt, "DEL" if len(ref) > len(alt) else "INS")


def maf_classification(e: Event) -> str:
    """The event's MAF ``Variant_Classification`` (the most severe of its classes)."""
    ref, alt = e.ref or "", e.alt or ""
    shorter = len(ref) > len(alt)
    found = []
    for cls in (e.variant_class or "").split("&"):
        if cls == "frameshift":
            found.append("Frame_Shift_Del" if shorter else "Frame_Shift_Ins")
        elif cls == "inframe_delins":
            found.append("Missense_Mutation" if len(ref) == len(alt) else
                         "In_Frame_Del" if shorter else "In_Frame_Ins")  # fmt: skip
        elif cls in MAF_CLASS:
            found.append(MAF_CLASS[cls])
    ranked = sorted(found, key=_MAF_ORDER.index)
    return ranked[0] if ranked else "Unknown"


def reported(record: AssignmentRecord, category: str) -> list[tuple[str, Event]]:
    """The record's called and indeterminate events of ``category`` (filtered ones are not
    reported), with their ids."""
    return [(r.event_id, r.event) for r in record.events
            if r.event.category == category and r.event.status != "filtered"]  # fmt: skip


def _join(values: Sequence[str]) -> str:
    return ",".join(values)


def maf_row(record: AssignmentRecord, e: Event) -> list[object]:
    """One MAF row (:data:`MAF_COLUMNS`) for a small-variant event."""
    build = record.provenance.genome_build
    allele = maf_allele(int(e.pos1 or 0), e.ref or "", e.alt or "")
    names = hgvs_names(e, record.transcripts)
    depth = e.depth
    alt_count = round(e.vaf * depth) if e.vaf is not None and depth is not None else None
    status = {"somatic": "Somatic", "germline": "Germline"}.get(str(e.origin), "Unknown")
    row: dict[str, object] = {
        "Hugo_Symbol": e.gene, "Center": "armmatch", "NCBI_Build": build,
        "Chromosome": (e.chrom or "").removeprefix("chr"), "Start_Position": allele.start1,
        "End_Position": allele.end1, "Strand": "+",
        "Variant_Classification": maf_classification(e), "Variant_Type": allele.variant_type,
        "Reference_Allele": allele.ref, "Tumor_Seq_Allele1": allele.ref,
        "Tumor_Seq_Allele2": allele.alt, "Tumor_Sample_Barcode": record.patient_id,
        "Mutation_Status": status, "HGVSc": names.c,
        "HGVSp": e.hgvsp.rsplit(":", 1)[-1] if e.hgvsp else None, "HGVSp_Short": names.p, "Transcript_ID": names.transcript,
        "Exon_Number": e.exon, "t_depth": depth,
        "t_ref_count": depth - alt_count if depth is not None and alt_count is not None else None,
        "t_alt_count": alt_count, "Consequence": e.consequence,
        "FILTER": "PASS" if e.status == "called" else "indeterminate",
        "armmatch_status": e.status, "armmatch_reason": e.status_reason,
        "armmatch_rule_ids": _join(e.rule_ids), "armmatch_arm_ids": _join(e.arm_ids),
        "armmatch_source": f"{e.source.path}:{e.source.line}",
    }  # fmt: skip
    return [row.get(c) for c in MAF_COLUMNS]


def one_per_record(events: Sequence[tuple[str, Event]]) -> list[Event]:
    """One event per source record and allele (a MAF row, an SV row): the called reading when
    there is one (another reading of the same record, e.g. an indeterminate coding change
    beside a called splice-region change, is named in the reason), the first otherwise."""
    groups: dict[tuple[object, ...], list[Event]] = {}
    for _, e in events:
        key = (e.source.path, e.source.line, e.chrom, e.pos1, e.ref, e.alt, e.gene5, e.gene3,
               e.breakpoint5, e.breakpoint3)  # fmt: skip
        groups.setdefault(key, []).append(e)
    out = []
    for group in groups.values():
        first = next((e for e in group if e.status == "called"), group[0])
        others = [e for e in group if e is not first]
        if others:
            also = "; ".join(f"also read as {e.alteration} ({e.status}"
                             + (f": {e.status_reason}" if e.status_reason else "") + ")"
                             for e in others)  # fmt: skip
            first = replace(
                first, status_reason="; ".join(x for x in (first.status_reason, also) if x)
            )
        out.append(first)
    return out


def mutations_maf(records: Sequence[AssignmentRecord]) -> str:
    """``data_mutations.txt``: every reported small variant of ``records``, one row per record."""
    out = ["#version 2.4\n", _line(MAF_COLUMNS)]
    for record in records:
        out += [_line(maf_row(record, e)) for e in one_per_record(reported(record, "mutation"))]
    return "".join(out)


def cna_value(record: AssignmentRecord, gene: str) -> str:
    """The discrete copy number of ``gene`` (:data:`CNA_VALUE`), ``NA`` when not assessed."""
    calls = [e.cnv_call for _, e in reported(record, "cnv") if e.gene == gene and e.cnv_call]
    if calls:
        # several segments over the gene: the least extreme value, so nothing is overstated
        return min((CNA_VALUE[str(c)] for c in calls), key=lambda v: abs(int(v)))
    assessed = any(a.get("gene") == gene and a.get("category") == "cnv" and a.get("assessed")
                   for a in record.assessments)  # fmt: skip
    return "0" if assessed else "NA"


def cna_table(records: Sequence[AssignmentRecord], genes: Sequence[str]) -> str:
    """``data_cna.txt``: one row per copy-number gene, one column per sample."""
    out = [_line(["Hugo_Symbol", *(r.patient_id for r in records)])]
    out += [_line([gene, *(cna_value(r, gene) for r in records)]) for gene in genes]
    return "".join(out)


def _site(breakpoint: str | None) -> tuple[str | None, str | None]:
    """``chr2:42295516`` -> (``2``, ``42295516``); unknown parts are None."""
    if not breakpoint or ":" not in breakpoint:
        return None, None
    chrom, _, pos = breakpoint.rpartition(":")
    digits = pos.split("-")[0]
    return chrom.removeprefix("chr"), digits if digits.isdigit() else None


def sv_row(record: AssignmentRecord, e: Event) -> list[object]:
    """One structural-variant row (:data:`SV_COLUMNS`) for a fusion event."""
    chrom1, pos1 = _site(e.breakpoint5)
    chrom2, pos2 = _site(e.breakpoint3)
    row: dict[str, object] = {
        "Sample_Id": record.patient_id, "SV_Status": "SOMATIC",
        "Site1_Hugo_Symbol": e.gene5, "Site1_Chromosome": chrom1, "Site1_Position": pos1,
        "Site2_Hugo_Symbol": e.gene3, "Site2_Chromosome": chrom2, "Site2_Position": pos2,
        "Site2_Effect_On_Frame": e.frame, "NCBI_Build": record.provenance.genome_build,
        "Event_Info": e.alteration, "Comments": f"{e.source.path}:{e.source.line} {e.source.record}",
        "armmatch_status": e.status, "armmatch_rule_ids": _join(e.rule_ids),
        "armmatch_arm_ids": _join(e.arm_ids),
    }  # fmt: skip
    return [row.get(c) for c in SV_COLUMNS]


def sv_table(records: Sequence[AssignmentRecord]) -> str:
    """``data_sv.txt``: every reported fusion of ``records``."""
    out = [_line(SV_COLUMNS)]
    for record in records:
        rows: dict[tuple[object, ...], list[object]] = {}
        for e in one_per_record(reported(record, "fusion")):
            row = sv_row(record, e)
            key = tuple(row[i] for i, c in enumerate(SV_COLUMNS) if c in _SV_UNIQUE)
            if key in rows:  # the same fusion from another caller row: one cBioPortal row
                rows[key][SV_COLUMNS.index("Comments")] = (
                    f"{rows[key][SV_COLUMNS.index('Comments')]}; {row[SV_COLUMNS.index('Comments')]}"
                )
            else:
                rows[key] = row
        out += [_line(row) for row in rows.values()]
    return "".join(out)


SAMPLE_ATTRIBUTES = (
    ("SAMPLE_ID", "Sample ID", "Sample identifier (the armmatch patient id)", "STRING"),
    ("PATIENT_ID", "Patient ID", "Patient identifier", "STRING"),
    ("SPECIMEN_ID", "Specimen", "Specimen id from the sample sheet", "STRING"),
    ("TUMOUR_TYPE", "Tumour type", "ICD-10 site and subtype from the sample sheet", "STRING"),
    ("ARMMATCH_STATUS", "armmatch status", "targeted, immunotherapy, excluded, ineligible or "
     "incomplete", "STRING"),
    ("ARMMATCH_ARM", "PLATFORM arm", "The assigned arm (empty unless assigned)", "STRING"),
    ("ARMMATCH_RULE_SET", "Rule set", "armmatch rule-set version", "STRING"),
)  # fmt: skip


def clinical_samples(records: Sequence[AssignmentRecord]) -> str:
    """``data_clinical_sample.txt`` with cBioPortal's four header lines."""
    out = [
        "#" + _line(a[1] for a in SAMPLE_ATTRIBUTES),
        "#" + _line(a[2] for a in SAMPLE_ATTRIBUTES),
        "#" + _line(a[3] for a in SAMPLE_ATTRIBUTES),
        "#" + _line("1" for _ in SAMPLE_ATTRIBUTES),
        _line(a[0] for a in SAMPLE_ATTRIBUTES),
    ]
    out += [_line([r.patient_id, r.patient_id, r.specimen.specimen_id, r.tumour_type, r.status,
                   r.arm, r.rule_set_version]) for r in records]  # fmt: skip
    return "".join(out)


def _meta(**fields: str) -> str:
    return "".join(f"{k}: {cell(v)}\n" for k, v in fields.items())


def study_files(
    records: Sequence[AssignmentRecord], *, build: str, cnv_genes: Sequence[str]
) -> dict[str, str]:
    """Every file of one build's study, by file name."""
    common = {"cancer_study_identifier": STUDY_ID}
    return {
        "meta_study.txt": _meta(
            type_of_cancer="mixed", **common,
            name="PLATFORM (NCT04423185) armmatch batch",
            description="Reported events and arm assignments of one armmatch batch "
                        f"({len(records)} patients, {build})",
            add_global_case_list="true",
            reference_genome=BUILD_GENOME.get(build, build),
        ),
        "meta_clinical_sample.txt": _meta(
            **common, genetic_alteration_type="CLINICAL", datatype="SAMPLE_ATTRIBUTES",
            data_filename="data_clinical_sample.txt"),
        "data_clinical_sample.txt": clinical_samples(records),
        "meta_mutations.txt": _meta(
            **common, genetic_alteration_type="MUTATION_EXTENDED", datatype="MAF",
            stable_id="mutations", show_profile_in_analysis_tab="true",
            profile_name="Mutations", profile_description="Reported small variants (armmatch)",
            data_filename="data_mutations.txt"),
        "data_mutations.txt": mutations_maf(records),
        "meta_cna.txt": _meta(
            **common, genetic_alteration_type="COPY_NUMBER_ALTERATION", datatype="DISCRETE",
            stable_id="cna", show_profile_in_analysis_tab="true",
            profile_name="Copy number (armmatch)",
            profile_description="Purity-adjusted calls: -2 homozygous deletion, -1 loss, "
                                "0 neutral, 1 gain, 2 amplification, NA not assessed",
            data_filename="data_cna.txt"),
        "data_cna.txt": cna_table(records, cnv_genes),
        "meta_sv.txt": _meta(
            **common, genetic_alteration_type="STRUCTURAL_VARIANT", datatype="SV",
            stable_id="structural_variants", show_profile_in_analysis_tab="true",
            profile_name="Fusions", profile_description="Reported fusions (armmatch)",
            data_filename="data_sv.txt"),
        "data_sv.txt": sv_table(records),
    }  # fmt: skip


def studies(
    records: Sequence[AssignmentRecord], cnv_genes: Sequence[str]
) -> dict[str, dict[str, str]]:
    """One study per genome build of the batch (folder name: the build, lower case)."""
    builds = sorted({r.provenance.genome_build for r in records})
    return {
        b.lower(): study_files([r for r in records if r.provenance.genome_build == b],
                               build=b, cnv_genes=cnv_genes)
        for b in builds
    }  # fmt: skip
