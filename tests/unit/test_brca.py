"""BRCA1/2 decisions: the bundled classification table, the VCEP loss-of-function rules, the
lab's own list, each through the real VCF reader, the classification and the rule table, and
for the decision through the pipeline's assignment."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from armmatch.calling.brca import classify_events
from armmatch.calling.small_variants import read_small_variants
from armmatch.config import SmallVariantPolicy, settings_from_config
from armmatch.decision.rules import annotate_events
from armmatch.errors import ConfigError
from armmatch.events import Event
from armmatch.knowledge.brca_lof import default_lof_path, load_lof_rules, parse_lof_rules
from armmatch.knowledge.brca_table import (
    default_table_path,
    load_table,
    parse_custom,
    parse_table,
    table_header,
)
from armmatch.knowledge.loci import bundled_loci
from armmatch.run.pipeline import (
    brca_knowledge,
    gene_models,
    intronic_reach,
    preferred_transcripts,
    rule_set,
)
from tests.conftest import (
    CSQ_FIELDS,
    GRCH37_CHR7,
    GRCH38_CHR7,
    VcfWriter,
    assign_record,
    example_patient,
)

SETTINGS = settings_from_config({"samples": "s.tsv"})
POLICY = SmallVariantPolicy()
GT = "0/1:30,30:60"


def _decide(path: Path, build: str = "GRCh38", settings: object = SETTINGS) -> list[Event]:
    rules = rule_set()
    models = gene_models(build)
    ev = read_small_variants(
        str(path), patient="p", build=build, genes=rules.genes(),
        preferred=preferred_transcripts(models), vcf_sample="TUMOR", policy=POLICY,
        models=models, intronic_reach=intronic_reach(rules, settings),  # type: ignore[arg-type]
    )  # fmt: skip
    k = brca_knowledge(settings, build, rules, models)  # type: ignore[arg-type]
    return [
        e
        for e in annotate_events(classify_events(ev.events, k), rules)
        if e.gene.startswith("BRCA")
    ]


def _one(write_vcf: VcfWriter, chrom: str, pos: int, ref: str, alt: str, info: str = ".",
         build: str = "GRCh38", settings: object = SETTINGS) -> Event:  # fmt: skip
    path = write_vcf([(chrom, str(pos), ref, alt, "PASS", info, GT)], csq_header=info != ".",
                     chr7_length=GRCH37_CHR7 if build == "GRCh37" else GRCH38_CHR7)  # fmt: skip
    (event,) = _decide(path, build, settings)
    return event


def _csq(gene: str, hgvsc: str, hgvsp: str, alt: str, consequence: str) -> str:
    tx = "NM_007294.4" if gene == "BRCA1" else "NM_000059.4"
    fields = [alt, consequence, "HIGH", gene, "", "Transcript", tx, "protein_coding", "", "",
              f"{tx}:{hgvsc}", f"NP_X:{hgvsp}" if hgvsp else "", "YES", tx, tx]  # fmt: skip
    return "CSQ=" + "|".join(fields)


# ---------------------------------------------------------------------------------------------
# the table decides
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("build", "pos"), [("GRCh38", 32398489), ("GRCh37", 32972626)])
def test_benign_last_exon_stop_not_counted(write_vcf: VcfWriter, build: str, pos: int) -> None:
    """BRCA2 p.Lys3326Ter: ENIGMA benign; a stop by class, yet neither counted nor flagged."""
    info = _csq("BRCA2", "c.9976A>T", "p.Lys3326Ter", "T", "stop_gained")
    for annotated in (".", info):
        e = _one(write_vcf, "chr13", pos, "A", "T", annotated, build)
        assert (e.status, e.rule_ids, e.classification) == ("called", (), "benign")
        assert "reviewed by expert panel (ENIGMA), 3 stars" in e.classification_evidence


def test_pathogenic_last_stop_counted(write_vcf: VcfWriter) -> None:
    """BRCA2 p.Tyr3308Ter (the last pathogenic termination codon) counts, unannotated too."""
    e = _one(write_vcf, "chr13", 32398437, "C", "G")
    assert (e.status, e.rule_ids, e.classification, e.hgvsp) == (
        "called", ("BRCA2-path",), "pathogenic", "p.Tyr3308Ter")  # fmt: skip
    assert "from the classification table" in " ".join(e.notes)


def test_expert_panel_beats_a_predicted_effect(write_vcf: VcfWriter) -> None:
    """BRCA2 c.6937+594T>G makes a cryptic exon in splicing studies; ENIGMA classifies it
    benign: not counted, not for review, not even listed as a deep intronic event."""
    path = write_vcf([("chr13", "32345247", "T", "G", "PASS", ".", GT)], csq_header=False)
    events = _decide(path)
    assert all(e.rule_ids == () for e in events)
    assert [e.classification for e in events] in ([], ["benign"])


def test_conflicting_and_below_review_level_are_for_review(write_vcf: VcfWriter) -> None:
    conflicting = _one(write_vcf, "chr17", 43063361, "G", "A")  # BRCA1 c.5165C>T p.Ser1722Phe
    assert conflicting.classification == "review" and conflicting.status == "indeterminate"
    assert conflicting.rule_ids == ("BRCA1-clinvar-review",)
    assert "conflicting classifications" in conflicting.classification_evidence
    one_star = _one(write_vcf, "chr17", 43045747, "A", "C")  # c.5523T>G pathogenic, 1 star
    assert one_star.classification == "review" and one_star.status == "indeterminate"
    strict = settings_from_config({"samples": "s.tsv", "brca_classification": {"min_stars": 1}})
    counted = _one(write_vcf, "chr17", 43045747, "A", "C", settings=strict)
    assert counted.rule_ids == ("BRCA1-path",) and counted.status == "called"


def test_missense_not_in_table_is_a_vus(write_vcf: VcfWriter) -> None:
    info = _csq("BRCA1", "c.3000G>T", "p.Gln1000His", "A", "missense_variant")
    e = _one(write_vcf, "chr17", 43092531, "C", "A", info)
    if e.classification != "unclassified":
        pytest.fail(f"the test variant is in the table now: {e.classification_evidence}")
    assert (e.status, e.rule_ids) == ("called", ())
    assert "not classified in the bundled table (ClinVar" in e.classification_evidence


# ---------------------------------------------------------------------------------------------
# the VCEP rules decide what the table does not classify
# ---------------------------------------------------------------------------------------------


def test_vcep_splice_exception_not_counted(write_vcf: VcfWriter) -> None:
    """BRCA2 c.6937+1G>C (exon 12, in frame, region of unknown role): no loss of function."""
    e = _one(write_vcf, "chr13", 32344654, "G", "C")
    assert e.classification == "lof_no" and e.rule_ids == () and e.status == "called"
    assert "c.6937+1" in e.classification_evidence
    # the same site's neighbour exon 11 donor counts
    info = _csq("BRCA2", "c.6841+1G>C", "", "C", "splice_donor_variant")
    assert load_lof_rules(default_lof_path()).splice("BRCA2", "6841+1", "C").verdict == "count"  # type: ignore[union-attr]
    del info


def test_stop_beyond_last_pathogenic_codon_not_counted(write_vcf: VcfWriter) -> None:
    """BRCA2 p.Lys3315Ter (not in the table): after codon 3308, no loss of function."""
    info = _csq("BRCA2", "c.9943A>T", "p.Lys3315Ter", "T", "stop_gained")
    e = _one(write_vcf, "chr13", 32398456, "A", "T", info)
    assert e.classification == "lof_no" and e.rule_ids == ()
    assert "termination codon 3315" in e.classification_evidence


def test_disputed_codon_is_for_review() -> None:
    """BRCA1 codon 1854 and BRCA2 codon 3309: the renderings disagree, the board decides."""
    rules = load_lof_rules(default_lof_path())
    assert rules.ptc("BRCA1", 3 * 1853 - 2).verdict == "count"  # type: ignore[union-attr]
    assert rules.ptc("BRCA1", 3 * 1854 - 2).verdict == "review"  # type: ignore[union-attr]
    assert rules.ptc("BRCA1", 3 * 1855 - 2).verdict == "no"  # type: ignore[union-attr]
    assert rules.ptc("BRCA2", 3 * 3309 - 2).verdict == "review"  # type: ignore[union-attr]
    assert rules.ptc("BRCA1", 3 * 200 - 2).verdict == "no"  # exons 8-9  # type: ignore[union-attr]
    assert rules.ptc("BRCA2", 3 * 2300 - 2).verdict == "no"  # exon 12  # type: ignore[union-attr]
    assert rules.ptc("BRCA2", 3 * 165 - 2).verdict == "no"  # exon 6  # type: ignore[union-attr]


def test_frameshift_not_in_table_counts_by_the_vcep_rules(write_vcf: VcfWriter) -> None:
    """BRCA2 c.4002del (not in the table) in exon 11: loss of function at strong weight."""
    e = _one(write_vcf, "chr13", 32338356, "TA", "T")
    assert e.classification == "lof" and e.rule_ids == ("BRCA2-trunc",), e.classification_evidence
    assert "exon 11" in e.classification_evidence and "brca_lof_rules" in e.classification_evidence


def test_frameshift_evidence_names_its_new_stop_codon() -> None:
    """With a protein change, the termination codon is the frameshift's new one (605 + 9 - 1)."""
    from armmatch.calling.brca import lof_verdict
    from armmatch.events import SourceRecord

    e = Event(gene="BRCA2", category="mutation", alteration="x", source=SourceRecord("v", 1, ""),
              hgvsc="c.1813del", hgvsp="p.Ile605TyrfsTer9", variant_class="frameshift")  # fmt: skip
    verdict = lof_verdict(e, load_lof_rules(default_lof_path()))
    assert verdict is not None and verdict[0] == "lof" and "new termination codon 613" in verdict[1]
    late = Event(gene="BRCA2", category="mutation", alteration="x", source=SourceRecord("v", 1, ""),
                 hgvsc="c.9920del", hgvsp="p.Lys3307AsnfsTer20", variant_class="frameshift")  # fmt: skip
    verdict = lof_verdict(late, load_lof_rules(default_lof_path()))
    assert verdict is not None and verdict[0] == "lof_no"  # the new stop lies after codon 3309


