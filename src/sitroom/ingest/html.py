"""Web pages (main text through trafilatura) and HTML fragments (feed items) as text.

trafilatura is only given bytes or a parsed tree, never a URL, so it cannot fetch anything:
extraction and its date search (htmldate) run on the page as stored.
"""

from __future__ import annotations

import html
import logging
import re
from html.parser import HTMLParser
from typing import Any

from sitroom import language
from sitroom.errors import IngestError
from sitroom.ingest.dates import parse_timestamp
from sitroom.ingest.text import binary_reason, decode_bytes, outlet_from_url
from sitroom.records import Document

__all__ = ["document_from_bytes", "html_to_text"]

logger = logging.getLogger("sitroom.ingest")

_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
})  # fmt: skip
#: A page whose extracted text has no line this long (in words, or in characters for scripts
#: written without spaces) holds menus, not an article.
_MIN_SENTENCE_WORDS = 6
_MIN_SENTENCE_CHARS = 30
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object"})
_SKIPPED_ELEMENT = re.compile(
    r"<(" + "|".join(sorted(_SKIPPED_TAGS)) + r")\b.*?(?:</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL
)
_ANY_TAG = re.compile(r"<!--.*?(?:-->|\Z)|</?[A-Za-z][^<>]*>", re.DOTALL)


class _TextCollector(HTMLParser):
    """Collects the visible text of an HTML fragment, with a line break at each block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment: one line per block, spaces collapsed, entities decoded.

    A string without tags is only unescaped and tidied.
    """
    if "<" not in markup:
        raw = html.unescape(markup)
    else:
        collector = _TextCollector()
        try:
            collector.feed(markup)
            collector.close()
            raw = "".join(collector.parts)
        except (AssertionError, ValueError):
            # Python's parser gives up on some broken declarations ("<![" and junk): strip the
            # skipped elements and the tags by pattern instead
            raw = html.unescape(_ANY_TAG.sub("\n", _SKIPPED_ELEMENT.sub("\n", markup)))
    lines = (" ".join(line.split()) for line in raw.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def _sentence_like(line: str) -> bool:
    words = line.split()
    return len(words) >= _MIN_SENTENCE_WORDS or sum(len(word) for word in words) >= _MIN_SENTENCE_CHARS


def _extract(data: bytes) -> tuple[Any, str | None]:
    """trafilatura's result (``None`` when it finds no main text) and the page's ``lang`` attribute."""
    import trafilatura
    from trafilatura.settings import set_date_params
    from trafilatura.utils import load_html

    tree = load_html(data)
    if tree is None:
        return None, None
    lang = tree.get("lang") or tree.get("xml:lang")
    date_params = {**set_date_params(True), "outputformat": "%Y-%m-%dT%H:%M:%S%z"}
    result = trafilatura.bare_extraction(
        tree,
        url=None,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
        date_extraction_params=date_params,
    )
    return result, (str(lang) if lang else None)


# libxml2 (under trafilatura) stops following elements nested deeper than this and drops their text.
_PARSER_DEPTH = 250


def _deeper_than_parser(data: bytes) -> bool:
    """Whether the page nests elements so deep that the parser cut part of it off."""
    from lxml import etree  # type: ignore[import-untyped]
    from trafilatura.utils import load_html

    tree = load_html(data)
    if tree is None:
        return False
    depth = 0
    for event, _element in etree.iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth >= _PARSER_DEPTH:
            return True
    return False


def document_from_bytes(data: bytes, *, origin: str) -> Document:
    """The main text and metadata of a stored web page; :class:`IngestError` when there is none."""
    if not data.strip():
        raise IngestError("empty file", source=origin)
    reason = binary_reason(data)
    if reason is not None:
        raise IngestError(reason, source=origin)
    try:
        result, lang = _extract(data)
    except (ValueError, TypeError, LookupError, AttributeError, RecursionError) as err:
        # A malformed page can make the parser or trafilatura fail deep inside; that is a fact
        # about this input, so it is reported for this file and the batch goes on.
        logger.debug("%s: HTML extraction failed", origin, exc_info=True)
        raise IngestError(
            f"could not parse the HTML page ({type(err).__name__}: {err})", source=origin
        ) from err
    text = str(result.text or "").strip() if result is not None else ""
    if not any(_sentence_like(line) for line in text.split("\n")) and _deeper_than_parser(data):
        logger.warning(
            "%s: elements nested too deep for the HTML parser; read as the page's plain text", origin
        )
        text = html_to_text(decode_bytes(data).text)
        if result is None:
            return Document(text=text, origin=origin, language=language.normalize_code(lang))
    if not any(_sentence_like(line) for line in text.split("\n")):
        raise IngestError(
            "no main text found in the HTML page (an index page, a script-rendered app or an "
            "empty article?); save the article page itself, or its text as a .txt file",
            source=origin,
        )
    url = str(result.url) if result.url else None
    published = parse_timestamp(str(result.date)) if result.date else None
    if result.date and published is None:
        logger.warning("%s: page date %r is not a usable date; published is unknown", origin, result.date)
    return Document(
        text=text,
        url=url,
        title=str(result.title).strip() or None if result.title else None,
        published=published,
        language=language.normalize_code(lang),
        outlet=(str(result.sitename).strip() or None if result.sitename else None) or outlet_from_url(url),
        origin=origin,
    )
