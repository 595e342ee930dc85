"""Configuration: validation against ``workflow/schemas/config.schema.yaml`` and typed settings."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from armmatch.errors import ConfigError
from armmatch.paths import HOTSPOTS, transcripts_file
from armmatch.schemas import load_schema, schema_errors

THRESHOLD_KEYS = (
    "amplification",
    "review_gain",
    "gain",
    "loss",
    "review_loss",
    "homozygous_deletion",
)


def validate_config(config: Mapping[str, Any], *, source: str = "config") -> dict[str, Any]:
    """Return a validated copy of ``config`` with every default filled in.

    Raises
    ------
    ConfigError
        Listing every schema violation with its key path.
    """
    data = copy.deepcopy(dict(config))
    _booleans_from_words(data, load_schema("config"))
    errors = schema_errors(data, load_schema("config"))
    if errors:
        raise ConfigError("invalid configuration: " + "; ".join(errors), path=source)
    for gene, values in data["copy_number"]["gene_thresholds"].items():
        merged = {**data["copy_number"]["thresholds"], **values}
        _check_threshold_order(merged, f"copy_number.gene_thresholds.{gene}", source)
    _check_threshold_order(data["copy_number"]["thresholds"], "copy_number.thresholds", source)
    _merge_rules_alias(data, source)
    return data


_WORDS = {"true": True, "yes": True, "false": False, "no": False}


def _booleans_from_words(data: Any, schema: Mapping[str, Any]) -> None:
    """``true``/``false`` (any case, or yes/no) given as text where the schema wants a boolean
    become booleans: Snakemake's ``--config exports='{fhir: false}'`` passes nested values as
    text. Anything else is left for the schema to report."""
    if not isinstance(data, dict):
        return
    for key, sub in schema.get("properties", {}).items():
        value = data.get(key)
        if sub.get("type") == "boolean" and isinstance(value, str) and value.lower() in _WORDS:
            data[key] = _WORDS[value.lower()]
        elif isinstance(value, dict):
            _booleans_from_words(value, sub)


def _merge_rules_alias(data: dict[str, Any], source: str) -> None:
    """``rules`` and ``resources.rule_table`` name the same file: fill each from the other."""
    rules, table = data.get("rules"), data["resources"].get("rule_table")
    if rules and table and rules != table:
        raise ConfigError(
            f"rules ({rules}) and resources.rule_table ({table}) name different rule tables; "
            "give one of them",
            path=source,
        )
    data["rules"] = data["resources"]["rule_table"] = rules or table


def _check_threshold_order(t: Mapping[str, float], where: str, source: str) -> None:
    values = [t[k] for k in THRESHOLD_KEYS]
    if any(a <= b for a, b in zip(values, values[1:], strict=False)):
        raise ConfigError(
            f"{where}: thresholds must decrease strictly in the order {', '.join(THRESHOLD_KEYS)}; "
            f"got {', '.join(f'{k}={t[k]}' for k in THRESHOLD_KEYS)}",
            path=source,
        )


def load_config_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML config file and validate it."""
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict):
        raise ConfigError("the config file must be a YAML mapping", path=path)
    return validate_config(data, source=str(path))


