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

import csv
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from armmatch.errors import ConfigError
from armmatch.events import Event
from armmatch.hgvs import ProteinChange, parse_protein_change
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


# ---------------------------------------------------------------------------------------------
# matching
# ---------------------------------------------------------------------------------------------


def _unversioned(acc: str) -> str:
    return acc.split(".", 1)[0]


def _bare_c(hgvsc: str) -> str:
    return hgvsc.rsplit(":", 1)[-1].strip()


def _same_protein(a: ProteinChange, b: ProteinChange) -> bool:
    return (a.kind, a.start_aa, a.start_pos, a.alt) == (b.kind, b.start_aa, b.start_pos, b.alt)


def find_match(
    event: Event, plist: PathogenicList, transcripts: Mapping[str, Sequence[str]]
) -> PathogenicVariant | None:
    """The list row matching ``event``, or None.

    ``transcripts`` maps each gene to the accessions of its bundled transcript; an event
    annotated on another transcript is never matched (its numbering may differ).
    """
    if event.category != "mutation":
        return None
    accepted = {_unversioned(t) for t in transcripts.get(event.gene, ())}
    if event.transcript and _unversioned(event.transcript) not in accepted:
        return None
    classes = set((event.variant_class or "").split("&"))
    protein: ProteinChange | None = None
    if event.hgvsp and "missense" in classes:
        try:
            protein = parse_protein_change(event.hgvsp)
        except ValueError:
            protein = None
    for v in plist.variants:
        if v.gene != event.gene:
            continue
        if v.variant_type == "missense" and protein is not None:
            if _same_protein(protein, parse_protein_change(v.hgvsp)):
                return v
        elif (
            v.variant_type == "splice"
            and event.hgvsc
            and classes & {"splice_region", "intron", "splice_donor", "splice_acceptor"}
            and _bare_c(event.hgvsc) == v.hgvsc
        ):
            return v
    return None


def classification_note(v: PathogenicVariant, plist: PathogenicList) -> str:
    """The note a matched event carries (shown in the report and events.tsv)."""
    date = (
        f"last evaluated {v.last_evaluated}" if v.last_evaluated else "evaluation date not recorded"
    )
    ident = f"ClinVar {v.clinvar_id}" if v.clinvar_id else "ClinVar id not recorded"
    return (
        f"{NOTE_PREFIX}ClinVar {v.classification} ({v.review_status or 'review status not recorded'}"
        f"; {date}; {ident}); {v.gene} {v.hgvsc} {v.hgvsp} on the list "
        f"resources brca_pathogenic version {plist.version}"
    )


def classify_events(
    events: Sequence[Event], plist: PathogenicList, transcripts: Mapping[str, Sequence[str]]
) -> list[Event]:
    """The events, each one on the list carrying its ``pathogenic: ...`` note (pure)."""
    out = []
    for e in events:
        v = find_match(e, plist, transcripts)
        out.append(replace(e, notes=(*e.notes, classification_note(v, plist))) if v else e)
    return out


def is_classified_pathogenic(event: Event) -> bool:
    """True when :func:`classify_events` marked the event as on the pathogenic list."""
    return any(n.startswith(NOTE_PREFIX) for n in event.notes)


# ---------------------------------------------------------------------------------------------
# building from ClinVar variant_summary.txt
# ---------------------------------------------------------------------------------------------

_NAME = re.compile(
    r"^(?P<tx>N[MR]_\d+(?:\.\d+)?)\((?P<gene>[A-Z0-9]+)\):(?P<c>c\.[^ ]+)(?: \((?P<p>p\.[^)]+)\))?"
)


