"""Reading VEP-annotated VCFs: transcript choice, allele matching, filters, samples, builds."""

from __future__ import annotations

from pathlib import Path

import pytest

from armmatch.calling.annotations import classify
from armmatch.calling.small_variants import read_small_variants
from armmatch.config import SmallVariantPolicy
from armmatch.errors import InputError
from armmatch.readers.vep_csq import vep_alleles
from armmatch.run.pipeline import gene_models, preferred_transcripts, rule_set
from tests.conftest import GRCH37_CHR7, VcfWriter, csq

ALT_TX = ["G", "missense_variant", "MODERATE", "EGFR", "ENSG00000146648", "Transcript",
          "ENST00000455089.5", "protein_coding", "20/26", "", "ENST00000455089.5:c.2438T>G",
          "ENSP00000415559.1:p.Leu813Arg", "", "", ""]  # fmt: skip
MANE_TX = ["G", "missense_variant", "MODERATE", "EGFR", "ENSG00000146648", "Transcript",
           "ENST00000275493.7", "protein_coding", "21/28", "", "ENST00000275493.7:c.2573T>G",
           "ENSP00000275493.2:p.Leu858Arg", "YES", "NM_005228.5", "NM_005228.5"]  # fmt: skip
L858R_INFO = f"DP=300;CSQ={csq(ALT_TX, MANE_TX)}"


def read(path: Path, *, sample: str | None = "TUMOR", build: str = "GRCh38", **policy: object):  # type: ignore[no-untyped-def]
    return read_small_variants(
        str(path), patient="P1", build=build, genes=rule_set().genes(),
        preferred=preferred_transcripts(gene_models(build)), vcf_sample=sample,
        policy=SmallVariantPolicy(**policy),  # type: ignore[arg-type]
    )  # fmt: skip


def test_mane_transcript_is_chosen_not_the_first_entry(write_vcf: VcfWriter) -> None:
    path = write_vcf([("chr7", "55191822", "T", "G", "PASS", L858R_INFO, "0/1:200,100:300")])
    (event,) = read(path).events
    assert event.alteration == "L858R"
    assert event.transcript == "ENST00000275493.7"
    assert event.exon == 21
    assert event.vaf == pytest.approx(1 / 3, abs=1e-3)
    assert event.depth == 300
    assert event.source.line == 17 and event.source.path == str(path)


def test_filtered_and_low_vaf_records_are_kept_with_reasons(write_vcf: VcfWriter) -> None:
    path = write_vcf(
        [
            ("chr7", "55191822", "T", "G", "weak_evidence", L858R_INFO, "0/1:200,100:300"),
            ("chr7", "55191822", "T", "G", "PASS", L858R_INFO, "0/1:297,3:300"),
            ("chr7", "55191822", "T", "G", "PASS", L858R_INFO, "0/1:8,4:12"),
        ]
    )
    events = read(path).events
    assert [e.status for e in events] == ["filtered"] * 3
    assert "FILTER=weak_evidence" in events[0].status_reason
    assert "VAF 0.010 < min_vaf 0.05" in events[1].status_reason
    assert "depth 12 < min_depth 20" in events[2].status_reason
    assert [e.status for e in read(path, filter_policy="all", min_vaf=0.0, min_depth=0).events] == [
        "called"
    ] * 3


def test_multiallelic_record_matches_csq_to_its_allele(write_vcf: VcfWriter) -> None:
    other = [*MANE_TX]
    other[0], other[11], other[10] = (
        "C",
        "ENSP00000275493.2:p.Leu858Pro",
        "ENST00000275493.7:c.2573T>C",
    )
    info = f"DP=300;CSQ={csq(MANE_TX, other)}"
    path = write_vcf([("chr7", "55191822", "T", "G,C", "PASS", info, "0/1:100,100,100:300")])
    events = read(path).events
    assert [(e.alt, e.alteration) for e in events] == [("G", "L858R"), ("C", "L858P")]


def test_sample_named_in_the_sheet_must_exist(write_vcf: VcfWriter) -> None:
    path = write_vcf([("chr7", "55191822", "T", "G", "PASS", L858R_INFO, "0/1:1,1:2", "0/0:2,0:2")],
                     samples=("TUMOR", "NORMAL"))  # fmt: skip
    with pytest.raises(
        InputError, match=r"vcf_sample 'T1' is not in the VCF \(its samples: TUMOR, NORMAL\)"
    ):
        read(path, sample="T1")
    unnamed = write_vcf([("chr7", "55191822", "T", "G", "PASS", L858R_INFO, "0/1:1,1:2", "0/0:2,0:2")],
                        samples=("S1", "S2"))  # fmt: skip
    with pytest.raises(InputError, match="name the tumour column"):
        read(unnamed, sample=None)


def test_header_of_another_build_stops_with_a_clear_message(write_vcf: VcfWriter) -> None:
    path = write_vcf(
        [("chr7", "55191822", "T", "G", "PASS", L858R_INFO, "0/1:1,1:2")], chr7_length=GRCH37_CHR7
    )
    with pytest.raises(InputError) as info:
        read(path)
    assert "says GRCh37 but the patient's genome_build is GRCh38" in str(info.value)
    assert "patient P1" in str(info.value)


