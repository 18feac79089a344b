"""Plain-text reports, and the byte-level helpers every reader shares.

A text file is one report. Its first lines may be headers, which are removed from the text::

    date 2021-06-05            (also "Date: ...", "published: ...", "pubdate: ...")
    title: Rockets hit base    (the title is kept as the first line of the text)

Without a date header, a dateline at the start of the report gives the publication date when
it has a day, a month and a year ("BAGHDAD, June 7, 2021 (Reuters) -", "7 June 2021");
otherwise the date is unknown (``None``), never the file's mtime. Without a title header, a
short first line followed by a blank line is the title (and stays in the text).
"""

from __future__ import annotations

import codecs
import itertools
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sitroom import language
from sitroom.errors import IngestError
from sitroom.ingest.dates import find_dateline, parse_date_text
from sitroom.records import Document

__all__ = [
    "SNIFF_BYTES",
    "Decoded",
    "binary_reason",
    "decode_bytes",
    "document_from_bytes",
    "document_from_text",
    "outlet_from_url",
]

logger = logging.getLogger("sitroom.ingest")

#: How much of a file is looked at to tell text from binary data.
SNIFF_BYTES = 8192
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF", "a PDF document", "convert it to text first (for example with pdftotext)"),
    (b"PK\x03\x04", "a ZIP archive or an Office document", "unpack it or save the report as text"),
    (b"\xd0\xcf\x11\xe0", "an old Office document", "save the report as text"),
    (b"\x1f\x8b", "a gzip archive", "decompress it first (gunzip)"),
    (b"\x89PNG", "a PNG image", "images are not read"),
    (b"\xff\xd8\xff", "a JPEG image", "images are not read"),
    (b"GIF8", "a GIF image", "images are not read"),
)
_UNICODE_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: its BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Legacy encodings tried when a file is not UTF-8, with a prior: how likely each one is for
# the news sitroom reads (Western European, Arabic-script and Cyrillic sources first).
_LEGACY_ENCODINGS: dict[str, float] = {
    "cp1252": 1.0,
    "cp1256": 1.0,
    "cp1251": 1.0,
    "cp1254": 0.9,
    "cp1255": 0.9,
    "cp1250": 0.8,
    "cp1253": 0.8,
    "koi8_u": 0.8,
    "cp1257": 0.7,
}
_UNLISTED_PRIOR = 0.7  # an encoding only charset_normalizer proposed


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from bytes; ``note`` says which fallback was taken, if any."""

    text: str
    encoding: str
    note: str | None = None


def _bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _UNICODE_BOMS:
        if data.startswith(bom):
            return encoding
    return None


def binary_reason(data: bytes) -> str | None:
    """Why ``data`` is not text (a known binary format, or NUL bytes), or ``None`` if it may be text."""
    for magic, what, fix in _SIGNATURES:
        if data.startswith(magic):
            return f"binary file ({what}), not a news report: {fix}"
    if _bom_encoding(data) in ("utf-16", "utf-32"):
        return None  # NUL bytes are normal there
    if b"\x00" in data[:SNIFF_BYTES]:
        return "binary file (it contains NUL bytes): give a text, HTML, feed or JSON Lines file"
    return None


def decode_bytes(data: bytes) -> Decoded:
    """Decode a text file: a Unicode BOM, else UTF-8, else the most plausible legacy encoding.

    The fallback never fails: the candidates are the legacy encodings that decode the bytes
    cleanly and UTF-8 with the bad bytes replaced; the one that reads most like a language
    wins. ``Decoded.note`` records any fallback so callers can report it.
    """
    bom = _bom_encoding(data)
    if bom is not None:
        try:
            return Decoded(data.decode(bom), bom)
        except UnicodeDecodeError as err:
            return _fallback(
                data, f"starts with a {bom} byte-order mark but is not valid {bom} ({err.reason})"
            )
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as err:
        return _fallback(data, f"is not valid UTF-8 ({err.reason} at byte {err.start})")


# The legacy encoding each language was usually written in; a decoding that reads as a
# language foreign to its encoding is less likely (cp1252 is the default for Latin script).
_NATIVE_ENCODINGS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("cs", "sk", "pl", "hu", "sl", "hr", "bs", "ro", "sq"), ("cp1250",)),
    **dict.fromkeys(("ru", "uk", "be", "bg", "mk", "sr", "kk", "ky", "tg", "mn"), ("cp1251", "koi8_u")),
    "el": ("cp1253",),
    **dict.fromkeys(("tr", "az"), ("cp1254",)),
    **dict.fromkeys(("he", "yi"), ("cp1255",)),
    **dict.fromkeys(("ar", "fa", "ur", "ps", "ckb", "ku"), ("cp1256",)),
    **dict.fromkeys(("et", "lv", "lt"), ("cp1257",)),
}
_FOREIGN_PENALTY = 0.8
_WORD = re.compile(r"[^\W\d_]+(?:[\u200c-\u200f][^\W\d_]+)*")
_HEBREW_FINALS = "ךםןףץ"
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")


def _misspelled(word: str) -> bool:
    """Letter patterns that mis-decoded text produces and real words do not."""
    if any(a.islower() and b.isupper() for a, b in itertools.pairwise(word)):
        return True  # "γΣΔζαζδ": case flipping inside a word
    if "\u200e" in word or "\u200f" in word:
        return True  # direction marks between letters
    if any(ch in _HEBREW_FINALS for ch in word[:-1]):
        return True  # Hebrew final forms only end a word
    if _ARABIC_LETTER.search(word) and _LATIN_LETTER.search(word):
        return True  # "ٍفًب": KOI8 or cp1251 Cyrillic read as cp1256 mixes Arabic and Latin letters
    return word.endswith("σ") or "ς" in word[:-1]  # Greek final sigma rules


def _decoding_score(text: str, encoding: str) -> float:
    """How plausible one candidate decoding is: language plausibility times the encoding's prior,
    minus misspelled words, discounted when the detected language was rarely written in ``encoding``."""
    words = _WORD.findall(text[:20_000])
    if not words:
        return 0.0
    score = language.plausibility(text) * _LEGACY_ENCODINGS.get(encoding, _UNLISTED_PRIOR)
    score *= 1 - sum(1 for word in words if _misspelled(word)) / len(words)
    guesses = language.candidates(text, k=1)
    detected = guesses[0].language if guesses else None
    native = _NATIVE_ENCODINGS.get(detected or "", ("cp1252",))
    return score if encoding in native else score * _FOREIGN_PENALTY


def _fallback(data: bytes, problem: str) -> Decoded:
    options: list[str] = list(_LEGACY_ENCODINGS)
    from charset_normalizer import from_bytes

    guess = from_bytes(data[:65536]).best()
    if guess is not None and guess.encoding not in options:
        options.append(guess.encoding)
    # A UTF-8 file with a few bad bytes is better read as UTF-8 with those bytes replaced.
    mostly_utf8 = data.decode("utf-8", errors="replace")
    replaced = mostly_utf8.count("\ufffd")
    non_ascii = sum(1 for ch in mostly_utf8 if ord(ch) > 0x7F)
    utf8_score = _decoding_score(mostly_utf8, "cp1252") * (1 - replaced / max(1, non_ascii))
    best: tuple[float, str, str] = (utf8_score, "utf-8", mostly_utf8)
    for encoding in options:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        score = _decoding_score(text, encoding)
        if score > best[0]:
            best = (score, encoding, text)
    score, encoding, text = best
    if encoding == "utf-8" or score <= 0:
        return Decoded(
            mostly_utf8, "utf-8", f"{problem}; read as UTF-8 with {replaced} undecodable byte(s) replaced"
        )
    return Decoded(text, encoding, f"{problem}; decoded as {encoding}, the most plausible legacy encoding")


def outlet_from_url(url: str | None) -> str | None:
    """The host of ``url`` without "www." ("https://www.example.com/a" → "example.com")."""
    if not url:
        return None
    raw = url.strip()
    if "//" not in raw:
        raw = "//" + raw
    try:
        host = urlsplit(raw).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    return host.removeprefix("www.")


# ---------------------------------------------------------------------------- text reports

_HEADER = re.compile(
    r"^\s*(?P<key>date|dated|published|publication[ _-]date|pubdate|title)"
    r"\s*(?P<sep>[:=]|\s)\s*(?P<value>.*?)\s*$",
    re.IGNORECASE,
)
_MAX_HEADERS = 4
_TITLE_MAX_CHARS = 150
_TITLE_MAX_WORDS = 25


def _languages_of(text: str) -> Callable[[], Sequence[str]]:
    """Languages to read dates in (detected once, on demand): the text's own, then English."""
    cache: list[str] = []

    def get() -> Sequence[str]:
        if not cache:
            found = language.detect(text[:2000])
            cache.extend([found, "en"] if found and found != "en" else ["en"])
        return cache

    return get


