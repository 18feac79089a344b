"""The SQLite schema as a numbered, ordered list of migrations.

Rules: a migration, once released, is never edited; a change is a new entry with the next
version. Each migration's SQL runs in the same transaction as the ``schema_migrations`` row
that records it, so a crash mid-migration leaves the database at the previous version.

Schema (version 1)
==================
* ``documents``: one row per report; ``pk`` is an integer key for the search index, ``id`` the
  caller's identifier (``Document.id``).
* ``places``: distinct :class:`~sitroom.records.Place` values. ``key`` is the canonical JSON
  of every field, so a place read back is equal to the one saved; two mentions of one gazetteer
  entry with identical fields share a row.
* ``actors``: distinct actor names (exact spelling), referenced by events and mentions through
  ``actor1_id``, ``actor2_id`` and ``claimed_by_id``.
* ``events``: canonical events; ``created_at`` is kept on update, ``updated_at`` bumped.
* ``mentions``: one attack as one document tells it; ``seq`` is its order in the document,
  ``spans`` a JSON list. Deleting a document deletes its mentions; a mention's event is
  checked at commit (deferred), so a mention may be written before its event in one transaction.
* ``search``: a contentless FTS5 index (``unicode61 remove_diacritics 2``) kept in sync by
  triggers. Its rowid encodes the source row: ``pk*4 + kind`` with kind 0 = document (title and
  text), 1 = mention (evidence), 2 = place (name, admin1, country), 3 = actor (name).

Version 3 (feeds and alerts, for ``sitroom watch``)
===================================================
* ``feeds``: the sources the watcher polls (``kind`` rss, json or folder; ``location`` a URL or
  a folder path; ``options`` a JSON object of kind-specific settings) and their fetch state:
  conditional-GET validators (``etag``, ``last_modified``), a JSON endpoint's ``cursor``, the
  last fetch and its outcome, the last error, consecutive ``failures`` and ``next_due_at``.
* ``feed_items``: every item a feed has delivered (``key`` is its guid, link, id or file path),
  with the ``fingerprint`` of its content (an item whose content changes is read again), the
  document it became, and the events it created or updated. An item is recorded in the same
  transaction as its document, so a killed watcher neither loses nor re-reads one.
* ``alert_marks``: per alert rule and event, the figures of the last alert (highest
  fatalities, sources, whether still hedged) and how many alerts were raised (``seq``), so that
  an alert is raised once per event and once per significant update.
* ``alerts``: the outbox, one row per alert and sink, ``status`` pending → sending → sent (or
  failed); ``alert_id`` is shared by the sinks of one alert and sent with it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["LATEST_VERSION", "MIGRATIONS", "SEARCH_KINDS", "Migration", "pending", "pending_in"]

#: The FTS rowid tag of each kind of indexed row (``rowid = row_id * 4 + tag``).
SEARCH_KINDS: dict[str, int] = {"document": 0, "mention": 1, "place": 2, "actor": 3}


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema version. The PostgreSQL schema (:mod:`sitroom.store.pg_migrations`) uses
    the same class, with the same versions and names; its ``sql`` runs in one call."""

    version: int
    name: str
    sql: str

    def statements(self) -> list[str]:
        """The SQL split into single statements (trigger bodies kept whole)."""
        statements: list[str] = []
        buffer = ""
        for line in self.sql.splitlines(keepends=True):
            buffer += line
            if sqlite3.complete_statement(buffer):
                statements.append(buffer.strip())
                buffer = ""
        if buffer.strip():
            raise ValueError(
                f"migration {self.version} ends with an incomplete statement: {buffer.strip()!r}"
            )
        return statements


_DOCUMENT_BODY = "coalesce({t}.title, '') || ' ' || {t}.text"
_PLACE_BODY = "{t}.name || ' ' || coalesce({t}.admin1, '') || ' ' || coalesce({t}.country, '')"


def _search_triggers(table: str, key: str, tag: int, body: str, columns: str) -> str:
    """Insert/delete/update triggers that keep ``search`` in step with ``table``."""
    new_body = body.format(t="new")
    old_body = body.format(t="old")
    return f"""
CREATE TRIGGER {table}_search_insert AFTER INSERT ON {table} BEGIN
    INSERT INTO search(rowid, body) VALUES (new.{key} * 4 + {tag}, {new_body});
END;
CREATE TRIGGER {table}_search_delete AFTER DELETE ON {table} BEGIN
    INSERT INTO search(search, rowid, body) VALUES ('delete', old.{key} * 4 + {tag}, {old_body});
END;
CREATE TRIGGER {table}_search_update AFTER UPDATE OF {columns} ON {table} BEGIN
    INSERT INTO search(search, rowid, body) VALUES ('delete', old.{key} * 4 + {tag}, {old_body});
    INSERT INTO search(rowid, body) VALUES (new.{key} * 4 + {tag}, {new_body});
END;
"""


