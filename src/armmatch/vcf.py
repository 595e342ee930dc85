"""Reading small variants from annotated VCFs (VEP ``CSQ``) into :class:`~armmatch.events.Event`.

Positions are ``pos1`` (1-based, as in the VCF). One event per (record, ALT allele, target
gene), on the transcript chosen by :func:`choose_transcript`; records removed by the FILTER,
VAF or depth policy are kept as ``filtered`` events with the reason, so that a tumour board can
see, for example, a filtered-out L858R.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import tempfile
import warnings
from bisect import bisect_left
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from armmatch.consequence import (
    BuiltinCall,
    Hotspot,
    Reconciled,
    classify_variant,
    default_hotspots_path,
    load_hotspots,
    reconcile,
)
from armmatch.errors import InputError
from armmatch.events import Event, Evidence, SourceRecord, assessed
from armmatch.genome import (
    build_fit,
    infer_build_from_contigs,
    normalise_build,
    normalise_chrom,
    other_build,
)
from armmatch.hgvs import alteration_words, is_protein_change, parse_protein_change
from armmatch.io import VcfText, scan_vcf_text, sha256_file, vcf_header_text, vcf_kinds
from armmatch.transcripts import (
    GeneModel,
    GeneModels,
    default_transcripts_path,
    load_gene_models,
)

if TYPE_CHECKING:
    from armmatch.reference import SequenceSource

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
"""Classes that no rule can fire on; such records are counted, not listed."""

FilterPolicy = Literal["pass_only", "all"]


@dataclass(frozen=True)
class SmallVariantPolicy:
    """Which records count: FILTER policy and minimum VAF / depth (from config)."""

    filter_policy: FilterPolicy = "pass_only"
    min_vaf: float = 0.05
    min_depth: int = 20
    index_min_bytes: int = 0
    """An indexed VCF at least this large is read through its index (region queries, records
    cited by position); a smaller one is streamed (exact line numbers, cheap at panel size)."""
    accept_unknown_vaf: bool = False
    """A record with neither VAF nor depth cannot be held to ``min_vaf``/``min_depth``: it is
    ``indeterminate: VAF unknown`` unless this is true (then it counts, with a note)."""


VAF_UNKNOWN = "indeterminate: VAF unknown"


def support_problem(vaf: float | None, depth: int | None, policy: SmallVariantPolicy) -> str:
    """The indeterminate reason when neither VAF nor depth is known (and the policy does not
    accept that), else ``""``."""
    if vaf is not None or depth is not None or policy.accept_unknown_vaf:
        return ""
    return (
        f"{VAF_UNKNOWN}: the record gives neither VAF nor depth, so min_vaf {policy.min_vaf} and "
        f"min_depth {policy.min_depth} cannot be applied (small_variants.accept_unknown_vaf: "
        "true counts such records)"
    )


def event_status(
    filter_reason: str, support: str, call_status: str = "called", call_reason: str = ""
) -> tuple[Literal["called", "filtered", "indeterminate"], str]:
    """One status and reason from the filters, the VAF/depth check and the classification."""
    if filter_reason:
        return "filtered", "; ".join(r for r in (filter_reason, call_reason) if r)
    reasons = [r for r in (call_reason, support) if r]
    if call_status == "indeterminate" or support:
        return "indeterminate", "; ".join(reasons)
    return "called", ""


@dataclass(frozen=True)
class CsqEntry:
    """One VEP consequence block, as a field-name -> value mapping."""

    fields: Mapping[str, str]

    def get(self, key: str) -> str:
        return self.fields.get(key, "") or ""


def csq_fields_from_header(raw_header: str) -> list[str] | None:
    """The ``|``-separated field names declared by ``##INFO=<ID=CSQ,...Format: ...>``."""
    for line in raw_header.splitlines():
        if line.startswith("##INFO=<ID=CSQ,"):
            m = re.search(r"Format:\s*([^\">]+)", line)
            if m:
                return [f.strip() for f in m.group(1).strip().split("|")]
    return None


def header_contig_lengths(raw_header: str) -> dict[str, int]:
    """``{contig: length}`` from ``##contig`` lines that carry a length."""
    out: dict[str, int] = {}
    for m in re.finditer(r"^##contig=<ID=([^,>]+)[^>]*?length=(\d+)", raw_header, re.M):
        out[m.group(1)] = int(m.group(2))
    return out


def header_builds(raw_header: str) -> list[tuple[str, str]]:
    """Every statement of the genome build in a VCF header, as ``(evidence, build)`` pairs."""
    hints: list[tuple[str, str]] = []
    lengths = header_contig_lengths(raw_header)
    try:
        build = infer_build_from_contigs(lengths)
    except ValueError:
        build = None
    if build:
        hints.append(("##contig lengths", build))
    for line in raw_header.splitlines():
        if line.startswith("##reference=") or line.startswith("##VEP="):
            for token in re.findall(r"(GRCh3[78]|hg19|hg38|b37|hs37d5)", line, flags=re.I):
                name = "GRCh37" if token.lower() == "hs37d5" else normalise_build(token)
                hints.append((line.split("=", 1)[0], name))
                break
    return hints


def vep_alleles(ref: str, alts: Sequence[str]) -> list[str]:
    """VEP's allele strings for each ALT (VEP drops a first base shared by REF and every ALT).

    Examples
    --------
    >>> vep_alleles("ACT", ["A"])
    ['-']
    >>> vep_alleles("G", ["GG"])
    ['G']
    >>> vep_alleles("A", ["T"])
    ['T']
    """
    alleles = [ref, *alts]
    if len({a[0] for a in alleles}) == 1 and any(len(a) != len(ref) for a in alts):
        return [a[1:] or "-" for a in alts]
    return list(alts)


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
"""SnpEff ``Annotation`` terms that differ from VEP's SO terms (others are shared)."""

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


def parse_csq(value: str, names: Sequence[str]) -> list[CsqEntry]:
    """Split a ``CSQ`` INFO value into entries (field count must match the header)."""
    entries = []
    for block in value.split(","):
        parts = block.split("|")
        if len(parts) != len(names):
            raise ValueError(f"CSQ entry has {len(parts)} fields, the header declares {len(names)}")
        entries.append(CsqEntry(dict(zip(names, parts, strict=True))))
    return entries


