"""Issue 14: each reader recognises what it was given (real files from ../shared/data).

A structural-variant VCF (DELLY, Manta) in the ``vcf`` column would count as "small variants
assessed"; a small-variant VCF in the ``fusions`` column would clear the RET/NTRK/FGFR
exclusions. Both stop the patient with a message; the right file in the right column is read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from armmatch.calling.fusions import read_fusions
from armmatch.calling.small_variants import read_small_variants
from armmatch.config import SmallVariantPolicy
from armmatch.errors import InputError
from armmatch.run.pipeline import gene_models, preferred_transcripts, rule_set

pytestmark = [pytest.mark.shared, pytest.mark.bad_input]


def _as_vcf(path: Path, build: str) -> None:
    rules = rule_set()
    read_small_variants(str(path), patient="P", build=build, genes=rules.genes(),
                        preferred=preferred_transcripts(gene_models(build)), vcf_sample=None,
                        policy=SmallVariantPolicy())  # fmt: skip


def _as_fusions(path: Path, build: str) -> None:
    rules = rule_set()
    read_fusions(path, None, rules.genes("fusion"), rules.fusion_roles(), True, "P",
                 models=gene_models(build))  # fmt: skip


@pytest.mark.parametrize(("name", "build"), [
    ("mskcc-vcf2maf/test_delly.vcf", "GRCh37"),
    ("illumina-manta/demo_expectedResults_somaticSV.vcf.gz", "GRCh37"),
    ("fusioncatcher/final-list_candidate-fusion-genes.vcf", "GRCh38"),
])  # fmt: skip
def test_structural_variant_vcf_in_the_vcf_column_stops(
    shared_data: Path, name: str, build: str
) -> None:
    with pytest.raises(InputError) as info:
        _as_vcf(shared_data / name, build)
    assert "this is a structural-variant VCF" in info.value.problem
    assert "give it in the fusions column" in info.value.problem
    assert info.value.path == str(shared_data / name) and info.value.patient == "P"


@pytest.mark.parametrize(("name", "build"), [
    ("mskcc-vcf2maf/test.vcf", "GRCh37"),
    ("mskcc-vcf2maf/test_strelka.vcf", "GRCh37"),
    ("sigven-pcgr/current/T001-COAD.grch38.vcf.gz", "GRCh38"),
    ("sigven-pcgr/v0.3-2017/tumor_sample.BRCA.pcgr.vcf.gz", "GRCh37"),
])  # fmt: skip
def test_small_variant_vcf_in_the_fusions_column_stops(
    shared_data: Path, name: str, build: str
) -> None:
    with pytest.raises(InputError) as info:
        _as_fusions(shared_data / name, build)
    assert "this is a small-variant VCF" in info.value.problem
    assert "give it in the vcf column" in info.value.problem


@pytest.mark.parametrize(("name", "build"), [
    ("mskcc-vcf2maf/test_delly.vcf", "GRCh37"),
    ("illumina-manta/demo_expectedResults_somaticSV.vcf.gz", "GRCh37"),
    ("fusioncatcher/final-list_candidate-fusion-genes.vcf", "GRCh38"),
])  # fmt: skip
def test_breakend_vcfs_in_the_fusions_column_are_read(
    shared_data: Path, name: str, build: str
) -> None:
    rules = rule_set()
    ev = read_fusions(shared_data / name, None, rules.genes("fusion"), rules.fusion_roles(), True,
                      "P", models=gene_models(build))  # fmt: skip
    assert all(a.assessed for a in ev.assessments)


def test_an_empty_vcf_proves_no_fusion_was_looked_for(tmp_path: Path) -> None:
    path = tmp_path / "empty.vcf"
    path.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
    with pytest.raises(InputError, match="nothing shows it is a structural-variant caller"):
        _as_fusions(path, "GRCh38")
    # an SV caller's VCF with no calls is a valid negative
    path.write_text("##fileformat=VCFv4.2\n"
                    '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="type">\n'
                    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")  # fmt: skip
    _as_fusions(path, "GRCh38")


def test_other_file_kinds_in_the_wrong_column_stop(shared_data: Path) -> None:
    """A CNVkit file as small variants or fusions, a fusion table as copy number."""
    from armmatch.calling.copy_number import CnvContext, read_copy_number
    from armmatch.calling.gene_copy_number import GeneSpan
    from armmatch.calling.purity import CnvThresholds

    cns = shared_data / "etal-cnvkit" / "amplicon.cns"
    with pytest.raises(InputError):
        _as_vcf(cns, "GRCh37")
    with pytest.raises(InputError, match="cannot tell the fusion format"):
        _as_fusions(cns, "GRCh37")
    with pytest.raises(InputError):
        read_copy_number(shared_data / "arriba" / "test_fusions.tsv", None, CnvContext(genes=[GeneSpan("MET", "7", 116672195, 116798377)], thresholds_for=lambda g: CnvThresholds(6, 4, 2.5, 1.5, 1.0, 0.5), purity=0.5, ploidy=2.0, patient="P"))  # fmt: skip


# --- the other genome build ---------------------------------------------------------------------


def _fusions_on(path: Path, build: str) -> None:
    from armmatch.genome import other_build

    rules = rule_set()
    read_fusions(path, None, rules.genes("fusion"), rules.fusion_roles(), True, "P",
                 models=gene_models(build), other_models=gene_models(other_build(build)))  # fmt: skip


@pytest.mark.parametrize(("name", "fits", "given"), [
    # Arriba's test/fusions.tsv is hg19: BCR 22:23632600 and ABL1 9:133729451 lie in BCR and
    # ABL1 on GRCh37 only (../shared/data/INDEX.md calls it GRCh38)
    ("arriba/test_fusions.tsv", "GRCh37", "GRCh38"),
    ("fusioncatcher/final-list_candidate-fusion-genes.txt", "GRCh38", "GRCh37"),
    ("sigven-pcgr/current/T001-BRCA.grch38.fusions.tsv", "GRCh38", "GRCh37"),
    ("sigven-pcgr/current/T001-BRCA.grch37.fusions.tsv", "GRCh37", "GRCh38"),
])  # fmt: skip
def test_fusion_calls_of_the_other_build_stop(
    shared_data: Path, name: str, fits: str, given: str
) -> None:
    path = shared_data / name
    _fusions_on(path, fits)  # the right build is read
    with pytest.raises(InputError) as info:
        _fusions_on(path, given)
    problem = info.value.problem
    assert problem.startswith(f"the fusion calls fit {fits}, not {given}")
    assert f"the fusion file is of {fits} but the patient's genome_build is {given}" in problem
    assert info.value.path == str(path)


@pytest.mark.parametrize(("name", "fits", "given"), [
    ("fusioncatcher/final-list_candidate-fusion-genes.vcf", "GRCh38", "GRCh37"),
    ("illumina-manta/demo_expectedResults_somaticSV.vcf.gz", "GRCh37", "GRCh38"),
    ("mskcc-vcf2maf/test_delly.vcf", "GRCh37", "GRCh38"),
])  # fmt: skip
def test_breakend_vcf_of_the_other_build_stops(
    shared_data: Path, name: str, fits: str, given: str
) -> None:
    _fusions_on(shared_data / name, fits)
    with pytest.raises(InputError) as info:
        _fusions_on(shared_data / name, given)
    assert f"says {fits} but the patient's genome_build is {given}" in info.value.problem


def test_copy_number_of_the_other_build_stops(shared_data: Path, tmp_path: Path) -> None:
    """amplicon.cns is hg19: its gene column puts MET, CDKN2A... where GRCh37 has them."""
    from armmatch.calling.copy_number import CnvContext, read_copy_number
    from armmatch.calling.gene_copy_number import GeneSpan
    from armmatch.calling.purity import CnvThresholds

    def spans(build: str) -> list[GeneSpan]:
        models = gene_models(build)
        return [GeneSpan(g, m.chrom, m.tx_start0, m.tx_end)
                for g in rule_set().genes("cnv") if (m := models.get(g)) is not None]  # fmt: skip

    t = CnvThresholds(6, 4, 2.5, 1.5, 1.0, 0.5)
    path = shared_data / "etal-cnvkit" / "amplicon.cns"
    read_copy_number(path, None, CnvContext(genes=spans("GRCh37"), thresholds_for=lambda g: t, purity=0.7, ploidy=2.0, patient="P", build="GRCh37", other_genes=spans("GRCh38")))  # fmt: skip
    with pytest.raises(InputError) as info:
        read_copy_number(path, None, CnvContext(genes=spans("GRCh38"), thresholds_for=lambda g: t, purity=0.7, ploidy=2.0, patient="P", build="GRCh38", other_genes=spans("GRCh37")))  # fmt: skip
    # its chr9 segments end beyond GRCh38's chr9: that check comes first, and names the build
    assert "ends beyond the end of chr9 in GRCh38" in info.value.problem
    assert (
        "it fits GRCh37: the copy-number file is of GRCh37 but the patient's genome_build is GRCh38"
        in info.value.problem
    )
    # without those segments, the gene column decides (MET, CDKN2A... lie where GRCh37 has them)
    lines = path.read_text().splitlines()
    keep = [lines[0]] + [x for x in lines[1:] if x.split("\t")[0] not in ("chr9", "chr10")]
    copy = tmp_path / "amplicon.no9.cns"
    copy.write_text("\n".join(keep) + "\n")
    with pytest.raises(InputError) as info2:
        read_copy_number(copy, None, CnvContext(genes=spans("GRCh38"), thresholds_for=lambda g: t, purity=0.7, ploidy=2.0, patient="P", build="GRCh38", other_genes=spans("GRCh37")))  # fmt: skip
    assert info2.value.problem.startswith("the segments fit GRCh37, not GRCh38")
    assert (
        "the copy-number file is of GRCh37 but the patient's genome_build is GRCh38"
        in info2.value.problem
    )


@pytest.mark.parametrize(("name", "fits", "given"), [
    ("sigven-pcgr/current/T001-COAD.grch38.vcf.gz", "GRCh38", "GRCh37"),
    ("sigven-pcgr/current/T001-COAD.grch37.vcf.gz", "GRCh37", "GRCh38"),
])  # fmt: skip
def test_a_vcf_without_a_stated_build_is_checked_by_its_records(
    shared_data: Path, tmp_path: Path, name: str, fits: str, given: str
) -> None:
    """Issue 19: the header's contig lengths and liftover lines removed, nothing states the
    build; the target-gene records (BRAF V600E, KIT, NTRK2...) sit in exons on one build only."""
    import gzip

    lines = gzip.decompress((shared_data / name).read_bytes()).decode().splitlines(keepends=True)
    kept = [x for x in lines if not x.startswith(("##contig", "##reference", "##liftOver",
                                                   "##new_reference"))]  # fmt: skip
    path = tmp_path / "nobuild.vcf"
    path.write_text("".join(kept))
    from armmatch.readers.vcf import header_builds

    assert header_builds("".join(x for x in kept if x.startswith("##"))) == []
    policy = SmallVariantPolicy(accept_unknown_vaf=True)
    rules = rule_set()
    ok = read_small_variants(str(path), patient="P", build=fits, genes=rules.genes(),
                             preferred=preferred_transcripts(gene_models(fits)), vcf_sample=None,
                             policy=policy)  # fmt: skip
    assert any(e.gene == "BRAF" for e in ok.events)
    with pytest.raises(InputError) as info:
        read_small_variants(str(path), patient="P", build=given, genes=rules.genes(),
                            preferred=preferred_transcripts(gene_models(given)), vcf_sample=None,
                            policy=policy)  # fmt: skip
    assert info.value.problem.startswith(
        f"the VCF header states no genome build, and its target-gene records fit {fits}, not {given}"
    )
    assert f"the VCF is of {fits} but the patient's genome_build is {given}" in info.value.problem


# --- every real caller's file is of its own column (armmatch.readers.file_kinds) ----------------


@pytest.mark.parametrize(("name", "column", "kind"), [
    ("arriba/test_fusions.tsv", "fusions", "Arriba fusion calls"),
    ("fusioncatcher/final-list_candidate-fusion-genes.txt", "fusions", "FusionCatcher fusion calls"),
    ("fusioncatcher/final-list_candidate-fusion-genes.vcf", "fusions", "a VCF"),
    ("illumina-manta/demo_expectedResults_somaticSV.vcf.gz", "fusions", "a VCF"),
    ("sigven-pcgr/current/T001-BRCA.grch38.fusions.tsv", "fusions", "PCGR fusion calls"),
    ("etal-cnvkit/amplicon.cnr", "cnv", "CNVkit copy-number calls"),
    ("etal-cnvkit/p2-9_2.call.cns", "cnv", "CNVkit copy-number calls"),
    ("sigven-pcgr/current/T001-BRCA.grch38.cna.tsv", "cnv", "segment-table copy-number calls"),
    ("sigven-pcgr/v0.3-2017/tumor_sample.BRCA.cna.tsv", "cnv", "segment-table copy-number calls"),
    ("mskcc-vcf2maf/test_output.vep_isoforms.maf", "vcf", "a MAF (small variants)"),
    ("mskcc-vcf2maf/test_strelka.vcf", "vcf", "a VCF"),
    ("sigven-pcgr/current/T001-COAD.grch38.vcf.gz", "vcf", "a VCF"),
])  # fmt: skip
def test_real_caller_files_are_of_their_own_column(
    shared_data: Path, name: str, column: str, kind: str
) -> None:
    from armmatch.readers.file_kinds import file_kind, wrong_column

    found = file_kind(shared_data / name)
    assert found is not None and found.name == kind
    assert wrong_column(found, column) is None
    others = {"vcf", "cnv", "fusions"} - set(found.columns)
    for other in others:  # and in any other column it is named, with the column it belongs in
        assert (problem := wrong_column(found, other)) is not None
        assert problem.startswith(f"this is {kind}, not ") and f"the {column} column" in problem
