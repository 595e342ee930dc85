"""Copy-number and fusion readers on the real public test data in ../shared/data.

Expected results are the ones INDEX.md states for each file (CNVkit, PCGR, FusionCatcher,
Arriba). Gene spans come from the bundled transcript models (one transcript per gene).
"""

from __future__ import annotations

import pytest

from armmatch.calling.copy_number import CnvContext, read_copy_number
from armmatch.calling.fusions import read_fusion_file, read_fusions
from armmatch.calling.gene_copy_number import GeneSpan
from armmatch.calling.purity import CnvThresholds
from armmatch.events import Event, Evidence
from armmatch.knowledge.transcripts import default_transcripts_path, load_gene_models
from tests.conftest import shared_file

pytestmark = pytest.mark.shared

DEFAULT = CnvThresholds(
    amplification=6.0,
    review_gain=4.0,
    gain=2.5,
    loss=1.5,
    review_loss=1.0,
    homozygous_deletion=0.5,
)

CNV_GENES = ("MET", "ERBB2", "CDK4", "CDKN2A", "FGFR1", "FGFR2", "FGFR3", "FGFR4", "BRAF", "ROS1")
FUSION_GENES = (
    "ALK",
    "ROS1",
    "RET",
    "NTRK1",
    "NTRK2",
    "NTRK3",
    "FGFR1",
    "FGFR2",
    "FGFR3",
    "FGFR4",
    "BRAF",
)
ROLES = {"ALK": "3prime", "ROS1": "3prime"}


def _spans(build: str) -> list[GeneSpan]:
    models = load_gene_models(default_transcripts_path(build))  # type: ignore[arg-type]
    spans = []
    for gene in CNV_GENES:
        model = models.get(gene)
        assert model is not None, gene
        spans.append(GeneSpan(model.gene, model.chrom, model.tx_start0, model.tx_end))
    return spans


def _cnv(relative: str, build: str = "GRCh37") -> dict[str, Event]:
    evidence = read_copy_number(
        shared_file(relative),
        None,
        CnvContext(genes=_spans(build), thresholds_for=lambda g: DEFAULT, purity=1.0, ploidy=2.0),
    )
    return {e.gene: e for e in evidence.events}


def _fusions(relative: str, require_in_frame: bool = True) -> Evidence:
    return read_fusions(shared_file(relative), None, FUSION_GENES, ROLES, require_in_frame)


def _by_name(evidence: Evidence) -> dict[str, list[Event]]:
    out: dict[str, list[Event]] = {}
    for e in evidence.events:
        out.setdefault(f"{e.gene5 or ''}-{e.gene3 or ''}", []).append(e)
    return out


# --- copy number ---------------------------------------------------------------------------


def test_cnvkit_amplicon_met_amp_cdkn2a_homdel_fgfr2_review() -> None:
    events = _cnv("etal-cnvkit/amplicon.cns")
    met = events["MET"]
    assert (met.cnv_call, met.status, met.source.line) == ("amplification", "called", 36)
    assert met.log2 == pytest.approx(3.81256) and met.copy_number == pytest.approx(28.1, abs=0.1)
    cdkn2a = events["CDKN2A"]
    assert (cdkn2a.cnv_call, cdkn2a.status) == ("homozygous_deletion", "called")
    assert cdkn2a.copy_number == pytest.approx(0.0, abs=1e-6)
    fgfr2 = events["FGFR2"]
    assert fgfr2.log2 == pytest.approx(1.37787)
    assert fgfr2.copy_number == pytest.approx(5.2, abs=0.01)
    assert (fgfr2.cnv_call, fgfr2.status) == ("indeterminate_gain", "indeterminate")
    assert any("broad (arm-level)" in n for n in fgfr2.notes)  # the 79-Mb chr10 segment
    # BRAF: a 2-probe focal log2 2.7 inside the gene is a partial-gene gain, for review only
    assert (events["BRAF"].cnv_call, events["BRAF"].status) == (
        "indeterminate_gain",
        "indeterminate",
    )
    assert events["ERBB2"].cnv_call == "gain"
    # ROS1 at log2 -2.03 over a 48-Mb segment: a homozygous deletion that wide is implausible
    ros1 = events["ROS1"]
    assert (ros1.cnv_call, ros1.status) == ("homozygous_deletion", "indeterminate")
    assert "broad" in ros1.status_reason