def _unversioned(acc: str) -> str:
    return acc.split(".", 1)[0]


def choose_transcript(
    entries: Sequence[CsqEntry], preferred: Sequence[str]
) -> tuple[CsqEntry, str]:
    """Pick the entry on the gene's reference transcript, and say why it was chosen.

    Order: the bundled transcript (ENST or NM, version-insensitive) as ``Feature`` or in the
    ``RefSeq`` field; then ``MANE_SELECT``; ``CANONICAL=YES``; ``PICK=1``; the first entry.
    """
    want = {_unversioned(p) for p in preferred}
    for e in entries:
        if _unversioned(e.get("Feature")) in want:
            return e, f"bundled transcript {e.get('Feature')}"
    for e in entries:
        refseq = {_unversioned(x) for x in e.get("RefSeq").split("&") if x}
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


def _number(text: str) -> int | None:
    """``19/28`` -> 19; ``13-14/20`` -> 13; empty -> None."""
    m = re.match(r"(\d+)", text or "")
    return int(m.group(1)) if m else None


def _first_value(value: Any, index: int) -> float | None:
    try:
        x = float(value[index]) if hasattr(value, "__len__") else float(value)
    except (TypeError, ValueError, IndexError):
        return None
    return None if math.isnan(x) or x < -1e30 else x


def _ints(value: Any) -> list[int]:
    """Integers of one sample's FORMAT value, whether typed (array) or undeclared (``"44,61"``)."""
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif hasattr(value, "__len__"):
        items = []
        for v in value:
            items.extend(str(v).split(",") if isinstance(v, str) else [v])
    else:
        items = [value]
    out = []
    for v in items:
        try:
            out.append(int(float(v)))
        except (TypeError, ValueError):
            out.append(-1)
    return out


def _info(variant: Any, key: str) -> Any:
    """An INFO value, or None (also for keys the header does not declare)."""
    try:
        return variant.INFO.get(key)
    except KeyError:
        return None


def _format(variant: Any, key: str) -> Any:
    """A FORMAT array, or None (also for keys the header does not declare)."""
    try:
        return variant.format(key)
    except KeyError:
        return None


def _percent(value: Any) -> float | None:
    """VarScan's ``FREQ`` (``45.5%``) as a fraction."""
    text = value if isinstance(value, str) else (str(value[0]) if hasattr(value, "__len__") else "")
    text = text.split(",")[0].strip()
    try:
        x = float(text.rstrip("%"))
    except ValueError:
        return None
    return x / 100 if text.endswith("%") or x > 1 else x


def allele_support(
    variant: Any, sample_index: int | None, alt_index: int
) -> tuple[float | None, int | None, str]:
    """VAF and depth for one ALT allele of a cyvcf2 record, from whatever the caller wrote.

    Tries, for the tumour sample: FORMAT ``AF`` (Mutect2 and most callers), ``AD`` (GATK),
    ``ADT`` (PCGR's tumour counts), ``FREQ`` (VarScan, a percentage), ``AO``/``RO`` (FreeBayes),
    Strelka tier-1 counts (``AU/CU/GU/TU`` for SNVs, ``TAR/TIR`` for indels), then depth from
    ``DP`` / ``DPT``; then INFO ``TVAF``/``TDP`` (PCGR) and INFO ``AF``/``DP``. Returns
    ``(vaf, depth, how)``; ``how`` is ``not reported`` when nothing was found.
    """
    vaf: float | None = None
    depth: int | None = None
    how: list[str] = []
    if sample_index is not None:
        af = _format(variant, "AF")
        if af is not None:
            vaf = _first_value(af[sample_index], alt_index)
            if vaf is not None:
                how.append("FORMAT/AF")
        for key in ("AD", "ADT"):
            ad = _format(variant, key)
            if ad is None or depth is not None:
                continue
            counts = [c for c in _ints(ad[sample_index]) if c >= 0]
            if len(counts) > alt_index + 1 and sum(counts) > 0:
                if vaf is None:
                    vaf = counts[alt_index + 1] / sum(counts)
                    how.append(f"FORMAT/{key}")
                depth = sum(counts)
        freq = _format(variant, "FREQ")
        if vaf is None and freq is not None:
            vaf = _percent(freq[sample_index])
            if vaf is not None:
                how.append("FORMAT/FREQ (VarScan)")
        ao, ro = _format(variant, "AO"), _format(variant, "RO")
        if vaf is None and ao is not None and ro is not None:
            alts = [c for c in _ints(ao[sample_index]) if c >= 0]
            refs = [c for c in _ints(ro[sample_index]) if c >= 0]
            if len(alts) > alt_index and refs and refs[0] + sum(alts) > 0:
                depth = refs[0] + sum(alts)
                vaf = alts[alt_index] / depth
                how.append("FORMAT/AO+RO (FreeBayes)")
        ref, alt = variant.REF, variant.ALT[alt_index]
        if vaf is None and len(ref) == 1 and len(alt) == 1:
            ref_t, alt_t = _format(variant, f"{ref}U"), _format(variant, f"{alt}U")
            if ref_t is not None and alt_t is not None:
                r, a = _ints(ref_t[sample_index])[0], _ints(alt_t[sample_index])[0]
                if r + a > 0:
                    vaf, depth = a / (r + a), r + a
                    how.append("Strelka AU/CU/GU/TU tier 1")
        if vaf is None:
            tar, tir = _format(variant, "TAR"), _format(variant, "TIR")
            if tar is not None and tir is not None:
                r, a = _ints(tar[sample_index])[0], _ints(tir[sample_index])[0]
                if r + a > 0:
                    vaf, depth = a / (r + a), r + a
                    how.append("Strelka TAR/TIR tier 1")
        for key in ("DP", "DPT"):
            dp = _format(variant, key)
            if dp is not None and depth is None:
                d = _first_value(dp[sample_index], 0)
                depth = int(d) if d is not None and d > 0 else None  # 0: a placeholder
    for key in ("TVAF", "AF"):
        info_af = _info(variant, key) if vaf is None else None
        if info_af is not None:
            vaf = _first_value(info_af if isinstance(info_af, tuple) else (info_af,), alt_index)
            if vaf is not None:
                how.append(f"INFO/{key}")
    for key in ("TDP", "DP"):
        info_dp = _info(variant, key) if depth is None else None
        if info_dp is not None:
            d = _first_value(info_dp if isinstance(info_dp, tuple) else (info_dp,), 0)
            depth = int(d) if d is not None and d > 0 else None
    return vaf, depth, "+".join(how) if how else "not reported"