@dataclass(frozen=True)
class Settings:
    """Typed view of the validated config used by the per-patient steps."""

    small_variants: SmallVariantPolicy
    thresholds: Mapping[str, float]
    gene_thresholds: Mapping[str, Mapping[str, float]]
    default_purity: float | None
    default_ploidy: float | None
    require_in_frame: bool
    min_age: int
    max_ecog: int
    require_exclusions_assessed: bool
    seg_mean_scale: str = "log2"
    focal_max_mb: float = 10.0
    """An amplification or homozygous deletion from a longer segment is ``indeterminate: broad``."""
    min_purity: float = 0.2
    """Without a purity, every copy-number call is checked over ``min_purity`` .. 1.0."""
    ploidy_range: tuple[float, float] = (1.5, 3.5)
    """Without a ploidy, every copy-number call is checked at both ends of this range."""
    her2_ihc_required: bool = False
    """True: a patient without HER2 IHC is ``incomplete`` even when NGS is negative (the strict
    reading); false: the PD-1 arm is assigned, marked provisional."""
    eligibility_waivers: bool = False
    """True: a sheet's ``eligibility_waiver`` (a sponsor's waiver id) lets an override lift a
    Table 2 criterion or clinical exclusion, recorded as a protocol deviation; false: refused."""
    genome_build: str = "GRCh38"
    germline_arms: tuple[str, ...] = ()
    """Arms whose genes are read from the germline VCF (``small_variants.germline_arms``)."""
    reference_fasta: Mapping[str, str | None] = field(default_factory=dict)
    """Per-build reference FASTA (``reference_fasta`` key); a missing or null build: none."""
    resources: Mapping[str, str | None] = field(default_factory=dict)
    """Custom knowledge resources by manifest name (config ``resources:``); null: bundled."""
    oncokb: Mapping[str, Any] = field(default_factory=dict)
    """The ``oncokb`` block: optional evidence levels for the report (armmatch.knowledge.oncokb)."""
    fusion_support: FusionSupport = field(default_factory=lambda: FusionSupport())
    """The least support a fusion call needs (``fusions.min_support``)."""
    brca_min_stars: int = 2
    """ClinVar review level (stars) at which a BRCA1/2 classification decides."""
    brca_custom: str | None = None
    """The lab's own BRCA1/2 classifications (``brca_classification.custom``), or None."""
    report_date: str | None = None
    """The date printed on reports whose sheet row gives none (never the clock)."""

    def resource_path(self, name: str, default: str | Path) -> str:
        """The configured custom file of resource ``name``, else ``default`` (the bundled one)."""
        return self.resources.get(name) or str(default)

    def transcripts_path(self, build: str) -> str:
        """The transcript models of ``build``: ``resources.transcripts_grch37/38`` or bundled."""
        bundled = transcripts_file(build)
        return self.resource_path(f"transcripts_{build.lower()}", bundled)

    def hotspots_path(self) -> str:
        """The hotspot table: ``resources.hotspots`` or the bundled ``hotspots.tsv``."""
        return self.resource_path("hotspots", HOTSPOTS)

    def reference_fasta_for(self, build: str) -> str | None:
        """The configured reference FASTA of ``build``, or None (coordinate-only mode)."""
        return self.reference_fasta.get(build)

    def thresholds_for(self, gene: str) -> dict[str, float]:
        """The copy-number thresholds of ``gene`` (gene overrides on top of the defaults)."""
        return {**self.thresholds, **self.gene_thresholds.get(gene, {})}

    def to_dict(self) -> dict[str, Any]:
        """The run parameters, for the provenance block (deterministic order)."""
        out: dict[str, Any] = {
            "small_variants": {
                "filter_policy": self.small_variants.filter_policy,
                "min_vaf": self.small_variants.min_vaf,
                "min_depth": self.small_variants.min_depth,
                "index_min_bytes": self.small_variants.index_min_bytes,
                "unknown_vaf": "count" if self.small_variants.counts_unknown_vaf else "review",
                "maf_vaf_column": self.small_variants.maf_vaf_column,
                "germline_arms": list(self.germline_arms),
            },
            "copy_number": {
                "thresholds": dict(self.thresholds),
                "gene_thresholds": {g: dict(v) for g, v in sorted(self.gene_thresholds.items())},
                "default_purity": self.default_purity,
                "default_ploidy": self.default_ploidy,
                "seg_mean_scale": self.seg_mean_scale,
                "focal_max_mb": self.focal_max_mb,
                "min_purity": self.min_purity,
                "ploidy_range": list(self.ploidy_range),
            },
            "fusions": {
                "require_in_frame": self.require_in_frame,
                "min_support": dataclasses.asdict(self.fusion_support),
            },
            "clinical": {"min_age": self.min_age, "max_ecog": self.max_ecog},
            "assignment": {
                "require_exclusions_assessed": self.require_exclusions_assessed,
                "her2_ihc_required": self.her2_ihc_required,
            },
            "brca_classification": {"min_stars": self.brca_min_stars, "custom": self.brca_custom},
        }
        if self.eligibility_waivers:  # only when on: provenance of other runs is unchanged
            out["assignment"]["eligibility_waivers"] = True
        fastas = {b: v for b, v in sorted(self.reference_fasta.items()) if v}
        if fastas:  # only when configured: provenance of coordinate-only runs is unchanged
            out["small_variants"]["reference_fasta"] = fastas
        if self.oncokb.get("enabled"):  # likewise: only when the optional lookup is on
            out["oncokb"] = {"base_url": self.oncokb.get("base_url")}
        if self.report_date is not None:  # it is printed: a change recomputes the reports
            out["report"] = {"date": self.report_date}
        return out


