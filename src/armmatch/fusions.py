"""Gene fusions: reading caller outputs and turning them into evidence for the target genes.

Every reader returns :class:`Fusion` records with the 5' and 3' partner, the breakpoints as the
caller wrote them, a normalised reading frame and the caller's own effect text.

Formats (detected from the header by :func:`detect_fusion_format`):

``arriba``
    Arriba ``fusions.tsv`` (``#gene1 gene2 strand1(gene/fusion) ... breakpoint1 breakpoint2
    ... reading_frame``). ``gene1`` is the 5' partner. For an intergenic breakpoint Arriba
    writes the nearest genes with their distances, e.g. ``LINC00486(12345),ALK(4321)``: such a
    side has no fused gene (``gene5``/``gene3`` is ``None``) and the named neighbours are kept
    in ``near5``/``near3``, so an intergenic breakpoint next to ALK is reported (filtered) but
    never counts as an ALK fusion. ``.`` means no annotated gene.
``fusioncatcher``
    FusionCatcher ``final-list_candidate-fusion-genes.txt`` (``Gene_1_symbol(5end_fusion_partner)``
    is the 5' partner; ``Predicted_effect`` gives the frame).
``pcgr``
    The PCGR example ``fusions.tsv`` (``FusionGene`` written ``5'--3'``, e.g. ``EML4--ALK``;
    a partner may be missing: ``--ALK``, ``FGFR2--``), ``LeftBreakpoint``, ``RightBreakpoint``,
    ``SplitReads``. No frame is given.
``star-fusion``
    STAR-Fusion ``fusion_predictions(.abridged).tsv`` (``#FusionName ... LeftGene
    LeftBreakpoint RightGene RightBreakpoint ... [PROT_FUSION_TYPE]``); ``LeftGene``
    (``SYMBOL^ENSG...``) is the 5' partner.
``bnd-vcf``
    Breakend VCFs (Manta, DELLY, GRIDSS; FusionCatcher's VCF with INFO ``GENE5``/``GENE3``):
    mates paired by ``MATEID`` or the ALT bracket notation, genes assigned from the bundled
    transcript models, 5'/3' from the bracket orientation and gene strands
    (:func:`read_bnd_vcf`).
``generic``
    A hand-made table with columns ``gene5``, ``gene3`` and optionally ``breakpoint5``,
    ``breakpoint3``, ``frame``, ``split_reads`` (no other columns).

Breakpoints are kept as the caller's text (``chrom:pos`` 1-based, FusionCatcher adds
``:strand``). When the bundled gene models are given (:func:`read_fusions`), each coordinate is
checked against them: a breakpoint inside a bundled gene counts as that gene, and a caller's
name that disagrees is said in the notes (:func:`assign_genes`); for ALK and ROS1 the exon of
the 3' breakpoint decides whether the kinase domain is retained (:func:`kinase_check`, rules in
``resources/kinase_domains.tsv``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from armmatch.config import RESOURCE_DIR
from armmatch.errors import InputError
from armmatch.events import Event, EventStatus, Evidence, SourceRecord, assessed
from armmatch.genome import build_fit, normalise_chrom
from armmatch.io import open_text, read_tsv_rows, sha256_file, vcf_header_text, vcf_kinds
from armmatch.transcripts import GeneModel, GeneModels
from armmatch.vcf import check_build

Frame = Literal["in-frame", "out-of-frame", "unknown"]
"""``in-frame``: the caller predicts an in-frame coding junction; ``out-of-frame``: it predicts
no in-frame chimeric protein (frameshift, stop codon before the junction, or a junction outside
the coding sequence such as FusionCatcher's ``CDS(truncated)/intronic``); ``unknown``: no
prediction."""

Role = Literal["3prime", "5prime", "any"]

FUSION_FORMATS: tuple[str, ...] = (
    "arriba", "star-fusion", "fusioncatcher", "bnd-vcf", "generic", "pcgr",
)  # fmt: skip
"""Fusion formats :func:`read_fusion_file` accepts."""

GENERIC_COLUMNS: tuple[str, ...] = (
    "gene5", "gene3", "breakpoint5", "breakpoint3", "frame", "split_reads",
)  # fmt: skip

_IN_FRAME = frozenset({"in-frame", "inframe", "in_frame", "in frame"})
_OUT_OF_FRAME = frozenset(
    {"out-of-frame", "out_of_frame", "outofframe", "out of frame", "frameshift", "stop-codon"}
)
"""STAR-Fusion's ``PROT_FUSION_TYPE`` ``INFRAME``/``FRAMESHIFT`` match case-insensitively."""
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


_NEIGHBOUR = re.compile(r"^(?P<gene>[^()]+?)\s*(?:\((?P<dist>-?\d+)\))?$")


def parse_arriba_gene(text: str) -> tuple[str | None, tuple[str, ...]]:
    """Split an Arriba ``gene1``/``gene2`` cell into the fused gene and intergenic neighbours.

    Parameters
    ----------
    text
        ``ALK`` (a gene), ``.`` (no gene), or ``GENE_A(123),GENE_B(456)`` for an intergenic
        breakpoint (the nearest genes up- and downstream with their distances).

    Returns
    -------
    tuple[str | None, tuple[str, ...]]
        ``(gene, ())`` for a single gene; ``(None, neighbours)`` for an intergenic breakpoint
        (or any comma-separated list, which Arriba uses only for intergenic breakpoints);
        ``(None, ())`` for ``.``.

    Examples
    --------
    >>> parse_arriba_gene("ALK")
    ('ALK', ())
    >>> parse_arriba_gene("LINC01234(1200),ALK(350)")
    (None, ('LINC01234', 'ALK'))
    >>> parse_arriba_gene(".")
    (None, ())
    """
    cell = text.strip()
    if cell in ("", "."):
        return None, ()
    if "," not in cell and "(" not in cell:
        return cell, ()
    names = []
    for part in cell.split(","):
        m = _NEIGHBOUR.match(part.strip())
        if m is not None and m.group("gene") not in (".", ""):
            names.append(m.group("gene"))
    return None, tuple(names)


def _partner(text: str) -> str | None:
    cell = text.strip()
    return None if cell in ("", ".", "NA") else cell


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def _rows(
    path: str | Path, patient: str | None, *, header_only: bool = False
) -> list[tuple[int, list[str]]]:
    """``(line, fields)`` of a TSV; blank lines skipped; the first row is the header.

    A leading ``#`` on the header (Arriba) is removed; later ``#`` lines are comments.
    """
    rows = read_tsv_rows(path, patient, header_only=header_only, hash_header=True)
    if not rows:
        raise InputError("file is empty (no header line)", path=path, patient=patient)
    return rows


@dataclass(frozen=True)
class _Table:
    """A header-indexed TSV, for the readers."""

    path: str | Path
    patient: str | None
    header_line: int
    columns: dict[str, int]
    body: list[tuple[int, list[str]]]

    @classmethod
    def read(cls, path: str | Path, patient: str | None) -> _Table:
        rows = _rows(path, patient)
        (header_line, header), body = rows[0], rows[1:]
        names = [name.strip() for name in header]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise InputError(
                f"column(s) {', '.join(map(repr, repeated))} appear more than once in the header",
                path=path,
                line=header_line,
                patient=patient,
            )
        columns = {name: i for i, name in enumerate(names)}
        return cls(path, patient, header_line, columns, body)

    def require(self, *names: str) -> None:
        missing = [n for n in names if n not in self.columns]
        if missing:
            raise InputError(
                f"missing column(s) {', '.join(missing)}; header has: {', '.join(self.columns)}",
                path=self.path,
                line=self.header_line,
                patient=self.patient,
            )

    def records(self) -> list[tuple[int, dict[str, str]]]:
        """Each data row as ``(line, {column: value})``; wrong field counts raise InputError."""
        out = []
        for line, fields in self.body:
            if len(fields) != len(self.columns):
                raise InputError(
                    f"expected {len(self.columns)} tab-separated fields (as in the header), "
                    f"found {len(fields)}",
                    path=self.path,
                    line=line,
                    patient=self.patient,
                )
            out.append((line, {name: fields[i] for name, i in self.columns.items()}))
        return out

    def error(self, problem: str, line: int) -> InputError:
        return InputError(problem, path=self.path, line=line, patient=self.patient)

    def count(self, text: str, what: str, line: int) -> int | None:
        """A non-negative read count, ``None`` for empty/NA."""
        cell = text.strip()
        if cell in ("", ".", "NA"):
            return None
        if not cell.isdigit():
            raise self.error(f"{what} {text!r} is not a non-negative integer", line)
        return int(cell)


def read_arriba(path: str | Path, *, patient: str | None = None) -> list[Fusion]:
    """Read an Arriba ``fusions.tsv``.

    ``gene1`` is the 5' partner and ``gene2`` the 3' partner; split reads are
    ``split_reads1 + split_reads2``; ``reading_frame`` gives the frame (``stop-codon`` counts as
    out-of-frame, ``.`` as unknown). When Arriba could not predict the transcribed strand
    (``.`` after the slash in ``strand1(gene/fusion)``/``strand2(gene/fusion)``) the 5'/3'
    order is uncertain and ``orientation_known`` is False. Intergenic breakpoints: see the
    module docstring.

    Raises
    ------
    InputError
        Missing columns (``gene1 gene2 breakpoint1 breakpoint2``), wrong field counts or
        non-integer read counts, with the file and 1-based line.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "fusions.tsv")
    >>> _ = open(p, "w").write("#gene1\\tgene2\\tbreakpoint1\\tbreakpoint2\\treading_frame\\n"
    ...                        "EML4\\tALK\\t2:42522694\\t2:29446394\\tin-frame\\n")
    >>> f = read_arriba(p)[0]
    >>> f.gene5, f.gene3, f.frame, f.line
    ('EML4', 'ALK', 'in-frame', 2)
    """
    table = _Table.read(path, patient)
    table.require("gene1", "gene2", "breakpoint1", "breakpoint2")
    out = []
    for line, row in table.records():
        gene5, near5 = parse_arriba_gene(row["gene1"])
        gene3, near3 = parse_arriba_gene(row["gene2"])
        reads = [table.count(row.get(c, ""), c, line) for c in ("split_reads1", "split_reads2")]
        known = [r for r in reads if r is not None]
        raw_frame = row.get("reading_frame")
        strands = [row.get(c, "") for c in ("strand1(gene/fusion)", "strand2(gene/fusion)")]
        orientation_known = not any(s.strip().endswith("/.") for s in strands)
        out.append(
            Fusion(
                gene5=gene5,
                gene3=gene3,
                breakpoint5=_partner(row["breakpoint1"]),
                breakpoint3=_partner(row["breakpoint2"]),
                frame=normalise_frame(raw_frame),
                split_reads=sum(known) if known else None,
                line=line,
                caller_effect=raw_frame,
                near5=near5,
                near3=near3,
                orientation_known=orientation_known,
                caller="Arriba",
            )
        )
    return out


_FC_GENE5 = "Gene_1_symbol(5end_fusion_partner)"
_FC_GENE3 = "Gene_2_symbol(3end_fusion_partner)"
_FC_POINT5 = "Fusion_point_for_gene_1(5end_fusion_partner)"
_FC_POINT3 = "Fusion_point_for_gene_2(3end_fusion_partner)"


def read_fusioncatcher(path: str | Path, *, patient: str | None = None) -> list[Fusion]:
    """Read FusionCatcher's ``final-list_candidate-fusion-genes.txt``.

    Gene 1 is the 5' partner. ``Predicted_effect`` is kept as the caller's effect and
    normalised with :func:`normalise_frame` (``in-frame``, ``out-of-frame``; location pairs
    such as ``CDS(truncated)/intronic`` are not an in-frame coding junction -> out-of-frame).
    Read support is ``Spanning_unique_reads``.

    Raises
    ------
    InputError
        Missing columns, wrong field counts or non-integer read counts.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "final-list.txt")
    >>> head = [_FC_GENE5, _FC_GENE3, _FC_POINT5, _FC_POINT3, "Predicted_effect"]
    >>> _ = open(p, "w").write("\\t".join(head) + "\\n"
    ...     "EML4\\tALK\\t2:42301391:+\\t2:29223587:-\\tCDS(truncated)/intronic\\n")
    >>> f = read_fusioncatcher(p)[0]
    >>> f.name, f.frame, f.caller_effect
    ('EML4-ALK', 'out-of-frame', 'CDS(truncated)/intronic')
    """
    table = _Table.read(path, patient)
    table.require(_FC_GENE5, _FC_GENE3, _FC_POINT5, _FC_POINT3)
    out = []
    for line, row in table.records():
        effect = row.get("Predicted_effect")
        out.append(
            Fusion(
                gene5=_partner(row[_FC_GENE5]),
                gene3=_partner(row[_FC_GENE3]),
                breakpoint5=_partner(row[_FC_POINT5]),
                breakpoint3=_partner(row[_FC_POINT3]),
                frame=normalise_frame(effect),
                split_reads=table.count(
                    row.get("Spanning_unique_reads", ""), "Spanning_unique_reads", line
                ),
                line=line,
                caller_effect=effect,
                caller="FusionCatcher",
            )
        )
    return out


def read_pcgr_fusions(path: str | Path, *, patient: str | None = None) -> list[Fusion]:
    """Read the PCGR example ``fusions.tsv`` (``FusionGene`` = ``5'--3'``).

    A missing partner (``--ALK``, ``FGFR2--``) gives ``None`` for that side. The file has no
    frame, so the frame is ``unknown``.

    Raises
    ------
    InputError
        Missing ``FusionGene``, a ``FusionGene`` without ``--`` or with no gene at all, wrong
        field counts or non-integer ``SplitReads``.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "fusions.tsv")
    >>> _ = open(p, "w").write("FusionGene\\tLeftBreakpoint\\tRightBreakpoint\\tSplitReads\\n"
    ...                        "--ALK\\t2:29955249\\t2:29717697\\t50\\n")
    >>> f = read_pcgr_fusions(p)[0]
    >>> f.gene5, f.gene3, f.split_reads
    (None, 'ALK', 50)
    """
    table = _Table.read(path, patient)
    table.require("FusionGene")
    out = []
    for line, row in table.records():
        name = row["FusionGene"].strip()
        if "--" not in name:
            raise table.error(f"FusionGene {name!r} is not written GENE5--GENE3", line)
        left, right = name.split("--", 1)
        gene5, gene3 = _partner(left), _partner(right)
        if gene5 is None and gene3 is None:
            raise table.error(f"FusionGene {name!r} names no gene", line)
        out.append(
            Fusion(
                gene5=gene5,
                gene3=gene3,
                breakpoint5=_partner(row.get("LeftBreakpoint", "")),
                breakpoint3=_partner(row.get("RightBreakpoint", "")),
                frame="unknown",
                split_reads=table.count(row.get("SplitReads", ""), "SplitReads", line),
                line=line,
                caller_effect=None,
                caller="PCGR",
            )
        )
    return out


def read_generic_fusions(path: str | Path, *, patient: str | None = None) -> list[Fusion]:
    """Read a generic fusion table (columns :data:`GENERIC_COLUMNS`; ``gene5``/``gene3`` required).

    ``frame`` must be one of the values :func:`normalise_frame` knows (checked strictly);
    an empty ``gene5`` or ``gene3`` means that partner is not named.

    Raises
    ------
    InputError
        Missing or unknown columns, a row with neither gene, an unknown frame, wrong field
        counts or a non-integer ``split_reads``.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "f.tsv")
    >>> _ = open(p, "w").write("gene5\\tgene3\\tframe\\nCD74\\tROS1\\tin-frame\\n")
    >>> read_generic_fusions(p)[0].name
    'CD74-ROS1'
    """
    table = _Table.read(path, patient)
    table.require("gene5", "gene3")
    unknown = [c for c in table.columns if c not in GENERIC_COLUMNS]
    if unknown:
        raise table.error(
            f"unknown column(s) {', '.join(unknown)}; accepted: {', '.join(GENERIC_COLUMNS)}",
            table.header_line,
        )
    out = []
    for line, row in table.records():
        gene5, gene3 = _partner(row["gene5"]), _partner(row["gene3"])
        if gene5 is None and gene3 is None:
            raise table.error("neither gene5 nor gene3 is given", line)
        raw_frame = row.get("frame")
        try:
            frame = normalise_frame(raw_frame, strict=True)
        except ValueError as exc:
            raise table.error(str(exc), line) from None
        out.append(
            Fusion(
                gene5=gene5,
                gene3=gene3,
                breakpoint5=_partner(row.get("breakpoint5", "")),
                breakpoint3=_partner(row.get("breakpoint3", "")),
                frame=frame,
                split_reads=table.count(row.get("split_reads", ""), "split_reads", line),
                line=line,
                caller_effect=raw_frame,
                caller="generic table",
            )
        )
    return out


def _star_gene(text: str) -> str | None:
    """``EML4^ENSG00000085999.11`` -> ``EML4``; empty/``.`` -> None."""
    name = _partner(text.split("^", 1)[0])
    return name


def read_star_fusion(path: str | Path, *, patient: str | None = None) -> list[Fusion]:
    """Read a STAR-Fusion ``star-fusion.fusion_predictions(.abridged).tsv``.

    ``LeftGene`` is the 5' partner and ``RightGene`` the 3' partner, written
    ``SYMBOL^ENSG...``; breakpoints are ``chr:pos:strand``. Split reads are
    ``JunctionReadCount``; the frame is ``PROT_FUSION_TYPE`` (``INFRAME``, ``FRAMESHIFT``;
    written only with ``--examine_coding_effect``, else the frame is unknown).

    Raises
    ------
    InputError
        Missing columns (``FusionName LeftGene LeftBreakpoint RightGene RightBreakpoint``),
        wrong field counts or non-integer read counts.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "sf.tsv")
    >>> head = ["#FusionName", "JunctionReadCount", "SpanningFragCount", "LeftGene",
    ...         "LeftBreakpoint", "RightGene", "RightBreakpoint", "PROT_FUSION_TYPE"]
    >>> _ = open(p, "w").write("\\t".join(head) + "\\nEML4--ALK\\t12\\t3\\tEML4^ENSG1\\t"
    ...     "chr2:42522656:+\\tALK^ENSG2\\tchr2:29446394:-\\tINFRAME\\n")
    >>> f = read_star_fusion(p)[0]
    >>> f.name, f.frame, f.split_reads, f.breakpoint3
    ('EML4-ALK', 'in-frame', 12, 'chr2:29446394:-')
    """
    table = _Table.read(path, patient)
    table.require("FusionName", "LeftGene", "LeftBreakpoint", "RightGene", "RightBreakpoint")
    out = []
    for line, row in table.records():
        effect = row.get("PROT_FUSION_TYPE")
        out.append(
            Fusion(
                gene5=_star_gene(row["LeftGene"]),
                gene3=_star_gene(row["RightGene"]),
                breakpoint5=_partner(row["LeftBreakpoint"]),
                breakpoint3=_partner(row["RightBreakpoint"]),
                frame=normalise_frame(effect),
                split_reads=table.count(
                    row.get("JunctionReadCount", ""), "JunctionReadCount", line
                ),
                line=line,
                caller_effect=effect,
                caller="STAR-Fusion",
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# Breakend VCFs
# --------------------------------------------------------------------------------------------

Side = Literal["left", "right"]
"""Which side of a breakend position is kept in the rearranged molecule: ``left`` = the bases
at and before the position, ``right`` = the bases at and after it."""

_BRACKET = re.compile(
    r"^(?P<pre>[A-Za-z.*]*)(?P<b1>[\[\]])(?P<chrom>[^:\[\]]+):(?P<pos>\d+)(?P<b2>[\[\]])"
    r"(?P<post>[A-Za-z.*]*)$"
)


@dataclass(frozen=True)
class Breakend:
    """One side of a junction: position (1-based) and the side of it that is kept."""

    chrom: str
    pos1: int
    kept: Side

    def text(self) -> str:
        """``chrom:pos`` (as the other readers' breakpoints)."""
        return f"{self.chrom}:{self.pos1}"


def parse_bnd_alt(alt: str) -> tuple[Side, Breakend] | None:
    """The local kept side and the mate breakend of a VCF breakend ALT (VCF 4.x section 5.4).

    ``t[p[``: local left kept, joined to the part right of ``p``; ``t]p]``: local left, mate
    left (reverse complemented); ``]p]t``: local right, mate left; ``[p[t``: local right, mate
    right. Returns None for an ALT that is not in bracket notation.

    Examples
    --------
    >>> parse_bnd_alt("N[4:1727977[")
    ('left', Breakend(chrom='4', pos1=1727977, kept='right'))
    >>> parse_bnd_alt("]11:94987872]T")
    ('right', Breakend(chrom='11', pos1=94987872, kept='left'))
    >>> parse_bnd_alt("<DEL>") is None
    True
    """
    m = _BRACKET.match(alt.strip())
    if m is None or m.group("b1") != m.group("b2") or bool(m.group("pre")) == bool(m.group("post")):
        return None
    local: Side = "left" if m.group("pre") else "right"
    mate: Side = "right" if m.group("b1") == "[" else "left"
    return local, Breakend(m.group("chrom"), int(m.group("pos")), mate)


def transcript_role(strand: str, kept: Side) -> Literal["5prime", "3prime"]:
    """Which part of a gene a kept side holds: its 5' part (``+`` and left, ``-`` and right).

    Examples
    --------
    >>> transcript_role("+", "left"), transcript_role("-", "left")
    ('5prime', '3prime')
    """
    return "5prime" if (strand == "+") == (kept == "left") else "3prime"


@dataclass(frozen=True)
class _VcfRecord:
    line: int
    chrom: str
    pos1: int
    ident: str
    alt: str
    info: dict[str, str]


def _info(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in text.split(";"):
        if item:
            key, _, value = item.partition("=")
            out[key] = value
    return out


def _vcf_records(path: str | Path, patient: str | None) -> list[_VcfRecord]:
    records: list[_VcfRecord] = []
    seen_header = False
    try:
        with open_text(path, patient=patient) as fh:
            for number, raw in enumerate(fh, start=1):
                text = raw.rstrip("\r\n")
                if text.startswith("##") or not text.strip():
                    continue
                if text.startswith("#"):
                    seen_header = True
                    continue
                fields = text.split("\t")
                if not seen_header or len(fields) < 8:
                    raise InputError(
                        "not a VCF record (need the #CHROM header and 8 tab-separated fields)",
                        path=path,
                        line=number,
                        patient=patient,
                    )
                if not fields[1].isdigit():
                    raise InputError(
                        f"POS {fields[1]!r} is not a positive integer",
                        path=path,
                        line=number,
                        patient=patient,
                    )
                records.append(
                    _VcfRecord(
                        number, fields[0], int(fields[1]), fields[2], fields[4], _info(fields[7])
                    )
                )
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not a UTF-8 text file ({exc.reason})", path=path, patient=patient
        ) from exc
    if not seen_header:
        raise InputError("no #CHROM header line: not a VCF", path=path, patient=patient)
    return records


@dataclass(frozen=True)
class _Junction:
    line: int
    a: Breakend
    b: Breakend
    info: dict[str, str]
    ids: tuple[str, str]


def symbolic_junction(
    svtype: str, chrom: str, pos1: int, info: Mapping[str, str]
) -> tuple[Breakend, Breakend] | None:
    """The two breakends of a symbolic ``<DEL>``, ``<DUP>`` or ``<INV>`` record, else None.

    ``DEL``: the bases up to ``POS`` join those after ``END``; ``DUP``: ``END`` joins back to
    ``POS``; ``INV``: only when the junction is stated (DELLY ``CT=3to3``/``5to5``, Manta
    ``INV3``/``INV5``), since an inversion has two junctions. Needs an integer INFO ``END``.

    Examples
    --------
    >>> symbolic_junction("DEL", "6", 100, {"END": "300"})
    (Breakend(chrom='6', pos1=100, kept='left'), Breakend(chrom='6', pos1=301, kept='right'))
    >>> symbolic_junction("INV", "2", 100, {"END": "300"}) is None
    True
    """
    end_text = info.get("END", "")
    if not end_text.isdigit():
        return None
    end = int(end_text)
    if svtype == "DEL":
        return Breakend(chrom, pos1, "left"), Breakend(chrom, end + 1, "right")
    if svtype == "DUP":
        return Breakend(chrom, end, "left"), Breakend(chrom, pos1, "right")
    if svtype == "INV" and (info.get("CT") == "3to3" or "INV3" in info):
        return Breakend(chrom, pos1, "left"), Breakend(chrom, end, "left")
    if svtype == "INV" and (info.get("CT") == "5to5" or "INV5" in info):
        return Breakend(chrom, pos1 + 1, "right"), Breakend(chrom, end + 1, "right")
    return None


def _junctions(
    records: Sequence[_VcfRecord], path: str | Path, patient: str | None
) -> list[_Junction]:
    """Pair breakend records with their mates (by ``MATEID``, else the ALT's mate position)."""
    by_id = {r.ident: r for r in records if r.ident not in ("", ".")}
    done: set[int] = set()
    out: list[_Junction] = []
    for rec in records:
        if rec.line in done:
            continue
        parsed = parse_bnd_alt(rec.alt.split(",")[0])
        if parsed is None:
            svtype = rec.alt.strip("<>").split(":")[0] if rec.alt.startswith("<") else ""
            pair = symbolic_junction(svtype, rec.chrom, rec.pos1, rec.info)
            if pair is not None:
                out.append(_Junction(rec.line, pair[0], pair[1], rec.info, (rec.ident, "")))
            continue  # otherwise not a junction (SNV, indel, <INS>, unstated <INV>)
        local, mate = parsed
        done.add(rec.line)
        mate_rec = by_id.get(rec.info.get("MATEID", ""))
        if mate_rec is None:
            mate_rec = next(
                (
                    r
                    for r in records
                    if r.line not in done
                    and r.chrom == mate.chrom
                    and r.pos1 == mate.pos1
                    and (p := parse_bnd_alt(r.alt.split(",")[0])) is not None
                    and (p[1].chrom, p[1].pos1) == (rec.chrom, rec.pos1)
                ),
                None,
            )
        if mate_rec is not None:
            done.add(mate_rec.line)
        here = Breakend(rec.chrom, rec.pos1, local)
        mate_id = mate_rec.ident if mate_rec is not None else rec.info.get("MATEID", "")
        out.append(_Junction(rec.line, here, mate, rec.info, (rec.ident, mate_id)))
    return out


def _gene_at(
    models: GeneModels, end: Breakend, targets: Sequence[str]
) -> tuple[GeneModel | None, list[str]]:
    """The bundled gene at a breakend (targets first) and every gene there."""
    found = models.at(end.chrom, end.pos1)
    names = [m.gene for m in found]
    preferred = sorted(found, key=lambda m: (m.gene not in targets, m.tx_start0, m.gene))
    return (preferred[0] if preferred else None), names


def _junction_fusion(
    j: _Junction, models: GeneModels, targets: Sequence[str], caller: str
) -> Fusion | None:
    """A fusion from one junction; None when no bundled gene lies at either breakend."""
    notes: list[str] = []
    if "GENE5" in j.info or "GENE3" in j.info:
        # FusionCatcher: the caller names the 5'/3' genes, and INFO END (5 or 3) tells which
        # breakend is which.
        five, three = (j.b, j.a) if j.info.get("END") == "3" else (j.a, j.b)
        effect = j.info.get("EFFECT")
        sr = j.info.get("SR", "")
        return Fusion(
            gene5=_partner(j.info.get("GENE5", "")),
            gene3=_partner(j.info.get("GENE3", "")),
            breakpoint5=five.text(),
            breakpoint3=three.text(),
            frame=normalise_frame(effect),
            split_reads=int(sr) if sr.isdigit() else None,
            line=j.line,
            caller_effect=effect,
            caller=caller,
            notes=(
                f"breakend records {j.ids[0]} / {j.ids[1] or '?'}; genes from INFO GENE5/GENE3",
            ),
        )
    model_a, names_a = _gene_at(models, j.a, targets)
    model_b, names_b = _gene_at(models, j.b, targets)
    if model_a is None and model_b is None:
        return None
    for end, names in ((j.a, names_a), (j.b, names_b)):
        if len(names) > 1:
            notes.append(f"breakend {end.text()} lies in several bundled genes: {', '.join(names)}")
    roles = {
        side: transcript_role(m.strand, end.kept)
        for side, m, end in (("a", model_a, j.a), ("b", model_b, j.b))
        if m is not None
    }
    orientation_known = True
    if model_a is not None and model_b is not None and roles["a"] == roles["b"]:
        orientation_known = False
        notes.append(
            f"the junction joins the {roles['a'][0]}' parts of {model_a.gene} and {model_b.gene} "
            "(strands and bracket orientation give no 5'-3' fusion transcript): orientation unknown"
        )
    a_is_5 = roles.get("a", "3prime" if roles.get("b") == "5prime" else "5prime") == "5prime"
    (g5, e5), (g3, e3) = (
        ((model_a, j.a), (model_b, j.b)) if a_is_5 else ((model_b, j.b), (model_a, j.a))
    )
    for model, end, word in ((g5, e5, "5'"), (g3, e3, "3'")):
        if model is None:
            notes.append(
                f"no bundled gene model at the {word} breakend {end.text()}: partner not named"
            )
    notes.append(
        f"breakend records {j.ids[0]} / {j.ids[1] or '(mate from ALT or END)'}; 5'/3' from the "
        "bracket or SV-type orientation and the bundled gene strands"
    )
    sr = j.info.get("SR", "")
    return Fusion(
        gene5=g5.gene if g5 else None,
        gene3=g3.gene if g3 else None,
        breakpoint5=e5.text(),
        breakpoint3=e3.text(),
        frame="unknown",
        split_reads=int(sr) if sr.isdigit() else None,
        line=j.line,
        caller_effect=None,
        orientation_known=orientation_known,
        caller=caller,
        notes=tuple(notes),
    )


def read_bnd_vcf(
    path: str | Path,
    *,
    models: GeneModels,
    targets: Sequence[str] = (),
    patient: str | None = None,
) -> list[Fusion]:
    """Read breakend (BND) records of a VCF (Manta, DELLY, GRIDSS, FusionCatcher) as fusions.

    Records are paired with their mates by ``MATEID``, else by the mate position in the ALT
    bracket notation (DELLY writes one record per junction); a junction gives one fusion,
    reported at the first record's line. Genes come from the bundled transcript models of the
    patient's build (``models``; ``targets`` win when several genes overlap a breakend), and
    5'/3' from the kept side of each breakend (:func:`parse_bnd_alt`) with the gene's strand
    (:func:`transcript_role`); when both genes would be 5' (or both 3') the orientation is
    unknown. FusionCatcher's VCF names the genes itself (INFO ``GENE5``/``GENE3``, ``EFFECT``
    for the frame, ``END`` 5 or 3 for the breakend): those are used. Junctions with no bundled
    gene at either breakend, and records that are no junction (SNVs, indels, ``<INS>``) are
    skipped; symbolic ``<DEL>``, ``<DUP>`` and stated ``<INV>`` records are read as junctions
    (:func:`symbolic_junction`).

    Raises
    ------
    InputError
        A file without ``#CHROM`` header, a record with fewer than 8 fields or a bad POS.

    Examples
    --------
    >>> from armmatch.transcripts import GeneModels
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "x.vcf")
    >>> _ = open(p, "w").write("##fileformat=VCFv4.2\\n#CHROM\\tPOS\\tID\\tREF\\tALT\\tQUAL\\t"
    ...                        "FILTER\\tINFO\\n1\\t10\\tb1\\tN\\tN[2:20[\\t.\\tPASS\\tSVTYPE=BND\\n")
    >>> read_bnd_vcf(p, models=GeneModels("GRCh38", "none", {}))
    []
    """
    records = _vcf_records(path, patient)
    fc = any("GENE5" in r.info for r in records)
    caller = "FusionCatcher (VCF)" if fc else "BND VCF"
    out = []
    for j in _junctions(records, path, patient):
        fusion = _junction_fusion(j, models, targets, caller)
        if fusion is not None:
            out.append(fusion)
    return out


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


def _side_gene(
    name: str | None, point: str | None, word: str, models: GeneModels, targets: Sequence[str]
) -> tuple[str | None, str | None]:
    """The gene of one side after checking the caller's name against the breakpoint."""
    parsed = parse_breakpoint(point)
    if parsed is None:
        return name, None
    chrom, pos1 = parsed
    found = models.at(chrom, pos1)
    names = [m.gene for m in found]
    if name is not None and name in names:
        others = [n for n in names if n != name]
        note = f"{word} breakpoint {point} also lies in {', '.join(others)}" if others else None
        return name, note
    if names:
        chosen = sorted(names, key=lambda g: (g not in targets, names.index(g)))[0]
        return chosen, (
            f"the caller names {name or 'no gene'} at the {word} breakpoint {point}, which lies "
            f"in {', '.join(names)} (bundled {models.build} models): counted as {chosen}"
        )
    if name is not None and name in models:
        return name, (
            f"the caller names {name} at the {word} breakpoint {point}, which lies outside the "
            f"bundled {models.build} {name} model: name kept; check the genome build"
        )
    return name, None


def assign_genes(fusion: Fusion, models: GeneModels, targets: Sequence[str] = ()) -> Fusion:
    """Check the caller's gene names against the breakpoint coordinates.

    A breakpoint inside a bundled gene counts as that gene (target genes first when genes
    overlap), whatever name the caller gave: e.g. a 3' breakpoint inside ROS1 counts as ROS1
    even if the caller wrote GOPC. Every disagreement is written in the fusion's notes; a side
    without a coordinate keeps the caller's name.

    Examples
    --------
    >>> from armmatch.transcripts import GeneModels
    >>> f = Fusion("CD74", "GOPC", None, None, "in-frame", 5, 2, None)
    >>> assign_genes(f, GeneModels("GRCh38", "none", {})) == f
    True
    """
    gene5, note5 = _side_gene(fusion.gene5, fusion.breakpoint5, "5'", models, targets)
    gene3, note3 = _side_gene(fusion.gene3, fusion.breakpoint3, "3'", models, targets)
    notes = tuple(n for n in (note5, note3) if n)
    if not notes and (gene5, gene3) == (fusion.gene5, fusion.gene3):
        return fusion
    near5 = () if gene5 is not None and fusion.gene5 is None else fusion.near5
    near3 = () if gene3 is not None and fusion.gene3 is None else fusion.near3
    return replace(
        fusion,
        gene5=gene5,
        gene3=gene3,
        near5=near5,
        near3=near3,
        notes=fusion.notes + notes,
    )


@dataclass(frozen=True)
class KinaseRule:
    """A 3'-partner kinase-domain rule: the first retained exon must be <= ``max_first_exon``."""

    gene: str
    transcript: str
    max_first_exon: int
    source: str


DEFAULT_KINASE_RULES = RESOURCE_DIR / "kinase_domains.tsv"
"""The bundled rule table (``gene transcript max_first_exon source``)."""


def load_kinase_rules(path: str | Path = DEFAULT_KINASE_RULES) -> dict[str, KinaseRule]:
    """Read the kinase-domain retention table (``#`` lines are comments).

    Raises
    ------
    InputError
        Missing columns, a non-integer ``max_first_exon`` or a gene given twice.

    Examples
    --------
    >>> load_kinase_rules()["ALK"].max_first_exon
    20
    """
    with open_text(path) as fh:
        rows = [
            (number, raw.rstrip("\r\n").split("\t"))
            for number, raw in enumerate(fh, start=1)
            if raw.strip() and not raw.startswith("#")
        ]
    if not rows:
        raise InputError("no header line", path=path)
    columns = {name.strip(): i for i, name in enumerate(rows[0][1])}
    table = _Table(path, None, rows[0][0], columns, rows[1:])
    table.require("gene", "transcript", "max_first_exon", "source")
    rules: dict[str, KinaseRule] = {}
    for line, row in table.records():
        exon = table.count(row["max_first_exon"], "max_first_exon", line)
        if exon is None or exon < 1:
            raise table.error("max_first_exon must be an exon number >= 1", line)
        gene = row["gene"].strip()
        if gene in rules:
            raise table.error(f"gene {gene} is given twice", line)
        rules[gene] = KinaseRule(gene, row["transcript"].strip(), exon, row["source"].strip())
    return rules


def first_retained_exon(model: GeneModel, pos1: int) -> int | None:
    """The first exon of ``model`` present downstream of a 3'-partner breakpoint at ``pos1``.

    The exon containing the breakpoint, or the exon after an intronic breakpoint; 1 upstream
    of the transcript; None downstream of it (nothing of the gene retained).

    Examples
    --------
    >>> from armmatch.transcripts import Exon, GeneModel
    >>> m = GeneModel("G", "NM_1.1", "NM_1", "", "1", "+", 0, 300, 0, 300,
    ...               (Exon(1, 0, 100), Exon(2, 200, 300)))
    >>> first_retained_exon(m, 50), first_retained_exon(m, 150), first_retained_exon(m, 400)
    (1, 2, None)
    """
    exon = model.exon_at(pos1)
    if exon is not None:
        return exon
    intron = model.intron_at(pos1)
    if intron is not None:
        return intron + 1
    upstream = pos1 <= model.tx_start0 if model.strand == "+" else pos1 > model.tx_end
    return 1 if upstream else None


def kinase_check(
    fusion: Fusion, gene: str, models: GeneModels | None, rules: Mapping[str, KinaseRule]
) -> tuple[bool | None, str]:
    """Whether ``gene`` (the 3' partner) keeps its kinase domain, with the reason.

    Returns ``(None, why)`` when the rule cannot be checked (no rule, no models, no breakpoint
    coordinate, another transcript bundled, a breakpoint on another chromosome).
    """
    rule = rules.get(gene)
    if rule is None:
        return None, f"no kinase-domain rule for {gene}"
    model = models.get(gene) if models is not None else None
    where = parse_breakpoint(fusion.breakpoint3)
    if model is None or where is None:
        return None, (
            f"{gene} kinase-domain retention not checked: "
            + ("no 3' breakpoint coordinate" if where is None else "no transcript model")
        )
    if model.refseq_accession != rule.transcript.split(".")[0]:
        return None, (
            f"{gene} kinase-domain retention not checked: the rule uses {rule.transcript}, the "
            f"bundled model is {model.transcript}"
        )
    chrom, pos1 = where
    if normalise_chrom(chrom) != model.chrom:
        return (
            None,
            f"{gene} kinase-domain retention not checked: 3' breakpoint {chrom}:{pos1} is not on {gene}'s chromosome",
        )
    first = first_retained_exon(model, pos1)
    rule_text = (
        f"rule: first retained {gene} exon <= {rule.max_first_exon} of {rule.transcript} "
        f"(resources/kinase_domains.tsv)"
    )
    if first is None:
        return (
            False,
            f"the 3' breakpoint {chrom}:{pos1} lies after {gene}: nothing of {gene} is retained; {rule_text}",
        )
    ok = first <= rule.max_first_exon
    verdict = "retained" if ok else "not retained"
    return ok, f"{gene} kinase domain {verdict}: fusion keeps {gene} from exon {first}; {rule_text}"


def detect_fusion_format(path: str | Path, *, patient: str | None = None) -> str:
    """Tell the fusion format from the header line.

    Returns
    -------
    str
        ``arriba`` (``gene1 gene2 ... breakpoint1``), ``star-fusion`` (``FusionName LeftGene
        LeftBreakpoint RightGene RightBreakpoint``), ``fusioncatcher``
        (``Gene_1_symbol(5end_fusion_partner)``), ``bnd-vcf`` (``##fileformat=VCF``), ``pcgr``
        (``FusionGene``) or ``generic`` (``gene5 gene3``).

    Raises
    ------
    InputError
        When the header fits none of them, or several (ambiguous: name the format in the
        sample sheet's ``fusion_format``); the message lists the accepted formats.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "f.tsv")
    >>> _ = open(p, "w").write("FusionGene\\tSplitReads\\n")
    >>> detect_fusion_format(p)
    'pcgr'
    """
    (line, header), *_ = _rows(path, patient, header_only=True)
    if "\t".join(header).startswith("fileformat=VCF"):
        return "bnd-vcf"
    names = {h.strip() for h in header}
    found = [
        fmt
        for fmt, needed in (
            ("arriba", {"gene1", "gene2", "breakpoint1", "breakpoint2"}),
            ("star-fusion", {"FusionName", "LeftGene", "LeftBreakpoint", "RightGene"}),
            ("fusioncatcher", {_FC_GENE5, _FC_GENE3}),
            ("pcgr", {"FusionGene"}),
            ("generic", {"gene5", "gene3"}),
        )
        if needed <= names
    ]
    if len(found) == 1:
        return found[0]
    problem = (
        f"the header fits several fusion formats ({', '.join(found)}): name the format in the "
        "sample sheet's fusion_format column"
        if found
        else "cannot tell the fusion format from the header"
    )
    raise InputError(
        f"{problem}; accepted: arriba (#gene1, gene2, breakpoint1, breakpoint2, ...), "
        "star-fusion (#FusionName, ..., LeftGene, LeftBreakpoint, RightGene, RightBreakpoint), "
        "fusioncatcher (Gene_1_symbol(5end_fusion_partner), ...), bnd-vcf (a VCF with BND "
        "records), pcgr (FusionGene = GENE5--GENE3, ...) or generic (gene5, gene3[, "
        "breakpoint5, breakpoint3, frame, split_reads])",
        path=path,
        line=line,
        patient=patient,
    )


def check_structural_vcf(path: str | Path, *, patient: str | None = None) -> None:
    """Stop when a VCF given as fusion calls holds small variants, or proves nothing.

    A breakend VCF (Manta, DELLY, GRIDSS, FusionCatcher) has BND or symbolic structural
    records, or at least declares them; a small-variant VCF has neither, and read as fusion
    calls it would clear the RET/NTRK/FGFR exclusions without having looked for a fusion.
    """
    kinds = vcf_kinds(path, patient=patient)
    if kinds.records and not kinds.structural:
        raise InputError(
            f"this is a small-variant VCF ({kinds.records} records read, none a breakend or "
            "structural variant), not fusion calls: give it in the vcf column; the fusions "
            "column takes a fusion caller's table or a breakend VCF",
            path=path,
            patient=patient,
        )
    if not kinds.records and not kinds.declares_sv:
        raise InputError(
            "a VCF without records and without structural-variant header lines (INFO SVTYPE, "
            "ALT <DEL>/<BND>...): nothing shows it is a structural-variant caller's output, so "
            "it cannot count as fusions assessed",
            path=path,
            patient=patient,
        )


def check_vcf_header_build(path: str | Path, build: str, *, patient: str | None = None) -> None:
    """Stop when a breakend VCF's header states another genome build than the patient's."""
    check_build(vcf_header_text(path, patient=patient), build, path=str(path), patient=patient,
                what="breakend VCF", remedy="its breakpoints would be read on the wrong genome")  # fmt: skip


def check_fusion_build(
    fusions: Sequence[Fusion],
    models: GeneModels,
    other_models: GeneModels,
    *,
    path: str | Path,
    patient: str | None = None,
) -> None:
    """Stop when the calls' breakpoints fit the genes the caller names on the other build only.

    Each breakpoint with a coordinate and a caller-named gene that has a bundled model on both
    builds is tested: does it lie inside that gene (its transcript span, +/- 10 kb for
    breakpoints just outside it) on the patient's build, and on the other? Where a gene sits at
    nearly the same coordinates on both (FGFR3 at the tip of 4p) a breakpoint proves nothing;
    more breakpoints fitting only the other build than only the patient's means the file is of
    the other build (e.g. a GRCh38
    Arriba file given to a GRCh37 patient, whose EML4-ALK would otherwise be "filtered: the
    3' breakpoint lies after ALK").
    """

    def breakpoints() -> Iterator[tuple[bool, bool, str]]:
        for f in fusions:
            for gene, point in ((f.gene5, f.breakpoint5), (f.gene3, f.breakpoint3)):
                parsed = parse_breakpoint(point)
                a = models.get(gene) if gene else None
                b = other_models.get(gene) if gene else None
                if parsed is None or a is None or b is None:
                    continue
                chrom, pos1 = parsed
                yield (
                    a.overlaps(chrom, pos1 - 1 - _BUILD_SLACK, pos1 + _BUILD_SLACK),
                    b.overlaps(chrom, pos1 - 1 - _BUILD_SLACK, pos1 + _BUILD_SLACK),
                    f"line {f.line}: {gene} breakpoint {point}",
                )

    fit = build_fit(breakpoints())
    if fit.other_build_wins:
        raise InputError(
            f"the fusion calls fit {other_models.build}, not {models.build}: {fit.only_there} "
            f"breakpoint(s) lie in the gene the caller names on {other_models.build} only, "
            f"{fit.only_here} on {models.build} only ({fit.example}); the fusion file is of "
            f"{other_models.build} but the patient's genome_build is {models.build}",
            path=path,
            patient=patient,
        )


_BUILD_SLACK = 10_000
"""A breakpoint this close to a gene's transcript span still fits it (promoter, UTR ends)."""


_READERS: dict[str, Callable[..., list[Fusion]]] = {
    "arriba": read_arriba,
    "star-fusion": read_star_fusion,
    "fusioncatcher": read_fusioncatcher,
    "pcgr": read_pcgr_fusions,
    "generic": read_generic_fusions,
}


def read_fusion_file(
    path: str | Path,
    fmt: str | None = None,
    *,
    patient: str | None = None,
    models: GeneModels | None = None,
    targets: Sequence[str] = (),
    other_models: GeneModels | None = None,
) -> tuple[str, list[Fusion]]:
    """Read a fusion file in ``fmt`` (detected from the header when ``None``/``"auto"``).

    A breakend VCF must be structural (:func:`check_structural_vcf`); with ``other_models``
    given, a header that states the other build (``##reference``, ``##contig`` lengths)
    stops it, as for small-variant VCFs.

    ``models`` (the bundled transcript models of the patient's build) are required for
    ``bnd-vcf``; ``targets`` are preferred where genes overlap a breakend.

    Returns
    -------
    tuple[str, list[Fusion]]
        The format used and the fusions, in file order.

    Raises
    ------
    InputError
        Unknown ``fmt`` (the message lists :data:`FUSION_FORMATS`), a breakend VCF without
        ``models``, or bad file content.
    """
    used = detect_fusion_format(path, patient=patient) if fmt in (None, "auto") else str(fmt)
    if used == "bnd-vcf":
        check_structural_vcf(path, patient=patient)
        if models is not None and other_models is not None:
            check_vcf_header_build(path, models.build, patient=patient)
        if models is None:
            raise InputError(
                "a breakend VCF needs the bundled gene models of the genome build to name genes",
                path=path,
                patient=patient,
            )
        return used, read_bnd_vcf(path, models=models, targets=targets, patient=patient)
    if used not in _READERS:
        raise InputError(
            f"unknown fusion format {used!r}; accepted: {', '.join(FUSION_FORMATS)} or auto",
            path=path,
            patient=patient,
        )
    return used, _READERS[used](path, patient=patient)


# --------------------------------------------------------------------------------------------
# Evidence
# --------------------------------------------------------------------------------------------


def _alteration(fusion: Fusion) -> str:
    if fusion.gene5 and fusion.gene3:
        return f"{fusion.gene5}-{fusion.gene3} fusion"
    if fusion.gene3:
        return f"{fusion.gene3} fusion (5' partner not named)"
    if fusion.gene5:
        return f"{fusion.gene5} fusion (3' partner not named)"
    return "intergenic rearrangement"


def _role_problem(gene: str, fusion: Fusion, required: str) -> str | None:
    """Why ``gene``'s position in ``fusion`` does not meet the required role, or None."""
    is5, is3 = fusion.gene5 == gene, fusion.gene3 == gene
    if required == "3prime" and not is3:
        return (
            f"{gene} is the 5' partner of {fusion.name}, so the {gene} kinase domain (3' part) "
            f"is not retained; the rule needs {gene} as the 3' partner"
        )
    if required == "5prime" and not is5:
        return f"{gene} is the 3' partner of {fusion.name}; {gene} must be the 5' partner"
    return None


def _status(
    gene: str,
    fusion: Fusion,
    required: str,
    require_in_frame: bool,
    kinase: tuple[bool | None, str] | None = None,
) -> tuple[EventStatus, list[str], list[str]]:
    """Status, reasons and notes for one target gene in one fusion.

    ``kinase`` is the :func:`kinase_check` result for a 3'-partner gene with a rule: False
    filters the event, None (not checked) and True are notes.
    """
    reasons: list[str] = []
    notes: list[str] = []
    in_fusion = gene in (fusion.gene5, fusion.gene3)
    if not in_fusion:
        side = "5'" if gene in fusion.near5 else "3'"
        reasons.append(
            f"the {side} breakpoint is intergenic and {gene} is only the nearest gene: "
            f"{gene} is not part of the fusion transcript"
        )
        return "filtered", reasons, notes
    role_problem = _role_problem(gene, fusion, required)
    if role_problem:
        reasons.append(role_problem)
    elif kinase is not None:
        retained, why = kinase
        (reasons if retained is False else notes).append(why)
    effect = f"{fusion.caller or 'caller'} effect {fusion.caller_effect!r}"
    if require_in_frame and fusion.frame == "out-of-frame":
        reasons.append(f"{effect}: not an in-frame fusion, and an in-frame fusion is required")
    if fusion.frame == "unknown":
        notes.append("reading frame not given by the caller: kept, in-frame cannot be checked")
    if reasons and required == "any" and not role_problem:
        # An exclusion gene (RET, NTRK, FGFR): an out-of-frame call cannot clear the
        # exclusion, so it is left for review instead of being filtered away.
        reasons.append(f"{gene} fusion is a study exclusion: review before the patient is assigned")
        return "indeterminate", reasons, notes
    if reasons:
        return "filtered", reasons, notes
    if fusion.gene5 == fusion.gene3:
        reasons.append(f"both breakpoints are in {gene} (intragenic rearrangement): review")
        return "indeterminate", reasons, notes
    if not fusion.orientation_known and required != "any":
        reasons.append(
            f"the caller could not tell the 5'/3' order of {fusion.name}, and {gene} must be "
            f"the {'3' if required == '3prime' else '5'}' partner: review"
        )
        return "indeterminate", reasons, notes
    return "called", reasons, notes


def _fusion_event(
    gene: str,
    fusion: Fusion,
    source_path: str,
    required: str,
    require_in_frame: bool,
    kinase: tuple[bool | None, str] | None = None,
) -> Event:
    status, reasons, notes = _status(gene, fusion, required, require_in_frame, kinase)
    notes.extend(fusion.notes)
    if fusion.caller_effect:
        notes.append(f"{fusion.caller or 'caller'} effect: {fusion.caller_effect}")
    if fusion.split_reads is not None:
        notes.append(f"supporting reads: {fusion.split_reads}")
    if fusion.near5 or fusion.near3:
        notes.append(
            f"intergenic breakpoint neighbours: 5' {','.join(fusion.near5) or '-'}; "
            f"3' {','.join(fusion.near3) or '-'}"
        )
    notes.append(f"required role of {gene}: {required}")
    return Event(
        gene=gene,
        category="fusion",
        alteration=_alteration(fusion),
        source=SourceRecord(source_path, fusion.line, fusion.describe()),
        status=status,
        status_reason="; ".join(reasons),
        gene5=fusion.gene5,
        gene3=fusion.gene3,
        breakpoint5=fusion.breakpoint5,
        breakpoint3=fusion.breakpoint3,
        frame=fusion.frame,
        notes=tuple(notes),
    )


def fusion_evidence(
    fusions: Sequence[Fusion],
    genes: Sequence[str],
    *,
    source_path: str,
    require_in_frame: bool,
    roles: Mapping[str, str],
    models: GeneModels | None = None,
    kinase_rules: Mapping[str, KinaseRule] | None = None,
) -> Evidence:
    """Events for every fusion that involves a target gene, and an assessment per gene.

    With ``models`` each fusion's gene names are first checked against its breakpoint
    coordinates (:func:`assign_genes`); with ``kinase_rules`` a 3'-partner gene that has a rule
    (ALK, ROS1) is ``filtered`` when its kinase domain is not retained (:func:`kinase_check`),
    and the notes say "not checked" when it cannot be decided.

    One event per (fusion row, target gene): a fusion of two target genes gives two events, a
    caller that lists the same fusion on several rows (isoforms) gives one per row. A target
    that is only the nearest gene of an intergenic breakpoint gives a ``filtered`` event. The
    status of an event for gene ``G``:

    * ``filtered`` when ``G``'s position does not match ``roles[G]`` (``3prime``: ``G`` must be
      the 3' partner, as for ALK and ROS1, whose kinase domain is in the 3' part; ``5prime``;
      ``any``; a gene missing from ``roles`` is ``any``), or when ``require_in_frame`` and the
      frame is ``out-of-frame``; the reason says why;
    * ``indeterminate`` for an intragenic rearrangement (both breakpoints in ``G``) or when the
      caller could not tell the 5'/3' order and the role matters;
    * ``called`` otherwise. An ``unknown`` frame stays ``called`` (with a note): the caller
      gave no prediction, which is not evidence against an in-frame fusion.

    Parameters
    ----------
    fusions
        From one input file.
    genes
        The target genes (fusion rule genes and exclusion genes).
    source_path
        The input file, for provenance and the assessment reason.
    require_in_frame
        Filter fusions the caller predicts to be out of frame.
    roles
        Required role per gene: ``3prime``, ``5prime`` or ``any``.

    Returns
    -------
    Evidence
        The events, and every gene in ``genes`` assessed (the caller searched the whole
        transcriptome/genome; a targeted RNA panel that does not cover a gene is a later
        refinement).

    Raises
    ------
    ValueError
        If a role is not ``3prime``, ``5prime`` or ``any``.

    Examples
    --------
    >>> f = Fusion("ALK", "PTPN3", None, None, "in-frame", 5, 7, "in-frame")
    >>> ev = fusion_evidence([f], ["ALK"], source_path="x.tsv", require_in_frame=True,
    ...                      roles={"ALK": "3prime"})
    >>> ev.events[0].status, ev.events[0].status_reason.split(",")[0]
    ('filtered', "ALK is the 5' partner of ALK-PTPN3")
    """
    bad = {g: r for g, r in roles.items() if r not in ("3prime", "5prime", "any")}
    if bad:
        raise ValueError(f"unknown fusion role(s) {bad}; use 3prime, 5prime or any")
    targets = list(dict.fromkeys(genes))
    evidence = Evidence()
    for raw in fusions:
        fusion = assign_genes(raw, models, targets) if models is not None else raw
        involved = {fusion.gene5, fusion.gene3, *fusion.near5, *fusion.near3}
        for gene in targets:
            if gene in involved:
                required = roles.get(gene, "any")
                kinase = (
                    kinase_check(fusion, gene, models, kinase_rules)
                    if kinase_rules is not None and gene in kinase_rules and fusion.gene3 == gene
                    else None
                )
                evidence.events.append(
                    _fusion_event(gene, fusion, source_path, required, require_in_frame, kinase)
                )
    evidence.assessments.extend(
        assessed(targets, "fusion", f"fusion calls in {source_path} (transcriptome-wide caller)")
    )
    return evidence


def read_fusions(
    path: str | Path,
    fmt: str | None,
    genes: Sequence[str],
    roles: Mapping[str, str],
    require_in_frame: bool,
    patient: str | None = None,
    *,
    models: GeneModels | None = None,
    kinase_rules: Mapping[str, KinaseRule] | None = None,
    other_models: GeneModels | None = None,
) -> Evidence:
    """Read a fusion file and build the evidence for the target genes.

    With ``other_models`` (the other build's models) the file's build is checked
    (:func:`check_fusion_build`): calls that fit only the other build stop the patient.

    Parameters
    ----------
    path
        The caller's output.
    fmt
        One of :data:`FUSION_FORMATS`, or ``None``/``"auto"`` to detect it from the header.
    genes, roles, require_in_frame, models, kinase_rules
        As for :func:`fusion_evidence` (``models`` are required for a breakend VCF).
    patient
        For error messages.

    Returns
    -------
    Evidence
        With ``inputs = {path: sha256}``.

    Raises
    ------
    InputError
        Unknown format or bad file content.
    """
    used, fusions = read_fusion_file(
        path, fmt, patient=patient, models=models, targets=genes, other_models=other_models
    )
    if models is not None and other_models is not None and used != "bnd-vcf":
        check_fusion_build(fusions, models, other_models, path=path, patient=patient)
    evidence = fusion_evidence(
        fusions,
        genes,
        source_path=str(path),
        require_in_frame=require_in_frame,
        roles=roles,
        models=models,
        kinase_rules=kinase_rules,
    )
    evidence.inputs[str(path)] = sha256_file(path)
    return evidence