_V1 = (
    """
CREATE TABLE documents (
    pk          INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    url         TEXT,
    title       TEXT,
    outlet      TEXT,
    language    TEXT,
    published   TEXT,
    text        TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    origin      TEXT,
    ingested_at TEXT NOT NULL
);
CREATE INDEX documents_published ON documents(published);

CREATE TABLE places (
    id            INTEGER PRIMARY KEY,
    key           TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    geo_precision TEXT NOT NULL CHECK (geo_precision IN ('site', 'town', 'admin1', 'country')),
    country       TEXT,
    country_code  TEXT,
    admin1        TEXT,
    latitude      REAL,
    longitude     REAL,
    kind          TEXT NOT NULL,
    gazetteer_id  TEXT
);
CREATE INDEX places_country ON places(country COLLATE NOCASE);
CREATE INDEX places_country_code ON places(country_code COLLATE NOCASE);
CREATE INDEX places_gazetteer ON places(gazetteer_id);

CREATE TABLE actors (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE events (
    id             TEXT PRIMARY KEY,
    event_type     TEXT NOT NULL,
    sub_event_type TEXT NOT NULL,
    event_date     TEXT,
    date_precision TEXT NOT NULL CHECK (date_precision IN ('day', 'week', 'month', 'year')),
    place_id       INTEGER REFERENCES places(id),
    actor1_id      INTEGER REFERENCES actors(id),
    actor2_id      INTEGER REFERENCES actors(id),
    weapon         TEXT,
    count          INTEGER,
    fatalities     INTEGER,
    fatalities_max INTEGER,
    injured        INTEGER,
    injured_max    INTEGER,
    intercepted    INTEGER CHECK (intercepted IN (0, 1)),
    claimed_by_id  INTEGER REFERENCES actors(id),
    hedged         INTEGER NOT NULL DEFAULT 0 CHECK (hedged IN (0, 1)),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX events_date ON events(event_date, id);
CREATE INDEX events_recent ON events(event_date IS NULL, event_date DESC, id);  -- the default listing order
CREATE INDEX events_type ON events(event_type COLLATE NOCASE, event_date);
CREATE INDEX events_sub_type ON events(sub_event_type COLLATE NOCASE, event_date);
CREATE INDEX events_fatalities ON events(fatalities);
CREATE INDEX events_place ON events(place_id);
CREATE INDEX events_actor1 ON events(actor1_id);
CREATE INDEX events_actor2 ON events(actor2_id);
CREATE INDEX events_claimed_by ON events(claimed_by_id);

CREATE TABLE mentions (
    id             INTEGER PRIMARY KEY,
    doc_id         TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    event_id       TEXT NOT NULL REFERENCES events(id) DEFERRABLE INITIALLY DEFERRED,
    seq            INTEGER NOT NULL,
    key            TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('main', 'background')),
    event_type     TEXT NOT NULL,
    sub_event_type TEXT NOT NULL,
    evidence       TEXT NOT NULL,
    start_offset   INTEGER NOT NULL,
    end_offset     INTEGER NOT NULL,
    event_date     TEXT,
    date_precision TEXT NOT NULL CHECK (date_precision IN ('day', 'week', 'month', 'year')),
    place_id       INTEGER REFERENCES places(id),
    actor1_id      INTEGER REFERENCES actors(id),
    actor2_id      INTEGER REFERENCES actors(id),
    weapon         TEXT,
    count          INTEGER,
    fatalities     INTEGER,
    injured        INTEGER,
    intercepted    INTEGER CHECK (intercepted IN (0, 1)),
    claimed_by_id  INTEGER REFERENCES actors(id),
    hedged         INTEGER NOT NULL DEFAULT 0 CHECK (hedged IN (0, 1)),
    language       TEXT,
    spans          TEXT NOT NULL DEFAULT '[]',
    extractor      TEXT NOT NULL,
    UNIQUE (doc_id, seq)
);
CREATE INDEX mentions_event ON mentions(event_id);
CREATE INDEX mentions_key ON mentions(key);
CREATE INDEX mentions_place ON mentions(place_id);
CREATE INDEX mentions_actor1 ON mentions(actor1_id);
CREATE INDEX mentions_actor2 ON mentions(actor2_id);
CREATE INDEX mentions_claimed_by ON mentions(claimed_by_id);

CREATE VIRTUAL TABLE search USING fts5(
    body,
    content = '',
    tokenize = 'unicode61 remove_diacritics 2'
);
"""
    + _search_triggers("documents", "pk", SEARCH_KINDS["document"], _DOCUMENT_BODY, "title, text")
    + _search_triggers("mentions", "id", SEARCH_KINDS["mention"], "{t}.evidence", "evidence")
    + _search_triggers("places", "id", SEARCH_KINDS["place"], _PLACE_BODY, "name, admin1, country")
    + _search_triggers("actors", "id", SEARCH_KINDS["actor"], "{t}.name", "name")
)

