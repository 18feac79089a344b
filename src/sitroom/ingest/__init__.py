"""The ingest stage: files, directories and standard input as :class:`~sitroom.records.Document` values.

Every input problem is a :class:`ReadFailure` value in the stream of results, never an
exception that stops the batch: a broken JSON line, an empty or binary file, an unreadable
path. Only programming errors raise.

* ``-`` is standard input (JSON Lines, a JSON document, a feed, an HTML page or plain text,
  recognized from its start).
* Directories are walked recursively in sorted order; hidden files and directories are
  skipped, and a directory reached twice through symbolic links is walked once.
* Files are read by extension: ``.jsonl``/``.ndjson``/``.json`` (JSON Lines, or a JSON object
  or list), ``.txt``, ``.html``/``.htm``, ``.xml``/``.rss``/``.atom`` (feeds). Other files are
  recognized from their first bytes.

Fallbacks that change what was read (a legacy text encoding, an unusable date, a feed with
XML errors) are logged as warnings on the ``sitroom.ingest`` logger.
"""

from __future__ import annotations

import codecs
import errno
import itertools
import logging
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO, TypeAlias

from sitroom.errors import IngestError
from sitroom.ingest import feeds, html, jsonl, text
from sitroom.records import Document

__all__ = [
    "EXTENSIONS",
    "Format",
    "ReadFailure",
    "ReadResult",
    "count_inputs",
    "iter_inputs",
    "read_paths",
    "read_stream",
    "sniff_format",
]

Format = Literal["jsonl", "json", "text", "html", "feed"]

#: File extensions and the reader each one goes to; other files are sniffed.
EXTENSIONS: dict[str, Format] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
}

logger = logging.getLogger("sitroom.ingest")

_STDIN = "-"
_SNIFF_CHARS = 4096


@dataclass(frozen=True, slots=True)
class ReadFailure:
    """An input that gave no document: where (``path``, ``path:LINE``, ``path#ITEM``, ``stdin``) and why."""

    source: str
    reason: str


ReadResult: TypeAlias = Document | ReadFailure


def _failure(error: IngestError, default_source: str) -> ReadFailure:
    return ReadFailure(source=error.source or default_source, reason=error.message)


def _results(items: Iterable[Document | IngestError], source: str) -> Iterator[ReadResult]:
    for item in items:
        yield _failure(item, source) if isinstance(item, IngestError) else item


def _os_reason(err: OSError) -> str:
    if isinstance(err, FileNotFoundError):
        return "no such file or directory (was it moved or deleted?)"
    if isinstance(err, PermissionError):
        return "permission denied: make the file readable (chmod +r) or run as a user who can read it"
    if isinstance(err, IsADirectoryError):
        return "is a directory"
    if err.errno == errno.ENAMETOOLONG:
        return "the file name is too long"
    return f"cannot read the file: {err.strerror or err}"


# --------------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class _Input:
    source: str  # "-" or a path
    problem: str | None = None  # why it cannot be read, when that is known before reading


