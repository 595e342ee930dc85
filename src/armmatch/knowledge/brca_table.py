"""The BRCA1/2 classification table (``resources/brca_classifications.tsv.gz``) and a lab's own
list (config ``brca_classification.custom``).

One row per variant: gene, the normalised genomic allele of each build (``chrom:pos:ref:alt``,
VCF style, left-aligned; empty where the variant has no place in that build), HGVS c./p. on the
MANE transcript (BRCA1 NM_007294.4, BRCA2 NM_000059.4), the variant's class, the ClinVar
classification and review level, the ClinVar id, the source (a key described in the file's
``# source`` comments) and the source's date. Built by :mod:`armmatch.knowledge.build.brca`.

Matching (:mod:`armmatch.calling.brca`): the patient's allele in the patient's build, trimmed
and left-aligned, first; the HGVS c. on the MANE transcript second; never a protein string
alone (two DNA changes can give one protein change with different classifications).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from armmatch.errors import ConfigError
from armmatch.paths import RESOURCE_DIR

TABLE_COLUMNS = (
    "gene", "grch37", "grch38", "hgvsc", "hgvsp", "variant_type", "classification", "review",
    "stars", "clinvar_id", "source", "date",
)  # fmt: skip
CUSTOM_COLUMNS = (
    "gene",
    "build",
    "allele",
    "hgvsc",
    "classification",
    "reason",
    "classified_by",
    "date",
)

CLASSIFICATIONS = (
    "pathogenic", "likely_pathogenic", "pathogenic/likely_pathogenic", "uncertain",
    "likely_benign", "benign", "benign/likely_benign", "conflicting",
)  # fmt: skip
PATHOGENIC = frozenset({"pathogenic", "likely_pathogenic", "pathogenic/likely_pathogenic"})
BENIGN = frozenset({"benign", "likely_benign", "benign/likely_benign"})

REVIEW_STARS = {
    "practice_guideline": 4,
    "expert_panel": 3,
    "multiple_submitters": 2,
    "single_submitter": 1,
    "conflicting_submissions": 1,
    "no_criteria": 0,
    "lab": 4,
}
"""ClinVar's review levels as stars; ``lab`` is a custom-list row (the lab's own decision)."""

REVIEW_WORDS = {
    "practice_guideline": "practice guideline",
    "expert_panel": "reviewed by expert panel (ENIGMA)",
    "multiple_submitters": "criteria provided, multiple submitters, no conflicts",
    "single_submitter": "criteria provided, single submitter",
    "conflicting_submissions": "criteria provided, conflicting classifications",
    "no_criteria": "no assertion criteria provided",
    "lab": "the lab's own classification",
}


@dataclass(frozen=True)
class Classified:
    """One table (or custom-list) row."""

    gene: str
    grch37: str
    grch38: str
    hgvsc: str
    hgvsp: str
    variant_type: str
    classification: str
    review: str
    stars: int
    clinvar_id: str
    source: str
    date: str
    reason: str = ""
    """Custom rows: the lab's reason (and who classified)."""

    def allele(self, build: str) -> str:
        return self.grch37 if build == "GRCh37" else self.grch38

    def row(self) -> list[str]:
        return [str(getattr(self, c)) for c in TABLE_COLUMNS]


_VCF_ALLELE = re.compile(r"[0-9XYM]{1,2}:\d+:[ACGTN]+:[ACGTN]+")


