"""What the SQLite and PostgreSQL stores share: :class:`SQLStore`, the logic of a
:class:`~sitroom.store.base.Store` over one DB-API connection.

A backend (:class:`~sitroom.store.sqlite.SQLiteStore`, :class:`~sitroom.store.postgres.PostgresStore`)
subclasses it and supplies what differs between the databases:

* how to connect, configure and migrate (:meth:`SQLStore._connect`, :meth:`SQLStore._configure`,
  :meth:`SQLStore._migrate`) and how an outermost transaction begins (:meth:`SQLStore._begin`);
* its driver's error class (:attr:`SQLStore._driver_error`), translated into
  :class:`~sitroom.errors.StoreError` with the store's ``source`` label, and how a message is shown
  (:meth:`SQLStore._message`);
* statement execution (:meth:`SQLStore._rows`, :meth:`SQLStore._one`, :meth:`SQLStore._exec`,
  :meth:`SQLStore._exec_many`): the shared SQL here uses ``?`` placeholders, which a backend
  rewrites for its driver;
* value conversions (dates, flags, spans, time stamps) and the SQL fragments that truly differ
  (ordering, period keys, text search, id lists, upserts of places and actors).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import date, datetime
from types import TracebackType
from typing import ClassVar, Generic, Self, TypeVar, cast

from sitroom.errors import ConfigError, StoreError
from sitroom.records import Document, Event, Mention, Place, Span
from sitroom.store.base import PERIODS, DocumentState, EventFilter, Period, Stats
from sitroom.store.rows import (
    EVENT_FROM,
    EVENT_SELECT,
    MENTION_SELECT,
    ORPHAN_ACTOR_SQL,
    ORPHAN_PLACE_SQL,
    Row,
    document_from_row,
    event_from_row,
    mention_from_row,
    orphans_of,
    place_key,
)

__all__ = ["SQLStore"]

_BATCH = 500  # events per query when loading mentions or streaming

ConnT = TypeVar("ConnT")
Params = Sequence[object] | Mapping[str, object]

_MENTION_COLUMNS = (
    "doc_id, event_id, seq, key, role, event_type, sub_event_type, evidence, start_offset, end_offset,"
    " event_date, date_precision, place_id, actor1_id, actor2_id, weapon, count, fatalities, injured,"
    " intercepted, claimed_by_id, hedged, language, spans, extractor"
)
_EVENT_UPSERT = """
INSERT INTO events(id, event_type, sub_event_type, event_date, date_precision, place_id,
    actor1_id, actor2_id, weapon, count, fatalities, fatalities_max, injured, injured_max,
    intercepted, claimed_by_id, hedged, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    event_type = excluded.event_type, sub_event_type = excluded.sub_event_type,
    event_date = excluded.event_date, date_precision = excluded.date_precision,
    place_id = excluded.place_id, actor1_id = excluded.actor1_id,
    actor2_id = excluded.actor2_id, weapon = excluded.weapon, count = excluded.count,
    fatalities = excluded.fatalities, fatalities_max = excluded.fatalities_max,
    injured = excluded.injured, injured_max = excluded.injured_max,
    intercepted = excluded.intercepted, claimed_by_id = excluded.claimed_by_id,
    hedged = excluded.hedged, updated_at = excluded.updated_at
"""
_DOCUMENT_COLUMNS = "id, url, title, outlet, language, published, text, fingerprint, origin, ingested_at"
_DOCUMENT_UPDATE = (
    "url = excluded.url, title = excluded.title, outlet = excluded.outlet,"
    " language = excluded.language, published = excluded.published, text = excluded.text,"
    " fingerprint = excluded.fingerprint, origin = excluded.origin, ingested_at = excluded.ingested_at"
)
_REFS = "SELECT place_id, actor1_id, actor2_id, claimed_by_id FROM {table} WHERE {key} = ?"


def _with_search(columns: str, count: int, search_mark: str | None) -> tuple[str, str]:
    """``(columns, marks)`` of an INSERT, with the ``search`` column when the backend has one."""
    marks = ", ".join("?" * count)
    if search_mark is None:
        return columns, marks
    return f"{columns}, search", f"{marks}, {search_mark}"


class SQLStore(ABC, Generic[ConnT]):
    """The shared part of the SQL stores: lifecycle, transactions (nested ones as savepoints),
    orphan collection, and every read and write whose SQL is the same on both databases.

    One connection per store; an internal :class:`threading.RLock` serialises calls, and a
    :meth:`transaction` holds it until the outermost block ends. The constructor does no I/O.
    """

    #: The driver's base error class, translated into :class:`StoreError` where it enters.
    _driver_error: ClassVar[type[Exception]]
    #: What :meth:`_guard` translates (the driver's errors, and maybe more).
    _guard_errors: ClassVar[tuple[type[Exception], ...]]
    #: ``close`` failure message: "closing the {what} failed".
    _closing: ClassVar[str]
    #: Action named when a nested transaction (a savepoint) cannot start.
    _savepoint_action: ClassVar[str]
    #: Action names of some reads (kept as each backend always worded them).
    _document_state_action: ClassVar[str]
    _events_by_id_action: ClassVar[str]
    _event_ids_action: ClassVar[str]
    #: The statements that open and close a multi-statement read snapshot.
    _begin_read: ClassVar[str]
    _end_read: ClassVar[str]
    #: Named placeholder of the orphan deletes (``:id``, ``%(id)s``).
    _named_id: ClassVar[str]
    #: Whether an id list is one array parameter (no need to split it into batches).
    _array_ids: ClassVar[bool]
    #: SQL fragments that differ between the dialects.
    _mention_order: ClassVar[str]
    _order_by: ClassVar[Mapping[str, str]]
    _period_key: ClassVar[Mapping[str, str]]
    _undated_count: ClassVar[str]
    _key_collation: ClassVar[str]
    _no_limit: ClassVar[int | None]
    #: The placeholder of the ``search`` column (``None`` when rows have none).
    _search_mark: ClassVar[str | None] = None

    def __init__(self, source: str, *, timeout: float, clock: Callable[[], datetime]) -> None:
        self._source = source
        self.timeout = timeout
        self._clock = clock
        self._conn: ConnT | None = None
        self._lock = threading.RLock()
        self._depth = 0
        self._orphan_places: set[int] = set()
        self._orphan_actors: set[int] = set()

    def __repr__(self) -> str:
        state = "open" if self._conn is not None else "closed"
        return f"{type(self).__name__}({self._source!r}, {state})"

    # -- backend hooks ---------------------------------------------------------------------

    @abstractmethod
    def _connect(self) -> ConnT: ...

    @abstractmethod
    def _configure(self, conn: ConnT) -> None: ...

    @abstractmethod
    def _migrate(self, conn: ConnT) -> None: ...

    @abstractmethod
    def _close_conn(self, conn: ConnT) -> None: ...

    @abstractmethod
    def _begin(self, conn: ConnT) -> None:
        """Start the outermost (write) transaction, with its write lock."""

    @abstractmethod
    def _in_transaction(self, conn: ConnT) -> bool:
        """Whether a transaction is open that can be rolled back or committed."""

    @abstractmethod
    def _busy(self, conn: ConnT) -> bool:
        """Whether a read must use the connection as it is (no snapshot of its own)."""

    @abstractmethod
    def _commit_hint(self, exc: Exception) -> str: ...

    @abstractmethod
    def _rows(self, conn: ConnT, sql: str, params: Params = ()) -> Sequence[Row]: ...

    @abstractmethod
    def _one(self, conn: ConnT, sql: str, params: Params = ()) -> Row | None: ...

    @abstractmethod
    def _exec(self, conn: ConnT, sql: str, params: Params = ()) -> None: ...

    @abstractmethod
    def _exec_many(self, conn: ConnT, sql: str, rows: Sequence[Params]) -> None: ...

    @abstractmethod
    def _insert_place(self, conn: ConnT, key: str, place: Place) -> int: ...

    @abstractmethod
    def _insert_actor(self, conn: ConnT, name: str) -> int: ...

    @abstractmethod
    def _filter_sql(self, flt: EventFilter) -> tuple[str, str, list[object]]:
        """``(cte, where, params)`` for a filter; ``params`` follow the CTE then the WHERE clause."""

    @abstractmethod
    def _in_ids(self, column: str, ids: list[str]) -> tuple[str, list[object]]:
        """``column`` is one of ``ids``: the SQL term and its parameters."""

    @abstractmethod
    def _after_date_id(self, day: date, event_id: str) -> tuple[str, list[object]]:
        """The term of events after ``(day, event_id)`` in (date, id) order, and its parameters."""

    @abstractmethod
    def _now(self) -> object:
        """The current time as stored in ``ingested_at``/``created_at``/``updated_at``."""

    @abstractmethod
    def _day(self, value: date | None) -> object:
        """A date as the driver stores it."""

    @abstractmethod
    def _flag(self, value: bool | None) -> object:
        """A flag as the driver stores it."""

    @abstractmethod
    def _spans(self, spans: Sequence[Span]) -> object:
        """``mentions.spans`` as the driver stores it."""

    def _message(self, exc: BaseException) -> str:
        """An error's text as shown in a :class:`StoreError`."""
        return str(exc)

    def _document_search(self, doc: Document) -> tuple[object, ...]:
        """Extra values of a document row (its ``search`` column where there is one)."""
        return ()

    def _mention_search(self, mention: Mention) -> tuple[object, ...]:
        """Extra values of a mention row (its ``search`` column where there is one)."""
        return ()

    def _document_saving(self, conn: ConnT, doc_id: str) -> AbstractContextManager[None]:
        """Wraps the upsert of a document (to keep a separate text index in step)."""
        return nullcontext()

    def _mentions_replacing(self, conn: ConnT, doc_id: str, had: bool, will: bool) -> None:
        """Called before a document's mentions are replaced (``had``/``will``: any before/after)."""

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    def open(self) -> None:
        with self._lock:
            if self._conn is not None:
                return
            conn = self._connect()
            try:
                self._configure(conn)
                self._migrate(conn)
            except self._driver_error as exc:
                self._close_conn(conn)
                raise StoreError(
                    f"cannot open the database: {self._message(exc)}", source=self._source
                ) from exc
            except BaseException:
                self._close_conn(conn)
                raise
            self._conn = conn

    def close(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
            self._depth = 0
            self._orphan_places.clear()
            self._orphan_actors.clear()
            if conn is None:
                return
            try:
                self._close_conn(conn)  # an unfinished transaction is rolled back
            except self._driver_error as exc:
                raise StoreError(
                    f"closing the {self._closing} failed: {self._message(exc)}", source=self._source
                ) from exc

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def connection(self, action: str) -> Iterator[ConnT]:
        """The open connection under the store's lock, for modules that keep tables of their own
        (:mod:`sitroom.watch.state`). A driver error raised in the block becomes a
        :class:`StoreError` naming ``action``. Writes belong inside :meth:`transaction`.
        """
        with self._guard(action) as conn:
            yield conn

    # -- transactions ----------------------------------------------------------------------

    def _require(self) -> ConnT:
        if self._conn is None:
            raise StoreError(
                "the store is not open; call open() or use it in a with block", source=self._source
            )
        return self._conn

    def _execute(self, conn: ConnT, sql: str, action: str) -> None:
        try:
            self._exec(conn, sql)
        except self._driver_error as exc:
            raise StoreError(f"{action} failed: {self._message(exc)}", source=self._source) from exc

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction: commit when the block ends, roll back if it raises.

        The outermost block takes the backend's write lock first. Nested blocks become
        savepoints: an inner failure that the caller catches undoes only the inner block. The
        store's lock is held until the outermost block ends.
        """
        with self._lock:
            conn = self._require()
            outer = self._depth == 0
            savepoint = f"sitroom_{self._depth}"
            if outer:
                self._begin(conn)
            else:
                self._execute(conn, f"SAVEPOINT {savepoint}", self._savepoint_action)
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                self._rollback(conn, outer, savepoint)
                raise
            self._depth -= 1
            if outer:
                self._commit(conn)
            else:
                self._execute(conn, f"RELEASE SAVEPOINT {savepoint}", "releasing a savepoint")

    def _rollback(self, conn: ConnT, outer: bool, savepoint: str) -> None:
        if outer:
            self._orphan_places.clear()
            self._orphan_actors.clear()
        if not self._in_transaction(conn):
            return  # nothing to undo (the database already rolled back, or the connection is gone)
        if outer:
            self._execute(conn, "ROLLBACK", "rolling back")
        else:
            self._execute(conn, f"ROLLBACK TO SAVEPOINT {savepoint}", "rolling back to a savepoint")
            self._execute(conn, f"RELEASE SAVEPOINT {savepoint}", "releasing a savepoint")

    def _commit(self, conn: ConnT) -> None:
        try:
            self._collect_orphans(conn)
            self._exec(conn, "COMMIT")
        except self._driver_error as exc:
            if self._in_transaction(conn):
                self._execute(conn, "ROLLBACK", "rolling back")
            hint = self._commit_hint(exc)
            raise StoreError(f"commit failed: {self._message(exc)}{hint}", source=self._source) from exc
        finally:
            self._orphan_places.clear()
            self._orphan_actors.clear()

    def _collect_orphans(self, conn: ConnT) -> None:
        """Delete the places and actors that lost their last reference in this transaction."""
        if self._orphan_places:
            sql = ORPHAN_PLACE_SQL.format(id=self._named_id)
            self._exec_many(conn, sql, [{"id": i} for i in sorted(self._orphan_places)])
        if self._orphan_actors:
            sql = ORPHAN_ACTOR_SQL.format(id=self._named_id)
            self._exec_many(conn, sql, [{"id": i} for i in sorted(self._orphan_actors)])

    def _note_orphans(self, rows: Iterable[Row]) -> None:
        places, actors = orphans_of(rows)
        self._orphan_places |= places
        self._orphan_actors |= actors

    @contextmanager
    def _guard(self, action: str) -> Iterator[ConnT]:
        with self._lock:
            conn = self._require()
            try:
                yield conn
            except self._guard_errors as exc:
                raise StoreError(f"{action} failed: {self._message(exc)}", source=self._source) from exc

    @contextmanager
    def _write(self, action: str) -> Iterator[ConnT]:
        with self.transaction(), self._guard(action) as conn:
            yield conn

    @contextmanager
    def _read(self, action: str) -> Iterator[ConnT]:
        """A consistent snapshot for multi-statement reads (or the open transaction's view)."""
        with self._guard(action) as conn:
            if self._depth or self._busy(conn):
                yield conn
                return
            self._exec(conn, self._begin_read)
            try:
                yield conn
            finally:
                if self._in_transaction(conn):
                    self._exec(conn, self._end_read)

    # -- writes ----------------------------------------------------------------------------

    def _place_id(self, conn: ConnT, place: Place | None) -> int | None:
        if place is None:
            return None
        key = place_key(place)
        row = self._one(conn, "SELECT id FROM places WHERE key = ?", (key,))
        if row is not None:
            return int(row["id"])
        return self._insert_place(conn, key, place)

    def _actor_id(self, conn: ConnT, name: str | None) -> int | None:
        if name is None:
            return None
        row = self._one(conn, "SELECT id FROM actors WHERE name = ?", (name,))
        if row is not None:
            return int(row["id"])
        return self._insert_actor(conn, name)

    def _document_pk(self, conn: ConnT, doc_id: str) -> int:
        """The saved document's ``pk`` (else :class:`StoreError`: it must be saved first)."""
        row = self._one(conn, "SELECT pk FROM documents WHERE id = ?", (doc_id,))
        if row is None:
            raise StoreError(
                f"document {doc_id!r} is not saved: call save_document first", source=self._source
            )
        return int(row["pk"])

    def document_state(self, doc: Document) -> DocumentState:
        with self._guard(self._document_state_action) as conn:
            row = self._one(conn, "SELECT fingerprint FROM documents WHERE id = ?", (doc.id,))
        if row is None:
            return "new"
        return "same" if row["fingerprint"] == doc.fingerprint else "changed"

    def save_document(self, doc: Document) -> None:
        columns, marks = _with_search(_DOCUMENT_COLUMNS, 10, self._search_mark)
        update = _DOCUMENT_UPDATE + (", search = excluded.search" if self._search_mark else "")
        sql = f"INSERT INTO documents({columns}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET {update}"
        with self._write(f"saving document {doc.id!r}") as conn, self._document_saving(conn, doc.id):
            self._exec(
                conn,
                sql,
                (
                    doc.id,
                    doc.url,
                    doc.title,
                    doc.outlet,
                    doc.language,
                    doc.published.isoformat() if doc.published else None,
                    doc.text,
                    doc.fingerprint,
                    doc.origin,
                    self._now(),
                    *self._document_search(doc),
                ),
            )

    def replace_mentions(self, doc_id: str, mentions: Sequence[tuple[Mention, str]]) -> None:
        for mention, _ in mentions:
            if mention.doc_id != doc_id:
                raise StoreError(
                    f"a mention of document {mention.doc_id!r} was given for document {doc_id!r}"
                )
        with self._write(f"replacing the mentions of document {doc_id!r}") as conn:
            if mentions and self._one(conn, "SELECT 1 FROM documents WHERE id = ?", (doc_id,)) is None:
                raise StoreError(
                    f"document {doc_id!r} is not saved: call save_document first", source=self._source
                )
            old = self._rows(conn, _REFS.format(table="mentions", key="doc_id"), (doc_id,))
            self._note_orphans(old)
            self._mentions_replacing(conn, doc_id, had=bool(old), will=bool(mentions))
            self._exec(conn, "DELETE FROM mentions WHERE doc_id = ?", (doc_id,))
            rows = [
                (
                    doc_id,
                    event_id,
                    seq,
                    m.key,
                    m.role,
                    m.event_type,
                    m.sub_event_type,
                    m.evidence,
                    m.start,
                    m.end,
                    self._day(m.event_date),
                    m.date_precision,
                    self._place_id(conn, m.place),
                    self._actor_id(conn, m.actor1),
                    self._actor_id(conn, m.actor2),
                    m.weapon,
                    m.count,
                    m.fatalities,
                    m.injured,
                    self._flag(m.intercepted),
                    self._actor_id(conn, m.claimed_by),
                    self._flag(m.hedged),
                    m.language,
                    self._spans(m.spans),
                    m.extractor,
                    *self._mention_search(m),
                )
                for seq, (m, event_id) in enumerate(mentions)
            ]
            if rows:
                columns, marks = _with_search(_MENTION_COLUMNS, 25, self._search_mark)
                self._exec_many(conn, f"INSERT INTO mentions({columns}) VALUES ({marks})", rows)

    def save_event(self, event: Event) -> None:
        with self._write(f"saving event {event.id!r}") as conn:
            old = self._rows(conn, _REFS.format(table="events", key="id"), (event.id,))
            now = self._now()
            self._exec(
                conn,
                _EVENT_UPSERT,
                (
                    event.id,
                    event.event_type,
                    event.sub_event_type,
                    self._day(event.event_date),
                    event.date_precision,
                    self._place_id(conn, event.place),
                    self._actor_id(conn, event.actor1),
                    self._actor_id(conn, event.actor2),
                    event.weapon,
                    event.count,
                    event.fatalities,
                    event.fatalities_max,
                    event.injured,
                    event.injured_max,
                    self._flag(event.intercepted),
                    self._actor_id(conn, event.claimed_by),
                    self._flag(event.hedged),
                    now,
                    now,
                ),
            )
            self._note_orphans(old)

    def delete_event(self, event_id: str) -> None:
        """Delete an event that no mention points to any more (else :class:`StoreError`)."""
        with self._write(f"deleting event {event_id!r}") as conn:
            row = self._one(conn, "SELECT count(*) AS n FROM mentions WHERE event_id = ?", (event_id,))
            left = int(cast(Row, row)["n"])
            if left:
                raise StoreError(
                    f"event {event_id!r} still has {left} mention(s); replace them before deleting it",
                    source=self._source,
                )
            old = self._rows(conn, _REFS.format(table="events", key="id"), (event_id,))
            self._note_orphans(old)
            self._exec(conn, "DELETE FROM events WHERE id = ?", (event_id,))

    # -- reads -----------------------------------------------------------------------------

    def _id_batches(self, ids: list[str]) -> list[list[str]]:
        """``ids`` in as many lists as one query each takes."""
        if self._array_ids:
            return [ids] if ids else []
        return [ids[i : i + _BATCH] for i in range(0, len(ids), _BATCH)]

    def _load_events(self, conn: ConnT, rows: Sequence[Row]) -> list[Event]:
        """Events for ``rows`` (from ``EVENT_SELECT``), in that order, with their mentions."""
        by_event: dict[str, list[Mention]] = {str(r["id"]): [] for r in rows}
        ids = list(by_event)
        for i in range(0, len(ids), _BATCH):
            term, params = self._in_ids("m.event_id", ids[i : i + _BATCH])
            sql = f"{MENTION_SELECT} WHERE {term} ORDER BY {self._mention_order}"
            for mrow in self._rows(conn, sql, params):
                by_event[str(mrow["event_id"])].append(mention_from_row(mrow))
        return [event_from_row(r, tuple(by_event[str(r["id"])])) for r in rows]

    def _select_rows(self, conn: ConnT, where: str, params: Params) -> Sequence[Row]:
        return self._rows(conn, f"{EVENT_SELECT}{EVENT_FROM} {where}", params)

    def _select_events(self, conn: ConnT, where: str, params: Params) -> list[Event]:
        return self._load_events(conn, self._select_rows(conn, where, params))

    def get_event(self, event_id: str) -> Event | None:
        with self._read(f"reading event {event_id!r}") as conn:
            events = self._select_events(conn, "WHERE e.id = ?", (event_id,))
        return events[0] if events else None

    def get_document(self, doc_id: str) -> Document | None:
        with self._guard(f"reading document {doc_id!r}") as conn:
            row = self._one(
                conn,
                "SELECT id, url, title, outlet, language, published, text, origin"
                " FROM documents WHERE id = ?",
                (doc_id,),
            )
        return None if row is None else document_from_row(row)

    def event_ids_for_document(self, doc_id: str) -> list[str]:
        """Ids of the events the document's mentions point to (to revisit after replacing them)."""
        with self._guard(f"reading the events of document {doc_id!r}") as conn:
            rows = self._rows(
                conn, "SELECT DISTINCT event_id FROM mentions WHERE doc_id = ? ORDER BY event_id", (doc_id,)
            )
        return [str(r["event_id"]) for r in rows]

    def events_in_window(self, start: date, end: date) -> list[Event]:
        with self._read("reading events in a date window") as conn:
            return self._select_events(
                conn,
                "WHERE e.event_date BETWEEN ? AND ? ORDER BY e.event_date, e.id",
                (self._day(start), self._day(end)),
            )

    def events_by_id(self, event_ids: Sequence[str]) -> list[Event]:
        """The events with these ids, with their mentions, in the order given (unknown ids are
        left out)."""
        if not event_ids:
            return []
        by_id: dict[str, Event] = {}
        with self._read(self._events_by_id_action) as conn:
            for chunk in self._id_batches(list(dict.fromkeys(event_ids))):
                term, params = self._in_ids("e.id", chunk)
                for event in self._select_events(conn, f"WHERE {term}", params):
                    by_id[event.id] = event
        return [by_id[i] for i in event_ids if i in by_id]

    def existing_event_ids(self, event_ids: Sequence[str]) -> set[str]:
        """Which of ``event_ids`` are stored."""
        found: set[str] = set()
        if not event_ids and self._array_ids:
            return found  # as PostgreSQL always did (SQLite still checks that the store is open)
        with self._guard(self._event_ids_action) as conn:
            for chunk in self._id_batches(list(dict.fromkeys(event_ids))):
                term, params = self._in_ids("id", chunk)
                found.update(
                    str(r["id"]) for r in self._rows(conn, f"SELECT id FROM events WHERE {term}", params)
                )
        return found

    def undated_events(self) -> list[Event]:
        with self._read("reading undated events") as conn:
            return self._select_events(conn, "WHERE e.event_date IS NULL ORDER BY e.id", ())

    def query_events(self, flt: EventFilter) -> list[Event]:
        cte, where, params = self._filter_sql(flt)
        order = self._order_by[flt.order]
        sql = f"{cte}{EVENT_SELECT}{EVENT_FROM}{where} ORDER BY {order} LIMIT ? OFFSET ?"
        limit = self._no_limit if flt.limit is None else flt.limit
        with self._read("querying events") as conn:
            rows = self._rows(conn, sql, [*params, limit, flt.offset])
            return self._load_events(conn, rows)

    def count_events(self, flt: EventFilter) -> int:
        """How many events match ``flt`` (``limit`` and ``offset`` are ignored)."""
        cte, where, params = self._filter_sql(flt)
        with self._guard("counting events") as conn:
            row = self._one(conn, f"{cte} SELECT count(*) AS n{EVENT_FROM}{where}", params)
        return int(cast(Row, row)["n"])

    def iter_events(self) -> Iterator[Event]:
        """Every event, dated ones by (date, id) then undated ones by id, read in batches."""
        last: tuple[date, str] | None = None
        while True:
            where, params = "WHERE e.event_date IS NOT NULL", list[object]()
            if last is not None:
                after, params = self._after_date_id(*last)
                where += f" AND {after}"
            with self._read("streaming events") as conn:
                batch = self._select_events(
                    conn, f"{where} ORDER BY e.event_date, e.id LIMIT {_BATCH}", params
                )
            yield from batch
            if len(batch) < _BATCH:
                break
            last = (cast(date, batch[-1].event_date), batch[-1].id)
        last_id = ""
        while True:
            with self._read("streaming events") as conn:
                batch = self._select_events(
                    conn, f"WHERE e.event_date IS NULL AND e.id > ? ORDER BY e.id LIMIT {_BATCH}", (last_id,)
                )
            yield from batch
            if len(batch) < _BATCH:
                break
            last_id = batch[-1].id

    def stats(self, by: Period = "week", flt: EventFilter | None = None) -> Stats:
        """Counts of the events matching ``flt`` (all when ``None``; ``limit``/``offset`` ignored)."""
        if by not in PERIODS:
            raise ConfigError(f"unknown period {by!r}; expected one of {', '.join(PERIODS)}")
        cte, where, params = self._filter_sql(flt or EventFilter())
        key = f"key{self._key_collation}"

        def grouped(conn: ConnT, column: str, order: str) -> tuple[tuple[str, int], ...]:
            sql = (
                f"{cte} SELECT key, count(*) AS n FROM (SELECT {column} AS key{EVENT_FROM}{where}) AS keyed"
                f" WHERE key IS NOT NULL GROUP BY key ORDER BY {order}"
            )
            return tuple((str(r["key"]), int(r["n"])) for r in self._rows(conn, sql, params))

        with self._read("computing statistics") as conn:
            row = cast(
                Row,
                self._one(
                    conn,
                    f"{cte} SELECT count(*) AS total, {self._undated_count} AS undated{EVENT_FROM}{where}",
                    params,
                ),
            )
            return Stats(
                by=by,
                total=int(row["total"]),
                undated=int(row["undated"]),
                periods=grouped(conn, self._period_key[by], key),
                event_types=grouped(conn, "e.event_type", f"n DESC, {key}"),
                sub_event_types=grouped(conn, "e.sub_event_type", f"n DESC, {key}"),
                countries=grouped(conn, "coalesce(p.country, 'unknown')", f"n DESC, {key}"),
            )

    def counts(self) -> dict[str, int]:
        with self._read("counting rows") as conn:
            out: dict[str, int] = {}
            for table in ("documents", "mentions", "events", "places", "actors"):
                row = self._one(conn, f"SELECT count(*) AS n FROM {table}")
                out[table] = int(cast(Row, row)["n"])
            return out