def _iso_date(text: str) -> str:
    """ClinVar's ``LastEvaluated`` (``Mar 14, 2023`` or ``-``) as YYYY-MM-DD, else empty."""
    text = text.strip()
    for fmt in ("%b %d, %Y", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return ""


def _variant_type(c: str, p: str | None) -> str | None:
    """missense, splice (non-canonical: intronic beyond +/-2, never the +/-1, +/-2 sites) or None."""
    if p:
        try:
            if parse_protein_change(p).kind == "substitution":
                return "missense"
        except ValueError:
            pass
    m = re.fullmatch(r"c\.\d+([+-])(\d+)[ACGT]>[ACGT]", c)
    if m and int(m.group(2)) > 2:
        return "splice"
    return None


def list_from_clinvar(
    rows: Iterable[Mapping[str, str]], genes: Sequence[str] = ("BRCA1", "BRCA2")
) -> list[PathogenicVariant]:
    """BRCA1/2 P/LP missense and non-canonical splice variants from ClinVar variant_summary rows.

    GRCh37 and GRCh38 rows of one VariationID are merged (positions ``chrom:pos:ref:alt``).
    """
    by_id: dict[str, dict[str, str]] = {}
    for r in rows:
        gene = r.get("GeneSymbol", "")
        if gene not in genes or r.get("ClinicalSignificance", "") not in CLASSIFICATIONS:
            continue
        m = _NAME.match(r.get("Name", ""))
        if not m or m.group("gene") != gene:
            continue
        vtype = _variant_type(m.group("c"), m.group("p"))
        if vtype is None:
            continue
        vid = r.get("VariationID", "")
        rec = by_id.setdefault(
            vid,
            {
                "gene": gene, "transcript": m.group("tx"), "hgvsc": m.group("c"),
                "hgvsp": m.group("p") or "", "variant_type": vtype,
                "classification": r["ClinicalSignificance"],
                "review_status": r.get("ReviewStatus", ""),
                "last_evaluated": _iso_date(r.get("LastEvaluated", "")),
                "clinvar_id": vid, "grch37": "", "grch38": "",
            },
        )  # fmt: skip
        assembly = {"GRCh37": "grch37", "GRCh38": "grch38"}.get(r.get("Assembly", ""))
        if assembly and r.get("PositionVCF", "-") not in ("-", "", "na"):
            rec[assembly] = ":".join(
                r.get(k, "") for k in ("Chromosome", "PositionVCF", "ReferenceAlleleVCF", "AlternateAlleleVCF")
            )  # fmt: skip
    out: dict[tuple[str, str], PathogenicVariant] = {}
    for rec in by_id.values():
        v = PathogenicVariant(**rec)
        out.setdefault(v.key, v)
    return list(out.values())


def read_clinvar_rows(path: str | Path) -> Iterator[dict[str, str]]:
    """Rows of a ClinVar ``variant_summary.txt`` (plain or .gz); the header starts with ``#``."""
    from armmatch.io import open_text

    with open_text(path) as fh:
        header_line = fh.readline().rstrip("\n").lstrip("#")
        header = header_line.split("\t")
        if "GeneSymbol" not in header or "ClinicalSignificance" not in header:
            raise ConfigError(
                "not a ClinVar variant_summary file (no GeneSymbol / ClinicalSignificance columns)",
                path=str(path),
                line=1,
            )
        for line in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            yield dict(zip(header, line, strict=False))


def diff_lists(
    old: Sequence[PathogenicVariant], new: Sequence[PathogenicVariant]
) -> dict[str, dict[str, int]]:
    """Per gene: variants added, removed and reclassified (classification changed)."""
    a, b = {v.key: v for v in old}, {v.key: v for v in new}
    genes = sorted({k[0] for k in a} | {k[0] for k in b})
    out: dict[str, dict[str, int]] = {}
    for g in genes:
        out[g] = {
            "added": sum(1 for k in b if k[0] == g and k not in a),
            "removed": sum(1 for k in a if k[0] == g and k not in b),
            "reclassified": sum(
                1 for k in b if k[0] == g and k in a and a[k].classification != b[k].classification
            ),
        }
    return out
