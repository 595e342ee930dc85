"""A normal run touches no network: every example patient assessed with sockets blocked."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from armmatch.config import load_config_file, settings_from_config
from armmatch.knowledge.manifest import knowledge_record, load_manifest, resource_files
from armmatch.paths import RESOURCE_DIR
from armmatch.readers.sample_sheet import read_sample_sheet
from armmatch.run.pipeline import assess_patient, rule_set
from tests.conftest import REPO


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every IP connection and DNS lookup raises (and is recorded)."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network blocked by the test")

    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple):
            return refuse(address)
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def test_the_guard_refuses_connections(no_network: list[Any]) -> None:
    with pytest.raises(OSError, match="blocked"):
        socket.socket().connect(("127.0.0.1", 9))
    import requests

    with pytest.raises(requests.ConnectionError):
        requests.get("http://127.0.0.1:9/", timeout=1)
    assert no_network


def test_every_example_patient_offline(
    no_network: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    settings = settings_from_config(load_config_file(REPO / "config" / "config.yaml"))
    knowledge = knowledge_record(
        load_manifest(RESOURCE_DIR / "manifest.tsv"), {}, present=resource_files(RESOURCE_DIR)
    )
    patients = read_sample_sheet("config/samples.tsv")
    assert len(patients) == 14
    for p in patients:
        outputs = assess_patient(
            p,
            build=p.genome_build or "GRCh38",
            rules=rule_set(),
            settings=settings,
            sheet="config/samples.tsv",
            knowledge=knowledge,
        )
        assert '"knowledge"' in outputs.texts["assignment"]
    assert no_network == []
