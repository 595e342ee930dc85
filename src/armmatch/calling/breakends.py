"""Fusions from breakend junctions: the genes at each side and their 5'/3' roles.

:mod:`armmatch.readers.bnd_vcf` pairs the records into junctions; here each junction's breakends
are placed in the bundled gene models and the kept side of each breakend, with the gene's
strand, says which partner is 5' (:func:`transcript_role`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from armmatch.knowledge.transcripts import GeneModel, GeneModels
from armmatch.readers.bnd_vcf import (
    Breakend,
    Junction,
    Side,
    pair_junctions,
    read_bnd_records,
)
from armmatch.readers.fusion_table import Fusion, normalise_frame, partner_name


def transcript_role(strand: str, kept: Side) -> Literal["5prime", "3prime"]:
    """Which part of a gene a kept side holds: its 5' part (``+`` and left, ``-`` and right).

    Examples
    --------
    >>> transcript_role("+", "left"), transcript_role("-", "left")
    ('5prime', '3prime')
    """
    return "5prime" if (strand == "+") == (kept == "left") else "3prime"


def _gene_at(
    models: GeneModels, end: Breakend, targets: Sequence[str]
) -> tuple[GeneModel | None, list[str]]:
    """The bundled gene at a breakend (targets first) and every gene there."""
    found = models.at(end.chrom, end.pos1)
    names = [m.gene for m in found]
    preferred = sorted(found, key=lambda m: (m.gene not in targets, m.tx_start0, m.gene))
    return (preferred[0] if preferred else None), names


def _junction_fusion(
    j: Junction, models: GeneModels, targets: Sequence[str], caller: str
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
            gene5=partner_name(j.info.get("GENE5", "")),
            gene3=partner_name(j.info.get("GENE3", "")),
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
    >>> from armmatch.knowledge.transcripts import GeneModels
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "x.vcf")
    >>> _ = open(p, "w").write("##fileformat=VCFv4.2\\n#CHROM\\tPOS\\tID\\tREF\\tALT\\tQUAL\\t"
    ...                        "FILTER\\tINFO\\n1\\t10\\tb1\\tN\\tN[2:20[\\t.\\tPASS\\tSVTYPE=BND\\n")
    >>> read_bnd_vcf(p, models=GeneModels("GRCh38", "none", {}))
    []
    """
    records = read_bnd_records(path, patient)
    fc = any("GENE5" in r.info for r in records)
    caller = "FusionCatcher (VCF)" if fc else "BND VCF"
    out = []
    for j in pair_junctions(records, path, patient):
        fusion = _junction_fusion(j, models, targets, caller)
        if fusion is not None:
            out.append(fusion)
    return out
