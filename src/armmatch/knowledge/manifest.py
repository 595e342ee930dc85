"""The knowledge-resource manifest (``resources/manifest.tsv``): loading, checking, provenance.

Every bundled file under ``resources/`` has one manifest row (name, path, version, source, date,
licence, sha256). Before the first patient job the workflow recomputes every hash
(:func:`knowledge_record`): a bundled file changed without a manifest update stops the run with
the file, both hashes and the two remedies. A file the config names under ``resources:`` is
used instead of the bundled one; it is hashed and reported with origin ``custom``.

The record returned by :func:`knowledge_record` is stamped into every ``assignment.json``
(``provenance.knowledge``), every report and the batch summary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from armmatch.errors import ConfigError
from armmatch.io import fixed_tsv_rows, sha256_file, version_comment
from armmatch.knowledge.brca_lof import load_lof_rules
from armmatch.knowledge.brca_table import load_table, parse_custom
from armmatch.knowledge.drug_classes import load_drug_vocabulary
from armmatch.knowledge.hotspots import load_hotspots
from armmatch.knowledge.kinase_domains import load_kinase_rules
from armmatch.knowledge.loci import load_loci
from armmatch.knowledge.rule_table import load_rules
from armmatch.knowledge.table1 import load_table1
from armmatch.knowledge.transcripts import load_gene_models
from armmatch.schemas import load_schema, schema_errors

MANIFEST_NAME = "manifest.tsv"
COLUMNS = ("name", "path", "version", "source", "date", "licence", "sha256")


@dataclass(frozen=True)
class ManifestEntry:
    """One manifest row."""

    name: str
    path: str
    version: str
    source: str
    date: str
    licence: str
    sha256: str
    line: int = 0

    def row(self) -> list[str]:
        return [getattr(self, c) for c in COLUMNS]


@dataclass(frozen=True)
class Manifest:
    """The validated manifest: its comment lines (kept on rewrite), version and rows."""

    path: str
    version: str
    comments: tuple[str, ...]
    entries: tuple[ManifestEntry, ...]

    def entry(self, name: str) -> ManifestEntry:
        for e in self.entries:
            if e.name == name:
                return e
        raise ConfigError(
            f"no resource named {name!r} in the manifest "
            f"(names: {', '.join(e.name for e in self.entries)})",
            path=self.path,
        )

    @property
    def folder(self) -> Path:
        return Path(self.path).parent


def configurable_resources() -> tuple[str, ...]:
    """Resource names the config may point at a custom file (config ``resources:`` keys)."""
    props = load_schema("config")["properties"]["resources"]["properties"]
    return tuple(sorted(props))


def parse_manifest(text: str, *, path: str) -> Manifest:
    """Parse and validate manifest text (pure; ``path`` is used in messages).

    Raises
    ------
    ConfigError
        Naming the line: missing ``# manifest_version:``, bad header, a schema violation, a
        duplicate name or path.
    """
    comments = [raw for raw in text.splitlines() if raw.startswith("#")]
    entries: list[ManifestEntry] = []
    names: dict[str, int] = {}
    paths: dict[str, int] = {}
    schema = load_schema("manifest")
    for lineno, fields in fixed_tsv_rows(text, COLUMNS, path=path, error=ConfigError):
        rec = dict(zip(COLUMNS, fields, strict=True))
        errors = schema_errors(rec, schema, fill_defaults=False)
        if errors:
            raise ConfigError("; ".join(errors), path=path, line=lineno)
        for key, seen in (("name", names), ("path", paths)):
            if rec[key] in seen:
                raise ConfigError(
                    f"duplicate {key} {rec[key]!r} (first on line {seen[rec[key]]})",
                    path=path,
                    line=lineno,
                )
            seen[rec[key]] = lineno
        entries.append(ManifestEntry(**rec, line=lineno))
    version = version_comment(text, "manifest_version", path=path, error=ConfigError)
    return Manifest(path=path, version=version, comments=tuple(comments), entries=tuple(entries))


def load_manifest(path: str | Path) -> Manifest:
    """Read and validate the manifest file."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError("the resource manifest does not exist", path=str(p))
    return parse_manifest(p.read_text(encoding="utf-8"), path=str(p))


