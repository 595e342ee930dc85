"""Custom transcript models and hotspot tables (config ``resources:``): used instead of the
bundled files, and checked with armmatch's own readers before the first patient job."""

from __future__ import annotations

from pathlib import Path

import pytest

from armmatch.config import load_config_file, settings_from_config
from armmatch.errors import ConfigError, InputError
from armmatch.knowledge.manifest import check_custom_files, configurable_resources
from armmatch.paths import RESOURCE_DIR
from armmatch.patient import Patient
from armmatch.run.pipeline import detect_small_variants, rule_set
from tests.conftest import REPO, VcfWriter

BRAF_V600E = ("chr7", "140753336", "A", "T", "PASS", "DP=100", "0/1:80,20:100")
HOTSPOTS = RESOURCE_DIR / "hotspots.tsv"


def settings_with(**resources: str) -> object:
    config = load_config_file(REPO / "config" / "config.yaml")
    config["resources"] = {**config.get("resources", {}), **resources}
    return settings_from_config(config)


def braf_calls(vcf: Path, **resources: str) -> list[tuple[str, str]]:
    patient = Patient(patient_id="P1", tumour_type="NSCLC", vcf=str(vcf), line=2,
                      vcf_sample="TUMOR")  # fmt: skip
    evidence = detect_small_variants(
        patient, build="GRCh38", rules=rule_set(), settings=settings_with(**resources)
    )
    return [(e.alteration, e.status) for e in evidence.events if e.gene == "BRAF"]


def test_transcripts_and_hotspots_are_configurable() -> None:
    assert {"hotspots", "transcripts_grch37", "transcripts_grch38"} <= set(configurable_resources())
    s = settings_with(hotspots="/site/h.tsv", transcripts_grch37="/site/t37.tsv")
    assert s.hotspots_path() == "/site/h.tsv"  # type: ignore[attr-defined]
    assert s.transcripts_path("GRCh37") == "/site/t37.tsv"  # type: ignore[attr-defined]
    bundled = RESOURCE_DIR / "transcripts" / "transcripts.GRCh38.tsv"
    assert s.transcripts_path("GRCh38") == str(bundled)  # type: ignore[attr-defined]


def test_a_custom_hotspot_table_decides_unannotated_calls(
    write_vcf: VcfWriter, tmp_path: Path
) -> None:
    """Where there is no sequence (no reference_fasta and no bundled locus), an unannotated
    substitution is called from coordinates only when the hotspot table lists it: without BRAF
    codon 600 in the table, V600E becomes "needs annotation". The pipeline reads BRAF's codon
    from the bundled locus, so there the table does not matter."""
    from armmatch.calling.small_variants import read_small_variants
    from armmatch.config import SmallVariantPolicy
    from armmatch.run.pipeline import gene_models, preferred_transcripts

    vcf = write_vcf([BRAF_V600E], csq_header=False)
    assert braf_calls(vcf) == [("V600E", "called")]
    own = tmp_path / "hotspots.tsv"
    kept = [line for line in HOTSPOTS.read_text().splitlines() if not line.startswith("BRAF\t")]
    own.write_text("\n".join(kept) + "\n")
    assert braf_calls(vcf, hotspots=str(own)) == [("V600E", "called")]  # the codon, read
    rules = rule_set()

    def no_sequence(hotspots: str) -> list[tuple[str, str]]:
        ev = read_small_variants(
            str(vcf), patient="P1", build="GRCh38", genes=rules.genes(),
            preferred=preferred_transcripts(gene_models("GRCh38")), vcf_sample="TUMOR",
            policy=SmallVariantPolicy(), hotspots=hotspots,
        )  # fmt: skip
        return [(e.alteration, e.status) for e in ev.events if e.gene == "BRAF"]

    assert no_sequence(str(HOTSPOTS)) == [("V600E", "called")]
    calls = no_sequence(str(own))
    assert calls and all(status == "indeterminate" for _, status in calls), calls


@pytest.mark.bad_input
def test_malformed_custom_files_are_stopped_by_their_reader(tmp_path: Path) -> None:
    no_column = tmp_path / "h1.tsv"
    no_column.write_text("gene\tprotein\tsource\nBRAF\tV600E\tx\n")
    with pytest.raises(ConfigError, match="lacks column.*c_change") as info:
        check_custom_files({"hotspots": str(no_column)})
    assert info.value.path == str(no_column)
    bad_row = tmp_path / "h2.tsv"
    bad_row.write_text("gene\tprotein\tc_change\tsource\nBRAF\tV600E\tp.V600E\tx\n")
    with pytest.raises(ConfigError, match="hotspot row") as info:
        check_custom_files({"hotspots": str(bad_row)})
    assert info.value.line == 2
    models = tmp_path / "t.tsv"
    models.write_text("not a transcript table\n")
    with pytest.raises(InputError):
        check_custom_files({"transcripts_grch38": str(models)})
    check_custom_files({"hotspots": str(HOTSPOTS), "transcripts_grch38": None})  # fine
