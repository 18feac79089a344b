"""The SQLite store (stdlib :mod:`sqlite3` only).

* One connection per :class:`SQLiteStore`; open several stores (threads, processes) on one
  file for concurrency: WAL lets readers run beside one writer, and writers wait up to
  ``timeout`` seconds for each other (``busy_timeout``; write transactions start with
  ``BEGIN IMMEDIATE`` so they never deadlock on a lock upgrade).
* A store may also be shared between threads: an internal lock serialises its calls, and a
  :meth:`SQLiteStore.transaction` holds that lock until it ends.
* Every :class:`sqlite3.Error` is translated into :class:`~sitroom.errors.StoreError` where it
  enters, with the database path as ``source``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Self, cast

from sitroom.errors import ConfigError, StoreError
from sitroom.geo import EARTH_RADIUS_KM, haversine_km
from sitroom.records import Document, Event, Mention, Place, Span
from sitroom.store.base import (
    COPY_CANDIDATES_PER_KEY,
    PERIODS,
    CandidateQuery,
    DocumentState,
    EventFilter,
    Period,
    Stats,
)
from sitroom.store.migrations import LATEST_VERSION, SEARCH_KINDS, pending
from sitroom.store.rows import (
    EVENT_FROM,
    EVENT_SELECT,
    MENTION_SELECT,
    ORPHAN_ACTOR_SQL,
    ORPHAN_PLACE_SQL,
    document_from_row,
    event_from_row,
    geo_terms,
    mention_from_row,
    orphans_of,
    place_fields,
    place_key,
    search_words,
    signed64,
    spans_items,
)

__all__ = ["EARTH_RADIUS_KM", "MEMORY", "SQLiteStore", "haversine_km"]

#: Path of a private in-memory database (gone when the store closes).
MEMORY = ":memory:"
_BATCH = 500  # events per query when loading mentions or streaming


def _sql_fold(value: object) -> str | None:
    return value.casefold() if isinstance(value, str) else None


def _sql_haversine(lat1: object, lon1: object, lat2: object, lon2: object) -> float | None:
    values = (lat1, lon1, lat2, lon2)
    if not all(isinstance(v, int | float) for v in values):
        return None
    return haversine_km(*(float(cast(float, v)) for v in values))


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _db_bool(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _spans_json(spans: Sequence[Span]) -> str:
    return json.dumps(spans_items(spans), ensure_ascii=False)


def _fts_query(text: str) -> str:
    """User words as an FTS5 query: every word must occur; ``word*`` is a prefix."""
    return " ".join(
        '"' + word.replace('"', '""') + '"' + ("*" if prefix else "") for word, prefix in search_words(text)
    )


_ORPHAN_PLACE = ORPHAN_PLACE_SQL.format(id=":id")
_ORPHAN_ACTOR = ORPHAN_ACTOR_SQL.format(id=":id")

# Earliest report first; then document, position in it, insertion order.
_MENTION_ORDER = "d.published IS NULL, d.published, m.doc_id, m.start_offset, m.end_offset, m.id"

_ORDER_BY: dict[str, str] = {
    "date_desc": "e.event_date IS NULL, e.event_date DESC, e.id",
    "date_asc": "e.event_date IS NULL, e.event_date ASC, e.id",
    "fatalities_desc": (
        "e.fatalities IS NULL, e.fatalities DESC, e.event_date IS NULL, e.event_date DESC, e.id"
    ),
}

_PERIOD_KEY: dict[str, str] = {
    "day": "e.event_date",
    "week": "date(e.event_date, 'weekday 0', '-6 days')",  # the Monday of the ISO week
    "month": "substr(e.event_date, 1, 7)",
}

_DOC, _MEN, _PLA, _ACT = (SEARCH_KINDS[k] for k in ("document", "mention", "place", "actor"))
_TEXT_CTE = f"""
WITH hits(tag, ref) AS (SELECT rowid % 4, rowid / 4 FROM search WHERE search MATCH ?),
text_events(id) AS (
    SELECT m.event_id FROM hits JOIN mentions m ON m.id = hits.ref WHERE hits.tag = {_MEN}
    UNION
    SELECT m.event_id FROM hits JOIN documents d ON d.pk = hits.ref JOIN mentions m ON m.doc_id = d.id
     WHERE hits.tag = {_DOC}
    UNION
    SELECT x.id FROM hits JOIN events x ON x.place_id = hits.ref WHERE hits.tag = {_PLA}
    UNION
    SELECT m.event_id FROM hits JOIN mentions m ON m.place_id = hits.ref WHERE hits.tag = {_PLA}
    UNION
    SELECT x.id FROM hits JOIN events x ON x.actor1_id = hits.ref WHERE hits.tag = {_ACT}
    UNION
    SELECT x.id FROM hits JOIN events x ON x.actor2_id = hits.ref WHERE hits.tag = {_ACT}
    UNION
    SELECT x.id FROM hits JOIN events x ON x.claimed_by_id = hits.ref WHERE hits.tag = {_ACT}
)"""


def _filter_sql(flt: EventFilter) -> tuple[str, str, list[object]]:
    """``(cte, where, params)`` for a filter; ``params`` follow the CTE then the WHERE clause."""
    cte = ""
    params: list[object] = []
    where: list[str] = []
    if flt.text and (query := _fts_query(flt.text)):
        cte = _TEXT_CTE
        params.append(query)
        where.append("e.id IN (SELECT id FROM text_events)")
    elif flt.text and flt.text.strip():
        where.append("0")  # only punctuation: nothing can match
    if flt.since is not None:
        where.append("e.event_date >= ?")
        params.append(flt.since.isoformat())
    if flt.until is not None:
        where.append("e.event_date <= ?")
        params.append(flt.until.isoformat())
    if flt.country and flt.country.strip():
        country = flt.country.strip()
        where.append(
            "(p.country_code = ? COLLATE NOCASE OR p.country = ? COLLATE NOCASE"
            " OR sitroom_fold(p.country) = ?)"
        )
        params += [country, country, country.casefold()]
    if flt.event_type and flt.event_type.strip():
        kind = flt.event_type.strip()
        where.append("(e.event_type = ? COLLATE NOCASE OR e.sub_event_type = ? COLLATE NOCASE)")
        params += [kind, kind]
    if flt.actor and flt.actor.strip():
        needle = flt.actor.strip().casefold()
        where.append(
            "(instr(sitroom_fold(a1.name), ?) > 0 OR instr(sitroom_fold(a2.name), ?) > 0"
            " OR instr(sitroom_fold(ac.name), ?) > 0)"
        )
        params += [needle, needle, needle]
    if flt.near is not None:
        lat, lon = flt.near
        where.append("sitroom_haversine(p.latitude, p.longitude, ?, ?) <= ?")
        params += [lat, lon, flt.radius_km]
    # A bounding box the index-free planner can test before the distance function.
    geo_where, geo_params = geo_terms(flt, "?")
    where += geo_where
    params += geo_params
    if flt.min_fatalities is not None:
        where.append("e.fatalities >= ?")
        params.append(flt.min_fatalities)
    return cte, (" WHERE " + " AND ".join(where)) if where else "", params


class SQLiteStore:
    """A :class:`~sitroom.store.base.Store` in one SQLite file (or ``":memory:"``).

    The constructor only records its arguments; :meth:`open` (or ``with store:``) connects,
    creates a missing parent folder, sets the PRAGMAs and applies pending migrations.
    ``clock`` returns the current time (aware UTC) for ``ingested_at``/``created_at``/``updated_at``.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 10.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.path = os.fspath(path)
        self.timeout = timeout
        self._clock = clock or _utcnow
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.RLock()
        self._depth = 0
        self._orphan_places: set[int] = set()
        self._orphan_actors: set[int] = set()

    def __repr__(self) -> str:
        state = "open" if self._conn is not None else "closed"
        return f"SQLiteStore({self.path!r}, {state})"

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
            except sqlite3.Error as exc:
                conn.close()
                raise StoreError(f"cannot open the database: {exc}", source=self.path) from exc
            except BaseException:
                conn.close()
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
                conn.close()  # an unfinished transaction is rolled back
            except sqlite3.Error as exc:
                raise StoreError(f"closing the database failed: {exc}", source=self.path) from exc

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

    def _connect(self) -> sqlite3.Connection:
        if not self.path:
            raise StoreError("no database path given")
        if self.path != MEMORY:
            path = Path(self.path)
            if path.is_dir():
                raise StoreError("is a folder, not a database file", source=self.path)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                reason = exc.strerror or str(exc)
                raise StoreError(
                    f"cannot create the folder {path.parent}: {reason}", source=self.path
                ) from exc
        try:
            conn = sqlite3.connect(
                self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the database: {exc}", source=self.path) from exc
        conn.row_factory = sqlite3.Row
        return conn

    def _configure(self, conn: sqlite3.Connection) -> None:
        conn.execute(f"PRAGMA busy_timeout = {max(0, int(self.timeout * 1000))}")
        conn.execute("PRAGMA foreign_keys = ON")
        self._use_wal(conn)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.create_function("sitroom_fold", 1, _sql_fold, deterministic=True)
        conn.create_function("sitroom_haversine", 4, _sql_haversine, deterministic=True)

    def _use_wal(self, conn: sqlite3.Connection) -> None:
        """Switch to WAL (persistent in the file, so once per database).

        Reading the mode reads the header, so a non-SQLite file fails here. The switch needs an
        exclusive lock and SQLite may answer "locked" without calling the busy handler when
        several connections create one new database at once: retry until ``timeout``.
        """
        if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() in ("wal", "memory"):
            return
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(0.02)

    def _schema_version(self, conn: sqlite3.Connection) -> int:
        tables = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "schema_migrations" not in tables:
            if tables:
                listed = ", ".join(sorted(tables)[:5])
                raise StoreError(
                    f"not a sitroom database: it holds other tables ({listed}) and no schema_migrations",
                    source=self.path,
                )
            return 0
        return int(conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0])

    def _migrate(self, conn: sqlite3.Connection) -> None:
        if self._schema_version(conn) == LATEST_VERSION:
            return  # fast path: no write lock needed
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = self._schema_version(conn)  # re-read under the write lock
            if current > LATEST_VERSION:
                raise StoreError(
                    f"the database is at schema version {current}, newer than this sitroom supports "
                    f"({LATEST_VERSION}); upgrade sitroom to use it",
                    source=self.path,
                )
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            for migration in pending(current):
                for statement in migration.statements():
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, _stamp(self._clock())),
                )
            conn.execute(f"PRAGMA user_version = {LATEST_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def applied_migrations(self) -> list[tuple[int, str]]:
        """``(version, applied_at)`` of every migration recorded in the database."""
        with self._read("read schema_migrations") as conn:
            rows = conn.execute("SELECT version, applied_at FROM schema_migrations ORDER BY version")
            return [(int(r[0]), str(r[1])) for r in rows]

    @contextmanager
    def connection(self, action: str) -> Iterator[sqlite3.Connection]:
        """The open connection under the store's lock, for modules that keep tables of their own
        (:mod:`sitroom.watch.state`). A :class:`sqlite3.Error` raised in the block becomes a
        :class:`StoreError` naming ``action``. Writes belong inside :meth:`transaction`.
        """
        with self._guard(action) as conn:
            yield conn

    # -- transactions ----------------------------------------------------------------------

    def _require(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError("the store is not open; call open() or use it in a with block", source=self.path)
        return self._conn

    def _execute(self, conn: sqlite3.Connection, sql: str, action: str) -> None:
        try:
            conn.execute(sql)
        except sqlite3.Error as exc:
            raise StoreError(f"{action} failed: {exc}", source=self.path) from exc

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction: commit when the block ends, roll back if it raises.

        Nested blocks become savepoints: an inner failure that the caller catches undoes only
        the inner block. The store's lock is held until the outermost block ends.
        """
        with self._lock:
            conn = self._require()
            outer = self._depth == 0
            savepoint = f"sitroom_{self._depth}"
            self._execute(
                conn, "BEGIN IMMEDIATE" if outer else f"SAVEPOINT {savepoint}", "starting a transaction"
            )
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
                self._execute(conn, f"RELEASE {savepoint}", "releasing a savepoint")

    def _rollback(self, conn: sqlite3.Connection, outer: bool, savepoint: str) -> None:
        if outer:
            self._orphan_places.clear()
            self._orphan_actors.clear()
        if not conn.in_transaction:
            return  # SQLite already rolled back (e.g. after a disk-full error)
        if outer:
            self._execute(conn, "ROLLBACK", "rolling back")
        else:
            self._execute(conn, f"ROLLBACK TO {savepoint}", "rolling back to a savepoint")
            self._execute(conn, f"RELEASE {savepoint}", "releasing a savepoint")

    def _commit(self, conn: sqlite3.Connection) -> None:
        try:
            self._collect_orphans(conn)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                self._execute(conn, "ROLLBACK", "rolling back")
            hint = ""
            if "FOREIGN KEY" in str(exc):
                hint = " (a mention points to an event that was not saved or was deleted)"
            raise StoreError(f"commit failed: {exc}{hint}", source=self.path) from exc
        finally:
            self._orphan_places.clear()
            self._orphan_actors.clear()

    def _collect_orphans(self, conn: sqlite3.Connection) -> None:
        """Delete the places and actors that lost their last reference in this transaction."""
        conn.executemany(_ORPHAN_PLACE, [{"id": i} for i in sorted(self._orphan_places)])
        conn.executemany(_ORPHAN_ACTOR, [{"id": i} for i in sorted(self._orphan_actors)])

    def _note_orphans(self, rows: Iterable[sqlite3.Row]) -> None:
        places, actors = orphans_of(rows)
        self._orphan_places |= places
        self._orphan_actors |= actors

    @contextmanager
    def _guard(self, action: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._require()
            try:
                yield conn
            except sqlite3.Error as exc:
                raise StoreError(f"{action} failed: {exc}", source=self.path) from exc

    @contextmanager
    def _write(self, action: str) -> Iterator[sqlite3.Connection]:
        with self.transaction(), self._guard(action) as conn:
            yield conn

    @contextmanager
    def _read(self, action: str) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for multi-statement reads (or the open transaction's view)."""
        with self._guard(action) as conn:
            if self._depth or conn.in_transaction:
                yield conn
                return
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")

    def _now(self) -> str:
        return _stamp(self._clock())

    # -- writes ----------------------------------------------------------------------------

    def _place_id(self, conn: sqlite3.Connection, place: Place | None) -> int | None:
        if place is None:
            return None
        key = place_key(place)
        row = conn.execute("SELECT id FROM places WHERE key = ?", (key,)).fetchone()
        if row is not None:
            return int(row[0])
        cursor = conn.execute(
            "INSERT INTO places(key, name, geo_precision, country, country_code, admin1, latitude, longitude,"
            " kind, gazetteer_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key, *place_fields(place)),
        )
        return int(cast(int, cursor.lastrowid))

    def _actor_id(self, conn: sqlite3.Connection, name: str | None) -> int | None:
        if name is None:
            return None
        row = conn.execute("SELECT id FROM actors WHERE name = ?", (name,)).fetchone()
        if row is not None:
            return int(row[0])
        cursor = conn.execute("INSERT INTO actors(name) VALUES (?)", (name,))
        return int(cast(int, cursor.lastrowid))

    def document_state(self, doc: Document) -> DocumentState:
        with self._guard("read a document") as conn:
            row = conn.execute("SELECT fingerprint FROM documents WHERE id = ?", (doc.id,)).fetchone()
        if row is None:
            return "new"
        return "same" if row[0] == doc.fingerprint else "changed"

    def _index_document(self, conn: sqlite3.Connection, doc_id: str, add: bool) -> None:
        """Add the document's title and text to ``search``, or remove them (schema version 4)."""
        row = conn.execute("SELECT pk, title, text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            return
        body = f"{row['title'] or ''} {row['text']}"
        rowid = int(row["pk"]) * 4 + SEARCH_KINDS["document"]
        if add:
            conn.execute("INSERT INTO search(rowid, body) VALUES (?, ?)", (rowid, body))
        else:
            conn.execute("INSERT INTO search(search, rowid, body) VALUES ('delete', ?, ?)", (rowid, body))

    def _has_mentions(self, conn: sqlite3.Connection, doc_id: str) -> bool:
        found = conn.execute("SELECT 1 FROM mentions WHERE doc_id = ? LIMIT 1", (doc_id,)).fetchone()
        return found is not None

    def save_document(self, doc: Document) -> None:
        with self._write(f"saving document {doc.id!r}") as conn:
            indexed = self._has_mentions(conn, doc.id)
            if indexed:
                self._index_document(conn, doc.id, add=False)
            conn.execute(
                """
                INSERT INTO documents(id, url, title, outlet, language, published, text, fingerprint, origin,
                                      ingested_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET
                    url = excluded.url, title = excluded.title, outlet = excluded.outlet,
                    language = excluded.language, published = excluded.published, text = excluded.text,
                    fingerprint = excluded.fingerprint, origin = excluded.origin,
                    ingested_at = excluded.ingested_at
                """,
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
                ),
            )
            if indexed:
                self._index_document(conn, doc.id, add=True)

    def replace_mentions(self, doc_id: str, mentions: Sequence[tuple[Mention, str]]) -> None:
        for mention, _ in mentions:
            if mention.doc_id != doc_id:
                raise StoreError(
                    f"a mention of document {mention.doc_id!r} was given for document {doc_id!r}"
                )
        with self._write(f"replacing the mentions of document {doc_id!r}") as conn:
            if (
                mentions
                and conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is None
            ):
                raise StoreError(
                    f"document {doc_id!r} is not saved: call save_document first", source=self.path
                )
            old = conn.execute(
                "SELECT place_id, actor1_id, actor2_id, claimed_by_id FROM mentions WHERE doc_id = ?",
                (doc_id,),
            ).fetchall()
            self._note_orphans(old)
            if bool(old) != bool(mentions):  # its text is searchable while it has mentions
                self._index_document(conn, doc_id, add=bool(mentions))
            conn.execute("DELETE FROM mentions WHERE doc_id = ?", (doc_id,))
            for seq, (m, event_id) in enumerate(mentions):
                conn.execute(
                    """
                    INSERT INTO mentions(doc_id, event_id, seq, key, role, event_type, sub_event_type,
                        evidence, start_offset, end_offset, event_date, date_precision, place_id, actor1_id,
                        actor2_id, weapon, count, fatalities, injured, intercepted, claimed_by_id, hedged,
                        language, spans, extractor)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
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
                        m.event_date.isoformat() if m.event_date else None,
                        m.date_precision,
                        self._place_id(conn, m.place),
                        self._actor_id(conn, m.actor1),
                        self._actor_id(conn, m.actor2),
                        m.weapon,
                        m.count,
                        m.fatalities,
                        m.injured,
                        _db_bool(m.intercepted),
                        self._actor_id(conn, m.claimed_by),
                        int(m.hedged),
                        m.language,
                        _spans_json(m.spans),
                        m.extractor,
                    ),
                )

    def save_event(self, event: Event) -> None:
        with self._write(f"saving event {event.id!r}") as conn:
            old = conn.execute(
                "SELECT place_id, actor1_id, actor2_id, claimed_by_id FROM events WHERE id = ?", (event.id,)
            ).fetchall()
            now = self._now()
            conn.execute(
                """
                INSERT INTO events(id, event_type, sub_event_type, event_date, date_precision, place_id,
                    actor1_id, actor2_id, weapon, count, fatalities, fatalities_max, injured, injured_max,
                    intercepted, claimed_by_id, hedged, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET
                    event_type = excluded.event_type, sub_event_type = excluded.sub_event_type,
                    event_date = excluded.event_date, date_precision = excluded.date_precision,
                    place_id = excluded.place_id, actor1_id = excluded.actor1_id,
                    actor2_id = excluded.actor2_id, weapon = excluded.weapon, count = excluded.count,
                    fatalities = excluded.fatalities, fatalities_max = excluded.fatalities_max,
                    injured = excluded.injured, injured_max = excluded.injured_max,
                    intercepted = excluded.intercepted, claimed_by_id = excluded.claimed_by_id,
                    hedged = excluded.hedged, updated_at = excluded.updated_at
                """,
                (
                    event.id,
                    event.event_type,
                    event.sub_event_type,
                    event.event_date.isoformat() if event.event_date else None,
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
                    _db_bool(event.intercepted),
                    self._actor_id(conn, event.claimed_by),
                    int(event.hedged),
                    now,
                    now,
                ),
            )
            self._note_orphans(old)

    def delete_event(self, event_id: str) -> None:
        """Delete an event that no mention points to any more (else :class:`StoreError`)."""
        with self._write(f"deleting event {event_id!r}") as conn:
            left = int(
                conn.execute("SELECT count(*) FROM mentions WHERE event_id = ?", (event_id,)).fetchone()[0]
            )
            if left:
                raise StoreError(
                    f"event {event_id!r} still has {left} mention(s); replace them before deleting it",
                    source=self.path,
                )
            old = conn.execute(
                "SELECT place_id, actor1_id, actor2_id, claimed_by_id FROM events WHERE id = ?", (event_id,)
            ).fetchall()
            self._note_orphans(old)
            conn.execute("DELETE FROM events WHERE id = ?", (event_id,))

    # -- reads -----------------------------------------------------------------------------

    def _load_events(self, conn: sqlite3.Connection, rows: Sequence[sqlite3.Row]) -> list[Event]:
        """Events for ``rows`` (from ``EVENT_SELECT``), in that order, with their mentions."""
        by_event: dict[str, list[Mention]] = {str(r["id"]): [] for r in rows}
        ids = list(by_event)
        for i in range(0, len(ids), _BATCH):
            chunk = ids[i : i + _BATCH]
            marks = ", ".join("?" * len(chunk))
            sql = f"{MENTION_SELECT} WHERE m.event_id IN ({marks}) ORDER BY {_MENTION_ORDER}"
            for mrow in conn.execute(sql, chunk):
                by_event[str(mrow["event_id"])].append(mention_from_row(mrow))
        return [event_from_row(r, tuple(by_event[str(r["id"])])) for r in rows]

    def _select_events(self, conn: sqlite3.Connection, where: str, params: Sequence[object]) -> list[Event]:
        rows = conn.execute(f"{EVENT_SELECT}{EVENT_FROM} {where}", params).fetchall()
        return self._load_events(conn, rows)

    def get_event(self, event_id: str) -> Event | None:
        with self._read(f"reading event {event_id!r}") as conn:
            events = self._select_events(conn, "WHERE e.id = ?", (event_id,))
        return events[0] if events else None

    def get_document(self, doc_id: str) -> Document | None:
        with self._guard(f"reading document {doc_id!r}") as conn:
            row = conn.execute(
                "SELECT id, url, title, outlet, language, published, text, origin"
                " FROM documents WHERE id = ?",
                (doc_id,),
            ).fetchone()
        return None if row is None else document_from_row(row)

    def save_sketch(self, doc_id: str, sketch: Sequence[int], index_keys: Sequence[int]) -> None:
        """Store a document's text sketch and index its smallest hashes (see dedupe.text_sketch)."""
        with self._guard(f"saving the sketch of document {doc_id!r}") as conn:
            row = conn.execute("SELECT pk FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if row is None:
                raise StoreError(
                    f"document {doc_id!r} is not saved: call save_document first", source=self.path
                )
            conn.execute(
                "INSERT OR REPLACE INTO document_sketches(doc_id, sketch) VALUES (?, ?)",
                (doc_id, json.dumps(list(sketch))),
            )
            conn.execute("DELETE FROM sketch_keys WHERE doc_pk = ?", (row[0],))
            conn.executemany(
                "INSERT OR IGNORE INTO sketch_keys(hash, doc_pk) VALUES (?, ?)",
                [(signed64(k), row[0]) for k in index_keys],
            )

    def copy_candidates(self, index_keys: Sequence[int]) -> list[tuple[str, list[int]]]:
        """Stored documents sharing one of ``index_keys`` (at most :data:`COPY_CANDIDATES_PER_KEY`
        per key, the most recently stored), with their sketches, by document id."""
        if not index_keys:
            return []
        keys = sorted({signed64(k) for k in index_keys})
        per_key = " UNION ".join(
            "SELECT * FROM (SELECT doc_pk FROM sketch_keys WHERE hash = ?"
            f" ORDER BY doc_pk DESC LIMIT {COPY_CANDIDATES_PER_KEY})"
            for _ in keys
        )
        with self._guard("looking up similar documents") as conn:
            rows = conn.execute(
                f"SELECT d.id, s.sketch FROM ({per_key}) k JOIN documents d ON d.pk = k.doc_pk "
                "JOIN document_sketches s ON s.doc_id = d.id ORDER BY d.id",
                keys,
            )
            return [(str(r[0]), [int(x) for x in json.loads(r[1])]) for r in rows]

    def link_copy(self, doc_id: str, copy_of: str, similarity: float) -> None:
        with self._guard(f"linking document {doc_id!r} as a copy") as conn:
            conn.execute(
                "INSERT OR REPLACE INTO near_copies(doc_id, copy_of, similarity) VALUES (?, ?, ?)",
                (doc_id, copy_of, similarity),
            )

    def copies_of(self, doc_id: str) -> list[tuple[str, float]]:
        """Documents linked to ``doc_id`` as wire copies (either direction), with similarity."""
        with self._guard(f"reading the copies of document {doc_id!r}") as conn:
            rows = conn.execute(
                "SELECT copy_of, similarity FROM near_copies WHERE doc_id = ? "
                "UNION SELECT doc_id, similarity FROM near_copies WHERE copy_of = ? ORDER BY 1",
                (doc_id, doc_id),
            )
            return [(str(r[0]), float(r[1])) for r in rows]

    def event_ids_for_document(self, doc_id: str) -> list[str]:
        """Ids of the events the document's mentions point to (to revisit after replacing them)."""
        with self._guard(f"reading the events of document {doc_id!r}") as conn:
            rows = conn.execute(
                "SELECT DISTINCT event_id FROM mentions WHERE doc_id = ? ORDER BY event_id", (doc_id,)
            )
            return [str(r[0]) for r in rows]

    def events_in_window(self, start: date, end: date) -> list[Event]:
        with self._read("reading events in a date window") as conn:
            return self._select_events(
                conn,
                "WHERE e.event_date BETWEEN ? AND ? ORDER BY e.event_date, e.id",
                (start.isoformat(), end.isoformat()),
            )

    def candidate_events(self, query: CandidateQuery) -> list[Event]:
        """Events matching ``query``, without their mentions: dated by (date, id), then undated."""
        country = ""
        country_params: list[object] = []
        if query.country_codes is not None:
            marks = ", ".join("?" * len(query.country_codes))
            country = f" AND (e.place_id IS NULL OR p.country_code IS NULL OR p.country_code IN ({marks}))"
            country_params = list(query.country_codes)
        found: list[Event] = []
        with self._read("reading candidate events") as conn:
            if query.ranges:
                terms = " OR ".join(
                    "(e.date_precision = ? AND e.event_date BETWEEN ? AND ?)" for _ in query.ranges
                )
                params: list[object] = [
                    v for p, lo, hi in query.ranges for v in (p, lo.isoformat(), hi.isoformat())
                ]
                rows = conn.execute(
                    f"{EVENT_SELECT}{EVENT_FROM} WHERE ({terms}){country} ORDER BY e.event_date, e.id",
                    [*params, *country_params],
                )
                found += [event_from_row(r, ()) for r in rows]
            if query.undated:
                rows = conn.execute(
                    f"{EVENT_SELECT}{EVENT_FROM} WHERE e.event_date IS NULL{country} ORDER BY e.id",
                    country_params,
                )
                found += [event_from_row(r, ()) for r in rows]
        return found

    def events_by_id(self, event_ids: Sequence[str]) -> list[Event]:
        """The events with these ids, with their mentions, in the order given."""
        if not event_ids:
            return []
        by_id: dict[str, Event] = {}
        with self._read("reading events") as conn:
            ids = list(dict.fromkeys(event_ids))
            for i in range(0, len(ids), _BATCH):
                chunk = ids[i : i + _BATCH]
                marks = ", ".join("?" * len(chunk))
                for event in self._select_events(conn, f"WHERE e.id IN ({marks})", chunk):
                    by_id[event.id] = event
        return [by_id[i] for i in event_ids if i in by_id]

    def existing_event_ids(self, event_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        ids = list(dict.fromkeys(event_ids))
        with self._guard("looking up event ids") as conn:
            for i in range(0, len(ids), _BATCH):
                chunk = ids[i : i + _BATCH]
                marks = ", ".join("?" * len(chunk))
                found.update(
                    str(r[0]) for r in conn.execute(f"SELECT id FROM events WHERE id IN ({marks})", chunk)
                )
        return found

    def undated_events(self) -> list[Event]:
        with self._read("reading undated events") as conn:
            return self._select_events(conn, "WHERE e.event_date IS NULL ORDER BY e.id", ())

    def query_events(self, flt: EventFilter) -> list[Event]:
        cte, where, params = _filter_sql(flt)
        sql = f"{cte}{EVENT_SELECT}{EVENT_FROM}{where} ORDER BY {_ORDER_BY[flt.order]} LIMIT ? OFFSET ?"
        limit = -1 if flt.limit is None else flt.limit
        with self._read("querying events") as conn:
            rows = conn.execute(sql, [*params, limit, flt.offset]).fetchall()
            return self._load_events(conn, rows)

    def count_events(self, flt: EventFilter) -> int:
        """How many events match ``flt`` (``limit`` and ``offset`` are ignored)."""
        cte, where, params = _filter_sql(flt)
        with self._guard("counting events") as conn:
            return int(conn.execute(f"{cte} SELECT count(*){EVENT_FROM}{where}", params).fetchone()[0])

    def iter_events(self) -> Iterator[Event]:
        """Every event, dated ones by (date, id) then undated ones by id, read in batches."""
        last_date, last_id = "", ""
        while True:
            with self._read("streaming events") as conn:
                batch = self._select_events(
                    conn,
                    "WHERE e.event_date IS NOT NULL AND (e.event_date > ? OR (e.event_date = ? AND e.id > ?))"
                    f" ORDER BY e.event_date, e.id LIMIT {_BATCH}",
                    (last_date, last_date, last_id),
                )
            yield from batch
            if len(batch) < _BATCH:
                break
            last_date, last_id = cast(date, batch[-1].event_date).isoformat(), batch[-1].id
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
        cte, where, params = _filter_sql(flt or EventFilter())

        def grouped(conn: sqlite3.Connection, key: str, order: str) -> tuple[tuple[str, int], ...]:
            sql = (
                f"{cte} SELECT key, count(*) AS n FROM (SELECT {key} AS key{EVENT_FROM}{where})"
                f" WHERE key IS NOT NULL GROUP BY key ORDER BY {order}"
            )
            return tuple((str(r[0]), int(r[1])) for r in conn.execute(sql, params))

        with self._read("computing statistics") as conn:
            total, undated = conn.execute(
                f"{cte} SELECT count(*), coalesce(sum(e.event_date IS NULL), 0){EVENT_FROM}{where}", params
            ).fetchone()
            return Stats(
                by=by,
                total=int(total),
                undated=int(undated),
                periods=grouped(conn, _PERIOD_KEY[by], "key"),
                event_types=grouped(conn, "e.event_type", "n DESC, key"),
                sub_event_types=grouped(conn, "e.sub_event_type", "n DESC, key"),
                countries=grouped(conn, "coalesce(p.country, 'unknown')", "n DESC, key"),
            )

    def counts(self) -> dict[str, int]:
        with self._read("counting rows") as conn:
            return {
                table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                for table in ("documents", "mentions", "events", "places", "actors")
            }
