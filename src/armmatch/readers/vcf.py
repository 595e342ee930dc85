"""VCF reading through htslib (cyvcf2): header facts, the tumour sample, support fields, and
records by index or by a streaming pass restricted to the target regions.

Positions are ``pos1`` (1-based, as in the VCF).
"""

from __future__ import annotations

import gzip
import itertools
import math
import os
import re
import warnings
from bisect import bisect_left
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, closing
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import pysam

from armmatch.errors import InputError
from armmatch.genome import (
    infer_build_from_contigs,
    normalise_build,
    normalise_chrom,
)
from armmatch.io import scratch_file
from armmatch.readers.snpeff_ann import has_ann_header
from armmatch.readers.vcf_text import VcfText, scan_vcf_text, vcf_header_text, vcf_kinds
from armmatch.readers.vep_csq import csq_fields_from_header

SNPEFF_AS_CSQ = ["Allele", "Consequence", "SYMBOL", "Feature", "ALLELE_NUM"]
"""The CSQ-style fields an ``ANN`` entry is read into (:func:`~armmatch.readers.snpeff_ann.parse_ann`)."""


@dataclass(frozen=True)
class Annotation:
    """The annotator's per-transcript INFO field a VCF header declares, and its field names."""

    field: Literal["CSQ", "ANN"]
    fields: list[str]


def header_annotation(raw_header: str) -> Annotation | None:
    """VEP's ``CSQ`` (with its declared ``Format``) or snpEff's ``ANN``; None: unannotated.

    The one place that decides whether a VCF is annotated: a ``CSQ`` line without a
    ``Format`` list cannot be read, so the VCF counts as unannotated (the built-in classifier).
    """
    names = csq_fields_from_header(raw_header)
    if names is not None:
        return Annotation("CSQ", names)
    if has_ann_header(raw_header):
        return Annotation("ANN", list(SNPEFF_AS_CSQ))
    return None


def header_contig_lengths(raw_header: str) -> dict[str, int]:
    """``{contig: length}`` from ``##contig`` lines that carry a length."""
    out: dict[str, int] = {}
    for m in re.finditer(r"^##contig=<ID=([^,>]+)[^>]*?length=(\d+)", raw_header, re.M):
        out[m.group(1)] = int(m.group(2))
    return out


def header_builds(raw_header: str) -> list[tuple[str, str]]:
    """Every statement of the genome build in a VCF header, as ``(evidence, build)`` pairs."""
    return list(_header_builds(raw_header))


@lru_cache(maxsize=64)
def _header_builds(raw_header: str) -> tuple[tuple[str, str], ...]:
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
    return tuple(hints)


def number_value(text: str) -> int | None:
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


def info_value(variant: Any, key: str) -> Any:
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
        info_af = info_value(variant, key) if vaf is None else None
        if info_af is not None:
            vaf = _first_value(info_af if isinstance(info_af, tuple) else (info_af,), alt_index)
            if vaf is not None:
                how.append(f"INFO/{key}")
    for key in ("TDP", "DP"):
        info_dp = info_value(variant, key) if depth is None else None
        if info_dp is not None:
            d = _first_value(info_dp if isinstance(info_dp, tuple) else (info_dp,), 0)
            depth = int(d) if d is not None and d > 0 else None
    return vaf, depth, "+".join(how) if how else "not reported"


def count_header_lines(path: str) -> int | None:
    """Number of ``#`` lines at the top of a text VCF (plain or bgzip); None for BCF.

    Records are then reported by their true line number in the (decompressed) file.
    """

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
    vcf = open_cyvcf2(path, patient)
    try:
        return [str(s) for s in vcf.samples]
    finally:
        vcf.close()


_ROLE_HEADERS = {
    "tumour": (
        (re.compile(r"^##tumou?r_sample=(?P<name>\S+)\s*$", re.M | re.I), "the VCF's ##tumor_sample header line (Mutect2)"),
        (re.compile(r"^##PEDIGREE=<(?:[^>]*,)?Derived=(?P<name>[^,>]+)", re.M), "the VCF's ##PEDIGREE line (Derived)"),
    ),
    "normal": (
        (re.compile(r"^##normal_sample=(?P<name>\S+)\s*$", re.M | re.I), "the VCF's ##normal_sample header line (Mutect2)"),
        (re.compile(r"^##PEDIGREE=<(?:[^>]*,)?Original=(?P<name>[^,>]+)", re.M), "the VCF's ##PEDIGREE line (Original)"),
    ),
}  # fmt: skip
_ROLE_NAMES = {"tumour": ("TUMOR", "TUMOUR"), "normal": ("NORMAL",)}