def test_unannotated_vcf_is_classified_by_the_builtin_classifier(write_vcf: VcfWriter) -> None:
    path = write_vcf(
        [("chr7", "55191822", "T", "G", "PASS", "DP=3", "0/1:1,1:2")], csq_header=False
    )
    (e,) = read(path).events
    # L858R from the hotspot table, kept (filtered) so the board sees it
    assert (e.gene, e.alteration, e.hgvsp, e.exon, e.status) == (
        "EGFR",
        "L858R",
        "p.L858R",
        21,
        "filtered",
    )
    assert "depth 2 < min_depth 20" in e.status_reason


def test_vep_allele_strings() -> None:
    assert vep_alleles("AGGAATTAAGAGAAGC", ["A"]) == ["-"]
    assert vep_alleles("C", ["CATACGTGATGGC"]) == ["ATACGTGATGGC"]
    assert vep_alleles("CG", ["AA"]) == ["AA"]


def test_classify_prefers_protein_evidence() -> None:
    assert classify("protein_altering_variant", "p.Leu747_Ser752delinsGln") == ["inframe_delins"]
    assert classify("splice_region_variant&intron_variant", None) == ["splice_region", "intron"]


def test_coordinates_of_the_other_build_are_caught_without_header_hints(
    write_vcf: VcfWriter,
) -> None:
    from armmatch.run.pipeline import check_coordinates

    path = write_vcf(
        [("chr7", "55191822", "T", "G", "PASS", L858R_INFO, "0/1:200,100:300")], chr7_length=None
    )
    events = read(path, build="GRCh37").events  # no contig lengths: the header cannot tell
    with pytest.raises(InputError) as info:
        check_coordinates(events, "GRCh37", path=str(path), patient="P1")
    message = str(info.value)
    assert "annotated as EGFR (exon 21 of NM_005228.5) but lies outside it on GRCh37" in message
    assert "the VCF looks like GRCh38" in message
    assert info.value.line == 16  # no chr7 contig line in this header
    check_coordinates(events, "GRCh38", path=str(path), patient="P1")  # the right build passes


def test_bcf_reads_like_the_same_vcf(tmp_path: Path) -> None:
    import pysam

    from tests.conftest import REPO

    source = REPO / "example" / "vcf" / "PLT-001.vcf.gz"
    bcf = tmp_path / "PLT-001.bcf"
    with (
        pysam.VariantFile(str(source)) as vin,
        pysam.VariantFile(str(bcf), "wb", header=vin.header) as out,
    ):
        for record in vin:
            out.write(record)
    from_vcf = read(source)
    from_bcf = read(bcf)
    assert [(e.alteration, e.status) for e in from_bcf.events] == [
        (e.alteration, e.status) for e in from_vcf.events
    ]
    assert ("L858R", "called") in [(e.alteration, e.status) for e in from_bcf.events]


# --- which sample of a tumour/normal VCF is the tumour's -----------------------------------------


def _tumour_normal(tmp_path: Path, names: tuple[str, str], header: str = "") -> Path:
    """PLT-001's VCF (TUMOR, NORMAL) with its sample columns renamed and header lines added."""
    import gzip

    from tests.conftest import REPO

    text = gzip.decompress((REPO / "example" / "vcf" / "PLT-001.vcf.gz").read_bytes()).decode()
    text = text.replace("\tFORMAT\tTUMOR\tNORMAL\n", f"\tFORMAT\t{names[0]}\t{names[1]}\n")
    text = text.replace("\n#CHROM", f"\n{header}#CHROM") if header else text
    path = tmp_path / "tn.vcf"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("names", "header", "how"), [
    (("TUMOR", "NORMAL"), "", "the VCF's only sample column named TUMOR"),  # Strelka2, VarScan2
    (("HCC1954_T", "HCC1954_N"), "##normal_sample=HCC1954_N\n##tumor_sample=HCC1954_T\n",
     "the VCF's ##tumor_sample header line (Mutect2)"),
    (("S1", "S2"), "##PEDIGREE=<Derived=S1,Original=S2>\n", "the VCF's ##PEDIGREE line (Derived)"),
])  # fmt: skip
def test_a_tumour_normal_vcf_names_its_tumour_sample(
    tmp_path: Path, names: tuple[str, str], header: str, how: str
) -> None:
    """An empty vcf_sample with two samples stopped the patient; the VCF usually says which is
    the tumour. The choice is written into every small-variant assessment."""
    ev = read(_tumour_normal(tmp_path, names, header), sample=None)
    assert ("L858R", "called") in [(e.alteration, e.status) for e in ev.events]
    reasons = {a.reason for a in ev.assessments}
    assert all(f"tumour sample {names[0]}, from {how}" in r for r in reasons), reasons


def test_a_vcf_that_does_not_name_its_tumour_still_needs_vcf_sample(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"has 2 samples \(S1, S2\) and does not name its tumour"):
        read(_tumour_normal(tmp_path, ("S1", "S2")), sample=None)


@pytest.mark.parametrize(("names", "header", "wanted"), [
    (("TUMOR", "NORMAL"), "", "NORMAL"),
    (("T1", "N1"), "##tumor_sample=T1\n##normal_sample=N1\n", "N1"),
])  # fmt: skip
def test_the_normal_sample_named_as_the_tumour_stops(
    tmp_path: Path, names: tuple[str, str], header: str, wanted: str
) -> None:
    """vcf_sample naming the normal read the normal's calls as the tumour's: no variant, and
    the immunotherapy arm for a patient with EGFR L858R."""
    with pytest.raises(InputError, match=f"vcf_sample '{wanted}' is the normal sample"):
        read(_tumour_normal(tmp_path, names, header), sample=wanted)
