"""Optional OncoKB evidence: a loopback fake API, the cache, the token, an unchanged decision."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from armmatch.config import load_config_file, settings_from_config
from armmatch.errors import ConfigError
from armmatch.knowledge.oncokb import TOKEN_VARIABLE
from armmatch.patient import Patient
from armmatch.report.html import patient_html
from armmatch.report.record import AssignmentRecord
from tests.conftest import REPO, assign_record, example_patient


class FakeOncokb:
    """Answers /annotate/... with a fixed level; records every request (path, query, auth)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, list[str]], str | None]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                fake.requests.append(
                    (url.path, parse_qs(url.query), self.headers.get("Authorization"))
                )
                body = json.dumps(
                    {"highestSensitiveLevel": "LEVEL_1", "oncogenic": "Oncogenic",
                     "dataVersion": "vTEST"}
                ).encode()  # fmt: skip
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api/v1"


@pytest.fixture
def fake() -> Iterator[FakeOncokb]:
    f = FakeOncokb()
    t = threading.Thread(target=f.httpd.serve_forever, daemon=True)
    t.start()
    yield f
    f.httpd.shutdown()
    f.httpd.server_close()


@pytest.fixture(scope="module")
def plt002() -> Patient:
    return example_patient("PLT-002")


def record(patient: Patient, oncokb: dict[str, Any]) -> dict[str, Any]:
    config = load_config_file(REPO / "config" / "config.yaml")
    config["oncokb"].update(oncokb)
    return assign_record(patient, settings_from_config(config))


def test_levels_added_decision_unchanged_and_cached(
    fake: FakeOncokb, plt002: Patient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv(TOKEN_VARIABLE, "secret-token")
    off = record(plt002, {})
    on_config = {"enabled": True, "base_url": fake.url, "cache": str(tmp_path / "cache")}
    on = record(plt002, on_config)
    for key in ("status", "arm", "status_reason", "arms", "exclusions", "rules_fired"):
        assert on[key] == off[key], key
    assert [e["rule_ids"] for e in on["events"]] == [e["rule_ids"] for e in off["events"]]
    (v600e,) = [e for e in on["events"] if e["alteration"] == "V600E"]
    assert any(n.startswith("OncoKB: highest sensitive level LEVEL_1") for n in v600e["notes"])
    assert "OncoKB: highest sensitive level LEVEL_1" in patient_html(AssignmentRecord.from_dict(on))
    assert not any(n.startswith("OncoKB") for e in off["events"] for n in e["notes"])
    path, query, auth = fake.requests[0]
    assert path == "/api/v1/annotate/mutations/byProteinChange"
    assert query["hugoSymbol"] == ["BRAF"] and query["alteration"] == ["V600E"]
    assert auth == "Bearer secret-token"
    asked = len(fake.requests)
    again = record(plt002, on_config)  # answered from the cache: no new request, same record
    assert len(fake.requests) == asked and again == on


def test_enabled_without_a_token_is_a_config_error(
    plt002: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.delenv(TOKEN_VARIABLE, raising=False)
    with pytest.raises(ConfigError, match=TOKEN_VARIABLE):
        record(plt002, {"enabled": True, "base_url": "http://127.0.0.1:9"})


def test_unreachable_api_is_noted_not_fatal(
    plt002: Patient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv(TOKEN_VARIABLE, "t")
    rec = record(
        plt002,
        {"enabled": True, "base_url": "http://127.0.0.1:9", "cache": str(tmp_path), "timeout": 2},
    )
    assert rec["arm"] == "vemurafenib-BRAF"
    (v600e,) = [e for e in rec["events"] if e["alteration"] == "V600E"]
    assert any(n.startswith("OncoKB: lookup failed") for n in v600e["notes"])