def check_vaf(vaf: float | None, how: str, *, path: str, line: int | None, patient: str) -> None:
    """Stop on an allele fraction above 1 (a percentage written as a fraction's field)."""
    if vaf is not None and vaf > 1:
        raise InputError(
            f"{how} gives an allele fraction of {vaf:g}, above 1: a percentage written as a "
            "number? (VAF must be a fraction in [0, 1])",
            path=path,
            line=line,
            patient=patient,
        )


def filter_reason(
    flt: str | None, vaf: float | None, depth: int | None, policy: SmallVariantPolicy
) -> str:
    """Why a record is filtered (FILTER, ``min_vaf``, ``min_depth``), ``""`` when it passes;
    ``flt`` is the record's FILTER (None, ``PASS`` or ``.`` pass)."""
    reasons = []
    if policy.filter_policy == "pass_only" and flt not in (None, "", "PASS", "."):
        reasons.append(f"FILTER={flt} (policy: PASS only)")
    if vaf is not None and vaf < policy.min_vaf:
        reasons.append(f"VAF {vaf:.3f} < min_vaf {policy.min_vaf}")
    if depth is not None and depth < policy.min_depth:
        reasons.append(f"depth {depth} < min_depth {policy.min_depth}")
    return "; ".join(reasons)


def count_header_lines(path: str) -> int | None:
    """Number of ``#`` lines at the top of a text VCF (plain or bgzip); None for BCF.

    Records are then reported by their true line number in the (decompressed) file.
    """
    import gzip

    with open(path, "rb") as fh:
        magic = fh.read(4)
    opener = gzip.open if magic[:2] == b"\x1f\x8b" else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
            n = 0
            for line in fh:
                if not line.startswith("#"):
                    break
                n += 1
            return n if n and not line.startswith("BCF") else None
    except (OSError, EOFError):
        return None


def vcf_samples(path: str, *, patient: str | None = None) -> list[str]:
    """The sample names of a VCF/BCF, from its header only (a text VCF's header is checked
    first; its records are left to the reader that comes next)."""
    if not Path(path).is_file():
        raise InputError("VCF does not exist", path=path, patient=patient)
    scan_vcf_text(path, patient=patient, header_only=True)
    vcf = _open_cyvcf2(path, patient)
    try:
        return [str(s) for s in vcf.samples]
    finally:
        vcf.close()


def select_sample(
    samples: Sequence[str], wanted: str | None, *, path: str, patient: str
) -> int | None:
    """Index of the tumour sample column (None for a sites-only VCF).

    Raises
    ------
    InputError
        When ``wanted`` is not in the VCF, or the VCF has several samples and none is named.
    """
    if wanted is not None:
        if wanted not in samples:
            raise InputError(
                f"vcf_sample {wanted!r} is not in the VCF (its samples: {', '.join(samples) or 'none'})",
                path=path,
                patient=patient,
            )
        return list(samples).index(wanted)
    if len(samples) > 1:
        raise InputError(
            f"the VCF has {len(samples)} samples ({', '.join(samples)}); name the tumour "
            "column in the sample sheet's vcf_sample",
            path=path,
            patient=patient,
        )
    return 0 if samples else None


def check_build(
    raw_header: str,
    build: str,
    *,
    path: str,
    patient: str | None,
    what: str = "VCF",
    remedy: str | None = None,
) -> None:
    """Stop when a VCF header (small variants, or a breakend VCF: ``what``) states a genome
    build other than the patient's."""
    for evidence, stated in header_builds(raw_header):
        if stated != build:
            raise InputError(
                f"the {what} header ({evidence}) says {stated} but the patient's genome_build is "
                f"{build}; {remedy or f'set genome_build for this patient or use a {build} VCF'}",
                path=path,
                patient=patient,
            )


def check_small_variant_vcf(path: str, *, patient: str | None, limit: int = 2000) -> None:
    """Stop when the VCF given for small variants holds structural variants only (its first
    ``limit`` records are all breakends or symbolic SVs, as Manta, DELLY or GRIDSS write them)."""
    kinds = vcf_kinds(path, limit=limit, patient=patient)
    if kinds.records and kinds.structural == kinds.records:
        raise InputError(
            f"this is a structural-variant VCF (all {kinds.records} records read are breakends "
            "or symbolic structural variants, as Manta, DELLY or GRIDSS write them), not small "
            "variants: give it in the fusions column (fusion_format bnd-vcf) and the small-variant "
            "VCF in the vcf column",
            path=path,
            patient=patient,
        )


def check_ref(
    reference: SequenceSource | None,
    variant: Any,
    *,
    path: str,
    line: int | None,
    patient: str,
) -> None:
    """Stop when the record's REF differs from the reference FASTA (another build?)."""
    if reference is None:
        return
    from armmatch.reference import ref_mismatch

    problem = ref_mismatch(reference, str(variant.CHROM), int(variant.POS), str(variant.REF))
    if problem is not None:
        raise InputError(problem, path=path, line=line, patient=patient)