# Version 2: verbatim wire copies. ``document_sketches`` holds each document's bottom-k text
# sketch (JSON list of ints); ``sketch_index`` its few smallest hashes for candidate lookup;
# ``near_copies`` links a document to an earlier one it copies, with the estimated similarity.
_V2 = """
CREATE TABLE document_sketches (
    doc_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    sketch TEXT NOT NULL
);
CREATE TABLE sketch_index (
    hash INTEGER NOT NULL,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    PRIMARY KEY (hash, doc_id)
) WITHOUT ROWID;
CREATE TABLE near_copies (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    copy_of TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    similarity REAL NOT NULL,
    PRIMARY KEY (doc_id, copy_of)
);
CREATE INDEX near_copies_copy_of ON near_copies(copy_of);
"""

# Version 3: feeds and alerts for ``sitroom watch`` (see the module docstring).
_V3 = """
CREATE TABLE feeds (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL CHECK (kind IN ('rss', 'json', 'folder')),
    location      TEXT NOT NULL,
    interval_s    REAL NOT NULL CHECK (interval_s > 0),
    language      TEXT,
    fetch_pages   INTEGER NOT NULL DEFAULT 0 CHECK (fetch_pages IN (0, 1)),
    options       TEXT NOT NULL DEFAULT '{}',
    enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    origin        TEXT NOT NULL DEFAULT 'cli' CHECK (origin IN ('cli', 'config')),
    added_at      TEXT NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    cursor        TEXT,
    last_fetch_at TEXT,
    last_status   TEXT,
    last_ok_at    TEXT,
    last_error    TEXT,
    last_error_at TEXT,
    failures      INTEGER NOT NULL DEFAULT 0,
    next_due_at   TEXT
);
CREATE TABLE feed_items (
    feed_id        INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    key            TEXT NOT NULL,
    fingerprint    TEXT NOT NULL,
    doc_id         TEXT,
    status         TEXT NOT NULL CHECK (status IN ('ingested', 'failed')),
    reason         TEXT,
    first_seen_at  TEXT NOT NULL,
    processed_at   TEXT NOT NULL,
    events_created INTEGER NOT NULL DEFAULT 0,
    events_updated INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (feed_id, key)
);
CREATE INDEX feed_items_doc ON feed_items(doc_id);
CREATE TABLE alert_marks (
    rule           TEXT NOT NULL,
    event_id       TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    fatalities     INTEGER,
    fatalities_max INTEGER,
    sources        INTEGER NOT NULL,
    hedged         INTEGER NOT NULL CHECK (hedged IN (0, 1)),
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (rule, event_id)
);
CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    alert_id        TEXT NOT NULL,
    sink            TEXT NOT NULL,
    rule            TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    triggers        TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    sent_at         TEXT,
    UNIQUE (alert_id, sink)
);
CREATE INDEX alerts_due ON alerts(status, next_attempt_at);
CREATE INDEX alerts_event ON alerts(event_id);
"""

# Version 4: look-ups and writes that stay fast as the database grows. ``events_precision_date``
# serves the pipeline's candidate query (one date range per date precision); ``sketch_keys``
# replaces ``sketch_index``, keyed by the document's integer ``pk`` so that the most recently
# stored documents sharing a hash are read first and only so many of them (boilerplate shares
# hashes with thousands of documents). A document's title and text are in ``search`` only while
# it has mentions (a text search finds events, and a report without mentions has none; indexing
# every unrelated report cost two thirds of its write): the store adds and removes them in
# ``replace_mentions`` and ``save_document`` instead of the version-1 triggers.
_V4 = """
CREATE INDEX events_precision_date ON events(date_precision, event_date, id);
CREATE TABLE sketch_keys (
    hash INTEGER NOT NULL,
    doc_pk INTEGER NOT NULL REFERENCES documents(pk) ON DELETE CASCADE,
    PRIMARY KEY (hash, doc_pk)
) WITHOUT ROWID;
CREATE INDEX sketch_keys_doc ON sketch_keys(doc_pk);
INSERT INTO sketch_keys(hash, doc_pk)
    SELECT i.hash, d.pk FROM sketch_index i JOIN documents d ON d.id = i.doc_id;
DROP TABLE sketch_index;
DROP TRIGGER documents_search_insert;
DROP TRIGGER documents_search_delete;
DROP TRIGGER documents_search_update;
INSERT INTO search(search, rowid, body)
    SELECT 'delete', d.pk * 4 + 0, coalesce(d.title, '') || ' ' || d.text FROM documents d
    WHERE NOT EXISTS (SELECT 1 FROM mentions m WHERE m.doc_id = d.id);
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _V1),
    Migration(2, "wire-copy sketches", _V2),
    Migration(3, "feeds and alerts", _V3),
    Migration(4, "indexed candidate and copy look-ups", _V4),
)

LATEST_VERSION: int = MIGRATIONS[-1].version


def pending_in(migrations: Sequence[Migration], current: int) -> list[Migration]:
    """Those of ``migrations`` to apply, in order, to a database at version ``current``."""
    return [m for m in migrations if m.version > current]


def pending(current: int) -> list[Migration]:
    """The migrations to apply, in order, to a database at version ``current``."""
    return pending_in(MIGRATIONS, current)
