"""The PostgreSQL store (psycopg 3): the same behaviour as :mod:`sitroom.store.sqlite` on a server.

* One connection per :class:`PostgresStore` (autocommit; transactions are explicit). A store may
  be shared between threads: an internal lock serialises its calls, and a
  :meth:`PostgresStore.transaction` holds that lock until it ends.
* Writers serialise on a transaction-level advisory lock: every outermost write
  :meth:`~PostgresStore.transaction` starts with ``pg_advisory_xact_lock`` on a fixed sitroom key
  (per schema), as SQLite's ``BEGIN IMMEDIATE`` takes the file's write lock. Two processes
  ingesting into one database therefore read their dedupe candidates and write their events one
  after the other, and never create the same event twice. A writer waits at most ``timeout``
  seconds for the lock (``lock_timeout``). Migrations take the same lock.
* Reads outside a transaction run in a ``REPEATABLE READ READ ONLY`` snapshot when they take
  several statements.
* Text search uses SQLite's own FTS5 tokenizer (``unicode61 remove_diacritics 2``, learnt one
  character at a time from the stdlib :mod:`sqlite3` and cached) to build each row's
  ``tsvector``; a query becomes a ``tsquery`` of the same tokens (a word of several tokens is a
  phrase, ``word*`` a prefix), so a search matches exactly what it matches in SQLite. No
  PostgreSQL extension is needed.
* Every :class:`psycopg.Error` becomes :class:`~sitroom.errors.StoreError` where it enters, with
  the database URL *without its password* as ``source``.
"""

from __future__ import annotations

import math
import os
import re
import sqlite3
import string
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Self, cast
from urllib.parse import parse_qs, unquote, urlsplit

import psycopg
from psycopg import errors as pg_errors
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from sitroom.errors import ConfigError, StoreError
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
from sitroom.store.pg_migrations import LATEST_VERSION, pending
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

__all__ = ["LOCK_CLASS", "PostgresStore", "search_tokens"]

_BATCH = 500  # events per query when loading mentions or streaming
_Conn = psycopg.Connection[dict[str, Any]]
_Row = dict[str, Any]

#: First half of the advisory lock key every sitroom writer takes ("sitr"); the second half is
#: the OID of the schema that holds the tables, so two sitroom schemas in one database do not
#: wait for each other.
LOCK_CLASS = int.from_bytes(b"sitr", "big")

_SCHEME = re.compile(r"^\s*postgres(?:ql)?(?:\+[A-Za-z0-9_]+)?://", re.IGNORECASE)
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only, like SQLite's NOCASE and PostgreSQL's ``lower`` in "C"."""
    return text.translate(_ASCII_LOWER)


def _spans_value(spans: Sequence[Span]) -> Jsonb:
    return Jsonb(spans_items(spans))


# ----------------------------------------------------------------------------- URL and messages


def _normalise_url(url: str) -> str:
    """``postgres://`` and ``postgresql+psycopg://`` as libpq spells them (``postgresql://``)."""
    return _SCHEME.sub("postgresql://", url, count=1)


def _redact(url: str) -> str:
    """The URL as shown in messages: scheme, user, hosts and database, never a password."""
    try:
        parts = urlsplit(url)
        hosts = parts.netloc.rsplit("@", 1)[-1]
        user = parts.username
    except ValueError:
        return "postgresql://(unreadable URL)"
    return f"postgresql://{user + '@' if user else ''}{hosts}{parts.path}"


def _secrets(url: str) -> list[str]:
    """The password(s) a URL holds, raw and decoded, to scrub from messages."""
    found: list[str] = []
    try:
        parts = urlsplit(url)
        if parts.password:
            found += [parts.password, unquote(parts.password)]
        for value in parse_qs(parts.query).get("password", []):
            found += [value, unquote(value)]
    except ValueError:
        return found
    return sorted({s for s in found if s}, key=len, reverse=True)


# ----------------------------------------------------------------------------- text search


