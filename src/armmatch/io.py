"""File helpers: atomic writes, checksums, opening plain or gzip/bgzip text."""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import itertools
import json
import logging
import os
import re
import tempfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from functools import lru_cache
from json.encoder import (  # type: ignore[attr-defined]
    c_make_encoder,
    encode_basestring,
    encode_basestring_ascii,
)
from pathlib import Path
from typing import IO, Any, Concatenate, Literal, ParamSpec, TypeVar

from armmatch.errors import InputError

log = logging.getLogger(__name__)


_REMEMBERED: dict[tuple[int, int, int, int], str] | None = None
"""Digests by file identity while :func:`remembered_digests` is active (else None)."""


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes.

    Inside :func:`remembered_digests` a file whose identity (device, inode, size, modification
    time) is unchanged is hashed once.
    """
    key = None
    if _REMEMBERED is not None:
        st = os.stat(path)
        key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        if key in _REMEMBERED:
            return _REMEMBERED[key]
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    digest = h.hexdigest()
    if key is not None and _REMEMBERED is not None:
        _REMEMBERED[key] = digest
    return digest


@contextmanager
def remembered_digests() -> Iterator[None]:
    """Hash each unchanged file once in this block (one patient's job: its fingerprint and
    its readers' provenance both need the sha256 of the same, possibly whole-genome, inputs)."""
    global _REMEMBERED
    outer = _REMEMBERED
    _REMEMBERED = {} if outer is None else outer
    try:
        yield
    finally:
        _REMEMBERED = outer


_T = TypeVar("_T")
_P = ParamSpec("_P")


def per_file_state(
    maxsize: int,
) -> Callable[
    [Callable[Concatenate[str | Path, _P], _T]], Callable[Concatenate[str | Path, _P], _T]
]:
    """Remember what a function of a file's path answers, per file state (path, size,
    modification time) and the other arguments: a block job's preflight and its readers ask
    the same questions of the same files. A file that cannot be stat'ed is asked afresh (the
    function says what is wrong). The other arguments must be hashable."""

    def wrap(
        fn: Callable[Concatenate[str | Path, _P], _T],
    ) -> Callable[Concatenate[str | Path, _P], _T]:
        @lru_cache(maxsize=maxsize)
        def remembered(path: str, _size: int, _mtime_ns: int, args: Any, kwargs: Any) -> _T:
            return fn(path, *args, **dict(kwargs))

        @functools.wraps(fn)
        def ask(path: str | Path, /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
            try:
                st = os.stat(path)
            except OSError:
                return fn(path, *args, **kwargs)
            return remembered(str(path), st.st_size, st.st_mtime_ns, args,
                              tuple(sorted(kwargs.items())))  # fmt: skip

        return ask

    return wrap


_FD_FOLDER = "/proc/self/fd"


@contextmanager
def scratch_file(data: bytes, *, suffix: str) -> Iterator[str]:
    """A path that reads as ``data`` while the context lasts, for a library that only reads
    paths (htslib). In memory where the system offers it (Linux ``memfd_create``, no file on any
    disk: creating a file costs a filesystem a journal entry, noticeable per patient on network
    and virtual disks), else a temporary file that is removed on exit."""
    if hasattr(os, "memfd_create") and os.path.isdir(_FD_FOLDER):  # no /proc: a file
        fd = os.memfd_create(f"armmatch{suffix}", os.MFD_CLOEXEC)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            yield f"{_FD_FOLDER}/{fd}"
        finally:
            os.close(fd)
        return
    with tempfile.NamedTemporaryFile(prefix="armmatch-", suffix=suffix) as tmp:
        tmp.write(data)
        tmp.flush()
        yield tmp.name


_TEMP_COUNTER = itertools.count()


def _create_temporary(folder: str, name: str) -> tuple[int, str]:
    """A new file ``folder/.<name>.<pid>.<n>.tmp`` (created exclusively, mode 0666 less the
    umask, as any output); the folder is made only when the file cannot be created in it."""
    made = False
    while True:
        tmp = os.path.join(folder, f".{name}.{os.getpid()}.{next(_TEMP_COUNTER)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue  # left by an earlier process with the same pid: take the next name
        except FileNotFoundError:
            if made:
                raise
            os.makedirs(folder, exist_ok=True)
            made = True


@contextmanager
def atomic_write(path: str | Path, mode: str = "w", *, durable: bool = True) -> Iterator[IO[str]]:
    """Write to a temporary file beside ``path`` and rename it into place on success.

    A failure (exception, kill) leaves either the old file or no file, never a half-written one.
    ``durable`` (the default) syncs the data to disk before the rename; a caller that writes many
    files and syncs once itself (a block job: one ``os.sync`` before its manifest) passes False.
    The temporary file is created with three system calls (open, write, rename), none to make
    the folder when it exists: a block job writes four files per patient.
    """
    target = os.fspath(path)
    fd, tmp = _create_temporary(os.path.dirname(target) or ".", os.path.basename(target))
    try:
        with os.fdopen(fd, mode, encoding="utf-8", newline="\n") as fh:
            yield fh
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text_atomic(path: str | Path, text: str, *, durable: bool = True) -> None:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write`)."""
    with atomic_write(path, durable=durable) as fh:
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


MAX_LINE_BYTES = 64 << 20
"""The longest line (and so field) any reader accepts: 64 MiB. A longer one (a corrupt file, a
binary file, a bgzip that expands to one huge line) stops with the line number instead of
exhausting memory. Real VCF lines, VEP annotations included, stay far below it."""


def line_bound_text() -> str:
    return f"{MAX_LINE_BYTES:,} bytes"


class _BoundedText(io.TextIOWrapper):
    """Text lines of at most :data:`MAX_LINE_BYTES` characters, iterated with their count."""

    def __init__(self, raw: Any, path: Path, patient: str | None, errors: str) -> None:
        super().__init__(raw, encoding="utf-8-sig", errors=errors)
        self._where = (path, patient)
        self._lines = 0

    def __next__(self) -> str:  # type: ignore[override]
        try:
            line = self.readline(MAX_LINE_BYTES + 1)
        except UnicodeDecodeError:
            path, patient = self._where
            raise not_utf8_error(path, patient) from None
        if not line:
            raise StopIteration
        self._lines += 1
        if len(line) > MAX_LINE_BYTES:
            path, patient = self._where
            raise InputError(
                f"line {self._lines} is longer than {line_bound_text()}: not a line of a text table or "
                "VCF (a corrupt or binary file?)",
                path=path,
                patient=patient,
            )
        return line


def first_not_utf8(lines: Iterator[bytes]) -> tuple[int, int, int] | None:
    """``(line, column, byte)`` (both 1-based) of the first byte of ``lines`` that is not
    UTF-8, or None.

    >>> first_not_utf8(iter([b"gene\\n", b"M\\xfcller\\n"]))
    (2, 2, 252)
    """
    for number, line in enumerate(lines, start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            return number, exc.start + 1, line[exc.start]
    return None


def not_utf8_error(path: str | Path, patient: str | None) -> InputError:
    """The error for a text file that is not UTF-8, naming the line, the column and the byte
    (the file read again as bytes: a text reader decodes blocks ahead of the line it returns)."""
    p = Path(path)
    with open(p, "rb") as raw:
        gz = raw.read(2) == b"\x1f\x8b"
    opened: gzip.GzipFile | io.BufferedReader
    opened = _CheckedGzipFile(p, "rb", patient) if gz else open(p, "rb")  # noqa: SIM115
    with opened as fh:
        found = first_not_utf8(iter(fh))
    if found is None:  # a multi-byte character cut by the end of the file
        return InputError("not a UTF-8 text file (it ends inside a character)", path=p,
                          patient=patient)  # fmt: skip
    line, column, byte = found
    return InputError(
        f"byte 0x{byte:02x} (column {column}) is not UTF-8: the file must be UTF-8 text "
        "(re-save it as UTF-8)",
        path=p,
        line=line,
        patient=patient,
    )


def open_text(
    path: str | Path, *, patient: str | None = None, errors: Literal["strict", "replace"] = "strict"
) -> IO[str]:
    """Open a plain, gzip or bgzip text file for reading (detected from its magic bytes); lines
    longer than :data:`MAX_LINE_BYTES` stop iteration with an :class:`InputError`.

    UTF-8, a leading byte-order mark (as Excel's "UTF-8 CSV" and Windows tools write) dropped;
    ``errors="replace"`` for a reader that needs only some lines, or only their ASCII
    structure (a VCF's header: the text is decoded in blocks, so a byte that is not UTF-8 in
    a record after the header would otherwise stop it, or not, depending on the block size).

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
        return _BoundedText(_CheckedGzipFile(p, "rb", patient), p, patient, errors)
    return _BoundedText(open(p, "rb"), p, patient, errors)  # noqa: SIM115


def read_tsv_rows(
    path: str | Path,
    patient: str | None = None,
    *,
    header_only: bool = False,
    comments: tuple[str, ...] = ("#",),
    hash_header: bool = False,
) -> list[tuple[int, list[str]]]:
    """``(line_number, fields)`` of a tab-separated file (plain or gzip), blank lines skipped.

    The first row returned is the header; with ``header_only`` only that row is read (a byte
    that is not UTF-8 replaced: see the comment in the body). Lines
    starting with any of ``comments`` are skipped, except that with ``hash_header`` the first
    non-blank line is the header even when it starts with ``#`` (Arriba's ``#gene1``), the
    ``#`` removed.

    Raises
    ------
    InputError
        When the file is missing, not UTF-8 text, or a corrupt gzip stream.
    """
    rows: list[tuple[int, list[str]]] = []
    # the header alone is a sniff (which format, which columns): decoded with replacement, so
    # that a byte that is not UTF-8 further on is named by the reader that reads the rows
    with open_text(path, patient=patient, errors="replace" if header_only else "strict") as fh:
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
    return rows


def version_comment(
    text: str, key: str, *, path: str | Path, error: type[InputError] = InputError
) -> str:
    """The version in a resource's ``# <key>: <version>`` comment line; without one, ``error``
    naming the file.

    >>> version_comment("# brca_list_version: 2026.11", "brca_list_version", path="x")
    '2026.11'
    """
    m = re.search(rf"^#\s*{re.escape(key)}:\s*(\S+)", text, flags=re.M)
    if m is None:
        raise error(f"missing '# {key}: <version>' comment line", path=str(path))
    return m.group(1)


def fixed_tsv_rows(
    text: str,
    columns: Sequence[str],
    *,
    path: str | Path,
    error: type[InputError] = InputError,
) -> list[tuple[int, list[str]]]:
    """Data rows of a ``#``-commented TSV whose header must be exactly ``columns``.

    Returns ``(1-based line, fields)`` per data row; blank and ``#`` lines are skipped. A wrong
    header, a row with another number of fields, or no header at all raises ``error`` (an
    :class:`InputError` subclass, e.g. :class:`~armmatch.errors.ConfigError` for resources)
    naming the file and line.
    """
    rows: list[tuple[int, list[str]]] = []
    header_seen = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        if not header_seen:
            if tuple(fields) != tuple(columns):
                raise error(
                    f"header must be {', '.join(columns)} (tab-separated), found "
                    f"{', '.join(fields)}",
                    path=path,
                    line=number,
                )
            header_seen = True
            continue
        if len(fields) != len(columns):
            raise error(
                f"expected {len(columns)} tab-separated fields, found {len(fields)}",
                path=path,
                line=number,
            )
        rows.append((number, fields))
    if not header_seen:
        raise error("no header line found", path=path)
    return rows


FORMULA_STARTS = ("=", "+", "-", "@")
"""Characters with which a spreadsheet starts a formula (OWASP CSV injection)."""


def tsv_cell(value: object) -> str:
    """One TSV cell that no spreadsheet executes.

    Tabs, newlines and carriage returns become spaces; None is empty; booleans are yes/no. A
    cell starting with ``=``, ``+``, ``-`` or ``@`` that is not a plain number is written with a
    leading apostrophe (the OWASP CSV-injection rule), and so is one that already starts with an
    apostrophe: a reader restores every cell by removing one leading apostrophe
    (:func:`tsv_value`).

    >>> tsv_cell('=HYPERLINK("http://x")'), tsv_cell(-1.5), tsv_cell("'quoted")
    ('\'=HYPERLINK("http://x")', '-1.5', "''quoted")
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        value = ";".join(str(v) for v in value)
    if isinstance(value, float):
        value = f"{value:.4g}"
    text = str(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")
    if text.startswith("'") or (text.startswith(FORMULA_STARTS) and not _is_number(text)):
        return "'" + text
    return text


def tsv_value(cell: str) -> str:
    """The value :func:`tsv_cell` wrote (one leading apostrophe removed)."""
    return cell[1:] if cell.startswith("'") else cell


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def table_rows(
    path: str | Path, patient: str | None, *, header_only: bool = False
) -> list[tuple[int, list[str]]]:
    """``(line, fields)`` of a TSV; blank lines skipped; the first row is the header.

    A leading ``#`` on the header (Arriba) is removed; later ``#`` lines are comments.
    """
    rows = read_tsv_rows(path, patient, header_only=header_only, hash_header=True)
    if not rows:
        raise InputError("file is empty (no header line)", path=path, patient=patient)
    return rows


@dataclass(frozen=True)
class ColumnTable:
    """A header-indexed TSV, for the readers."""

    path: str | Path
    patient: str | None
    header_line: int
    columns: dict[str, int]
    body: list[tuple[int, list[str]]]

    @classmethod
    def read(cls, path: str | Path, patient: str | None) -> ColumnTable:
        rows = table_rows(path, patient)
        (header_line, header), body = rows[0], rows[1:]
        names = [name.strip() for name in header]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise InputError(
                f"column(s) {', '.join(map(repr, repeated))} appear more than once in the header",
                path=path,
                line=header_line,
                patient=patient,
            )
        columns = {name: i for i, name in enumerate(names)}
        return cls(path, patient, header_line, columns, body)

    def require(self, *names: str) -> None:
        missing = [n for n in names if n not in self.columns]
        if missing:
            raise InputError(
                f"missing column(s) {', '.join(missing)}; header has: {', '.join(self.columns)}",
                path=self.path,
                line=self.header_line,
                patient=self.patient,
            )

    def records(self) -> list[tuple[int, dict[str, str]]]:
        """Each data row as ``(line, {column: value})``; wrong field counts raise InputError."""
        out = []
        for line, fields in self.body:
            if len(fields) != len(self.columns):
                raise InputError(
                    f"expected {len(self.columns)} tab-separated fields (as in the header), "
                    f"found {len(fields)}",
                    path=self.path,
                    line=line,
                    patient=self.patient,
                )
            out.append((line, {name: fields[i] for name, i in self.columns.items()}))
        return out

    def error(self, problem: str, line: int) -> InputError:
        return InputError(problem, path=self.path, line=line, patient=self.patient)

    def number(self, text: str, what: str, line: int) -> float | None:
        """A non-negative number, ``None`` for empty/NA."""
        cell = text.strip()
        if cell in ("", ".", "NA"):
            return None
        try:
            value = float(cell)
        except ValueError:
            raise self.error(f"{what} {text!r} is not a number", line) from None
        if not value >= 0:
            raise self.error(f"{what} {text!r} is not a non-negative number", line)
        return value

    def count(self, text: str, what: str, line: int) -> int | None:
        """A non-negative read count, ``None`` for empty/NA."""
        cell = text.strip()
        if cell in ("", ".", "NA"):
            return None
        if not cell.isdigit():
            raise self.error(f"{what} {text!r} is not a non-negative integer", line)
        return int(cell)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def plain_dict(obj: Any) -> dict[str, Any]:
    """A dataclass instance's fields as a dict, one level deep, without copying the values.

    What :func:`dataclasses.asdict` gives for a dataclass of plain values (strings, numbers,
    None), at a fraction of the cost: ``asdict`` deep-copies every value. Nested dataclasses
    and tuples are left as they are (the caller converts the few it has).
    """
    names = _FIELD_NAMES.get(type(obj))
    if names is None:
        names = _FIELD_NAMES[type(obj)] = tuple(f.name for f in dataclass_fields(obj))
    return {name: getattr(obj, name) for name in names}


def _compact_encoder(ensure_ascii: bool) -> Callable[[Any], str]:
    """``json.dumps(value, sort_keys=True, ensure_ascii=...)`` as a function that reuses one C
    encoder: ``JSONEncoder.encode`` builds a new one on every call, which costs as much as
    encoding a small value (an event). No circular-reference check (armmatch's documents are
    trees; a cycle would end in RecursionError)."""
    quote = encode_basestring_ascii if ensure_ascii else encode_basestring
    if c_make_encoder is None:  # a Python without the C accelerator
        return json.JSONEncoder(sort_keys=True, ensure_ascii=ensure_ascii).encode
    chunks = c_make_encoder(None, None, quote, None, ": ", ", ", True, False, True)

    def encode(value: Any) -> str:
        if isinstance(value, str):
            return quote(value)
        return "".join(chunks(value, 0))

    return encode


_ASCII = _compact_encoder(True)
_UNICODE = _compact_encoder(False)


def json_lines(doc: Mapping[str, Any], *, ensure_ascii: bool = True) -> str:
    """A JSON object as text with one line per key and one line per item of a list: keys
    sorted, each value compact, a trailing newline. Deterministic, and about four times faster
    than ``json.dumps(indent=...)`` (CPython's C encoder only runs without ``indent``); a line
    per event or arm suits ``grep`` and ``diff``, and ``jq .`` pretty-prints it."""

    one = _ASCII if ensure_ascii else _UNICODE

    parts = []
    for key in sorted(doc):
        value = doc[key]
        if isinstance(value, list) and value:
            items = ",\n".join(f"  {one(v)}" for v in value)
            parts.append(f" {one(key)}: [\n{items}\n ]")
        else:
            parts.append(f" {one(key)}: {one(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n" if parts else "{}\n"
