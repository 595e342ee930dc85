"""Genome builds, chromosome names and primary-assembly contig lengths.

Only the two human assemblies armmatch supports are known here. Chromosomes are named without
a ``chr`` prefix everywhere inside armmatch (``7``, ``X``, ``MT``); :func:`normalise_chrom`
converts any input style to that form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, get_args

Build = Literal["GRCh37", "GRCh38"]
BUILDS: tuple[Build, ...] = get_args(Build)

PRIMARY_CHROMS: tuple[str, ...] = tuple(str(n) for n in range(1, 23)) + ("X", "Y", "MT")
"""The primary-assembly chromosomes in karyotype order (no ``chr`` prefix)."""

_BUILD_ALIASES: dict[str, Build] = {
    "grch37": "GRCh37",
    "hg19": "GRCh37",
    "b37": "GRCh37",
    "hs37d5": "GRCh37",
    "37": "GRCh37",
    "grch38": "GRCh38",
    "hg38": "GRCh38",
    "b38": "GRCh38",
    "hs38": "GRCh38",
    "hs38dh": "GRCh38",
    "38": "GRCh38",
}
_PATCH_RELEASE = re.compile(r"^(grch3[78])\.p\d+$")

CONTIG_LENGTHS: dict[Build, dict[str, int]] = {
    "GRCh37": {
        "1": 249250621,
        "2": 243199373,
        "3": 198022430,
        "4": 191154276,
        "5": 180915260,
        "6": 171115067,
        "7": 159138663,
        "8": 146364022,
        "9": 141213431,
        "10": 135534747,
        "11": 135006516,
        "12": 133851895,
        "13": 115169878,
        "14": 107349540,
        "15": 102531392,
        "16": 90354753,
        "17": 81195210,
        "18": 78077248,
        "19": 59128983,
        "20": 63025520,
        "21": 48129895,
        "22": 51304566,
        "X": 155270560,
        "Y": 59373566,
        "MT": 16569,
    },
    "GRCh38": {
        "1": 248956422,
        "2": 242193529,
        "3": 198295559,
        "4": 190214555,
        "5": 181538259,
        "6": 170805979,
        "7": 159345973,
        "8": 145138636,
        "9": 138394717,
        "10": 133797422,
        "11": 135086622,
        "12": 133275309,
        "13": 114364328,
        "14": 107043718,
        "15": 101991189,
        "16": 90338345,
        "17": 83257441,
        "18": 80373285,
        "19": 58617616,
        "20": 64444167,
        "21": 46709983,
        "22": 50818468,
        "X": 156040895,
        "Y": 57227415,
        "MT": 16569,
    },
}
"""Primary-assembly sequence lengths (bp) of GRCh37 and GRCh38, keyed by chromosome name
without ``chr``. The mitochondrial genome is the rCRS (16569 bp) in both assemblies."""

HG19_UCSC_CHRM_LENGTH = 16571
"""Length of UCSC hg19 ``chrM`` (NC_001807, not the rCRS); accepted as GRCh37 evidence."""


def valid_build_names() -> list[str]:
    """The accepted build names (lower-case aliases plus ``GRCh3x.pN`` patch releases).

    Returns
    -------
    list[str]
        Sorted alias list, for error messages.
    """
    return sorted(_BUILD_ALIASES) + ["grch37.pN", "grch38.pN"]


def normalise_build(name: str) -> Build:
    """Map a genome build name to ``"GRCh37"`` or ``"GRCh38"``.

    Parameters
    ----------
    name
        Any common spelling, case-insensitive: GRCh37, hg19, b37, hs37d5, GRCh37.p13, 37;
        GRCh38, hg38, b38, hs38, hs38DH, GRCh38.p14, 38.

    Returns
    -------
    Build
        The canonical build name.

    Raises
    ------
    ValueError
        If the name is not recognised; the message lists the valid names.

    Examples
    --------
    >>> normalise_build("hg19")
    'GRCh37'
    >>> normalise_build("GRCh38.p14")
    'GRCh38'
    """
    key = name.strip().lower()
    patch = _PATCH_RELEASE.match(key)
    if patch is not None:
        key = patch.group(1)
    build = _BUILD_ALIASES.get(key)
    if build is None:
        valid = ", ".join(valid_build_names())
        raise ValueError(f"unknown genome build {name!r}; valid names (any case): {valid}")
    return build


def other_build(build: str) -> Build:
    """The other of the two builds (``hg19`` -> ``GRCh38``).

    >>> other_build("GRCh38"), other_build("hg19")
    ('GRCh37', 'GRCh38')
    """
    return "GRCh37" if normalise_build(build) == "GRCh38" else "GRCh38"


@dataclass(frozen=True)
class BuildFit:
    """How a file's items (records, segments, breakpoints) fit the two builds' gene models."""

    only_here: int
    """Items that fit the patient's build and not the other."""
    only_there: int
    """Items that fit the other build and not the patient's."""
    example: str
    """The first item that fits only the other build ("" when none does)."""

    @property
    def other_build_wins(self) -> bool:
        """More items fit only the other build than only the patient's: the file is of the
        other build (an item that fits both, or neither, proves nothing)."""
        return self.only_there > self.only_here


