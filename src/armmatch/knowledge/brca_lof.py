"""The ENIGMA VCEP loss-of-function rules for BRCA1/2 truncating variants that the
classification table does not classify (``resources/brca_lof_rules.tsv``).

Two kinds of row, each with a verdict ``count`` (counts for the arm), ``review`` (for the board:
the specifications give loss of function only at moderate or supporting weight, or their
renderings disagree) or ``no`` (the specifications say loss of function does not apply):

* ``ptc``: a premature termination codon whose first base lies in ``c.START..c.END`` (MANE
  numbering), by exon and by the last pathogenic termination codon;
* ``splice``: a canonical splice-site substitution (``c.548-1``, base ``A`` on the transcript
  strand), decided site by site.

Data, never code: built from the specifications' facts by :mod:`armmatch.knowledge.build.brca_lof`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from armmatch.errors import ConfigError
from armmatch.io import fixed_tsv_rows, version_comment
from armmatch.paths import RESOURCE_DIR

LOF_COLUMNS = ("gene", "kind", "where", "alt", "verdict", "strength", "note")
VERDICTS = ("count", "review", "no")


@dataclass(frozen=True)
class LofRule:
    gene: str
    kind: str
    where: str
    alt: str
    verdict: str
    strength: str
    note: str
    line: int

    @property
    def span(self) -> tuple[int, int]:
        a, b = self.where.split("..")
        return int(a.removeprefix("c.")), int(b.removeprefix("c."))


@dataclass(frozen=True)
class LofRules:
    path: str
    version: str
    rules: tuple[LofRule, ...]

    def ptc(self, gene: str, c_pos: int) -> LofRule | None:
        """The rule of a termination codon whose first base is ``c.c_pos``."""
        for r in self.rules:
            if r.gene == gene and r.kind == "ptc":
                lo, hi = r.span
                if lo <= c_pos <= hi:
                    return r
        return None

    def splice(self, gene: str, site: str, alt: str) -> LofRule | None:
        """The rule of a canonical splice-site substitution (``site`` = ``548-1``)."""
        for r in self.rules:
            if r.gene == gene and r.kind == "splice" and r.where == f"c.{site}" and r.alt == alt:
                return r
        return None


_SPAN = re.compile(r"c\.\d+\.\.c\.\d+")
_SITE = re.compile(r"c\.-?\d+[+-][12]")


def parse_lof_rules(text: str, *, path: str) -> LofRules:
    rules: list[LofRule] = []
    for lineno, fields in fixed_tsv_rows(text, LOF_COLUMNS, path=path, error=ConfigError):
        gene, kind, where, alt, verdict, strength, note = fields
        r = LofRule(gene, kind, where, alt, verdict, strength, note, lineno)
        if r.gene not in ("BRCA1", "BRCA2"):
            raise ConfigError(f"gene {r.gene!r} is not BRCA1 or BRCA2", path=path, line=lineno)
        if r.verdict not in VERDICTS:
            raise ConfigError(
                f"verdict {r.verdict!r} is not one of {', '.join(VERDICTS)}", path=path, line=lineno
            )
        if r.kind == "ptc" and not _SPAN.fullmatch(r.where):
            raise ConfigError(
                f"ptc where {r.where!r} must be c.START..c.END", path=path, line=lineno
            )
        if r.kind == "splice" and (not _SITE.fullmatch(r.where) or r.alt not in tuple("ACGT")):
            raise ConfigError(
                f"splice where {r.where!r} / alt {r.alt!r} must be a +/-1,2 site and a base",
                path=path, line=lineno,
            )  # fmt: skip
        if r.kind not in ("ptc", "splice"):
            raise ConfigError(f"kind {r.kind!r} is not ptc or splice", path=path, line=lineno)
        rules.append(r)
    version = version_comment(text, "brca_lof_version", path=path, error=ConfigError)
    return LofRules(path, version, tuple(rules))


def default_lof_path() -> Path:
    return RESOURCE_DIR / "brca_lof_rules.tsv"


def load_lof_rules(path: str | Path) -> LofRules:
    p = Path(path)
    if not p.is_file():
        raise ConfigError("the BRCA1/2 loss-of-function rules do not exist", path=str(p))
    return parse_lof_rules(p.read_text(encoding="utf-8"), path=str(p))


@cache
def lof_rules(path: str) -> LofRules:
    return load_lof_rules(path)