# ---------------------------------------------------------------------------------------------
# the lab's own list
# ---------------------------------------------------------------------------------------------


def test_custom_row_overrides_the_table(write_vcf: VcfWriter, tmp_path: Path) -> None:
    custom = tmp_path / "brca_custom.tsv"
    custom.write_text(
        "gene\tbuild\tallele\thgvsc\tclassification\treason\tclassified_by\tdate\n"
        "BRCA1\tGRCh38\t17:43115727:T:G\t\tpathogenic\tfunctional assay (lab report 17)\tDr A\t"
        "2026-11-30\n",
        encoding="utf-8",
    )
    settings = settings_from_config(
        {"samples": "s.tsv", "brca_classification": {"custom": str(custom)}}
    )
    e = _one(write_vcf, "chr17", 43115727, "T", "G", settings=settings)  # p.Lys45Gln, benign
    assert e.rule_ids == ("BRCA1-path",) and e.classification == "pathogenic"
    assert "functional assay (lab report 17) (Dr A)" in e.classification_evidence
    plain = _one(write_vcf, "chr17", 43115727, "T", "G")
    assert plain.classification == "benign" and plain.rule_ids == ()


@pytest.mark.parametrize(("text", "problem"), [
    ("gene\tbuild\tallele\thgvsc\tclassification\treason\tclassified_by\tdate\n"
     "BRCA1\tGRCh38\t17:43115727:T:G\t\tpathogenic\t\tDr A\t\n", "needs its reason"),
    ("gene\tbuild\tallele\thgvsc\tclassification\treason\tclassified_by\tdate\n"
     "BRCA1\thg19\t17:1:T:G\t\tpathogenic\tr\tDr A\t\n", "must be GRCh37 or GRCh38"),
    ("gene\tbuild\tallele\thgvsc\tclassification\treason\tclassified_by\tdate\n"
     "BRCA1\tGRCh38\t17:43115727:T:G\t\tprobably bad\tr\tDr A\t\n", "is not one of"),
    ("gene\tallele\n", "header must be"),
])  # fmt: skip
def test_custom_list_errors_name_the_line(text: str, problem: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_custom(text, path="lab.tsv")
    assert problem in str(exc.value) and "lab.tsv" in str(exc.value)


def test_table_and_rules_errors_name_the_line() -> None:
    with pytest.raises(ConfigError, match="header must be"):
        parse_table("gene\n", path="t.tsv")
    good = table_header(str(default_table_path()))
    assert good["version"] and good["intronic_reach"]
    with pytest.raises(ConfigError, match="verdict"):
        parse_lof_rules(
            "# brca_lof_version: 1\ngene\tkind\twhere\talt\tverdict\tstrength\tnote\n"
            "BRCA1\tptc\tc.1..c.9\t*\tmaybe\tstrong\tx\n",
            path="r.tsv",
        )


# ---------------------------------------------------------------------------------------------
# the decision
# ---------------------------------------------------------------------------------------------


def _patient_events(write_vcf: VcfWriter, records: list[tuple[str, ...]]) -> list[Event]:
    rules = rule_set()
    models = gene_models("GRCh38")
    path = write_vcf(records, csq_header=False, name="extra.vcf")
    return read_small_variants(
        str(path), patient="PLT-008", build="GRCh38", genes=rules.genes(),
        preferred=preferred_transcripts(models), vcf_sample="TUMOR", policy=POLICY,
        models=models, intronic_reach=intronic_reach(rules, SETTINGS),
    ).events  # fmt: skip


def test_decision_pathogenic_missense_gets_niraparib(write_vcf: VcfWriter) -> None:
    """BRCA1 p.Met1775Lys unannotated: niraparib, not the PD-1 arm and not "for review"."""
    extra = _patient_events(write_vcf, [("chr17", "43051071", "A", "T", "PASS", ".", GT)])
    doc = assign_record(example_patient("PLT-008"), SETTINGS, extra)
    assert doc["arm"] == "niraparib-BRCA", doc["status_reason"]
    brca = [e for e in doc["events"] if e["gene"] == "BRCA1"]
    assert brca[0]["classification"] == "pathogenic"


def test_decision_benign_stop_stays_pd1(write_vcf: VcfWriter) -> None:
    extra = _patient_events(write_vcf, [("chr13", "32398489", "A", "T", "PASS", ".", GT)])
    doc = assign_record(example_patient("PLT-008"), SETTINGS, extra)
    assert doc["arm"] == "sintilimab-PD1"
    assert not any(e["status"] == "indeterminate" for e in doc["events"])


def test_bundled_resources_load() -> None:
    table = load_table(default_table_path())
    assert table.summary()["variants"] == 25478
    loci = bundled_loci("GRCh38")
    assert loci.fetch("7", 140753335, 140753336) == "A"  # BRAF c.1799 (plus strand)
    with pytest.raises(KeyError):
        loci.fetch("7", 1000, 1001)
    assert CSQ_FIELDS.startswith("Allele|")


def test_hgvsc_alone_is_read_back_into_the_allele() -> None:
    """A record with only an HGVS c. on the MANE transcript (no coordinates) is looked up by
    the allele that name makes on the bundled sequence: BRCA1 c.5324T>A is p.Met1775Lys."""
    from armmatch.calling.brca import classify_event
    from armmatch.events import SourceRecord

    rules = rule_set()
    k = brca_knowledge(SETTINGS, "GRCh37", rules, gene_models("GRCh37"))
    e = Event(gene="BRCA1", category="mutation", alteration="M1775K",
              source=SourceRecord("report.tsv", 3, ""), transcript="NM_007294.4",
              hgvsc="c.5324T>A", variant_class="missense")  # fmt: skip
    got = classify_event(e, k)
    assert got is not None and got.classification == "pathogenic"
    other_tx = classify_event(replace(e, transcript="NM_007300.4"), k)
    assert other_tx is not None and other_tx.classification == "unclassified"
