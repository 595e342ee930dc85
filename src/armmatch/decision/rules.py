"""Rule matching: does an event satisfy a rule's criteria, and which arms does it fire.

The criterion grammar is loaded by :mod:`armmatch.knowledge.rule_table`; here each key is
compared with an event, and :func:`annotate_events` marks the events that count, are
indeterminate or need review.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from armmatch.events import Event
from armmatch.hgvs import ProteinChange, matches_protein, parse_protein_change
from armmatch.knowledge.rule_table import Rule, RuleSet, parse_offsets

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
    # "classification=...": the BRCA1/2 verdict of armmatch.calling.brca ("pathogenic=yes" is
    # the older spelling of classification=pathogenic)
    verdict = event.classification or "unclassified"
    if "classification" in crit and verdict not in crit["classification"].split(","):
        return False
    return not (crit.get("pathogenic") == "yes" and verdict != "pathogenic")


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
