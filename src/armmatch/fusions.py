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
``generic``
    A hand-made table with columns ``gene5``, ``gene3`` and optionally ``breakpoint5``,
    ``breakpoint3``, ``frame``, ``split_reads`` (no other columns).

Breakpoints are kept as the caller's text (``chrom:pos`` 1-based, FusionCatcher adds
``:strand``); they are provenance, not used for matching.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from armmatch.errors import InputError
from armmatch.events import Event, EventStatus, Evidence, SourceRecord, assessed
from armmatch.io import open_text, sha256_file

Frame = Literal["in-frame", "out-of-frame", "unknown"]
"""``in-frame``: the caller predicts an in-frame coding junction; ``out-of-frame``: it predicts
no in-frame chimeric protein (frameshift, stop codon before the junction, or a junction outside
the coding sequence such as FusionCatcher's ``CDS(truncated)/intronic``); ``unknown``: no
prediction."""

Role = Literal["3prime", "5prime", "any"]

FUSION_FORMATS: tuple[str, ...] = ("arriba", "fusioncatcher", "pcgr", "generic")
"""Fusion formats :func:`read_fusion_file` accepts."""

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
    rows: list[tuple[int, list[str]]] = []
    try:
        with open_text(path, patient=patient) as fh:
            for number, raw in enumerate(fh, start=1):
                text = raw.rstrip("\r\n")
                if not text.strip():
                    continue
                if rows and text.startswith("#"):
                    continue
                if not rows:
                    text = text.lstrip("#")
                rows.append((number, text.split("\t")))
                if header_only:
                    break
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not a UTF-8 text file ({exc.reason})", path=path, patient=patient
        ) from exc
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
        columns = {name.strip(): i for i, name in enumerate(header)}
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


def detect_fusion_format(path: str | Path, *, patient: str | None = None) -> str:
    """Tell the fusion format from the header line.

    Returns
    -------
    str
        ``arriba`` (``gene1 gene2 ... breakpoint1``), ``fusioncatcher``
        (``Gene_1_symbol(5end_fusion_partner)``), ``pcgr`` (``FusionGene``) or ``generic``
        (``gene5 gene3``).

    Raises
    ------
    InputError
        When the header fits none of them (a VCF is named as such: BND VCFs are not read yet);
        the message lists the accepted formats.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "f.tsv")
    >>> _ = open(p, "w").write("FusionGene\\tSplitReads\\n")
    >>> detect_fusion_format(p)
    'pcgr'
    """
    (line, header), *_ = _rows(path, patient, header_only=True)
    names = {h.strip() for h in header}
    if {"gene1", "gene2", "breakpoint1", "breakpoint2"} <= names:
        return "arriba"
    if _FC_GENE5 in names and _FC_GENE3 in names:
        return "fusioncatcher"
    if "FusionGene" in names:
        return "pcgr"
    if {"gene5", "gene3"} <= names:
        return "generic"
    first = "\t".join(header)
    hint = (
        " (this looks like a VCF; BND VCF fusion input is not supported yet)"
        if (first.startswith("#fileformat=VCF") or first.startswith("fileformat=VCF"))
        else ""
    )
    raise InputError(
        f"cannot tell the fusion format from the header{hint}; accepted: arriba (#gene1, gene2, "
        "breakpoint1, breakpoint2, ...), fusioncatcher (Gene_1_symbol(5end_fusion_partner), "
        "...), pcgr (FusionGene = GENE5--GENE3, ...) or generic (gene5, gene3[, breakpoint5, "
        "breakpoint3, frame, split_reads])",
        path=path,
        line=line,
        patient=patient,
    )


_READERS: dict[str, Callable[..., list[Fusion]]] = {
    "arriba": read_arriba,
    "fusioncatcher": read_fusioncatcher,
    "pcgr": read_pcgr_fusions,
    "generic": read_generic_fusions,
}


def read_fusion_file(
    path: str | Path, fmt: str | None = None, *, patient: str | None = None
) -> tuple[str, list[Fusion]]:
    """Read a fusion file in ``fmt`` (detected from the header when ``None``/``"auto"``).

    Returns
    -------
    tuple[str, list[Fusion]]
        The format used and the fusions, in file order.

    Raises
    ------
    InputError
        Unknown ``fmt`` (the message lists :data:`FUSION_FORMATS`) or bad file content.
    """
    used = detect_fusion_format(path, patient=patient) if fmt in (None, "auto") else str(fmt)
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
    gene: str, fusion: Fusion, required: str, require_in_frame: bool
) -> tuple[EventStatus, list[str], list[str]]:
    """Status, reasons and notes for one target gene in one fusion."""
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
    gene: str, fusion: Fusion, source_path: str, required: str, require_in_frame: bool
) -> Event:
    status, reasons, notes = _status(gene, fusion, required, require_in_frame)
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
) -> Evidence:
    """Events for every fusion that involves a target gene, and an assessment per gene.

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
    for fusion in fusions:
        involved = {fusion.gene5, fusion.gene3, *fusion.near5, *fusion.near3}
        for gene in targets:
            if gene in involved:
                required = roles.get(gene, "any")
                evidence.events.append(
                    _fusion_event(gene, fusion, source_path, required, require_in_frame)
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
) -> Evidence:
    """Read a fusion file and build the evidence for the target genes.

    Parameters
    ----------
    path
        The caller's output.
    fmt
        One of :data:`FUSION_FORMATS`, or ``None``/``"auto"`` to detect it from the header.
    genes, roles, require_in_frame
        As for :func:`fusion_evidence`.
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
    _, fusions = read_fusion_file(path, fmt, patient=patient)
    evidence = fusion_evidence(
        fusions, genes, source_path=str(path), require_in_frame=require_in_frame, roles=roles
    )
    evidence.inputs[str(path)] = sha256_file(path)
    return evidence