@dataclass
class ClassificationTable:
    """The bundled table (and a custom list on top), indexed for one or both builds."""

    version: str
    release: str
    sources: Mapping[str, str]
    rows: tuple[Classified, ...]
    path: str = ""
    custom: tuple[Classified, ...] = ()
    custom_path: str = ""

    def __post_init__(self) -> None:
        bundled = {
            (b, r.allele(b)): r for r in self.rows for b in ("GRCh37", "GRCh38") if r.allele(b)
        }
        named = []
        for r in self.custom:  # a lab row names its variant as the bundled row of its allele
            same = next(
                (bundled[(b, r.allele(b))] for b in ("GRCh37", "GRCh38")
                 if r.allele(b) and (b, r.allele(b)) in bundled),
                None,
            )  # fmt: skip
            if same is not None and not r.hgvsp:
                r = replace(r, hgvsc=r.hgvsc or same.hgvsc, hgvsp=same.hgvsp,
                            variant_type=same.variant_type, grch37=r.grch37 or same.grch37,
                            grch38=r.grch38 or same.grch38)  # fmt: skip
            named.append(r)
        self.custom = tuple(named)
    def counts(self) -> dict[str, dict[str, int]]:
        """Rows per gene and classification (the report and README state them)."""
        out: dict[str, dict[str, int]] = {}
        for r in self.rows:
            g = out.setdefault(r.gene, {})
            g[r.classification] = g.get(r.classification, 0) + 1
        return {g: dict(sorted(v.items())) for g, v in sorted(out.items())}

    def summary(self) -> dict[str, object]:
        return {
            "version": self.version,
            "release": self.release,
            "variants": len(self.rows),
            "by_gene": {g: sum(v.values()) for g, v in self.counts().items()},
            "custom_rows": len(self.custom),
        }


def _row_problem(r: Classified) -> str | None:
    if r.gene not in ("BRCA1", "BRCA2"):
        return f"gene {r.gene!r} is not BRCA1 or BRCA2"
    if r.classification not in CLASSIFICATIONS:
        return f"classification {r.classification!r} is not one of {', '.join(CLASSIFICATIONS)}"
    if r.review not in REVIEW_STARS:
        return f"review {r.review!r} is not one of {', '.join(REVIEW_STARS)}"
    for value in (r.grch37, r.grch38):
        if value and not _VCF_ALLELE.fullmatch(value):
            return f"allele {value!r} is not chrom:pos:ref:alt"
    if not (r.grch37 or r.grch38 or r.hgvsc):
        return "neither a genomic allele nor an HGVS c."
    if r.hgvsc and not r.hgvsc.startswith("c."):
        return f"hgvsc {r.hgvsc!r} must be an HGVS c. change (c.181T>G)"
    if r.date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", r.date):
        return f"date {r.date!r} must be YYYY-MM-DD or empty"
    return None


def parse_table(text: str, *, path: str) -> ClassificationTable:
    """Parse the bundled table (comments ``# version:``, ``# clinvar_release:``,
    ``# source KEY: text``)."""
    version = release = ""
    sources: dict[str, str] = {}
    rows: list[Classified] = []
    header = False
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.startswith("#"):
            body = line[1:].strip()
            if body.startswith("version:"):
                version = body.split(":", 1)[1].strip()
            elif body.startswith("clinvar_release:"):
                release = body.split(":", 1)[1].strip()
            elif body.startswith("source "):
                key, _, desc = body[7:].partition(":")
                sources[key.strip()] = desc.strip()
            continue
        fields = line.split("\t")
        if not header:
            if tuple(fields) != TABLE_COLUMNS:
                raise ConfigError(
                    f"header must be: {' '.join(TABLE_COLUMNS)}", path=path, line=lineno
                )
            header = True
            continue
        if len(fields) != len(TABLE_COLUMNS):
            raise ConfigError(
                f"{len(fields)} fields, {len(TABLE_COLUMNS)} expected", path=path, line=lineno
            )
        try:
            stars = int(fields[8])
        except ValueError:
            raise ConfigError(
                f"stars {fields[8]!r} is not a number", path=path, line=lineno
            ) from None
        r = Classified(*fields[:8], stars, *fields[9:])  # type: ignore[arg-type]
        problem = _row_problem(r)
        if problem is None and r.source not in sources:
            problem = f"source {r.source!r} is not described in a '# source' comment"
        if problem:
            raise ConfigError(problem, path=path, line=lineno)
        rows.append(r)
    if not version or not release:
        raise ConfigError("table without '# version:' and '# clinvar_release:' comments", path=path)
    return ClassificationTable(version, release, sources, tuple(rows), path=path)


