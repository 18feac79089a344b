"""JSON Lines documents (the contract in ``CONTRACT.md``), and ``.json`` files holding them.

One object a line; only ``text`` is required::

    {"id": "S002", "url": "...", "language": "en", "published": "2024-07-17", "title": null, "text": "..."}

* ``id`` is kept as the document id (numbers are turned into strings); without one the id
  is derived from the text.
* ``published`` is an ISO date or date-time (an offset is converted to naive UTC). A missing,
  null or unusable value gives ``None``; an unusable one is logged but never fails the line.
* ``language`` is kept as a hint (normalized, e.g. "en-US" → "en"): the language stage checks it.
* ``outlet`` defaults to the URL's host without "www.".
* ``text`` is kept exactly as given: character offsets downstream point into it.

A broken line yields an :class:`~sitroom.errors.IngestError` naming ``path:LINE``, and the
other lines are still read; blank lines are skipped.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from typing import Any

from sitroom import language
from sitroom.errors import IngestError
from sitroom.ingest.dates import parse_timestamp
from sitroom.ingest.text import decode_bytes, outlet_from_url
from sitroom.records import Document

__all__ = ["document_from_object", "documents_from_json", "documents_from_lines", "first_line_is_json"]

logger = logging.getLogger("sitroom.ingest")

_TEXT_LIKE_KEYS = ("body", "content", "article", "full_text", "fulltext", "story")


_DATE_MARKER = re.compile(r"\s*date[:\s]\s*(\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)


def _optional_string(obj: dict[str, Any], key: str, source: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        logger.warning("%s: %r should be a string, not %s; ignored", source, key, type(value).__name__)
        return None
    return value.strip() or None


def _identifier(value: Any, source: str) -> str:
    """The caller's id as a string; ``""`` (derive one) when absent."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise IngestError(
            f'"id" must be a string or a number, not {type(value).__name__}: give each line its own id, '
            "or leave the id out to have one derived from the text",
            source=source,
        )
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def document_from_object(obj: Any, *, source: str) -> Document:
    """One document from a decoded JSON value; :class:`IngestError` explains what is missing."""
    if not isinstance(obj, dict):
        raise IngestError(f'expected a JSON object with a "text" field, got {_json_kind(obj)}', source=source)
    if "text" not in obj or obj["text"] is None:
        others = [key for key in _TEXT_LIKE_KEYS if key in obj]
        hint = f' (found "{others[0]}": rename it to "text")' if others else ""
        raise IngestError(f'no "text" field{hint}; each document needs its text', source=source)
    text = obj["text"]
    if not isinstance(text, str):
        raise IngestError(f'"text" must be a string, not {_json_kind(text)}', source=source)
    if not text.strip():
        raise IngestError('"text" is empty', source=source)

    published = None
    raw_date = obj.get("published")
    if isinstance(raw_date, str) and not raw_date.strip():
        raw_date = None
    if raw_date is not None:
        if isinstance(raw_date, str):
            published = parse_timestamp(raw_date)
        if published is None:
            logger.warning(
                '%s: "published" %r is not an ISO date or date-time; the publication date is unknown',
                source,
                raw_date,
            )
    if published is None:
        # like a .txt file's first line, a leading "date 2021-06-05" marker in the text dates it
        marker = _DATE_MARKER.match(text)
        if marker:
            published = parse_timestamp(marker.group(1))
    url = _optional_string(obj, "url", source)
    outlet = _optional_string(obj, "outlet", source) or outlet_from_url(url)
    return Document(
        text=text,
        id=_identifier(obj.get("id"), source),
        url=url,
        title=_optional_string(obj, "title", source),
        published=published,
        language=language.normalize_code(_optional_string(obj, "language", source)),
        outlet=outlet,
        origin=source,
    )


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def _parse_line(raw: bytes | str, source: str) -> Document:
    if isinstance(raw, bytes):
        decoded = decode_bytes(raw)
        if decoded.note is not None:
            logger.warning("%s: line %s", source, decoded.note)
        line = decoded.text
    else:
        line = raw
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as err:
        raise IngestError(
            f"invalid JSON at column {err.colno}: {err.msg}; each line must hold one complete JSON object",
            source=source,
        ) from None
    return document_from_object(obj, source=source)


def documents_from_lines(
    lines: Iterable[tuple[int, bytes | str]], *, origin: str
) -> Iterator[Document | IngestError]:
    """Each non-blank ``(line number, line)`` as a document or an error naming ``origin:LINE``.

    Yields one "empty file" error when there is no non-blank line at all.
    """
    seen = False
    for number, raw in lines:
        if not raw.strip():
            continue
        seen = True
        source = f"{origin}:{number}"
        try:
            yield _parse_line(raw, source)
        except IngestError as err:
            yield err
    if not seen:
        yield IngestError("empty file", source=origin)


def first_line_is_json(text: str) -> bool:
    """Whether the first non-blank line is a complete JSON value on its own (JSON Lines)."""
    for line in text.split("\n"):
        if line.strip():
            try:
                json.loads(line)
            except json.JSONDecodeError:
                return False
            return True
    return False


def documents_from_json(text: str, *, origin: str) -> Iterator[Document | IngestError]:
    """A ``.json`` file: one object, a list of objects (errors name ``origin#N``), or JSON Lines."""
    if not text.strip():
        yield IngestError("empty file", source=origin)
        return
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        if first_line_is_json(text):  # JSON Lines under a .json name
            yield from documents_from_lines(enumerate(text.split("\n"), start=1), origin=origin)
        else:
            yield IngestError(
                f"invalid JSON at line {err.lineno}, column {err.colno}: {err.msg}; a .json file must "
                "hold one object, a list of objects, or one object a line",
                source=origin,
            )
        return
    if isinstance(value, list):
        if not value:
            yield IngestError("the JSON list is empty", source=origin)
        for number, item in enumerate(value, start=1):
            source = f"{origin}#{number}"
            try:
                yield document_from_object(item, source=source)
            except IngestError as err:
                yield err
        return
    try:
        yield document_from_object(value, source=origin)
    except IngestError as err:
        yield err
