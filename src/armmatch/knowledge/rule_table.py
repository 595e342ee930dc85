"""The rule table (``resources/actionable_targets.tsv``): loading and validation.

Arms, drugs, doses, genes, criteria and priorities are data. This module knows the criterion
*grammar* (``key=value;key=value``); matching events against it is
:mod:`armmatch.decision.rules`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from armmatch.errors import RuleTableError
from armmatch.io import sha256_file
from armmatch.schemas import load_schema, schema_errors

REACH_MARGIN = 10
"""Intronic variants up to this many bases beyond a rule's ``offset`` window are still listed
(shown, not counted), so that a board sees the near misses."""

ArmType = Literal["targeted", "immunotherapy", "combination", "exclusion"]

COLUMNS = (
    "rule_id", "arm_id", "arm_type", "drug", "dose", "gene", "category", "criterion",
    "alteration_label", "priority", "source", "note",
)  # fmt: skip

VARIANT_CLASSES = frozenset(
    {
        "missense", "synonymous", "stop_gained", "frameshift", "inframe_deletion",
        "inframe_insertion", "inframe_delins", "splice_donor", "splice_acceptor",
        "splice_region", "start_lost", "stop_lost", "exon_deletion", "exon_boundary_deletion",
        "intronic_deletion", "intron", "utr", "upstream", "downstream", "other",
    }
)  # fmt: skip

MUTATION_KEYS = frozenset(
    {"protein", "codon", "exon", "intron", "class", "pathogenic", "near_exon", "offset",
     "protein_change", "review", "classification"}
)  # fmt: skip
ALLOWED_KEYS: dict[str, frozenset[str]] = {
    "mutation": MUTATION_KEYS,
    "cnv": frozenset({"call"}),
    "fusion": frozenset({"role"}),
    "ihc": frozenset({"her2_ihc", "her2_ish"}),
    "none": frozenset({"no_actionable"}),
    "resistance": frozenset({"after"}),
}
_KEY_VALUES: dict[str, frozenset[str]] = {
    "call": frozenset({"amplification", "homozygous_deletion"}),
    "role": frozenset({"3prime", "5prime", "any"}),
    "her2_ihc": frozenset({"0", "1+", "2+", "3+"}),
    "her2_ish": frozenset({"positive", "negative"}),
    "no_actionable": frozenset({"yes"}),
    "pathogenic": frozenset({"yes"}),
    "classification": frozenset(
        {
            "pathogenic",
            "benign",
            "uncertain",
            "review",
            "lof",
            "lof_review",
            "lof_no",
            "unclassified",
        }
    ),  # fmt: skip
    "protein_change": frozenset({"absent"}),
    "review": frozenset({"yes"}),
}
_OFFSETS = re.compile(r"-?\d+\.\.-?\d+(,-?\d+\.\.-?\d+)*")


def parse_offsets(text: str) -> tuple[tuple[int, int], ...]:
    """``-20..-3,3..20`` -> ((-20, -3), (3, 20)): inclusive ranges of signed intronic offsets.

    >>> parse_offsets("-50..-1")
    ((-50, -1),)
    """
    out = []
    for part in text.split(","):
        lo, hi = part.split("..")
        out.append((int(lo), int(hi)))
    return tuple(out)


@dataclass(frozen=True)
class Rule:
    """One row of the rule table."""

    rule_id: str
    arm_id: str
    arm_type: ArmType
    drug: str
    dose: str
    gene: str
    category: str
    criterion: Mapping[str, str]
    alteration_label: str
    priority: int
    source: str
    note: str
    line: int

    def criterion_text(self) -> str:
        """The criterion as the table writes it (``exon=19;class=inframe_deletion``)."""
        return self._criterion_text

    @cached_property
    def _criterion_text(self) -> str:  # a rule is decided for every patient of a job
        return ";".join(f"{k}={v}" for k, v in self.criterion.items())

    @property
    def review(self) -> bool:
        """A review rule (``review=yes``): an event it matches is shown as indeterminate for
        the board (e.g. a BRCA1/2 splice-region variant of uncertain significance), never
        counted, unless another rule of the table fires on it."""
        return self.criterion.get("review") == "yes"


@dataclass(frozen=True)
class Arm:
    """An arm (or exclusion group) and its rules, as derived from the rule table."""

    arm_id: str
    arm_type: ArmType
    drug: str
    priority: int
    rules: tuple[Rule, ...]

    @property
    def genes(self) -> tuple[str, ...]:
        return tuple(sorted({r.gene for r in self.rules if r.gene != "-"}))

    @property
    def doses(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.dose for r in self.rules))


@dataclass(frozen=True)
class RuleSet:
    """The validated rule table with its version and checksum."""

    path: str
    version: str
    sha256: str
    rules: tuple[Rule, ...]

    @cached_property
    def arms(self) -> tuple[Arm, ...]:
        """Arms in rule-table order of first appearance (made once: the set is immutable and
        decided against for every patient of a job)."""
        by_arm: dict[str, list[Rule]] = {}
        for rule in self.rules:
            by_arm.setdefault(rule.arm_id, []).append(rule)
        return tuple(
            Arm(a, rs[0].arm_type, rs[0].drug, min(r.priority for r in rs), tuple(rs))
            for a, rs in by_arm.items()
        )

    def assignable_arms(self) -> tuple[str, ...]:
        """The arm ids an ``arm_override`` may name: every arm but the exclusion groups."""
        return tuple(a.arm_id for a in self.arms if a.arm_type != "exclusion")

    def override_problem(self, arm_id: str) -> str | None:
        """Why ``arm_id`` cannot be a sheet's ``arm_override``, or None when it can.

        The one check (and message) used by the workflow's parse, ``armmatch validate`` and the
        patient job.
        """
        arms = self.assignable_arms()
        if arm_id in arms:
            return None
        group = " (an exclusion group)" if any(a.arm_id == arm_id for a in self.arms) else ""
        return (f"arm_override {arm_id!r} is not an arm a patient can be assigned to{group} "
                f"(valid arm ids: {', '.join(sorted(arms))})")  # fmt: skip

    def arm(self, arm_id: str) -> Arm:
        for arm in self.arms:
            if arm.arm_id == arm_id:
                return arm
        raise KeyError(arm_id)

    def genes(self, category: str | None = None) -> tuple[str, ...]:
        """Genes named by rules (optionally of one category), sorted."""
        return self._genes.get(category, ())

    @cached_property
    def _genes(self) -> dict[str | None, tuple[str, ...]]:
        """:meth:`genes` of every category (None: all), made once per rule set."""
        by: dict[str | None, set[str]] = {}
        for r in self.rules:
            if r.gene != "-":
                by.setdefault(None, set()).add(r.gene)
                by.setdefault(r.category, set()).add(r.gene)
        return {key: tuple(sorted(genes)) for key, genes in by.items()}

    def intronic_reach(self) -> dict[str, int]:
        """How far into an intron the classifier must report changes, per gene: the widest
        ``offset`` window of the gene's rules plus :data:`REACH_MARGIN`, so that a variant
        just outside a window is shown (not counted); genes without windows are absent."""
        out: dict[str, int] = {}
        for r in self.rules:
            if "offset" in r.criterion:
                widest = max(abs(x) for pair in parse_offsets(r.criterion["offset"]) for x in pair)
                out[r.gene] = max(out.get(r.gene, 0), widest + REACH_MARGIN)
        return out

    def fusion_roles(self) -> dict[str, str]:
        """The partner role each fusion gene must have (``3prime``, ``5prime`` or ``any``)."""
        return {r.gene: r.criterion["role"] for r in self.rules if r.category == "fusion"}


def parse_criterion(text: str, category: str, *, path: str, line: int) -> dict[str, str]:
    """Parse ``key=value;key=value`` and check the keys and values allowed for ``category``.

    Raises
    ------
    RuleTableError
        Naming the file and line, the bad key or value and the valid set.
    """
    out: dict[str, str] = {}
    for part in text.split(";"):
        key, sep, value = part.partition("=")
        if not sep or not key or not value:
            raise RuleTableError(f"criterion part {part!r} is not key=value", path=path, line=line)
        allowed = ALLOWED_KEYS.get(category, frozenset())
        if key not in allowed:
            raise RuleTableError(
                f"criterion key {key!r} is not valid for category {category!r} "
                f"(valid: {', '.join(sorted(allowed)) or 'none'})",
                path=path,
                line=line,
            )
        if key == "classification":
            bad = sorted(set(value.split(",")) - _KEY_VALUES[key])
            if bad:
                raise RuleTableError(
                    f"criterion classification={value!r}: {', '.join(bad)} is not one of "
                    f"{', '.join(sorted(_KEY_VALUES[key]))}",
                    path=path,
                    line=line,
                )
        elif key in _KEY_VALUES and value not in _KEY_VALUES[key]:
            raise RuleTableError(
                f"criterion {key}={value!r} is not one of {', '.join(sorted(_KEY_VALUES[key]))}",
                path=path,
                line=line,
            )
        if key == "class":
            bad = sorted(set(value.split(",")) - VARIANT_CLASSES)
            if bad:
                raise RuleTableError(
                    f"unknown variant class(es) {', '.join(bad)} "
                    f"(valid: {', '.join(sorted(VARIANT_CLASSES))})",
                    path=path,
                    line=line,
                )
        if key == "offset" and not _OFFSETS.fullmatch(value):
            raise RuleTableError(
                f"offset must be signed ranges like -50..-1 or -20..-3,3..20, got {value!r}",
                path=path,
                line=line,
            )
        if key in ("exon", "intron", "near_exon") and not re.fullmatch(r"\d+(,\d+)*", value):
            raise RuleTableError(
                f"{key} must be numbers joined by ',', got {value!r}", path=path, line=line
            )
        if key == "codon" and not re.fullmatch(r"[A-Z]\d+", value):
            raise RuleTableError(f"codon must look like V600, got {value!r}", path=path, line=line)
        if key == "protein" and not re.fullmatch(r"[A-Z]\d+[A-Z*X]", value):
            raise RuleTableError(
                f"protein must be a one-letter substitution like L858R, got {value!r}",
                path=path,
                line=line,
            )
        if key in out:
            raise RuleTableError(f"criterion key {key!r} given twice", path=path, line=line)
        out[key] = value
    if category == "mutation" and not (
        {"protein", "codon", "exon", "intron", "class", "near_exon", "offset"} & out.keys()
        or out.get("classification") in ("pathogenic", "review")
    ):
        raise RuleTableError(
            "a mutation criterion needs protein, codon, exon, intron, near_exon, offset or "
            "class (or is classification=pathogenic or classification=review alone)",
            path=path,
            line=line,
        )
    return out


def load_rules(path: str | Path, *, known_genes: Iterable[str] | None = None) -> RuleSet:
    """Read and validate the rule table.

    Parameters
    ----------
    path
        The TSV; ``#`` lines are comments and must include ``# rule_set_version: <version>``.
    known_genes
        When given, every rule gene must be one of these (the bundled transcript models).

    Raises
    ------
    RuleTableError
        Naming the line and the problem: schema violation, bad criterion, duplicate rule id,
        an arm whose rows disagree on type or drug, an unknown gene, a combination arm that
        refers to a missing arm.
    """
    spath = str(path)
    p = Path(path)
    if not p.is_file():
        raise RuleTableError("rule table does not exist", path=spath)
    version: str | None = None
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    with open(p, encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, start=1):
            text = raw.rstrip("\n").rstrip("\r")
            if text.startswith("#"):
                m = re.match(r"#\s*rule_set_version:\s*(\S+)", text)
                if m:
                    version = m.group(1)
                continue
            if not text.strip():
                continue
            fields = next(csv.reader([text], delimiter="\t", quoting=csv.QUOTE_NONE))
            if header is None:
                header = fields
                missing = [c for c in COLUMNS if c not in header]
                unknown = [c for c in header if c not in COLUMNS]
                if missing or unknown:
                    raise RuleTableError(
                        f"header must be exactly {', '.join(COLUMNS)}"
                        + (f"; missing {', '.join(missing)}" if missing else "")
                        + (f"; unknown {', '.join(unknown)}" if unknown else ""),
                        path=spath,
                        line=lineno,
                    )
                continue
            rows.append((lineno, fields))
    if header is None:
        raise RuleTableError("no header row", path=spath)
    if version is None:
        raise RuleTableError("missing '# rule_set_version: <version>' comment line", path=spath)
    schema = load_schema("actionable_targets")
    genes_ok = set(known_genes) if known_genes is not None else None
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for lineno, fields in rows:
        if len(fields) != len(header):
            raise RuleTableError(
                f"expected {len(header)} tab-separated fields, found {len(fields)}",
                path=spath,
                line=lineno,
            )
        rec: dict[str, object] = dict(zip(header, fields, strict=True))
        try:
            rec["priority"] = int(str(rec["priority"]))
        except ValueError:
            raise RuleTableError(
                f"priority must be a whole number, got {rec['priority']!r}", path=spath, line=lineno
            ) from None
        errors = schema_errors(rec, schema, fill_defaults=False)
        if errors:
            raise RuleTableError("; ".join(errors), path=spath, line=lineno)
        rule_id = str(rec["rule_id"])
        if rule_id in seen:
            raise RuleTableError(
                f"duplicate rule_id {rule_id!r} (first on line {seen[rule_id]})",
                path=spath,
                line=lineno,
            )
        seen[rule_id] = lineno
        gene = str(rec["gene"])
        if genes_ok is not None and gene != "-" and gene not in genes_ok:
            raise RuleTableError(
                f"unknown gene {gene!r}: not in the bundled transcript models",
                path=spath,
                line=lineno,
            )
        category = str(rec["category"])
        criterion = parse_criterion(str(rec["criterion"]), category, path=spath, line=lineno)
        rules.append(
            Rule(
                rule_id=rule_id,
                arm_id=str(rec["arm_id"]),
                arm_type=rec["arm_type"],  # type: ignore[arg-type]
                drug=str(rec["drug"]),
                dose=str(rec["dose"]),
                gene=gene,
                category=category,
                criterion=criterion,
                alteration_label=str(rec["alteration_label"]),
                priority=int(str(rec["priority"])),
                source=str(rec["source"]),
                note=str(rec["note"]),
                line=lineno,
            )
        )
    _check_arms(rules, spath)
    return RuleSet(path=spath, version=version, sha256=sha256_file(p), rules=tuple(rules))


def _check_arms(rules: Sequence[Rule], path: str) -> None:
    first: dict[str, Rule] = {}
    for rule in rules:
        ref = first.setdefault(rule.arm_id, rule)
        for attr in ("arm_type", "drug", "priority"):
            if getattr(rule, attr) != getattr(ref, attr):
                raise RuleTableError(
                    f"arm {rule.arm_id!r} has {attr} {getattr(rule, attr)!r} here but "
                    f"{getattr(ref, attr)!r} on line {ref.line}: one arm, one {attr}",
                    path=path,
                    line=rule.line,
                )
        if rule.category == "resistance" and rule.criterion["after"] not in {
            r.arm_id for r in rules
        }:
            raise RuleTableError(
                f"combination rule refers to unknown arm {rule.criterion['after']!r}",
                path=path,
                line=rule.line,
            )
        if rule.arm_type in ("targeted", "exclusion") and rule.gene == "-":
            raise RuleTableError(f"a {rule.arm_type} rule needs a gene", path=path, line=rule.line)
    if not any(r.arm_type == "immunotherapy" for r in rules):
        raise RuleTableError("no immunotherapy (PD-1) arm defined", path=path)