def named_sample(samples: Sequence[str], raw_header: str, role: str) -> tuple[str, str] | None:
    """The ``role`` (``tumour`` or ``normal``) sample a multi-sample VCF names itself, and how:
    the header's ``##tumor_sample=``/``##normal_sample=`` (Mutect2) or ``##PEDIGREE=<Derived=
    ..., Original=...>`` (the VCF specification's somatic pedigree), else the one column called
    TUMOR (or TUMOUR) or NORMAL, as Strelka2 and VarScan2 write them; None when it does not
    tell.

    >>> named_sample(["N1", "T1"], "##tumor_sample=T1\\n##normal_sample=N1\\n", "tumour")
    ('T1', "the VCF's ##tumor_sample header line (Mutect2)")
    >>> named_sample(["NORMAL", "TUMOR"], "", "normal")[0]
    'NORMAL'
    >>> named_sample(["S1", "S2"], "", "tumour") is None
    True
    """
    for pattern, how in _ROLE_HEADERS[role]:
        names = {m.group("name").strip() for m in pattern.finditer(raw_header)}
        if len(names) == 1 and (name := names.pop()) in samples:
            return name, how
    named = [s for s in samples if s.upper() in _ROLE_NAMES[role]]
    if len(named) == 1:
        return named[
            0
        ], f"the VCF's only sample column named {named[0]} (as Strelka2 and VarScan2 name theirs)"
    return None


def select_sample(
    samples: Sequence[str],
    wanted: str | None,
    *,
    path: str,
    patient: str,
    raw_header: str = "",
    tumour: bool = True,
) -> tuple[int | None, str]:
    """Index of the tumour sample column (None for a sites-only VCF), and how it was chosen
    when the sample sheet's ``vcf_sample`` is empty and the VCF has several samples (see
    :func:`named_sample`; else ""). ``tumour`` False: the sample of a germline VCF, not checked
    against the VCF's normal.

    Raises
    ------
    InputError
        When ``wanted`` is not in the VCF or is the sample the VCF names as its normal (the
        normal's calls would be read as the tumour's: no variant, a wrong arm), or the VCF
        has several samples, none is named in the sheet and the VCF does not name its tumour.
    """
    if wanted is not None:
        if wanted not in samples:
            raise InputError(
                f"vcf_sample {wanted!r} is not in the VCF (its samples: {', '.join(samples) or 'none'})",
                path=path,
                patient=patient,
            )
        normal = (
            named_sample(samples, raw_header, "normal") if tumour and len(samples) > 1 else None
        )
        if normal is not None and normal[0] == wanted:
            raise InputError(
                f"vcf_sample {wanted!r} is the normal sample ({normal[1]}): its calls are the "
                "normal's, not the tumour's; name the tumour column in the sample sheet's "
                "vcf_sample",
                path=path,
                patient=patient,
            )
        return list(samples).index(wanted), ""
    if len(samples) > 1:
        if (found := named_sample(samples, raw_header, "tumour")) is not None:
            name, how = found
            return list(samples).index(name), f"tumour sample {name}, from {how}"
        raise InputError(
            f"the VCF has {len(samples)} samples ({', '.join(samples)}) and does not name its "
            "tumour sample (no ##tumor_sample header line, no column named TUMOR); name the "
            "tumour column in the sample sheet's vcf_sample",
            path=path,
            patient=patient,
        )
    return (0 if samples else None), ""


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


def all_records(vcf: Any, path: str, patient: str | None = None) -> Iterator[tuple[int, Any]]:
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


Region = tuple[str, int, int]


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