def iter_target_events(
    vcf: Any,
    *,
    path: str,
    patient: str,
    genes: Sequence[str],
    preferred: Mapping[str, Sequence[str]],
    sample_index: int | None,
    policy: SmallVariantPolicy,
    models: Mapping[str, GeneModel] | None = None,
    hotspots: Mapping[str, Sequence[Hotspot]] | None = None,
    reference: SequenceSource | None = None,
    records: Iterable[tuple[int | None, Any]] | None = None,
    intronic_reach: Mapping[str, int] | None = None,
) -> Iterator[Event]:
    """Yield one event per (record, ALT, target gene) with a protein-level or splice class.

    A VCF without a VEP ``CSQ`` header is classified by the built-in classifier
    (:mod:`armmatch.consequence`) on ``models`` (the bundled transcripts of the target genes).
    With a ``reference`` the REF of every target-gene record is checked against it and the
    built-in classification is codon-level (:mod:`armmatch.reference`).

    ``records`` (``(line, record)`` pairs, line None when unknown) replaces iterating ``vcf``:
    :func:`read_small_variants` passes only the records of the target regions.
    """
    names = csq_fields_from_header(vcf.raw_header)
    ann = names is None and has_ann_header(vcf.raw_header)
    if ann:
        names = ["Allele", "Consequence", "SYMBOL", "Feature", "ALLELE_NUM"]
    if names is None:
        if models is None:
            raise InputError(
                "the VCF has no VEP CSQ annotation (no ##INFO=<ID=CSQ> header line) and no "
                "transcript models were given for the built-in classifier",
                path=path,
                patient=patient,
            )
        yield from iter_builtin_events(
            vcf,
            path=path,
            patient=patient,
            models={g: m for g, m in models.items() if g in set(genes)},
            hotspots=hotspots or {},
            sample_index=sample_index,
            policy=policy,
            reference=reference,
            records=records,
            intronic_reach=intronic_reach,
        )
        return
    for needed in ("Allele", "Consequence", "SYMBOL", "Feature"):
        if needed not in names:
            raise InputError(f"the CSQ header has no {needed} field", path=path, patient=patient)
    wanted = set(genes)
    for line, variant in _all_records(vcf, path, patient) if records is None else records:
        csq = _info(variant, "ANN" if ann else "CSQ")
        if not csq:
            continue
        try:
            entries = parse_ann(csq, list(variant.ALT)) if ann else parse_csq(csq, names)
        except ValueError as exc:
            raise InputError(str(exc), path=path, line=line, patient=patient) from None
        entries = [e for e in entries if e.get("SYMBOL") in wanted]
        if not entries:
            continue
        check_ref(reference, variant, path=path, line=line, patient=patient)
        alts = list(variant.ALT)
        vep = vep_alleles(variant.REF, alts)
        for alt_index, alt in enumerate(alts):
            mine = [
                e
                for e in entries
                if (e.get("ALLELE_NUM") == str(alt_index + 1))
                or (not e.get("ALLELE_NUM") and e.get("Allele") == vep[alt_index])
            ]
            for gene in sorted({e.get("SYMBOL") for e in mine}):
                chosen, why = choose_transcript(
                    [e for e in mine if e.get("SYMBOL") == gene], preferred.get(gene, ())
                )
                hgvsp = chosen.get("HGVSp") or None
                classes = classify(chosen.get("Consequence"), hgvsp)
                exon, intron = _number(chosen.get("EXON")), _number(chosen.get("INTRON"))
                extra_notes: list[str] = []
                model = models.get(gene) if models is not None else None
                rec = None
                if model is not None:
                    chrom_ = normalise_chrom(variant.CHROM)
                    calls = classify_variant(
                        {gene: model},
                        chrom_,
                        int(variant.POS),
                        variant.REF,
                        alt,
                        hotspots or {},
                        reference,
                        intronic_reach,
                    )
                    rec = reconcile(
                        classes,
                        exon,
                        intron,
                        annotation_on_bundled=why.startswith("bundled transcript"),
                        calls=calls,
                    )
                    classes = [c for c in CLASS_ORDER if c in rec.classes]
                    exon, intron = rec.exon, rec.intron
                    if rec.note:
                        extra_notes.append(rec.note)
                    named = next((c for c in calls if c.status == "called" and c.hgvsp), None)
                    if not is_protein_change(hgvsp) and named is not None:
                        hgvsp = named.hgvsp
                        extra_notes.append(
                            f"protein change {named.hgvsp} from the built-in classifier (the "
                            "annotation gives none)"
                        )
                if not keep_classes(classes, rec.splice_offset if rec else None):
                    continue
                vaf, depth, how = allele_support(variant, sample_index, alt_index)
                check_vaf(vaf, how, path=path, line=line, patient=patient)
                status, reason = event_status(
                    filter_reason(variant.FILTER, vaf, depth, policy),
                    support_problem(vaf, depth, policy),
                )
                alteration = alteration_words(
                    hgvsp, chosen.get("HGVSc").rsplit(":", 1)[-1], chosen.get("Consequence")
                )
                notes = [f"transcript: {why}", f"VAF/depth from {how}", *extra_notes]
                chrom = normalise_chrom(variant.CHROM)
                yield Event(
                    gene=gene,
                    category="mutation",
                    alteration=alteration,
                    source=SourceRecord(
                        path, line, f"{variant.CHROM}:{variant.POS} {variant.REF}>{alt}"
                    ),
                    status=status,
                    status_reason=reason,
                    chrom=chrom,
                    pos1=int(variant.POS),
                    ref=variant.REF,
                    alt=alt,
                    transcript=chosen.get("Feature") or None,
                    exon=exon,
                    intron=intron,
                    hgvsc=chosen.get("HGVSc") or None,
                    hgvsp=hgvsp,
                    variant_class="&".join(classes),
                    consequence=chosen.get("Consequence") or None,
                    **coordinate_facts(rec, hgvsp),
                    vaf=round(vaf, 4) if vaf is not None else None,
                    depth=depth,
                    origin="somatic",
                    notes=tuple(notes),
                )


def builtin_event(
    call: BuiltinCall,
    chrom: str,
    pos1: int,
    ref: str,
    alt: str,
    *,
    path: str,
    line: int | None,
    vaf: float | None,
    depth: int | None,
    how: str,
    filter_reason: str,
    origin: Literal["somatic", "germline"] = "somatic",
    support: str = "",
) -> Event:
    """An :class:`Event` from a built-in classification of one VCF allele (``support``: the
    VAF/depth problem of :func:`support_problem`, if any)."""
    status, reason = event_status(filter_reason, support, call.status, call.status_reason)
    return Event(
        gene=call.gene,
        category="mutation",
        alteration=call.alteration,
        source=SourceRecord(path, line, f"{chrom}:{pos1} {ref}>{alt}"),
        status=status,
        status_reason=reason,
        chrom=normalise_chrom(chrom),
        pos1=pos1,
        ref=ref,
        alt=alt,
        transcript=call.transcript,
        exon=call.exon,
        intron=call.intron,
        hgvsc=call.hgvsc,
        hgvsp=call.hgvsp,
        variant_class=call.variant_class,
        consequence=None,
        splice_exon=call.splice_exon,
        splice_offset=call.splice_offset,
        readings=call.readings,
        vaf=round(vaf, 4) if vaf is not None else None,
        depth=depth,
        origin=origin,
        notes=(*call.notes, f"VAF/depth from {how}"),
    )


