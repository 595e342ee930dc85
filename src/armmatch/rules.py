"""The rule table (``resources/actionable_targets.tsv``): loading, validation and matching.

Arms, drugs, doses, genes, criteria and priorities are data. This module only knows the
criterion *grammar* (``key=value;key=value``) and how each key is compared with an event.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from armmatch.errors import RuleTableError
from armmatch.events import Event
from armmatch.hgvs import ProteinChange, matches_protein, parse_protein_change
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
     "protein_change", "review"}
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

    @property
    def arms(self) -> tuple[Arm, ...]:
        """Arms in rule-table order of first appearance."""
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

    def arm(self, arm_id: str) -> Arm:
        for arm in self.arms:
            if arm.arm_id == arm_id:
                return arm
        raise KeyError(arm_id)

    def genes(self, category: str | None = None) -> tuple[str, ...]:
        """Genes named by rules (optionally of one category), sorted."""
        return tuple(
            sorted(
                {
                    r.gene
                    for r in self.rules
                    if r.gene != "-" and (category is None or r.category == category)
                }
            )
        )

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
        if key in _KEY_VALUES and value not in _KEY_VALUES[key]:
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
    ):
        raise RuleTableError(
            "a mutation criterion needs protein, codon, exon, intron, near_exon, offset or class",
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


# --------------------------------------------------------------------------------------------
# matching
# --------------------------------------------------------------------------------------------


def event_protein(event: Event) -> ProteinChange | None:
    """The event's parsed protein change, or None when absent or unreadable."""
    if not event.hgvsp:
        return None
    try:
        return parse_protein_change(event.hgvsp)
    except ValueError:
        return None


def _mutation_matches(rule: Rule, event: Event) -> bool:
    crit = rule.criterion
    classes = set(event.variant_class.split("&")) if event.variant_class else set()
    if "class" in crit and not classes & set(crit["class"].split(",")):
        return False
    if "exon" in crit and (event.exon is None or str(event.exon) not in crit["exon"].split(",")):
        return False
    if "intron" in crit and (
        event.intron is None or str(event.intron) not in crit["intron"].split(",")
    ):
        return False
    if "near_exon" in crit and (
        # touches an intron base whose nearest exon boundary is this exon's (exonic bases are
        # the exon key's)
        event.splice_exon is None or str(event.splice_exon) not in crit["near_exon"].split(",")
    ):
        return False
    if "offset" in crit and (
        event.splice_offset is None
        or not any(lo <= event.splice_offset <= hi for lo, hi in parse_offsets(crit["offset"]))
    ):
        return False
    if crit.get("protein_change") == "absent" and event_protein(event) is not None:
        return False
    if "protein" in crit or "codon" in crit:
        change = event_protein(event)
        if change is None:
            return False
        if "protein" in crit and not matches_protein(change, crit["protein"]):
            return False
        if "codon" in crit:
            aa, pos = crit["codon"][0], int(crit["codon"][1:])
            at_start = change.start_pos == pos and change.start_aa == aa
            at_end = change.end_pos == pos and change.end_aa == aa
            if not (at_start or at_end) or change.kind in ("synonymous", "unknown"):
                return False
    # "pathogenic=yes": the event is on the pathogenic variant list (armmatch.pathogenic)
    return not (
        crit.get("pathogenic") == "yes"
        and not any(n.startswith("pathogenic: ") for n in event.notes)
    )


def rule_matches(rule: Rule, event: Event, *, clinical: Mapping[str, str] | None = None) -> bool:
    """True when ``rule`` fires on ``event`` (only events with status ``called`` can fire)."""
    if event.status != "called" or rule.category != event.category or rule.gene != event.gene:
        return False
    if rule.category == "mutation":
        return _mutation_matches(rule, event)
    if rule.category == "cnv":
        return event.cnv_call == rule.criterion["call"]
    if rule.category == "fusion":
        role = rule.criterion["role"]
        if role == "3prime":
            return event.gene3 == rule.gene
        if role == "5prime":
            return event.gene5 == rule.gene
        return True
    if rule.category == "ihc":
        values = dict(v.split("=", 1) for v in (event.value or "").split(";") if "=" in v)
        return all(values.get(k) == v for k, v in rule.criterion.items())
    return False


