"""The BRCA1/2 classification table (``resources/brca_classifications.tsv``) and a lab's own
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
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache, cached_property
from pathlib import Path

from armmatch.errors import ConfigError
from armmatch.io import fixed_tsv_rows
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


class ClassificationTable:
    """The bundled table (and a lab's list on top).

    The data lines are kept as text, sorted by gene and GRCh38 position (the GRCh37 positions
    rise with them: one LRG alignment per gene); :meth:`at` finds an allele's rows by binary
    search, so a job that meets a BRCA1/2 event pays for reading the file, not for parsing
    25,000 rows. :attr:`rows` parses every row (builders, tests, the updater's diff).
    """

    def __init__(
        self,
        version: str,
        release: str,
        sources: Mapping[str, str],
        lines: Sequence[str],
        path: str = "",
        custom: Sequence[Classified] = (),
        custom_path: str = "",
    ) -> None:
        self.version, self.release, self.sources = version, release, dict(sources)
        self.lines = list(lines)
        self.path, self.custom_path = path, custom_path
        self._blocks: dict[str, tuple[int, int]] = {}
        for gene in ("BRCA1", "BRCA2"):  # the rows are sorted by gene: each gene is one block
            lo = bisect_left(self.lines, gene + "\t")
            hi = bisect_left(self.lines, gene + "\u0009\uffff")
            self._blocks[gene] = (lo, hi)
        self.custom = tuple(self._named(r) for r in custom)

    @cached_property
    def rows(self) -> tuple[Classified, ...]:
        return tuple(row_from_line(line) for line in self.lines)

    def _named(self, r: Classified) -> Classified:
        """A lab row names its variant as the bundled row of its allele does."""
        if r.hgvsp:
            return r
        for build in ("GRCh37", "GRCh38"):
            if r.allele(build):
                chrom, pos, ref, alt = r.allele(build).split(":")
                same = next((x for x in self.at(build, r.gene, int(pos))
                             if x.allele(build) == r.allele(build)), None)  # fmt: skip
                if same is not None:
                    return replace(r, hgvsc=r.hgvsc or same.hgvsc, hgvsp=same.hgvsp,
                                   variant_type=same.variant_type, grch37=r.grch37 or same.grch37,
                                   grch38=r.grch38 or same.grch38)  # fmt: skip
        return r

    def at(self, build: str, gene: str, pos1: int, end1: int | None = None) -> list[Classified]:
        """The rows of ``gene`` whose ``build`` allele (VCF style) starts at ``pos1`` .. ``end1``."""
        lo, hi = self._blocks.get(gene, (0, 0))
        col = 1 if build == "GRCh37" else 2
        last = pos1 if end1 is None else end1

        def position(line: str) -> int:
            allele = line.split("\t", col + 1)[col]
            return int(allele.split(":", 2)[1]) if allele else -1

        i = bisect_left(self.lines, pos1, lo, hi, key=position)
        out = []
        while i < hi and position(self.lines[i]) <= last:
            out.append(row_from_line(self.lines[i]))
            i += 1
        return out

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
            "variants": len(self.lines),
            "by_gene": {g: hi - lo for g, (lo, hi) in sorted(self._blocks.items()) if hi > lo},
            "custom_rows": len(self.custom),
        }


def row_from_line(line: str) -> Classified:
    f = line.split("\t")
    return Classified(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], int(f[8]), f[9], f[10], f[11])


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


def parse_table(text: str, *, path: str, validate: bool = True) -> ClassificationTable:
    """Parse the table (comments ``# version:``, ``# clinvar_release:``, ``# source KEY: text``,
    then the header and the rows sorted by gene and position).

    ``validate=False`` (a patient job reading the bundled file, whose sha256 the run checked
    before the first job) keeps the rows as text; ``True`` (the manifest check, a custom file,
    the builders) checks every row and the order.

    Raises
    ------
    ConfigError
        Naming the file and line.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    version = release = ""
    sources: dict[str, str] = {}
    n = 0
    while n < len(lines) and lines[n].startswith("#"):
        body = lines[n][1:].strip()
        if body.startswith("version:"):
            version = body.split(":", 1)[1].strip()
        elif body.startswith("clinvar_release:"):
            release = body.split(":", 1)[1].strip()
        elif body.startswith("source "):
            key, _, desc = body[7:].partition(":")
            sources[key.strip()] = desc.strip()
        n += 1
    if n >= len(lines) or tuple(lines[n].split("\t")) != TABLE_COLUMNS:
        raise ConfigError(f"header must be: {' '.join(TABLE_COLUMNS)}", path=path, line=n + 1)
    if not version or not release:
        raise ConfigError("table without '# version:' and '# clinvar_release:' comments", path=path)
    data = lines[n + 1 :]
    if validate:
        _check_rows(data, sources, path=path, first_line=n + 2)
    return ClassificationTable(version, release, sources, data, path=path)


def _check_rows(
    data: Sequence[str], sources: Mapping[str, str], *, path: str, first_line: int
) -> None:
    last: tuple[str, int, int] = ("", 0, 0)
    for lineno, line in enumerate(data, first_line):
        fields = line.split("\t")
        if len(fields) != len(TABLE_COLUMNS):
            raise ConfigError(
                f"{len(fields)} fields, {len(TABLE_COLUMNS)} expected", path=path, line=lineno
            )
        if not fields[8].isdigit():
            raise ConfigError(f"stars {fields[8]!r} is not a number", path=path, line=lineno)
        r = row_from_line(line)
        problem = _row_problem(r)
        if problem is None and r.source not in sources:
            problem = f"source {r.source!r} is not described in a '# source' comment"
        if problem is None:
            p38, p37 = (int(a.split(":")[1]) if a else 0 for a in (r.grch38, r.grch37))
            if r.gene == last[0] and (p38 < last[1] or (p37 and p37 < last[2])):
                problem = "rows must be sorted by gene and position (both builds' positions rise)"
            last = (r.gene, p38, p37 or (last[2] if r.gene == last[0] else 0))
        if problem:
            raise ConfigError(problem, path=path, line=lineno)
    genes = [line.split("\t", 1)[0] for line in data]
    if genes != sorted(genes):
        raise ConfigError("rows must be sorted by gene", path=path)


def parse_custom(text: str, *, path: str) -> tuple[Classified, ...]:
    """A lab's own classifications: TSV with the columns :data:`CUSTOM_COLUMNS` (``build`` +
    ``allele`` as ``chrom:pos:ref:alt``, or ``hgvsc`` on the MANE transcript, or both)."""
    out: list[Classified] = []
    for lineno, fields in fixed_tsv_rows(text, CUSTOM_COLUMNS, path=path, error=ConfigError):
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
    return RESOURCE_DIR / "brca_classifications.tsv"


def read_table_text(path: str | Path) -> str:
    p = Path(path)
    if not p.is_file():
        raise ConfigError("the BRCA1/2 classification table does not exist", path=str(p))
    data = p.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8")


def load_table(path: str | Path, *, validate: bool = True) -> ClassificationTable:
    """Read the bundled (or a configured) table."""
    return parse_table(read_table_text(path), path=str(path), validate=validate)


@cache
def classification_table(path: str, custom: str | None = None) -> ClassificationTable:
    """The table at ``path`` with the lab's list at ``custom`` on top (read once per process,
    on the first BRCA1/2 event: most patients never pay for it). The rows are not re-checked
    here: the run checked the bundled file's sha256, and read a custom table and the lab's list
    with the validating reader, before the first patient job."""
    table = load_table(path, validate=False)
    if custom:
        p = Path(custom)
        if not p.is_file():
            raise ConfigError("the custom BRCA1/2 classification list does not exist", path=custom)
        rows = parse_custom(p.read_text(encoding="utf-8"), path=custom)
        table = ClassificationTable(
            table.version, table.release, table.sources, table.lines, table.path, rows, custom
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
    with Path(path).open("rb") as fh:
        raw = fh.read(1 << 16)  # the comment lines lie in the first 64 kB
    head = gzip.decompress(Path(path).read_bytes()) if raw[:2] == b"\x1f\x8b" else raw
    for line in head.decode("utf-8", "replace").split("\n"):
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
