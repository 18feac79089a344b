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

import functools
import math
import os
import re
import sqlite3
import string
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlsplit

import psycopg
from psycopg import errors as pg_errors
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from sitroom.errors import StoreError
from sitroom.records import Document, Event, Mention, Place, Span
from sitroom.store.base import (
    COPY_CANDIDATES_PER_KEY,
    CandidateQuery,
    EventFilter,
)
from sitroom.store.pg_migrations import LATEST_VERSION, pending
from sitroom.store.rows import (
    candidate_place_sql,
    event_from_row,
    geo_terms,
    place_fields,
    search_words,
    signed64,
    spans_items,
)
from sitroom.store.sql import Params, SQLStore

__all__ = ["LOCK_CLASS", "PostgresStore", "search_tokens"]

_Conn = psycopg.Connection[dict[str, Any]]
_Row = dict[str, Any]

#: First half of the advisory lock key every sitroom writer takes ("sitr"); the second half is
#: the OID of the schema that holds the tables, so two sitroom schemas in one database do not
#: wait for each other.
LOCK_CLASS = int.from_bytes(b"sitr", "big")

_SCHEME = re.compile(r"^\s*postgres(?:ql)?(?:\+[A-Za-z0-9_]+)?://", re.IGNORECASE)
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


@functools.lru_cache(maxsize=512)
def _pg(sql: str) -> str:
    """SQL written with ``?`` placeholders (the shared SQL of :mod:`sitroom.store.sql`) as psycopg
    spells them (``%s``); SQL already in ``%s`` style passes unchanged."""
    return sql.replace("?", "%s")


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


