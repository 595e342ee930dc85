"""Opt-in update of the knowledge resources from their public sources (``update-resources``).

Nothing here runs in a batch: the workflow never imports this module except in the opt-in
``update_resources`` rule, and the pipeline never touches the network otherwise.

The update is all-or-nothing:

1. every source of ``resources/update_sources.tsv`` is downloaded into a work folder
   (:func:`download`: timeouts, retries with backoff, resume of a partial ``.part`` file with an
   HTTP ``Range`` request, the size the server announced, and the publisher's checksum sidecar);
2. the resources fed by a source are rebuilt in a staging folder (ClinVar ->
   ``brca_classifications.tsv``), the others compared with what is bundled;
3. only then are the rebuilt files and the manifest moved into place (manifest last), and a
   diff report written ("ClinVar: 214 BRCA2 variants added, 3 removed, 5 reclassified").

A failure at any step raises :class:`UpdateError` and leaves ``resources/`` untouched.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from armmatch.errors import ArmmatchError, ConfigError
from armmatch.io import fixed_tsv_rows, sha256_file, write_text_atomic
from armmatch.knowledge.brca_table import load_table, render_table
from armmatch.knowledge.build.brca import BuildInputs, intronic_reach
from armmatch.knowledge.build.clinvar import diff_tables, read_clinvar_rows, rows_from_clinvar
from armmatch.knowledge.build.transcripts import read_mane_select
from armmatch.knowledge.loci import bundled_loci
from armmatch.knowledge.manifest import (
    load_manifest,
    render_manifest,
    updated_entries,
    with_version,
)
from armmatch.knowledge.transcripts import gene_models, load_gene_models

SOURCE_COLUMNS = ("name", "url", "mirror_path", "checksum", "feeds", "label")


class UpdateError(ArmmatchError):
    """A download or rebuild failed; no resource was replaced."""


@dataclass(frozen=True)
class Source:
    """One row of ``resources/update_sources.tsv``."""

    name: str
    url: str
    mirror_path: str
    checksum: str
    feeds: str
    label: str

    def location(self, base_url: str | None) -> str:
        """The URL to fetch: the public one, or ``<base_url>/<mirror_path>`` for a mirror."""
        return f"{base_url.rstrip('/')}/{self.mirror_path}" if base_url else self.url


@dataclass(frozen=True)
class Download:
    """A finished download."""

    source: Source
    url: str
    path: Path
    sha256: str
    size: int
    last_modified: str
    """YYYY-MM-DD from the server's Last-Modified header, or empty."""


@dataclass(frozen=True)
class Policy:
    """Network behaviour of :func:`download`."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 4
    backoff: float = 2.0
    """Seconds before the second try; doubled before each later one."""
    chunk: int = 1 << 16


def parse_sources(text: str, *, path: str) -> list[Source]:
    """Parse ``update_sources.tsv`` text (pure)."""
    out: list[Source] = []
    for lineno, fields in fixed_tsv_rows(text, SOURCE_COLUMNS, path=path, error=ConfigError):
        src = Source(*fields)
        if not re.match(r"https?://", src.url) or ".." in src.mirror_path.split("/"):
            raise ConfigError(
                f"source {src.name!r}: url must be http(s) and mirror_path relative",
                path=path,
                line=lineno,
            )
        if src.checksum not in ("-", "md5", "sha256"):
            raise ConfigError(
                f"source {src.name!r}: checksum must be -, md5 or sha256", path=path, line=lineno
            )
        out.append(src)
    return out


def load_sources(path: str | Path) -> list[Source]:
    p = Path(path)
    if not p.is_file():
        raise ConfigError("the update source list does not exist", path=str(p))
    return parse_sources(p.read_text(encoding="utf-8"), path=str(p))


# ---------------------------------------------------------------------------------------------
# download
# ---------------------------------------------------------------------------------------------


def _http_date(value: str | None) -> str:
    if not value:
        return ""
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError):
        return ""


def _total_size(response: Any, offset: int) -> int | None:
    """The full size the server announced (Content-Range on 206, Content-Length on 200)."""
    if response.status_code == 206:
        m = re.match(r"bytes \d+-\d+/(\d+)", response.headers.get("Content-Range", ""))
        return int(m.group(1)) if m else None
    length = response.headers.get("Content-Length")
    return int(length) if length and length.isdigit() else None


def download(
    session: Any,
    url: str,
    dest: Path,
    *,
    policy: Policy = Policy(),
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[int, str]:
    """Fetch ``url`` to ``dest`` (complete, or not at all); return (size, Last-Modified date).

    Bytes arrive in ``dest.part``; a connection that breaks (a truncated body, a timeout, a
    5xx) is retried after a backoff, asking for the rest with ``Range: bytes=<have>-`` (a
    server that ignores it sends everything again). ``dest`` appears only when the announced
    size was received.

    Raises
    ------
    UpdateError
        After the last try, or at once on a 4xx: naming the URL, the tries and the last error.
    """
    import requests

    part = dest.with_name(dest.name + ".part")
    dest.parent.mkdir(parents=True, exist_ok=True)
    last_error = "no attempt"
    for attempt in range(policy.retries + 1):
        if attempt:
            sleep(policy.backoff * 2 ** (attempt - 1))
        have = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        try:
            with session.get(
                url,
                headers=headers,
                stream=True,
                timeout=(policy.connect_timeout, policy.read_timeout),
            ) as r:
                if r.status_code == 416 and have:  # the part is already complete
                    part.unlink()
                    last_error = "HTTP 416 for the partial download: restarting"
                    continue
                if 400 <= r.status_code < 500 and r.status_code != 429:
                    raise UpdateError(f"{url}: HTTP {r.status_code} {r.reason}")
                if r.status_code >= 400:
                    last_error = f"HTTP {r.status_code} {r.reason}"
                    continue
                resumed = r.status_code == 206
                total = _total_size(r, have)
                with open(part, "ab" if resumed else "wb") as fh:
                    for block in r.iter_content(chunk_size=policy.chunk):
                        fh.write(block)
                size = part.stat().st_size
                if total is not None and size != total:
                    last_error = f"received {size} of {total} bytes"
                    continue
                os.replace(part, dest)
                return size, _http_date(r.headers.get("Last-Modified"))
        except UpdateError:
            raise
        except requests.RequestException as err:
            last_error = f"{type(err).__name__}: {err}"
    raise UpdateError(
        f"{url}: download failed after {policy.retries + 1} tries ({last_error}); "
        "nothing was replaced and the partial file is kept to resume next time"
    )


def verify_checksum(session: Any, source: Source, url: str, path: Path, policy: Policy) -> None:
    """Compare ``path`` with the publisher's ``<url>.md5`` / ``<url>.sha256`` sidecar."""
    if source.checksum == "-":
        return
    sidecar_url = f"{url}.{source.checksum}"
    sidecar = path.with_name(path.name + f".{source.checksum}")
    download(session, sidecar_url, sidecar, policy=policy)
    expected = (
        sidecar.read_text(encoding="utf-8").split()[0].lower() if sidecar.stat().st_size else ""
    )
    h = hashlib.md5() if source.checksum == "md5" else hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    if h.hexdigest() != expected:
        path.unlink()
        raise UpdateError(
            f"{url}: {source.checksum} {h.hexdigest()} does not match the published "
            f"{expected or '(empty)'} ({sidecar_url}); the download was discarded"
        )


