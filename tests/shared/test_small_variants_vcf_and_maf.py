"""Every small-variant file in ../shared/data read as a VCF and as a MAF gives the same events.

Where the source repository holds a MAF of the same calls (mskcc/vcf2maf's ``test.vcf`` and its
expected MAFs), that MAF is read too, with and without its HGVSp columns. For every other VCF the
test writes the MAF vcf2maf would write without an annotator (its allele and position
conventions, ``t_depth``/``t_alt_count``, no HGVSp): the built-in classifier must then give the
same event as for the VCF record.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from armmatch.calling.small_variants import read_small_variants
from armmatch.config import SmallVariantPolicy
from armmatch.events import Event
from armmatch.readers.vcf import allele_support
from armmatch.run.pipeline import check_coordinates, gene_models, preferred_transcripts, rule_set
from tests.conftest import decided

pytestmark = pytest.mark.shared

FILES = [
    ("sigven-pcgr/current/T001-COAD.grch37.vcf.gz", "GRCh37", None),
    ("sigven-pcgr/current/T001-COAD.grch38.vcf.gz", "GRCh38", None),
    ("sigven-pcgr/current/T001-BRCA.grch37.vcf.gz", "GRCh37", None),
    ("sigven-pcgr/current/T001-BRCA.grch38.vcf.gz", "GRCh38", None),
    ("sigven-pcgr/v0.3-2017/tumor_sample.COAD.vcf.gz", "GRCh37", None),
    ("sigven-pcgr/v0.3-2017/tumor_sample.BRCA.vcf.gz", "GRCh37", None),
    ("mskcc-vcf2maf/test.vcf", "GRCh37", "TUMOR"),
    ("mskcc-vcf2maf/test_grch38.vcf", "GRCh38", "TUMOR"),
    ("mskcc-vcf2maf/test_b37.vcf", "GRCh37", "TUMOR"),
    ("mskcc-vcf2maf/test_strelka.vcf", "GRCh37", "TUMOR"),
    ("mskcc-vcf2maf/test_muse.vcf", "GRCh37", "TUMOR"),
]
POLICY = SmallVariantPolicy(accept_unknown_vaf=True)  # v0.3 COAD gives no counts at all


def _read(path: Path, build: str, sample: str | None) -> list[Event]:
    rules = rule_set()
    ev = read_small_variants(
        str(path), patient="P", build=build, genes=rules.genes(),
        preferred=preferred_transcripts(gene_models(build)), vcf_sample=sample, policy=POLICY,
        intronic_reach=rules.intronic_reach(),
    )  # fmt: skip
    check_coordinates(ev.events, build, path=str(path), patient="P")
    return decided(ev.events, rules, build)


def _key(e: Event) -> tuple[object, ...]:
    return (e.gene, e.variant_class, e.exon, e.intron, e.hgvsc, e.hgvsp, e.status, e.rule_ids,
            e.vaf, e.depth)  # fmt: skip


def _as_maf(vcf: Path, build: str, sample: str | None, out: Path) -> Path:
    """The target-gene-region records of ``vcf`` as vcf2maf writes them without annotation."""
    import cyvcf2

    spans = [(m.chrom, m.tx_start0 - 100, m.tx_end + 100)
             for g in rule_set().genes() if (m := gene_models(build).get(g)) is not None]  # fmt: skip
    reader = cyvcf2.VCF(str(vcf))
    index = list(reader.samples).index(sample) if sample else (0 if reader.samples else None)
    cols = ["Hugo_Symbol", "NCBI_Build", "Chromosome", "Start_Position", "End_Position",
            "Reference_Allele", "Tumor_Seq_Allele1", "Tumor_Seq_Allele2", "Tumor_Sample_Barcode",
            "HGVSp_Short", "t_depth", "t_alt_count", "FILTER"]  # fmt: skip
    rows = []
    for v in reader:
        chrom = v.CHROM.removeprefix("chr")
        genes = [g for g in rule_set().genes() if (m := gene_models(build).get(g)) is not None
                 and m.chrom == chrom and m.tx_start0 - 100 < v.POS <= m.tx_end + 100]  # fmt: skip
        if not genes or not any(c == chrom and s < v.POS <= e for c, s, e in spans):
            continue
        for alt_index, alt in enumerate(v.ALT):
            vaf, depth, _ = allele_support(v, index, alt_index)
            ref = v.REF
            start = v.POS
            if len(ref) != len(alt) and ref[0] == alt[0]:  # drop the VCF anchor base
                ref, alt, start = (
                    ref[1:] or "-",
                    alt[1:] or "-",
                    start + (0 if len(ref) == 1 else 1),
                )
            end = start + max(len(ref.replace("-", "")), 1) - 1
            alt_count = "" if vaf is None or depth is None else str(round(vaf * depth))
            for g in genes:
                rows.append([g, build, v.CHROM, str(start), str(end), ref, ref, alt, "T",
                             "", "" if depth is None else str(depth), alt_count,
                             v.FILTER or "PASS"])  # fmt: skip
    out.write_text("\n".join("\t".join(r) for r in [cols, *rows]) + "\n")
    return out


@pytest.mark.parametrize(("name", "build", "sample"), FILES, ids=[f[0] for f in FILES])
def test_vcf_and_its_maf_give_the_same_events(
    shared_data: Path, tmp_path: Path, name: str, build: str, sample: str | None
) -> None:
    vcf = shared_data / name
    from_vcf = _read(vcf, build, sample)
    maf = _as_maf(vcf, build, sample, tmp_path / "calls.maf")
    from_maf = _read(maf, build, None)
    assert sorted(map(_key, from_maf), key=repr) == sorted(map(_key, from_vcf), key=repr)
    # the same count of target-gene records as the VCF has events
    assert len(from_maf) == len(from_vcf)


def _strip_hgvsp(maf: Path, out: Path) -> Path:
    lines = [x for x in maf.read_text().splitlines() if not x.startswith("#")]
    rows = list(csv.reader(lines, delimiter="\t"))
    header = rows[0]
    # all_effects carries each transcript's HGVSp too
    drop = {
        i for i, c in enumerate(header) if c in ("HGVSp", "HGVSp_Short", "HGVSc", "all_effects")
    }
    out.write_text("\n".join("\t".join("" if i in drop else c for i, c in enumerate(r))
                             for r in rows) + "\n")  # fmt: skip
    return out


@pytest.mark.parametrize("maf", ["test_output.custom_isoforms.maf", "test_output.vep_isoforms.maf"])
def test_vcf2maf_maf_with_and_without_hgvsp_gives_the_vcf_arms(
    shared_data: Path, tmp_path: Path, maf: str
) -> None:
    folder = shared_data / "mskcc-vcf2maf"

    def counted(events: list[Event]) -> set[tuple[str, int | None, tuple[str, ...]]]:
        return {(e.gene, e.exon, e.arm_ids) for e in events if e.status == "called" and e.arm_ids}

    vcf = counted(_read(folder / "test.vcf", "GRCh37", "TUMOR"))
    with_hgvsp = counted(_read(folder / maf, "GRCh37", None))
    without = _read(_strip_hgvsp(folder / maf, tmp_path / "no_hgvsp.maf"), "GRCh37", None)
    assert vcf == with_hgvsp == counted(without) == {("MET", 14, ("crizotinib-MET-mut",))}
    # without HGVSp the MET row is classified from its alleles: splice region of exon 14, and
    # its codon change left to an annotator (visibly, never dropped)
    met = [e for e in without if e.gene == "MET"]
    assert [(e.status, e.variant_class) for e in met] == [
        ("called", "splice_region"),
        ("indeterminate", "stop_gained&missense&synonymous"),
    ]
