"""Reading small variants from a MAF (``vcf2maf`` output) into :class:`~armmatch.events.Event`.

A MAF is accepted wherever a VCF is (the sample sheet's ``vcf`` column); it is recognised by its
header row (``Hugo_Symbol``, ``Chromosome``, ``Start_Position`` ...), not by its name.

Transcript choice: the row's ``Transcript_ID`` when it is the gene's bundled transcript; else the
bundled transcript's entry in ``all_effects`` (vcf2maf writes every transcript's consequence and
HGVSp there); else the row as written, with a note. This avoids the isoform trap of MET
(p.D1010H on the bundled NM_000245 / ENST00000397752 versus p.D1028H on ENST00000318493).
Exon numbers come from the bundled transcript model whenever the MAF's transcript is another one.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

from armmatch.consequence import Allele, Hotspot, classify_allele, reconcile
from armmatch.errors import InputError
from armmatch.events import Event, Evidence, SourceRecord, assessed
from armmatch.genome import normalise_build, normalise_chrom
from armmatch.hgvs import alteration_words
from armmatch.io import open_text, sha256_file
from armmatch.transcripts import GeneModel
from armmatch.vcf import CLASS_ORDER, NON_PROTEIN, SmallVariantPolicy, classify

MAF_REQUIRED = ("Hugo_Symbol", "Chromosome", "Start_Position", "Reference_Allele",
                "Tumor_Seq_Allele2")  # fmt: skip

VARIANT_CLASSIFICATION_SO: dict[str, str] = {
    "Missense_Mutation": "missense_variant",
    "Nonsense_Mutation": "stop_gained",
    "Frame_Shift_Del": "frameshift_variant",
    "Frame_Shift_Ins": "frameshift_variant",
    "In_Frame_Del": "inframe_deletion",
    "In_Frame_Ins": "inframe_insertion",
    "Splice_Region": "splice_region_variant",
    "Silent": "synonymous_variant",
    "Translation_Start_Site": "start_lost",
    "Nonstop_Mutation": "stop_lost",
    "3'UTR": "3_prime_UTR_variant",
    "5'UTR": "5_prime_UTR_variant",
    "3'Flank": "downstream_gene_variant",
    "5'Flank": "upstream_gene_variant",
    "Intron": "intron_variant",
}
"""MAF ``Variant_Classification`` to SO terms, used only when the MAF has no ``Consequence``
column. ``Splice_Site`` is left to the built-in classifier (donor or acceptor by position)."""


def _data_lines(path: str) -> list[tuple[int, str]]:
    with open_text(Path(path)) as fh:
        return [(n, line.rstrip("\n")) for n, line in enumerate(fh, 1) if not line.startswith("#")]


def is_maf(path: str) -> bool:
    """Whether the file's first non-``#`` line is a MAF header row."""
    try:
        with open_text(Path(path)) as fh:
            for line in fh:
                if line.startswith("#"):
                    continue
                cols = line.rstrip("\n").split("\t")
                return all(c in cols for c in MAF_REQUIRED)
    except (OSError, UnicodeDecodeError, EOFError):
        return False
    return False


def _unversioned(acc: str) -> str:
    return acc.split(".", 1)[0]


def _maf_allele(row: Mapping[str, str]) -> Allele:
    """The MAF allele in armmatch terms (MAF writes ``-`` for the empty side of an indel)."""
    ref = row["Reference_Allele"].replace("-", "")
    alt = row["Tumor_Seq_Allele2"]
    if alt == row["Reference_Allele"] and row.get("Tumor_Seq_Allele1"):
        alt = row["Tumor_Seq_Allele1"]
    alt = alt.replace("-", "")
    start = int(row["Start_Position"])
    if not ref:  # insertion: Start_Position is the base before the inserted bases
        return Allele(start + 1, "", alt)
    return Allele(start, ref, alt)


def _choose(row: Mapping[str, str], preferred: Sequence[str]) -> tuple[str, str, str, str, bool]:
    """(transcript, consequence, hgvsp, why, on_bundled) for a MAF row."""
    want = {_unversioned(p) for p in preferred}
    tx = row.get("Transcript_ID", "")
    refseq = {_unversioned(x) for x in row.get("RefSeq", "").split(",") if x}
    consequence = row.get("Consequence", "").replace(",", "&")
    if not consequence:
        consequence = VARIANT_CLASSIFICATION_SO.get(row.get("Variant_Classification", ""), "")
    hgvsp = row.get("HGVSp_Short") or row.get("HGVSp") or ""
    if _unversioned(tx) in want or refseq & want:
        return tx, consequence, hgvsp, f"bundled transcript {tx}", True
    for effect in row.get("all_effects", "").split(";"):
        parts = effect.split(",")
        if len(parts) >= 4 and parts[0] == row["Hugo_Symbol"] and _unversioned(parts[3]) in want:
            why = f"bundled transcript {parts[3]} (from all_effects; the MAF row is on {tx})"
            return parts[3], parts[1].replace(",", "&"), parts[2], why, True
    return tx, consequence, hgvsp, f"MAF transcript {tx} (bundled transcript not in the MAF)", False