class _Tokenizer:
    """SQLite FTS5's ``unicode61 remove_diacritics 2`` tokenizer, reproduced exactly.

    unicode61 decides for each code point alone whether it is part of a token and what it folds
    to (lower case, diacritics removed), so a table of code points is the whole tokenizer. ASCII
    is known; any other character is looked up once, by asking SQLite (stdlib, always built with
    FTS5 since the SQLite store needs it) how it tokenizes ``a<char>b``. A text's tokens are then
    ``text.translate(table).split()``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._table: dict[int, str] = {}
        for cp in range(128):
            ch = chr(cp)
            self._table[cp] = ch.lower() if ch.isalnum() else " "

    def tokens(self, text: str) -> list[str]:
        table = self._table
        missing = [ch for ch in set(text) if ord(ch) not in table]
        if missing:
            self._learn(missing)
        return text.translate(table).split()

    def _learn(self, chars: list[str]) -> None:
        with self._lock:
            todo = [ch for ch in chars if ord(ch) not in self._table]
            probe = [ch for ch in todo if not 0xD800 <= ord(ch) <= 0xDFFF]  # lone surrogates separate
            learnt = _probe_sqlite(probe) if probe else {}
            for ch in todo:
                self._table[ord(ch)] = learnt.get(ch, " ")


def _probe_sqlite(chars: list[str]) -> dict[str, str]:
    """What FTS5 makes of each character: its folded form (maybe ``""``) or ``" "`` (a separator)."""
    try:
        conn = sqlite3.connect(":memory:")
        try:
            conn.execute(
                "CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')"
            )
            conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
            conn.executemany(
                "INSERT INTO t(rowid, body) VALUES (?, ?)", [(i, f"a{c}b") for i, c in enumerate(chars)]
            )
            terms: dict[int, list[str]] = {}
            for term, doc in conn.execute("SELECT term, doc FROM v ORDER BY doc, offset"):
                terms.setdefault(int(doc), []).append(str(term))
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StoreError(f"text search needs SQLite's FTS5 tokenizer, which failed: {exc}") from exc
    out: dict[str, str] = {}
    for i, ch in enumerate(chars):
        found = terms.get(i, [])
        one = found[0] if len(found) == 1 else ""
        out[ch] = one[1:-1] if len(one) >= 2 and one[0] == "a" and one[-1] == "b" else " "
    return out


_TOKENIZER = _Tokenizer()

#: PostgreSQL limits: a lexeme is under 2 KB, positions run to 16383, at most 256 are kept per
#: lexeme, and a tsvector is under 1 MB (a huge document is indexed up to that size).
_MAX_LEXEME_BYTES = 2046
_MAX_POSITION = 16383
_MAX_POSITIONS = 256
_MAX_VECTOR_BYTES = 900_000


def search_tokens(text: str) -> list[str]:
    """The tokens SQLite's ``unicode61 remove_diacritics 2`` makes of ``text`` (lower case, no
    diacritics), which the store indexes and searches."""
    return _TOKENIZER.tokens(text)


def _quote_lexeme(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _tsvector(*parts: str | None) -> str:
    """A ``tsvector`` literal of the tokens of ``parts`` joined by spaces, with their positions."""
    positions: dict[str, list[int]] = {}
    size = 0
    pos = 0
    for token in search_tokens(" ".join(p or "" for p in parts)):
        pos += 1
        where = min(pos, _MAX_POSITION)
        seen = positions.get(token)
        if seen is None:
            width = len(token.encode("utf-8"))
            if width > _MAX_LEXEME_BYTES or size + width > _MAX_VECTOR_BYTES:
                continue
            size += width + 8
            positions[token] = [where]
        elif len(seen) < _MAX_POSITIONS and seen[-1] != where:
            seen.append(where)
            size += 2
    return " ".join(f"{_quote_lexeme(t)}:{','.join(map(str, ps))}" for t, ps in positions.items())


def _tsquery(text: str) -> str | None:
    """User words as a ``tsquery`` (every word must occur; ``word*`` is a prefix), as
    :mod:`sitroom.store.sqlite` builds its FTS5 query; ``None`` when nothing can match."""
    phrases: list[str] = []
    for word, prefix in search_words(text):
        tokens = search_tokens(word)
        if not tokens:
            continue  # FTS5 ignores a phrase without tokens beside others
        if any(len(t.encode("utf-8")) > _MAX_LEXEME_BYTES for t in tokens):
            return None  # never indexed, so never found
        lexemes = [_quote_lexeme(t) for t in tokens]
        if prefix:
            lexemes[-1] += ":*"
        phrases.append("(" + " <-> ".join(lexemes) + ")")
    return " & ".join(phrases) or None


# ----------------------------------------------------------------------------- SQL

_ORPHAN_PLACE = ORPHAN_PLACE_SQL.format(id="%(id)s")
_ORPHAN_ACTOR = ORPHAN_ACTOR_SQL.format(id="%(id)s")

# Earliest report first (ISO text in code-point order, as SQLite); then document, position, insertion.
_MENTION_ORDER = "d.published ASC NULLS LAST, m.doc_id, m.start_offset, m.end_offset, m.id"

_ORDER_BY: dict[str, str] = {
    "date_desc": "e.event_date DESC NULLS LAST, e.id",
    "date_asc": "e.event_date ASC NULLS LAST, e.id",
    "fatalities_desc": "e.fatalities DESC NULLS LAST, e.event_date DESC NULLS LAST, e.id",
}

_PERIOD_KEY: dict[str, str] = {
    "day": "to_char(e.event_date, 'YYYY-MM-DD')",
    # the Monday of the ISO week
    "week": "to_char(e.event_date - (extract(isodow FROM e.event_date)::int - 1), 'YYYY-MM-DD')",
    "month": "to_char(e.event_date, 'YYYY-MM')",
}

# The rows whose tsvector matches, and the events they lead to (as SQLite's search table).
_TEXT_BRANCHES = (
    "SELECT m.event_id FROM mentions m WHERE m.search @@ %s::tsquery",
    "SELECT m.event_id FROM documents d JOIN mentions m ON m.doc_id = d.id WHERE d.search @@ %s::tsquery",
    "SELECT x.id FROM places pl JOIN events x ON x.place_id = pl.id WHERE pl.search @@ %s::tsquery",
    "SELECT m.event_id FROM places pl JOIN mentions m ON m.place_id = pl.id WHERE pl.search @@ %s::tsquery",
    "SELECT x.id FROM actors a JOIN events x ON x.actor1_id = a.id WHERE a.search @@ %s::tsquery",
    "SELECT x.id FROM actors a JOIN events x ON x.actor2_id = a.id WHERE a.search @@ %s::tsquery",
    "SELECT x.id FROM actors a JOIN events x ON x.claimed_by_id = a.id WHERE a.search @@ %s::tsquery",
)
_TEXT_CTE = "WITH text_events(id) AS (\n    " + "\n    UNION\n    ".join(_TEXT_BRANCHES) + "\n)"

# haversine_km(p.latitude, p.longitude, lat, lon) of sitroom.geo, in SQL (params: lat, lat, lon).
_HAVERSINE = (
    "2 * 6371.0088 * asin(least(1.0, sqrt("
    "power(sin((radians(%s) - radians(p.latitude)) / 2), 2)"
    " + cos(radians(p.latitude)) * cos(radians(%s)) * power(sin(radians(%s - p.longitude) / 2), 2))))"
)


def _filter_sql(flt: EventFilter) -> tuple[str, str, list[object]]:
    """``(cte, where, params)`` for a filter; ``params`` follow the CTE then the WHERE clause."""
    cte = ""
    params: list[object] = []
    where: list[str] = []
    if flt.text and flt.text.strip():
        query = _tsquery(flt.text)
        if query is None:
            where.append("FALSE")  # only punctuation: nothing can match
        else:
            cte = _TEXT_CTE
            params += [query] * len(_TEXT_BRANCHES)
            where.append("e.id IN (SELECT id FROM text_events)")
    if flt.since is not None:
        where.append("e.event_date >= %s")
        params.append(flt.since)
    if flt.until is not None:
        where.append("e.event_date <= %s")
        params.append(flt.until)
    if flt.country and flt.country.strip():
        country = flt.country.strip()
        where.append("(lower(p.country_code) = %s OR p.country_fold = %s)")
        params += [_ascii_lower(country), country.casefold()]
    if flt.event_type and flt.event_type.strip():
        kind = _ascii_lower(flt.event_type.strip())
        where.append("(lower(e.event_type) = %s OR lower(e.sub_event_type) = %s)")
        params += [kind, kind]
    if flt.actor and flt.actor.strip():
        needle = flt.actor.strip().casefold()
        where.append(
            "(strpos(a1.name_fold, %s) > 0 OR strpos(a2.name_fold, %s) > 0 OR strpos(ac.name_fold, %s) > 0)"
        )
        params += [needle, needle, needle]
    if flt.near is not None:
        lat, lon = flt.near
        where.append(f"{_HAVERSINE} <= %s")
        params += [lat, lat, lon, flt.radius_km]
    # The same bounding box as SQLite's, which an index on the coordinates could use.
    geo_where, geo_params = geo_terms(flt, "%s")
    where += geo_where
    params += geo_params
    if flt.min_fatalities is not None:
        where.append("e.fatalities >= %s")
        params.append(flt.min_fatalities)
    return cte, (" WHERE " + " AND ".join(where)) if where else "", params


class PostgresStore:
    """A :class:`~sitroom.store.base.Store` in a PostgreSQL database (or one schema of it).

    ``url`` is a libpq URL (``postgresql://user:password@host:port/dbname?options=...``;
    ``postgres://`` and ``postgresql+psycopg://`` are accepted). The tables live in the
    connection's current schema (the first existing one on its ``search_path``). The
    constructor only records its arguments; :meth:`open` (or ``with store:``) connects and
    applies pending migrations. ``timeout`` bounds the wait for a connection and for the write
    lock, in seconds. ``clock`` returns the current time (aware UTC) for the time stamps.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 10.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._url = _normalise_url(url)
        self.source = _redact(self._url)
        self.timeout = timeout
        self._clock = clock or _utcnow
        self._conn: _Conn | None = None
        self._lock = threading.RLock()
        self._depth = 0
        self._lock_key: tuple[int, int] = (LOCK_CLASS, 0)
        self._orphan_places: set[int] = set()
        self._orphan_actors: set[int] = set()

    def __repr__(self) -> str:
        state = "open" if self._conn is not None else "closed"
        return f"PostgresStore({self.source!r}, {state})"

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
            except psycopg.Error as exc:
                conn.close()
                raise StoreError(f"cannot open the database: {self._scrub(exc)}", source=self.source) from exc
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
                conn.close()  # the server rolls back an unfinished transaction
            except psycopg.Error as exc:
                raise StoreError(
                    f"closing the connection failed: {self._scrub(exc)}", source=self.source
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

    def _scrub(self, exc: BaseException | str) -> str:
        """An error message without the URL's password, on one line."""
        text = " ".join(str(exc).split())
        for secret in _secrets(self._url):
            text = text.replace(secret, "***")
        return text

    def _connect(self) -> _Conn:
        if not _SCHEME.match(self._url):
            raise StoreError("not a PostgreSQL URL: expected postgresql://…", source=self.source)
        options: dict[str, Any] = {}
        if "connect_timeout" not in self._url and "PGCONNECT_TIMEOUT" not in os.environ:
            options["connect_timeout"] = max(2, math.ceil(self.timeout))  # libpq's minimum is 2 s
        try:
            return psycopg.connect(self._url, autocommit=True, row_factory=dict_row, **options)
        except psycopg.ProgrammingError as exc:  # the URL could not be parsed
            detail = "details withheld: the URL holds a password" if _secrets(self._url) else self._scrub(exc)
            raise StoreError(f"invalid PostgreSQL URL ({detail})", source=self.source) from exc
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect: {self._scrub(exc)}", source=self.source) from exc

    def _configure(self, conn: _Conn) -> None:
        lock_ms = max(1, int(self.timeout * 1000))
        conn.execute(
            "SELECT set_config('lock_timeout', %s, false), set_config('TimeZone', 'UTC', false)",
            (f"{lock_ms}ms",),
        )
        row = conn.execute(
            "SELECT current_schema() AS name, (SELECT oid::bigint FROM pg_namespace WHERE nspname ="
            " current_schema()) AS oid"
        ).fetchone()
        if row is None or row["name"] is None:
            raise StoreError(
                "no schema to keep the tables in: the connection's search_path names no existing schema",
                source=self.source,
            )
        oid = int(row["oid"])
        self._lock_key = (LOCK_CLASS, oid - (1 << 32) if oid >= (1 << 31) else oid)

    def _schema_version(self, conn: _Conn) -> int:
        tables = {
            str(r["tablename"])
            for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        }
        if "schema_migrations" not in tables:
            if tables:
                listed = ", ".join(sorted(tables)[:5])
                raise StoreError(
                    f"not a sitroom database: its schema holds other tables ({listed}) and no"
                    " schema_migrations; use an empty database or schema",
                    source=self.source,
                )
            return 0
        row = conn.execute("SELECT coalesce(max(version), 0) AS v FROM schema_migrations").fetchone()
        return int(cast(_Row, row)["v"])

    def _migrate(self, conn: _Conn) -> None:
        if self._schema_version(conn) == LATEST_VERSION:
            return  # fast path: no lock needed
        while True:  # one transaction per migration, each under the write lock
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", self._lock_key)
                current = self._schema_version(conn)  # re-read under the lock
                if current > LATEST_VERSION:
                    raise StoreError(
                        f"the database is at schema version {current}, newer than this sitroom supports "
                        f"({LATEST_VERSION}); upgrade sitroom to use it",
                        source=self.source,
                    )
                todo = pending(current)
                if not todo:
                    return
                migration = todo[0]
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
                )
                conn.execute(migration.sql)  # several statements: no parameters, so the simple query protocol
                conn.execute(
                    "INSERT INTO schema_migrations(version, name, applied_at) VALUES (%s, %s, %s)",
                    (migration.version, migration.name, self._clock()),
                )

    def applied_migrations(self) -> list[tuple[int, str]]:
        """``(version, applied_at)`` of every migration recorded in the database (ISO 8601, UTC)."""
        with self._read("reading schema_migrations") as conn:
            rows = conn.execute("SELECT version, applied_at FROM schema_migrations ORDER BY version")
            return [
                (
                    int(r["version"]),
                    cast(datetime, r["applied_at"]).astimezone(UTC).isoformat(timespec="microseconds"),
                )
                for r in rows
            ]

    @contextmanager
    def connection(self, action: str) -> Iterator[_Conn]:
        """The open connection under the store's lock, for modules that keep tables of their own
        (:mod:`sitroom.watch.state`), as :meth:`SQLiteStore.connection
        <sitroom.store.sqlite.SQLiteStore.connection>`: ``%s`` placeholders, rows as dicts,
        autocommit outside :meth:`transaction`. A :class:`psycopg.Error` raised in the block
        becomes a :class:`StoreError` naming ``action``. Writes belong inside :meth:`transaction`
        (which takes the sitroom write lock).
        """
        with self._guard(action) as conn:
            yield conn

    # -- transactions ----------------------------------------------------------------------

    def _require(self) -> _Conn:
        if self._conn is None:
            raise StoreError(
                "the store is not open; call open() or use it in a with block", source=self.source
            )
        return self._conn

    def _execute(self, conn: _Conn, sql: str, action: str) -> None:
        try:
            conn.execute(sql)
        except psycopg.Error as exc:
            raise StoreError(f"{action} failed: {self._scrub(exc)}", source=self.source) from exc

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction: commit when the block ends, roll back if it raises.

        The outermost block first waits (at most ``timeout``) for the sitroom write lock, so
        writers on one database never interleave. Nested blocks become savepoints: an inner
        failure that the caller catches undoes only the inner block. The store's lock is held
        until the outermost block ends.
        """
        with self._lock:
            conn = self._require()
            outer = self._depth == 0
            savepoint = f"sitroom_{self._depth}"
            if outer:
                if not conn.closed and conn.info.transaction_status != TransactionStatus.IDLE:
                    self._rollback(conn, True, "")  # left over by an interrupted read
                self._execute(conn, "BEGIN", "starting a transaction")
                self._take_write_lock(conn)
            else:
                self._execute(conn, f"SAVEPOINT {savepoint}", "starting a savepoint")
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

    def _take_write_lock(self, conn: _Conn) -> None:
        try:
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", self._lock_key)
        except psycopg.Error as exc:
            self._rollback(conn, True, "")
            reason = self._scrub(exc)
            if isinstance(exc, pg_errors.LockNotAvailable):
                reason = f"another writer held the sitroom write lock for more than {self.timeout:g} s"
            raise StoreError(f"waiting for the write lock failed: {reason}", source=self.source) from exc
        except BaseException:  # interrupted while waiting (Ctrl-C): leave no transaction open
            self._rollback(conn, True, "")
            raise

    def _rollback(self, conn: _Conn, outer: bool, savepoint: str) -> None:
        if outer:
            self._orphan_places.clear()
            self._orphan_actors.clear()
        if conn.closed or conn.info.transaction_status == TransactionStatus.IDLE:
            return  # nothing to undo (or the connection is gone, and the server undid it)
        if outer:
            self._execute(conn, "ROLLBACK", "rolling back")
        else:
            self._execute(conn, f"ROLLBACK TO SAVEPOINT {savepoint}", "rolling back to a savepoint")
            self._execute(conn, f"RELEASE SAVEPOINT {savepoint}", "releasing a savepoint")

    def _commit(self, conn: _Conn) -> None:
        try:
            self._collect_orphans(conn)
            conn.execute("COMMIT")
        except psycopg.Error as exc:
            if not conn.closed and conn.info.transaction_status != TransactionStatus.IDLE:
                self._execute(conn, "ROLLBACK", "rolling back")
            hint = ""
            if isinstance(exc, pg_errors.ForeignKeyViolation):
                hint = " (a mention points to an event that was not saved or was deleted)"
            raise StoreError(f"commit failed: {self._scrub(exc)}{hint}", source=self.source) from exc
        finally:
            self._orphan_places.clear()
            self._orphan_actors.clear()

    def _collect_orphans(self, conn: _Conn) -> None:
        """Delete the places and actors that lost their last reference in this transaction."""
        with conn.cursor() as cur:
            if self._orphan_places:
                cur.executemany(_ORPHAN_PLACE, [{"id": i} for i in sorted(self._orphan_places)])
            if self._orphan_actors:
                cur.executemany(_ORPHAN_ACTOR, [{"id": i} for i in sorted(self._orphan_actors)])

    def _note_orphans(self, rows: Iterable[_Row]) -> None:
        places, actors = orphans_of(rows)
        self._orphan_places |= places
        self._orphan_actors |= actors

    @contextmanager
    def _guard(self, action: str) -> Iterator[_Conn]:
        with self._lock:
            conn = self._require()
            try:
                yield conn
            except psycopg.Error as exc:
                raise StoreError(f"{action} failed: {self._scrub(exc)}", source=self.source) from exc
            except UnicodeEncodeError as exc:  # a lone surrogate cannot be sent as UTF-8
                raise StoreError(f"{action} failed: {exc}", source=self.source) from exc

    @contextmanager
    def _write(self, action: str) -> Iterator[_Conn]:
        with self.transaction(), self._guard(action) as conn:
            yield conn

    @contextmanager
    def _read(self, action: str) -> Iterator[_Conn]:
        """A consistent snapshot for multi-statement reads (or the open transaction's view)."""
        with self._guard(action) as conn:
            if self._depth or conn.info.transaction_status != TransactionStatus.IDLE:
                yield conn
                return
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            try:
                yield conn
            finally:
                if not conn.closed and conn.info.transaction_status != TransactionStatus.IDLE:
                    conn.execute("ROLLBACK")  # read only: nothing to keep

    def _now(self) -> datetime:
        return self._clock()

    # -- writes ----------------------------------------------------------------------------

    def _place_id(self, conn: _Conn, place: Place | None) -> int | None:
        if place is None:
            return None
        key = place_key(place)
        row = conn.execute("SELECT id FROM places WHERE key = %s", (key,)).fetchone()
        if row is not None:
            return int(row["id"])
        row = conn.execute(
            "INSERT INTO places(key, name, geo_precision, country, country_code, admin1, latitude,"
            " longitude, kind, gazetteer_id, country_fold, search)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::tsvector) RETURNING id",
            (
                key,
                *place_fields(place),
                place.country.casefold() if place.country is not None else None,
                _tsvector(place.name, place.admin1, place.country),
            ),
        ).fetchone()
        return int(cast(_Row, row)["id"])

    def _actor_id(self, conn: _Conn, name: str | None) -> int | None:
        if name is None:
            return None
        row = conn.execute("SELECT id FROM actors WHERE name = %s", (name,)).fetchone()
        if row is not None:
            return int(row["id"])
        row = conn.execute(
            "INSERT INTO actors(name, name_fold, search) VALUES (%s, %s, %s::tsvector) RETURNING id",
            (name, name.casefold(), _tsvector(name)),
        ).fetchone()
        return int(cast(_Row, row)["id"])

    def document_state(self, doc: Document) -> DocumentState:
        with self._guard("reading a document") as conn:
            row = conn.execute("SELECT fingerprint FROM documents WHERE id = %s", (doc.id,)).fetchone()
        if row is None:
            return "new"
        return "same" if row["fingerprint"] == doc.fingerprint else "changed"

    def save_document(self, doc: Document) -> None:
        with self._write(f"saving document {doc.id!r}") as conn:
            conn.execute(
                """
                INSERT INTO documents(id, url, title, outlet, language, published, text, fingerprint, origin,
                                      ingested_at, search)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::tsvector)
                ON CONFLICT (id) DO UPDATE SET
                    url = excluded.url, title = excluded.title, outlet = excluded.outlet,
                    language = excluded.language, published = excluded.published, text = excluded.text,
                    fingerprint = excluded.fingerprint, origin = excluded.origin,
                    ingested_at = excluded.ingested_at, search = excluded.search
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
                    _tsvector(doc.title or "", doc.text),
                ),
            )

    def replace_mentions(self, doc_id: str, mentions: Sequence[tuple[Mention, str]]) -> None:
        for mention, _ in mentions:
            if mention.doc_id != doc_id:
                raise StoreError(
                    f"a mention of document {mention.doc_id!r} was given for document {doc_id!r}"
                )
        with self._write(f"replacing the mentions of document {doc_id!r}") as conn:
            if (
                mentions
                and conn.execute("SELECT 1 FROM documents WHERE id = %s", (doc_id,)).fetchone() is None
            ):
                raise StoreError(
                    f"document {doc_id!r} is not saved: call save_document first", source=self.source
                )
            old = conn.execute(
                "SELECT place_id, actor1_id, actor2_id, claimed_by_id FROM mentions WHERE doc_id = %s",
                (doc_id,),
            ).fetchall()
            self._note_orphans(old)
            conn.execute("DELETE FROM mentions WHERE doc_id = %s", (doc_id,))
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
                    m.event_date,
                    m.date_precision,
                    self._place_id(conn, m.place),
                    self._actor_id(conn, m.actor1),
                    self._actor_id(conn, m.actor2),
                    m.weapon,
                    m.count,
                    m.fatalities,
                    m.injured,
                    m.intercepted,
                    self._actor_id(conn, m.claimed_by),
                    m.hedged,
                    m.language,
                    _spans_value(m.spans),
                    m.extractor,
                    _tsvector(m.evidence),
                )
                for seq, (m, event_id) in enumerate(mentions)
            ]
            if rows:
                with conn.cursor() as cur:
                    cur.executemany(
                        """
                        INSERT INTO mentions(doc_id, event_id, seq, key, role, event_type,
                            sub_event_type, evidence, start_offset, end_offset, event_date, date_precision,
                            place_id, actor1_id, actor2_id, weapon, count, fatalities, injured, intercepted,
                            claimed_by_id, hedged, language, spans, extractor, search)
                        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
                                %s, %s, %s, %s, %s, %s, %s::tsvector)
                        """,
                        rows,
                    )

    def save_event(self, event: Event) -> None:
        with self._write(f"saving event {event.id!r}") as conn:
            old = conn.execute(
                "SELECT place_id, actor1_id, actor2_id, claimed_by_id FROM events WHERE id = %s", (event.id,)
            ).fetchall()
            now = self._now()
            conn.execute(
                """
                INSERT INTO events(id, event_type, sub_event_type, event_date, date_precision, place_id,
                    actor1_id, actor2_id, weapon, count, fatalities, fatalities_max, injured, injured_max,
                    intercepted, claimed_by_id, hedged, created_at, updated_at)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                ON CONFLICT (id) DO UPDATE SET
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
                    event.event_date,
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
                    event.intercepted,
                    self._actor_id(conn, event.claimed_by),
                    event.hedged,
                    now,
                    now,
                ),
            )
            self._note_orphans(old)

    def delete_event(self, event_id: str) -> None:
        """Delete an event that no mention points to any more (else :class:`StoreError`)."""
        with self._write(f"deleting event {event_id!r}") as conn:
            row = conn.execute(
                "SELECT count(*) AS n FROM mentions WHERE event_id = %s", (event_id,)
            ).fetchone()
            left = int(cast(_Row, row)["n"])
            if left:
                raise StoreError(
                    f"event {event_id!r} still has {left} mention(s); replace them before deleting it",
                    source=self.source,
                )
            old = conn.execute(
                "SELECT place_id, actor1_id, actor2_id, claimed_by_id FROM events WHERE id = %s", (event_id,)
            ).fetchall()
            self._note_orphans(old)
            conn.execute("DELETE FROM events WHERE id = %s", (event_id,))

    def save_sketch(self, doc_id: str, sketch: Sequence[int], index_keys: Sequence[int]) -> None:
        """Store a document's text sketch and index its smallest hashes (see dedupe.text_sketch)."""
        with self._write(f"saving the sketch of document {doc_id!r}") as conn:
            row = conn.execute("SELECT pk FROM documents WHERE id = %s", (doc_id,)).fetchone()
            if row is None:
                raise StoreError(
                    f"document {doc_id!r} is not saved: call save_document first", source=self.source
                )
            conn.execute(
                "INSERT INTO document_sketches(doc_id, sketch) VALUES (%s, %s::bigint[])"
                " ON CONFLICT (doc_id) DO UPDATE SET sketch = excluded.sketch",
                (doc_id, list(sketch)),
            )
            conn.execute("DELETE FROM sketch_keys WHERE doc_pk = %s", (row["pk"],))
            conn.execute(
                "INSERT INTO sketch_keys(hash, doc_pk) SELECT DISTINCT unnest(%s::bigint[]), %s",
                ([signed64(k) for k in index_keys], row["pk"]),
            )

    def link_copy(self, doc_id: str, copy_of: str, similarity: float) -> None:
        with self._write(f"linking document {doc_id!r} as a copy") as conn:
            conn.execute(
                "INSERT INTO near_copies(doc_id, copy_of, similarity) VALUES (%s, %s, %s)"
                " ON CONFLICT (doc_id, copy_of) DO UPDATE SET similarity = excluded.similarity",
                (doc_id, copy_of, similarity),
            )

    # -- reads -----------------------------------------------------------------------------

    def _load_events(self, conn: _Conn, rows: Sequence[_Row]) -> list[Event]:
        """Events for ``rows`` (from ``EVENT_SELECT``), in that order, with their mentions."""
        by_event: dict[str, list[Mention]] = {str(r["id"]): [] for r in rows}
        ids = list(by_event)
        for i in range(0, len(ids), _BATCH):
            chunk = ids[i : i + _BATCH]
            sql = f"{MENTION_SELECT} WHERE m.event_id = ANY(%s) ORDER BY {_MENTION_ORDER}"
            for mrow in conn.execute(sql, (chunk,)):
                by_event[str(mrow["event_id"])].append(mention_from_row(mrow))
        return [event_from_row(r, tuple(by_event[str(r["id"])])) for r in rows]

    def _select_rows(self, conn: _Conn, where: str, params: Sequence[object]) -> list[_Row]:
        return conn.execute(f"{EVENT_SELECT}{EVENT_FROM} {where}", params).fetchall()

    def _select_events(self, conn: _Conn, where: str, params: Sequence[object]) -> list[Event]:
        return self._load_events(conn, self._select_rows(conn, where, params))

    def get_event(self, event_id: str) -> Event | None:
        with self._read(f"reading event {event_id!r}") as conn:
            events = self._select_events(conn, "WHERE e.id = %s", (event_id,))
        return events[0] if events else None

    def get_document(self, doc_id: str) -> Document | None:
        with self._guard(f"reading document {doc_id!r}") as conn:
            row = conn.execute(
                "SELECT id, url, title, outlet, language, published, text, origin"
                " FROM documents WHERE id = %s",
                (doc_id,),
            ).fetchone()
        return None if row is None else document_from_row(row)

    def copy_candidates(self, index_keys: Sequence[int]) -> list[tuple[str, list[int]]]:
        """Stored documents that share one of ``index_keys`` (at most
        :data:`~sitroom.store.base.COPY_CANDIDATES_PER_KEY` per key, the most recently stored
        first: the highest ``pk``), with their sketches, ordered by document id."""
        if not index_keys:
            return []
        keys = sorted({signed64(k) for k in index_keys})
        with self._guard("looking up similar documents") as conn:
            rows = conn.execute(
                """
                SELECT d.id, s.sketch
                FROM (
                    SELECT DISTINCT r.doc_pk FROM unnest(%s::bigint[]) AS k(hash)
                    CROSS JOIN LATERAL (
                        SELECT i.doc_pk FROM sketch_keys i WHERE i.hash = k.hash
                        ORDER BY i.doc_pk DESC LIMIT %s
                    ) AS r
                ) AS c
                JOIN documents d ON d.pk = c.doc_pk
                JOIN document_sketches s ON s.doc_id = d.id
                ORDER BY d.id
                """,
                (keys, COPY_CANDIDATES_PER_KEY),
            ).fetchall()
        return [(str(r["id"]), [int(x) for x in r["sketch"]]) for r in rows]

    def copies_of(self, doc_id: str) -> list[tuple[str, float]]:
        """Documents linked to ``doc_id`` as wire copies (either direction), with similarity."""
        with self._guard(f"reading the copies of document {doc_id!r}") as conn:
            rows = conn.execute(
                "SELECT copy_of AS other, similarity FROM near_copies WHERE doc_id = %s"
                " UNION SELECT doc_id, similarity FROM near_copies WHERE copy_of = %s ORDER BY 1, 2",
                (doc_id, doc_id),
            ).fetchall()
        return [(str(r["other"]), float(r["similarity"])) for r in rows]

    def event_ids_for_document(self, doc_id: str) -> list[str]:
        """Ids of the events the document's mentions point to (to revisit after replacing them)."""
        with self._guard(f"reading the events of document {doc_id!r}") as conn:
            rows = conn.execute(
                "SELECT DISTINCT event_id FROM mentions WHERE doc_id = %s ORDER BY event_id", (doc_id,)
            ).fetchall()
        return [str(r["event_id"]) for r in rows]

    def events_in_window(self, start: date, end: date) -> list[Event]:
        with self._read("reading events in a date window") as conn:
            return self._select_events(
                conn, "WHERE e.event_date BETWEEN %s AND %s ORDER BY e.event_date, e.id", (start, end)
            )

    def candidate_events(self, query: CandidateQuery) -> list[Event]:
        """Events matching ``query`` *without their mentions* (``mentions == ()``): dated ones
        by (date, id), then undated ones by id."""
        dates: list[str] = []
        params: list[object] = []
        for precision, start, end in query.ranges:
            dates.append("(e.date_precision = %s AND e.event_date BETWEEN %s AND %s)")
            params += [precision, start, end]
        if query.undated:
            dates.append("e.event_date IS NULL")
        if not dates:
            return []
        where = "WHERE (" + " OR ".join(dates) + ")"
        if query.country_codes is not None:
            where += " AND (p.id IS NULL OR p.country_code IS NULL OR p.country_code = ANY(%s))"
            params.append(list(query.country_codes))
        with self._guard("reading candidate events") as conn:
            rows = self._select_rows(conn, f"{where} ORDER BY e.event_date ASC NULLS LAST, e.id", params)
        return [event_from_row(r, ()) for r in rows]

    def events_by_id(self, event_ids: Sequence[str]) -> list[Event]:
        """The events with these ids, with their mentions, in the order given (unknown ids are
        left out)."""
        if not event_ids:
            return []
        with self._read("reading events by id") as conn:
            found = {
                e.id: e for e in self._select_events(conn, "WHERE e.id = ANY(%s)", (list(set(event_ids)),))
            }
        return [found[i] for i in event_ids if i in found]

    def existing_event_ids(self, event_ids: Sequence[str]) -> set[str]:
        """Which of ``event_ids`` are stored."""
        if not event_ids:
            return set()
        with self._guard("checking event ids") as conn:
            rows = conn.execute(
                "SELECT id FROM events WHERE id = ANY(%s)", (list(set(event_ids)),)
            ).fetchall()
        return {str(r["id"]) for r in rows}

    def undated_events(self) -> list[Event]:
        with self._read("reading undated events") as conn:
            return self._select_events(conn, "WHERE e.event_date IS NULL ORDER BY e.id", ())

    def query_events(self, flt: EventFilter) -> list[Event]:
        cte, where, params = _filter_sql(flt)
        sql = f"{cte}{EVENT_SELECT}{EVENT_FROM}{where} ORDER BY {_ORDER_BY[flt.order]} LIMIT %s OFFSET %s"
        with self._read("querying events") as conn:
            rows = conn.execute(sql, [*params, flt.limit, flt.offset]).fetchall()
            return self._load_events(conn, rows)

    def count_events(self, flt: EventFilter) -> int:
        """How many events match ``flt`` (``limit`` and ``offset`` are ignored)."""
        cte, where, params = _filter_sql(flt)
        with self._guard("counting events") as conn:
            row = conn.execute(f"{cte} SELECT count(*) AS n{EVENT_FROM}{where}", params).fetchone()
        return int(cast(_Row, row)["n"])

    def iter_events(self) -> Iterator[Event]:
        """Every event, dated ones by (date, id) then undated ones by id, read in batches."""
        last: tuple[date, str] | None = None
        while True:
            with self._read("streaming events") as conn:
                if last is None:
                    batch = self._select_events(
                        conn, f"WHERE e.event_date IS NOT NULL ORDER BY e.event_date, e.id LIMIT {_BATCH}", ()
                    )
                else:
                    batch = self._select_events(
                        conn,
                        "WHERE e.event_date IS NOT NULL AND (e.event_date, e.id) > (%s::date, %s)"
                        f" ORDER BY e.event_date, e.id LIMIT {_BATCH}",
                        last,
                    )
            yield from batch
            if len(batch) < _BATCH:
                break
            last = (cast(date, batch[-1].event_date), batch[-1].id)
        last_id = ""
        while True:
            with self._read("streaming events") as conn:
                batch = self._select_events(
                    conn, f"WHERE e.event_date IS NULL AND e.id > %s ORDER BY e.id LIMIT {_BATCH}", (last_id,)
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

        def grouped(conn: _Conn, key: str, order: str) -> tuple[tuple[str, int], ...]:
            sql = (
                f"{cte} SELECT key, count(*) AS n FROM (SELECT {key} AS key{EVENT_FROM}{where}) AS keyed"
                f" WHERE key IS NOT NULL GROUP BY key ORDER BY {order}"
            )
            return tuple((str(r["key"]), int(r["n"])) for r in conn.execute(sql, params))

        with self._read("computing statistics") as conn:
            row = cast(
                _Row,
                conn.execute(
                    f"{cte} SELECT count(*) AS total, count(*) FILTER (WHERE e.event_date IS NULL) AS undated"
                    f"{EVENT_FROM}{where}",
                    params,
                ).fetchone(),
            )
            return Stats(
                by=by,
                total=int(row["total"]),
                undated=int(row["undated"]),
                periods=grouped(conn, _PERIOD_KEY[by], 'key COLLATE "C"'),
                event_types=grouped(conn, "e.event_type", 'n DESC, key COLLATE "C"'),
                sub_event_types=grouped(conn, "e.sub_event_type", 'n DESC, key COLLATE "C"'),
                countries=grouped(conn, "coalesce(p.country, 'unknown')", 'n DESC, key COLLATE "C"'),
            )

    def counts(self) -> dict[str, int]:
        with self._read("counting rows") as conn:
            out: dict[str, int] = {}
            for table in ("documents", "mentions", "events", "places", "actors"):
                row = conn.execute(f"SELECT count(*) AS n FROM {table}").fetchone()
                out[table] = int(cast(_Row, row)["n"])
            return out