def render_manifest(manifest: Manifest) -> str:
    """The manifest as text: comment lines, header, rows sorted by name (deterministic)."""
    lines = list(manifest.comments) + ["\t".join(COLUMNS)]
    lines += ["\t".join(e.row()) for e in sorted(manifest.entries, key=lambda e: e.name)]
    return "\n".join(lines) + "\n"


def with_version(manifest: Manifest, version: str) -> Manifest:
    """The manifest with ``# manifest_version:`` set to ``version``."""
    comments = tuple(
        f"# manifest_version: {version}" if re.match(r"#\s*manifest_version:", c) else c
        for c in manifest.comments
    )
    return replace(manifest, version=version, comments=comments)


def updated_entries(
    manifest: Manifest, names: Iterable[str], changes: Mapping[str, Mapping[str, str]] | None = None
) -> Manifest:
    """The manifest with the sha256 of ``names`` recomputed from their files (and any field
    in ``changes[name]``, e.g. a new version or date, applied)."""
    wanted = set(names)
    unknown = wanted - {e.name for e in manifest.entries}
    if unknown:
        manifest.entry(sorted(unknown)[0])  # raises, naming the valid names
    out = []
    for e in manifest.entries:
        if e.name in wanted:
            fields: dict[str, Any] = dict((changes or {}).get(e.name, {}))
            fields["sha256"] = sha256_file(manifest.folder / e.path)
            e = replace(e, **fields)
        out.append(e)
    return replace(manifest, entries=tuple(out))


def unlisted_files(manifest: Manifest, present: Sequence[str]) -> list[str]:
    """Files under the manifest's folder (relative paths) that no manifest row lists."""
    listed = {e.path for e in manifest.entries} | {MANIFEST_NAME}
    return sorted(p for p in present if p not in listed)


def _mismatch_message(entry: ManifestEntry, actual: str, manifest: Manifest) -> str:
    remedies = (
        f"after checking the edit is intended, record it with `armmatch manifest --update "
        f"{entry.name}` (or rerun `armmatch update-resources`)"
    )
    if entry.name in configurable_resources():
        remedies += (
            f", or leave the bundled file as it was and point config `resources.{entry.name}` "
            "at your own copy (it is then hashed and reported as custom)"
        )
    else:
        remedies += ", or restore the bundled file"
    return (
        f"resource {entry.name!r} was modified without a manifest update: its sha256 is "
        f"{actual} but {manifest.path} line {entry.line} records {entry.sha256}; {remedies}"
    )


def check_bundled(
    manifest: Manifest, *, skip: Iterable[str] = (), present: Sequence[str] | None = None
) -> dict[str, str]:
    """Recompute the sha256 of every bundled file (except the ``skip`` names); return them.

    ``present`` (relative paths of every file under the manifest's folder) adds the check that
    no bundled file is missing from the manifest.

    Raises
    ------
    ConfigError
        Naming the file: missing, modified (both hashes and the remedies), or not listed.
    """
    skipped = set(skip)
    hashes: dict[str, str] = {}
    for e in manifest.entries:
        if e.name in skipped:
            continue
        file = manifest.folder / e.path
        if not file.is_file():
            raise ConfigError(
                f"resource {e.name!r} listed on line {e.line} of {manifest.path} does not exist",
                path=str(file),
            )
        actual = sha256_file(file)
        if actual != e.sha256:
            raise ConfigError(_mismatch_message(e, actual, manifest), path=str(file))
        hashes[e.name] = actual
    if present is not None:
        extra = unlisted_files(manifest, present)
        if extra:
            raise ConfigError(
                f"bundled file(s) {', '.join(extra)} are not in the manifest: add a row for "
                "each (name, path, version, source, date, licence, sha256)",
                path=manifest.path,
            )
    return hashes


