"""armmatch.readers.bgzf: bgzip files inflated by worker threads, checked as htslib checks them,
and the streamed VCF text pass reading through it (armmatch.readers.vcf_text)."""

from __future__ import annotations

import gzip
import random
import zlib
from pathlib import Path

import pysam
import pytest
from pysam.libcbgzf import BGZFile

from armmatch.errors import InputError
from armmatch.readers import bgzf, vcf_text


def vcf_text_lines(records: int, seed: int = 3) -> bytes:
    rng = random.Random(seed)
    head = ["##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    pos = 1000
    rows = []
    for _ in range(records):
        pos += rng.randint(1, 300)
        rows.append(f"1\t{pos}\t.\t{rng.choice('ACGT')}\t{rng.choice('ACGT')}\t{rng.randint(1, 99)}"
                    f"\tPASS\tDP={rng.randint(10, 999)};Q={rng.random():.6f}")  # fmt: skip
    return ("\n".join(head + rows) + "\n").encode()


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """A bgzip VCF of over 2 MB compressed (many read steps, about 150 blocks)."""
    folder = tmp_path_factory.mktemp("bgzf")
    plain = folder / "big.vcf"
    text = vcf_text_lines(180_000)
    plain.write_bytes(text)
    gz = folder / "big.vcf.gz"
    pysam.tabix_compress(str(plain), str(gz), force=True)
    assert gz.stat().st_size > 2 * (1 << 20)
    return gz, text


def inflated(path: str, workers: int = 2) -> bytes:
    """The text bgzf.inflated_lines gives, its parts joined back; each body starts and ends
    with a newline and neither head nor tail holds one."""
    text = []
    for head, body, tail, _ in bgzf.inflated_lines(path, workers=workers):
        assert b"\n" not in head and b"\n" not in tail
        assert body is None or (body[:1] == body[-1:] == b"\n")
        text += [head, body or b"", tail]
    return b"".join(text)


def test_inflated_is_the_files_text_in_order(big: tuple[Path, bytes]) -> None:
    gz, text = big
    assert bgzf.is_bgzf(str(gz))
    with BGZFile(str(gz), "rb") as fh:
        assert fh.read() == text
    assert inflated(str(gz)) == text
    assert inflated(str(gz), workers=1) == text


def test_split_lines_of_every_shape() -> None:
    cases: list[list[bytes]] = [
        [b"abc"], [b"a\nb"], [b"\n"], [b"ab", b"c\nd", b"e"], [b"ab", b"cd", b"\n"],
        [b"\nx", b"y", b"z\n"], [b"a\nb\nc", b"d", b"e\nf"], [b"", b"a\n", b""], [b"a", b"b"],
    ]  # fmt: skip
    for parts in cases:
        head, body, tail = bgzf.split_lines(parts)
        text = b"".join(parts)
        assert head + (body or b"") + tail == text, parts
        if b"\n" in text:
            assert body is not None and head == text[: text.index(b"\n")]
            assert tail == text[text.rindex(b"\n") + 1 :]
        else:
            assert body is None and tail == b""


def test_worker_threads_prepare_each_body(big: tuple[Path, bytes]) -> None:
    gz, text = big
    seen = b"".join(
        body for _, body, _, prepared in bgzf.inflated_lines(str(gz), prepare=bytes.upper)
        if body is not None and prepared == body.upper()
    )  # fmt: skip
    assert len(seen) > len(text) * 0.9


def test_plain_gzip_and_text_are_not_bgzf(tmp_path: Path) -> None:
    (tmp_path / "a.gz").write_bytes(gzip.compress(b"x\n"))
    (tmp_path / "a.txt").write_bytes(b"##fileformat=VCFv4.2\n")
    (tmp_path / "empty").write_bytes(b"")
    assert not any(bgzf.is_bgzf(str(tmp_path / n)) for n in ("a.gz", "a.txt", "empty"))


def test_a_file_ending_inside_a_block_is_an_error(big: tuple[Path, bytes], tmp_path: Path) -> None:
    gz, _ = big
    cut = tmp_path / "cut.vcf.gz"
    cut.write_bytes(gz.read_bytes()[: (1 << 20) + 12345])
    with pytest.raises(zlib.error, match="ends inside a BGZF block"):
        inflated(str(cut))


def test_a_damaged_block_is_an_error(big: tuple[Path, bytes], tmp_path: Path) -> None:
    gz, _ = big
    data = bytearray(gz.read_bytes())
    data[len(data) // 2] ^= 0xFF
    bad = tmp_path / "bad.vcf.gz"
    bad.write_bytes(bytes(data))
    with pytest.raises(zlib.error):
        inflated(str(bad))


def test_a_plain_gzip_member_after_bgzf_blocks_is_read_on(
    big: tuple[Path, bytes], tmp_path: Path
) -> None:
    """``cat file.vcf.gz more.gz``: htslib reads on through a plain gzip member, and so do we."""
    gz, text = big
    tail = b"1\t999999999\t.\tA\tC\t.\tPASS\t.\n" * 3
    both = tmp_path / "both.vcf.gz"
    both.write_bytes(gz.read_bytes() + gzip.compress(tail))
    with BGZFile(str(both), "rb") as fh:
        assert fh.read() == text + tail
    assert inflated(str(both)) == text + tail


@pytest.mark.parametrize("parallel", [True, False])
def test_the_text_pass_reads_alike_through_either_decompression(
    big: tuple[Path, bytes], monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    gz, _ = big
    monkeypatch.setattr(vcf_text, "PARALLEL_INFLATE_BYTES", 0 if parallel else 1 << 62)
    monkeypatch.setattr(vcf_text, "usable_threads", lambda: 2)
    spans = {"1": ([5_000_000, 9_000_000], [5_010_000, 9_000_500])}
    scan = vcf_text.scan_vcf_text(str(gz), select=spans.get)
    monkeypatch.setattr(vcf_text, "PARALLEL_INFLATE_BYTES", 1 << 62)
    serial = vcf_text.scan_vcf_text(str(gz), select=spans.get)
    assert scan is not None and serial is not None
    assert scan.records == serial.records == 180_000
    assert scan.selected == serial.selected and len(scan.selected) > 10


def test_a_truncated_whole_genome_names_the_file_through_the_parallel_path(
    big: tuple[Path, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gz, _ = big
    cut = tmp_path / "cut.vcf.gz"
    cut.write_bytes(gz.read_bytes()[: 2 * (1 << 20) - 777])
    monkeypatch.setattr(vcf_text, "PARALLEL_INFLATE_BYTES", 0)
    monkeypatch.setattr(vcf_text, "usable_threads", lambda: 2)
    with pytest.raises(InputError) as info:
        vcf_text.scan_vcf_text(str(cut), patient="P1")
    assert info.value.path == str(cut)
    assert "truncated or corrupt after line" in str(info.value)


def test_a_job_allowed_one_thread_inflates_on_its_own(
    big: tuple[Path, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Snakemake's ``threads`` bound the reading (armmatch.readers.bgzf.job_threads): with one,
    no worker threads; with two, the blocks are inflated beside the checks."""
    gz, _ = big
    monkeypatch.setattr(vcf_text, "PARALLEL_INFLATE_BYTES", 0)
    used = []
    real = vcf_text.inflated_lines

    def counted(path: str, **kwargs: object) -> object:
        used.append(path)
        return real(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(vcf_text, "inflated_lines", counted)
    with bgzf.job_threads(1):
        assert bgzf.usable_threads() == 1
        one = vcf_text.scan_vcf_text(str(gz))
    assert used == []
    with bgzf.job_threads(2):
        two = vcf_text.scan_vcf_text(str(gz))
    assert used == [str(gz)]
    assert one is not None and two is not None and one.records == two.records
    assert bgzf.usable_threads() == bgzf.cores()  # outside any job: every usable CPU


def test_which_vcfs_put_a_second_thread_to_work(
    big: tuple[Path, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A block asks Snakemake for two threads only for a large bgzip VCF that is streamed
    (armmatch.calling.small_variants.uses_worker_threads)."""
    from armmatch.calling import small_variants

    gz, text = big
    monkeypatch.setattr(small_variants, "PARALLEL_INFLATE_BYTES", 1 << 20)
    plain = tmp_path / "plain.vcf"
    plain.write_bytes(text)
    streamed = tmp_path / "streamed.vcf.gz"
    streamed.write_bytes(gz.read_bytes())
    assert small_variants.uses_worker_threads(str(streamed), index_min_bytes=20_000_000)
    assert not small_variants.uses_worker_threads(str(plain), index_min_bytes=20_000_000)
    pysam.tabix_index(str(streamed), preset="vcf", force=True)  # read through its index ...
    assert not small_variants.uses_worker_threads(str(streamed), index_min_bytes=0)
    # ... unless it is below small_variants.index_min_mb, when it is streamed all the same
    assert small_variants.uses_worker_threads(str(streamed), index_min_bytes=20_000_000)
    monkeypatch.setattr(small_variants, "PARALLEL_INFLATE_BYTES", 1 << 30)
    assert not small_variants.uses_worker_threads(str(streamed), index_min_bytes=20_000_000)
    assert not small_variants.uses_worker_threads(str(tmp_path / "absent.vcf.gz"), 0)


def many_contigs_vcf(tmp_path: Path, bad_line: bool = False) -> tuple[Path, int]:
    """A bgzip VCF of 60,000 records over contigs whose names share prefixes and lengths (1 and
    10; two decoys of 16 characters differing in one), a contig resumed after another (out of
    order), records with an INFO END, and optionally a bad POS near the end. Returns the path
    and the line of the resumed contig's first record."""
    rng = random.Random(11)
    lines = ["##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    resumed = 0
    for chrom in ["1", "10", "chrUn_KI270302v1", "chrUn_KI270304v1", "2", "1"]:
        if chrom == "1" and len(lines) > 2:
            resumed = len(lines) + 1
        pos = 1000
        for _ in range(10_000):
            pos += rng.randint(1, 400)
            info = f"END={pos + rng.randint(1, 5000)}" if rng.random() < 0.01 else "DP=9"
            lines.append(f"{chrom}\t{pos}\t.\tA\tC\t50\tPASS\t{info};Q={rng.random():.9f}")
    if bad_line:
        lines[-50] = lines[-50].replace("\t", "\tx", 1)
    plain = tmp_path / "many.vcf"
    plain.write_text("\n".join(lines) + "\n")
    gz = tmp_path / "many.vcf.gz"
    pysam.tabix_compress(str(plain), str(gz), force=True)
    return gz, resumed


def test_worker_prepared_pieces_scan_alike_on_many_contigs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The worker threads locate lines, INFO END records and contig runs (vcf_text._prepare);
    the text pass must pick, count and warn exactly as when it works them out itself."""
    gz, resumed = many_contigs_vcf(tmp_path)
    spans = {
        "1": ([500_000, 2_000_000], [600_000, 2_100_000]),
        "10": ([0], [10**9]),
        "chrUn_KI270304v1": ([1_000_000], [1_500_000]),
    }
    monkeypatch.setattr(vcf_text, "usable_threads", lambda: 2)
    monkeypatch.setattr(bgzf, "_READ", 1 << 16)  # many worker tasks, each a piece of its own
    monkeypatch.setattr(vcf_text, "VECTOR_MIN_PIECE_BYTES", 1 << 12)
    prepared = []
    real = vcf_text._prepare
    monkeypatch.setattr(
        vcf_text, "_prepare", lambda body: prepared.append(real(body)) or prepared[-1]
    )
    got = []
    for threshold in (0, 1 << 62):  # worker threads, then none
        monkeypatch.setattr(vcf_text, "PARALLEL_INFLATE_BYTES", threshold)
        caplog.clear()
        with caplog.at_level("WARNING"):
            scan = vcf_text.scan_vcf_text(str(gz), select=spans.get)
        assert scan is not None
        warnings = [r.getMessage() for r in caplog.records if "not sorted" in r.getMessage()]
        got.append((scan.records, scan.selected, warnings))
    assert sum(p is not None and p.changes is not None for p in prepared) >= 8
    assert got[0] == got[1]
    records, selected, warnings = got[0]
    assert records == 60_000 and len(warnings) == 1 and f"line {resumed}:" in warnings[0]
    chroms = {raw.split(b"\t", 1)[0] for _, raw in selected}
    assert chroms == {b"1", b"10", b"chrUn_KI270304v1"}
    assert any(b"END=" in raw for _, raw in selected)


def test_a_bad_line_is_named_alike_through_the_worker_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gz, _ = many_contigs_vcf(tmp_path, bad_line=True)
    monkeypatch.setattr(vcf_text, "usable_threads", lambda: 2)
    monkeypatch.setattr(bgzf, "_READ", 1 << 16)
    monkeypatch.setattr(vcf_text, "VECTOR_MIN_PIECE_BYTES", 1 << 12)
    errors = []
    for threshold in (0, 1 << 62):
        monkeypatch.setattr(vcf_text, "PARALLEL_INFLATE_BYTES", threshold)
        with pytest.raises(InputError) as info:
            vcf_text.scan_vcf_text(str(gz), patient="P1")
        errors.append((info.value.line, str(info.value)))
    assert errors[0] == errors[1]
    assert errors[0][0] == 60_002 - 49
