"""Parsing HGVS protein changes (``p.``) into a normalised, one-letter form.

Annotators write protein changes in several ways (``p.Leu858Arg``, ``p.L858R``,
``ENSP00000275493.2:p.Leu858Arg``, ``p.(Leu858Arg)``, URL-escaped ``p.Arg248%3D``). Rules compare
the normalised :class:`ProteinChange`, never the raw text.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import Literal

THREE_TO_ONE: dict[str, str] = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E",
    "Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F",
    "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Sec": "U",
    "Pyl": "O", "Ter": "*", "Xaa": "X",
}  # fmt: skip

ChangeKind = Literal[
    "substitution", "synonymous", "nonsense", "deletion", "insertion", "duplication",
    "delins", "frameshift", "extension", "start_lost", "unknown",
]  # fmt: skip

_AA = r"(?:[A-Z][a-z]{2}|[A-Z*])"
_PATTERN = re.compile(
    rf"""^(?P<a1>{_AA})(?P<p1>\d+)
         (?:_(?P<a2>{_AA})(?P<p2>\d+))?
         (?P<rest>.*)$""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class ProteinChange:
    """A protein change in one-letter form.

    ``start_aa``/``start_pos`` (and ``end_aa``/``end_pos`` for ranges) are the reference residues;
    ``alt`` holds the new residues (one-letter) for substitutions, insertions and delins.
    """

    kind: ChangeKind
    start_aa: str
    start_pos: int
    end_aa: str | None
    end_pos: int | None
    alt: str
    short: str
    """Compact one-letter form: ``L858R``, ``E746_A750del``, ``Y772_A775dup``, ``E23Vfs*17``."""

    def covers(self, pos: int) -> bool:
        """True when codon ``pos`` lies within the changed range."""
        end = self.end_pos if self.end_pos is not None else self.start_pos
        return self.start_pos <= pos <= end


def _one(aa: str) -> str:
    if len(aa) == 1:
        return aa
    if aa not in THREE_TO_ONE:
        raise ValueError(f"unknown amino-acid code {aa!r}")
    return THREE_TO_ONE[aa]


def _residues(text: str) -> str:
    """Convert a run of residues (three-letter or one-letter) to one-letter codes."""
    if not text:
        return ""
    if re.fullmatch(r"(?:[A-Z][a-z]{2})+", text):
        return "".join(_one(text[i : i + 3]) for i in range(0, len(text), 3))
    if re.fullmatch(r"[A-Z*]+", text):
        return text
    raise ValueError(f"cannot read residues {text!r}")


def unversioned(accession: str) -> str:
    """A reference sequence id without its version: ``NM_005228.5`` -> ``NM_005228``
    (unchanged when there is no version)."""
    return accession.split(".", 1)[0]


def strip_prefix(hgvsp: str) -> str:
    """Drop a ``ENSP...:``/``NP_...:`` prefix, URL escapes and prediction parentheses."""
    text = urllib.parse.unquote(hgvsp.strip())
    if ":" in text:
        text = text.rsplit(":", 1)[1]
    if text.startswith("p."):
        text = text[2:]
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    return text


def parse_protein_change(hgvsp: str) -> ProteinChange:
    """Parse an HGVS ``p.`` expression.

    Raises
    ------
    ValueError
        If the text is not a protein change this parser understands; the message quotes it.

    Examples
    --------
    >>> parse_protein_change("p.Leu858Arg").short
    'L858R'
    >>> parse_protein_change("ENSP00000275493.2:p.Glu746_Ala750del").short
    'E746_A750del'
    >>> parse_protein_change("p.Leu747_Ser752delinsGln").short
    'L747_S752delinsQ'
    >>> parse_protein_change("p.Glu23ValfsTer17").short
    'E23Vfs*17'
    >>> parse_protein_change("p.Arg248%3D").kind
    'synonymous'
    >>> parse_protein_change("p.*927*").kind
    'synonymous'
    """
    try:
        return _parse(hgvsp)
    except ValueError as exc:
        raise ValueError(f"cannot read protein change {hgvsp!r}: {exc}") from None