def coordinate_facts(rec: Reconciled | None, hgvsp: str | None) -> dict[str, Any]:
    """The built-in call's coordinate facts for an annotated record's :class:`Event`: nearest
    exon and intronic offset, and the other readings of an indel. An annotator's protein change
    was named with the sequence (HGVS 3' rule): its class stands, so readings are kept only
    where the coordinates decide."""
    if rec is None:
        return {"splice_exon": None, "splice_offset": None, "readings": ()}
    return {
        "splice_exon": rec.splice_exon,
        "splice_offset": rec.splice_offset,
        "readings": () if is_protein_change(hgvsp) else rec.readings,
    }


def keep_classes(classes: Sequence[str], splice_offset: int | None) -> bool:
    """Whether a classified allele becomes an event: a class a rule can use, or an intronic
    change the classifier placed near an exon (within a gene's intronic reach)."""
    if not classes:
        return False
    return splice_offset is not None or not all(c in NON_PROTEIN for c in classes)


_NEAR = 10_000
"""Models this far from a record are not asked to classify it (they cannot call it)."""
_EXON_SLACK = 10
"""Without a reference (no left-alignment), the built-in classifier calls nothing on an allele
more than 8 bases from every exon (splice region: intron 3-8), nor beyond a gene's intronic
reach: such records are skipped."""


def _near_exon(
    exons: tuple[list[int], list[int]], start0: int, end: int, slack: int = _EXON_SLACK
) -> bool:
    """Whether ``[start0, end)`` comes within ``slack`` of one of the (sorted) exons."""
    starts, ends = exons
    i = bisect_left(starts, end + slack) - 1
    return i >= 0 and ends[i] > start0 - slack


def _union(exon_sets: Iterable[tuple[list[int], list[int]]]) -> tuple[list[int], list[int]]:
    """The union of several sorted exon lists, merged (so that its ends rise with its starts)."""
    merged: list[list[int]] = []
    for start0, end in sorted(
        p for starts, ends in exon_sets for p in zip(starts, ends, strict=True)
    ):
        if merged and start0 <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start0, end])
    return [s for s, _ in merged], [e for _, e in merged]


def iter_builtin_events(
    vcf: Any,
    *,
    path: str,
    patient: str,
    models: Mapping[str, GeneModel],
    hotspots: Mapping[str, Sequence[Hotspot]],
    sample_index: int | None,
    policy: SmallVariantPolicy,
    origin: Literal["somatic", "germline"] = "somatic",
    reference: SequenceSource | None = None,
    records: Iterable[tuple[int | None, Any]] | None = None,
    intronic_reach: Mapping[str, int] | None = None,
) -> Iterator[Event]:
    """Events of an unannotated VCF, classified on the bundled transcript models.

    With a ``reference``: REF checked (:class:`InputError` on a mismatch), indels left-aligned,
    codon-level consequences and HGVS p. ``records``: as for :func:`iter_target_events`.
    """
    spans: dict[str, list[tuple[str, int, int]]] = {}
    for g, m in sorted(models.items()):
        spans.setdefault(m.chrom, []).append((g, m.tx_start0, m.tx_end))
    exons = {
        g: ([x.start0 for x in m.exons_genomic], [x.end for x in m.exons_genomic])
        for g, m in models.items()
    }
    # without a reference, a record must come near an exon of some model: one bisect over the
    # union of every model's exons on its chromosome turns the (many) intronic records away
    union = {c: _union(exons[g] for g, _, _ in mine) for c, mine in spans.items()}
    reach = dict(intronic_reach or {})
    slack = {g: max(_EXON_SLACK, reach.get(g, 0) + 1) for g in models}
    widest = {c: max(slack[g] for g, _, _ in mine) for c, mine in spans.items()}
    chroms: dict[str, str] = {}
    for line, variant in _all_records(vcf, path, patient) if records is None else records:
        raw_chrom = variant.CHROM
        chrom = chroms.get(raw_chrom) or chroms.setdefault(raw_chrom, normalise_chrom(raw_chrom))
        mine = spans.get(chrom)
        if not mine:
            continue
        pos = int(variant.POS)
        end = pos + len(variant.REF)
        if reference is None and not _near_exon(union[chrom], pos - 1, end - 1, widest[chrom]):
            continue
        if not any(s - 1 <= end and pos <= e + 1 for _, s, e in mine):
            continue
        # classify on the models near the record only (an allele is called on a model only
        # when it touches the transcript; the slack covers left-alignment with a reference)
        near = {
            g: models[g]
            for g, s, e in mine
            if s - _NEAR <= end
            and pos <= e + _NEAR
            and (reference is not None or _near_exon(exons[g], pos - 1, end - 1, slack[g]))
        }
        if not near:
            continue  # deep intron or UTR-free flank of every model: nothing to call
        check_ref(reference, variant, path=path, line=line, patient=patient)
        for alt_index, alt in enumerate(variant.ALT):
            calls = classify_variant(near, chrom, pos, variant.REF, alt, hotspots, reference, reach)
            if not calls:
                continue
            vaf, depth, how = allele_support(variant, sample_index, alt_index)
            check_vaf(vaf, how, path=path, line=line, patient=patient)
            reason = filter_reason(variant.FILTER, vaf, depth, policy)
            support = support_problem(vaf, depth, policy)
            for call in calls:
                yield builtin_event(
                    call, variant.CHROM, pos, variant.REF, alt, path=path, line=line, vaf=vaf,
                    depth=depth, how=how, filter_reason=reason, origin=origin, support=support,
                )  # fmt: skip


