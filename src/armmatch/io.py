"""File helpers: atomic writes, checksums, opening plain or gzip/bgzip text."""

from __future__ import annotations

import gzip
import hashlib
import io
import logging
import os
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from armmatch.errors import InputError

log = logging.getLogger(__name__)


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


@contextmanager
def atomic_write(path: str | Path, mode: str = "w") -> Iterator[IO[str]]:
    """Write to a temporary file beside ``path`` and rename it into place on success.

    A failure (exception, kill) leaves either the old file or no file, never a half-written one.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; outputs get the usual permissions
    try:
        with os.fdopen(fd, mode, encoding="utf-8", newline="\n") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write`)."""
    with atomic_write(path) as fh:
        fh.write(text)


class CorruptFileError(InputError, OSError):
    """A gzip/bgzip stream that is truncated or corrupt (also an ``OSError``, as gzip's own)."""


class _CheckedGzipFile(gzip.GzipFile):
    """A gzip reader whose truncation/corruption errors name the file (:class:`CorruptFileError`)."""

    def __init__(self, path: Path, mode: str, patient: str | None) -> None:
        super().__init__(path, mode)
        self._path = path
        self._patient = patient

    def _corrupt(self, exc: BaseException) -> CorruptFileError:
        return CorruptFileError(
            f"the gzip/bgzip file is truncated or corrupt ({exc or type(exc).__name__}); "
            "re-create it with bgzip",
            path=self._path,
            patient=self._patient,
        )

    def read(self, size: int | None = -1) -> bytes:
        try:
            return super().read(-1 if size is None else size)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise self._corrupt(exc) from None

    def read1(self, size: int = -1) -> bytes:
        try:
            return super().read1(size)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise self._corrupt(exc) from None

    def peek(self, n: int) -> bytes:
        try:
            return super().peek(n)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise self._corrupt(exc) from None