# ---------------------------------------------------------------------------------------------
# rebuild and replace
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UpdateResult:
    report: str
    replaced: tuple[str, ...]
    downloads: tuple[Download, ...]


def _rebuild_brca(d: Download, current: Path, staged: Path, version: str) -> tuple[str, list[str]]:
    """Build the BRCA1/2 classification table from ClinVar into ``staged`` (gzip); return
    (summary line, details)."""

    builds = ("GRCh37", "GRCh38")
    inputs = BuildInputs(
        models={b: dict(gene_models(b).models) for b in builds},
        loci={b: bundled_loci(b) for b in builds},
        lrg={},
    )
    new = rows_from_clinvar(read_clinvar_rows(d.path), inputs, "clinvar")
    if not new:
        raise UpdateError(
            f"{d.url}: no BRCA1/2 classification found; the file does not look like ClinVar's "
            "variant_summary"
        )
    old = list(load_table(current).rows) if current.is_file() else []
    counts: dict[str, dict[str, int]] = {}
    for r in new:
        g = counts.setdefault(r.gene, {})
        g[r.classification] = g.get(r.classification, 0) + 1
    reach = intronic_reach(new)
    header = [
        "# armmatch BRCA1/2 classification table: ClinVar classifications of BRCA1/2 variants, "
        "normalised in both builds and named on the MANE transcripts",
        "# by armmatch's own classifier; built by armmatch update-resources "
        "(armmatch.knowledge.build.clinvar.rows_from_clinvar).",
        f"# version: {version}",
        f"# clinvar_release: {d.last_modified or 'download date ' + version}",
        f"# source clinvar: ClinVar variant_summary.txt ({d.source.url}); sha256={d.sha256}",
        *(f"# counts {g}: {sum(by.values())} variants: "
          + ", ".join(f"{k} {v}" for k, v in sorted(by.items())) for g, by in sorted(counts.items())),
        "# intronic_reach: " + ", ".join(f"{g}={n}" for g, n in reach.items()),
    ]  # fmt: skip
    write_text_atomic(staged, render_table(new, header))
    diff = diff_tables(old, new)
    parts = [
        f"{n['added']} {g} variants added, {n['removed']} removed, {n['reclassified']} reclassified"
        for g, n in diff.items()
    ]
    return f"{d.source.label}: " + "; ".join(parts), [f"{len(new)} variants in the new table"]


