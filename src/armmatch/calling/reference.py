"""Reference-sequence mode: REF checks, indel normalisation and codon-level consequences.

Used when ``reference_fasta`` is configured for the patient's build. The logic is in pure
functions working on sequence strings or on any :class:`SequenceSource` (an object with
``fetch(chrom, start0, end)``); :class:`FastaReference` is the thin pysam adapter and
:class:`DictReference` an in-memory source (tests, small synthetic genomes).

* :func:`ref_mismatch`: the VCF REF must equal the reference (``N`` matches anything).
* :func:`left_align` / :func:`right_align`: shift a trimmed indel through a repeat. The genomic
  representation is left-aligned (as ``bcftools norm``/``vt normalize``); on a transcript the
  allele is then shifted to its 3'-most position on the transcript strand, within one exon, for
  HGVS naming (as VEP does with ``--shift_hgvs``). Every shifted or padded equivalent of an
  indel therefore gets the same classification, HGVS c. and p.
* :func:`coding_change`: the protein consequence of a change in a coding sequence by the
  standard genetic code: missense, stop_gained, synonymous, stop_lost, start_lost, in-frame
  deletion/insertion/duplication/delins in protein terms, frameshift named at the first changed
  residue with the distance to the new stop (``p.Arg97ProfsTer23``). HGVS p. is three-letter.

Positions: ``pos1`` 1-based, ``start0`` 0-based half-open.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from armmatch.calling.alleles import Allele, revcomp
from armmatch.errors import InputError
from armmatch.hgvs import THREE_TO_ONE
from armmatch.knowledge.transcripts import GeneModel

_BASES = "TCAG"
_AMINO = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
GENETIC_CODE: dict[str, str] = {
    a + b + c: _AMINO[16 * i + 4 * j + k]
    for i, a in enumerate(_BASES)
    for j, b in enumerate(_BASES)
    for k, c in enumerate(_BASES)
}
"""The standard genetic code (NCBI translation table 1), codon to one-letter residue."""

ONE_TO_THREE: dict[str, str] = {v: k for k, v in THREE_TO_ONE.items()}
MISMATCH_PROBLEM = "REF does not match the reference: the VCF may be of another build"


def translate(seq: str) -> str:
    """Translate whole codons (``X`` for a codon with an ambiguous base).

    >>> translate("ATGCAGTAAGG")
    'MQ*'
    """
    seq = seq.upper()
    return "".join(GENETIC_CODE.get(seq[i : i + 3], "X") for i in range(0, len(seq) - 2, 3))


def three_letter(residues: str) -> str:
    """One-letter residues to HGVS three-letter form.

    >>> three_letter("Q*")
    'GlnTer'
    """
    return "".join(ONE_TO_THREE.get(r, "Xaa") for r in residues)


# ---------------------------------------------------------------------------------------------
# Sequence sources
# ---------------------------------------------------------------------------------------------


class SequenceSource(Protocol):
    """Anything that returns reference bases for a 0-based half-open interval."""

    def fetch(self, chrom: str, start0: int, end: int) -> str: ...


def sequence_for(
    source: SequenceSource | None, chrom: str, start0: int, end: int
) -> SequenceSource | None:
    """``source`` where it can give every base of ``start0..end``, else None: a genome FASTA
    always can; the bundled loci only inside a locus (elsewhere the classifier works from
    coordinates, as without any sequence)."""
    if source is None:
        return None
    covers = getattr(source, "covers", None)
    return source if covers is None or covers(chrom, start0, end) else None


def contig_candidates(chrom: str) -> list[str]:
    """Names a chromosome may have in a FASTA: as given, with or without ``chr``, MT/chrM."""
    bare = chrom[3:] if chrom.lower().startswith("chr") else chrom
    names = [chrom, bare, f"chr{bare}"]
    if bare.upper() in ("M", "MT"):
        names += ["MT", "chrM", "M", "chrMT"]
    return list(dict.fromkeys(names))


@dataclass(frozen=True)
class DictReference:
    """An in-memory reference: contig name to sequence (names resolved like a FASTA's)."""

    sequences: Mapping[str, str]

    def fetch(self, chrom: str, start0: int, end: int) -> str:
        for name in contig_candidates(chrom):
            if name in self.sequences:
                return self.sequences[name][max(0, start0) : max(0, end)].upper()
        raise KeyError(f"contig {chrom!r} is not in the reference")


class FastaReference:
    """A FASTA file (plain or bgzip, ``.fai`` index made if missing) read with pysam."""

    def __init__(self, path: str | Path) -> None:
        import pysam

        self.path = str(path)
        if not Path(self.path).is_file():
            raise InputError("reference_fasta does not exist", path=self.path)
        try:
            self._fasta: Any = pysam.FastaFile(self.path)
        except (OSError, ValueError) as exc:
            raise InputError(f"not a readable (indexable) FASTA ({exc})", path=self.path) from None
        self._names = set(self._fasta.references)
        self._cache: dict[str, str | None] = {}

    def contig(self, chrom: str) -> str | None:
        """The FASTA's name for ``chrom`` (``chr``/no-``chr`` tolerant), else None."""
        if chrom not in self._cache:
            found = [n for n in contig_candidates(chrom) if n in self._names]
            self._cache[chrom] = found[0] if found else None
        return self._cache[chrom]

    def fetch(self, chrom: str, start0: int, end: int) -> str:
        name = self.contig(chrom)
        if name is None:
            raise KeyError(f"contig {chrom!r} is not in the reference FASTA {self.path}")
        length = int(self._fasta.get_reference_length(name))
        start0, end = max(0, start0), min(max(0, end), length)
        if end <= start0:
            return ""
        return str(self._fasta.fetch(name, start0, end)).upper()

    def close(self) -> None:
        self._fasta.close()

    def __enter__(self) -> FastaReference:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def fasta_build_problem(fasta: SequenceSource, mine: Any, other: Any) -> str | None:
    """Why ``fasta`` is not the build of the bundled loci ``mine`` (None when it is): 200
    bases in the middle of each locus are compared; a FASTA that matches ``other`` (the other
    build's loci) is named as of that build."""
    agree = disagree = other_agree = 0
    for locus, theirs in zip(mine.loci, other.loci, strict=True):
        mid = (locus.start0 + locus.end) // 2
        try:
            got = fasta.fetch(locus.chrom, mid, mid + 200)
        except KeyError:
            continue
        if len(got) < 200:  # the FASTA's contig ends before the locus: nothing to compare
            continue
        if got == locus.sequence[mid - locus.start0 : mid - locus.start0 + 200]:
            agree += 1
        else:
            disagree += 1
            t_mid = (theirs.start0 + theirs.end) // 2
            if (
                fasta.fetch(theirs.chrom, t_mid, t_mid + 200)
                == theirs.sequence[t_mid - theirs.start0 : t_mid - theirs.start0 + 200]
            ):
                other_agree += 1
    if disagree == 0:
        return None  # every comparable locus agrees (a partial or synthetic FASTA: none may be)
    if other_agree:
        return (
            f"its sequence is {other.build}'s, not {mine.build}'s, at {other_agree} of "
            f"{agree + disagree} bundled loci: give the {mine.build} FASTA"
        )
    return (
        f"its sequence differs from {mine.build} at {disagree} of {agree + disagree} bundled loci"
    )


# ---------------------------------------------------------------------------------------------
# REF check and normalisation
# ---------------------------------------------------------------------------------------------


def ref_mismatch(source: SequenceSource, chrom: str, pos1: int, ref: str) -> str | None:
    """Why the VCF REF at ``chrom:pos1`` is not the reference, or None when it matches.

    ``N`` on either side matches any base; a symbolic REF is not checked.
    """
    ref = ref.upper()
    if not ref or not set(ref) <= set("ACGTN"):
        return None
    try:
        genome = source.fetch(chrom, pos1 - 1, pos1 - 1 + len(ref))
    except KeyError as exc:
        return str(exc.args[0]) if exc.args else f"contig {chrom!r} is not in the reference"
    if len(genome) == len(ref) and all(
        a == b or "N" in (a, b) for a, b in zip(ref, genome, strict=True)
    ):
        return None
    return f"{MISMATCH_PROBLEM} ({chrom}:{pos1} REF {ref}, reference {genome or 'none'})"


def _base(source: SequenceSource, chrom: str, pos1: int) -> str:
    return source.fetch(chrom, pos1 - 1, pos1) if pos1 >= 1 else ""


def left_align(source: SequenceSource, chrom: str, a: Allele, *, min_pos1: int = 1) -> Allele:
    """Shift a trimmed insertion or deletion to its leftmost equivalent position.

    Substitutions and delins are returned unchanged. ``min_pos1`` bounds the shift: the
    allele's ``pos1`` stays at or after it (an insertion at ``pos1 = 1`` lies before base 1).

    >>> ref = DictReference({"1": "GCACACACAT"})
    >>> left_align(ref, "1", Allele(8, "CA", ""))
    Allele(pos1=2, ref='CA', alt='')
    """
    if a.kind not in ("insertion", "deletion"):
        return a
    pos1, seq = a.pos1, a.ref or a.alt
    while pos1 - 1 >= max(min_pos1, 1):
        base = _base(source, chrom, pos1 - 1)
        if not base or base != seq[-1]:
            break
        seq, pos1 = base + seq[:-1], pos1 - 1
    return Allele(pos1, seq, "") if a.kind == "deletion" else Allele(pos1, "", seq)


def right_align(
    source: SequenceSource, chrom: str, a: Allele, *, max_end1: int | None = None
) -> Allele:
    """Shift a trimmed insertion or deletion to its rightmost equivalent position.

    ``max_end1`` bounds the shift: the variant's rightmost touched base (an insertion's right
    flank) stays at or before it.
    """
    if a.kind not in ("insertion", "deletion"):
        return a
    pos1, seq = a.pos1, a.ref or a.alt
    while True:
        nxt = pos1 + len(seq) if a.kind == "deletion" else pos1
        if max_end1 is not None and nxt + (1 if a.kind == "insertion" else 0) > max_end1:
            break
        base = _base(source, chrom, nxt)
        if not base or base != seq[0]:
            break
        seq, pos1 = seq[1:] + base, pos1 + 1
    return Allele(pos1, seq, "") if a.kind == "deletion" else Allele(pos1, "", seq)


def shift_on_transcript(source: SequenceSource, model: GeneModel, chrom: str, a: Allele) -> Allele:
    """The 3'-most equivalent of an indel on the transcript strand (the HGVS 3' rule).

    ``a`` should be left-aligned. An indel wholly inside one exon stays in that exon (as VEP's
    ``--shift_hgvs``); one that crosses an exon/intron boundary or lies in an intron is shifted
    within the transcript, so that, for example, a KIT deletion written across the intron 10 /
    exon 11 boundary and the same deletion written inside exon 11 are classified alike.
    """
    if a.kind not in ("insertion", "deletion"):
        return a
    lo, hi = (a.pos1 - 1, a.pos1) if a.kind == "insertion" else (a.pos1, a.end1)
    exon_lo, exon_hi = model.exon_at(lo), model.exon_at(hi)
    if exon_lo is not None and exon_lo == exon_hi:
        start0, end = model.exon(exon_lo).start0, model.exon(exon_lo).end
    else:
        start0, end = model.tx_start0, model.tx_end
    if model.strand == "+":
        return right_align(source, chrom, a, max_end1=end)
    # an insertion keeps both flanking bases inside the bounds
    return left_align(source, chrom, a, min_pos1=start0 + (2 if a.kind == "insertion" else 1))


# ---------------------------------------------------------------------------------------------
# Codon-level consequences
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodingChange:
    """The protein consequence of one change in a coding sequence."""

    classes: tuple[str, ...]
    hgvsp: str
    """Three-letter HGVS p., e.g. ``p.Gln12Ter``, ``p.Arg97ProfsTer23``."""


def _upto_stop(protein: str) -> str:
    stop = protein.find("*")
    return protein if stop < 0 else protein[: stop + 1]


def _span(protein: str, start: int, end: int) -> str:
    """``Xaa{start}`` or ``Xaa{start}_Yaa{end}`` (1-based residues)."""
    first = f"{three_letter(protein[start - 1])}{start}"
    return first if end == start else f"{first}_{three_letter(protein[end - 1])}{end}"


def _common_prefix(a: str, b: str) -> int:
    """Length of the common prefix (binary search over slice comparisons, which run in C)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    """Length of the common suffix, at most ``limit``."""
    lo, hi = 0, max(0, limit)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid :] == b[len(b) - mid :]:
            lo = mid
        else:
            hi = mid - 1
    return lo


@lru_cache(maxsize=16)
def _translated(seq: str) -> str:
    """The whole transcript sequence translated (one per transcript and process)."""
    return translate(seq)


def _mutated_protein(whole: str, mutated: str, c_start: int, c_end: int, delta: int) -> str:
    """``translate(mutated)`` up to its first stop, computed from the reference translation
    ``whole``: the codons before the change are the reference's; in frame, so are the codons
    after it; a frameshift is translated only until its new stop."""
    k = (max(c_start, 1) - 1) // 3  # first changed codon, 0-based
    if delta % 3 == 0:
        m = max(k, (c_end - 1) // 3 + 1)  # first reference codon after the change
        changed = translate(mutated[3 * k : 3 * (m + delta // 3)])
        return _upto_stop(whole[:k] + changed + whole[m:])
    out, at = [whole[:k]], 3 * k
    while at < len(mutated) - 2:
        piece = translate(mutated[at : at + 300])
        out.append(piece)
        if "*" in piece:
            break
        at += 300
    return _upto_stop("".join(out))


def coding_change(seq: str, cds_length: int, c_start: int, c_end: int, alt: str) -> CodingChange:
    """Consequence of replacing coding bases ``c_start..c_end`` (1-based, inclusive) by ``alt``.

    Parameters
    ----------
    seq
        The transcript-strand sequence from c.1 on: the CDS (stop codon included) followed by
        whatever 3' UTR is known (used to find the new stop of a frameshift or stop loss).
    cds_length
        Number of coding bases in ``seq``.
    c_start, c_end
        The replaced bases; an insertion between c.N and c.N+1 has ``c_start = N + 1`` and
        ``c_end = N``.
    alt
        The new bases on the transcript strand.

    >>> seq = "ATGCAGCTGTAA" + "GGGTAG"
    >>> coding_change(seq, 12, 4, 4, "T").hgvsp
    'p.Gln2Ter'
    >>> coding_change(seq, 12, 9, 9, "C").hgvsp
    'p.Leu3='
    """
    seq = seq.upper()
    alt = alt.upper()
    delta = len(alt) - (c_end - c_start + 1)
    whole = _translated(seq)
    ref_protein = _upto_stop(whole[: cds_length // 3])
    mutated = seq[: c_start - 1] + alt + seq[c_end:]
    alt_protein = _mutated_protein(whole, mutated, c_start, c_end, delta)
    first_codon = (max(c_start, 1) - 1) // 3 + 1
    indel_class: tuple[str, ...] = ()
    if delta < 0:
        indel_class = ("inframe_deletion",)
    elif delta > 0:
        indel_class = ("inframe_insertion",)
    if c_start <= 3 and mutated[:3] != seq[:3] and mutated[:3] != "ATG":
        return CodingChange(("start_lost",), "p.Met1?")
    i = _common_prefix(ref_protein, alt_protein)
    if ref_protein == alt_protein:
        if delta % 3:
            return CodingChange(
                ("frameshift",), f"p.{_span(ref_protein, len(ref_protein), len(ref_protein))}="
            )
        pos = min(first_codon, len(ref_protein))
        return CodingChange(("synonymous",), f"p.{_span(ref_protein, pos, pos)}=")
    if i >= len(ref_protein):  # the reference protein has no stop and is a prefix
        return CodingChange(("frameshift",) if delta % 3 else indel_class or ("other",), "p.?")
    ref_aa = three_letter(ref_protein[i])
    has_stop = alt_protein.endswith("*")
    if delta % 3:
        if i >= len(alt_protein):
            return CodingChange(("frameshift",), f"p.{ref_aa}{i + 1}fs")
        new = alt_protein[i]
        if new == "*":
            return CodingChange(("frameshift",), f"p.{ref_aa}{i + 1}Ter")
        tail = f"Ter{len(alt_protein) - i}" if has_stop else "Ter?"
        return CodingChange(("frameshift",), f"p.{ref_aa}{i + 1}{three_letter(new)}fs{tail}")
    # in frame
    if ref_protein[i] == "*":
        if i >= len(alt_protein):
            return CodingChange(("stop_lost", *indel_class), f"p.Ter{i + 1}?")
        tail = f"Ter{len(alt_protein) - 1 - i}" if has_stop else "Ter?"
        return CodingChange(
            ("stop_lost", *indel_class), f"p.Ter{i + 1}{three_letter(alt_protein[i])}ext{tail}"
        )
    if i < len(alt_protein) and alt_protein[i] == "*":
        return CodingChange(("stop_gained", *indel_class), f"p.{ref_aa}{i + 1}Ter")
    if has_stop and len(alt_protein) - len(ref_protein) == delta // 3:
        j = _common_suffix(ref_protein, alt_protein, min(len(ref_protein), len(alt_protein)) - i)
        removed, added = (
            ref_protein[i : len(ref_protein) - j],
            alt_protein[i : len(alt_protein) - j],
        )
    else:  # a premature stop inside the new residues
        last_codon = max((c_end - 1) // 3 + 1, i + 1)
        removed, added = ref_protein[i:last_codon], alt_protein[i:]
    stop = ("stop_gained",) if "*" in added else ()
    if not removed:
        n = len(added)
        if i >= n and ref_protein[i - n : i] == added:
            return CodingChange(("inframe_insertion",), f"p.{_span(ref_protein, i - n + 1, i)}dup")
        return CodingChange(
            (*stop, "inframe_insertion"),
            f"p.{_span(ref_protein, i, i + 1)}ins{three_letter(added)}",
        )
    if not added:
        return CodingChange(
            ("inframe_deletion",), f"p.{_span(ref_protein, i + 1, i + len(removed))}del"
        )
    if len(removed) == 1 and len(added) == 1:
        return CodingChange(("missense", *indel_class), f"p.{ref_aa}{i + 1}{three_letter(added)}")
    classes = (
        (*stop, "inframe_delins", *indel_class) if delta else (*stop, "missense", "inframe_delins")
    )
    return CodingChange(
        classes, f"p.{_span(ref_protein, i + 1, i + len(removed))}delins{three_letter(added)}"
    )


# ---------------------------------------------------------------------------------------------
# On a gene model
# ---------------------------------------------------------------------------------------------


_SEQUENCES: dict[tuple[int, GeneModel], tuple[SequenceSource, tuple[str, int]]] = {}


def transcript_sequence(source: SequenceSource, model: GeneModel) -> tuple[str, int]:
    """The model's sequence from c.1 to the transcript's 3' end, and its CDS length (made once
    per sequence source and model: every coding change on a transcript reads it)."""
    key = (id(source), model)
    hit = _SEQUENCES.get(key)
    if hit is not None and hit[0] is source:
        return hit[1]
    if len(_SEQUENCES) > 64:
        _SEQUENCES.clear()
    made = _transcript_sequence(source, model)
    _SEQUENCES[key] = (source, made)
    return made


def _transcript_sequence(source: SequenceSource, model: GeneModel) -> tuple[str, int]:
    parts = []
    for exon in model.exons:  # transcript order
        if model.strand == "+":
            start0, end = max(exon.start0, model.cds_start0), exon.end
        else:
            start0, end = exon.start0, min(exon.end, model.cds_end)
        if end > start0:
            bases = source.fetch(model.chrom, start0, end)
            parts.append(bases if model.strand == "+" else revcomp(bases))
    return "".join(parts), model.cds_length


@dataclass(frozen=True)
class ModelChange:
    """A codon-level call on one gene model: classes, HGVS c. and p."""

    classes: tuple[str, ...]
    hgvsc: str
    hgvsp: str


def model_change(source: SequenceSource, model: GeneModel, a: Allele) -> ModelChange | None:
    """Codon-level consequence of a (3'-shifted) allele whose touched bases are all coding.

    None when the allele is not wholly coding, or the model and the reference disagree (the
    bundled CDS does not start with the reference bases the allele claims).
    """
    if a.kind == "none" or not model.is_coding:
        return None
    strand_ref = a.ref if model.strand == "+" else revcomp(a.ref)
    strand_alt = a.alt if model.strand == "+" else revcomp(a.alt)
    if a.kind == "insertion":
        left, right = model.cds_position(a.pos1 - 1), model.cds_position(a.pos1)
        if left is None or right is None or abs(left - right) != 1:
            return None
        c_start, c_end = min(left, right) + 1, min(left, right)
    else:
        cs = [model.cds_position(p) for p in range(a.pos1, a.end1 + 1)]
        ints = [c for c in cs if c is not None]
        if len(ints) != len(cs) or max(ints) - min(ints) != len(ints) - 1:
            return None
        c_start, c_end = min(ints), max(ints)
    seq, cds_length = transcript_sequence(source, model)
    if seq[c_start - 1 : c_end] != strand_ref.upper():
        return None
    change = coding_change(seq, cds_length, c_start, c_end, strand_alt)
    return ModelChange(
        change.classes, _hgvsc(seq, a.kind, c_start, c_end, strand_alt), change.hgvsp
    )


def _hgvsc(seq: str, kind: str, c_start: int, c_end: int, alt: str) -> str:
    span = f"{c_start}" if c_start == c_end else f"{c_start}_{c_end}"
    if kind == "snv":
        return f"c.{c_start}{seq[c_start - 1]}>{alt}"
    if kind == "deletion":
        return f"c.{span}del"
    if kind == "insertion":
        n, after = len(alt), c_end
        if after >= n and seq[after - n : after] == alt:
            dup = f"{after}" if n == 1 else f"{after - n + 1}_{after}"
            return f"c.{dup}dup"
        return f"c.{after}_{after + 1}ins{alt}"
    return f"c.{span}delins{alt}"