def indexed_records(
    vcf: Any, regions: Sequence[Region], *, path: str = "", patient: str | None = None
) -> Iterator[tuple[None, Any]]:
    """The records overlapping ``regions``, read through the index, each once, in file order
    (cyvcf2's region queries: an indexed BCF; a bgzipped text VCF is read by
    :func:`tabix_lines`, which loads its index once).

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


def region_spans(regions: Sequence[Region]) -> dict[str, tuple[list[int], list[int]]]:
    """``regions`` by (normalised) chromosome: sorted starts and ends."""
    by_chrom: dict[str, tuple[list[int], list[int]]] = {}
    for c, s, e in regions:
        starts, ends = by_chrom.setdefault(c, ([], []))
        starts.append(s)
        ends.append(e)
    return by_chrom


def open_lines(
    header: bytes, lines: Iterable[bytes], stack: ExitStack, *, path: str, patient: str
) -> Any:
    """Record ``lines`` of the VCF at ``path`` under its ``header`` (its bytes through the
    ``#CHROM`` line) as a cyvcf2 reader (closed with ``stack``): htslib parses only these
    records, not the whole file, and reads the header once.

    The lines go into a scratch VCF (:func:`armmatch.io.scratch_file`, in memory on Linux;
    gone when ``stack`` closes). A header htslib cannot read is an error naming ``path``."""
    data = b"".join([header, *(raw + b"\n" for raw in lines)])
    scratch = stack.enter_context(scratch_file(data, suffix=".vcf"))
    return stack.enter_context(closing(open_cyvcf2(scratch, patient, named=path)))


def open_selected(text: VcfText, stack: ExitStack, *, path: str, patient: str) -> Any:
    """The records the text pass picked (:func:`armmatch.readers.vcf_text.scan_vcf_text` with
    ``select``) as a cyvcf2 reader, by :func:`open_lines`."""
    lines = (raw for _, raw in text.selected)
    return open_lines(text.header_bytes, lines, stack, path=path, patient=patient)


@dataclass(frozen=True)
class TabixRead:
    """What :func:`tabix_lines` read: the record lines and the contigs its index names."""

    lines: list[bytes]
    contigs: list[str]


def tabix_lines(
    path: str, index: str, regions: Sequence[Region], *, patient: str | None = None
) -> TabixRead:
    """The record lines of a bgzipped text VCF overlapping ``regions`` (merged, so disjoint),
    read through its tabix or CSI ``index``, each once, in file order.

    The query is htslib's tabix query (through pysam), the one a cyvcf2 region query makes,
    with the record extents the index was built with; a record overlapping two regions is
    returned by both queries and kept from the first (it starts before the end of the previous
    region on its contig). The index is loaded once: opening the file with cyvcf2 loads it a
    second time (htslib's VCF header reader looks in the index for contigs the header does not
    declare), which costs as much as the region queries of a whole genome.

    An index or a data block htslib cannot read is an :class:`InputError` naming the file.
    """
    try:
        tabix = pysam.TabixFile(path, index=index, encoding="latin-1")  # bytes, one to one
    except (OSError, ValueError) as exc:
        raise InputError(
            f"htslib cannot read it through its index {index} ({exc}): re-index it (tabix -p "
            "vcf, or bcftools index)",
            path=path,
            patient=patient,
        ) from None
    with closing(tabix):
        contigs = list(tabix.contigs)
        order = {n: i for i, n in enumerate(contigs)}
        named = [(name, s, e) for c, s, e in regions if (name := _seqname(c, order)) is not None]
        named.sort(key=lambda r: (order[r[0]], r[1]))
        lines: list[bytes] = []
        prev_chrom, prev_end = "", -1
        for name, start0, end in named:
            try:
                found = [line.encode("latin-1") for line in tabix.fetch(name, start0, end)]
            except (OSError, ValueError) as exc:
                raise InputError(
                    f"htslib cannot read the records of {name}:{start0 + 1}-{end} through the "
                    f"index ({exc}): a damaged or truncated file, or an index of another file?",
                    path=path,
                    patient=patient,
                ) from None
            first = 0
            if name == prev_chrom:  # sorted: the records also in the previous region lead
                while first < len(found) and _start0(found[first]) < prev_end:
                    first += 1
            lines.extend(found[first:] if first else found)
            prev_chrom, prev_end = name, end
    return TabixRead(lines, contigs)


def _start0(line: bytes) -> int:
    """The 0-based start of a record line (its POS - 1); -1 for a POS that is not a number,
    which htslib then refuses."""
    try:
        return int(line.split(b"\t", 2)[1]) - 1
    except (IndexError, ValueError):
        return -1


def declare_contigs(header: bytes, declared: Container[str], contigs: Iterable[str]) -> bytes:
    """``header`` (through the ``#CHROM`` line) with a ``##contig`` line for each of ``contigs``
    it does not declare, before the ``#CHROM`` line: what htslib's header reader adds from a
    file's index, so that the records of :func:`tabix_lines` read alike under it."""
    missing = [c for c in contigs if c not in declared]
    if not missing:
        return header
    cut = header.rfind(b"\n#CHROM")
    lines = b"".join(b"##contig=<ID=%s>\n" % c.encode() for c in missing)
    return header[: cut + 1] + lines + header[cut + 1 :]


def unnumbered_records(
    vcf: Any, expected: int, *, path: str, patient: str
) -> Iterator[tuple[None, Any]]:
    """The records of a reader made by :func:`open_lines` from ``expected`` lines read through
    an index, without line numbers (an indexed read cannot know them)."""
    n = 0
    try:
        for variant in vcf:
            n += 1
            yield None, variant
    except Exception as exc:  # htslib's own read errors (cyvcf2 raises bare Exception)
        raise _unreadable(exc, path=path, patient=patient, line=None) from None
    if n != expected:
        raise InputError(
            f"htslib read {n} records from the {expected} target-region lines read through the "
            "index: a record line htslib cannot read?",
            path=path,
            patient=patient,
        )


def selected_records(
    picked: Any,
    text: VcfText,
    spans: Mapping[str, tuple[list[int], list[int]]],
    *,
    path: str,
    patient: str,
) -> Iterator[tuple[int, Any]]:
    """The records of :func:`open_selected`'s reader with their line numbers: those overlapping
    the regions (``spans``, by chromosome, from :func:`region_spans`) or marked.

    The text pass picks by ``POS + len(REF)`` and keeps every record with an INFO ``END``;
    htslib's extent of each record then decides, as for an indexed query.
    """
    line: int | None = None
    try:
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


def symbol_pattern(genes: Iterable[str], *, first_field: bool = False) -> re.Pattern[bytes]:
    """Bytes pattern of a CSQ/ANN field that is one of ``genes`` (``|BRAF|``, ``|BRAF,``...).

    A field after a ``|`` (SYMBOL is not the first CSQ field; ANN's Gene_Name is the fourth):
    the literal ``|`` lets re skip ahead fast. With ``first_field``, also after ``=`` or ``,``
    (about four times slower).

    >>> bool(symbol_pattern(["BRAF", "BRCA1"]).search(b"T|missense|BRAF|x"))
    True
    >>> bool(symbol_pattern(["BRAF"]).search(b"T|missense|BRAFX|x"))
    False
    """
    return _symbol_pattern(tuple(sorted({g.encode() for g in genes})), first_field)


@lru_cache(maxsize=64)
def _symbol_pattern(words: tuple[bytes, ...], first_field: bool) -> re.Pattern[bytes]:
    lead = rb"[|=,]" if first_field else rb"\|"
    return re.compile(lead + _trie(words) + rb"(?=[|,;\t\n])")


def open_cyvcf2(path: str, patient: str | None, *, named: str | None = None) -> Any:
    """A lazy cyvcf2 reader of ``path``; one htslib cannot open is an InputError naming
    ``named`` (the patient's file, when ``path`` is a scratch copy of its records) or ``path``."""
    import cyvcf2

    try:
        return cyvcf2.VCF(path, lazy=True)
    except Exception as exc:  # cyvcf2 raises bare OSError/Exception on unreadable files
        raise InputError(
            f"not a readable VCF/BCF ({exc})", path=named or path, patient=patient
        ) from None


def check_vcf_header_build(path: str | Path, build: str, *, patient: str | None = None) -> None:
    """Stop when a breakend VCF's header states another genome build than the patient's."""
    check_build(vcf_header_text(path, patient=patient), build, path=str(path), patient=patient,
                what="breakend VCF", remedy="its breakpoints would be read on the wrong genome")  # fmt: skip
