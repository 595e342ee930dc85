"""The BRCA1/2 pathogenic variant list (``resources/brca_pathogenic.tsv``).

Truncating BRCA1/2 variants count for the niraparib arm by class alone; a missense or a
non-canonical splice variant counts only when it is on this list (ClinVar Pathogenic or Likely
pathogenic). The bundled list is a small hand-checked seed; ``armmatch update-resources``
rebuilds it from ClinVar's ``variant_summary.txt`` (:func:`list_from_clinvar`).

Matching (:func:`classify_events`): a missense event by gene and protein change, a splice event
by gene and HGVS c., both only when the event is annotated on the gene's bundled transcript
(the list's numbering). A match adds a note ``pathogenic: ...`` naming the classification, its
date and the list version; the rule table's ``pathogenic=yes`` criterion requires that note.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from armmatch.errors import ConfigError
from armmatch.hgvs import parse_protein_change
from armmatch.io import fixed_tsv_rows, version_comment

COLUMNS = (
    "gene", "transcript", "hgvsc", "hgvsp", "variant_type", "classification", "review_status",
    "last_evaluated", "clinvar_id", "grch37", "grch38",
)  # fmt: skip
VARIANT_TYPES = ("missense", "splice")
CLASSIFICATIONS = ("Pathogenic", "Likely pathogenic", "Pathogenic/Likely pathogenic")
NOTE_PREFIX = "pathogenic: "


@dataclass(frozen=True)
class PathogenicVariant:
    """One list row."""

    gene: str
    transcript: str
    hgvsc: str
    hgvsp: str
    variant_type: str
    classification: str
    review_status: str
    last_evaluated: str
    clinvar_id: str
    grch37: str
    grch38: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.gene, self.hgvsc)

    def row(self) -> list[str]:
        return [getattr(self, c) for c in COLUMNS]


@dataclass(frozen=True)
class PathogenicList:
    """The list with its version (``# brca_list_version:``)."""

    path: str
    version: str
    variants: tuple[PathogenicVariant, ...]


def parse_list(text: str, *, path: str) -> PathogenicList:
    """Parse and check the list text (pure).

    Raises
    ------
    ConfigError
        Naming the line: missing version comment, bad header or field, unknown variant type or
        classification, an unreadable protein change, a duplicate (gene, hgvsc).
    """
    out: list[PathogenicVariant] = []
    seen: dict[tuple[str, str], int] = {}
    for lineno, fields in fixed_tsv_rows(text, COLUMNS, path=path, error=ConfigError):
        v = PathogenicVariant(*fields)
        problem = _row_problem(v)
        if problem:
            raise ConfigError(problem, path=path, line=lineno)
        if v.key in seen:
            raise ConfigError(
                f"duplicate variant {v.gene} {v.hgvsc} (first on line {seen[v.key]})",
                path=path,
                line=lineno,
            )
        seen[v.key] = lineno
        out.append(v)
    version = version_comment(text, "brca_list_version", path=path, error=ConfigError)
    return PathogenicList(path=path, version=version, variants=tuple(out))


def _row_problem(v: PathogenicVariant) -> str | None:
    if not re.fullmatch(r"[A-Z0-9]+", v.gene):
        return f"gene {v.gene!r} is not a gene symbol"
    if not v.hgvsc.startswith("c."):
        return f"hgvsc {v.hgvsc!r} must be an HGVS c. change (c.181T>G)"
    if v.variant_type not in VARIANT_TYPES:
        return f"variant_type {v.variant_type!r} is not one of {', '.join(VARIANT_TYPES)}"
    if v.classification not in CLASSIFICATIONS:
        return f"classification {v.classification!r} is not one of {', '.join(CLASSIFICATIONS)}"
    if v.last_evaluated and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v.last_evaluated):
        return f"last_evaluated {v.last_evaluated!r} must be YYYY-MM-DD or empty"
    if v.variant_type == "missense":
        try:
            change = parse_protein_change(v.hgvsp)
        except ValueError as err:
            return f"hgvsp {v.hgvsp!r}: {err}"
        if change.kind != "substitution":
            return f"hgvsp {v.hgvsp!r} is not a missense change"
    return None


def list_summary(plist: PathogenicList, listed_date: str = "") -> dict[str, object]:
    """What a board needs to know of the list: its version, how many variants per gene, and
    its date (the newest ``last_evaluated``, else ``listed_date``, e.g. the manifest's)."""
    by_gene: dict[str, int] = {}
    for v in plist.variants:
        by_gene[v.gene] = by_gene.get(v.gene, 0) + 1
    dated = max((v.last_evaluated for v in plist.variants if v.last_evaluated), default="")
    return {
        "version": plist.version,
        "variants": len(plist.variants),
        "by_gene": dict(sorted(by_gene.items())),
        "date": dated or listed_date,
    }


def load_list(path: str | Path) -> PathogenicList:
    """Read the list file."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError("the BRCA1/2 pathogenic variant list does not exist", path=str(p))
    return parse_list(p.read_text(encoding="utf-8"), path=str(p))


def render_list(variants: Iterable[PathogenicVariant], header_lines: Sequence[str]) -> str:
    """The list file text: comments, header, rows sorted by gene and c. change (deterministic)."""
    rows = sorted(variants, key=lambda v: (v.gene, _c_sort_key(v.hgvsc), v.hgvsc))
    lines = [*header_lines, "\t".join(COLUMNS), *("\t".join(v.row()) for v in rows)]
    return "\n".join(lines) + "\n"


def _c_sort_key(hgvsc: str) -> int:
    m = re.match(r"c\.-?(\d+)", hgvsc)
    return int(m.group(1)) if m else 0