def _parse(hgvsp: str) -> ProteinChange:
    text = strip_prefix(hgvsp)
    if text in ("?", "0", "=", ""):
        raise ValueError(f"protein change {hgvsp!r} has no position")
    if text.endswith("_splice"):  # genome-nexus / vcf2maf: p.X762_splice names a splice site
        raise ValueError(f"{hgvsp!r} names a splice site, not a protein change")
    m = _PATTERN.match(text)
    if m is None:
        raise ValueError(f"cannot read protein change {hgvsp!r}")
    a1, p1 = _one(m["a1"]), int(m["p1"])
    a2 = _one(m["a2"]) if m["a2"] else None
    p2 = int(m["p2"]) if m["p2"] else None
    rest = m["rest"]
    head = f"{a1}{p1}" + (f"_{a2}{p2}" if a2 is not None else "")

    def make(kind: ChangeKind, alt: str, short: str) -> ProteinChange:
        return ProteinChange(kind, a1, p1, a2, p2, alt, short)

    if rest in ("=",):
        return make("synonymous", a1, f"{head}=")
    if rest == "?":
        return make("start_lost" if p1 == 1 else "unknown", "", f"{head}?")
    if rest == "del":
        return make("deletion", "", f"{head}del")
    if rest == "dup":
        return make("duplication", "", f"{head}dup")
    if rest.startswith("delins"):
        alt = _residues(rest[6:])
        return make("delins", alt, f"{head}delins{alt}")
    if rest.startswith("ins"):
        alt = _residues(rest[3:])
        return make("insertion", alt, f"{head}ins{alt}")
    fs = re.fullmatch(rf"(?P<new>{_AA})?fs(?:(?:Ter|\*)(?P<n>\d+|\?))?", rest)
    if fs:
        new = _one(fs["new"]) if fs["new"] else ""
        tail = f"*{fs['n']}" if fs["n"] else ""
        return make("frameshift", new, f"{head}{new}fs{tail}")
    ext = re.fullmatch(rf"(?P<new>{_AA})ext(?P<tail>.*)", rest)
    if ext:
        new = _one(ext["new"])
        return make("extension", new, f"{head}{new}ext{ext['tail'].replace('Ter', '*')}")
    if a2 is None and re.fullmatch(rf"{_AA}", rest):
        new = _one(rest)
        if new == a1:  # p.*927* (vcf2maf's stop retained) is no stop gain
            return make("synonymous", a1, f"{head}=")
        if new == "*":
            return make("nonsense", "*", f"{head}*")
        if new == a1:
            return make("synonymous", a1, f"{head}=")
        return make("substitution", new, f"{head}{new}")
    raise ValueError(f"cannot read protein change {hgvsp!r}")


def is_protein_change(hgvsp: str | None) -> bool:
    """Whether ``hgvsp`` is a protein change this parser reads (not empty, ``p.?`` or a
    ``p.X762_splice`` site name)."""
    if not hgvsp:
        return False
    try:
        parse_protein_change(hgvsp)
    except ValueError:
        return False
    return True


def matches_protein(change: ProteinChange, pattern: str) -> bool:
    """True when ``change`` equals a one-letter pattern; ``X`` as the new residue is a wildcard.

    Examples
    --------
    >>> matches_protein(parse_protein_change("p.Gly719Ser"), "G719X")
    True
    >>> matches_protein(parse_protein_change("p.Leu858Arg"), "L858R")
    True
    >>> matches_protein(parse_protein_change("p.Leu858Met"), "L858R")
    False
    """
    if pattern.endswith("X") and change.kind == "substitution":
        return change.short[:-1] == pattern[:-1]
    return change.short == pattern


def alteration_words(hgvsp: str | None, hgvsc: str | None, consequence: str) -> str:
    """The plain-words alteration of a small variant: the one-letter protein change when the
    HGVS p. is readable, else the HGVS p. as written, else the HGVS c., else the consequence.

    Examples
    --------
    >>> alteration_words("ENSP00000275493.2:p.Leu858Arg", "c.2573T>G", "missense_variant")
    'L858R'
    >>> alteration_words(None, "c.3028+1G>A", "splice_donor_variant")
    'c.3028+1G>A'
    """
    if hgvsp:
        try:
            return parse_protein_change(hgvsp).short
        except ValueError:
            return hgvsp
    return hgvsc or consequence
