"""The watcher's state, kept in the store (schema version 3, see :mod:`sitroom.store.migrations`).

Feeds and their fetch state, the items each feed delivered, the figures each alert rule last
reported for an event, and the alert outbox all live in the same database as the events, so
one transaction can ingest a document, record its feed item and queue its alerts: a watcher
killed at any moment resumes where it stopped, without reading an item twice or dropping one.

:class:`WatchState` reaches the database through the store's ``connection(action)``
(:meth:`SQLiteStore.connection` or :meth:`~sitroom.store.postgres.PostgresStore.connection`)
and writes inside its ``transaction()``. Its SQL is written once, for both backends: ``?``
placeholders (turned into psycopg's ``%s`` for PostgreSQL), ``INSERT ... ON CONFLICT``, flags
as 0/1 integers and time stamps as ISO text computed in Python; the one function that differs
(reading a JSON field) is spelled per backend by :class:`_Db`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

from sitroom.errors import ConfigError
from sitroom.store import SQLiteStore, Store
from sitroom.watch.config import FeedConfig, FeedKind

if TYPE_CHECKING:
    from sitroom.store.postgres import PostgresStore

__all__ = [
    "AlertRow",
    "AlertStatus",
    "FeedState",
    "FeedStatus",
    "Mark",
    "WatchState",
    "describe_age",
    "feeds_state",
    "stamp",
    "utcnow",
]

AlertStatus = Literal["pending", "sending", "sent", "failed"]


def utcnow() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    """An aware UTC timestamp as stored (ISO 8601, microseconds, sortable as text)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def describe_age(moment: datetime | None, now: datetime | None = None, *, stamp: bool = True) -> str:
    """``2024-05-15 09:30:12Z, 12s ago`` (``12s ago`` without ``stamp``), or ``never``."""
    if moment is None:
        return "never"
    seconds = max(0, int(((now or utcnow()) - moment).total_seconds()))
    if seconds < 120:
        age = f"{seconds}s"
    elif seconds < 7200:
        age = f"{seconds // 60}m"
    elif seconds < 172800:
        age = f"{seconds // 3600}h"
    else:
        age = f"{seconds // 86400}d"
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S}Z, {age} ago" if stamp else f"{age} ago"


def _moment(value: object) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class FeedState:
    """A feed as stored: what to poll, and how its last polls went."""

    id: int
    name: str
    kind: FeedKind
    location: str
    interval: float
    language: str | None
    fetch_pages: bool
    options: dict[str, Any]
    enabled: bool
    origin: str
    added_at: datetime
    etag: str | None
    last_modified: str | None
    cursor: str | None
    last_fetch_at: datetime | None
    last_status: str | None
    last_ok_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int
    next_due_at: datetime | None

    def config(self, headers: tuple[tuple[str, str], ...] = ()) -> FeedConfig:
        return FeedConfig(
            name=self.name,
            kind=self.kind,
            location=self.location,
            interval=self.interval,
            language=self.language,
            fetch_pages=self.fetch_pages,
            headers=headers,
            cursor_param=_opt_str(self.options.get("cursor_param")),
            cursor_field=_opt_str(self.options.get("cursor_field")),
            enabled=self.enabled,
        )


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """A feed with its counts, for ``sitroom feeds status``."""

    feed: FeedState
    items_seen: int
    items_failed: int
    events_created: int
    events_updated: int
    alerts_sent: int
    alerts_pending: int


@dataclass(frozen=True, slots=True)
class Mark:
    """What a rule last alerted about an event (highest figures so far)."""

    seq: int
    fatalities: int | None
    fatalities_max: int | None
    sources: int
    hedged: bool


@dataclass(frozen=True, slots=True)
class AlertRow:
    id: int
    alert_id: str
    sink: str
    rule: str
    event_id: str
    triggers: tuple[str, ...]
    payload: dict[str, Any]
    status: AlertStatus
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None


Dialect = Literal["sqlite", "postgresql"]


class _Row(Protocol):
    """A result row read by column name (:class:`sqlite3.Row`, or psycopg's ``dict_row``)."""

    def __getitem__(self, key: str, /) -> Any: ...


class _Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> _Row | None: ...

    def fetchall(self) -> list[_Row]: ...

    def __iter__(self) -> Iterator[_Row]: ...