def _all_records(vcf: Any, path: str, patient: str | None = None) -> Iterator[tuple[int, Any]]:
    """Every record of an open VCF with its line number (as counted from the file's header)."""
    header_lines = count_header_lines(path) or vcf.raw_header.count("\n")
    index = -1
    try:
        for index, variant in enumerate(vcf):
            yield header_lines + index + 1, variant
    except Exception as exc:  # htslib's own read errors (cyvcf2 raises bare Exception)
        line = header_lines + index + 2
        raise _unreadable(exc, path=path, patient=patient, line=line) from None


def _unreadable(exc: Exception, *, path: str, patient: str | None, line: int | None) -> InputError:
    return InputError(
        f"htslib cannot read this record ({exc}); check its fields", path=path, line=line,
        patient=patient,
    )  # fmt: skip


@cache
def _bundled_map(build: str) -> dict[str, GeneModel]:
    models = load_gene_models(default_transcripts_path(normalise_build(build)))
    return {g: m for g in models.genes() if (m := models.get(g)) is not None}


def _model_map(models: GeneModels | None, build: str) -> dict[str, GeneModel]:
    if models is None:
        return dict(_bundled_map(build))
    return {g: m for g in models.genes() if (m := models.get(g)) is not None}


DEFAULT_REGION_MARGIN = 10_000
"""Default widening of each target gene's transcript span (VEP's upstream/downstream calls);
the pipeline passes its ``COORDINATE_MARGIN``."""

Region = tuple[str, int, int]
"""``(chrom without chr, start0, end)``: 0-based half-open."""


def target_regions(
    model_sets: Iterable[Mapping[str, GeneModel] | GeneModels], genes: Iterable[str], margin: int
) -> list[Region]:
    """Merged, sorted regions covering each gene's transcript span +/- ``margin`` in every set.

    >>> from armmatch.pipeline import gene_models
    >>> target_regions([gene_models("GRCh38")], ["BRAF"], 10_000)
    [('7', 140724012, 140934764)]
    """
    spans: list[Region] = []
    wanted = list(genes)
    for models in model_sets:
        for g in wanted:
            m = models.get(g)
            if m is not None:
                spans.append((m.chrom, max(0, m.tx_start0 - margin), m.tx_end + margin))
    merged: list[Region] = []
    for chrom, start0, end in sorted(spans):
        if merged and merged[-1][0] == chrom and start0 <= merged[-1][2]:
            merged[-1] = (chrom, merged[-1][1], max(end, merged[-1][2]))
        else:
            merged.append((chrom, start0, end))
    return merged


def find_index(path: str) -> str | None:
    """The tabix (``.tbi``) or CSI (``.csi``) index beside a bgzipped VCF or a BCF, if any."""
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if len(magic) < 4 or magic[:2] != b"\x1f\x8b" or not magic[3] & 0x04:
        return None  # not BGZF (an index needs block offsets): plain text or plain gzip
    for suffix in (".tbi", ".csi"):
        if Path(path + suffix).is_file():
            return path + suffix
    return None


def check_index_fresh(path: str, index: str, *, patient: str | None = None) -> None:
    """Stop when the index is older than the data file: it could hide records."""
    if os.stat(index).st_mtime_ns < os.stat(path).st_mtime_ns:
        raise InputError(
            f"the index {index} is older than the file: re-index it (tabix -p vcf, or "
            "bcftools index); a stale index can hide records",
            path=path,
            patient=patient,
        )


def _seqname(chrom: str, names: Container[str]) -> str | None:
    """The VCF's own name of a normalised chromosome (``7`` -> ``chr7`` when it says chr7)."""
    candidates = ("MT", "M", "chrM", "chrMT") if chrom == "MT" else (chrom, f"chr{chrom}")
    return next((c for c in candidates if c in names), None)


def _indexed_records(
    vcf: Any, regions: Sequence[Region], *, path: str = "", patient: str | None = None
) -> Iterator[tuple[None, Any]]:
    """The records overlapping ``regions``, read through the index, each once, in file order.

    A record overlapping two (merged, so disjoint) regions is returned by both queries; it is
    kept from the first only (it starts before the end of the previous region on its contig).
    """
    seqnames = list(vcf.seqnames)
    order = {n: i for i, n in enumerate(seqnames)}
    named = [(name, s, e) for c, s, e in regions if (name := _seqname(c, order)) is not None]
    named.sort(key=lambda r: (order[r[0]], r[1]))
    prev_chrom, prev_end = "", -1
    for name, start0, end in named:
        before = prev_end if name == prev_chrom else -1
        region = f"{name}:{start0 + 1}-{end}"
        try:
            with warnings.catch_warnings():  # cyvcf2 warns about a region without records
                warnings.filterwarnings("ignore", message="no intervals found")
                found = iter(vcf(region))
                first = next(found, None)
            for variant in found if first is None else itertools.chain([first], found):
                if variant.start < before:
                    continue  # also overlaps the previous region: already yielded
                yield None, variant
        except Exception as exc:  # htslib's own read errors (cyvcf2 raises bare Exception)
            raise _unreadable(exc, path=path, patient=patient, line=None) from None
        prev_chrom, prev_end = name, end


def _region_spans(regions: Sequence[Region]) -> dict[str, tuple[list[int], list[int]]]:
    """``regions`` by (normalised) chromosome: sorted starts and ends."""
    by_chrom: dict[str, tuple[list[int], list[int]]] = {}
    for c, s, e in regions:
        starts, ends = by_chrom.setdefault(c, ([], []))
        starts.append(s)
        ends.append(e)
    return by_chrom


