"""Fusion evidence a board can trust, on real caller outputs in ../shared/data: support
minimums, breakpoint windows, non-coding and readthrough partners, long-read callers read with
their read counts, and other callers' files refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from armmatch.calling.fusions import read_fusions
from armmatch.config import FusionSupport
from armmatch.errors import InputError
from armmatch.events import Event
from armmatch.knowledge.kinase_domains import load_kinase_rules
from armmatch.run.pipeline import gene_models, rule_set

pytestmark = pytest.mark.shared

BENCH = "real-outputs/star-fusion-benchmarking-data"
LONG = "real-outputs/lr-fusion-benchmarking"


def _events(shared_data: Path, rel: str, build: str) -> list[Event]:
    rules = rule_set()
    ev = read_fusions(
        shared_data / rel, None, rules.genes("fusion"), rules.fusion_roles(), True, "P1",
        models=gene_models(build), kinase_rules=load_kinase_rules(),
        support=FusionSupport(),
    )  # fmt: skip
    return ev.events


def _by(events: list[Event], name: str) -> list[Event]:
    return [e for e in events if f"{e.gene5}-{e.gene3}" == name]


def test_a_one_read_lncrna_alk_junction_gives_no_alectinib(shared_data: Path) -> None:
    """A-673 (Ewing sarcoma, EWSR1-FLI1): STAR-Fusion's AC016907.3-ALK with 1 junction read and
    1 spanning fragment, joined at ALK exon 2: low support, before the ALK window, a lncRNA
    partner: for review, never an arm."""
    (alk,) = _by(_events(shared_data, f"{BENCH}/A-673.star-fusion.fusion_candidates.final.abridged",
                         "GRCh37"), "AC016907.3-ALK")  # fmt: skip
    assert alk.status == "indeterminate"
    assert "low support (1 split/junction read(s), minimum 2" in alk.status_reason
    assert "keeps ALK from exon 2, before the exons 18-20" in alk.status_reason
    assert "AC016907.3 is a non-coding or antisense transcript" in alk.status_reason


def test_enough_reads_do_not_make_an_implausible_alk_fusion_count(shared_data: Path) -> None:
    """MHH-ES-1: the same junction with 3 reads passes the support minimum, but stays for review."""
    (alk,) = _by(_events(shared_data, f"{BENCH}/MHH-ES-1.star-fusion.fusion_candidates.final.abridged",
                         "GRCh37"), "AC016907.3-ALK")  # fmt: skip
    assert alk.status == "indeterminate" and "low support" not in alk.status_reason
    assert "before the exons 18-20" in alk.status_reason


def test_a_single_long_read_does_not_confirm_an_ntrk_exclusion(shared_data: Path) -> None:
    """HCC1187 ctat-LR-fusion NTRK2-SFPQ: 1 long read, NTRK2 the 5' partner: not cleared, for
    review (before: the patient was excluded)."""
    events = _events(shared_data, f"{LONG}/DepMap_v1v2mrgd_HCC1187.ctat-LR-fusion.fusion_predictions.tsv.gz",
                     "GRCh38")  # fmt: skip
    (ntrk2,) = _by(events, "NTRK2-SFPQ")
    assert ntrk2.status == "indeterminate"
    assert "1 supporting long read(s), minimum 2" in ntrk2.status_reason
    assert "NTRK2 is the 5' partner" in ntrk2.status_reason
    assert "long reads: 1" in " ".join(ntrk2.notes)


@pytest.mark.parametrize(("rel", "reads"), [
    (f"{LONG}/DepMap_v1v2mrgd_KIJK.ctat-LR-fusion.fusion_predictions.tsv.gz", 462),
    (f"{LONG}/DepMap_v1v2mrgd_KIJK_jaffal_results.csv.gz", 358),
    (f"{LONG}/DepMap_v1v2mrgd_KIJK_pbfusion.breakpoints.groups.bed.gz", 453),
])  # fmt: skip
def test_long_read_callers_call_npm1_alk_with_their_read_counts(
    shared_data: Path, rel: str, reads: int
) -> None:
    """KI-JK (NPM1-ALK) from ctat-LR-fusion, JAFFAL and pbfusion: called, ALK exon 20."""
    (alk,) = _by(_events(shared_data, rel, "GRCh38"), "NPM1-ALK")
    assert (alk.status, alk.gene) == ("called", "ALK"), alk.status_reason
    assert f"long reads: {reads}" in " ".join(alk.notes)
    assert "fusion keeps ALK from exon 20" in " ".join(alk.notes)


def test_short_read_oncogenic_fusions_still_count(shared_data: Path) -> None:
    h2228 = _events(
        shared_data, f"{BENCH}/H2228.star-fusion.fusion_candidates.final.abridged", "GRCh37"
    )
    (alk,) = _by(h2228, "EML4-ALK")
    assert alk.status == "called"
    lc2ad = _events(
        shared_data, f"{BENCH}/LC2Ad.star-fusion.fusion_candidates.final.abridged", "GRCh37"
    )
    (ret,) = _by(lc2ad, "CCDC6-RET")
    assert ret.status == "called"  # the RET exclusion stands
    rt4 = _events(
        shared_data, f"{BENCH}/RT4.star-fusion.fusion_candidates.final.abridged", "GRCh37"
    )
    assert {e.status for e in _by(rt4, "FGFR3-TACC3")} == {"called"}  # FGFR3 5', 70 kb apart


def test_seracare_reference_mix_fusions_fall_in_their_windows(shared_data: Path) -> None:
    events = _events(shared_data, f"{LONG}/SeraCarev4Fusion.IsoSeq.ctat-LR-fusion.fusion_predictions.tsv.gz",
                     "GRCh38")  # fmt: skip
    for name in ("KIF5B-RET", "CCDC6-RET", "NCOA4-RET", "SLC34A2-ROS1", "CD74-ROS1",
                 "LMNA-NTRK1", "TPM3-NTRK1", "TFG-NTRK1", "ETV6-NTRK3", "EML4-ALK"):  # fmt: skip
        found = _by(events, name)
        assert found and all(e.status == "called" for e in found), (name, [
            e.status_reason for e in found])  # fmt: skip


@pytest.mark.parametrize(("rel", "caller"), [
    (f"{BENCH}/H2228.ericscript.MyEric.results.filtered.tsv", "EricScript"),
    (f"{BENCH}/RT4.defuse.results.filtered.tsv", "deFuse"),
    (f"{BENCH}/LC2Ad.tophat-fusion.result.txt", "TopHat-Fusion"),
    (f"{LONG}/DepMap_v1v2mrgd_KIJK_longgf.out.gz", "LongGF"),
    (f"{LONG}/DepMap_v1v2mrgd_KIJK_output.confident_genefusion.txt.gz", "fusionseeker"),
])  # fmt: skip
def test_other_callers_are_refused_by_name(shared_data: Path, rel: str, caller: str) -> None:
    with pytest.raises(InputError) as exc:
        _events(shared_data, rel, "GRCh38")
    message = str(exc.value)
    assert f"this looks like {caller}" in message and "accepted: arriba" in message
    assert "ctat-lr-fusion" in message and "jaffa" in message


def test_jaffa_short_read_results_are_read(shared_data: Path) -> None:
    events = _events(shared_data, f"{BENCH}/H2228.jaffa_hybrid.jaffa_results.csv", "GRCh37")
    (alk,) = _by(events, "EML4-ALK")
    assert alk.status == "called" and "split/junction reads: 6" in " ".join(alk.notes)


def test_arriba_grades_and_counts_are_read(shared_data: Path, tmp_path: Path) -> None:
    """Arriba's own test output: the call carries its split reads, discordant mates and grade;
    the same call graded low by Arriba is below fusions.min_support."""
    from armmatch.calling.fusions import support_problem
    from armmatch.readers.arriba import read_arriba

    source = shared_data / "arriba" / "test_fusions.tsv"
    (bcr_abl,) = read_arriba(source)
    assert (bcr_abl.split_reads, bcr_abl.spanning, bcr_abl.confidence) == (11, 0, "high")
    assert support_problem(bcr_abl, FusionSupport()) == (None, None)
    low = tmp_path / "low.tsv"
    low.write_text(source.read_text().replace("\thigh\t", "\tlow\t", 1))
    (graded,) = read_arriba(low)
    problem, _ = support_problem(graded, FusionSupport())
    assert problem is not None and "Arriba grades it low, minimum medium" in problem


def test_fusioncatcher_counts_both_kinds_of_support(shared_data: Path) -> None:
    events = _events(shared_data, f"{BENCH}/H2228.fusioncatcher.final-list_candidate-fusion-genes.txt",
                     "GRCh38")  # fmt: skip
    (alk,) = _by(events, "EML4-ALK")
    assert alk.status == "called"
    assert "split/junction reads: 3, spanning pairs/fragments: 2" in " ".join(alk.notes)


def test_fusioninspector_output_is_refused_by_name(tmp_path: Path) -> None:
    from armmatch.readers.fusion_formats import detect_fusion_format

    path = tmp_path / "finspector.FusionInspector.fusions.tsv"
    path.write_text("#FusionName\tJunctionReadCount\tSpanningFragCount\tLeftGene\t"
                    "LeftLocalBreakpoint\tLeftBreakpoint\tRightGene\tRightLocalBreakpoint\t"
                    "RightBreakpoint\tNumCounterFusionLeft\tNumCounterFusionRight\n"
                    "EML4--ALK\t5\t1\tEML4\t10\tchr2:42522656:+\tALK\t20\tchr2:29446394:-\t0\t0\n")  # fmt: skip
    with pytest.raises(InputError, match="this looks like FusionInspector output"):
        detect_fusion_format(path)