class _Db:
    """The store's open connection, running SQL written for SQLite on either backend.

    Statements use ``?`` placeholders; for PostgreSQL (psycopg) they become ``%s`` (and a
    literal ``%`` becomes ``%%``). No statement may hold a ``?`` other than a placeholder.
    """

    def __init__(self, conn: Any, dialect: Dialect) -> None:
        self._conn = conn
        self.dialect = dialect

    def execute(self, sql: str, params: Sequence[object] = ()) -> _Cursor:
        if self.dialect == "postgresql":
            sql = sql.replace("%", "%%").replace("?", "%s")
        return cast(_Cursor, self._conn.execute(sql, tuple(params)))

    def json_text(self, column: str, key: str) -> str:
        """SQL for the text of ``column``'s top-level JSON field ``key`` (a plain identifier)."""
        if self.dialect == "postgresql":
            return f"(({column})::jsonb ->> '{key}')"
        return f"json_extract({column}, '$.{key}')"


def _dialect(store: Store) -> Dialect | None:
    if isinstance(store, SQLiteStore):
        return "sqlite"
    try:
        from sitroom.store.postgres import PostgresStore
    except ImportError:  # no psycopg: then this cannot be a PostgresStore
        return None
    return "postgresql" if isinstance(store, PostgresStore) else None


_FEED_COLUMNS = (
    "id, name, kind, location, interval_s, language, fetch_pages, options, enabled, origin, added_at, "
    "etag, last_modified, cursor, last_fetch_at, last_status, last_ok_at, last_error, last_error_at, "
    "failures, next_due_at"
)


def _feed_from_row(row: _Row) -> FeedState:
    return FeedState(
        id=int(row["id"]),
        name=str(row["name"]),
        kind=cast(FeedKind, row["kind"]),
        location=str(row["location"]),
        interval=float(row["interval_s"]),
        language=_opt_str(row["language"]),
        fetch_pages=bool(row["fetch_pages"]),
        options=cast(dict[str, Any], json.loads(str(row["options"] or "{}"))),
        enabled=bool(row["enabled"]),
        origin=str(row["origin"]),
        added_at=cast(datetime, _moment(row["added_at"])),
        etag=_opt_str(row["etag"]),
        last_modified=_opt_str(row["last_modified"]),
        cursor=_opt_str(row["cursor"]),
        last_fetch_at=_moment(row["last_fetch_at"]),
        last_status=_opt_str(row["last_status"]),
        last_ok_at=_moment(row["last_ok_at"]),
        last_error=_opt_str(row["last_error"]),
        last_error_at=_moment(row["last_error_at"]),
        failures=int(row["failures"]),
        next_due_at=_moment(row["next_due_at"]),
    )


def _alert_from_row(row: _Row) -> AlertRow:
    return AlertRow(
        id=int(row["id"]),
        alert_id=str(row["alert_id"]),
        sink=str(row["sink"]),
        rule=str(row["rule"]),
        event_id=str(row["event_id"]),
        triggers=tuple(t for t in str(row["triggers"]).split(",") if t),
        payload=cast(dict[str, Any], json.loads(str(row["payload"]))),
        status=cast(AlertStatus, row["status"]),
        attempts=int(row["attempts"]),
        last_error=_opt_str(row["last_error"]),
        created_at=cast(datetime, _moment(row["created_at"])),
        next_attempt_at=cast(datetime, _moment(row["next_attempt_at"])),
        sent_at=_moment(row["sent_at"]),
    )


