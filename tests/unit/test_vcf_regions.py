"""Reading only the target regions (issue "Scale"): through a tabix/CSI index, or streaming.

Indexed mode reads the target genes' regions (both builds, +/- the margin) through the index
and cites records without a line number; streaming mode reads the whole file in one checked
pass with exact line numbers. Both must find the same events.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import cyvcf2
import pysam
import pytest

from armmatch import io as armmatch_io
from armmatch.calling.small_variants import read_small_variants, target_regions
from armmatch.config import SmallVariantPolicy
from armmatch.errors import InputError
from armmatch.events import Evidence
from armmatch.io import scratch_file
from armmatch.readers.vcf import find_index, indexed_records, tabix_lines
from armmatch.run.pipeline import (
    COORDINATE_MARGIN,
    check_coordinates,
    gene_models,
    preferred_transcripts,
    rule_set,
)
from tests.conftest import VcfWriter, csq

EGFR_CSQ = csq(["G", "missense_variant", "MODERATE", "EGFR", "ENSG00000146648", "Transcript",
                "ENST00000275493.7", "protein_coding", "21/28", "", "ENST00000275493.7:c.2573T>G",
                "ENSP00000275493.2:p.Leu858Arg", "YES", "NM_005228.5", "NM_005228.5"])  # fmt: skip
BRAF_CSQ = csq(["T", "missense_variant", "MODERATE", "BRAF", "ENSG00000157764", "Transcript",
                "ENST00000646891.2", "protein_coding", "15/18", "", "ENST00000646891.2:c.1799T>A",
                "ENSP00000493543.1:p.Val600Glu", "YES", "NM_004333.6", "NM_004333.6"])  # fmt: skip
FAR_CSQ = csq(["C", "intergenic_variant", "MODIFIER", "", "", "", "", "", "", "", "", "", "", "",
               ""])  # fmt: skip
SAMPLE = "0/1:200,100:300"


def records(annotated: bool) -> list[tuple[str, ...]]:
    """EGFR L858R and BRAF V600E among records far from every target gene."""

    def info(value: str) -> str:
        return f"DP=300;CSQ={value}" if annotated else "DP=300"

    return [
        ("chr4", "1000", "A", "C", "PASS", info(FAR_CSQ), SAMPLE),
        ("chr7", "1000", "A", "C", "PASS", info(FAR_CSQ), SAMPLE),
        ("chr7", "55191822", "T", "G", "PASS", info(EGFR_CSQ), "0/1:150,50:200"),
        ("chr7", "100000000", "A", "C", "PASS", info(FAR_CSQ), SAMPLE),
        ("chr7", "140753336", "A", "T", "PASS", info(BRAF_CSQ), "0/1:80,20:100"),
        ("chr12", "1000", "A", "C", "PASS", info(FAR_CSQ), SAMPLE),
    ]


def index(path: Path, *, csi: bool = False) -> Path:
    """bgzip ``path`` to ``path.gz`` and index it (tabix, or CSI)."""
    gz = path.with_name(path.name + ".gz")
    pysam.tabix_compress(str(path), str(gz), force=True)
    pysam.tabix_index(str(gz), preset="vcf", force=True, csi=csi)
    return gz


def read(path: Path, build: str = "GRCh38") -> Evidence:
    return read_small_variants(
        str(path), patient="P1", build=build, genes=rule_set().genes(),
        preferred=preferred_transcripts(gene_models(build)), vcf_sample="TUMOR",
        policy=SmallVariantPolicy(), region_margin=COORDINATE_MARGIN,
    )  # fmt: skip


def summary(evidence: Evidence) -> list[tuple[object, ...]]:
    return [(e.gene, e.alteration, e.status, e.vaf, e.depth, e.pos1) for e in evidence.events]


@pytest.mark.parametrize("annotated", [True, False])
def test_indexed_mode_finds_what_streaming_finds(write_vcf: VcfWriter, annotated: bool) -> None:
    plain = write_vcf(records(annotated), csq_header=annotated)
    gz = index(plain)
    assert find_index(str(gz)) == f"{gz}.tbi" and find_index(str(plain)) is None
    streamed, indexed = read(plain), read(gz)
    assert summary(indexed) == summary(streamed)
    assert {(e.gene, e.alteration) for e in indexed.events} == {
        ("EGFR", "L858R"),
        ("BRAF", "V600E"),
    }
    lines = plain.read_text().splitlines()
    for e in streamed.events:  # streaming: exact line numbers
        assert e.source.line is not None
        assert lines[e.source.line - 1].split("\t")[1] == str(e.pos1)
    for e in indexed.events:  # indexed: no line number, the record in brief
        assert e.source.line is None
        assert e.source.record == f"chr7:{e.pos1} {e.ref}>{e.alt}"
        assert e.source.describe() == f"{gz} ({e.source.record})"
    assert all("tabix index" in a.reason for a in indexed.assessments)
    assert not any("through its" in a.reason for a in streamed.assessments)
    check_coordinates(indexed.events, "GRCh38", path=str(gz), patient="P1")


def test_records_outside_the_regions_are_not_read_through_the_index(write_vcf: VcfWriter) -> None:
    # an EGFR annotation with a broken CSQ, far from EGFR on both builds: htslib parses it, but
    # armmatch would stop on it if it read it (streaming reads it: it names a target gene)
    broken = ("chr12", "2000", "A", "C", "PASS", "DP=300;CSQ=C|missense_variant|EGFR", SAMPLE)
    plain = write_vcf([*records(True), broken])
    gz = index(plain)
    assert {(e.gene, e.alteration) for e in read(gz).events} == {
        ("EGFR", "L858R"),
        ("BRAF", "V600E"),
    }
    with pytest.raises(InputError) as info:
        read(plain)
    assert info.value.line == len(plain.read_text().splitlines())
    assert "CSQ entry has 3 fields" in str(info.value)


def test_streaming_reads_a_target_annotation_far_from_the_gene(write_vcf: VcfWriter) -> None:
    # annotated as EGFR but on chr12, outside both builds' EGFR regions: the prefilter must not
    # skip it, so that check_coordinates still stops the run
    far = ("chr12", "5000000", "T", "G", "PASS", f"DP=300;CSQ={EGFR_CSQ}", SAMPLE)
    plain = write_vcf([*records(True), far])
    events = read(plain).events
    assert [e.pos1 for e in events if e.gene == "EGFR"] == [55191822, 5000000]
    with pytest.raises(InputError, match="annotated as EGFR"):
        check_coordinates(events, "GRCh38", path=str(plain), patient="P1")


def test_a_record_spanning_two_regions_is_read_once(write_vcf: VcfWriter) -> None:
    deletion = ("chr7", "1500", "A" * 2000, "A", "PASS", "DP=300", SAMPLE)
    twin = ("chr7", "3500", "C", "G", "PASS", "DP=300", SAMPLE)
    plain = write_vcf([deletion, twin, twin], csq_header=False)
    gz = index(plain)
    vcf = cyvcf2.VCF(str(gz))
    try:
        got = [
            (v.POS, v.REF[:3])
            for _, v in indexed_records(vcf, [("7", 1000, 2000), ("7", 3000, 4000)])
        ]
    finally:
        vcf.close()
    # the deletion overlaps both regions: once; the duplicated line is two records: twice
    assert got == [(1500, "AAA"), (3500, "C"), (3500, "C")]
    # the text path (tabix queries through pysam) keeps the same lines, byte for byte
    read_back = tabix_lines(str(gz), f"{gz}.tbi", [("7", 1000, 2000), ("7", 3000, 4000)])
    body = [line.encode() for line in plain.read_text().splitlines() if line[:1] != "#"]
    assert read_back.lines == body
    assert read_back.contigs == ["chr7"]


def test_indexed_text_reads_the_file_s_own_bytes_and_index_contigs(
    write_vcf: VcfWriter, capfd: pytest.CaptureFixture[str]
) -> None:
    """Through the index the record lines are the file's bytes (Latin-1 and UTF-8 alike), and
    a contig the header does not declare is declared from the index, as htslib's own header
    reader does (no warning that it is missing)."""
    braf = ("chr7", "140753336", "A", "T", "PASS", "DP=300", "0/1:80,20:100")
    plain = write_vcf([braf], csq_header=False)
    text = plain.read_bytes().replace(b"##contig=<ID=chr7,length=159345973>\n", b"")
    assert b"ID=chr7," not in text
    lines = text.splitlines(keepends=True)
    lines.append(
        b"chr7\t140780000\trs\xc3\xa9\xe9\tA\tT\t.\tPASS\tDP=300\tGT:AD:DP\t0/1:80,20:100\n"
    )
    plain.write_bytes(b"".join(lines))
    gz = index(plain)
    found = tabix_lines(str(gz), f"{gz}.tbi", [("7", 140_700_000, 140_800_000)])
    assert found.lines == [line.rstrip(b"\n") for line in lines[-2:]]
    capfd.readouterr()
    indexed = read(gz)
    assert "not defined in the header" not in capfd.readouterr().err
    assert summary(indexed) == summary(read(plain))
    assert summary(indexed) == [("BRAF", "V600E", "called", 0.2, 100, 140753336)]


def test_a_damaged_block_or_index_is_an_error_naming_the_file(
    write_vcf: VcfWriter, tmp_path: Path
) -> None:
    many = [("chr7", str(140_700_000 + 10 * i), "A", "C", "PASS", "DP=300", SAMPLE)
            for i in range(20_000)]  # fmt: skip
    gz = index(write_vcf(many, csq_header=False))
    tbi = Path(f"{gz}.tbi")
    damaged = bytearray(gz.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    gz.write_bytes(bytes(damaged))
    os.utime(tbi)  # the index stays newer than the file
    with pytest.raises(InputError) as info:
        read(gz)
    assert str(info.value).startswith(f"{gz} (patient P1): htslib cannot read the records of chr7:")
    assert "damaged or truncated" in str(info.value)
    tbi.write_bytes(b"not an index")
    with pytest.raises(InputError) as info:
        read(gz)
    assert str(info.value).startswith(f"{gz} (patient P1): htslib cannot read it through its index")


def test_an_indexed_record_htslib_cannot_read_is_an_input_error(write_vcf: VcfWriter) -> None:
    plain = write_vcf(records(False), csq_header=False)
    lines = plain.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("chr7\t140753336")) + 1
    lines.insert(at, "chr7\t140753400\t\tA\tT\t\t\t\t\t\n")  # no sample column: htslib fails
    plain.write_text("".join(lines))
    gz = index(plain)
    with pytest.raises(InputError) as info:
        read(gz)
    assert "htslib cannot read this record" in str(info.value)
    assert str(info.value).startswith(f"{gz} (patient P1)")
    assert info.value.line is None


def test_regions_are_both_builds_widened_and_merged() -> None:
    genes = ["EGFR", "BRAF"]
    here, there = gene_models("GRCh38"), gene_models("GRCh37")
    regions = target_regions([here, there], genes, 10_000)
    assert regions == sorted(regions)
    for g in genes:
        for models in (here, there):
            m = models.get(g)
            assert m is not None
            assert any(
                c == m.chrom and s <= m.tx_start0 - 10_000 and m.tx_end + 10_000 <= e
                for c, s, e in regions
            )
    # overlapping spans merge into one region
    assert target_regions([here, here], ["EGFR"], 0) == target_regions([here], ["EGFR"], 0)


def test_contigs_without_chr_prefix(write_vcf: VcfWriter, tmp_path: Path) -> None:
    plain = write_vcf(records(False), csq_header=False)
    text = plain.read_text().replace("ID=chr", "ID=").replace("\nchr", "\n")
    bare = tmp_path / "bare.vcf"
    bare.write_text(text)
    gz = index(bare)
    assert set(cyvcf2.VCF(str(gz)).seqnames) >= {"7"}
    assert summary(read(gz)) == summary(read(plain))
    assert {e.alteration for e in read(gz).events} == {"L858R", "V600E"}


def test_stale_index_is_an_error_naming_the_file(write_vcf: VcfWriter) -> None:
    gz = index(write_vcf(records(False), csq_header=False))
    tbi = Path(f"{gz}.tbi")
    later = tbi.stat().st_mtime + 60
    os.utime(gz, (later, later))
    with pytest.raises(InputError) as info:
        read(gz)
    message = str(info.value)
    assert message.startswith(f"{gz} (patient P1): the index {tbi} is older than the file")
    assert "re-index it" in message


def test_build_mismatch_is_still_caught_through_the_index(write_vcf: VcfWriter) -> None:
    # GRCh38 coordinates read as GRCh37, no header hint: BRAF V600E (GRCh38 chr7:140753336)
    # lies only in the other build's BRAF region, and check_coordinates must still see it
    braf_only = [r for r in records(True) if "EGFR" not in r[5]]
    gz = index(write_vcf(braf_only, chr7_length=None))
    grch37 = gene_models("GRCh37").get("BRAF")
    assert grch37 is not None and not grch37.overlaps("7", 140753335 - 10_000, 140753336 + 10_000)
    events = read(gz, build="GRCh37").events
    assert [e.gene for e in events] == ["BRAF"]
    with pytest.raises(InputError) as info:
        check_coordinates(events, "GRCh37", path=str(gz), patient="P1")
    assert "annotated as BRAF" in str(info.value)
    assert "the VCF looks like GRCh38" in str(info.value)
    assert info.value.line is None


def test_csi_index_works(write_vcf: VcfWriter) -> None:
    plain = write_vcf(records(True))
    gz = index(plain, csi=True)
    assert find_index(str(gz)) == f"{gz}.csi"
    evidence = read(gz)
    assert summary(evidence) == summary(read(plain))
    assert all("CSI index" in a.reason for a in evidence.assessments)


def test_indexed_bcf(tmp_path: Path, write_vcf: VcfWriter) -> None:
    plain = write_vcf(records(False), csq_header=False)
    bcf = tmp_path / "t.bcf"
    with (
        pysam.VariantFile(str(plain)) as vin,
        pysam.VariantFile(str(bcf), "wb", header=vin.header) as out,
    ):
        for rec in vin:
            out.write(rec)
    pysam.tabix_index(str(bcf), preset="vcf", csi=True, force=True)
    assert find_index(str(bcf)) == f"{bcf}.csi"
    evidence = read(bcf)
    assert [e.source.line for e in evidence.events] == [None, None]
    assert summary(evidence) == summary(read(plain))


def test_streaming_checks_every_line_even_far_from_genes(write_vcf: VcfWriter) -> None:
    plain = write_vcf(records(False), csq_header=False)
    plain.write_text(plain.read_text() + "chr12\t9000\t.\tA\n")
    with pytest.raises(InputError, match="at least 8 tab-separated fields, found 4"):
        read(plain)


def test_streaming_warns_once_about_unsorted_records(
    write_vcf: VcfWriter, caplog: pytest.LogCaptureFixture
) -> None:
    recs = records(False)
    plain = write_vcf([recs[1], recs[0], *recs[2:], recs[0]], csq_header=False)
    with caplog.at_level(logging.WARNING):
        events = read(plain).events
    assert {e.alteration for e in events} == {"L858R", "V600E"}
    warnings = [r for r in caplog.records if "records are not sorted" in r.getMessage()]
    assert len(warnings) == 1
    # chr4 after chr7 is a new contig; chr7 resumed after chr4 is what is out of order
    message = warnings[0].getMessage()
    assert "line 18 (patient P1)" in message and "(chr7:55191822 after chr4:1000)" in message


def test_a_record_htslib_cannot_read_is_an_input_error_with_its_line(
    write_vcf: VcfWriter,
) -> None:
    # found by fuzzing: empty fields (other than REF/ALT, which the text checks refuse) pass the
    # text checks, htslib then fails on the record (its sample column is missing). In a target region (BRAF), so htslib parses it.
    plain = write_vcf(records(False), csq_header=False)
    plain.write_text(plain.read_text() + "chr7\t140753400\t\tA\tT\t\t\t\t\t\n")
    with pytest.raises(InputError) as info:
        read(plain)
    assert info.value.line == len(plain.read_text().splitlines())
    assert "htslib cannot read this record" in str(info.value)


def test_streaming_parses_only_target_region_records(write_vcf: VcfWriter) -> None:
    """Far from every target gene a record gets the text checks only (as through an index):
    a line htslib would reject there does not stop the patient; in a region it does."""
    plain = write_vcf(records(False), csq_header=False)
    text = plain.read_text()
    plain.write_text(text + "chr12\t1\t\tA\tT\t\t\t\t\t\n")
    assert summary(read(plain)) == summary(read(write_vcf(records(False), csq_header=False)))


def test_an_indexed_file_below_index_min_bytes_is_streamed_with_line_numbers(
    write_vcf: VcfWriter,
) -> None:
    """config small_variants.index_min_mb: a panel-size indexed VCF keeps exact line numbers."""
    gz = index(write_vcf(records(True)))
    small = os.path.getsize(gz)
    policies = {
        "streamed": SmallVariantPolicy(index_min_bytes=small + 1),
        "indexed": SmallVariantPolicy(index_min_bytes=small),
    }
    got = {}
    for name, policy in policies.items():
        got[name] = read_small_variants(
            str(gz), patient="P1", build="GRCh38", genes=rule_set().genes(),
            preferred=preferred_transcripts(gene_models("GRCh38")), vcf_sample="TUMOR",
            policy=policy, region_margin=COORDINATE_MARGIN,
        )  # fmt: skip
    assert summary(got["streamed"]) == summary(got["indexed"])
    assert all(e.source.line is not None for e in got["streamed"].events)
    assert all(e.source.line is None for e in got["indexed"].events)
    assert not any("through its" in a.reason for a in got["streamed"].assessments)


def test_text_pass_picks_overlapping_end_and_marked_records(tmp_path: Path) -> None:
    """scan_vcf_text(select=, mark=): a deletion reaching into a region from before it, a record
    with an INFO END (its extent is htslib's to say), and a marked line are picked with their
    line numbers; records beside the region and on other contigs are not."""
    import re

    from armmatch.readers.vcf_text import scan_vcf_text

    header = (
        "##fileformat=VCFv4.2\n##contig=<ID=chr7,length=159345973>\n"
        "##contig=<ID=chr9,length=138394717>\n"
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    )
    rows = [
        "chr7\t95\t.\tACGTAC\tA\t50\tPASS\t.",  # [94, 100): ends where the region starts
        "chr7\t96\t.\tACGTACG\tA\t50\tPASS\t.",  # [95, 102): reaches into [100, 200)
        "chr7\t150\t.\tA\tC\t50\tPASS\t.",  # inside
        "chr7\t200\t.\tA\tC\t50\tPASS\t.",  # [199, 200): the last base
        "chr7\t201\t.\tA\tC\t50\tPASS\t.",  # after
        "chr7\t300\t.\tN\t<DEL>\t50\tPASS\tSVTYPE=DEL;END=5000",  # END: picked
        "chr9\t150\t.\tA\tC\t50\tPASS\tNOTE=KEEP",  # another contig, but marked
        "chr9\t160\t.\tA\tC\t50\tPASS\t.",
    ]
    path = tmp_path / "t.vcf"
    path.write_text(header + "\n".join(rows) + "\n")
    regions = {"chr7": ([100], [200])}
    text = scan_vcf_text(str(path), select=regions.get, mark=re.compile(rb"KEEP"))
    assert text is not None and text.records == len(rows)
    first = header.count("\n") + 1
    assert [line for line, _ in text.selected] == [
        first + 1,
        first + 2,
        first + 3,
        first + 5,
        first + 6,
    ]
    assert text.selected[0][1] == rows[1].encode()
    assert text.marked == {first + 6}


@pytest.mark.parametrize("piece_bytes", [0, 10**9])
@pytest.mark.parametrize("unsorted", [False, True])
def test_the_vectorised_run_scan_picks_and_warns_as_record_by_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    unsorted: bool, piece_bytes: int,
) -> None:  # fmt: skip
    """Whole-genome runs are scanned with numpy (armmatch.readers.vcf_text._run_arrays): the
    same picked lines, line numbers and unsorted warning as the record-by-record path, on
    records of every REF length, POS written with leading zeros, INFO END and region edges."""
    import random

    from armmatch.readers import vcf_text

    rng = random.Random(7)
    lines = ["##fileformat=VCFv4.2", "##contig=<ID=1,length=248956422>",
             "##contig=<ID=2,length=242193529>", "##contig=<ID=3,length=198295559>",
             "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]  # fmt: skip
    for chrom in ("1", "2", "3"):
        pos = 1000
        for k in range(1500):
            pos += rng.randint(0, 40)
            ref = "ACGT"[k % 4] * rng.choice((1, 1, 2, 5, 30))
            info = f"END={pos + 500}" if k % 97 == 0 else "DP=10"
            written = f"000{pos}" if k % 211 == 0 else str(pos)
            lines.append(f"{chrom}\t{written}\t.\t{ref}\tA\t.\tPASS\t{info}")
    if unsorted:
        lines.insert(3000, "2\t5\t.\tA\tG\t.\tPASS\t.")  # out of order inside contig 2's run
    path = tmp_path / "wgs.vcf"
    path.write_text("\n".join(lines) + "\n")
    spans = {"1": ([2000, 9000, 30000], [2100, 9500, 30010]), "2": ([0, 20000], [1500, 20001])}

    monkeypatch.setattr(vcf_text, "VECTOR_MIN_PIECE_BYTES", piece_bytes)  # whole piece or runs

    def scan(threshold: int) -> tuple[list[tuple[int, bytes]], int, list[str]]:
        monkeypatch.setattr(vcf_text, "VECTOR_MIN_RECORDS", threshold)
        caplog.clear()
        text = vcf_text.scan_vcf_text(str(path), select=lambda name: spans.get(name))
        assert text is not None
        return text.selected, text.records, [r.getMessage() for r in caplog.records]

    with caplog.at_level("WARNING"):
        vectorised, record_wise = scan(1), scan(10**9)
    assert vectorised == record_wise
    assert len(vectorised[0]) > 20 and vectorised[1] == 4500 + unsorted
    assert len(vectorised[2]) == (1 if unsorted else 0)


@pytest.mark.parametrize("annotated", [True, False])
def test_streamed_records_read_alike_from_memory_and_from_a_temporary_file(
    write_vcf: VcfWriter, annotated: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The picked records reach htslib through a scratch VCF: in memory (memfd) on Linux, a
    temporary file elsewhere. Both read the same events, and neither leaves a file behind."""
    vcf = write_vcf(records(annotated), csq_header=annotated)
    in_memory = summary(read(vcf))
    assert ("EGFR", "L858R") in [s[:2] for s in in_memory]
    monkeypatch.delattr(os, "memfd_create", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR is read again
    assert summary(read(vcf)) == in_memory
    assert list((tmp_path / "scratch").iterdir()) == []


def test_scratch_file_reads_back_its_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"##fileformat=VCFv4.2\n" * 5000  # more than one write may take
    with scratch_file(data, suffix=".vcf") as path:
        assert Path(path).read_bytes() == data
    for no_memory_file in ("no /proc", "no memfd_create"):
        if no_memory_file == "no /proc":
            monkeypatch.setattr(armmatch_io, "_FD_FOLDER", "/no/such/proc/self/fd")
        else:
            monkeypatch.delattr(os, "memfd_create", raising=False)
        with scratch_file(data, suffix=".vcf") as path:
            assert Path(path).read_bytes() == data and path.endswith(".vcf")
            assert not path.startswith("/proc")
        assert not Path(path).exists()


def _record_lines(rng: Any, n: int) -> list[bytes]:
    """Record lines of every layout the text check must judge: good ones (leading zeros,
    empty INFO, CRLF, long fields) and each kind of damage, at random."""
    good = [b"1\t%d\t.\tA\tC\t.\tPASS\tDP=3", b"chr2\t00%d\trs1\tACGT\tA,T\t50\tq10\t",
            b"X\t%d\t.\tN\t<DEL>\t.\t.\tSVTYPE=DEL;END=9\tGT\t0/1", b"7\t%d\t.\tG\tT\t.\t.\t.\r",
            b"chr10\t%d\tEND=\tG\tT\t.\t.\tXEND=4;ENDS=2;=END=\tEND=1"]  # fmt: skip
    bad = [b"", b"1\t%d\t.\tA\tC\t.\tPASS", b"1\t0\t.\tA\tC\t.\tPASS\t.", b"1\t-%d\t.\tA\tC\t.\t.\t.",
           b"1\t%dx\t.\tA\tC\t.\t.\t.", b"1\t\t.\tA\tC\t.\t.\t.", b"1\t%d\t.\t\tC\t.\t.\t.",
           b"1\t%d\t.\tA\t\t.\t.\t.", b"1 %d . A C . . .", b"1\t000\t.\tA\tC\t.\t.\t.",
           b"1\t%d\t.\tA\tC\t.\t.\t.\t" + b"9" * 30, b"\t%d\t.\tA\tC\t.\t.\t."]  # fmt: skip
    out = []
    for _ in range(n):
        kind = rng.choice(bad) if rng.random() < 0.01 else rng.choice(good)
        out.append(kind.replace(b"%d", str(rng.randint(1, 10**9)).encode()))
    return out


def test_the_whole_piece_check_rejects_exactly_the_lines_the_expression_rejects() -> None:
    """armmatch.readers.vcf_text._piece_lines (compiled, whole-genome pieces) and the
    _BAD_RECORD expression (panels) find the same first bad record line, and the same INFO END
    lines and contig runs, over 400 random pieces."""
    import random

    from armmatch.readers import vcf_text

    rng = random.Random(11)
    for _ in range(400):
        data = b"\n" + b"\n".join(_record_lines(rng, rng.randint(1, 300))) + b"\n"
        found = vcf_text._BAD_RECORD.search(data, 0, len(data) - 1)
        lines = vcf_text._piece_lines(data)
        assert lines is not None
        assert lines.bad == (found.start() if found is not None else None), data[:400]
        # the INFO END lines and the contig runs, as the expression path finds them
        assert lines.ends == sorted(set(vcf_text._end_lines(data, 0, len(data) - 1)))
        rows = data[1:-1].split(b"\n")
        chroms = [row.split(b"\t", 1)[0] for row in rows]
        assert lines.changes == [i for i in range(1, len(rows)) if chroms[i] != chroms[i - 1]]
        starts = [m.start() for m in re.finditer(rb"\n", data)]
        assert lines.nl.tolist() == starts


def test_a_pos_longer_than_int64_digits_is_left_to_the_expression() -> None:
    from armmatch.readers import vcf_text

    assert vcf_text._piece_lines(b"\n1\t" + b"0" * 25 + b"7\t.\tA\tC\t.\t.\t.\n") is None


@pytest.mark.parametrize("piece_bytes", [0, 10**9])
def test_a_streamed_bad_line_is_named_alike_by_both_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece_bytes: int
) -> None:
    """A damaged record far from every target gene stops the patient with its line number and
    the problem, whichever check (whole-piece numpy or the expression) read its piece."""
    from armmatch.readers import vcf_text

    monkeypatch.setattr(vcf_text, "VECTOR_MIN_PIECE_BYTES", piece_bytes)
    head = ["##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    rows = [f"1\t{1000 + k}\t.\tA\tC\t.\tPASS\t." for k in range(5000)]
    rows[3210] = "1\t4210\t.\tA\t\t.\tPASS\t."
    path = tmp_path / "wgs.vcf"
    path.write_text("\n".join(head + rows) + "\n")
    with pytest.raises(InputError) as info:
        vcf_text.scan_vcf_text(str(path), select=lambda name: None)
    assert info.value.line == 2 + 3211
    assert "the ALT field is empty" in str(info.value)


def test_a_scratch_vcf_htslib_refuses_is_an_error_naming_the_input(
    write_vcf: VcfWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The streamed records reach htslib under the file's own header in a scratch VCF; should
    htslib refuse it, the error names the patient's VCF, never the scratch file."""
    vcf = write_vcf(records(False), csq_header=False)

    def refuse(path: str, **kwargs: Any) -> Any:
        raise OSError(f"could not parse header of {path}")

    monkeypatch.setattr(cyvcf2, "VCF", refuse)
    with pytest.raises(InputError) as info:
        read(vcf)
    assert info.value.path == str(vcf) and "not a readable VCF/BCF" in str(info.value)


@pytest.mark.parametrize(
    "disorder", ["sorted", "down inside a run", "down at a run's start", "contig resumed"]
)
def test_order_warning_alike_on_contigs_with_and_without_target_regions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    disorder: str,
) -> None:  # fmt: skip
    """A contig without target regions is only checked for order (positions alone); one with
    regions record by record; numpy for long runs. All three warn alike, naming the line."""
    from armmatch.readers import vcf_text

    rows = [(c, 100 + 10 * k) for c in ("1", "2", "3") for k in range(12)]
    if disorder == "down inside a run":
        rows[17] = ("2", 105)
    elif disorder == "down at a run's start":
        rows.insert(12, ("1", 50))  # contig 1's last record below its previous one
    elif disorder == "contig resumed":
        rows.append(("1", 900))
    lines = ["##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    lines += [f"{c}\t{p}\t.\tA\tC\t.\tPASS\t." for c, p in rows]
    path = tmp_path / "order.vcf"
    path.write_text("\n".join(lines) + "\n")

    def warnings_with(select: Any, threshold: int) -> list[str]:
        monkeypatch.setattr(vcf_text, "VECTOR_MIN_RECORDS", threshold)
        caplog.clear()
        with caplog.at_level("WARNING"):
            vcf_text.scan_vcf_text(str(path), select=select)
        return [r.getMessage() for r in caplog.records]

    positions_only = warnings_with(lambda name: None, 10**9)
    far = ([10**9], [10**9 + 1])  # a region on every contig, far from every record
    record_by_record = warnings_with(lambda name: far, 10**9)
    vectorised = warnings_with(lambda name: far, 1)
    no_regions = warnings_with(lambda name: ([], []), 1)  # an empty region list is no error
    assert positions_only == record_by_record == vectorised == no_regions
    assert len(positions_only) == (disorder != "sorted")
    if disorder == "contig resumed":
        assert (
            f"line {len(lines)}:" in positions_only[0] and "1:900 after 3:210" in positions_only[0]
        )


def test_a_run_with_a_pos_beyond_int64_digits_picks_as_record_by_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long contig run in a small piece is located by numpy (_run_arrays), except where a POS
    is written with more than 18 digits (leading zeros): then record by record, alike."""
    from armmatch.readers import vcf_text

    lines = ["##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    for k in range(300):
        pos = f"{'0' * 25}{1000 + 10 * k}" if k == 50 else str(1000 + 10 * k)
        lines.append(f"1\t{pos}\t.\t{'ACGT'[k % 4] * (1 + k % 3)}\tA\t.\tPASS\t.")
    path = tmp_path / "zeros.vcf"
    path.write_text("\n".join(lines) + "\n")
    spans = {"1": ([1495, 2000], [1505, 2100])}

    def picks(threshold: int) -> list[tuple[int, bytes]]:
        monkeypatch.setattr(vcf_text, "VECTOR_MIN_RECORDS", threshold)
        text = vcf_text.scan_vcf_text(str(path), select=spans.get)
        assert text is not None and text.records == 300
        return text.selected

    vectorised = picks(1)
    assert vectorised == picks(10**9)
    # POS 1500 (the zero-padded one, line 53) and POS 2000..2100 (lines 103..113)
    assert [n for n, _ in vectorised] == [53, *range(103, 114)]
    assert vectorised[0][1].startswith(b"1\t" + b"0" * 25 + b"1500\t")


def test_a_panel_vcf_never_imports_the_compiler(tmp_path: Path) -> None:
    """numba is imported (and its compiled scan loaded, about 0.3 s) only for pieces of
    VECTOR_MIN_PIECE_BYTES and more: reading a panel VCF does not import it; a larger one does."""
    import subprocess
    import sys

    from armmatch.readers.vcf_text import VECTOR_MIN_PIECE_BYTES

    root = Path(__file__).resolve().parents[2]
    panel = root / "example" / "vcf" / "PLT-001.vcf.gz"
    large = tmp_path / "large.vcf"
    row = "1\t{}\t.\tA\tC\t.\tPASS\t.\n"
    rows = "".join(row.format(1000 + i) for i in range(VECTOR_MIN_PIECE_BYTES // 20))
    large.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n" + rows)
    code = (
        "import sys\nfrom armmatch.readers.vcf_text import scan_vcf_text\n"
        "scan = scan_vcf_text(sys.argv[1])\nprint(scan.records, 'numba' in sys.modules)"
    )
    for path, expected in ((panel, "False"), (large, "True")):
        out = subprocess.run([sys.executable, "-c", code, str(path)], check=True,
                             capture_output=True, text=True).stdout.split()  # fmt: skip
        assert int(out[0]) > 0 and out[1] == expected, (path, out)
