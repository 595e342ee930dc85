"""Alleles: a VCF or MAF record's change trimmed to its minimal form (``pos1``, REF, ALT)."""

from __future__ import annotations

from dataclasses import dataclass

_COMPLEMENT = str.maketrans("ACGTNacgtn", "TGCANtgcan")


def revcomp(seq: str) -> str:
    """Reverse complement of a DNA string.

    >>> revcomp("AACG")
    'CGTT'
    """
    return seq.translate(_COMPLEMENT)[::-1]


# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Allele:
    """A trimmed allele: ``ref`` bases starting at 1-based ``pos1`` replaced by ``alt``.

    For an insertion ``ref`` is empty and the new bases go between ``pos1 - 1`` and ``pos1``.
    """

    pos1: int
    ref: str
    alt: str

    @property
    def kind(self) -> str:
        """``snv``, ``mnv``, ``deletion``, ``insertion``, ``delins`` or ``none``."""
        if not self.ref and not self.alt:
            return "none"
        if not self.ref:
            return "insertion"
        if not self.alt:
            return "deletion"
        if len(self.ref) == len(self.alt):
            return "snv" if len(self.ref) == 1 else "mnv"
        return "delins"

    @property
    def end1(self) -> int:
        """Last reference base (1-based, inclusive); ``pos1 - 1`` for an insertion."""
        return self.pos1 + len(self.ref) - 1


def trim(pos1: int, ref: str, alt: str) -> Allele:
    """Remove the suffix, then the prefix, shared by ``ref`` and ``alt`` (VCF padding).

    >>> trim(100, "AGGAATTAAGAGAAGC", "A")
    Allele(pos1=101, ref='GGAATTAAGAGAAGC', alt='')
    >>> trim(10, "CTG", "CAG")
    Allele(pos1=11, ref='T', alt='A')
    >>> trim(5, "G", "GG")
    Allele(pos1=5, ref='', alt='G')
    """
    ref, alt = ref.upper(), alt.upper()
    while ref and alt and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    while ref and alt and ref[0] == alt[0]:
        ref, alt, pos1 = ref[1:], alt[1:], pos1 + 1
    return Allele(pos1, ref, alt)