def _walk(directory: Path, seen_dirs: set[str] | None = None) -> Iterator[_Input]:
    seen_dirs = set() if seen_dirs is None else seen_dirs
    real = os.path.realpath(directory)
    if real in seen_dirs:  # a symbolic link back into a directory already walked
        return
    seen_dirs.add(real)
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as err:
        yield _Input(str(directory), f"cannot list the directory: {err.strerror or err}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            if entry.is_dir():
                yield from _walk(path, seen_dirs)
            elif entry.is_file():
                yield _Input(str(path))
            elif entry.is_symlink() and not os.path.exists(path):
                yield _Input(str(path), "broken symbolic link: its target does not exist")
            # sockets, FIFOs and devices are not documents: skipped
        except OSError as err:
            yield _Input(str(path), _os_reason(err))


def _expand(name: str) -> Iterable[_Input]:
    try:
        info = os.stat(name)
    except (FileNotFoundError, NotADirectoryError):
        kind = "broken symbolic link: its target does not exist" if os.path.islink(name) else ""
        return [_Input(name, kind or "no such file or directory: check the path")]
    except OSError as err:
        return [_Input(name, _os_reason(err))]
    return _walk_or_complain(Path(name)) if stat.S_ISDIR(info.st_mode) else [_Input(name)]


def _walk_or_complain(directory: Path) -> Iterator[_Input]:
    """A directory given by the caller: its files, or one problem when it holds none."""
    empty = True
    for item in _walk(directory):
        empty = False
        yield item
    if empty:
        yield _Input(str(directory), "the directory holds no files to read (hidden files are skipped)")


def _inputs(paths: Sequence[str | Path]) -> Iterator[_Input]:
    seen: set[str] = set()
    for given in paths:
        name = str(given)
        found = [_Input(_STDIN)] if name == _STDIN else _expand(name)
        for item in found:
            key = item.source
            if item.problem is None and key != _STDIN:
                key = os.path.realpath(key)
            if key not in seen:
                seen.add(key)
                yield item


def iter_inputs(paths: Sequence[str | Path]) -> Iterator[str]:
    """The files (and ``-``) that :func:`read_paths` visits, in its order, each once."""
    for item in _inputs(paths):
        yield item.source


def count_inputs(paths: Sequence[str | Path]) -> int:
    """How many files :func:`read_paths` will visit (directories are listed, files not opened)."""
    return sum(1 for _ in _inputs(paths))


# ---------------------------------------------------------------------------------- sniffing

_HTML_START = re.compile(r"<(?:!doctype\s+html|html|head|body|meta|title|article|div|p)\b")


def sniff_format(head: str) -> Format:
    """The format of a document from its first characters (BOM and leading space are ignored)."""
    start = head.lstrip("\ufeff \t\r\n").lower()
    if start.startswith("<?xml"):
        return "html" if "<html" in start[:_SNIFF_CHARS] and "<rss" not in start else "feed"
    if start.startswith(("<rss", "<feed", "<rdf:rdf")):
        return "feed"
    if start.startswith("<!doctype") or _HTML_START.match(start):
        return "html"
    if start.startswith(("{", "[")):
        return "json"
    return "text"


# ----------------------------------------------------------------------------------- reading


def _read_json_lines_file(path: Path, source: str) -> Iterator[ReadResult]:
    try:
        with path.open("rb") as handle:
            head = handle.read(8192)
            reason = text.binary_reason(head)
            # NUL bytes in a file that starts as JSON Lines are one broken line, reported by number
            if reason is not None and not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
                yield ReadFailure(source, reason)
                return
            handle.seek(0)
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                # UTF-16/32 lines cannot be split on the byte b"\n": decode the whole file
                decoded = text.decode_bytes(handle.read()).text
                lines: Iterable[tuple[int, bytes | str]] = enumerate(decoded.split("\n"), start=1)
            else:
                lines = enumerate(handle, start=1)
            yield from _results(jsonl.documents_from_lines(lines, origin=source), source)
    except OSError as err:
        yield ReadFailure(source, _os_reason(err))


def _read_file(path: Path) -> Iterator[ReadResult]:
    source = str(path)
    kind = EXTENSIONS.get(path.suffix.lower())
    if kind == "jsonl":
        yield from _read_json_lines_file(path, source)
        return
    try:
        data = path.read_bytes()
    except OSError as err:
        yield ReadFailure(source, _os_reason(err))
        return
    if not data.strip():
        yield ReadFailure(source, "empty file")
        return
    reason = text.binary_reason(data)
    if reason is not None:
        yield ReadFailure(source, reason)
        return
    if kind is None:
        kind = sniff_format(data[:_SNIFF_CHARS].decode("utf-8", errors="replace"))
    yield from _read_bytes(data, kind, source)


def _read_bytes(data: bytes, kind: Format, source: str) -> Iterator[ReadResult]:
    try:
        if kind == "feed":
            yield from _results(feeds.documents_from_bytes(data, origin=source), source)
        elif kind == "html":
            yield html.document_from_bytes(data, origin=source)
        elif kind in ("json", "jsonl"):
            decoded = text.decode_bytes(data)
            if decoded.note is not None:
                logger.warning("%s: %s", source, decoded.note)
            yield from _results(jsonl.documents_from_json(decoded.text, origin=source), source)
        else:
            yield text.document_from_bytes(data, origin=source)
    except IngestError as err:
        yield _failure(err, source)


def read_stream(stream: TextIO, *, name: str = "stdin") -> Iterator[ReadResult]:
    """Documents from an open text stream: JSON Lines are read line by line, other formats whole."""
    head: list[str] = []
    try:
        for line in stream:
            head.append(line)
            if line.strip():
                break
        if not head or not head[-1].strip():
            yield ReadFailure(name, "empty input")
            return
        first = head[-1].strip()
        if first.startswith("{") and jsonl.first_line_is_json(first):
            numbered = enumerate(itertools.chain(head, stream), start=1)
            yield from _results(jsonl.documents_from_lines(numbered, origin=name), name)
            return
        whole = "".join(head) + stream.read()
    except UnicodeDecodeError as err:
        yield ReadFailure(
            name,
            f"the input is not valid text in the stream's encoding ({err.encoding}: {err.reason}); "
            "save it to a file so that its encoding can be detected, or convert it with iconv",
        )
        return
    except OSError as err:
        yield ReadFailure(name, f"cannot read the input: {err.strerror or err}")
        return
    kind = sniff_format(whole[:_SNIFF_CHARS])
    try:
        if kind == "json":
            yield from _results(jsonl.documents_from_json(whole, origin=name), name)
        elif kind == "text":
            if "\x00" in whole[: text.SNIFF_BYTES]:
                yield ReadFailure(
                    name, "binary input (it contains NUL bytes): give text, HTML, a feed or JSON Lines"
                )
            else:
                yield text.document_from_text(whole, origin=name)
        else:
            yield from _read_bytes(whole.encode("utf-8"), kind, name)
    except IngestError as err:
        yield _failure(err, name)


def read_paths(paths: Sequence[str | Path], *, stdin: TextIO | None = None) -> Iterator[ReadResult]:
    """Every document in ``paths`` (files, directories, ``-`` for ``stdin``), failures included."""
    for item in _inputs(paths):
        if item.problem is not None:
            yield ReadFailure(item.source, item.problem)
        elif item.source == _STDIN:
            stream = stdin if stdin is not None else sys.stdin
            if stream is None:
                yield ReadFailure("stdin", "no standard input is available")
            else:
                yield from read_stream(stream, name="stdin")
        else:
            yield from _read_file(Path(item.source))