def _readers() -> dict[str, Any]:
    """armmatch's own reader of each configurable resource (imported when needed)."""

    return {
        "brca_classifications": load_table,
        "brca_lof_rules": load_lof_rules,
        "loci_grch37": load_loci,
        "loci_grch38": load_loci,
        "drug_classes": load_drug_vocabulary,
        "hotspots": lambda p: load_hotspots(Path(p)),
        "kinase_domains": load_kinase_rules,
        "rule_table": load_rules,
        "table1": load_table1,
        "transcripts_grch37": lambda p: load_gene_models(Path(p)),
        "transcripts_grch38": lambda p: load_gene_models(Path(p)),
    }


def check_custom_files(custom: Mapping[str, str | None]) -> None:
    """Read every custom resource file with armmatch's own reader, so that a malformed one stops
    the run before the first patient job, with the reader's message (file, line, problem)."""
    readers = _readers()
    for name, path in sorted(custom.items()):
        if path and name in readers:
            readers[name](path)


def check_brca_custom(path: str) -> None:
    """Read the lab's BRCA1/2 classification list with armmatch's own reader."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError("brca_classification.custom does not exist", path=path)
    parse_custom(p.read_text(encoding="utf-8"), path=path)


def knowledge_record(
    manifest: Manifest,
    custom: Mapping[str, str | None],
    *,
    present: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Check the bundled resources and describe every resource used (``provenance.knowledge``).

    ``custom`` maps resource names to a user file or None (bundled). A custom file replaces the
    bundled one: it is hashed, reported with origin ``custom`` and not checked against the
    manifest.

    Raises
    ------
    ConfigError
        A custom name that is not configurable or a custom file that does not exist, or any
        problem :func:`check_bundled` finds.
    """
    allowed = set(configurable_resources())
    used = {n: p for n, p in custom.items() if p}
    for name, path in sorted(used.items()):
        if name not in allowed:
            raise ConfigError(
                f"resources.{name} cannot be replaced (configurable: {', '.join(sorted(allowed))})",
                path="config",
            )
        manifest.entry(name)
        if not Path(path).is_file():
            raise ConfigError(f"custom resource {name!r} does not exist", path=path)
    hashes = check_bundled(manifest, skip=used, present=present)
    rows: list[dict[str, str]] = []
    for e in sorted(manifest.entries, key=lambda e: e.name):
        if e.name in used:
            p = used[e.name]
            rows.append(
                {"name": e.name, "path": p, "version": "custom", "source": f"user file {p}",
                 "date": "", "licence": "", "sha256": sha256_file(p), "origin": "custom"}
            )  # fmt: skip
        else:
            rows.append(
                {"name": e.name, "path": e.path, "version": e.version, "source": e.source,
                 "date": e.date, "licence": e.licence, "sha256": hashes[e.name],
                 "origin": "bundled"}
            )  # fmt: skip
    return {
        "manifest": {
            "path": MANIFEST_NAME,
            "version": manifest.version,
            "sha256": sha256_file(manifest.path),
        },
        "resources": rows,
    }


def resource_files(folder: str | Path) -> list[str]:
    """Relative paths of every regular file under ``folder`` (dot-files and folders skipped)."""
    root = Path(folder)
    out = []
    for p in root.rglob("*"):
        rel = p.relative_to(root)
        if p.is_file() and not any(part.startswith(".") for part in rel.parts):
            out.append(rel.as_posix())
    return sorted(out)


def knowledge_rows(record: Mapping[str, Any]) -> list[tuple[str, str, str, str, str, str, str]]:
    """Table rows (name, origin, version, date, source, licence, sha256) for the reports."""
    return [
        (r["name"], r["origin"], r["version"], r["date"] or "-", r["source"],
         r["licence"] or "-", r["sha256"])
        for r in record.get("resources", [])
    ]  # fmt: skip
