"""The :class:`Fusion` record and the pieces shared by the fusion table readers.

Every reader returns :class:`Fusion` records with the 5' and 3' partner, the breakpoints as the
caller wrote them (``chrom:pos`` 1-based, FusionCatcher adds ``:strand``), a normalised
reading frame and the caller's own effect text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Frame = Literal["in-frame", "out-of-frame", "unknown"]

Role = Literal["3prime", "5prime", "any"]

FUSION_FORMATS: tuple[str, ...] = (
    "arriba", "star-fusion", "fusioncatcher", "bnd-vcf", "generic", "pcgr", "ctat-lr-fusion",
    "jaffa", "pbfusion",
)  # fmt: skip

GENERIC_COLUMNS: tuple[str, ...] = (
    "gene5", "gene3", "breakpoint5", "breakpoint3", "frame", "split_reads",
)  # fmt: skip

_IN_FRAME = frozenset({"in-frame", "inframe", "in_frame", "in frame"})
_OUT_OF_FRAME = frozenset(
    {"out-of-frame", "out_of_frame", "outofframe", "out of frame", "frameshift", "stop-codon"}
)
_UNKNOWN = frozenset({"", ".", "na", "n/a", "nan", "none", "unknown", "-", "---"})


@dataclass(frozen=True)
class Fusion:
    """One fusion call (one row of the caller's file).

    ``gene5``/``gene3`` are ``None`` when that side has no fused gene (partner not named, or an
    intergenic breakpoint whose neighbouring genes are in ``near5``/``near3``). ``line`` is the
    1-based line in the file. ``orientation_known`` is False when the caller could not tell
    which partner is 5'.
    """

    gene5: str | None
    gene3: str | None
    breakpoint5: str | None
    breakpoint3: str | None
    frame: Frame
    split_reads: int | None
    line: int
    caller_effect: str | None
    near5: tuple[str, ...] = ()
    near3: tuple[str, ...] = ()
    orientation_known: bool = True
    caller: str = ""
    notes: tuple[str, ...] = ()
    spanning: int | None = None
    """Spanning pairs/fragments (short reads) that support the call, when the caller says."""
    long_reads: int | None = None
    """Supporting long reads (ctat-LR-fusion ``num_LR``, JAFFAL, pbfusion ``RC``)."""
    confidence: str | None = None
    """The caller's own grade (Arriba ``confidence``)."""
    ffpm: float | None = None
    """Fusion fragments per million reads (STAR-Fusion ``FFPM``)."""
    partner_class: str | None = None
    """The caller's class of the fusion (pbfusion ``CL``: ReadThrough, SenseAntisense...)."""
    """Reader and gene-assignment remarks (e.g. a caller's name that disagrees with the
    breakpoint coordinate), carried into the events' notes."""

    @property
    def name(self) -> str:
        """``GENE5-GENE3``, with ``?`` for a missing partner.

        Examples
        --------
        >>> Fusion("EML4", "ALK", None, None, "unknown", None, 2, None).name
        'EML4-ALK'
        >>> Fusion(None, "ALK", None, None, "unknown", None, 2, None).name
        '?-ALK'
        """
        return f"{self.gene5 or '?'}-{self.gene3 or '?'}"

    def describe(self) -> str:
        """Short record text for provenance."""
        parts = [self.name, f"{self.breakpoint5 or '?'} > {self.breakpoint3 or '?'}"]
        if self.caller_effect:
            parts.append(f"effect={self.caller_effect}")
        if self.split_reads is not None:
            parts.append(f"reads={self.split_reads}")
        if self.spanning is not None:
            parts.append(f"spanning={self.spanning}")
        if self.long_reads is not None:
            parts.append(f"long_reads={self.long_reads}")
        return " ".join(parts)


# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------


def normalise_frame(text: str | None, *, strict: bool = False) -> Frame:
    """Map a caller's frame/effect text to ``in-frame``, ``out-of-frame`` or ``unknown``.

    Accepted (case-insensitive): ``in-frame``/``inframe``; ``out-of-frame``/``frameshift``/
    Arriba's ``stop-codon``; empty, ``.``, ``NA``, ``unknown`` -> unknown. FusionCatcher's
    location pairs (``CDS(truncated)/intronic``, ``UTR/CDS(complete)``, ``intergenic/---``...)
    describe a junction that is not an in-frame coding junction and map to ``out-of-frame``.

    Parameters
    ----------
    text
        The caller's text, or None.
    strict
        When True, text that is none of the above raises ``ValueError``; otherwise it maps to
        ``unknown``.

    Returns
    -------
    Frame

    Raises
    ------
    ValueError
        With ``strict`` and unrecognised text (the message lists the accepted values).

    Examples
    --------
    >>> normalise_frame("in-frame"), normalise_frame("CDS(truncated)/intronic")
    ('in-frame', 'out-of-frame')
    >>> normalise_frame("."), normalise_frame("stop-codon")
    ('unknown', 'out-of-frame')
    """
    key = (text or "").strip().lower()
    if key in _IN_FRAME:
        return "in-frame"
    if key in _OUT_OF_FRAME or "/" in key:
        return "out-of-frame"
    if key in _UNKNOWN or not strict:
        return "unknown"
    raise ValueError(
        f"unknown frame {text!r}; use in-frame, out-of-frame (or frameshift) or unknown (or empty)"
    )


def partner_name(text: str) -> str | None:
    cell = text.strip()
    return None if cell in ("", ".", "NA") else cell


# --------------------------------------------------------------------------------------------
# Breakpoint coordinates: gene assignment and kinase-domain retention
# --------------------------------------------------------------------------------------------

_POINT = re.compile(r"^(?P<chrom>[^:\s]+):(?P<pos>\d+)(?::[+\-.])?$")


def parse_breakpoint(text: str | None) -> tuple[str, int] | None:
    """``(chrom, pos1)`` from ``chr2:29446394``, ``2:29446394:-`` and the like; else None.

    Examples
    --------
    >>> parse_breakpoint("chr2:29446394:-"), parse_breakpoint("2:42522694")
    (('chr2', 29446394), ('2', 42522694))
    >>> parse_breakpoint(None), parse_breakpoint("n/a")
    (None, None)
    """
    if text is None:
        return None
    m = _POINT.match(text.strip())
    return None if m is None else (m.group("chrom"), int(m.group("pos")))
