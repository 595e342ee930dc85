"""The patient ``report.html`` and the batch ``summary.html``.

Pure functions from records to text; nothing reads the clock, so the same inputs give
byte-identical outputs. Every value placed in HTML goes through :func:`esc`.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Any

from armmatch.events import CnvProfile, Event
from armmatch.knowledge.manifest import knowledge_rows
from armmatch.report.plots import cn_genes_svg, cn_profile_svg, vaf_svg
from armmatch.report.record import AssignmentRecord, RecordedEvent, hgvs_names


def esc(value: object) -> str:
    """HTML-escape any value (quotes included); ``None`` becomes an empty string."""
    return "" if value is None else html.escape(str(value), quote=True)


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------


class Markup(str):
    """HTML made here from escaped parts: a table cell inserted as it is."""


def link(text: str, href: str) -> Markup:
    """An ``<a>`` element, text and target escaped."""
    return Markup(f'<a href="{esc(href)}">{esc(text)}</a>')


def _cell(value: object) -> str:
    return str(value) if isinstance(value, Markup) else esc(value)


def html_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    cls: str = "",
    row_class: Callable[[Sequence[object]], str] | None = None,
    table_id: str | None = None,
) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        (f'<tr class="{esc(row_class(row))}">' if row_class else "<tr>")
        + "".join(f"<td>{_cell(c)}</td>" for c in row)
        + "</tr>"
        for row in rows
    )
    ident = f' id="{esc(table_id)}"' if table_id else ""
    return f'<table{ident} class="{esc(cls)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _template(name: str) -> str:
    """A template file kept as package data (``armmatch/report/templates/``)."""
    return (files("armmatch.report") / "templates" / name).read_text(encoding="utf-8")


_CSS = _template("report.css")
SUMMARY_JS = _template("summary.js")
_PAGE = Template(_template("page.html"))


def html_page(title: str, body: str) -> str:
    return _PAGE.substitute(title=esc(title), css=_CSS, body=body)


def patient_html(record: AssignmentRecord, profile: CnvProfile | None = None) -> str:
    """A self-contained per-patient report (no external assets; A4 when printed).

    Page 1 is the decision and its evidence: the header (specimen, assay, dates), the decision,
    the events that decided it (HGVS on the bundled MANE transcript, why each counts, its
    measurement and source line), the eligibility criteria not met, what was not assessed and
    what is indeterminate. The appendix (from a new printed page) holds every arm, the
    molecular exclusions, the other events, the plots, the annotators' own strings and the
    provenance.
    """
    r = record
    parts = [_header(r), _decision_box(r)]
    parts += _evidence_parts(r)
    parts.append('<section class="appendix" id="appendix"><h2>Appendix</h2>')
    parts += _appendix_parts(r, profile)
    parts.append("</section>")
    page_box = (f'<style>@page{{@top-right{{content:"Patient {_css_text(r.patient_id)}"}}'
                f'@bottom-left{{content:"armmatch · rule set {_css_text(r.rule_set_version)}"}}}}'
                "</style>")  # fmt: skip
    return html_page(f"armmatch report {r.patient_id}", page_box + "\n" + "\n".join(parts))


def _css_text(text: str) -> str:
    """Text safe inside a CSS string in a <style> element (quotes, backslashes, markup)."""
    return "".join(c if c.isalnum() or c in " ._-:" else f"\\{ord(c):x} " for c in text)


def _header(r: AssignmentRecord) -> str:
    row = r.eligibility["rare_tumour"].get("table1_row")
    t1 = (f"Table 1 row {row['row_id']}: {row['system']} / {row['tumour_type']} ({row['icd10']})"
          if row else "no Table 1 row matched")  # fmt: skip
    sp = r.specimen
    date = sp.report_date or "not given"
    if sp.report_date:
        date += f" ({sp.report_date_source})"
    cells = [("Tumour type", r.tumour_type or "not given (the rare-tumour criterion is missing)"),
             ("Table 1", t1),
             ("Specimen", sp.specimen_id or "not given"), ("Accession", sp.accession or "not given"),
             ("Assay / panel", sp.assay or "not given"),
             ("Collected", sp.collection_date or "not given"), ("Report date", date),
             ("Genome build", r.provenance.genome_build)]  # fmt: skip
    grid = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in cells)
    return ('<header><p class="muted">armmatch assignment report · PLATFORM (NCT04423185) · '
            f"rule set {esc(r.rule_set_version)}</p><h1>Patient {esc(r.patient_id)}</h1>"
            f'<dl class="facts" id="facts">{grid}</dl></header>')  # fmt: skip


def _decision_box(r: AssignmentRecord) -> str:
    if r.arm:
        decision = f"{r.status.upper()}: {r.arm} — {r.drug}, {r.dose}"
    else:
        decision = f"{r.status.upper()}: no arm assigned"
    out = (f'<div class="decision s-{esc(r.status)}" id="decision"><strong>{esc(decision)}'
           f"</strong><br><span>{esc(r.status_reason)}</span></div>")  # fmt: skip
    notes = list(r.provisional)
    if r.candidate_arm:
        notes.append(f"incomplete: candidate arm once complete is {r.candidate_arm}")
    if r.override:
        o = r.override
        notes.append(f"tumour-board override to {o['arm']}: {o['reason']} (computed: "
                     f"{o['computed_status']}, {o['computed_arm'] or 'no arm'})")  # fmt: skip
    sign = r.signoff
    if sign.status == "signed":
        text = f"Signed off: {sign.words()}"
        if sign.reason:
            text += f" — {sign.reason}"
        text += (f" (computed: {sign.computed_status}, {sign.computed_arm or 'no arm'}; "
                 f"review file {sign.source})")  # fmt: skip
    else:
        text = "Sign-off: not yet reviewed by the tumour board"
    out += f'<p class="signoff s-{esc(sign.status.replace(" ", "-"))}" id="signoff">{esc(text)}</p>'
    waiver = (r.override or {}).get("waiver")
    if r.override and waiver:
        out += ('<p class="warn deviation" id="deviation"><strong>Protocol deviation: eligibility '
                f"waiver {esc(waiver['id'])}</strong> — the tumour-board override to "
                f"{esc(r.override['arm'])} lifts: {esc(waiver['lifted'])}</p>")  # fmt: skip
    if notes:
        out += ('<div class="warn" id="provisional"><strong>Provisional or needing review:'
                "</strong><ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul></div>")  # fmt: skip
    return out


def _source_key(e: Event) -> tuple[str, int | None, str, str]:
    return (e.source.path, e.source.line, e.source.record, e.gene)


def deciding_events(r: AssignmentRecord) -> list[RecordedEvent]:
    """The events behind the decision: those that fire the assigned (or candidate) arm or an
    exclusion, then every other actionable event, each source record once."""
    arm = r.arm or r.candidate_arm
    exclusion_ids = {x.arm_id for x in r.exclusions}
    ranked = sorted(
        r.actionable_events(),
        key=lambda x: (0 if arm in x.event.arm_ids else 1 if exclusion_ids & set(x.event.arm_ids)
                       else 2, int(x.event_id[1:])),
    )  # fmt: skip
    seen: set[tuple[str, int | None, str, str]] = set()
    out = []
    for x in ranked:
        key = _source_key(x.event)
        if key not in seen:
            seen.add(key)
            out.append(x)
    return out


_EVIDENCE_INTRO = {
    "targeted": "The alteration that assigns the arm comes first; any other actionable "
                "alteration follows with the arm it would have given.",
    "excluded": "The alteration that excludes the patient (protocol Table 2, exclusion 1).",
    "immunotherapy": "No actionable alteration was found, and every alteration of the rule "
                     "table was assessed: the patient goes to the PD-1 arm.",
    "incomplete": "What was found so far; the decision waits for what was not assessed.",
    "ineligible": "The study-level eligibility criteria not met (protocol Table 2) decide; "
                  "molecular findings are shown for information.",
}  # fmt: skip


def _evidence_parts(r: AssignmentRecord) -> list[str]:
    parts = ["<h2>Evidence for this decision</h2>",
             f'<p class="muted">{esc(_EVIDENCE_INTRO.get(r.status, ""))}</p>']  # fmt: skip
    failed = [c for c in r.eligibility["criteria"] if c["status"] == "not met"]
    if failed:
        parts.append(html_table(["criterion not met", "detail", "source"],
                            [(c["name"], c["detail"], c["source"]) for c in failed],
                            table_id="not-met"))  # fmt: skip
    deciding = deciding_events(r)
    rules = {x.rule_id: x for x in r.rules_fired}
    arms = {a.arm_id: a for a in (*r.arms, *r.exclusions)}
    if deciding:
        parts.append(html_table(
            ["gene", "alteration", "HGVS on the bundled transcript", "why it counts",
             "measurement", "origin", "source record"],
            [_deciding_cells(x, r, rules, arms) for x in deciding],
            cls="evidence", table_id="deciding"))  # fmt: skip
    elif not failed:
        parts.append("<p>No actionable alteration.</p>")
    parts.append("<h2>Not assessed</h2>")
    if r.missing:
        parts.append(html_table(["item", "needed for", "reason"],
                            [(m["item"], m["for"], m["reason"]) for m in r.missing],
                            table_id="not-assessed"))  # fmt: skip
    else:
        parts.append("<p>Every listed alteration and clinical field was assessed.</p>")
    shown = {_source_key(x.event) for x in deciding}
    review = [x for x in r.indeterminate_events() if _source_key(x.event) not in shown]
    parts.append("<h2>Indeterminate, for review</h2>")
    if review:
        parts.append(html_table(["gene", "alteration", "why indeterminate", "source record"],
                            [(x.event.gene, x.event.alteration, x.event.status_reason,
                              _source_text(x.event)) for x in review],
                            table_id="review"))  # fmt: skip
    else:
        parts.append("<p>None.</p>")
    return parts


def hgvs_display(e: Event, transcripts: Mapping[str, Any]) -> tuple[str, str, str]:
    """``(transcript label, c., p.)`` in the report's one naming scheme: the bundled (MANE
    Select) RefSeq transcript and a one-letter p.; another transcript is named as such."""
    names = hgvs_names(e, transcripts)
    if names.on_bundled:
        label = f"{names.transcript} ({'MANE Select' if names.mane_select else 'bundled'})"
    else:
        label = f"{names.transcript or 'no transcript'} (not the bundled transcript)"
    return label, names.c, names.p


def _deciding_cells(
    x: RecordedEvent, r: AssignmentRecord, rules: Mapping[str, Any], arms: Mapping[str, Any]
) -> list[object]:
    e = x.event
    if e.category == "mutation":
        label, c_text, p_text = hgvs_display(e, r.transcripts)
        hgvs = " ".join(t for t in (c_text, p_text) if t) + f" on {label}"
        if e.exon is not None:
            hgvs += f", exon {e.exon}"
        elif e.intron is not None:
            hgvs += f", intron {e.intron}"
    else:
        hgvs = "—"
    why = [w for w in (e.consequence or e.variant_class, _splice_words(e)) if w]
    for rid in e.rule_ids:
        rule = rules.get(rid)
        arm = arms.get(rule.arm_id) if rule else None
        where = f", line {rule.rule_line}: {rule.criterion}" if rule else ""
        verdict = f"; {arm.verdict}" if arm and arm.verdict != "selected" else ""
        why.append(f"counts for {rule.arm_id if rule else '?'} (rule {rid}{where}){verdict}")
    if e.classification is not None:
        why.append(f"{_CLASSIFICATION_WORDS.get(e.classification, e.classification)}: "
                   f"{e.classification_evidence}")  # fmt: skip
    why += [n for n in e.notes if n.startswith(_SHOWN_NOTES)]
    source = f"{Path(e.source.path).name}:{e.source.line}"
    return [e.gene, e.alteration, hgvs, "; ".join(why), _measure(e, r.clinical, brief=True),
            e.origin or "—", source]  # fmt: skip


def _splice_words(e: Event) -> str:
    if e.splice_exon is None or e.splice_offset is None:
        return ""
    side = "after" if e.splice_offset > 0 else "before"
    return f"{abs(e.splice_offset)} base(s) {side} exon {e.splice_exon}"


def _measure(e: Event, clinical: Mapping[str, Any], *, brief: bool = False) -> str:
    if e.category == "cnv":
        text = f"CN {e.copy_number:.2f}" if e.copy_number is not None else "no copy number"
        ploidy = clinical.get("ploidy")
        if e.copy_number is not None and isinstance(ploidy, (int, float)) and ploidy > 0:
            text += f" = {e.copy_number / ploidy:.2f} x ploidy"
        if e.log2 is not None:
            text += (f" (log2 {e.log2:.2f}; purity {_or_dash(clinical.get('purity'))}, "
                     f"{clinical.get('purity_source', '')}; ploidy "
                     f"{_or_dash(ploidy)}, {clinical.get('ploidy_source', '')})")  # fmt: skip
        return text + " · " + segment_words(e.segment_bp, e.focal)
    if e.category == "mutation":
        vaf = f"{e.vaf:.3f}" if e.vaf is not None else "n/a"
        return f"VAF {vaf} / depth {e.depth if e.depth is not None else 'n/a'}"
    if e.category == "fusion":
        text = f"{e.gene5 or '?'} → {e.gene3 or '?'}, frame {e.frame or 'unknown'}"
        if (e.breakpoint5 or e.breakpoint3) and not brief:
            text += f" ({e.breakpoint5 or '?'} / {e.breakpoint3 or '?'})"
        extra = [n for n in e.notes
                 if n.startswith(("supporting evidence", "kinase", "ALK", "ROS1"))]  # fmt: skip
        return "; ".join([text, *extra])
    return e.value or ""


def _source_text(e: Event) -> str:
    return f"{e.source.path}:{e.source.line} ({e.source.record})"


def _appendix_parts(r: AssignmentRecord, profile: CnvProfile | None) -> list[str]:
    elig = r.eligibility
    clinical = r.clinical
    parts = ["<h3>Eligibility (protocol Table 2)</h3>",
             html_table(["criterion", "status", "detail", "source"],
                    [(c["name"], c["status"], c["detail"], c["source"]) for c in elig["criteria"]])]  # fmt: skip
    if clinical:
        prior = clinical.get("prior_therapies")
        parts.append(
            '<p class="muted">Clinical fields: age ' + esc(_or_dash(clinical.get("age")))
            + " · ECOG " + esc(_or_dash(clinical.get("ecog"))) + " · prior therapies "
            + esc("not given" if prior is None else (", ".join(prior) or "none"))
            + " · HER2 IHC " + esc(_or_dash(clinical.get("her2_ihc"))) + " / ISH "
            + esc(_or_dash(clinical.get("her2_ish"))) + "</p>"
        )  # fmt: skip
    parts.append("<h3>Every arm</h3>")
    parts.append(html_table(
        ["arm", "type", "drug / dose", "verdict", "reason"],
        [(a.arm_id, a.arm_type, f"{a.drug} — {a.dose}", a.verdict, a.reason) for a in r.arms],
        row_class=lambda row: "v-" + str(row[3]).replace(" ", "-")))  # fmt: skip
    brca = r.provenance.resources.get("brca_classifications")
    if brca and "counts" in brca:
        counts = "; ".join(f"{g}: {esc(str(n))}" for g, n in brca["counts"].items()) or "none"
        custom = brca.get("custom")
        parts.append(
            '<p class="muted" id="brca-list">BRCA1/2 variants are decided by the classification '
            f"table {esc(brca['path'])} version {esc(brca['version'])} (ClinVar "
            f"{esc(brca['release'])}; {counts}) at {brca['min_stars']} or more review stars"
            + (f", the lab's own list {esc(custom['path'])} on top" if custom else "")
            + ", then, for truncating and canonical splice variants it does not classify, the "
            f"ENIGMA VCEP loss-of-function rules ({esc(brca['lof_rules']['path'])} version "
            f"{esc(brca['lof_rules']['version'])}). A missense variant not in the table is of "
            "uncertain significance (shown, not counted); conflicting records and pathogenic "
            "ones below the review level are for review. <code>armmatch update-resources</code> "
            "rebuilds the table from ClinVar.</p>"
        )
    parts.append("<h3>Molecular exclusions (Table 2 exclusion 1)</h3>")
    parts.append(html_table(["exclusion", "status", "evidence"],
                        [(x.arm_id, x.verdict, x.reason) for x in r.exclusions]))  # fmt: skip
    rule_lines = {x.rule_id: x.rule_line for x in r.rules_fired}
    others = [e for e in r.events if not e.event.actionable and not _is_neutral_cnv(e.event)]
    ev_headers = ["id", "gene", "alteration", "HGVS p. / c.", "transcript · exon",
                  "VAF / depth · copy number · partners", "status", "rule (table line)", "source record"]  # fmt: skip
    parts.append(
        '<h3>Other events in target genes</h3><p class="muted">Not actionable, filtered (with the '
        "reason) or indeterminate. Copy-number-neutral genes are in the view below.</p>"
    )
    parts.append(
        html_table(ev_headers, [_event_cells(e, clinical, rule_lines) for e in others])
        if others
        else "<p>None.</p>"
    )
    events = [x.event for x in r.events]
    thresholds = r.provenance.parameters.get("copy_number", {}).get("thresholds", {})
    min_vaf = r.provenance.parameters.get("small_variants", {}).get("min_vaf")
    cnv_calls = [e for e in events if e.category == "cnv"]
    views = [
        cn_profile_svg(profile, thresholds, cnv_calls) if profile and profile.segments else "",
        cn_genes_svg(events, thresholds),
        vaf_svg(events, min_vaf),
    ]
    views = [v for v in views if v]
    if views:
        parts.append("<h3>At a glance</h3>" + "".join(views))
    annotated = [x for x in r.events if x.event.hgvsp or x.event.hgvsc or x.event.transcript]
    if annotated:
        parts.append('<h3>Annotators\' own strings</h3><p class="muted">Each event\'s '
                     "transcript, HGVS c. and p. as the input file (or the built-in classifier) "
                     "wrote them.</p>")  # fmt: skip
        parts.append(html_table(["id", "gene", "transcript", "HGVS c.", "HGVS p.", "consequence"],
                            [(x.event_id, x.event.gene, x.event.transcript, x.event.hgvsc,
                              x.event.hgvsp, x.event.consequence) for x in annotated],
                            cls="mono"))  # fmt: skip
    prov = r.provenance
    parts.append("<h3>Provenance</h3>")
    prow: list[tuple[object, ...]] = [
        ("armmatch version", prov.armmatch_version),
        ("genome build", prov.genome_build),
        (
            "rule set",
            f"{prov.rule_set['path']} version {prov.rule_set['version']} "
            f"sha256 {prov.rule_set['sha256']}",
        ),
    ]
    prow += [
        (f"resource {k}", f"{v['path']} sha256 {v['sha256']}")
        for k, v in sorted(prov.resources.items())
        if k != "rule_table"
    ]
    prow += [(f"input {i.path}", f"sha256 {i.sha256}") for i in prov.inputs]
    prow.append(("parameters", json.dumps(prov.parameters, sort_keys=True)))
    parts.append(html_table(["item", "value"], prow, cls="mono"))
    if prov.knowledge:
        parts.append(knowledge_html(prov.knowledge))
    return parts


def knowledge_html(knowledge: Mapping[str, Any]) -> str:
    """The "Knowledge resources" table: every resource used, bundled (manifest) or custom."""

    m = knowledge["manifest"]
    return (
        '<h2>Knowledge resources</h2><p class="muted">Manifest '
        f"{esc(m['path'])} version {esc(m['version'])} (sha256 {esc(m['sha256'])}); every "
        "bundled file was checked against it before the first patient; custom files are the "
        "config's own (hashed, not checked).</p>"
        + html_table(
            ["resource", "origin", "version", "date", "source", "licence", "sha256"],
            knowledge_rows(knowledge),
            cls="knowledge",
            table_id="knowledge",
        )
    )


def _or_dash(value: object) -> str:
    return "not given" if value is None else str(value)


def segment_words(bp: int | None, focal: bool | None) -> str:
    """``segment 79.7 Mb, broad`` / ``segment 605.4 kb, focal``; gene-level calls say so."""
    if bp is None:
        return "no segment (gene-level call)"
    size = f"{bp / 1e6:.1f} Mb" if bp >= 1_000_000 else f"{bp / 1e3:.1f} kb"
    return f"segment {size}, {'focal' if focal else 'broad'}"


def _is_neutral_cnv(e: Event) -> bool:
    return e.category == "cnv" and e.status == "called" and e.cnv_call == "neutral"


def _event_cells(
    recorded: RecordedEvent, clinical: Mapping[str, Any], rule_lines: Mapping[str, int]
) -> list[object]:
    e = recorded.event
    if e.category == "cnv":
        measure = f"CN {e.copy_number:.2f}" if e.copy_number is not None else ""
        if e.log2 is not None:
            measure += (
                f" (log2 {e.log2:.2f}; purity {clinical.get('purity')}, "
                f"ploidy {clinical.get('ploidy')})"
            )
        measure += " · " + segment_words(e.segment_bp, e.focal)
    elif e.category == "mutation":
        vaf = f"{e.vaf:.3f}" if e.vaf is not None else "n/a"
        depth = e.depth if e.depth is not None else "n/a"
        measure = f"VAF {vaf} / depth {depth}"
    elif e.category == "fusion":
        measure = f"{e.gene5 or '?'} → {e.gene3 or '?'}, frame {e.frame or 'unknown'}"
        if e.breakpoint5 or e.breakpoint3:
            measure += f" ({e.breakpoint5 or '?'} / {e.breakpoint3 or '?'})"
    else:
        measure = e.value or ""
    status = e.status + (f": {e.status_reason}" if e.status_reason else "")
    if e.classification is not None:
        status += (f"; {_CLASSIFICATION_WORDS.get(e.classification, e.classification)}: "
                   f"{e.classification_evidence}")  # fmt: skip
    status += "".join(f"; {n}" for n in e.notes if n.startswith(_SHOWN_NOTES))
    hgvs = " / ".join(x for x in (e.hgvsp, e.hgvsc) if x)
    tx = " · exon ".join(str(x) for x in (e.transcript, e.exon) if x is not None)
    rules = ", ".join(
        f"{rid} (line {rule_lines[rid]})" if rid in rule_lines else rid for rid in e.rule_ids
    )
    src = f"{e.source.path}:{e.source.line} ({e.source.record})"
    return [recorded.event_id, e.gene, e.alteration, hgvs, tx, measure, status, rules, src]


_SHOWN_NOTES = ("OncoKB: ",)
"""Event notes shown in the report's status cell: OncoKB evidence."""
_CLASSIFICATION_WORDS = {
    "pathogenic": "classified pathogenic",
    "benign": "classified benign (not counted, not for review)",
    "uncertain": "classified of uncertain significance (not counted)",
    "review": "classification for review",
    "lof": "loss of function (VCEP rules)",
    "lof_review": "loss of function of reduced weight (VCEP rules): review",
    "lof_no": "loss of function does not apply (VCEP rules): not counted",
    "unclassified": "not classified",
}
"""How the report names each BRCA1/2 classification verdict (armmatch.calling.brca)."""