def test_cnvkit_tr95t_cdk4_amplification() -> None:
    events = _cnv("etal-cnvkit/tr95t.cns")
    cdk4 = events["CDK4"]
    assert (cdk4.cnv_call, cdk4.status, cdk4.source.line) == ("amplification", "called", 63)
    assert cdk4.log2 == pytest.approx(3.53273)
    others = [e for g, e in events.items() if g != "CDK4" and e.cnv_call == "amplification"]
    assert others == []


def test_cnvkit_call_cns_uses_cn_column() -> None:
    events = _cnv("etal-cnvkit/p2-9_2.call.cns")
    assert events["CDKN2A"].copy_number == 1.0
    assert events["CDKN2A"].cnv_call != "homozygous_deletion"
    assert not any(e.cnv_call == "amplification" for e in events.values())


@pytest.mark.parametrize(
    ("relative", "build"),
    [
        ("sigven-pcgr/current/T001-BRCA.grch37.cna.tsv", "GRCh37"),
        ("sigven-pcgr/current/T001-BRCA.grch38.cna.tsv", "GRCh38"),
    ],
)
def test_pcgr_cna_erbb2_amp_cdkn2a_single_copy(relative: str, build: str) -> None:
    events = _cnv(relative, build)
    erbb2 = events["ERBB2"]
    assert (erbb2.cnv_call, erbb2.copy_number, erbb2.status) == ("amplification", 9.0, "called")
    assert any("purity formula not applied" in n for n in erbb2.notes)
    cdkn2a = events["CDKN2A"]
    assert cdkn2a.copy_number == 1.0
    # one copy left (1/0, LOH): a single-copy loss, not a homozygous deletion
    # (default bands: 1.0 <= CN <= 1.5 is a loss).
    assert cdkn2a.cnv_call == "loss"
    assert cdkn2a.status == "called"
    amplified = sorted(g for g, e in events.items() if e.cnv_call == "amplification")
    assert amplified == ["ERBB2"]


# --- fusions -------------------------------------------------------------------------------


def test_fusioncatcher_targets_found_and_frame_policy() -> None:
    by_name = _by_name(_fusions("fusioncatcher/final-list_candidate-fusion-genes.txt"))
    for name in ("EML4-ALK", "CD74-ROS1", "GOPC-ROS1", "HOOK3-RET", "ETV6-NTRK3", "FGFR3-TACC3"):
        assert name in by_name, name
    (eml4_alk,) = by_name["EML4-ALK"]
    assert eml4_alk.frame == "out-of-frame" and eml4_alk.status == "filtered"
    assert "CDS(truncated)/intronic" in eml4_alk.status_reason
    assert [e.status for e in by_name["CD74-ROS1"]] == ["called"]
    assert [e.status for e in by_name["HOOK3-RET"]] == ["called"]
    assert [e.status for e in by_name["ETV6-NTRK3"]] == ["called"]
    assert sorted(e.status for e in by_name["GOPC-ROS1"]) == ["called", "filtered"]
    # out-of-frame rows of an exclusion gene stay for review instead of being filtered away
    assert sorted(e.status for e in by_name["FGFR3-TACC3"]) == [
        "called",
        "indeterminate",
        "indeterminate",
    ]
    assert [e.status for e in by_name["NPM1-ALK"]] == ["called"]


def test_fusioncatcher_without_frame_requirement() -> None:
    by_name = _by_name(
        _fusions("fusioncatcher/final-list_candidate-fusion-genes.txt", require_in_frame=False)
    )
    assert [e.status for e in by_name["EML4-ALK"]] == ["called"]