def _looks_like_title(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    followed_by_blank = index + 1 < len(lines) and not lines[index + 1].strip()
    return (
        followed_by_blank
        and 0 < len(line) <= _TITLE_MAX_CHARS
        and len(line.split()) <= _TITLE_MAX_WORDS
        and not line.endswith((".", ",", ";", ":"))
    )


def _next_content_line(lines: list[str], start: int) -> int | None:
    """Index of the first non-blank line after the paragraph that starts at ``start``."""
    i = start + 1
    while i < len(lines) and lines[i].strip():
        i += 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i if i < len(lines) else None


def document_from_text(raw: str, *, origin: str) -> Document:
    """One report from the text of a file or of standard input (see the module docstring)."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    lines = text.strip("\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines or not any(line.strip() for line in lines):
        raise IngestError("empty file (no text)", source=origin)
    languages = _languages_of(text)

    published: datetime | None = None
    title: str | None = None
    header_title = False
    index = 0
    while index < min(len(lines), _MAX_HEADERS):
        match = _HEADER.match(lines[index])
        if match is None:
            break
        key, sep, value = match.group("key").lower(), match.group("sep"), match.group("value")
        if key == "title":
            if header_title or sep not in ":=" or not value:
                break
            title, header_title = value, True
        else:
            if published is not None:
                break
            published = parse_date_text(value, languages())
            if published is None:
                if sep in ":=":
                    logger.warning(
                        "%s: first line %r looks like a date header but %r is not a full date; "
                        "kept it in the text", origin, lines[index].strip(), value,
                    )  # fmt: skip
                break
        index += 1

    body = lines[index:]
    while body and not body[0].strip():
        body.pop(0)
    if header_title and title is not None:
        body = [title, "", *body] if body else [title]
    if not body:
        raise IngestError("no text after the header lines", source=origin)

    title_at: int | None = 0  # where a title may stand
    if published is None:
        published = find_dateline(body[0], languages())
        if published is not None:
            bare = len(body[0].strip()) <= 60 and parse_date_text(body[0], languages()) is not None
            # a line holding only the date may be followed by the title; a dateline paragraph is no title
            title_at = _next_content_line(body, 0) if bare else None
    if title is None and title_at is not None and _looks_like_title(body, title_at):
        candidate = body[title_at].strip()
        if find_dateline(candidate, languages()) is None:
            title = candidate
            following = _next_content_line(body, title_at)
            if published is None and following is not None:
                published = find_dateline(body[following], languages())
    final = "\n".join(line.rstrip() for line in body).strip()
    return Document(text=final, title=title, published=published, origin=origin)


def document_from_bytes(data: bytes, *, origin: str) -> Document:
    """One report from the bytes of a text file; raises :class:`IngestError` for binary or empty input."""
    if not data.strip():
        raise IngestError("empty file", source=origin)
    reason = binary_reason(data)
    if reason is not None:
        raise IngestError(reason, source=origin)
    decoded = decode_bytes(data)
    if decoded.note is not None:
        logger.warning("%s: %s", origin, decoded.note)
    return document_from_text(decoded.text, origin=origin)