def open_text(path: str | Path, *, patient: str | None = None) -> IO[str]:
    """Open a plain, gzip or bgzip text file for reading (detected from its magic bytes).

    Raises
    ------
    InputError
        If the file does not exist or is not readable text.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError("file does not exist", path=p, patient=patient)
    with open(p, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        raw = _CheckedGzipFile(p, "rb", patient)
        return io.TextIOWrapper(raw, encoding="utf-8", errors="strict")
    return open(p, encoding="utf-8", errors="strict")


_PRIMARY = frozenset([str(i) for i in range(1, 23)] + ["X", "Y", "M", "MT"])
_CHROM_LINE = ("#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO")


def _is_primary(chrom: str) -> bool:
    return (chrom[3:] if chrom[:3].lower() == "chr" else chrom) in _PRIMARY


def _text_lines(path: str, patient: str | None) -> Iterator[tuple[int, str]] | None:
    """Numbered lines of a plain or gzip/bgzip text VCF; None for BCF (checked by htslib)."""
    with open(path, "rb") as fh:
        magic = fh.read(3)
    if magic == b"BCF":
        return None
    if magic[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as gz:
                if gz.read(3) == b"BCF":
                    return None
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(
                f"the gzip/bgzip file is truncated or corrupt ({exc}); re-create it with bgzip",
                path=path,
                patient=patient,
            ) from None

    def lines() -> Iterator[tuple[int, str]]:
        opener: Any = gzip.open if magic[:2] == b"\x1f\x8b" else open
        lineno = 0
        try:
            with opener(path, "rb") as fh:
                for lineno, raw in enumerate(fh, start=1):
                    yield lineno, raw.decode("utf-8", errors="replace").rstrip("\r\n")
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(
                f"the gzip/bgzip file is truncated or corrupt after line {lineno} ({exc}); "
                "re-create it with bgzip",
                path=path,
                patient=patient,
            ) from None

    return lines()


def check_vcf_text(path: str, *, patient: str | None = None) -> None:
    """Check a text VCF (plain or bgzip) before htslib reads it.

    Errors (:class:`InputError` naming the file, the line and the problem): a truncated or
    corrupt gzip/bgzip stream; a first line that is not ``##fileformat=VCF...``; a header line
    that starts with a single ``#`` but is not the ``#CHROM`` line; a ``#CHROM`` line whose
    first eight columns are not ``#CHROM POS ID REF ALT QUAL FILTER INFO``; a missing ``#CHROM``
    line; a record with fewer than eight tab-separated fields or a POS that is not a positive
    integer; a record on a contig that the header's ``##contig`` lines do not declare (when they
    declare any) and that is not a primary chromosome (1-22, X, Y, M/MT, with or without
    ``chr``).

    Records out of order (a position below the previous one on the same contig, or a contig
    resumed after another) are accepted with one logged warning naming the line: each record is
    read on its own, so the order does not change the result. A header-only VCF is valid (zero
    variants). BCF files are left to htslib.
    """
    numbered = _text_lines(path, patient)
    if numbered is None:
        return
    contigs: set[str] = set()
    chrom_line: int | None = None
    last: tuple[str, int] | None = None
    done: set[str] = set()
    warned = False
    for lineno, text in numbered:
        if chrom_line is None:
            if lineno == 1 and not text.startswith("##fileformat=VCF"):
                raise InputError(
                    f"the first line is {text[:40]!r}, not '##fileformat=VCFv4.x': not a VCF, "
                    "or its header is broken",
                    path=path,
                    line=lineno,
                    patient=patient,
                )
            if text.startswith("##"):
                if text.startswith("##contig=<"):
                    for part in text[len("##contig=<") :].rstrip(">").split(","):
                        key, _, value = part.partition("=")
                        if key.strip() == "ID":
                            contigs.add(value.strip())
                continue
            if text.startswith("#"):
                if tuple(text.split("\t")[:8]) != _CHROM_LINE:
                    raise InputError(
                        f"broken header line {text[:60]!r}: the column header must start "
                        "#CHROM, POS, ID, REF, ALT, QUAL, FILTER, INFO (tab-separated)",
                        path=path,
                        line=lineno,
                        patient=patient,
                    )
                chrom_line = lineno
                continue
            raise InputError(
                "the '#CHROM POS ID REF ALT QUAL FILTER INFO' header line is missing before "
                "the first record",
                path=path,
                line=lineno,
                patient=patient,
            )
        if not text.strip():
            # htslib reads a blank line as an empty record (and cyvcf2 can crash on it)
            raise InputError(
                "blank line among the records: a VCF record cannot be empty; remove the line",
                path=path,
                line=lineno,
                patient=patient,
            )
        fields = text.split("\t")
        if len(fields) < 8:
            raise InputError(
                f"a VCF record needs at least 8 tab-separated fields, found {len(fields)}",
                path=path,
                line=lineno,
                patient=patient,
            )
        chrom, pos_text = fields[0], fields[1]
        if not pos_text.isdigit() or int(pos_text) < 1:
            raise InputError(
                f"POS {pos_text!r} is not a positive integer",
                path=path,
                line=lineno,
                patient=patient,
            )
        if contigs and chrom not in contigs and not _is_primary(chrom):
            raise InputError(
                f"unknown contig {chrom!r}: the header's ##contig lines do not declare it "
                f"(declared: {', '.join(sorted(contigs)[:12])}"
                f"{', ...' if len(contigs) > 12 else ''}); is the VCF of another reference?",
                path=path,
                line=lineno,
                patient=patient,
            )
        pos = int(pos_text)
        if last is not None and not warned:
            resumed = chrom != last[0] and chrom in done
            if resumed or (chrom == last[0] and pos < last[1]):
                log.warning(
                    "%s, line %d%s: records are not sorted (%s:%d after %s:%d); accepted, "
                    "each record is read on its own",
                    path,
                    lineno,
                    f" (patient {patient})" if patient else "",
                    chrom,
                    pos,
                    last[0],
                    last[1],
                )
                warned = True
        if last is not None and chrom != last[0]:
            done.add(last[0])
        last = (chrom, pos)
    if chrom_line is None:
        raise InputError(
            "the '#CHROM POS ID REF ALT QUAL FILTER INFO' header line is missing (the file "
            "ends inside the header)",
            path=path,
            patient=patient,
        )


def read_tsv_rows(
    path: str | Path,
    patient: str | None = None,
    *,
    header_only: bool = False,
    comments: tuple[str, ...] = ("#",),
    hash_header: bool = False,
) -> list[tuple[int, list[str]]]:
    """``(line_number, fields)`` of a tab-separated file (plain or gzip), blank lines skipped.

    The first row returned is the header; with ``header_only`` only that row is read. Lines
    starting with any of ``comments`` are skipped, except that with ``hash_header`` the first
    non-blank line is the header even when it starts with ``#`` (Arriba's ``#gene1``), the
    ``#`` removed.

    Raises
    ------
    InputError
        When the file is missing, not UTF-8 text, or a corrupt gzip stream.
    """
    rows: list[tuple[int, list[str]]] = []
    try:
        with open_text(path, patient=patient) as fh:
            for number, raw in enumerate(fh, start=1):
                text = raw.rstrip("\r\n")
                if not text.strip():
                    continue
                if hash_header and not rows:
                    text = text.lstrip("#")
                elif text.startswith(comments):
                    continue
                rows.append((number, text.split("\t")))
                if header_only:
                    break
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not a UTF-8 text file ({exc.reason})", path=path, patient=patient
        ) from exc
    return rows