class PostgresStore(SQLStore[_Conn]):
    """A :class:`~sitroom.store.base.Store` in a PostgreSQL database (or one schema of it).

    ``url`` is a libpq URL (``postgresql://user:password@host:port/dbname?options=...``;
    ``postgres://`` and ``postgresql+psycopg://`` are accepted). The tables live in the
    connection's current schema (the first existing one on its ``search_path``). The
    constructor only records its arguments; :meth:`open` (or ``with store:``) connects and
    applies pending migrations. ``timeout`` bounds the wait for a connection and for the write
    lock, in seconds. ``clock`` returns the current time (aware UTC) for the time stamps.
    """

    _driver_error = psycopg.Error
    _guard_errors = (psycopg.Error, UnicodeEncodeError)  # a lone surrogate cannot be sent as UTF-8
    _closing = "connection"
    _savepoint_action = "starting a savepoint"
    _document_state_action = "reading a document"
    _events_by_id_action = "reading events by id"
    _event_ids_action = "checking event ids"
    _begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
    _end_read = "ROLLBACK"  # read only: nothing to keep
    _named_id = "%(id)s"
    _array_ids = True
    _mention_order = _MENTION_ORDER
    _order_by = _ORDER_BY
    _period_key = _PERIOD_KEY
    _undated_count = "count(*) FILTER (WHERE e.event_date IS NULL)"
    _key_collation = ' COLLATE "C"'
    _no_limit = None
    _search_mark = "?::tsvector"

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 10.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._url = _normalise_url(url)
        self.source = _redact(self._url)
        super().__init__(self.source, timeout=timeout, clock=clock or _utcnow)
        self._lock_key: tuple[int, int] = (LOCK_CLASS, 0)

    # -- backend hooks ---------------------------------------------------------------------

    def _message(self, exc: BaseException) -> str:
        if isinstance(exc, UnicodeEncodeError):
            return str(exc)
        return self._scrub(exc)

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
        with super().connection(action) as conn:
            yield conn

    def _close_conn(self, conn: _Conn) -> None:
        conn.close()  # the server rolls back an unfinished transaction

    def _begin(self, conn: _Conn) -> None:
        """``BEGIN``, then wait (at most ``timeout``) for the sitroom write lock, so writers on
        one database never interleave."""
        if self._in_transaction(conn):
            self._rollback(conn, True, "")  # left over by an interrupted read
        self._execute(conn, "BEGIN", "starting a transaction")
        self._take_write_lock(conn)

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

    def _in_transaction(self, conn: _Conn) -> bool:
        return not conn.closed and conn.info.transaction_status != TransactionStatus.IDLE

    def _busy(self, conn: _Conn) -> bool:
        return conn.info.transaction_status != TransactionStatus.IDLE

    def _commit_hint(self, exc: Exception) -> str:
        if isinstance(exc, pg_errors.ForeignKeyViolation):
            return " (a mention points to an event that was not saved or was deleted)"
        return ""

    def _rows(self, conn: _Conn, sql: str, params: Params = ()) -> list[_Row]:
        return conn.execute(_pg(sql), params).fetchall()

    def _one(self, conn: _Conn, sql: str, params: Params = ()) -> _Row | None:
        return conn.execute(_pg(sql), params).fetchone()

    def _exec(self, conn: _Conn, sql: str, params: Params = ()) -> None:
        conn.execute(_pg(sql), params)

    def _exec_many(self, conn: _Conn, sql: str, rows: Sequence[Params]) -> None:
        with conn.cursor() as cur:
            cur.executemany(_pg(sql), rows)

    def _insert_place(self, conn: _Conn, key: str, place: Place) -> int:
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

    def _insert_actor(self, conn: _Conn, name: str) -> int:
        row = conn.execute(
            "INSERT INTO actors(name, name_fold, search) VALUES (%s, %s, %s::tsvector) RETURNING id",
            (name, name.casefold(), _tsvector(name)),
        ).fetchone()
        return int(cast(_Row, row)["id"])

    def _filter_sql(self, flt: EventFilter) -> tuple[str, str, list[object]]:
        return _filter_sql(flt)

    def _in_ids(self, column: str, ids: list[str]) -> tuple[str, list[object]]:
        return f"{column} = ANY(%s)", [ids]

    def _after_date_id(self, day: date, event_id: str) -> tuple[str, list[object]]:
        return "(e.event_date, e.id) > (%s::date, %s)", [day, event_id]

    def _now(self) -> datetime:
        return self._clock()

    def _day(self, value: date | None) -> date | None:
        return value

    def _flag(self, value: bool | None) -> bool | None:
        return value

    def _spans(self, spans: Sequence[Span]) -> Jsonb:
        return _spans_value(spans)

    def _document_search(self, doc: Document) -> tuple[object, ...]:
        return (_tsvector(doc.title or "", doc.text),)

    def _mention_search(self, mention: Mention) -> tuple[object, ...]:
        return (_tsvector(mention.evidence),)

    # -- sketches, copies, candidates ------------------------------------------------------

    def save_sketch(self, doc_id: str, sketch: Sequence[int], index_keys: Sequence[int]) -> None:
        """Store a document's text sketch and index its smallest hashes (see dedupe.text_sketch)."""
        with self._write(f"saving the sketch of document {doc_id!r}") as conn:
            pk = self._document_pk(conn, doc_id)
            conn.execute(
                "INSERT INTO document_sketches(doc_id, sketch) VALUES (%s, %s::bigint[])"
                " ON CONFLICT (doc_id) DO UPDATE SET sketch = excluded.sketch",
                (doc_id, list(sketch)),
            )
            conn.execute("DELETE FROM sketch_keys WHERE doc_pk = %s", (pk,))
            conn.execute(
                "INSERT INTO sketch_keys(hash, doc_pk) SELECT DISTINCT unnest(%s::bigint[]), %s",
                ([signed64(k) for k in index_keys], pk),
            )

    def link_copy(self, doc_id: str, copy_of: str, similarity: float) -> None:
        with self._write(f"linking document {doc_id!r} as a copy") as conn:
            conn.execute(
                "INSERT INTO near_copies(doc_id, copy_of, similarity) VALUES (%s, %s, %s)"
                " ON CONFLICT (doc_id, copy_of) DO UPDATE SET similarity = excluded.similarity",
                (doc_id, copy_of, similarity),
            )

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
        near, near_params = candidate_place_sql(query, "%s")
        where += near
        params += near_params
        with self._guard("reading candidate events") as conn:
            rows = self._select_rows(conn, f"{where} ORDER BY e.event_date ASC NULLS LAST, e.id", params)
        return [event_from_row(r, ()) for r in rows]