class WatchState:
    """Feed, item, mark and alert rows in an open SQLite or PostgreSQL store (thread-safe
    through the store)."""

    def __init__(self, store: Store, *, clock: Callable[[], datetime] = utcnow) -> None:
        dialect = _dialect(store)
        if dialect is None:
            raise ConfigError(
                f"sitroom watch and sitroom feeds keep their state in a SQLite or PostgreSQL store, and"
                f" {store!r} is neither: give --db a SQLite file or a postgresql:// URL"
            )
        self.store: SQLiteStore | PostgresStore = cast("SQLiteStore | PostgresStore", store)
        self.dialect: Dialect = dialect
        self.clock = clock

    # -- plumbing --------------------------------------------------------------------------

    def now(self) -> str:
        return stamp(self.clock())

    @contextmanager
    def _read(self, action: str) -> Iterator[_Db]:
        with self.store.connection(action) as conn:
            yield _Db(conn, self.dialect)

    @contextmanager
    def _write(self, action: str) -> Iterator[_Db]:
        """A write in its own transaction, or inside the caller's (as a savepoint)."""
        with self.store.transaction(), self.store.connection(action) as conn:
            yield _Db(conn, self.dialect)

    # -- feeds -----------------------------------------------------------------------------

    def feed(self, name: str) -> FeedState | None:
        with self._read(f"reading feed {name!r}") as conn:
            row = conn.execute(f"SELECT {_FEED_COLUMNS} FROM feeds WHERE name = ?", (name,)).fetchone()
        return None if row is None else _feed_from_row(row)

    def feeds(self, *, enabled_only: bool = False) -> list[FeedState]:
        where = " WHERE enabled = 1" if enabled_only else ""
        with self._read("listing feeds") as conn:
            rows = conn.execute(f"SELECT {_FEED_COLUMNS} FROM feeds{where} ORDER BY id").fetchall()
        return [_feed_from_row(r) for r in rows]

    def add_feed(self, cfg: FeedConfig) -> FeedState:
        """A new feed (``sitroom feeds add``); :class:`ConfigError` when the name is taken."""
        with self._write(f"adding feed {cfg.name!r}") as conn:
            if conn.execute("SELECT 1 FROM feeds WHERE name = ?", (cfg.name,)).fetchone() is not None:
                raise ConfigError(f"a feed named {cfg.name!r} exists already; choose another --name")
            self._insert_feed(conn, cfg, "cli")
        return cast(FeedState, self.feed(cfg.name))

    def _insert_feed(self, conn: _Db, cfg: FeedConfig, origin: str) -> None:
        conn.execute(
            "INSERT INTO feeds(name, kind, location, interval_s, language, fetch_pages, options, enabled,"
            " origin, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                cfg.name,
                cfg.kind,
                cfg.location,
                cfg.interval,
                cfg.language,
                int(cfg.fetch_pages),
                json.dumps(cfg.options(), sort_keys=True),
                int(cfg.enabled),
                origin,
                self.now(),
            ),
        )

    def sync_config_feeds(self, feeds: Iterable[FeedConfig]) -> None:
        """Make the stored feeds match the configuration's.

        A configured feed is added or updated by name (a new location or kind forgets the old
        validators and cursor; items seen are kept). A feed that came from the configuration and
        is no longer in it is disabled, not deleted, so its history stays. Feeds added with
        ``sitroom feeds add`` are left alone.
        """
        wanted = list(feeds)
        names = {f.name for f in wanted}
        with self._write("syncing the configured feeds") as conn:
            for cfg in wanted:
                row = conn.execute("SELECT kind, location FROM feeds WHERE name = ?", (cfg.name,)).fetchone()
                if row is None:
                    self._insert_feed(conn, cfg, "config")
                    continue
                moved = (str(row["kind"]), str(row["location"])) != (cfg.kind, cfg.location)
                conn.execute(
                    "UPDATE feeds SET kind = ?, location = ?, interval_s = ?, language = ?, fetch_pages = ?,"
                    " options = ?, enabled = ?, origin = 'config' WHERE name = ?",
                    (
                        cfg.kind,
                        cfg.location,
                        cfg.interval,
                        cfg.language,
                        int(cfg.fetch_pages),
                        json.dumps(cfg.options(), sort_keys=True),
                        int(cfg.enabled),
                        cfg.name,
                    ),
                )
                if moved:
                    conn.execute(
                        "UPDATE feeds SET etag = NULL, last_modified = NULL, cursor = NULL, failures = 0,"
                        " next_due_at = NULL WHERE name = ?",
                        (cfg.name,),
                    )
            for row in conn.execute(
                "SELECT name FROM feeds WHERE origin = 'config' AND enabled = 1"
            ).fetchall():
                if str(row["name"]) not in names:
                    conn.execute("UPDATE feeds SET enabled = 0 WHERE name = ?", (row["name"],))

    def record_fetch_ok(
        self,
        feed_id: int,
        *,
        status: str,
        etag: str | None,
        last_modified: str | None,
        cursor: str | None,
        next_due_at: datetime,
    ) -> None:
        """A poll that worked: its validators and cursor (only now, after every item was recorded)."""
        now = self.now()
        with self._write("recording a fetch") as conn:
            conn.execute(
                "UPDATE feeds SET etag = ?, last_modified = ?, cursor = coalesce(?, cursor),"
                " last_fetch_at = ?, last_status = ?, last_ok_at = ?, failures = 0, next_due_at = ?"
                " WHERE id = ?",
                (etag, last_modified, cursor, now, status, now, stamp(next_due_at), feed_id),
            )

    def record_fetch_error(self, feed_id: int, error: str, *, next_due_at: datetime) -> None:
        now = self.now()
        with self._write("recording a fetch error") as conn:
            conn.execute(
                "UPDATE feeds SET last_fetch_at = ?, last_status = 'error', last_error = ?,"
                " last_error_at = ?, failures = failures + 1, next_due_at = ? WHERE id = ?",
                (now, error[:2000], now, stamp(next_due_at), feed_id),
            )

    def status(self) -> list[FeedStatus]:
        sql = f"""
            SELECT {_FEED_COLUMNS},
                (SELECT count(*) FROM feed_items i WHERE i.feed_id = feeds.id) AS items_seen,
                (SELECT count(*) FROM feed_items i WHERE i.feed_id = feeds.id AND i.status = 'failed')
                    AS items_failed,
                (SELECT coalesce(sum(events_created), 0) FROM feed_items i WHERE i.feed_id = feeds.id)
                    AS events_created,
                (SELECT coalesce(sum(events_updated), 0) FROM feed_items i WHERE i.feed_id = feeds.id)
                    AS events_updated
            FROM feeds ORDER BY id"""
        with self._read("reading feed status") as conn:
            rows = conn.execute(sql).fetchall()
            feed_of = conn.json_text("payload", "feed")
            alerts_sql = f"SELECT {feed_of} AS feed, status, count(*) AS n FROM alerts GROUP BY 1, 2"
            alert_counts: dict[tuple[str, str], int] = {
                (str(r["feed"]), str(r["status"])): int(r["n"]) for r in conn.execute(alerts_sql)
            }
        found = []
        for row in rows:
            feed = _feed_from_row(row)
            found.append(
                FeedStatus(
                    feed=feed,
                    items_seen=int(row["items_seen"]),
                    items_failed=int(row["items_failed"]),
                    events_created=int(row["events_created"]),
                    events_updated=int(row["events_updated"]),
                    alerts_sent=alert_counts.get((feed.name, "sent"), 0),
                    alerts_pending=alert_counts.get((feed.name, "pending"), 0)
                    + alert_counts.get((feed.name, "sending"), 0),
                )
            )
        return found

    # -- items -----------------------------------------------------------------------------

    def seen(self, feed_id: int, keys: Iterable[str]) -> dict[str, str]:
        """``key → fingerprint`` of the given items that the feed has already delivered."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, str] = {}
        with self._read("reading items seen") as conn:
            for i in range(0, len(wanted), 400):
                chunk = wanted[i : i + 400]
                marks = ", ".join("?" * len(chunk))
                for row in conn.execute(
                    f"SELECT key, fingerprint FROM feed_items WHERE feed_id = ? AND key IN ({marks})",
                    [feed_id, *chunk],
                ):
                    found[str(row["key"])] = str(row["fingerprint"])
        return found

    def all_seen(self, feed_id: int) -> dict[str, str]:
        with self._read("reading items seen") as conn:
            rows = conn.execute("SELECT key, fingerprint FROM feed_items WHERE feed_id = ?", (feed_id,))
            return {str(r["key"]): str(r["fingerprint"]) for r in rows}

    def record_item(
        self,
        feed_id: int,
        key: str,
        fingerprint: str,
        *,
        doc_id: str | None,
        failed: str | None,
        first_seen: datetime,
        created: int,
        updated: int,
    ) -> None:
        """An item read (``failed`` is the reason when it gave no document): call inside the
        transaction that ingested its document."""
        with self._write("recording a feed item") as conn:
            conn.execute(
                """
                INSERT INTO feed_items(feed_id, key, fingerprint, doc_id, status, reason, first_seen_at,
                    processed_at, events_created, events_updated)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(feed_id, key) DO UPDATE SET
                    fingerprint = excluded.fingerprint, doc_id = excluded.doc_id, status = excluded.status,
                    reason = excluded.reason, processed_at = excluded.processed_at,
                    events_created = feed_items.events_created + excluded.events_created,
                    events_updated = feed_items.events_updated + excluded.events_updated
                """,
                (
                    feed_id,
                    key,
                    fingerprint,
                    doc_id,
                    "failed" if failed else "ingested",
                    failed,
                    stamp(first_seen),
                    self.now(),
                    created,
                    updated,
                ),
            )

    # -- alert marks -----------------------------------------------------------------------

    def mark(self, rule: str, event_id: str) -> Mark | None:
        with self._read("reading an alert mark") as conn:
            row = conn.execute(
                "SELECT seq, fatalities, fatalities_max, sources, hedged FROM alert_marks"
                " WHERE rule = ? AND event_id = ?",
                (rule, event_id),
            ).fetchone()
        if row is None:
            return None
        return Mark(
            seq=int(row["seq"]),
            fatalities=None if row["fatalities"] is None else int(row["fatalities"]),
            fatalities_max=None if row["fatalities_max"] is None else int(row["fatalities_max"]),
            sources=int(row["sources"]),
            hedged=bool(row["hedged"]),
        )

    def save_mark(self, rule: str, event_id: str, mark: Mark) -> None:
        with self._write("saving an alert mark") as conn:
            conn.execute(
                "INSERT INTO alert_marks(rule, event_id, seq, fatalities, fatalities_max, sources, hedged,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(rule, event_id) DO UPDATE SET seq = excluded.seq,"
                " fatalities = excluded.fatalities, fatalities_max = excluded.fatalities_max,"
                " sources = excluded.sources, hedged = excluded.hedged, updated_at = excluded.updated_at",
                (
                    rule,
                    event_id,
                    mark.seq,
                    mark.fatalities,
                    mark.fatalities_max,
                    mark.sources,
                    int(mark.hedged),
                    self.now(),
                ),
            )

    # -- alerts ----------------------------------------------------------------------------

    def queue_alert(
        self,
        alert_id: str,
        sink: str,
        rule: str,
        event_id: str,
        triggers: Iterable[str],
        payload: dict[str, Any],
    ) -> bool:
        """Add an alert to the outbox; ``False`` when this alert was queued for the sink before."""
        now = self.now()
        with self._write("queueing an alert") as conn:
            cursor = conn.execute(
                "INSERT INTO alerts(alert_id, sink, rule, event_id, triggers, payload, status, created_at,"
                " next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)"
                " ON CONFLICT(alert_id, sink) DO NOTHING",
                (
                    alert_id,
                    sink,
                    rule,
                    event_id,
                    ",".join(triggers),
                    json.dumps(payload, ensure_ascii=False, sort_keys=True),
                    now,
                    now,
                ),
            )
            return cursor.rowcount > 0

    def due_alerts(self, *, limit: int = 100) -> list[AlertRow]:
        """Pending alerts whose next attempt is due, oldest first."""
        with self._read("reading due alerts") as conn:
            rows = conn.execute(
                "SELECT * FROM alerts WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?",
                (self.now(), limit),
            ).fetchall()
        return [_alert_from_row(r) for r in rows]

    def next_alert_due(self) -> datetime | None:
        with self._read("reading the alert schedule") as conn:
            row = conn.execute(
                "SELECT min(next_attempt_at) AS due FROM alerts WHERE status = 'pending'"
            ).fetchone()
        return _moment(row["due"]) if row is not None else None

    def alerts(self, *, status: AlertStatus | None = None) -> list[AlertRow]:
        with self._read("reading alerts") as conn:
            if status is None:
                rows = conn.execute("SELECT * FROM alerts ORDER BY id").fetchall()
            else:
                rows = conn.execute("SELECT * FROM alerts WHERE status = ? ORDER BY id", (status,)).fetchall()
        return [_alert_from_row(r) for r in rows]

    def alert_sending(self, row_id: int) -> bool:
        """Claim a pending alert for sending; ``False`` when another watcher claimed it first.

        Committed before the sink is called, so a crash mid-send is known on restart.
        """
        with self._write("marking an alert as sending") as conn:
            cursor = conn.execute(
                "UPDATE alerts SET status = 'sending', attempts = attempts + 1"
                " WHERE id = ? AND status = 'pending'",
                (row_id,),
            )
            return cursor.rowcount > 0

    def alert_sent(self, row_id: int) -> None:
        now = self.now()
        with self._write("marking an alert as sent") as conn:
            conn.execute(
                "UPDATE alerts SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ?",
                (now, row_id),
            )

    def alert_retry(self, row_id: int, error: str, next_attempt_at: datetime) -> None:
        with self._write("rescheduling an alert") as conn:
            conn.execute(
                "UPDATE alerts SET status = 'pending', last_error = ?, next_attempt_at = ? WHERE id = ?",
                (error[:2000], stamp(next_attempt_at), row_id),
            )

    def alert_failed(self, row_id: int, error: str) -> None:
        with self._write("marking an alert as failed") as conn:
            conn.execute(
                "UPDATE alerts SET status = 'failed', last_error = ? WHERE id = ?", (error[:2000], row_id)
            )


@contextmanager
def feeds_state(
    database: str | os.PathLike[str], config: str | os.PathLike[str] | None, default_config: str
) -> Iterator[WatchState]:
    """The :class:`WatchState` of an opened store, with the configuration's feeds synced into it
    (for ``sitroom feeds list`` and ``status``); the store is closed when the block ends."""
    from sitroom.store import open_store
    from sitroom.watch.config import find_config

    cfg = find_config(config, default_config)
    store = open_store(database)
    store.open()
    try:
        state = WatchState(store)
        if cfg.feeds:
            state.sync_config_feeds(cfg.feeds)
        yield state
    finally:
        store.close()
