"""Where armmatch's bundled files lie: the only module that locates them.

In a source checkout (an editable install) they are the repository's own ``resources/``,
``workflow/``, ``config/`` and ``Snakefile``; an installed wheel carries copies of the same
files in ``armmatch/_bundled/`` (setup.py copies them at build time). Everything else asks this
module, never ``__file__``.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
"""The ``armmatch`` package folder (its code digest covers everything below it)."""


def _bundle_root() -> Path:
    bundled = PACKAGE_DIR / "_bundled"
    if (bundled / "resources").is_dir():
        return bundled
    return PACKAGE_DIR.parents[1]  # src/armmatch -> the repository


BUNDLE_ROOT = _bundle_root()
"""The folder holding ``resources/``, ``workflow/``, ``config/`` and the ``Snakefile``."""
RESOURCE_DIR = BUNDLE_ROOT / "resources"
SCHEMA_DIR = BUNDLE_ROOT / "workflow" / "schemas"
SNAKEFILE = BUNDLE_ROOT / "Snakefile"
CONFIG_DIR = BUNDLE_ROOT / "config"


RULE_TABLE = RESOURCE_DIR / "actionable_targets.tsv"
TABLE1 = RESOURCE_DIR / "table1_rare_tumours.tsv"
RARE_TUMOUR_CRITERIA = RESOURCE_DIR / "rare_tumour_criteria.tsv"
DRUG_CLASSES = RESOURCE_DIR / "drug_classes.tsv"
KINASE_DOMAINS = RESOURCE_DIR / "kinase_domains.tsv"
HOTSPOTS = RESOURCE_DIR / "hotspots.tsv"
MANIFEST = RESOURCE_DIR / "manifest.tsv"


def resource(*parts: str) -> Path:
    """A bundled resource file, e.g. ``resource("transcripts", "transcripts.GRCh38.tsv")``."""
    return RESOURCE_DIR.joinpath(*parts)


def transcripts_file(build: str) -> Path:
    """The bundled transcript models of ``build``."""
    return resource("transcripts", f"transcripts.{build}.tsv")


def schema_file(name: str) -> Path:
    """The JSON schema (YAML) of ``name``: config, samples, actionable_targets, manifest."""
    return SCHEMA_DIR / f"{name}.schema.yaml"
