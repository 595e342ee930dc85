"""The bgzip files of ../shared/data, written by other tools (Manta, PCGR's bgzip), inflate
through armmatch.readers.bgzf exactly as htslib reads them; plain gzip files are told apart."""

from __future__ import annotations

from pathlib import Path

import pytest
from pysam.libcbgzf import BGZFile

from armmatch.readers import bgzf, vcf_text


def test_every_bgzip_file_inflates_as_htslib_reads_it(shared_data: Path) -> None:
    files = sorted(shared_data.rglob("*.gz"))
    kinds = {p.name: bgzf.is_bgzf(str(p)) for p in files}
    assert kinds["demo_expectedResults_somaticSV.vcf.gz"] and kinds["T001-COAD.grch38.vcf.gz"]
    assert not kinds["MANE.GRCh38.v1.5.summary.full.txt.gz"]  # plain gzip
    checked = 0
    for path in files:
        if kinds[path.name]:
            with BGZFile(str(path), "rb") as fh:
                parts = bgzf.inflated_lines(str(path))
                text = b"".join(head + (body or b"") + tail for head, body, tail, _ in parts)
                assert text == fh.read(), path
            checked += 1
    assert checked >= 7


def test_a_real_vcf_scans_alike_through_either_decompression(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(shared_data / "sigven-pcgr" / "current" / "T001-COAD.grch38.vcf.gz")
    everywhere = lambda name: ([0], [10**9])  # noqa: E731  every record is picked
    serial = vcf_text.scan_vcf_text(path, select=everywhere)
    monkeypatch.setattr(vcf_text, "PARALLEL_INFLATE_BYTES", 0)
    with bgzf.job_threads(2):
        parallel = vcf_text.scan_vcf_text(path, select=everywhere)
    assert serial is not None and parallel is not None
    assert parallel.records == serial.records > 1000
    assert parallel.selected == serial.selected
