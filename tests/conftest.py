"""Shared fixtures: small VEP-annotated VCFs written on the fly, and the ../shared/data path."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from armmatch.config import Settings
    from armmatch.events import Event
    from armmatch.patient import Patient

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
CSQ_FIELDS = "Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp|CANONICAL|MANE_SELECT|RefSeq"
GRCH38_CHR7 = 159345973
GRCH37_CHR7 = 159138663


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or a skip with the reason when the public test data are absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"../shared/data is absent ({SHARED_DATA}): public test data are not in this clone"
        )
    return SHARED_DATA


def load_script(name: str) -> Any:
    """A script of ``scripts/`` imported as a module (its functions are tested directly)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shared_file(relative: str) -> Path:
    """A file of ../shared/data, or a skip naming it when the public test data are absent."""
    path = SHARED_DATA / relative
    if not path.is_file():
        pytest.skip(f"../shared/data is absent: {path} not found (public test data, see INDEX.md)")
    return path


def example_patient(patient_id: str) -> Patient:
    """A patient of the bundled example sheet (config/samples.tsv, paths resolved from REPO)."""
    import os

    from armmatch.readers.sample_sheet import read_sample_sheet

    here = os.getcwd()
    os.chdir(REPO)
    try:
        return next(
            p for p in read_sample_sheet("config/samples.tsv") if p.patient_id == patient_id
        )
    finally:
        os.chdir(here)


def assign_record(
    patient: Patient, settings: Settings, extra: Sequence[Event] = ()
) -> dict[str, Any]:
    """The pipeline's assignment record of ``patient`` (GRCh38, bundled rule table) as its
    ``assignment.json`` document, with ``extra`` small-variant events added to what its files
    give."""
    import dataclasses

    from armmatch.run.pipeline import (
        assign_patient,
        detect_copy_number,
        detect_fusions,
        detect_small_variants,
        rule_set,
    )

    rules = rule_set()
    small = detect_small_variants(patient, build="GRCh38", rules=rules, settings=settings)
    evidence = [
        dataclasses.replace(small, events=[*small.events, *extra]),
        detect_copy_number(patient, build="GRCh38", rules=rules, settings=settings),
        detect_fusions(patient, rules=rules, settings=settings),
    ]
    return assign_patient(
        patient, evidence, rules=rules, settings=settings, build="GRCh38", sheet="samples.tsv"
    ).to_dict()


def csq(*entries: Sequence[str]) -> str:
    """Join CSQ entries given as field lists in CSQ_FIELDS order."""
    return ",".join("|".join(e) for e in entries)


VcfWriter = Callable[..., Path]


@pytest.fixture
def write_vcf(tmp_path: Path) -> VcfWriter:
    """Write a small VEP-annotated VCF; records are (chrom, pos1, ref, alt, filter, info, *samples).

    The one VCF-writing helper of the suite; ``header`` adds header lines (another annotator's
    INFO field), ``csq_header=False`` writes an unannotated VCF."""

    def _write(
        records: Sequence[Sequence[str]],
        *,
        samples: Sequence[str] = ("TUMOR",),
        name: str = "t.vcf",
        chr7_length: int | None = GRCH38_CHR7,
        csq_header: bool = True,
        fmt: str = "GT:AD:DP",
        header: Sequence[str] = (),
    ) -> Path:
        lines = ["##fileformat=VCFv4.2"]
        if chr7_length:
            lines.append(f"##contig=<ID=chr7,length={chr7_length}>")
        for c in ("chr4", "chr9", "chr12", "chr13", "chr17"):
            lines.append(f"##contig=<ID={c}>")
        lines += [
            '##FILTER=<ID=PASS,Description="All filters passed">',
            '##FILTER=<ID=weak_evidence,Description="weak">',
            '##INFO=<ID=DP,Number=1,Type=Integer,Description="depth">',
            '##FORMAT=<ID=GT,Number=1,Type=String,Description="genotype">',
            '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="allele depths">',
            '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="depth">',
            '##FORMAT=<ID=AF,Number=A,Type=Float,Description="allele fraction">',
        ]
        lines += header  # e.g. snpEff's ##INFO=<ID=ANN,...>
        if csq_header:
            lines.append(
                f'##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from '
                f'Ensembl VEP. Format: {CSQ_FIELDS}">'
            )
        head = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
        if samples:
            head += ["FORMAT", *samples]
        lines.append("\t".join(head))
        for rec in records:
            chrom, pos, ref, alt, flt, info, *sample_values = rec
            row = [chrom, pos, ".", ref, alt, ".", flt, info]
            if samples:
                row += [fmt, *sample_values]
            lines.append("\t".join(row))
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return _write


# --- the bad-input catalogue count (issue 8) ---------------------------------------------------

_BAD_INPUT: set[str] = set()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Remember the tests marked ``bad_input`` (reports reach the main process under xdist)."""
    if report.when == "setup" and "bad_input" in report.keywords:
        _BAD_INPUT.add(report.nodeid)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how many bad-input cases ran (each parametrized case counts)."""
    terminalreporter.write_line(f"bad-input cases: {len(_BAD_INPUT)}")


def decided(events: Sequence[Event], rules: Any, build: str) -> list[Event]:
    """The events as the pipeline decides them: BRCA1/2 classified (bundled table and VCEP
    rules, default settings), then matched against the rule table."""
    from armmatch.config import settings_from_config
    from armmatch.run.pipeline import decide_events

    settings = settings_from_config({"samples": "s.tsv"})
    return decide_events(events, rules=rules, settings=settings, build=build)
