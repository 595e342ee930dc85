"""Fusion evidence of one patient: caller outputs turned into evidence for the target genes.

When the bundled gene models are given (:func:`read_fusions`), each breakpoint is checked
against them: a breakpoint inside a bundled gene counts as that gene, and a caller's name that
disagrees is said in the notes (:func:`assign_genes`); for ALK and ROS1 the exon of the 3'
breakpoint decides whether the kinase domain is retained (:func:`kinase_check`, rules in
``resources/kinase_domains.tsv``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from armmatch.calling.breakends import read_bnd_vcf
from armmatch.calling.builds import check_fusion_build
from armmatch.config import FusionSupport
from armmatch.errors import InputError
from armmatch.events import Event, EventStatus, Evidence, SourceRecord, assessed
from armmatch.genome import normalise_chrom
from armmatch.io import sha256_file
from armmatch.knowledge.kinase_domains import KinaseRule
from armmatch.knowledge.transcripts import GeneModel, GeneModels
from armmatch.readers.fusion_formats import (
    FUSION_TABLE_READERS,
    check_structural_vcf,
    detect_fusion_format,
)
from armmatch.readers.fusion_table import FUSION_FORMATS, Fusion, parse_breakpoint
from armmatch.readers.vcf import check_vcf_header_build

"""``in-frame``: the caller predicts an in-frame coding junction; ``out-of-frame``: it predicts
no in-frame chimeric protein (frameshift, stop codon before the junction, or a junction outside
the coding sequence such as FusionCatcher's ``CDS(truncated)/intronic``); ``unknown``: no
prediction."""
"""Fusion formats :func:`read_fusion_file` accepts."""
"""STAR-Fusion's ``PROT_FUSION_TYPE`` ``INFRAME``/``FRAMESHIFT`` match case-insensitively."""
"""Which side of a breakend position is kept in the rearranged molecule: ``left`` = the bases
at and before the position, ``right`` = the bases at and after it."""


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
    >>> from armmatch.knowledge.transcripts import GeneModels
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


"""The bundled rule table (``gene transcript max_first_exon source``)."""


def first_retained_exon(model: GeneModel, pos1: int) -> int | None:
    """The first exon of ``model`` present downstream of a 3'-partner breakpoint at ``pos1``.

    The exon containing the breakpoint, or the exon after an intronic breakpoint; 1 upstream
    of the transcript; None downstream of it (nothing of the gene retained).

    Examples
    --------
    >>> from armmatch.knowledge.transcripts import Exon, GeneModel
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


"""A breakpoint this close to a gene's transcript span still fits it (promoter, UTR ends)."""


def window_problem(
    fusion: Fusion, gene: str, models: GeneModels | None, rules: Mapping[str, KinaseRule]
) -> str | None:
    """Why the 3' breakpoint is before ``gene``'s window of oncogenic fusions (the fusion keeps
    most of the receptor), or None (in the window, after it: the kinase check says, or not
    checkable)."""
    rule = rules.get(gene)
    model = models.get(gene) if models is not None else None
    where = parse_breakpoint(fusion.breakpoint3)
    if rule is None or model is None or where is None or fusion.gene3 != gene:
        return None
    if model.refseq_accession != rule.transcript.split(".")[0]:
        return None
    if normalise_chrom(where[0]) != model.chrom:
        return None
    first = first_retained_exon(model, where[1])
    if first is None or first >= rule.min_first_exon:
        return None
    return (
        f"needs review: the fusion keeps {gene} from exon {first}, before the exons "
        f"{rule.min_first_exon}-{rule.max_first_exon} where oncogenic {gene} fusions join "
        f"(resources/kinase_domains.tsv)"
    )


_NONCODING_PARTNER = re.compile(
    r"^(LINC\d+|LOC\d+|MIR\d+HG|SNHG\d+|[A-Z]{1,2}\d{6}\.\d+|RP\d+-.+|CT[ABCD]-.+)$"
    r"|-(AS|IT|OT)\d*$|-DT$"
)
"""Names of antisense, intronic, overlapping and long non-coding transcripts (HGNC's -AS1, -DT,
-IT1, -OT1, LINC, MIRnHG, SNHG; clone-based names such as AC016907.3, RP11-...)."""
READTHROUGH_BP = 200_000
"""Breakpoints on one chromosome closer than this: a neighbouring gene's (readthrough) transcript."""


def partner_problem(fusion: Fusion, gene: str) -> str | None:
    """Why ``gene``'s partner makes the fusion implausible as a kinase fusion (a non-coding or
    antisense transcript, a readthrough of a neighbouring gene), or None."""
    partner = fusion.gene5 if fusion.gene3 == gene else fusion.gene3
    if partner is None:
        return None  # an intergenic side: the rules on the named gene decide
    if _NONCODING_PARTNER.search(partner):
        return (
            f"needs review: the partner {partner} is a non-coding or antisense transcript, not "
            "a protein-coding fusion partner"
        )
    if fusion.partner_class and fusion.partner_class.lower() in ("readthrough", "senseantisense"):
        return f"needs review: the caller classes {fusion.name} as {fusion.partner_class}"
    p5, p3 = parse_breakpoint(fusion.breakpoint5), parse_breakpoint(fusion.breakpoint3)
    same = p5 is not None and p3 is not None and normalise_chrom(p5[0]) == normalise_chrom(p3[0])
    if same and p5 is not None and p3 is not None and abs(p5[1] - p3[1]) < READTHROUGH_BP:
        return (
            f"needs review: the breakpoints are {abs(p5[1] - p3[1]):,} bases apart on one "
            f"chromosome: {partner} may be a neighbouring gene's readthrough transcript"
        )
    return None


_GRADE = {"low": 0, "medium": 1, "high": 2}


def _grade(text: str | None) -> int | None:
    """A caller's own grade on low < medium < high (Arriba ``high``, JAFFA
    ``HighConfidence``, pbfusion ``HIGH``), None when it gives none."""
    if not text:
        return None
    word = text.strip().lower().removesuffix("confidence")
    return _GRADE.get(word)


def support_problem(fusion: Fusion, need: FusionSupport) -> tuple[str | None, str | None]:
    """``(problem, note)``: why the call's support is below ``fusions.min_support`` (None when
    it is not), and a note when the caller reports no support at all."""
    problems = []
    if fusion.long_reads is not None and fusion.long_reads < need.long_reads:
        problems.append(f"{fusion.long_reads} supporting long read(s), minimum {need.long_reads}")
    if fusion.split_reads is not None:
        total = fusion.split_reads + (fusion.spanning or 0)
        if fusion.split_reads < need.junction_reads:
            problems.append(
                f"{fusion.split_reads} split/junction read(s), minimum {need.junction_reads}"
            )
        if total < need.total_reads:
            problems.append(
                f"{total} supporting read(s) and pairs in all, minimum {need.total_reads}"
            )
    grade = _grade(fusion.confidence)
    if grade is not None and grade < _GRADE[need.caller_confidence]:
        problems.append(
            f"{fusion.caller} grades it {fusion.confidence}, minimum {need.caller_confidence}"
        )
    if fusion.ffpm is not None and fusion.ffpm < need.star_fusion_ffpm:
        problems.append(f"FFPM {fusion.ffpm:g}, minimum {need.star_fusion_ffpm:g}")
    if problems:
        return "indeterminate: low support (" + "; ".join(problems) + "; fusions.min_support)", None
    if fusion.split_reads is None and fusion.long_reads is None and fusion.spanning is None:
        return None, "support not reported by the caller: fusions.min_support not applied"
    return None, None


@dataclass(frozen=True)
class FusionChecks:
    """What the evidence of one fusion for one gene rests on, besides its role and frame."""

    kinase: tuple[bool | None, str] | None = None
    review: tuple[str, ...] = ()
    """Reasons the call is for review (low support, a breakpoint before the window, a
    non-coding or readthrough partner): it neither counts nor clears an exclusion."""
    notes: tuple[str, ...] = ()


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
    if used not in FUSION_TABLE_READERS:
        raise InputError(
            f"unknown fusion format {used!r}; accepted: {', '.join(FUSION_FORMATS)} or auto",
            path=path,
            patient=patient,
        )
    return used, FUSION_TABLE_READERS[used](path, patient=patient)


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
    checks: FusionChecks | None = None,
) -> tuple[EventStatus, list[str], list[str]]:
    """Status, reasons and notes for one target gene in one fusion.

    ``checks.kinase`` is the :func:`kinase_check` result for a 3'-partner gene with a rule:
    False filters the event, None (not checked) and True are notes; ``checks.review`` makes a
    call that would count (or exclude) ``indeterminate``.
    """
    checks = checks or FusionChecks()
    kinase = checks.kinase
    reasons: list[str] = []
    notes: list[str] = list(checks.notes)
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
    if checks.review:
        return "indeterminate", list(checks.review), notes
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
    checks: FusionChecks | None = None,
) -> Event:
    status, reasons, notes = _status(gene, fusion, required, require_in_frame, checks)
    notes.extend(fusion.notes)
    if fusion.caller_effect:
        notes.append(f"{fusion.caller or 'caller'} effect: {fusion.caller_effect}")
    support = [
        f"{what}: {n}" for what, n in (("split/junction reads", fusion.split_reads),
                                       ("spanning pairs/fragments", fusion.spanning),
                                       ("long reads", fusion.long_reads)) if n is not None
    ]  # fmt: skip
    if fusion.confidence:
        support.append(f"{fusion.caller} grade: {fusion.confidence}")
    if fusion.ffpm is not None:
        support.append(f"FFPM: {fusion.ffpm:g}")
    if support:
        notes.append("supporting evidence: " + ", ".join(support))
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
    support: FusionSupport | None = None,
) -> Evidence:
    """Events for every fusion that involves a target gene, and an assessment per gene.

    With ``support`` (``fusions.min_support``) a call below the minimum is ``indeterminate:
    low support``; with ``kinase_rules`` a 3' kinase gene whose breakpoint lies before its
    window of oncogenic fusions, or whose partner is a non-coding, antisense or readthrough
    transcript, is for review; an exclusion gene with a rule that is the 5' partner (its
    kinase domain not in the fusion) is for review too (it cannot confirm the exclusion).

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
        problem, note = support_problem(fusion, support) if support else (None, None)
        for gene in targets:
            if gene in involved:
                required = roles.get(gene, "any")
                checks = _checks(fusion, gene, required, models, kinase_rules or {})
                checks = replace(checks, review=(*((problem,) if problem else ()), *checks.review),
                                 notes=(note,) if note else ())  # fmt: skip
                evidence.events.append(
                    _fusion_event(gene, fusion, source_path, required, require_in_frame, checks)
                )
    evidence.assessments.extend(
        assessed(targets, "fusion", f"fusion calls in {source_path} (transcriptome-wide caller)")
    )
    return evidence


def _checks(
    fusion: Fusion,
    gene: str,
    required: str,
    models: GeneModels | None,
    rules: Mapping[str, KinaseRule],
) -> FusionChecks:
    """The kinase-domain check and the review reasons of ``gene`` in ``fusion``."""
    if gene not in rules or gene not in (fusion.gene5, fusion.gene3):
        return FusionChecks()
    if fusion.gene3 != gene:
        if required == "any" and fusion.gene5 == gene and fusion.gene3 is not None:
            return FusionChecks(review=(
                f"needs review: {gene} is the 5' partner of {fusion.name}: its kinase domain "
                f"(3' part) is not in the fusion, unlike the oncogenic {gene} fusions",
            ))  # fmt: skip
        return FusionChecks()
    review = tuple(r for r in (window_problem(fusion, gene, models, rules),
                               partner_problem(fusion, gene)) if r)  # fmt: skip
    return FusionChecks(kinase=kinase_check(fusion, gene, models, rules), review=review)


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
    support: FusionSupport | None = None,
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
        support=support,
    )
    evidence.inputs[str(path)] = sha256_file(path)
    return evidence