def _filter_reason(row: Mapping[str, str], vaf: float | None, depth: int | None,
                   policy: SmallVariantPolicy) -> str:  # fmt: skip
    reasons = []
    flt = row.get("FILTER", "") or "."
    if policy.filter_policy == "pass_only" and flt not in ("PASS", "."):
        reasons.append(f"FILTER={flt} (policy: PASS only)")
    if vaf is not None and vaf < policy.min_vaf:
        reasons.append(f"VAF {vaf:.3f} < min_vaf {policy.min_vaf}")
    if depth is not None and depth < policy.min_depth:
        reasons.append(f"depth {depth} < min_depth {policy.min_depth}")
    return "; ".join(reasons)


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None and text not in ("", ".") else None
    except ValueError:
        return None


def read_maf(
    path: str,
    *,
    patient: str,
    build: str,
    genes: Sequence[str],
    preferred: Mapping[str, Sequence[str]],
    sample: str | None,
    policy: SmallVariantPolicy,
    models: Mapping[str, GeneModel],
    hotspots: Mapping[str, Sequence[Hotspot]],
) -> Evidence:
    """Read a vcf2maf MAF for one patient into :class:`Evidence`.

    Raises
    ------
    InputError
        A missing required column, an ``NCBI_Build`` other than the patient's, several tumour
        barcodes and no ``vcf_sample``, or a ``vcf_sample`` not in the MAF.
    """
    lines = _data_lines(path)
    if not lines:
        raise InputError("the MAF has no header row", path=path, patient=patient)
    reader = csv.DictReader([text for _, text in lines], delimiter="\t")
    header = reader.fieldnames or []
    for col in MAF_REQUIRED:
        if col not in header:
            raise InputError(f"the MAF has no {col} column", path=path, patient=patient)
    rows = list(zip((n for n, _ in lines[1:]), reader, strict=True))
    barcodes = sorted({r.get("Tumor_Sample_Barcode", "") for _, r in rows} - {""})
    if sample is not None and barcodes and sample not in barcodes:
        raise InputError(f"vcf_sample {sample!r} is not a Tumor_Sample_Barcode of the MAF "
                         f"({', '.join(barcodes)})", path=path, patient=patient)  # fmt: skip
    if sample is None and len(barcodes) > 1:
        raise InputError(f"the MAF has {len(barcodes)} tumour barcodes ({', '.join(barcodes)}); "
                         "name one in the sample sheet's vcf_sample", path=path, patient=patient)  # fmt: skip
    wanted = set(genes)
    events: list[Event] = []
    for line, row in rows:
        if sample is not None and row.get("Tumor_Sample_Barcode", sample) != sample:
            continue
        stated = row.get("NCBI_Build", "")
        if stated:
            try:
                maf_build = normalise_build(stated)
            except ValueError:
                maf_build = None
            if maf_build is not None and maf_build != build:
                raise InputError(f"the MAF's NCBI_Build is {stated} but the patient's genome_build "
                                 f"is {build}", path=path, line=line, patient=patient)  # fmt: skip
        gene = row["Hugo_Symbol"]
        if gene not in wanted:
            continue
        tx, consequence, hgvsp, why, bundled = _choose(row, preferred.get(gene, ()))
        classes = classify(consequence, hgvsp or None)
        row_on_bundled = bundled and "all_effects" not in why
        exon_text = row.get("Exon_Number") or row.get("EXON") or ""
        exon = _int(exon_text.split("/")[0]) if row_on_bundled else None
        intron = _int((row.get("INTRON") or "").split("/")[0]) if row_on_bundled else None
        chrom = normalise_chrom(row["Chromosome"])
        allele = _maf_allele(row)
        notes = [f"transcript: {why}"]
        model = models.get(gene)
        if model is not None:
            calls = classify_allele(model, chrom, allele, hotspots.get(gene, ()))
            rec = reconcile(classes, exon, intron, annotation_on_bundled=row_on_bundled,
                            calls=calls)  # fmt: skip
            classes = [c for c in CLASS_ORDER if c in rec.classes]
            exon, intron = rec.exon, rec.intron
            if rec.note:
                notes.append(rec.note)
        if not classes or all(c in NON_PROTEIN for c in classes):
            continue
        depth, alt_count = _int(row.get("t_depth")), _int(row.get("t_alt_count"))
        vaf = alt_count / depth if depth and alt_count is not None else None
        notes.append(
            "VAF/depth from MAF t_alt_count/t_depth" if vaf is not None else "VAF not reported"
        )
        reason = _filter_reason(row, vaf, depth, policy)
        alteration = alteration_words(hgvsp, row.get("HGVSc"), consequence)
        ref = row["Reference_Allele"]
        alt = row["Tumor_Seq_Allele2"]
        events.append(
            Event(
                gene=gene,
                category="mutation",
                alteration=alteration,
                source=SourceRecord(
                    path, line, f"{row['Chromosome']}:{row['Start_Position']} {ref}>{alt}"
                ),
                status="filtered" if reason else "called",
                status_reason=reason,
                chrom=chrom,
                pos1=int(row["Start_Position"]),
                ref=ref,
                alt=alt,
                transcript=tx or None,
                exon=exon,
                intron=intron,
                hgvsc=row.get("HGVSc") or None,
                hgvsp=hgvsp or None,
                variant_class="&".join(classes),
                consequence=consequence or None,
                vaf=round(vaf, 4) if vaf is not None else None,
                depth=depth,
                origin="somatic",
                notes=tuple(notes),
            )
        )
    return Evidence(
        events=events,
        assessments=assessed(genes, "mutation", f"small variants read from MAF {path}"),
        inputs={path: sha256_file(path)},
    )
