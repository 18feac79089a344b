"""The watch loop: poll feeds on their intervals, ingest what is new, raise and deliver alerts.

* Feeds are fetched in a small thread pool (``[watch] workers``), so a slow feed holds up
  only itself; documents are ingested one at a time in the calling thread.
* Each item is ingested, recorded as seen and its alerts queued in **one transaction**; the
  feed's validators (ETag, Last-Modified) and cursor are saved only after its last item. A
  watcher killed at any point therefore re-fetches the feed on restart, skips the items it
  recorded and reads the rest: nothing is read twice, nothing is missed.
* A poll that fails (network, HTTP status, garbage body) is recorded on its feed (last error,
  consecutive failures) and the feed is tried again after ``interval * 2**failures`` seconds,
  at most ``max_error_backoff``; the other feeds go on.
* Alerts are delivered right after the item that raised them (see :class:`~sitroom.watch.sinks.Outbox`).
* The stored feeds are re-read on every turn, so ``sitroom feeds add`` takes effect in a
  running watcher.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sitroom.errors import SitroomError
from sitroom.pipeline import Pipeline
from sitroom.records import Document
from sitroom.store import Store
from sitroom.watch.config import FeedConfig, WatchConfig
from sitroom.watch.http import HttpFetcher
from sitroom.watch.rules import alert_id, decide, payload
from sitroom.watch.sinks import Outbox, Sink, build_sinks
from sitroom.watch.sources import Item, PollOutcome, poll
from sitroom.watch.state import FeedState, WatchState, stamp, utcnow

__all__ = ["STORE_RETRY", "PollReport", "RunSummary", "Watcher", "log_to_stderr", "run_until_signalled"]

logger = logging.getLogger("sitroom.watch")

_MAX_WAIT = 0.5  # seconds between two looks at the stop flag and the feed list
#: Seconds to wait after a store error before the next turn.
STORE_RETRY = 5.0
_WARMUP_TEXT = "A drone struck a building in Kharkiv on Monday, killing two people, officials said."


@dataclass(slots=True)
class PollReport:
    """What one poll of one feed did."""

    feed: str
    status: str  # ok | not-modified | error | interrupted
    error: str | None = None
    total: int = 0
    items: int = 0
    failed_items: int = 0
    documents: int = 0
    events_created: int = 0
    events_updated: int = 0
    alerts: int = 0
    elapsed: float = 0.0

    def line(self) -> str:
        if self.status == "error":
            return f"{self.feed}: error: {self.error}"
        if self.status == "not-modified":
            return f"{self.feed}: not modified ({self.elapsed:.2f} s)"
        return (
            f"{self.feed}: {self.total} items, {self.items} new or changed ({self.failed_items} unreadable), "
            f"events created {self.events_created}, updated {self.events_updated}, alerts {self.alerts} "
            f"({self.elapsed:.2f} s){' (interrupted)' if self.status == 'interrupted' else ''}"
        )


@dataclass(slots=True)
class RunSummary:
    polls: int = 0
    errors: int = 0
    items: int = 0
    events_created: int = 0
    events_updated: int = 0
    alerts_queued: int = 0
    alerts_sent: int = 0
    reports: list[PollReport] = field(default_factory=list)

    def add(self, report: PollReport) -> None:
        self.polls += 1
        self.errors += report.status == "error"
        self.items += report.items
        self.events_created += report.events_created
        self.events_updated += report.events_updated
        self.alerts_queued += report.alerts
        self.reports.append(report)


def _published_key(item: Item) -> tuple[bool, str]:
    dates = [d.published for d in item.documents if d.published is not None]
    return (not dates, min(dates).isoformat() if dates else "")


class Watcher:
    """Polls the store's enabled feeds (the configuration's are synced into it first)."""

    def __init__(
        self,
        store: Store,
        config: WatchConfig,
        *,
        clock: Callable[[], datetime] = utcnow,
        stop: threading.Event | None = None,
        sinks: dict[str, Sink] | None = None,
        on_poll: Callable[[PollReport], None] | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.settings = config.settings
        self.clock = clock
        self.stop = stop or threading.Event()
        self.state = WatchState(store, clock=clock)
        self.pipeline = Pipeline(store)
        self.http = HttpFetcher(
            timeout=self.settings.timeout,
            retries=self.settings.retries,
            backoff=self.settings.backoff,
            max_bytes=self.settings.max_bytes,
            user_agent=self.settings.user_agent,
            stop=self.stop,
        )
        self.outbox = Outbox(
            self.state, sinks if sinks is not None else build_sinks(config.sinks, stop=self.stop), clock=clock
        )
        self.on_poll = on_poll
        self.store_retry = STORE_RETRY
        self._headers = {f.name: f.headers for f in config.feeds}
        self._prepared = False

    def close(self) -> None:
        self.http.close()
        self.outbox.close()

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- setup -----------------------------------------------------------------------------

    def prepare(self) -> None:
        """Sync the configured feeds, settle alerts a killed run left mid-send, load the models."""
        if self._prepared:
            return
        self.state.sync_config_feeds(self.config.feeds)
        interrupted = self.outbox.recover()
        if interrupted:
            logger.warning("%d alert(s) were being sent when the last run stopped; settled", interrupted)
        if self.state.feeds(enabled_only=True):
            self.pipeline.read(Document(text=_WARMUP_TEXT, id="sitroom-warmup", language="en"))
        self._prepared = True

    def feed_config(self, feed: FeedState) -> FeedConfig:
        return feed.config(self._headers.get(feed.name, ()))

    # -- the loop --------------------------------------------------------------------------

    def run(self, *, once: bool = False, max_seconds: float | None = None) -> RunSummary:
        """Poll until :attr:`stop` is set (or, with ``once``, until every feed was polled once).

        ``max_seconds`` bounds the run (for tests and cron); the poll under way is finished. A
        store error (a database locked by another writer for longer than its timeout, a full
        disk) is logged and the turn tried again after :attr:`store_retry` seconds.
        """
        self.prepare()
        summary = RunSummary()
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        polled: set[str] = set()
        in_flight: dict[Future[PollOutcome], tuple[FeedState, datetime]] = {}
        executor = ThreadPoolExecutor(max_workers=self.settings.workers, thread_name_prefix="sitroom-poll")
        try:
            while not self.stop.is_set():
                if deadline is not None and time.monotonic() >= deadline:
                    break
                try:
                    if not self._turn(executor, in_flight, polled, summary, once=once):
                        break
                except SitroomError as exc:
                    logger.error("%s; trying again in %g s", exc, self.store_retry)
                    self.stop.wait(self.store_retry)
        finally:
            executor.shutdown(wait=False, cancel_futures=True)
        summary.alerts_sent = self.outbox.sent
        return summary

    def _turn(
        self,
        executor: ThreadPoolExecutor,
        in_flight: dict[Future[PollOutcome], tuple[FeedState, datetime]],
        polled: set[str],
        summary: RunSummary,
        *,
        once: bool,
    ) -> bool:
        """Start the polls that are due, wait a little, process what came back, send alerts.

        ``False`` when a ``once`` run is complete.
        """
        self.outbox.deliver_due(self.stop)
        busy = {feed.name for feed, _ in in_flight.values()}
        feeds = self.state.feeds(enabled_only=True)
        now = self.clock()
        for feed in feeds:
            if feed.name in busy:
                continue
            due = feed.name not in polled if once else (feed.next_due_at is None or feed.next_due_at <= now)
            if due:
                polled.add(feed.name)
                cfg = self.feed_config(feed)
                future = executor.submit(poll, feed, cfg, self.http, self.state, self.settings, self.clock)
                in_flight[future] = (feed, now)
        if once and not in_flight:
            return False
        timeout = self._wait_time(feeds, busy | {f.name for f, _ in in_flight.values()}, now)
        if in_flight:
            done, _ = wait(list(in_flight), timeout=timeout, return_when=FIRST_COMPLETED)
        else:
            done = set()
            self.stop.wait(timeout)
        for future in done:
            feed, started = in_flight.pop(future)
            report = self.process(future.result(), started)
            summary.add(report)
            if self.on_poll is not None:
                self.on_poll(report)
        self.outbox.deliver_due(self.stop)
        return True

    def _wait_time(self, feeds: Sequence[FeedState], busy: set[str], now: datetime) -> float:
        waits = [_MAX_WAIT]
        for feed in feeds:
            if feed.name not in busy and feed.next_due_at is not None:
                waits.append((feed.next_due_at - now).total_seconds())
        due = self.state.next_alert_due()
        if due is not None:
            waits.append((due - now).total_seconds())
        return max(0.01, min(waits))

    # -- one poll --------------------------------------------------------------------------

    def _next_due(self, feed: FeedState, started: datetime, *, failed: bool) -> datetime:
        if not failed:
            return started + timedelta(seconds=feed.interval)
        delay = min(self.settings.max_error_backoff, feed.interval * 2 ** min(feed.failures, 30))
        return self.clock() + timedelta(
            seconds=max(delay, min(feed.interval, self.settings.max_error_backoff))
        )

    def process(self, outcome: PollOutcome, started: datetime | None = None) -> PollReport:
        """Ingest a poll's items, record them and the feed's new state, queue and send alerts."""
        feed = outcome.feed
        started = started or outcome.fetched_at
        report = PollReport(feed.name, outcome.status, outcome.error, outcome.total, elapsed=outcome.elapsed)
        if outcome.status == "error":
            error = outcome.error or "unknown error"
            self.state.record_fetch_error(
                feed.id, error, next_due_at=self._next_due(feed, started, failed=True)
            )
            logger.warning("feed %s: %s", feed.name, error)
            return report
        for item in sorted(outcome.items, key=_published_key):
            if self.stop.is_set():
                report.status = "interrupted"  # validators not saved: the next run fetches again
                return report
            try:
                self._ingest_item(feed, item, outcome.fetched_at, report)
            except SitroomError as exc:  # the store failed: try the feed again later
                self.state.record_fetch_error(
                    feed.id,
                    f"while storing item {item.key}: {exc}",
                    next_due_at=self._next_due(feed, started, failed=True),
                )
                report.status, report.error = "error", str(exc)
                logger.error("feed %s: %s", feed.name, exc)
                return report
            except Exception as exc:  # a bug on one odd item must not stop the feed nor the watcher
                logger.exception("feed %s: item %s failed", feed.name, item.key)
                reason = f"internal error: {type(exc).__name__}: {exc}"
                self.state.record_item(
                    feed.id,
                    item.key,
                    item.fingerprint,
                    doc_id=None,
                    failed=reason,
                    first_seen=outcome.fetched_at,
                    created=0,
                    updated=0,
                )
                report.items += 1
                report.failed_items += 1
            self.outbox.deliver_due(self.stop)
        self.state.record_fetch_ok(
            feed.id,
            status=outcome.status,
            etag=outcome.etag,
            last_modified=outcome.last_modified,
            cursor=outcome.cursor,
            next_due_at=self._next_due(feed, started, failed=False),
        )
        if outcome.status == "ok":
            logger.info("feed %s", report.line())
        else:
            logger.debug("feed %s", report.line())
        return report

    def _ingest_item(self, feed: FeedState, item: Item, detected: datetime, report: PollReport) -> None:
        if item.note:
            logger.info("feed %s: item %s: %s", feed.name, item.key, item.note)
        created: list[str] = []
        updated: list[str] = []
        alerts = 0
        with self.store.transaction():
            doc_id = None
            for doc in item.documents:
                before = self.store.event_ids_for_document(doc.id) if self.config.rules else []
                result = self.pipeline.ingest_document(doc)
                doc_id = doc_id or result.doc_id
                created += [e for e in result.created if e not in created]
                updated += [e for e in result.updated if e not in result.created and e not in updated]
                # A revised report whose only event was rebuilt under a new id: the new event
                # carries on the old one's alert history (an update, not a new event).
                gone = [e for e in before if self.store.get_event(e) is None]
                replaces = {result.created[0]: gone[0]} if len(gone) == 1 and len(result.created) == 1 else {}
                described = replace(doc, language=result.language or doc.language)
                alerts += self._raise_alerts(
                    [*result.created, *result.updated], feed, described, detected, replaces
                )
            self.state.record_item(
                feed.id,
                item.key,
                item.fingerprint,
                doc_id=doc_id,
                failed=item.failure,
                first_seen=detected,
                created=len(created),
                updated=len(updated),
            )
        report.items += 1
        report.failed_items += item.failure is not None
        report.documents += len(item.documents)
        report.events_created += len(created)
        report.events_updated += len(updated)
        report.alerts += alerts

    def _raise_alerts(
        self,
        event_ids: Sequence[str],
        feed: FeedState,
        doc: Document,
        detected: datetime,
        replaces: dict[str, str],
    ) -> int:
        """Queue the alerts the rules raise for these events (inside the item's transaction)."""
        if not self.config.rules:
            return 0
        raised = 0
        all_sinks = [s.name for s in self.config.sinks]
        document = {
            "id": doc.id,
            "url": doc.url,
            "title": doc.title,
            "outlet": doc.outlet,
            "language": doc.language,
            "published": doc.published.isoformat() if doc.published else None,
        }
        for event_id in dict.fromkeys(event_ids):
            event = self.store.get_event(event_id)
            if event is None:
                continue
            for rule in self.config.rules:
                mark = self.state.mark(rule.name, event_id)
                if mark is None and event_id in replaces:
                    mark = self.state.mark(rule.name, replaces[event_id])
                decision = decide(rule, event, mark)
                if decision is None:
                    continue
                if decision.mark != mark:
                    self.state.save_mark(rule.name, event_id, decision.mark)
                if not decision.triggers:
                    continue
                aid = alert_id(rule.name, event_id, decision.mark.seq)
                body = payload(
                    aid=aid,
                    rule=rule.name,
                    decision=decision,
                    event=event,
                    feed=feed.name,
                    document=document,
                    detected_at=stamp(detected),
                    queued_at=stamp(self.clock()),
                    replaces=replaces.get(event_id),
                )
                for sink in rule.sinks or all_sinks:
                    self.state.queue_alert(aid, sink, rule.name, event_id, decision.triggers, body)
                raised += 1
        return raised


def run_until_signalled(
    watcher: Watcher, *, once: bool = False, max_seconds: float | None = None
) -> RunSummary:
    """:meth:`Watcher.run`, stopped cleanly (the item under way finished) by SIGINT or SIGTERM.

    The handlers are installed only when called from the main thread, and restored afterwards.
    """
    previous: dict[signal.Signals, Any] = {}

    def stop(signum: int, frame: object) -> None:
        watcher.stop.set()

    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, stop)
    try:
        return watcher.run(once=once, max_seconds=max_seconds)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def log_to_stderr(level: str = "info") -> Iterator[None]:
    """Send the ``sitroom.watch`` log to standard error (``HH:MM:SS LEVEL message``) for a block."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
