"""Optional OncoKB evidence levels for the report (config ``oncokb.enabled``; off by default).

The lookup runs after the arm decision and only adds a note ``OncoKB: ...`` to events: it never
changes which rules fire or which arm is chosen (the protocol decides). The API token comes from
the environment variable :data:`TOKEN_VARIABLE`, never from the config; each answer is cached as
JSON under ``oncokb.cache`` (keyed by the query), so a rerun makes no request and gives the same
report. Network errors are reported on the event ("OncoKB: lookup failed ...") rather than
stopping the assessment.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from armmatch.errors import ConfigError
from armmatch.events import Event
from armmatch.hgvs import parse_protein_change
from armmatch.io import write_text_atomic

TOKEN_VARIABLE = "ONCOKB_API_TOKEN"
NOTE_PREFIX = "OncoKB: "

Fetch = Callable[[str, Mapping[str, str]], Mapping[str, Any]]
"""(endpoint path, query parameters) -> the decoded JSON answer."""


@dataclass(frozen=True)
class OncokbSettings:
    enabled: bool = False
    base_url: str = "https://www.oncokb.org/api/v1"
    cache: str = ".oncokb-cache"
    timeout: float = 20.0


def settings_from(config: Mapping[str, Any]) -> OncokbSettings:
    """The ``oncokb`` config block (already schema-validated) as settings."""
    c = config or {}
    return OncokbSettings(
        enabled=bool(c.get("enabled", False)),
        base_url=str(c.get("base_url", OncokbSettings.base_url)),
        cache=str(c.get("cache") or OncokbSettings.cache),
        timeout=float(c.get("timeout", OncokbSettings.timeout)),
    )


def token_from_env(environ: Mapping[str, str]) -> str:
    """The API token, or a ConfigError saying how to provide it."""
    token = environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        raise ConfigError(
            f"oncokb.enabled is true but the environment variable {TOKEN_VARIABLE} is not set: "
            "export your OncoKB API token, or set oncokb.enabled: false",
            path="config",
        )
    return token


def query_for(event: Event) -> tuple[str, dict[str, str]] | None:
    """The OncoKB endpoint and parameters for one called event, or None when not queryable."""
    if event.status != "called":
        return None
    if event.category == "mutation" and event.hgvsp:
        try:
            change = parse_protein_change(event.hgvsp)
        except ValueError:
            return None
        return (
            "/annotate/mutations/byProteinChange",
            {"hugoSymbol": event.gene, "alteration": change.short},
        )
    if event.category == "cnv" and event.cnv_call in ("amplification", "homozygous_deletion"):
        kind = "AMPLIFICATION" if event.cnv_call == "amplification" else "DELETION"
        return (
            "/annotate/copyNumberAlterations",
            {"hugoSymbol": event.gene, "copyNameAlterationType": kind},
        )
    if event.category == "fusion" and event.gene5 and event.gene3:
        return (
            "/annotate/structuralVariants",
            {"hugoSymbolA": event.gene5, "hugoSymbolB": event.gene3,
             "structuralVariantType": "FUSION", "isFunctionalFusion": "true"},
        )  # fmt: skip
    return None


def evidence_note(answer: Mapping[str, Any]) -> str:
    """The report note for one OncoKB answer."""
    level = answer.get("highestSensitiveLevel") or "no sensitive level"
    resistance = answer.get("highestResistanceLevel")
    parts = [f"{NOTE_PREFIX}highest sensitive level {level}"]
    if resistance:
        parts.append(f"resistance level {resistance}")
    parts.append(f"oncogenic: {answer.get('oncogenic') or 'unknown'}")
    if answer.get("dataVersion"):
        parts.append(f"data version {answer['dataVersion']}")
    return "; ".join(parts) + " (any tumour type; information only, not used for the decision)"


def add_evidence(events: Sequence[Event], fetch: Fetch) -> list[Event]:
    """The events with an ``OncoKB: ...`` note on each queryable one (decision unchanged)."""
    out = []
    for e in events:
        q = query_for(e)
        if q is None:
            out.append(e)
            continue
        try:
            note = evidence_note(fetch(*q))
        except OSError as err:
            note = f"{NOTE_PREFIX}lookup failed ({err})"
        out.append(replace(e, notes=(*e.notes, note)))
    return out


def cache_key(base_url: str, path: str, params: Mapping[str, str]) -> str:
    text = base_url.rstrip("/") + path + "?" + json.dumps(dict(params), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def cached_fetcher(settings: OncokbSettings, token: str, session: Any = None) -> Fetch:
    """A fetch function that answers from the cache, else asks the API (and caches the answer).

    Request failures are raised as OSError (:func:`add_evidence` reports them on the event).
    """

    def fetch(path: str, params: Mapping[str, str]) -> Mapping[str, Any]:
        cache = Path(settings.cache) / f"{cache_key(settings.base_url, path, params)}.json"
        if cache.is_file():
            answer: dict[str, Any] = json.loads(cache.read_text(encoding="utf-8"))
            return answer
        import requests

        sess = session or requests
        try:
            r = sess.get(
                settings.base_url.rstrip("/") + path,
                params=dict(params),
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                timeout=settings.timeout,
            )
            r.raise_for_status()
            answer = r.json()
        except (requests.RequestException, ValueError) as err:
            raise OSError(f"{settings.base_url}{path}: {err}") from None
        write_text_atomic(cache, json.dumps(answer, indent=1, sort_keys=True) + "\n")
        return answer

    return fetch


def evidence_for(
    events: Sequence[Event], config: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> list[Event]:
    """Add OncoKB notes when ``oncokb.enabled`` (else return the events unchanged)."""
    settings = settings_from(config)
    if not settings.enabled:
        return list(events)
    token = token_from_env(os.environ if environ is None else environ)
    return add_evidence(events, cached_fetcher(settings, token))
