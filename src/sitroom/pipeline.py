"""The pipeline: documents in, events stored. The CLI and the HTTP API are shells over it.

Each document goes through language → extract → dedupe → store in one transaction, so a
killed run never leaves half a document, and a document already stored with the same text
is skipped, so re-ingesting the same input changes nothing. A document that fails is
recorded in the summary with its reason and the batch goes on.

``ingest(..., workers=N)`` runs the per-document stages (language, extract with geocoding)
in N worker processes, a little ahead of the parent, which keeps the rest (duplicate check,
dedupe, store) in input order: the database ends up exactly as with one process.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal, cast

from sitroom import errors as errors_module
from sitroom import language as language_stage
from sitroom.dedupe import (
    COPY_SIMILARITY,
    MIN_SCORE,
    REACH,
    SKETCH_FLOOR,
    assign_mentions,
    build_event,
    date_window,
    mention_score,
    near_extent,
    sketch_similarity,
    text_sketch,
)
from sitroom.errors import ConfigError, SitroomError
from sitroom.extract import extract_document, warm_up
from sitroom.geocode import Gazetteer
from sitroom.ingest import ReadFailure, ReadResult
from sitroom.records import DatePrecision, Document, Event, Mention, Place
from sitroom.store import Store
from sitroom.store.base import CandidateQuery

__all__ = ["DocumentOutcome", "IngestSummary", "Pipeline", "candidate_query", "read_document"]

Status = Literal["new", "duplicate", "changed", "failed"]
_SEARCH_DAYS = 40

#: Extraction reads at most this many characters of a document (about 3 s of work; a long news
#: report is some 50,000): a longer one is stored whole, read from its start up to the last
#: line or space before the cap, and its outcome says ``truncated``.
MAX_EXTRACT_CHARS = 500_000

logger = logging.getLogger("sitroom.pipeline")


@dataclass(frozen=True, slots=True)
class DocumentOutcome:
    doc_id: str
    status: Status
    language: str | None = None
    mentions: int = 0
    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    reason: str | None = None
    truncated: bool = False


@dataclass(slots=True)
class IngestSummary:
    read: int = 0
    new: int = 0
    duplicate: int = 0
    changed: int = 0
    failed: int = 0
    mentions: int = 0
    events_created: int = 0
    events_updated: int = 0
    truncated: int = 0
    failures: list[ReadFailure] = field(default_factory=list)

    def add(self, outcome: DocumentOutcome) -> None:
        self.read += 1
        if outcome.status == "failed":
            self.failed += 1
            self.failures.append(ReadFailure(outcome.doc_id, outcome.reason or "failed"))
            return
        if outcome.status == "new":
            self.new += 1
        elif outcome.status == "duplicate":
            self.duplicate += 1
        else:
            self.changed += 1
        self.mentions += outcome.mentions
        self.truncated += outcome.truncated
        self.events_created += len(outcome.created)
        self.events_updated += len([u for u in outcome.updated if u not in outcome.created])


Reading = tuple[str | None, list[Mention]]


def read_document(doc: Document, gazetteer: Gazetteer | None = None) -> Reading:
    """Language and mentions of one document: the stages that need no store."""
    if len(doc.text) > MAX_EXTRACT_CHARS:
        doc = replace(doc, text=_extractable(doc.text))
    lang = language_stage.resolve(doc.language, doc.text)
    if lang != doc.language:
        doc = replace(doc, language=lang)
    return lang, extract_document(doc, language=lang, gazetteer=gazetteer)


def candidate_query(mentions: Sequence[Mention], search_days: int = _SEARCH_DAYS) -> CandidateQuery:
    """What to ask the store for the events that one document's ``mentions`` may join.

    The search window runs from ``search_days`` before the earliest mention date to as many
    days after the latest (undated events too when a mention is undated). Within it, an event
    of each date precision is asked for only on the days where its date window can meet a
    mention's (:data:`~sitroom.dedupe.REACH`), and only in the mentions' countries (an event
    with no place or no country code always comes): nothing that
    :func:`~sitroom.dedupe.mention_score` could accept is left out.
    """
    dated = [m for m in mentions if m.event_date is not None]
    undated = len(dated) < len(mentions)
    ranges: list[tuple[DatePrecision, date, date]] = []
    if dated:
        lo = min(cast(date, m.event_date) for m in dated) - timedelta(days=search_days)
        hi = max(cast(date, m.event_date) for m in dated) + timedelta(days=search_days)
        windows = [date_window(cast(date, m.event_date), m.date_precision) for m in dated]
        for precision, reach in REACH.items():
            if undated:  # an undated mention may join any event of the window
                start, end = lo, hi
            else:
                start = max(lo, min(a0 for a0, _ in windows) - timedelta(days=reach))
                end = min(hi, max(a1 for _, a1 in windows) + timedelta(days=reach))
            ranges.append((cast(DatePrecision, precision), start, end))
    codes: tuple[str, ...] | None = None
    if all(m.place is not None and m.place.country_code for m in mentions):
        codes = tuple(sorted({cast(str, cast(Place, m.place).country_code) for m in mentions}))
    boxes = _near_boxes([m.place for m in mentions])
    ids = tuple(sorted({m.place.gazetteer_id for m in mentions if m.place and m.place.gazetteer_id}))
    return CandidateQuery(tuple(ranges), undated, codes, boxes, ids if boxes is not None else ())


def _near_boxes(places: Sequence[Place | None]) -> tuple[tuple[float, float, float, float], ...] | None:
    """Boxes around each town or site with a point; ``None`` (no narrowing) when a place is
    missing, coarser or without a point, or a box would reach a pole or the antimeridian."""
    boxes: list[tuple[float, float, float, float]] = []
    for place in places:
        if place is None or place.precision not in ("site", "town"):
            return None
        if place.latitude is None or place.longitude is None:
            return None
        extent = near_extent(place.latitude)
        if extent is None:
            return None
        dlat, dlon = extent
        lo, hi = place.longitude - dlon, place.longitude + dlon
        if lo < -180.0 or hi > 180.0:
            return None
        boxes.append((place.latitude - dlat, place.latitude + dlat, lo, hi))
    return tuple(sorted(set(boxes)))


def _extractable(text: str) -> str:
    """The start of an over-long text that extraction reads: cut at a line break or a space."""
    head = text[:MAX_EXTRACT_CHARS]
    cut = max(head.rfind("\n"), head.rfind(" "))
    return head[:cut] if cut > MAX_EXTRACT_CHARS // 2 else head


class Pipeline:
    """Runs documents through every stage into ``store`` (which the caller opens)."""

    def __init__(self, store: Store, *, gazetteer: Gazetteer | None = None) -> None:
        self.store = store
        self._gazetteer = gazetteer

    def read(self, doc: Document) -> Reading:
        """Language and mentions of one document, without touching the store."""
        return read_document(doc, self._gazetteer)

    def ingest_document(
        self, doc: Document, *, reader: Callable[[Document], Reading] | None = None
    ) -> DocumentOutcome:
        """Store one document; ``reader`` (default :meth:`read`) gives its language and mentions."""
        if reader is None and self.store.document_state(doc) == "same":
            return DocumentOutcome(doc.id, "duplicate", doc.language)  # nothing to read
        lang, mentions = (reader or self.read)(doc)
        stored = replace(doc, language=lang)
        with self.store.transaction():
            # read again under the write lock: another process may have stored it meanwhile
            state = self.store.document_state(doc)
            if state == "same":
                return DocumentOutcome(doc.id, "duplicate", doc.language)
            affected: list[str] = []
            if state == "changed":
                affected = self.store.event_ids_for_document(doc.id)
                self.store.replace_mentions(doc.id, [])
                self._rebuild(affected)
            self.store.save_document(stored)
            if mentions:  # wire copies matter for the reports of events only
                self._link_copies(stored)
            elif state == "changed":
                self.store.save_sketch(doc.id, [], [])  # forget the old text's sketch
            candidates = self._candidates(mentions)
            assignment = assign_mentions(mentions, candidates, taken=self._taken)
            for event in assignment.events:
                self.store.save_event(event)
            self.store.replace_mentions(doc.id, list(assignment.links))
        status: Status = "new" if state == "new" else "changed"
        truncated = len(doc.text) > MAX_EXTRACT_CHARS
        if truncated:
            logger.warning(
                "%s: %d characters; events were extracted from the first %d only",
                doc.origin or doc.id,
                len(doc.text),
                len(_extractable(doc.text)),
            )
        return DocumentOutcome(
            doc.id, status, lang, len(mentions), assignment.created, assignment.updated, truncated=truncated
        )

    def ingest(
        self,
        results: Iterable[ReadResult],
        *,
        on_outcome: Callable[[DocumentOutcome], None] | None = None,
        workers: int = 1,
        executor: Executor | None = None,
    ) -> IngestSummary:
        """Every document of ``results`` in order; ``workers`` > 1 reads them in that many
        processes (see the module docstring): the outcomes and the database are the same.

        ``executor`` (any :class:`concurrent.futures.Executor`, such as a Dask client's
        ``get_executor()``) reads them there instead, ``workers`` chunks at a time per worker;
        the caller owns it. Its workers read with the default gazetteer.
        """
        if workers < 1:
            raise ConfigError(f"workers must be at least 1, not {workers}")
        summary = IngestSummary()
        items: Iterable[tuple[ReadResult, Callable[[Document], Reading] | None]]
        pool: ProcessPoolExecutor | None = None
        if executor is not None:
            items = _read_ahead(executor, results, workers, self._stored)
        elif workers == 1:
            items = ((item, None) for item in results)
        else:
            pool = _worker_pool(workers, self._gazetteer)
            items = _read_ahead(pool, results, workers, self._stored)
        try:
            for item, reader in items:
                if isinstance(item, ReadFailure):
                    outcome = DocumentOutcome(item.source, "failed", reason=item.reason)
                else:
                    try:
                        outcome = self.ingest_document(item, reader=reader)
                    except SitroomError as exc:
                        outcome = DocumentOutcome(item.origin or item.id, "failed", reason=str(exc))
                summary.add(outcome)
                if on_outcome is not None:
                    on_outcome(outcome)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        return summary

    def _link_copies(self, doc: Document) -> None:
        """Link a verbatim copy of a stored story (the same wire report in another outlet)."""
        sketch, keys = text_sketch(doc.text)
        best: tuple[float, str] | None = None
        mine = set(sketch)
        for other, other_sketch in self.store.copy_candidates(keys):
            if other == doc.id:
                continue
            if len(mine.intersection(other_sketch)) < COPY_SIMILARITY * SKETCH_FLOOR:
                continue  # the similarity counts at most these shared hashes over at least the floor
            sim = sketch_similarity(sketch, other_sketch)
            if sim >= COPY_SIMILARITY and (best is None or sim > best[0]):
                best = (sim, other)
        if best is not None:
            self.store.link_copy(doc.id, best[1], round(best[0], 3))
        self.store.save_sketch(doc.id, sketch, keys)

    def _candidates(self, mentions: list[Mention]) -> list[Event]:
        """The stored events that one of ``mentions`` may join (see :func:`candidate_query`),
        with their mentions; an event that no mention scores above the bar is never read whole."""
        if not mentions:
            return []
        heads = self.store.candidate_events(candidate_query(mentions))
        keep = [e.id for e in heads if any(mention_score(m, e) > MIN_SCORE for m in mentions)]
        return self.store.events_by_id(keep)

    def _stored(self, doc: Document) -> bool:
        """Is ``doc`` stored already with the same text (nothing to read)?"""
        return self.store.document_state(doc) == "same"

    def _taken(self, event_id: str) -> bool:
        return bool(self.store.existing_event_ids([event_id]))

    def _rebuild(self, event_ids: list[str]) -> None:
        for eid in event_ids:
            event = self.store.get_event(eid)
            if event is None:
                continue
            if not event.mentions:
                self.store.delete_event(eid)
            else:
                self.store.save_event(build_event(eid, list(event.mentions)))


# ---------------------------------------------------------------- worker processes

_CHUNK = 16  # documents per task: fewer round trips between the processes
_AHEAD = 4  # tasks in flight per worker: enough to keep every worker busy, bounded memory

_worker_gazetteer: Gazetteer | None = None


def _init_worker(gazetteer: Gazetteer | None) -> None:
    global _worker_gazetteer
    _worker_gazetteer = gazetteer


_Result = tuple[Literal["ok"], Reading] | tuple[Literal["error"], tuple[str, str, str | None]]


def _read_chunk(docs: list[Document]) -> list[_Result]:
    """In a worker: read each document; a sitroom error is sent back as its class and message."""
    out: list[_Result] = []
    for doc in docs:
        try:
            out.append(("ok", read_document(doc, _worker_gazetteer)))
        except SitroomError as exc:
            out.append(("error", (type(exc).__name__, exc.message, exc.source)))
    return out


def _worker_pool(workers: int, gazetteer: Gazetteer | None) -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods:
        warm_up()  # load the data once, here: the forked workers share it instead of each loading it
    # fork: the workers share the parent's memory (and anything it loaded) copy-on-write
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(gazetteer,)
    )


def _reader(result: _Result) -> Callable[[Document], Reading]:
    def read(_doc: Document) -> Reading:
        if result[0] == "ok":
            return result[1]
        name, message, source = result[1]
        cls = getattr(errors_module, name, SitroomError)
        if not (isinstance(cls, type) and issubclass(cls, SitroomError)):
            cls = SitroomError
        raise cls(message, source=source)

    return read


def _read_ahead(
    pool: Executor,
    results: Iterable[ReadResult],
    workers: int,
    stored: Callable[[Document], bool] = lambda _doc: False,
) -> Iterator[tuple[ReadResult, Callable[[Document], Reading] | None]]:
    """The items of ``results`` in order, each document with the reading a worker made of it.

    A document that ``stored`` says is already stored unchanged is not sent to a worker: it
    comes with no reading (the pipeline skips it, or reads it itself if it changed meanwhile).
    """
    pending: deque[tuple[list[tuple[ReadResult, bool]], Future[list[_Result]] | None]] = deque()

    def drain(limit: int) -> Iterator[tuple[ReadResult, Callable[[Document], Reading] | None]]:
        while len(pending) > limit:
            chunk, future = pending.popleft()
            readings = iter(future.result() if future is not None else [])
            for item, sent in chunk:
                yield item, (_reader(next(readings)) if sent else None)

    def submit(chunk: list[ReadResult]) -> None:
        marked = [(item, isinstance(item, Document) and not stored(item)) for item in chunk]
        docs = [item for item, sent in marked if sent and isinstance(item, Document)]
        pending.append((marked, pool.submit(_read_chunk, docs) if docs else None))

    chunk: list[ReadResult] = []
    for item in results:
        chunk.append(item)
        if len(chunk) == _CHUNK:
            submit(chunk)
            chunk = []
            yield from drain(workers * _AHEAD)
    if chunk:
        submit(chunk)
    yield from drain(0)