def compare_mane(d: Download, models_path: Path) -> str:
    """How the downloaded MANE summary differs from the bundled transcripts' choice."""

    mane = read_mane_select(d.path)
    models = load_gene_models(models_path)
    changed, absent = [], []
    for gene in models.genes():
        model = models.get(gene)
        entry = mane.get(gene)
        if model is None:
            continue
        if entry is None:
            absent.append(gene)
        elif entry.refseq_nm != model.transcript:
            changed.append(f"{gene} {model.transcript} -> {entry.refseq_nm}")
    text = (
        f"{d.source.label}: {len(models.genes())} bundled genes, {len(changed)} whose MANE "
        f"Select differs from the bundled transcript"
    )
    if changed:
        text += " (" + ", ".join(changed) + "; rebuild with scripts/build_transcript_models.py)"
    if absent:
        text += f"; not MANE Select: {', '.join(absent)}"
    return text


def _describe_download(d: Download, previous: Mapping[str, str]) -> str:
    before = previous.get(d.source.name)
    if before is None:
        change = "new download"
    elif before == d.sha256:
        change = "unchanged"
    else:
        change = f"changed (sha256 {before[:12]} -> {d.sha256[:12]})"
    when = f", published {d.last_modified}" if d.last_modified else ""
    return f"{d.source.label}: {change} ({d.size} bytes{when})"


def update_resources(
    resources_dir: Path,
    work_dir: Path,
    *,
    base_url: str | None = None,
    policy: Policy = Policy(),
    session: Any = None,
    today: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
    only: Sequence[str] | None = None,
) -> UpdateResult:
    """Download every source, rebuild what they feed, then replace resources and manifest.

    ``work_dir`` keeps the downloads (``sources/<mirror_path>``, resumable) and the record of
    their hashes (``sources.sha256``) used by the next update's diff. ``today`` (YYYY-MM-DD)
    dates the rebuilt resources when the server gives no Last-Modified date.
    """

    import requests

    manifest = load_manifest(resources_dir / "manifest.tsv")
    sources = load_sources(resources_dir / manifest.entry("update_sources").path)
    if only:
        sources = [s for s in sources if s.name in set(only)]
    day = today or datetime.date.today().isoformat()
    sess = session or requests.Session()
    sess.headers.setdefault("User-Agent", "armmatch-update-resources")
    downloads: list[Download] = []
    for src in sources:
        url = src.location(base_url)
        path = work_dir / "sources" / src.mirror_path
        size, modified = download(sess, url, path, policy=policy, sleep=sleep)
        verify_checksum(sess, src, url, path, policy)
        downloads.append(Download(src, url, path, sha256_file(path), size, modified))
    lock = work_dir / "sources.sha256"
    previous = _read_lock(lock)
    staging = work_dir / "staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    lines = [f"# armmatch update-resources report ({day})", ""]
    staged: dict[str, Path] = {}
    changes: dict[str, dict[str, str]] = {}
    for d in downloads:
        lines.append(f"- {_describe_download(d, previous)}")
        if d.source.feeds == "brca_classifications":
            entry = manifest.entry("brca_classifications")
            date = d.last_modified or day
            version = f"clinvar-{date}"
            target = staging / entry.path
            summary, details = _rebuild_brca(d, resources_dir / entry.path, target, version)
            lines.append(f"- {summary} ({'; '.join(details)})")
            staged["brca_classifications"] = target
            changes["brca_classifications"] = {
                "version": version,
                "date": date,
                "source": f"ClinVar variant_summary ({d.source.url}) via armmatch update-resources",
            }
        elif d.source.feeds.startswith("compare:"):
            entry = manifest.entry(d.source.feeds.split(":", 1)[1])
            lines.append(f"- {compare_mane(d, resources_dir / entry.path)}")
        elif d.source.feeds != "-":
            raise UpdateError(f"source {d.source.name}: no builder for {d.source.feeds!r}")
    # everything succeeded: move the rebuilt files into place, the manifest last
    for name, path in staged.items():
        target = resources_dir / manifest.entry(name).path
        write_text_atomic(target, path.read_text(encoding="utf-8"))  # atomic in resources/
    if staged:
        new_manifest = with_version(updated_entries(manifest, staged, changes), f"{day}-update")
        write_text_atomic(manifest.path, render_manifest(new_manifest))
    _write_lock(lock, {d.source.name: d.sha256 for d in downloads}, previous)
    lines.append("")
    lines.append(
        f"Replaced: {', '.join(sorted(staged)) or 'nothing'}; manifest "
        f"{'updated' if staged else 'unchanged'}. Transcript and hotspot tables are rebuilt "
        "from the downloaded sources by scripts/build_transcript_models.py."
    )
    report = "\n".join(lines) + "\n"
    write_text_atomic(work_dir / "update-report.md", report)
    return UpdateResult(report, tuple(sorted(staged)), tuple(downloads))


def _read_lock(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "\t" in line and not line.startswith("#"):
            name, digest = line.split("\t", 1)
            out[name] = digest
    return out


def _write_lock(path: Path, hashes: Mapping[str, str], previous: Mapping[str, str]) -> None:
    merged = {**previous, **hashes}
    write_text_atomic(path, "".join(f"{k}\t{v}\n" for k, v in sorted(merged.items())))
