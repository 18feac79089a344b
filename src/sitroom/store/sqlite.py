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
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import cast

from sitroom.errors import StoreError
from sitroom.geo import EARTH_RADIUS_KM, haversine_km
from sitroom.records import Event, Place, Span
from sitroom.store.base import (
    COPY_CANDIDATES_PER_KEY,
    CandidateQuery,
    EventFilter,
)
from sitroom.store.migrations import LATEST_VERSION, SEARCH_KINDS, pending
from sitroom.store.rows import (
    EVENT_FROM,
    EVENT_SELECT,
    candidate_place_sql,
    event_from_row,
    geo_terms,
    place_fields,
    search_words,
    signed64,
    spans_items,
)
from sitroom.store.sql import Params, SQLStore

__all__ = ["EARTH_RADIUS_KM", "MEMORY", "SQLiteStore", "haversine_km"]

#: Path of a private in-memory database (gone when the store closes).
MEMORY = ":memory:"


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


def _spans_json(spans: Sequence[Span]) -> str:
    return json.dumps(spans_items(spans), ensure_ascii=False)


def _fts_query(text: str) -> str:
    """User words as an FTS5 query: every word must occur; ``word*`` is a prefix."""
    return " ".join(
        '"' + word.replace('"', '""') + '"' + ("*" if prefix else "") for word, prefix in search_words(text)
    )


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


class SQLiteStore(SQLStore[sqlite3.Connection]):
    """A :class:`~sitroom.store.base.Store` in one SQLite file (or ``":memory:"``).

    The constructor only records its arguments; :meth:`open` (or ``with store:``) connects,
    creates a missing parent folder, sets the PRAGMAs and applies pending migrations.
    ``clock`` returns the current time (aware UTC) for ``ingested_at``/``created_at``/``updated_at``.
    """

    _driver_error = sqlite3.Error
    _guard_errors = (sqlite3.Error,)
    _closing = "database"
    _savepoint_action = "starting a transaction"
    _document_state_action = "read a document"
    _events_by_id_action = "reading events"
    _event_ids_action = "looking up event ids"
    _begin_read = "BEGIN"
    _end_read = "COMMIT"
    _named_id = ":id"
    _array_ids = False
    _mention_order = _MENTION_ORDER
    _order_by = _ORDER_BY
    _period_key = _PERIOD_KEY
    _undated_count = "coalesce(sum(e.event_date IS NULL), 0)"
    _key_collation = ""
    _no_limit = -1

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 10.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.path = os.fspath(path)
        super().__init__(self.path, timeout=timeout, clock=clock or _utcnow)

    # -- backend hooks ---------------------------------------------------------------------

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

    def _close_conn(self, conn: sqlite3.Connection) -> None:
        conn.close()

    def _begin(self, conn: sqlite3.Connection) -> None:
        self._execute(conn, "BEGIN IMMEDIATE", "starting a transaction")

    def _in_transaction(self, conn: sqlite3.Connection) -> bool:
        return conn.in_transaction

    def _busy(self, conn: sqlite3.Connection) -> bool:
        return conn.in_transaction

    def _commit_hint(self, exc: Exception) -> str:
        if "FOREIGN KEY" in str(exc):
            return " (a mention points to an event that was not saved or was deleted)"
        return ""

    def _rows(self, conn: sqlite3.Connection, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return conn.execute(sql, params).fetchall()

    def _one(self, conn: sqlite3.Connection, sql: str, params: Params = ()) -> sqlite3.Row | None:
        return cast("sqlite3.Row | None", conn.execute(sql, params).fetchone())

    def _exec(self, conn: sqlite3.Connection, sql: str, params: Params = ()) -> None:
        conn.execute(sql, params)

    def _exec_many(self, conn: sqlite3.Connection, sql: str, rows: Sequence[Params]) -> None:
        conn.executemany(sql, rows)

    def _insert_place(self, conn: sqlite3.Connection, key: str, place: Place) -> int:
        cursor = conn.execute(
            "INSERT INTO places(key, name, geo_precision, country, country_code, admin1, latitude, longitude,"
            " kind, gazetteer_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key, *place_fields(place)),
        )
        return int(cast(int, cursor.lastrowid))

    def _insert_actor(self, conn: sqlite3.Connection, name: str) -> int:
        cursor = conn.execute("INSERT INTO actors(name) VALUES (?)", (name,))
        return int(cast(int, cursor.lastrowid))

    def _filter_sql(self, flt: EventFilter) -> tuple[str, str, list[object]]:
        return _filter_sql(flt)

    def _in_ids(self, column: str, ids: list[str]) -> tuple[str, list[object]]:
        return f"{column} IN ({', '.join('?' * len(ids))})", list(ids)

    def _after_date_id(self, day: date, event_id: str) -> tuple[str, list[object]]:
        text = day.isoformat()
        return "(e.event_date > ? OR (e.event_date = ? AND e.id > ?))", [text, text, event_id]

    def _now(self) -> str:
        return _stamp(self._clock())

    def _day(self, value: date | None) -> str | None:
        return value.isoformat() if value else None

    def _flag(self, value: bool | None) -> int | None:
        return None if value is None else int(value)

    def _spans(self, spans: Sequence[Span]) -> str:
        return _spans_json(spans)

    # -- the document text index (schema version 4) -----------------------------------------

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

    @contextmanager
    def _document_saving(self, conn: sqlite3.Connection, doc_id: str) -> Iterator[None]:
        """A document's text is in the index while it has mentions: take it out, then back."""
        indexed = self._has_mentions(conn, doc_id)
        if indexed:
            self._index_document(conn, doc_id, add=False)
        yield
        if indexed:
            self._index_document(conn, doc_id, add=True)

    def _mentions_replacing(self, conn: sqlite3.Connection, doc_id: str, had: bool, will: bool) -> None:
        if had != will:  # its text is searchable while it has mentions
            self._index_document(conn, doc_id, add=will)

    # -- sketches, copies, candidates ------------------------------------------------------

    def save_sketch(self, doc_id: str, sketch: Sequence[int], index_keys: Sequence[int]) -> None:
        """Store a document's text sketch and index its smallest hashes (see dedupe.text_sketch)."""
        with self._guard(f"saving the sketch of document {doc_id!r}") as conn:
            pk = self._document_pk(conn, doc_id)
            conn.execute(
                "INSERT OR REPLACE INTO document_sketches(doc_id, sketch) VALUES (?, ?)",
                (doc_id, json.dumps(list(sketch))),
            )
            conn.execute("DELETE FROM sketch_keys WHERE doc_pk = ?", (pk,))
            conn.executemany(
                "INSERT OR IGNORE INTO sketch_keys(hash, doc_pk) VALUES (?, ?)",
                [(signed64(k), pk) for k in index_keys],
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

    def candidate_events(self, query: CandidateQuery) -> list[Event]:
        """Events matching ``query``, without their mentions: dated by (date, id), then undated."""
        country = ""
        country_params: list[object] = []
        if query.country_codes is not None:
            marks = ", ".join("?" * len(query.country_codes))
            country = f" AND (e.place_id IS NULL OR p.country_code IS NULL OR p.country_code IN ({marks}))"
            country_params = list(query.country_codes)
        near, near_params = candidate_place_sql(query, "?")
        country += near
        country_params += near_params
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
