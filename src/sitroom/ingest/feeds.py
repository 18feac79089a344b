"""RSS and Atom feeds: one document per item.

feedparser is always given the file's bytes, never a string: given a string that looks like
a URL it would fetch it. An item's text is its content, else its summary, else its title,
turned from HTML into plain text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sitroom import language
from sitroom.errors import IngestError
from sitroom.ingest.dates import parse_timestamp
from sitroom.ingest.html import html_to_text
from sitroom.ingest.text import binary_reason, outlet_from_url
from sitroom.records import Document

__all__ = ["documents_from_bytes"]

logger = logging.getLogger("sitroom.ingest")


def _struct_time(value: Any) -> datetime | None:
    """feedparser's parsed dates are UTC ``time.struct_time`` values."""
    try:
        return datetime(*value[:6])
    except (TypeError, ValueError):
        return None


def _published(entry: Any) -> datetime | None:
    for key in ("published", "updated", "created"):
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            found = _struct_time(parsed)
            if found is not None and 1900 <= found.year <= 2100:
                return found
        raw = entry.get(key)
        if raw:
            found = parse_timestamp(str(raw))
            if found is not None:
                return found
    return None


def _item_text(entry: Any) -> str:
    """Content (the longest part), else summary, else title, as plain text."""
    parts: list[tuple[str, str]] = [
        (str(part.get("value") or ""), str(part.get("type") or "text/html"))
        for part in entry.get("content") or []
    ]
    if parts:
        value, kind = max(parts, key=lambda part: len(part[0]))
    else:
        detail = entry.get("summary_detail") or {}
        value, kind = str(entry.get("summary") or ""), str(detail.get("type") or "text/html")
    if not value.strip():
        title = entry.get("title_detail") or {}
        value, kind = str(entry.get("title") or ""), str(title.get("type") or "text/plain")
    text = value if kind == "text/plain" else html_to_text(value)
    return text.strip()


def _web_link(value: Any) -> str | None:
    """An http(s) link; feedparser copies a non-URL guid ("fw-001", "urn:uuid:...") into ``link``."""
    link = str(value or "").strip()
    return link if link.lower().startswith(("http://", "https://")) else None


def _text_field(value: Any) -> str | None:
    if not value:
        return None
    text = html_to_text(str(value)).replace("\n", " ").strip()
    return text or None


def documents_from_bytes(data: bytes, *, origin: str) -> Iterator[Document | IngestError]:
    """Each item of the feed as a :class:`Document`, or an :class:`IngestError` for an item without text.

    A feed that cannot be parsed and has no items yields one :class:`IngestError`; a feed with
    XML errors that still has items yields them (the error is logged).
    """
    if not data.strip():
        yield IngestError("empty file", source=origin)
        return
    reason = binary_reason(data)
    if reason is not None:
        yield IngestError(reason, source=origin)
        return
    import feedparser

    parsed = feedparser.parse(data)
    entries = list(parsed.get("entries") or [])
    problem = parsed.get("bozo_exception")
    if not entries:
        if parsed.get("bozo"):
            yield IngestError(
                f"not a readable RSS or Atom feed ({problem}); check that the file is complete XML",
                source=origin,
            )
        else:
            yield IngestError("the feed has no items", source=origin)
        return
    if parsed.get("bozo"):
        logger.warning(
            "%s: the feed has XML errors (%s); reading the %d items found", origin, problem, len(entries)
        )

    feed = parsed.get("feed") or {}
    outlet = _text_field(feed.get("title")) or outlet_from_url(feed.get("link"))
    feed_language = language.normalize_code(feed.get("language"))
    for number, entry in enumerate(entries, start=1):
        source = f"{origin}#{number}"
        text = _item_text(entry)
        if not text:
            yield IngestError("feed item has no content, summary or title", source=source)
            continue
        link = _web_link(entry.get("link"))
        guid = str(entry.get("id") or "").strip() or None
        yield Document(
            text=text,
            id=guid or link or "",
            url=link,
            title=_text_field(entry.get("title")),
            published=_published(entry),
            language=language.normalize_code(entry.get("language")) or feed_language,
            outlet=outlet or outlet_from_url(link),
            origin=source,
        )
