"""Sequence-exact classification offline: the bundled loci read the codon without a FASTA.

Every record below is an unannotated VCF record read by the pipeline's own small-variant step
(no ``reference_fasta``), classified and matched against the rule table. The alleles are made
from HGVS names on the bundled sequence of each build, then written the ways callers write them:
trimmed, padded on either side, as MNVs that start in the codon before, as delins.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from armmatch.calling.hgvs_c import allele_from_c
from armmatch.config import settings_from_config
from armmatch.errors import ConfigError, InputError
from armmatch.events import Event
from armmatch.knowledge.loci import bundled_loci
from armmatch.patient import Patient
from armmatch.run.pipeline import detect_small_variants, gene_models, rule_set
from tests.conftest import GRCH37_CHR7, GRCH38_CHR7, VcfWriter, decided

SETTINGS = settings_from_config({"samples": "s.tsv"})
GT = "0/1:30,30:60"


def _vcf_record(gene: str, hgvsc: str, build: str, pad5: int = 0, pad3: int = 0) -> tuple[str, ...]:
    """The VCF record of an HGVS c. change on the bundled sequence, padded with ``pad5`` bases
    before and ``pad3`` after (the same change written wider)."""
    model = gene_models(build).get(gene)
    assert model is not None
    seq = bundled_loci(build)
    vcf = allele_from_c(model, seq, hgvsc)
    assert vcf is not None, hgvsc
    pos, ref, alt = vcf
    before = seq.fetch(model.chrom, pos - 1 - pad5, pos - 1)
    after = seq.fetch(model.chrom, pos - 1 + len(ref), pos - 1 + len(ref) + pad3)
    return (f"chr{model.chrom}", str(pos - pad5), before + ref + after, before + alt + after,
            "PASS", ".", GT)  # fmt: skip


def _events(write_vcf: VcfWriter, records: list[tuple[str, ...]], build: str) -> list[Event]:
    vcf = write_vcf(records, csq_header=False,
                    chr7_length=GRCH37_CHR7 if build == "GRCh37" else GRCH38_CHR7)  # fmt: skip
    patient = Patient("P1", "C49", str(vcf), 2, vcf_sample="TUMOR")
    rules = rule_set()
    ev = detect_small_variants(patient, build=build, rules=rules, settings=SETTINGS)
    return decided(ev.events, rules, build)


# BRAF codon 599 = c.1795-1797 (ACA, Thr), codon 600 = c.1798-1800 (GTG, Val)
BRAF_FORMS = {
    "V600E SNV": ("c.1799T>A", 0, 0),
    "V600E 2-base MNV in codon 600": ("c.1799_1800delinsAG", 0, 0),
    "V600E 3-base MNV over codon 600": ("c.1799T>A", 1, 1),
    "V600E 4-base MNV from codon 599": ("c.1799T>A", 2, 1),
    "V600K MNV": ("c.1798_1799delinsAA", 0, 0),
    "V600K 4-base MNV from codon 599": ("c.1798_1799delinsAA", 1, 1),
    "V600D MNV": ("c.1799_1800delinsAT", 0, 0),
    "V600D 3-base MNV over codon 600": ("c.1799_1800delinsAT", 1, 0),
    "V600R MNV": ("c.1798_1799delinsAG", 0, 0),
    "V600R 3-base MNV over codon 600": ("c.1798_1799delinsAG", 0, 1),
    "V600R 4-base MNV from codon 599 (the issue's CACT>CCTC)": ("c.1797_1799delinsGAG", 0, 1),
    "V600E delins padded both sides": ("c.1799T>A", 3, 2),
}


@pytest.mark.parametrize("build", ["GRCh37", "GRCh38"])
@pytest.mark.parametrize("form", sorted(BRAF_FORMS))
def test_braf_v600_in_every_written_form(write_vcf: VcfWriter, build: str, form: str) -> None:
    hgvsc, pad5, pad3 = BRAF_FORMS[form]
    events = _events(write_vcf, [_vcf_record("BRAF", hgvsc, build, pad5, pad3)], build)
    braf = [e for e in events if e.gene == "BRAF"]
    assert [(e.status, e.rule_ids) for e in braf] == [("called", ("BRAF-V600",))], [
        (e.status, e.status_reason, e.hgvsp) for e in braf
    ]
    assert braf[0].hgvsp is not None and braf[0].hgvsp.startswith("p.Val600")


def test_the_issue_record_reads_as_v600r(write_vcf: VcfWriter) -> None:
    """7:140453135 CACT>CCTC (GRCh37): a change that starts in codon 599 is read codon by
    codon (Thr599 unchanged, Val600Arg)."""
    record = ("chr7", "140453135", "CACT", "CCTC", "PASS", ".", GT)
    (e,) = _events(write_vcf, [record], "GRCh37")
    assert (e.status, e.rule_ids, e.hgvsp) == ("called", ("BRAF-V600",), "p.Val600Arg")


@pytest.mark.parametrize(("hgvsc", "protein"), [("c.1679T>A", "p.Val560Asp"),
                                                ("c.1679T>G", "p.Val560Gly")])  # fmt: skip
def test_kit_v560_second_codon_position(write_vcf: VcfWriter, hgvsc: str, protein: str) -> None:
    (e,) = _events(write_vcf, [_vcf_record("KIT", hgvsc, "GRCh38")], "GRCh38")
    assert (e.status, e.hgvsp, e.rule_ids) == ("called", protein, ("KIT-ex11",))


@pytest.mark.parametrize(("gene", "hgvsc", "rule", "build"), [
    ("EGFR", "c.2573_2574delinsGC", "EGFR-L858R", "GRCh38"),  # L858R as a 2-base MNV (CGC)
    ("EGFR", "c.2239_2253del", "EGFR-ex19del", "GRCh38"),  # written left-aligned
    ("EGFR", "c.2240_2254del", "EGFR-ex19del", "GRCh37"),  # the same deletion, right-aligned
    ("EGFR", "c.2240_2257delinsCCC", "EGFR-ex19del", "GRCh38"),  # exon 19 delins
    ("KIT", "c.1648-3_1674del", "KIT-ex11", "GRCh38"),  # across the intron 10 / exon 11 boundary
    ("MET", "c.3028+1_3028+5del", "MET-ex14-intron", "GRCh37"),  # exon 14 donor deletion
])  # fmt: skip
def test_arms_read_from_the_sequence(
    write_vcf: VcfWriter, gene: str, hgvsc: str, rule: str, build: str
) -> None:
    events = [e for e in _events(write_vcf, [_vcf_record(gene, hgvsc, build)], build)
              if e.gene == gene]  # fmt: skip
    assert events and all(e.status == "called" for e in events), [
        (e.status, e.status_reason) for e in events
    ]
    assert rule in {r for e in events for r in e.rule_ids}, [(e.hgvsc, e.rule_ids) for e in events]


def test_left_and_right_aligned_exon19_deletion_are_one_event(write_vcf: VcfWriter) -> None:
    """c.2239_2253del and c.2240_2254del delete the same bases (T at c.2239 = c.2254): one
    deletion, named by the HGVS 3' rule, with no "place in a repeat" doubt."""
    left = _events(write_vcf, [_vcf_record("EGFR", "c.2239_2253del", "GRCh38")], "GRCh38")
    right = _events(write_vcf, [_vcf_record("EGFR", "c.2240_2254del", "GRCh38")], "GRCh38")
    assert [(e.hgvsc, e.hgvsp) for e in left] == [(e.hgvsc, e.hgvsp) for e in right]
    assert left[0].hgvsc == "c.2240_2254del" and left[0].readings == ()
    assert left[0].hgvsp == "p.Leu747_Thr751del"


