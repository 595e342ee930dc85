"""The batch as a MultiQC custom-content section (``armmatch_mqc.yaml``).

MultiQC (1.x) picks up any file named ``*_mqc.yaml`` in the folders it scans and renders its
``data`` as a table section: one row per patient with the status, arm, drug, the
needs-attention flag and the QC facts of the batch dashboard (inputs assessed, VAF/depth
availability, purity and its source, counts of actionable, indeterminate and not-assessed
items), and the rule-set version. A sequencing core's existing MultiQC report then shows the
batch beside its other QC.

MultiQC renders a table cell's text as HTML (seen with 1.35: a cell ``<b>`` is bold), so every
text value is HTML-escaped here and its tabs and line breaks become spaces (MultiQC also writes
the table as TSV); the document is written with PyYAML's safe dumper, so quotes, colons and
``#`` survive as text.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

import yaml

from armmatch.report.record import AssignmentRecord
from armmatch.report.summary import attention_reasons, qc_facts

COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("status", "Status", "targeted, immunotherapy, excluded, ineligible or incomplete"),
    ("arm", "Arm", "The assigned PLATFORM arm (empty unless assigned)"),
    ("drug", "Drug", "The assigned arm's drug"),
    ("needs_attention", "Attention", "Incomplete, provisional, overridden or with indeterminate "
                                     "evidence: see the armmatch summary"),
    ("actionable", "Actionable", "Actionable events"),
    ("indeterminate", "Indeterminate", "Events shown as indeterminate, for review"),
    ("not_assessed", "Not assessed", "Items that could not be assessed (never read as negative)"),
    ("inputs", "Inputs assessed", "Which inputs were assessed"),
    ("vaf_depth", "VAF / depth", "Small variants with VAF and depth"),
    ("purity", "Purity", "Tumour purity used for copy number"),
    ("purity_source", "Purity source", "Where the purity came from"),
    ("signoff", "Sign-off", "The tumour board's review"),
    ("rule_set", "Rule set", "armmatch rule-set version"),
)  # fmt: skip


def text(value: object) -> str:
    """A table cell's text: HTML-escaped, on one line."""
    out = html.escape(str(value), quote=True)
    for ch in "\t\r\n":
        out = out.replace(ch, " ")
    return out


def row(r: AssignmentRecord) -> dict[str, Any]:
    """One patient's table row (numbers as numbers, text through :func:`text`)."""
    inputs, support, purity_source = qc_facts(r)
    purity = r.clinical.get("purity")
    cells: dict[str, Any] = {
        "status": r.status, "arm": r.arm or "", "drug": r.drug or "",
        "needs_attention": "yes" if attention_reasons(r) else "no",
        "actionable": len(r.actionable_events()), "indeterminate": len(r.indeterminate_events()),
        "not_assessed": len(r.missing), "inputs": inputs, "vaf_depth": support,
        "purity": float(purity) if purity is not None else "",
        "purity_source": purity_source, "signoff": r.signoff.words(), "rule_set": r.rule_set_version,
    }  # fmt: skip
    return {k: text(v) if isinstance(v, str) else v for k, v in cells.items()}


def custom_content(records: Sequence[AssignmentRecord]) -> dict[str, Any]:
    """The custom-content document (MultiQC's ``id``, ``section_name``, ``plot_type: table``,
    ``pconfig``, ``headers``, ``data``)."""
    return {
        "id": "armmatch",
        "section_name": "armmatch: PLATFORM arm assignments",
        "description": "One row per patient of the armmatch batch: the decision and its QC. "
                       "The patient reports and the batch summary hold every reason.",
        "plot_type": "table",
        "pconfig": {"id": "armmatch_assignments", "title": "armmatch: assignments",
                    "namespace": "armmatch", "col1_header": "Patient"},
        "headers": {key: {"title": title, "description": words, "scale": False}
                    for key, title, words in COLUMNS},
        "data": {text(r.patient_id): row(r) for r in records},
    }  # fmt: skip


def dumps_custom_content(records: Sequence[AssignmentRecord]) -> str:
    """``armmatch_mqc.yaml`` text (deterministic: keys in the order above).

    The settings are written by PyYAML's safe dumper; the ``data`` rows, one line per patient,
    as JSON flow mappings (YAML reads JSON: ASCII-only, every string double-quoted with JSON's
    escapes), which is what keeps 10,000 rows fast (PyYAML's pure-Python emitter takes seconds).
    """
    doc = custom_content(records)
    data = doc.pop("data")
    head: str = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=1000)
    rows = "".join(f"  {json.dumps(pid)}: {json.dumps(row)}\n" for pid, row in data.items())
    return head + ("data:\n" + rows if rows else "data: {}\n")