def _ploidy_range(values: Any) -> tuple[float, float]:
    low, high = (float(v) for v in values)
    if not low < high:
        raise ConfigError(
            f"copy_number.ploidy_range must be [low, high] with low < high, got {list(values)}",
            path="config",
        )
    return low, high


def settings_from_config(config: Mapping[str, Any]) -> Settings:
    """Build :class:`Settings` from a config (validated here if not yet)."""
    c = validate_config(config)
    sv = c["small_variants"]
    cn = c["copy_number"]
    return Settings(
        small_variants=SmallVariantPolicy(
            sv["filter_policy"],
            float(sv["min_vaf"]),
            int(sv["min_depth"]),
            index_min_bytes=int(float(sv["index_min_mb"]) * 1_000_000),
            accept_unknown_vaf=sv["accept_unknown_vaf"],
            unknown_vaf=str(sv["unknown_vaf"]),
            maf_vaf_column=sv["maf_vaf_column"],
        ),
        thresholds={k: float(v) for k, v in cn["thresholds"].items()},
        gene_thresholds={
            g: {k: float(x) for k, x in v.items()} for g, v in cn["gene_thresholds"].items()
        },
        default_purity=cn["default_purity"],
        default_ploidy=None if cn["default_ploidy"] is None else float(cn["default_ploidy"]),
        require_in_frame=bool(c["fusions"]["require_in_frame"]),
        min_age=int(c["clinical"]["min_age"]),
        max_ecog=int(c["clinical"]["max_ecog"]),
        require_exclusions_assessed=bool(c["assignment"]["require_exclusions_assessed"]),
        germline_arms=tuple(sv["germline_arms"]),
        seg_mean_scale=str(cn["seg_mean_scale"]),
        focal_max_mb=float(cn["focal_max_mb"]),
        min_purity=float(cn["min_purity"]),
        ploidy_range=_ploidy_range(cn["ploidy_range"]),
        her2_ihc_required=bool(c["assignment"]["her2_ihc_required"]),
        eligibility_waivers=bool(c["assignment"]["eligibility_waivers"]),
        genome_build=str(c["genome_build"]),
        reference_fasta={
            b: (str(v) if v is not None else None)
            for b, v in (c.get("reference_fasta") or {}).items()
        },
        resources={k: (str(v) if v else None) for k, v in c["resources"].items()},
        oncokb=dict(c["oncokb"]),
        fusion_support=FusionSupport(**c["fusions"]["min_support"]),
        brca_min_stars=int(c["brca_classification"]["min_stars"]),
        brca_custom=c["brca_classification"]["custom"],
        report_date=c["report_date"],
    )


@dataclass(frozen=True)
class FusionSupport:
    """The least support a fusion call needs (``fusions.min_support``): split/junction reads
    and those plus spanning pairs/fragments (short-read callers), supporting long reads, and
    each caller's own grade (Arriba ``confidence``, JAFFA ``classification``, pbfusion ``score``;
    STAR-Fusion ``FFPM``)."""

    junction_reads: int = 2
    total_reads: int = 3
    long_reads: int = 2
    caller_confidence: str = "medium"
    star_fusion_ffpm: float = 0.1


FilterPolicy = Literal["pass_only", "all"]


@dataclass(frozen=True)
class SmallVariantPolicy:
    """Which records count: FILTER policy and minimum VAF / depth (from config)."""

    filter_policy: FilterPolicy = "pass_only"
    min_vaf: float = 0.05
    min_depth: int = 20
    index_min_bytes: int = 0
    """An indexed VCF at least this large is read through its index (region queries, records
    cited by position); a smaller one is streamed (exact line numbers, cheap at panel size)."""
    accept_unknown_vaf: bool | None = None
    """The older spelling of ``unknown_vaf``: true = count, false = review; None: ``unknown_vaf``."""
    unknown_vaf: str = "count"
    """A file that gives neither VAF nor depth for any record (a curated MAF, a lab's export):
    ``count`` (its variants count, the decision is provisional and names the thresholds not
    applied) or ``review`` (each is ``indeterminate: VAF unknown``). A record without support
    in a file whose other records have it is always for review."""

    maf_vaf_column: str | None = None
    """The MAF column that holds the tumour allele fraction, when the file has no
    ``t_alt_count``/``t_depth`` and several fraction columns."""

    @property
    def counts_unknown_vaf(self) -> bool:
        if self.accept_unknown_vaf is not None:
            return self.accept_unknown_vaf
        return self.unknown_vaf == "count"