def build_fit(items: Iterable[tuple[bool, bool, str]]) -> BuildFit:
    """Weigh ``(fits here, fits there, description)`` items (see :class:`BuildFit`).

    >>> build_fit([(True, True, "a"), (False, True, "b"), (False, False, "c")])
    BuildFit(only_here=0, only_there=1, example='b')
    """
    only_here = only_there = 0
    example = ""
    for here, there, what in items:
        only_here += here and not there
        if there and not here:
            only_there += 1
            example = example or what
    return BuildFit(only_here, only_there, example)


def normalise_chrom(name: str) -> str:
    """Convert a chromosome name to armmatch style (no ``chr`` prefix, ``MT`` for mitochondria).

    Parameters
    ----------
    name
        A chromosome name such as ``chr7``, ``7``, ``chrX``, ``chrM``, ``M`` or ``MT``.

    Returns
    -------
    str
        The name with a leading ``chr`` (any case) removed and ``M`` mapped to ``MT``; any other
        name (e.g. ``GL000220.1``) is returned unchanged apart from the prefix.

    Examples
    --------
    >>> normalise_chrom("chr7"), normalise_chrom("chrM"), normalise_chrom("X")
    ('7', 'MT', 'X')
    """
    stripped = name[3:] if name[:3].lower() == "chr" else name
    if stripped in ("M", "m", "MT", "mt"):
        return "MT"
    return stripped


def builds_matching_contig(chrom: str, length: int) -> frozenset[Build]:
    """The builds in which primary chromosome ``chrom`` has exactly ``length`` bp.

    Parameters
    ----------
    chrom
        A chromosome name in armmatch style (see :func:`normalise_chrom`).
    length
        The contig length in bp.

    Returns
    -------
    frozenset[Build]
        Empty when the length matches neither build; both builds for the rCRS mitochondrion.
    """
    matching = {build for build in BUILDS if CONTIG_LENGTHS[build].get(chrom) == length}
    if chrom == "MT" and length == HG19_UCSC_CHRM_LENGTH:
        matching.add("GRCh37")
    return frozenset(matching)


def primary_contig_lengths(lengths: Mapping[str, int | None]) -> dict[str, int]:
    """Keep the primary chromosomes that have a length, renamed to armmatch style.

    Parameters
    ----------
    lengths
        Contig name (any ``chr`` style) to length in bp, or None when the header gives none.

    Returns
    -------
    dict[str, int]
        Primary chromosome (armmatch style) to length.

    Raises
    ------
    ValueError
        If two names for the same chromosome (e.g. ``7`` and ``chr7``) give different lengths.
    """
    found: dict[str, int] = {}
    for name, length in lengths.items():
        chrom = normalise_chrom(name)
        if chrom not in PRIMARY_CHROMS or length is None:
            continue
        if chrom in found and found[chrom] != length:
            raise ValueError(
                f"contig {chrom} is declared twice with different lengths "
                f"({found[chrom]} and {length})"
            )
        found[chrom] = length
    return found


def infer_build_from_contigs(lengths: Mapping[str, int | None]) -> Build | None:
    """Infer the genome build from contig lengths (e.g. VCF ``##contig`` header lines).

    Parameters
    ----------
    lengths
        Contig name (any ``chr`` style) to length in bp; None lengths and non-primary contigs
        are ignored.

    Returns
    -------
    Build or None
        The build whose lengths match every primary chromosome present; None when no primary
        chromosome with a length is present, or when the ones present cannot tell the builds
        apart (only the rCRS mitochondrion, 16569 bp in both).

    Raises
    ------
    ValueError
        If a primary chromosome's length matches neither build, or the chromosomes present
        match different builds.

    Examples
    --------
    >>> infer_build_from_contigs({"chr7": 159345973, "chrUn_x": 5})
    'GRCh38'
    >>> infer_build_from_contigs({"GL000207.1": 4262}) is None
    True
    """
    primary = primary_contig_lengths(lengths)
    if not primary:
        return None
    per_contig = {chrom: builds_matching_contig(chrom, n) for chrom, n in primary.items()}
    unknown = sorted(
        (c for c, builds in per_contig.items() if not builds), key=PRIMARY_CHROMS.index
    )
    if unknown:
        detail = ", ".join(f"{c} ({primary[c]} bp)" for c in unknown)
        raise ValueError(
            f"contig length matches neither GRCh37 nor GRCh38: {detail}; "
            "armmatch supports only these two assemblies"
        )
    common = frozenset(BUILDS)
    for builds in per_contig.values():
        common &= builds
    if not common:
        detail = ", ".join(
            f"{c}={'/'.join(sorted(per_contig[c]))}"
            for c in sorted(per_contig, key=PRIMARY_CHROMS.index)
        )
        raise ValueError(f"contig lengths mix GRCh37 and GRCh38: {detail}")
    if len(common) > 1:
        return None
    (build,) = common
    return build