def parse_custom(text: str, *, path: str) -> tuple[Classified, ...]:
    """A lab's own classifications: TSV with the columns :data:`CUSTOM_COLUMNS` (``build`` +
    ``allele`` as ``chrom:pos:ref:alt``, or ``hgvsc`` on the MANE transcript, or both)."""
    out: list[Classified] = []
    header = False
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if not header:
            if tuple(fields) != CUSTOM_COLUMNS:
                raise ConfigError(
                    f"header must be: {' '.join(CUSTOM_COLUMNS)}", path=path, line=lineno
                )
            header = True
            continue
        if len(fields) != len(CUSTOM_COLUMNS):
            raise ConfigError(
                f"{len(fields)} fields, {len(CUSTOM_COLUMNS)} expected", path=path, line=lineno
            )
        gene, build, allele, hgvsc, classification, reason, by, date = (f.strip() for f in fields)
        if allele and build not in ("GRCh37", "GRCh38"):
            raise ConfigError(
                f"build {build!r} must be GRCh37 or GRCh38 when an allele is given",
                path=path,
                line=lineno,
            )
        if not reason:
            raise ConfigError("a custom classification needs its reason", path=path, line=lineno)
        r = Classified(
            gene, allele if build == "GRCh37" else "", allele if build == "GRCh38" else "",
            hgvsc, "", "", classification, "lab", 4, "", "custom", date,
            reason=f"{reason} ({by})" if by else reason,
        )  # fmt: skip
        problem = _row_problem(r)
        if problem:
            raise ConfigError(problem, path=path, line=lineno)
        out.append(r)
    return tuple(out)


def default_table_path() -> Path:
    return RESOURCE_DIR / "brca_classifications.tsv.gz"


def read_table_text(path: str | Path) -> str:
    p = Path(path)
    if not p.is_file():
        raise ConfigError("the BRCA1/2 classification table does not exist", path=str(p))
    data = p.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8")


def load_table(path: str | Path) -> ClassificationTable:
    """Read the bundled (or a configured) table."""
    return parse_table(read_table_text(path), path=str(path))


@cache
def classification_table(path: str, custom: str | None = None) -> ClassificationTable:
    """The table at ``path`` with the custom list at ``custom`` on top (read once per process,
    on the first BRCA1/2 event: most patients never pay for it)."""
    table = load_table(path)
    if custom:
        p = Path(custom)
        if not p.is_file():
            raise ConfigError("the custom BRCA1/2 classification list does not exist", path=custom)
        rows = parse_custom(p.read_text(encoding="utf-8"), path=custom)
        table = ClassificationTable(
            table.version, table.release, table.sources, table.rows, table.path, rows, custom
        )
    return table


def render_table(rows: Iterable[Classified], header_lines: Sequence[str]) -> str:
    """The table text: comments, header, rows sorted by gene and GRCh38 position."""

    def key(r: Classified) -> tuple[str, int, str]:
        a = r.grch38 or r.grch37
        pos = int(a.split(":")[1]) if a else 0
        return (r.gene, pos, a + r.hgvsc)

    lines = [
        *header_lines,
        "\t".join(TABLE_COLUMNS),
        *("\t".join(r.row()) for r in sorted(rows, key=key)),
    ]
    return "\n".join(lines) + "\n"


@cache
def table_header(path: str) -> dict[str, object]:
    """What the table's comment lines state (version, release, counts per gene, intronic
    reach), read without the rows: every report names the table, few patients need its rows."""
    out: dict[str, object] = {"version": "", "release": "", "counts": {}, "intronic_reach": {}}
    counts: dict[str, str] = {}
    reach: dict[str, int] = {}
    opener = gzip.open if Path(path).read_bytes()[:2] == b"\x1f\x8b" else open
    with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
        for line in fh:
            if not line.startswith("#"):
                break
            body = line[1:].strip()
            if body.startswith("version:"):
                out["version"] = body.split(":", 1)[1].strip()
            elif body.startswith("clinvar_release:"):
                out["release"] = body.split(":", 1)[1].strip()
            elif body.startswith("counts "):
                gene, _, text = body[7:].partition(":")
                counts[gene.strip()] = text.strip()
            elif body.startswith("intronic_reach:"):
                for part in body.split(":", 1)[1].split(","):
                    gene, _, n = part.strip().partition("=")
                    if n.isdigit():
                        reach[gene] = int(n)
    out["counts"], out["intronic_reach"] = counts, reach
    return out


def table_intronic_reach(path: str) -> dict[str, int]:
    """Per gene, the deepest intronic P/LP or conflicting record (the table's header)."""
    reach = table_header(path)["intronic_reach"]
    assert isinstance(reach, dict)
    return dict(reach)