@pytest.mark.parametrize(
    "relative",
    [
        "sigven-pcgr/current/T001-BRCA.grch37.fusions.tsv",
        "sigven-pcgr/current/T001-BRCA.grch38.fusions.tsv",
    ],
)
def test_pcgr_fusions(relative: str) -> None:
    evidence = _fusions(relative)
    by_name = _by_name(evidence)
    for name in ("EML4-ALK", "CCDC6-RET", "FGFR3-TACC3", "NTRK1-TPM3"):
        assert [e.status for e in by_name[name]] == ["called"], name
    (braf,) = by_name["KIAA1549-BRAF"]
    assert (braf.gene, braf.category, braf.alteration) == ("BRAF", "fusion", "KIAA1549-BRAF fusion")
    assert all(a.assessed for a in evidence.assessments)
    assert not any(e.gene in ("ABL1", "ERG") for e in evidence.events)


def test_pcgr_grch37_partnerless_fusions() -> None:
    by_name = _by_name(_fusions("sigven-pcgr/current/T001-BRCA.grch37.fusions.tsv"))
    assert [(e.gene, e.status) for e in by_name["-ALK"]] == [("ALK", "called")]
    assert [(e.gene, e.status) for e in by_name["FGFR2-"]] == [("FGFR2", "called")]
    assert [(e.gene, e.status) for e in by_name["-NTRK3"]] == [("NTRK3", "called")]


def test_arriba_bcr_abl1_has_no_target_event() -> None:
    fmt, fusions = read_fusion_file(shared_file("arriba/test_fusions.tsv"))
    assert fmt == "arriba"
    assert [(f.gene5, f.gene3, f.frame, f.split_reads) for f in fusions] == [
        ("BCR", "ABL1", "in-frame", 11)
    ]
    evidence = _fusions("arriba/test_fusions.tsv")
    assert evidence.events == []
    assert {a.gene for a in evidence.assessments} == set(FUSION_GENES)
    assert all(a.assessed for a in evidence.assessments)


# --- issue 14: broad segments and unknown purity, on the real CNVkit files ---------------------


def test_broad_fgfr2_gain_is_never_a_focal_amplification() -> None:
    """amplicon.cns: FGFR2 sits on a 79.7 Mb chr10 segment at log2 1.38. At purity 0.5 that is
    CN 7.6, amplification by the thresholds, which excluded a patient for "FGFR2 amplification";
    over that length it is an arm-level gain: indeterminate: broad, for review, never counted."""
    evidence = read_copy_number(shared_file("etal-cnvkit/amplicon.cns"), None, CnvContext(genes=_spans("GRCh37"), thresholds_for=lambda g: DEFAULT, purity=0.5, ploidy=2.0))  # fmt: skip
    events = {e.gene: e for e in evidence.events}
    fgfr2 = events["FGFR2"]
    assert fgfr2.copy_number is not None and fgfr2.copy_number > DEFAULT.amplification
    assert (fgfr2.status, fgfr2.focal) == ("indeterminate", False)
    assert fgfr2.segment_bp is not None and 79_000_000 < fgfr2.segment_bp < 80_000_000
    assert fgfr2.status_reason.startswith("indeterminate: broad: the amplification of FGFR2")
    assert "79.7 Mb" in fgfr2.status_reason and "focal size 10 Mb" in fgfr2.status_reason
    met = events["MET"]  # the focal MET amplicon still counts
    assert (met.cnv_call, met.status, met.focal) == ("amplification", "called", True)
    assert met.segment_bp is not None and met.segment_bp < 10_000_000
    # every event says its segment length and whether it is focal
    assert all(e.segment_bp is not None and e.focal is not None for e in evidence.events)
    # the decision: the FGFR exclusion is not cleared (indeterminate), the patient not excluded
    from armmatch.decision.assignment import decide
    from armmatch.decision.eligibility import Criterion, Eligibility
    from armmatch.decision.rules import annotate_events
    from armmatch.events import assessed
    from armmatch.run.pipeline import rule_set

    rules = rule_set()
    cnv_events = annotate_events(evidence.events, rules)
    assessments = [
        a for c in ("mutation", "fusion", "ihc") for a in assessed(rules.genes(c), c, "t")
    ]  # type: ignore[arg-type]
    d = decide(events=cnv_events, assessments=[*assessments, *evidence.assessments], rules=rules,
               eligibility=Eligibility((Criterion("age", "met", "", ""),), {}, (), ()))  # fmt: skip
    fgfr = next(x for x in d.exclusions if x.arm.arm_id == "exclusion-FGFR")
    assert fgfr.verdict == "indeterminate evidence" and d.status == "incomplete"
    # a larger focal size (config copy_number.focal_max_mb) counts it
    wide = read_copy_number(shared_file("etal-cnvkit/amplicon.cns"), None, CnvContext(genes=_spans("GRCh37"), thresholds_for=lambda g: DEFAULT, purity=0.5, ploidy=2.0, focal_max_bp=100_000_000))  # fmt: skip
    (f2,) = [e for e in wide.events if e.gene == "FGFR2"]
    assert (f2.cnv_call, f2.status, f2.focal) == ("amplification", "called", True)