_C_POSITION = re.compile(r"(?:.*:)?c\.(\d+)(?![\d+-])")


def event_codon(event: Event) -> int | None:
    """The codon of a coding change from its HGVS c. (``c.1799T>A`` -> 600), else None."""
    m = _C_POSITION.match(event.hgvsc or "")
    return (int(m.group(1)) + 2) // 3 if m else None


def protein_unknown_at(rule: Rule, event: Event) -> bool:
    """True when ``rule`` needs a protein change that ``event`` lacks, at the event's codon:
    a coding change of that gene at the rule's codon whose protein change nobody could give
    (no annotation, not in the hotspot table). It cannot be ruled out, so it is for review."""
    crit = rule.criterion
    if rule.category != "mutation" or rule.gene != event.gene or event.category != "mutation":
        return False
    wanted = crit.get("codon") or crit.get("protein")
    if not wanted or event_protein(event) is not None:
        return False
    classes = set((event.variant_class or "").split("&"))
    if "class" in crit and not classes & set(crit["class"].split(",")):
        return False
    if not classes & {"missense", "stop_gained", "synonymous", "other", "inframe_delins"}:
        return False
    position = int(re.sub(r"\D", "", wanted[1:-1] if "protein" in crit else wanted[1:]))
    return event_codon(event) == position


def _counting_arms(rules: RuleSet, event: Event) -> tuple[str, ...]:
    """The arms whose counting (non-review) rules fire on ``event`` (status aside)."""
    called = replace(event, status="called")
    return tuple(
        dict.fromkeys(r.arm_id for r in rules.rules if not r.review and rule_matches(r, called))
    )


def annotate_events(events: Iterable[Event], rules: RuleSet) -> list[Event]:
    """Return the events with the ids (and arms) of every rule that fires on each.

    Two cases turn a called event into ``indeterminate`` for the board's review:

    * its other readings (an indel whose place in a possible repeat is unknown, see
      :class:`~armmatch.events.Reading`) fire other arms than the written one: each reading
      is named with what it would fire;
    * only review rules (``review=yes``) fire on it: the reason is their alteration label.
    """
    out = []
    for event in events:
        fired = [r for r in rules.rules if rule_matches(r, event)]
        counting = [r for r in fired if not r.review]
        if event.status == "called" and event.readings:
            mine = _counting_arms(rules, event)
            other = [(r, _counting_arms(rules, e)) for r, e in
                     zip(event.readings, event.reading_events(), strict=True)]  # fmt: skip
            if any(arms != mine for _, arms in other):
                named = "; ".join(
                    f"{r.describe()} -> {', '.join(arms) or 'no arm'}" for r, arms in other
                )
                reason = (
                    "indeterminate: needs review: the indel's place in a possible repeat "
                    f"decides its class (as written: {event.variant_class} -> "
                    f"{', '.join(mine) or 'no arm'}; {named}); a reference_fasta decides it"
                )
                event = replace(event, status="indeterminate", status_reason=reason)
        unknown = [r for r in rules.rules if not counting and protein_unknown_at(r, event)]
        if event.status == "called" and unknown:
            named = ", ".join(f"{r.rule_id} ({r.alteration_label})" for r in unknown)
            event = replace(
                event,
                status="indeterminate",
                status_reason=f"indeterminate: protein change unknown at codon "
                f"{event_codon(event)}, which {named} needs; annotate the VCF or give a "
                "reference_fasta",
            )
            fired = [*fired, *unknown]
        if event.status == "called" and fired and not counting:
            labels = "; ".join(dict.fromkeys(r.alteration_label for r in fired))
            event = replace(
                event,
                status="indeterminate",
                status_reason=f"indeterminate: needs review: {labels}",
            )
        kept = counting or fired  # a review rule is recorded only when nothing counts
        out.append(
            event.with_rules([r.rule_id for r in kept], dict.fromkeys(r.arm_id for r in kept))
        )
    return out
