"""What one poll of a feed brings: the items that are new or changed since the last poll.

Three kinds of feed:

* ``rss``: an RSS or Atom URL, fetched with a conditional GET and read by
  :func:`sitroom.ingest.feeds.documents_from_bytes`. An item is keyed by its guid (else its
  link, else its text) and fingerprinted by its text. With ``fetch_pages``, an item whose text
  is shorter than ``page_min_chars`` (a summary) has its linked page fetched and extracted
  with trafilatura (:func:`sitroom.ingest.html.document_from_bytes`); if that fails the
  summary is used.
* ``json``: an endpoint returning documents as in ``CONTRACT.md``: a list of objects, an
  object holding such a list under ``documents``/``items``/``data``/``results``/``articles``,
  or JSON Lines. With ``cursor_param``, the last cursor is sent as that query parameter; the
  next cursor is the response's ``cursor_field`` (a dotted path) or, without one, the latest
  ``published`` of the documents received.
* ``folder``: files under a folder (recursively, hidden ones skipped), read like
  ``sitroom ingest`` reads them. A file is keyed by its relative path and fingerprinted by
  size and modification time, so a file that is rewritten is read again; a file modified less
  than ``settle`` seconds ago waits for the next poll (it may still be being written).

:func:`poll` never raises: whatever goes wrong becomes the outcome's ``error``.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sitroom.errors import IngestError
from sitroom.ingest import feeds as feed_reader
from sitroom.ingest import html as html_reader
from sitroom.ingest import jsonl, read_paths
from sitroom.ingest.text import decode_bytes
from sitroom.records import Document
from sitroom.watch.config import FeedConfig, WatchSettings
from sitroom.watch.http import FetchError, HttpFetcher, HttpResponse
from sitroom.watch.state import FeedState, WatchState

__all__ = ["Item", "PollOutcome", "poll", "scoped_id"]

logger = logging.getLogger("sitroom.watch")

PollStatus = Literal["ok", "not-modified", "error"]

_FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
_JSON_ACCEPT = "application/json, application/x-ndjson;q=0.9, */*;q=0.5"
_HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_LIST_KEYS = ("documents", "items", "data", "results", "articles")
_NO_ITEMS = "the feed has no items"


@dataclass(frozen=True, slots=True)
class Item:
    """One new or changed item: the documents it gave, or why it gave none."""

    key: str
    fingerprint: str
    documents: tuple[Document, ...] = ()
    failure: str | None = None
    note: str | None = None  # e.g. why the linked page could not be used


@dataclass(frozen=True, slots=True)
class PollOutcome:
    feed: FeedState
    status: PollStatus
    fetched_at: datetime
    items: tuple[Item, ...] = ()
    total: int = 0  # items in the response, seen before or not
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    cursor: str | None = None
    elapsed: float = 0.0


def scoped_id(feed_name: str, doc_id: str) -> str:
    """A document id made unique across feeds: a bare guid ("1234") gets the feed's name in front.

    URLs, URNs, tag URIs and text-derived ids (``sha1:...``) are global already and kept.
    """
    lowered = doc_id.lower()
    if "://" in doc_id or lowered.startswith(("urn:", "tag:", "sha1:")):
        return doc_id
    return f"{feed_name}#{doc_id}"


class _Poller:
    def __init__(
        self,
        feed: FeedState,
        cfg: FeedConfig,
        http: HttpFetcher,
        state: WatchState,
        settings: WatchSettings,
        clock: Callable[[], datetime],
    ) -> None:
        self.feed = feed
        self.cfg = cfg
        self.http = http
        self.state = state
        self.settings = settings
        self.clock = clock
        self.started = time.monotonic()

    def outcome(self, status: PollStatus, fetched_at: datetime, **fields: Any) -> PollOutcome:
        return PollOutcome(self.feed, status, fetched_at, elapsed=time.monotonic() - self.started, **fields)

    def error(self, message: str) -> PollOutcome:
        return self.outcome("error", self.clock(), error=message)

    # -- documents into items ---------------------------------------------------------------

    def _prepare(self, doc: Document) -> Document:
        return replace(
            doc,
            id=scoped_id(self.feed.name, doc.id),
            language=doc.language or self.feed.language,
        )

    def _fresh(self, items: Sequence[Item]) -> list[Item]:
        """The items not seen before, or seen with other content (first of each key only)."""
        unique: dict[str, Item] = {}
        for item in items:
            unique.setdefault(item.key, item)
        seen = self.state.seen(self.feed.id, unique)
        return [item for key, item in unique.items() if seen.get(key) != item.fingerprint]

    def _doc_items(self, results: Sequence[Document | IngestError]) -> list[Item]:
        items = []
        for result in results:
            if isinstance(result, IngestError):
                logger.debug("%s: item skipped: %s", self.feed.name, result)
                continue
            items.append(Item(key=result.id, fingerprint=result.fingerprint, documents=(result,)))
        return items

    def _with_pages(self, items: list[Item]) -> list[Item]:
        if not self.feed.fetch_pages:
            return items
        done = []
        for item in items:
            doc = item.documents[0]
            if len(doc.text) >= self.settings.page_min_chars or not doc.url or self.http.stop.is_set():
                done.append(item)
                continue
            try:
                page = self.http.get(doc.url, headers=dict(self.cfg.headers), accept=_HTML_ACCEPT)
                found = html_reader.document_from_bytes(page.body, origin=page.url)
            except FetchError as exc:
                done.append(replace(item, note=f"linked page not fetched ({exc.message}); summary used"))
                continue
            except IngestError as exc:
                done.append(replace(item, note=f"linked page not usable ({exc.message}); summary used"))
                continue
            merged = replace(
                doc,
                text=found.text,
                title=doc.title or found.title,
                published=doc.published or found.published,
                language=doc.language or found.language,
                outlet=doc.outlet or found.outlet,
            )
            done.append(replace(item, documents=(merged,)))
        return done

    # -- the three kinds --------------------------------------------------------------------

    def rss(self) -> PollOutcome:
        feed = self.feed
        try:
            response = self.http.get(
                feed.location,
                etag=feed.etag,
                last_modified=feed.last_modified,
                headers=dict(self.cfg.headers),
                accept=_FEED_ACCEPT,
            )
        except FetchError as exc:
            return self.error(exc.message)
        fetched_at = self.clock()
        if response.not_modified:
            return self._not_modified(response, fetched_at)
        results = list(feed_reader.documents_from_bytes(response.body, origin=feed.location))
        docs = [r for r in results if isinstance(r, Document)]
        if not docs:
            problem = next((r for r in results if isinstance(r, IngestError)), None)
            if problem is not None and problem.message != _NO_ITEMS:
                return self.error(problem.message)
        all_items = self._doc_items([self._prepare(d) for d in docs])
        fresh = self._with_pages(self._fresh(all_items))
        return self.outcome(
            "ok",
            fetched_at,
            items=tuple(fresh),
            total=len(all_items),
            etag=response.etag,
            last_modified=response.last_modified,
        )

    def _not_modified(self, response: HttpResponse, fetched_at: datetime) -> PollOutcome:
        return self.outcome(
            "not-modified",
            fetched_at,
            etag=response.etag or self.feed.etag,
            last_modified=response.last_modified or self.feed.last_modified,
        )

    def json(self) -> PollOutcome:
        feed = self.feed
        params = None
        if self.cfg.cursor_param and feed.cursor:
            params = {self.cfg.cursor_param: feed.cursor}
        try:
            response = self.http.get(
                feed.location,
                etag=feed.etag,
                last_modified=feed.last_modified,
                headers=dict(self.cfg.headers),
                params=params,
                accept=_JSON_ACCEPT,
            )
        except FetchError as exc:
            return self.error(exc.message)
        fetched_at = self.clock()
        if response.not_modified:
            return self._not_modified(response, fetched_at)
        try:
            results, cursor = self._json_documents(response.body)
        except IngestError as exc:
            return self.error(exc.message)
        docs = [self._prepare(r) for r in results if isinstance(r, Document)]
        if cursor is None and self.cfg.cursor_param:
            dates = [d.published for d in docs if d.published is not None]
            cursor = max(dates).isoformat() if dates else None
        all_items = self._doc_items(docs)
        return self.outcome(
            "ok",
            fetched_at,
            items=tuple(self._fresh(all_items)),
            total=len(all_items),
            etag=response.etag,
            last_modified=response.last_modified,
            cursor=cursor,
        )

    def _json_documents(self, body: bytes) -> tuple[list[Document | IngestError], str | None]:
        origin = self.feed.location
        text = decode_bytes(body).text
        if not text.strip():
            return [], None
        try:
            value = json.loads(text)
        except json.JSONDecodeError as err:
            if jsonl.first_line_is_json(text):
                lines = enumerate(text.split("\n"), start=1)
                return list(jsonl.documents_from_lines(lines, origin=origin)), None
            raise IngestError(
                f"the endpoint did not return JSON (line {err.lineno}, column {err.colno}: {err.msg})",
                source=origin,
            ) from None
        cursor = None
        objects: list[Any]
        if isinstance(value, list):
            objects = value
        elif isinstance(value, dict):
            if self.cfg.cursor_field:
                found = _dotted(value, self.cfg.cursor_field)
                cursor = None if found is None or isinstance(found, dict | list) else str(found)
            listed = next((value[k] for k in _LIST_KEYS if isinstance(value.get(k), list)), None)
            if listed is not None:
                objects = listed
            elif "text" in value:
                objects = [value]
            else:
                keys = ", ".join(sorted(value)[:8])
                raise IngestError(
                    f"the JSON object holds no list of documents (keys: {keys}); expected a list, or one "
                    f"under {', '.join(_LIST_KEYS)}",
                    source=origin,
                )
        else:
            raise IngestError(
                "the endpoint returned a JSON value that is not a list or object", source=origin
            )
        results: list[Document | IngestError] = []
        for number, obj in enumerate(objects, start=1):
            try:
                results.append(jsonl.document_from_object(obj, source=f"{origin}#{number}"))
            except IngestError as err:
                results.append(err)
        return results, cursor

    def folder(self) -> PollOutcome:
        root = Path(self.feed.location)
        if not root.is_dir():
            return self.error(f"no such folder: {root}")
        now = time.time()
        fetched_at = self.clock()
        candidates: list[tuple[str, str, Path]] = []
        try:
            for path in _files(root):
                try:
                    info = path.stat()
                except OSError:
                    continue  # removed since listed
                if now - info.st_mtime < self.settings.settle:
                    continue  # may still be being written: next poll
                key = path.relative_to(root).as_posix()
                candidates.append((key, f"{info.st_size}:{info.st_mtime_ns}", path))
        except OSError as exc:
            return self.error(f"cannot list the folder: {exc.strerror or exc}")
        seen = self.state.all_seen(self.feed.id)
        items = []
        for key, fingerprint, path in candidates:
            if seen.get(key) == fingerprint:
                continue
            docs: list[Document] = []
            problems: list[str] = []
            for result in read_paths([path]):
                if isinstance(result, Document):
                    docs.append(self._prepare(result))
                else:
                    problems.append(f"{result.source}: {result.reason}")
            failure = None if docs else ("; ".join(problems) or "no document in the file")
            items.append(Item(key=key, fingerprint=fingerprint, documents=tuple(docs), failure=failure))
        return self.outcome("ok", fetched_at, items=tuple(items), total=len(candidates))


def _files(root: Path) -> Iterator[Path]:
    for current, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(current) / name


def _dotted(value: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def poll(
    feed: FeedState,
    cfg: FeedConfig,
    http: HttpFetcher,
    state: WatchState,
    settings: WatchSettings,
    clock: Callable[[], datetime],
) -> PollOutcome:
    """Fetch ``feed`` once and return its new or changed items (never raises)."""
    poller = _Poller(feed, cfg, http, state, settings, clock)
    try:
        if feed.kind == "rss":
            return poller.rss()
        if feed.kind == "json":
            return poller.json()
        return poller.folder()
    except Exception as exc:  # a bug or a library failure on odd input must not stop the watcher
        logger.exception("%s: polling failed", feed.name)
        return poller.error(f"internal error while polling: {type(exc).__name__}: {exc}")