def _selected_records(
    text: VcfText,
    raw_header: str,
    spans: Mapping[str, tuple[list[int], list[int]]],
    stack: ExitStack,
    *,
    path: str,
    patient: str,
) -> Iterator[tuple[int, Any]]:
    """The records the text pass picked (:func:`armmatch.io.scan_vcf_text` with ``select``),
    parsed by htslib, with their line numbers: those overlapping the regions (``spans``, by
    chromosome, from :func:`_region_spans`) or marked.

    The picked lines go, under the file's own header, into a temporary VCF that cyvcf2 reads
    (removed when ``stack`` closes): htslib parses only these records, not the whole file.
    The text pass picks by ``POS + len(REF)`` and keeps every record with an INFO ``END``;
    htslib's extent of each record then decides, as for an indexed query.
    """
    import cyvcf2

    tmp = stack.enter_context(tempfile.NamedTemporaryFile(prefix="armmatch-", suffix=".vcf"))  # noqa: SIM115
    tmp.write(raw_header.encode("utf-8"))
    for _, raw in text.selected:
        tmp.write(raw + b"\n")
    tmp.flush()
    line: int | None = None
    try:
        picked = stack.enter_context(closing(cyvcf2.VCF(tmp.name, lazy=True)))
        lines = iter(text.selected)
        for variant in picked:
            line = next(lines)[0]
            starts, ends = spans.get(normalise_chrom(variant.CHROM), ([], []))
            i = bisect_left(starts, variant.end) - 1
            if (i >= 0 and variant.start < ends[i]) or line in text.marked:
                yield line, variant
    except Exception as exc:  # htslib's own read errors (cyvcf2 raises bare Exception)
        after = line + 1 if line is not None else None
        at = next((n for n, _ in text.selected if after is None or n >= after), None)
        raise _unreadable(exc, path=path, patient=patient, line=at) from None
    if next(lines, None) is not None:
        raise InputError(
            f"htslib read fewer records than the {len(text.selected)} target-region lines: a "
            "record line htslib cannot read?",
            path=path,
            patient=patient,
        )


def _trie(words: Sequence[bytes]) -> bytes:
    """A regular expression matching exactly ``words``, factored by prefix (``BR(?:AF|CA1)``):
    re tries alternatives one by one, so a shared prefix is tested once."""
    rest = [w for w in words if w]
    if len(rest) < len(words):
        return b"(?:" + _trie(rest) + b")?" if rest else b""
    groups: dict[bytes, list[bytes]] = {}
    for w in words:
        groups.setdefault(w[:1], []).append(w[1:])
    parts = [re.escape(k) + _trie(v) for k, v in sorted(groups.items())]
    return parts[0] if len(parts) == 1 else b"(?:" + b"|".join(parts) + b")"


def _symbol_pattern(genes: Iterable[str], *, first_field: bool = False) -> re.Pattern[bytes]:
    """Bytes pattern of a CSQ/ANN field that is one of ``genes`` (``|BRAF|``, ``|BRAF,``...).

    A field after a ``|`` (SYMBOL is not the first CSQ field; ANN's Gene_Name is the fourth):
    the literal ``|`` lets re skip ahead fast. With ``first_field``, also after ``=`` or ``,``
    (about four times slower).

    >>> bool(_symbol_pattern(["BRAF", "BRCA1"]).search(b"T|missense|BRAF|x"))
    True
    >>> bool(_symbol_pattern(["BRAF"]).search(b"T|missense|BRAFX|x"))
    False
    """
    words = sorted({g.encode() for g in genes})
    lead = rb"[|=,]" if first_field else rb"\|"
    return re.compile(lead + _trie(words) + rb"(?=[|,;\t\n])")


def _open_cyvcf2(path: str, patient: str | None) -> Any:
    import cyvcf2

    try:
        return cyvcf2.VCF(path, lazy=True)
    except Exception as exc:  # cyvcf2 raises bare OSError/Exception on unreadable files
        raise InputError(f"not a readable VCF/BCF ({exc})", path=path, patient=patient) from None


def read_small_variants(
    path: str,
    *,
    patient: str,
    build: str,
    genes: Sequence[str],
    preferred: Mapping[str, Sequence[str]],
    vcf_sample: str | None,
    policy: SmallVariantPolicy,
    models: GeneModels | None = None,
    reference: SequenceSource | None = None,
    region_margin: int = DEFAULT_REGION_MARGIN,
    other_models: GeneModels | None = None,
    hotspots: str | Path | None = None,
    intronic_reach: Mapping[str, int] | None = None,
) -> Evidence:
    """Read a VCF for one patient into :class:`Evidence`.

    ``intronic_reach`` (gene -> bases, from :meth:`armmatch.rules.RuleSet.intronic_reach`):
    how far into an intron changes are still listed, for the rules' ``offset`` windows.

    ``reference`` (the configured ``reference_fasta``, see :mod:`armmatch.reference`) turns on
    the REF check and codon-level built-in classification; MAF input does not use it.

    VEP ``CSQ`` or SnpEff ``ANN`` annotation is used when present; otherwise the built-in
    classifier runs on ``models`` (default: the bundled transcript models of ``build``). A MAF
    (recognised by its header row) is read by :func:`armmatch.maf.read_maf` instead.

    Only the target regions are read: each target gene's transcript span +/- ``region_margin``
    on ``build`` and on the other build (``other_models``, default the bundled ones), so that a
    record placed where the other build puts the gene is still read and reported as a build
    mismatch. A bgzipped VCF with a tabix/CSI index (or an indexed BCF) is read through the
    index (records cited without a line number: finding it would take a full pass); any other
    file in one pass that checks the text (:func:`armmatch.io.scan_vcf_text`) and picks the
    records reaching into the regions, which alone htslib then parses, with exact line
    numbers. In an annotated VCF, a record outside the regions whose text names a target gene
    as a CSQ/ANN field is picked too (so that a target-gene annotation at another position
    still stops the run).

    Raises
    ------
    InputError
        Unreadable VCF, a header that states another build, a missing tumour sample,
        a missing or malformed CSQ annotation, an index older than the VCF.
    """
    from armmatch.maf import is_maf, read_maf

    hotspots_path = Path(hotspots or default_hotspots_path())
    if Path(path).is_file() and is_maf(path):
        return read_maf(
            path,
            patient=patient,
            build=build,
            genes=genes,
            preferred=preferred,
            sample=vcf_sample,
            policy=policy,
            models=_model_map(models, build),
            hotspots=load_hotspots(hotspots_path),
            intronic_reach=intronic_reach,
        )
    if not Path(path).is_file():
        raise InputError("VCF does not exist", path=path, patient=patient)
    check_small_variant_vcf(path, patient=patient)
    # The provenance checksum reads the whole file while the records are read: hashlib and
    # file reads release the GIL, so on a second core the checksum of an indexed whole genome
    # no longer adds to the region reading (measured: 0.19 -> 0.15 s at 5M records).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="armmatch-sha256") as pool:
        checksum = pool.submit(sha256_file, path)
        evidence = _read_vcf(
            path, patient=patient, build=build, genes=genes, preferred=preferred,
            vcf_sample=vcf_sample, policy=policy, models=models, reference=reference,
            region_margin=region_margin, other_models=other_models,
            hotspots=hotspots_path, intronic_reach=intronic_reach,
        )  # fmt: skip
        evidence.inputs = {path: checksum.result()}
    return evidence


