"""A small-variant record that cannot be read exactly as written.

htslib reads many malformed records without complaint: an IUPAC code as ALT, an empty allele in
``A,,T``, REF ``B`` or ``C,A``, FILTER ``;PASS`` (read as failed) or ``PASS;`` (read as passed),
INFO ``AF=-0.01`` or ``DP=1.150`` (read as depth 1). Such a record in or near a target gene must
never count as absent: :func:`record_problem` names its defect, and calling turns it into an
``indeterminate`` event of the genes it lies near (the patient is then incomplete, naming the
file, line and problem).
"""

from __future__ import annotations

import re
from typing import Any

_BASES = re.compile(r"[ACGTNacgtn]+")
_SKIPPED_SYMBOLIC = frozenset({"<NON_REF>", "<*>"})
"""gVCF reference-block alleles: no variant here."""


def record_problem(variant: Any) -> str | None:
    """What keeps ``variant`` (a cyvcf2 record) from being read exactly as written, or None."""
    ref = str(variant.REF)
    if not _BASES.fullmatch(ref):
        return f"REF {ref!r} is not a sequence of bases (A, C, G, T, N)"
    alts = [str(a) for a in variant.ALT]
    if len(alts) > 1 and any(a in ("", ".") for a in alts):
        return f"an empty allele in ALT {','.join(alts)!r}"
    for alt in alts:
        if alt in ("*", ".", "") or alt in _SKIPPED_SYMBOLIC:
            continue  # a spanning deletion, no ALT, or a gVCF reference block
        if alt.startswith("<") or "[" in alt or "]" in alt:
            return (
                f"ALT {alt!r} is a symbolic or breakend allele in a small-variant file: give "
                "structural variants in the cnv or fusions column"
            )
        if not _BASES.fullmatch(alt):
            return f"ALT {alt!r} is not a sequence of bases (an IUPAC code, a space?)"
    flt = variant.FILTER  # htslib reads PASS as None; ';PASS' comes through as written
    if flt is not None and ("" in str(flt).split(";") or "PASS" in str(flt).split(";")):
        return f"FILTER {flt!r} is malformed (PASS alone, or failed filters joined by ';')"
    return None


_INTEGER = re.compile(rb"[+-]?\d+")


def field_problem(record: bytes) -> str | None:
    """A FILTER or INFO value of a target-region record that htslib would read as something
    else: ``;PASS`` (failed) or ``PASS;`` (passed), ``DP=1.150`` (depth 1), ``AF=-0.01``."""
    fields = record.split(b"\t", 8)
    if len(fields) < 8:
        return None
    flt = fields[6]
    parts = flt.split(b";")
    if flt and flt not in (b"PASS", b".") and (b"" in parts or b"PASS" in parts):
        return (f"FILTER {flt.decode('utf-8', 'replace')!r} is malformed (PASS alone, or failed "
                "filters joined by ';'): it cannot be read as written")  # fmt: skip
    for item in fields[7].split(b";"):
        key, _, value = item.partition(b"=")
        if key == b"DP" and value and not _INTEGER.fullmatch(value):
            return f"INFO DP={value.decode('utf-8', 'replace')} is not a whole number of reads"
        if key == b"AF" and value:
            for v in value.split(b","):
                try:
                    ok = v in (b".", b"") or 0.0 <= float(v) <= 1.0
                except ValueError:
                    ok = False
                if not ok:
                    return (f"INFO AF={value.decode('utf-8', 'replace')} is not an allele "
                            "fraction in [0, 1]")  # fmt: skip
    return None


_BAD_CHROM = re.compile(r"[\s:<>,=]")
"""Characters no chromosome name holds (VCF: no whitespace, comma, angle bracket or '='; a
colon would break every region string)."""


def chrom_problem(name: str) -> str | None:
    """Why a CHROM value can never reach a gene, or None."""
    if name.startswith("<") and name.endswith(">"):
        return (
            f"CHROM {name!r} is VCF 4.1's assembly-contig notation, which armmatch does not "
            "resolve: write the chromosome's name (7 or chr7)"
        )
    if _BAD_CHROM.search(name):
        return (
            f"CHROM {name!r} is not a chromosome name (whitespace, ':', '<', '>', ',' or '=' in "
            "it): its records could never reach their gene"
        )
    return None