def test_unknown_purity_decides_what_holds_over_the_range() -> None:
    """No purity: each gene's call is computed over purity 0.2..1.0."""
    evidence = read_copy_number(shared_file("etal-cnvkit/amplicon.cns"), None, CnvContext(genes=_spans("GRCh37"), thresholds_for=lambda g: DEFAULT, purity=None, ploidy=2.0, min_purity=0.2))  # fmt: skip
    events = {e.gene: e for e in evidence.events}
    met = events["MET"]  # log2 3.81: amplified at any purity
    assert (met.cnv_call, met.status) == ("amplification", "called")
    assert any("holds at every purity from 0.2 to 1.0" in n for n in met.notes)
    erbb2 = events["ERBB2"]  # log2 0.52: CN 2.9 at purity 1, 6.6 at 0.2: the call changes
    assert erbb2.status == "indeterminate"
    assert erbb2.status_reason.startswith(
        "indeterminate: purity unknown: amplification at purity 0.2 up to about"
    )
    assert erbb2.cnv_call == "indeterminate_gain"
    # the change point is where the purity formula crosses the amplification threshold
    import re

    change = float(re.search(r"up to about ([0-9.]+)", erbb2.status_reason).group(1))  # type: ignore[union-attr]
    from armmatch.calling.purity import tumour_copy_number

    assert tumour_copy_number(erbb2.log2, change - 0.01, 2.0) >= DEFAULT.amplification  # type: ignore[arg-type]
    assert tumour_copy_number(erbb2.log2, change + 0.01, 2.0) < DEFAULT.amplification  # type: ignore[arg-type]


def test_unknown_purity_on_a_near_neutral_profile() -> None:
    """p2-9_2.cns: neutral genes stay neutral without a purity; a shallow loss that would be a
    homozygous deletion at 20% tumour is held for review, with the purity that decides it."""
    evidence = read_copy_number(shared_file("etal-cnvkit/p2-9_2.cns"), None, CnvContext(genes=_spans("GRCh37"), thresholds_for=lambda g: DEFAULT, purity=None, ploidy=2.0))  # fmt: skip
    events = {e.gene: e for e in evidence.events}
    assert (events["MET"].cnv_call, events["MET"].status) == ("neutral", "called")
    assert not [e for e in evidence.events if e.cnv_call in ("amplification", "homozygous_deletion")
                and e.status == "called"]  # fmt: skip
    # FGFR1 at log2 0.19: neutral at purity 1.0, a gain at 0.2; no rule uses either: noted only
    fgfr1 = events["FGFR1"]
    assert (fgfr1.cnv_call, fgfr1.status) == ("neutral", "called")
    assert any("neither reaches a review or actionable band" in n for n in fgfr1.notes)
    cdkn2a = events["CDKN2A"]
    assert (cdkn2a.cnv_call, cdkn2a.status) == ("indeterminate_loss", "indeterminate")
    assert "homozygous_deletion at purity 0.2 up to about 0.24" in cdkn2a.status_reason