def _read_vcf(
    path: str,
    *,
    patient: str,
    build: str,
    genes: Sequence[str],
    preferred: Mapping[str, Sequence[str]],
    vcf_sample: str | None,
    policy: SmallVariantPolicy,
    models: GeneModels | None,
    reference: SequenceSource | None,
    region_margin: int,
    other_models: GeneModels | None,
    hotspots: Path,
    intronic_reach: Mapping[str, int] | None = None,
) -> Evidence:
    """:func:`read_small_variants` of a VCF/BCF, without the checksum of the input."""
    model_map = _model_map(models, build)
    other = other_build(build)
    other_map = _model_map(other_models, other)
    # every target gene needs a model to have a region; else every record is read
    have_regions = all(g in model_map or g in other_map for g in genes)
    # an annotated record is read in both builds' regions (one placed where the other build
    # puts its gene is a build mismatch, see pipeline.check_coordinates); the built-in
    # classifier uses this build's models only
    both = [model_map, other_map]
    stack = ExitStack()  # the temporary file of the streamed records' lines
    index = find_index(path)
    reason = f"small variants read from {path}"
    records: Iterable[tuple[int | None, Any]]
    regions: list[Region] | None = None
    annotated = False
    if index is not None and have_regions and os.path.getsize(path) >= policy.index_min_bytes:
        check_index_fresh(path, index, patient=patient)
        scan_vcf_text(path, patient=patient, header_only=True)
        vcf = _open_cyvcf2(path, patient)
        raw = vcf.raw_header
        annotated = csq_fields_from_header(raw) is not None or has_ann_header(raw)
        no_build = not header_builds(raw)
        regions = target_regions(both if annotated or no_build else [model_map], genes,
                                 region_margin)  # fmt: skip
        records = _indexed_records(vcf, regions, path=path, patient=patient)
        kind = "tabix" if index.endswith(".tbi") else "CSI"
        reason += f" (target regions through its {kind} index)"
    else:
        header = scan_vcf_text(path, patient=patient, header_only=True)
        text: VcfText | None = None
        if header is not None:
            annotated = bool(header.info & {"CSQ", "ANN"})
            no_build = not header_builds(vcf_header_text(path, patient=patient))
            if have_regions:
                regions = target_regions(both if annotated or no_build else [model_map], genes,
                                         region_margin)  # fmt: skip
            mark = select = None
            if regions is not None:
                spans = _region_spans(regions)
                select = lambda name: spans.get(normalise_chrom(name))  # noqa: E731
                if annotated:
                    names = csq_fields_from_header(header.header_text) or []
                    mark = _symbol_pattern(genes, first_field=names[:1] == ["SYMBOL"])
            text = scan_vcf_text(path, patient=patient, mark=mark, select=select)
        vcf = _open_cyvcf2(path, patient)
        if text is None or regions is None:  # BCF (htslib checks it), or no regions: all
            records = _all_records(vcf, path, patient)
        else:
            records = _selected_records(
                text, vcf.raw_header, spans, stack, path=path, patient=patient
            )
    tally: list[tuple[int | None, str, int, int]] = []
    if not header_builds(vcf.raw_header) and not annotated:
        records = _tallied(records, tally)
    try:
        check_build(vcf.raw_header, build, path=path, patient=patient)
        sample_index = select_sample(vcf.samples, vcf_sample, path=path, patient=patient)
        events = list(
            iter_target_events(
                vcf,
                path=path,
                patient=patient,
                genes=genes,
                preferred=preferred,
                sample_index=sample_index,
                policy=policy,
                models=model_map,
                hotspots=load_hotspots(hotspots),
                reference=reference,
                records=records,
                intronic_reach=intronic_reach,
            )
        )
    finally:
        vcf.close()
        stack.close()
    if tally:
        check_exon_build(tally, model_map, other_map, build=build, path=path, patient=patient)
    return Evidence(events=events, assessments=assessed(genes, "mutation", reason))


def _tallied(
    records: Iterable[tuple[int | None, Any]], tally: list[tuple[int | None, str, int, int]]
) -> Iterator[tuple[int | None, Any]]:
    """The records, each noted as ``(line, chrom, pos1, len(REF))`` in ``tally``."""
    for line, variant in records:
        tally.append((line, normalise_chrom(variant.CHROM), int(variant.POS), len(variant.REF)))
        yield line, variant


def check_exon_build(
    records: Sequence[tuple[int | None, str, int, int]],
    here: Mapping[str, GeneModel],
    there: Mapping[str, GeneModel],
    *,
    build: str,
    path: str,
    patient: str,
) -> None:
    """Stop when a VCF that states no genome build has target-gene records that sit in exons
    (or their splice sites) on the other build only: its coordinates are of the other build.

    A record counts for a build when it touches an exon (+/- 2 bases) of a target gene's
    bundled model there and not on the other build; more records fitting only the other build
    than only the patient's stop it.
    """

    def fits(models: Mapping[str, GeneModel], chrom: str, pos1: int, n: int) -> str | None:
        for gene, m in models.items():
            if m.chrom == chrom and any(
                e.start0 - 2 < pos1 - 1 + n and pos1 - 1 < e.end + 2 for e in m.exons
            ):
                return gene
        return None

    other = other_build(build)
    fit = build_fit(
        (fits(here, chrom, pos1, n) is not None, (b := fits(there, chrom, pos1, n)) is not None,
         f"line {line}: {chrom}:{pos1} in {b} exons on {other}")
        for line, chrom, pos1, n in records
    )  # fmt: skip
    if fit.other_build_wins:
        raise InputError(
            f"the VCF header states no genome build, and its target-gene records fit {other}, not "
            f"{build}: {fit.only_there} record(s) lie in target-gene exons on {other} only, "
            f"{fit.only_here} on {build} only ({fit.example}); the VCF is of {other} but the "
            f"patient's genome_build is {build}",
            path=path,
            patient=patient,
        )
