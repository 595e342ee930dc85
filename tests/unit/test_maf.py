"""A small hand-written MAF: columns, alleles, FILTER policy and tumour barcodes."""

from __future__ import annotations

from pathlib import Path

import pytest

from armmatch.calling.small_variants import read_small_variants
from armmatch.config import SmallVariantPolicy
from armmatch.errors import InputError
from armmatch.run.pipeline import gene_models, preferred_transcripts, rule_set
from tests.conftest import decided

COLS = ["Hugo_Symbol", "NCBI_Build", "Chromosome", "Start_Position", "End_Position", "Variant_Classification",
        "Reference_Allele", "Tumor_Seq_Allele1", "Tumor_Seq_Allele2", "Tumor_Sample_Barcode", "HGVSp_Short",
        "Transcript_ID", "Exon_Number", "t_depth", "t_alt_count", "FILTER"]  # fmt: skip
ROWS = [
    ["EGFR", "GRCh38", "7", "55174772", "55174786", "In_Frame_Del", "GGAATTAAGAGAAGC", "GGAATTAAGAGAAGC", "-",
     "T1", "p.E746_A750del", "ENST00000275493", "19/28", "100", "30", "PASS"],
    ["ERBB2", "GRCh38", "17", "39724730", "39724731", "In_Frame_Ins", "-", "-", "ATACGTGATGGC", "T1", "", "", "",
     "100", "30", "PASS"],
    ["BRCA2", "GRCh38", "13", "32333290", "32333290", "Frame_Shift_Del", "A", "A", "-", "T1", "p.I605Yfs*9",
     "NM_000059.4", "10/27", "100", "3", "PASS"],
    ["KIT", "GRCh38", "4", "54733155", "54733155", "Missense_Mutation", "A", "A", "T", "T2", "p.D816V",
     "ENST00000288135", "17/21", "100", "30", "PASS"],
]  # fmt: skip


def _maf(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "calls.txt"  # recognised by its header, not its name
    path.write_text("#version 2.4\n" + "\n".join("\t".join(r) for r in [COLS, *rows]) + "\n")
    return path


def _read(path: Path, sample: str | None) -> list:  # type: ignore[type-arg]
    rules = rule_set()
    ev = read_small_variants(str(path), patient="P", build="GRCh38", genes=rules.genes(),
                             preferred=preferred_transcripts(gene_models("GRCh38")), vcf_sample=sample,
                             policy=SmallVariantPolicy())  # fmt: skip
    return decided(ev.events, rules, "GRCh38")


def test_maf_rows(tmp_path: Path) -> None:
    events = _read(_maf(tmp_path, ROWS), "T1")
    got = [(e.gene, e.exon, e.variant_class, e.status, e.rule_ids) for e in events]
    assert got == [
        ("EGFR", 19, "inframe_deletion", "called", ("EGFR-ex19del",)),
        # no HGVSp: the coordinates decide, and a 12-base insertion 19 bases into exon 20 could
        # sit in a repeat reaching the intron 19 acceptor: for review, never silently counted
        ("ERBB2", 20, "inframe_insertion", "indeterminate", ("ERBB2-ex20ins",)),
        ("BRCA2", 10, "frameshift", "filtered", ()),  # VAF 0.03 < 0.05: kept, never fires
    ]
    assert "VAF 0.030 < min_vaf" in events[2].status_reason
    assert "place in a possible repeat" in events[1].status_reason
    assert "splice_acceptor intron 19 -> no arm" in events[1].status_reason


def test_maf_needs_a_barcode_when_several(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="2 tumour barcodes"):
        _read(_maf(tmp_path, ROWS), None)
    (kit,) = _read(_maf(tmp_path, ROWS), "T2")
    assert (kit.alteration, kit.rule_ids) == ("D816V", ("KIT-ex17",))