@pytest.mark.bad_input
def test_ref_that_is_not_the_bundled_sequence_stops_the_patient(write_vcf: VcfWriter) -> None:
    """A BRAF record whose REF is not GRCh38's base: the file is of another build or not what
    it says; the patient stops, naming the file and line."""
    record = _vcf_record("BRAF", "c.1799T>A", "GRCh38")
    wrong = {"A": "C", "C": "G", "G": "T", "T": "A"}[record[2]]
    with pytest.raises(InputError) as exc:
        _events(write_vcf, [(*record[:2], wrong, "A" if wrong != "A" else "G", *record[4:])],
                "GRCh38")  # fmt: skip
    assert "REF does not match the reference" in exc.value.problem
    assert exc.value.line is not None and exc.value.patient == "P1"


@pytest.mark.bad_input
def test_a_fasta_of_the_other_build_is_refused(tmp_path: Path) -> None:
    """reference_fasta for GRCh38 given a GRCh37 sequence: refused at start, naming both."""
    from armmatch.run.pipeline import checked_fasta

    loci37 = bundled_loci("GRCh37")
    lines = []
    for chrom in sorted({x.chrom for x in loci37.loci}):
        mine = [x for x in loci37.loci if x.chrom == chrom]
        end = max(x.end for x in mine)
        seq = ["N"] * end
        for x in mine:
            seq[x.start0 : x.end] = x.sequence
        lines += [f">{chrom}", "".join(seq)]
    fasta = tmp_path / "grch37.fa"
    fasta.write_text("\n".join(lines) + "\n")
    with pytest.raises(ConfigError) as exc:
        checked_fasta(str(fasta), "GRCh38")
    assert "GRCh37's, not GRCh38's" in str(exc.value) and str(fasta) in str(exc.value)
    checked_fasta(str(fasta), "GRCh37").close()  # the right build is accepted
