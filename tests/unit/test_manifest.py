"""The knowledge-resource manifest: every bundled file listed and unmodified, custom files."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from armmatch.config import settings_from_config, validate_config
from armmatch.errors import ConfigError
from armmatch.knowledge.manifest import (
    configurable_resources,
    knowledge_record,
    load_manifest,
    parse_manifest,
    render_manifest,
    resource_files,
)
from armmatch.paths import RESOURCE_DIR
from armmatch.run.cli import main


@pytest.fixture
def resources(tmp_path: Path) -> Path:
    """A copy of the bundled resources/ folder."""
    return Path(shutil.copytree(RESOURCE_DIR, tmp_path / "resources"))


def test_bundled_manifest_lists_every_file_and_matches() -> None:
    manifest = load_manifest(RESOURCE_DIR / "manifest.tsv")
    record = knowledge_record(manifest, {}, present=resource_files(RESOURCE_DIR))
    names = {r["name"] for r in record["resources"]}
    assert {
        "rule_table",
        "table1",
        "transcripts_grch38",
        "brca_classifications",
        "brca_lof_rules",
        "loci_grch37",
        "hotspots",
    } <= names
    assert all(r["origin"] == "bundled" and len(r["sha256"]) == 64 for r in record["resources"])
    assert {e.path for e in manifest.entries} | {"manifest.tsv"} == set(
        resource_files(RESOURCE_DIR)
    )
    # the file is in its canonical (rendered) form, so --update rewrites only the hashes
    assert render_manifest(manifest) == (RESOURCE_DIR / "manifest.tsv").read_text()


def test_modified_resource_is_an_error_naming_file_hashes_and_remedies(resources: Path) -> None:
    hotspots = resources / "hotspots.tsv"
    hotspots.write_text(hotspots.read_text() + "# an edit\n")
    manifest = load_manifest(resources / "manifest.tsv")
    with pytest.raises(ConfigError) as exc:
        knowledge_record(manifest, {}, present=resource_files(resources))
    msg = str(exc.value)
    assert str(hotspots) in msg and manifest.entry("hotspots").sha256 in msg
    assert "armmatch manifest --update hotspots" in msg


def test_manifest_update_makes_the_check_pass(
    resources: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = resources / "drug_classes.tsv"
    table.write_text(table.read_text() + "# a local note\n")
    manifest_path = str(resources / "manifest.tsv")
    assert main(["manifest", "--manifest", manifest_path]) == 1
    assert "drug_classes" in capsys.readouterr().err
    assert main(["manifest", "--manifest", manifest_path, "--update", "drug_classes"]) == 0
    assert main(["manifest", "--manifest", manifest_path]) == 0


def test_custom_resource_is_hashed_and_reported_custom(resources: Path, tmp_path: Path) -> None:
    # the bundled copy is modified, but the config points at the user's own file: no error
    bundled = resources / "drug_classes.tsv"
    own = tmp_path / "my_drugs.tsv"
    own.write_text(bundled.read_text() + "# site-specific\n")
    bundled.write_text("broken\n")
    manifest = load_manifest(resources / "manifest.tsv")
    record = knowledge_record(
        manifest, {"drug_classes": str(own), "table1": None}, present=resource_files(resources)
    )
    (row,) = [r for r in record["resources"] if r["name"] == "drug_classes"]
    assert row["origin"] == "custom" and row["path"] == str(own) and row["version"] == "custom"
    from armmatch.io import sha256_file

    assert row["sha256"] == sha256_file(own)


def test_unlisted_file_and_missing_custom_file_are_errors(resources: Path) -> None:
    (resources / "extra.tsv").write_text("x\n")
    manifest = load_manifest(resources / "manifest.tsv")
    with pytest.raises(ConfigError, match="extra.tsv are not in the manifest"):
        knowledge_record(manifest, {}, present=resource_files(resources))
    with pytest.raises(ConfigError, match="custom resource 'table1' does not exist"):
        knowledge_record(manifest, {"table1": "/no/such.tsv"})


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda t: t.replace("# manifest_version: 2026.11-1\n", ""), "manifest_version"),
        (lambda t: t.replace("\tsha256\n", "\thash\n", 1), "header"),
        (lambda t: t.replace("\tMIT (armmatch)\t", "\tMIT (armmatch)\tnot-a-hash", 1), "sha256"),
        (lambda t: t + t.splitlines()[-1] + "\n", "duplicate name"),
    ],
)
def test_malformed_manifest_is_an_error_with_the_line(
    edit: Callable[[str], str], problem: str
) -> None:
    text = (RESOURCE_DIR / "manifest.tsv").read_text()
    with pytest.raises(ConfigError, match=problem):
        parse_manifest(edit(text), path="manifest.tsv")


def test_config_resources_and_rules_alias() -> None:
    c = validate_config({"samples": "s.tsv", "rules": "my_rules.tsv"})
    assert c["resources"]["rule_table"] == "my_rules.tsv"
    c = validate_config({"samples": "s.tsv", "resources": {"rule_table": "r.tsv"}})
    assert c["rules"] == "r.tsv"
    with pytest.raises(ConfigError, match="different rule tables"):
        validate_config(
            {"samples": "s.tsv", "rules": "a.tsv", "resources": {"rule_table": "b.tsv"}}
        )
    with pytest.raises(ConfigError, match="resources"):
        validate_config({"samples": "s.tsv", "resources": {"update_sources": "u.tsv"}})
    s = settings_from_config({"samples": "s.tsv", "resources": {"table1": "t.tsv"}})
    assert s.resource_path("table1", "bundled.tsv") == "t.tsv"
    assert s.resource_path("drug_classes", "bundled.tsv") == "bundled.tsv"
    assert "rule_table" in configurable_resources()
