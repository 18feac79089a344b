"""The SQLite store: migrations, round trips, transactions, filters, stats, errors, concurrency."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from sitroom.errors import ConfigError, StoreError
from sitroom.records import Document, Event, Mention, Place
from sitroom.store import EventFilter, SQLiteStore, Store, open_store, parse_url
from sitroom.store.migrations import LATEST_VERSION, MIGRATIONS, pending

KYIV = Place("Kyiv", "town", "Ukraine", "UA", "Kyiv City", 50.4501, 30.5234, "city", "703448")
KHARKIV = Place("Kharkiv", "town", "Ukraine", "UA", "Kharkiv", 49.9935, 36.2304, "city", "706483")
KIRISHI = Place("Kirishi oil refinery", "site", "Russia", "RU", "Leningrad", 59.4474, 32.0085, "site")
ERBIL = Place("Erbil", "town", "Iraq", "IQ", "Erbil", 36.1911, 44.0094, "city", "95446")
ZAPO = Place("Zaporizhzhia Oblast", "admin1", "Ukraine", "UA", "Zaporizhzhia", None, None, "admin1")


def doc(doc_id: str, text: str, published: datetime | None = None, **kw: str) -> Document:
    return Document(text=text, id=doc_id, published=published, **kw)


def mention(doc_id: str, evidence: str, **kw: object) -> Mention:
    fields: dict[str, object] = {
        "doc_id": doc_id,
        "role": "main",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Air/drone strike",
        "evidence": evidence,
        "start": 0,
        "end": len(evidence),
    }
    fields.update(kw)
    return Mention(**fields)  # type: ignore[arg-type]


def event(event_id: str, mentions: tuple[Mention, ...] = (), **kw: object) -> Event:
    fields: dict[str, object] = {
        "id": event_id,
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Air/drone strike",
        "event_date": date(2024, 2, 10),
        "date_precision": "day",
        "place": KYIV,
        "mentions": mentions,
    }
    fields.update(kw)
    return Event(**fields)  # type: ignore[arg-type]


def ingest(store: Store, document: Document, events: list[Event]) -> None:
    """Save one document and the events its mentions belong to, as the pipeline would."""
    pairs = [(m, e.id) for e in events for m in e.mentions if m.doc_id == document.id]
    with store.transaction():
        store.save_document(document)
        store.replace_mentions(document.id, pairs)
        for e in events:
            store.save_event(e)


@pytest.fixture()
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "sitroom.db"


@pytest.fixture()
def store(db_path: Path) -> Iterator[SQLiteStore]:
    with SQLiteStore(db_path) as s:
        yield s


# -- migrations -------------------------------------------------------------------------------


def test_constructor_does_no_io(db_path: Path) -> None:
    s = SQLiteStore(db_path)
    assert not db_path.parent.exists()
    assert not s.is_open
    with pytest.raises(StoreError, match="not open"):
        s.counts()


def test_migrations_apply_once_and_reopen_applies_nothing(db_path: Path) -> None:
    with SQLiteStore(db_path) as s:
        first = s.applied_migrations()
    assert [v for v, _ in first] == [m.version for m in MIGRATIONS]
    with SQLiteStore(db_path) as s:
        assert s.applied_migrations() == first
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_migrations_are_ordered_and_split_whole_statements() -> None:
    versions = [m.version for m in MIGRATIONS]
    assert versions == list(range(1, len(versions) + 1))
    assert pending(0) == list(MIGRATIONS)
    assert pending(LATEST_VERSION) == []
    statements = MIGRATIONS[0].statements()
    triggers = [s for s in statements if s.startswith("CREATE TRIGGER")]
    assert triggers and all(s.endswith("END;") for s in triggers)


def test_pragmas(store: SQLiteStore) -> None:
    conn = store._require()
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0


def test_newer_database_is_refused(db_path: Path) -> None:
    with SQLiteStore(db_path):
        pass
    conn = sqlite3.connect(db_path)
    conn.execute("INSERT INTO schema_migrations VALUES (999, 'future', '2099-01-01')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer than this sitroom supports") as info:
        SQLiteStore(db_path).open()
    assert info.value.source == str(db_path)


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE stuff (x)")
    conn.close()
    with pytest.raises(StoreError, match="not a sitroom database"):
        SQLiteStore(path).open()


# -- errors at open ---------------------------------------------------------------------------


def test_non_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("this is not a database, just some text that is long enough " * 20)
    with pytest.raises(StoreError, match="not a database") as info:
        SQLiteStore(path).open()
    assert info.value.source == str(path)
    assert isinstance(info.value.__cause__, sqlite3.Error)


def test_unwritable_path(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    path = blocker / "sub" / "sitroom.db"  # a folder cannot be made inside a regular file
    with pytest.raises(StoreError, match="cannot create the folder") as info:
        SQLiteStore(path).open()
    assert info.value.source == str(path)


def test_folder_as_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        SQLiteStore(tmp_path).open()


def test_read_only_folder(tmp_path: Path) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root can write anywhere")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(StoreError):
            SQLiteStore(folder / "x.db").open()
    finally:
        folder.chmod(0o700)


def test_parent_folders_are_created(db_path: Path) -> None:
    with SQLiteStore(db_path):
        pass
    assert db_path.is_file()


# -- open_store -------------------------------------------------------------------------------


def test_parse_url(tmp_path: Path) -> None:
    assert parse_url("events.db") == ("sqlite", "events.db")
    assert parse_url(tmp_path / "x.db") == ("sqlite", str(tmp_path / "x.db"))
    assert parse_url("sqlite:///rel/x.db") == ("sqlite", "rel/x.db")
    assert parse_url("sqlite:////abs/x.db") == ("sqlite", "/abs/x.db")
    assert parse_url("sqlite://") == ("sqlite", ":memory:")
    assert parse_url("sqlite:///:memory:") == ("sqlite", ":memory:")
    assert parse_url("postgresql+psycopg://u:p@h/db")[0] == "postgresql"
    with pytest.raises(StoreError, match="unsupported"):
        parse_url("mysql://h/db")
    with pytest.raises(StoreError):
        parse_url("  ")


def test_open_store(tmp_path: Path) -> None:
    s = open_store(f"sqlite:///{tmp_path}/x.db")
    assert isinstance(s, SQLiteStore) and isinstance(s, Store)
    assert s.path == f"{tmp_path}/x.db"
    try:
        pg = open_store("postgresql://user:secret@host/db")  # a PostgresStore: no I/O before open()
    except StoreError as exc:  # psycopg (the postgres extra) is not installed
        assert "sitroom[postgres]" in str(exc) and "secret" not in str(exc)
    else:
        assert isinstance(pg, Store) and "secret" not in repr(pg)


def test_memory_store() -> None:
    with open_store(":memory:") as s:
        ingest(s, doc("D1", "text"), [event("E1", (mention("D1", "text"),))])
        assert s.counts()["events"] == 1


# -- SQLite specifics -------------------------------------------------------------------------


def test_a_documents_text_is_searchable_while_it_has_mentions(store: SQLiteStore) -> None:
    """Schema version 4: a text search finds events, so only reports with mentions are indexed."""
    conn = store._require()

    def hits(word: str) -> int:
        return int(conn.execute("SELECT count(*) FROM search WHERE search MATCH ?", (word,)).fetchone()[0])

    store.save_document(doc("D1", "first quarry", title="Old"))
    assert hits("quarry") == 0  # unrelated news: nothing to find it by
    m = mention("D1", "drone strike")
    ingest(store, doc("D1", "first quarry", title="Old"), [event("E1", (m,))])
    assert hits("quarry") == 1 and hits("old") == 1
    with store.transaction():  # a revised text while indexed: the index follows it
        store.save_document(doc("D1", "second harbour", title="New"))
    assert (hits("quarry"), hits("old"), hits("harbour"), hits("new")) == (0, 0, 1, 1)
    with store.transaction():
        store.replace_mentions("D1", [])
        store.delete_event("E1")
    assert hits("harbour") == 0
    conn.execute("INSERT INTO search(search) VALUES ('integrity-check')")  # raises if corrupt
    assert store.counts()["documents"] == 1


def test_version_4_drops_the_text_of_reports_without_mentions_from_the_index(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL)"
    )
    for migration in MIGRATIONS[:3]:
        for statement in migration.statements():
            conn.execute(statement)
        conn.execute(
            "INSERT INTO schema_migrations VALUES (?, ?, '2024-01-01')", (migration.version, migration.name)
        )
    for pk, (doc_id, text) in enumerate((("kept", "kept harbour"), ("gone", "gone quarry")), start=1):
        conn.execute(
            "INSERT INTO documents(pk, id, text, fingerprint, ingested_at) VALUES (?, ?, ?, 'x', 'now')",
            (pk, doc_id, text),
        )
    conn.execute(
        "INSERT INTO events(id, event_type, sub_event_type, date_precision, created_at, updated_at)"
        " VALUES ('E', 'Battles', 'Armed clash', 'day', 'now', 'now')"
    )
    conn.execute(
        "INSERT INTO mentions(doc_id, event_id, seq, key, role, event_type, sub_event_type, evidence,"
        " start_offset, end_offset, date_precision, extractor)"
        " VALUES ('kept', 'E', 0, 'k', 'main', 'Battles', 'Armed clash', 'clash', 0, 5, 'day', 'rules')"
    )
    conn.commit()
    conn.close()
    with SQLiteStore(path) as s:
        c = s._require()
        assert c.execute("SELECT count(*) FROM search WHERE search MATCH 'harbour'").fetchone()[0] == 1
        assert c.execute("SELECT count(*) FROM search WHERE search MATCH 'quarry'").fetchone()[0] == 0
        c.execute("INSERT INTO search(search) VALUES ('integrity-check')")  # raises if corrupt


def test_save_event_keeps_created_at_and_bumps_updated_at(db_path: Path) -> None:
    moments = iter(datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=h) for h in range(100))
    with SQLiteStore(db_path, clock=lambda: next(moments)) as s:
        ingest(s, doc("D1", "x"), [event("E1", (mention("D1", "x"),))])
        s.save_event(event("E1", fatalities=4))
        assert s.get_event("E1") == event("E1", (mention("D1", "x"),), fatalities=4)
        created, updated = s._require().execute("SELECT created_at, updated_at FROM events").fetchone()
    assert datetime.fromisoformat(created) < datetime.fromisoformat(updated)


# -- filters ----------------------------------------------------------------------------------


def test_filter_validation() -> None:
    with pytest.raises(ConfigError):
        EventFilter(km=5)
    with pytest.raises(ConfigError):
        EventFilter(near=(95.0, 0.0))
    with pytest.raises(ConfigError):
        EventFilter(bbox=(0.0, 10.0, 1.0, 5.0))
    with pytest.raises(ConfigError):
        EventFilter(limit=-1)
    with pytest.raises(ConfigError):
        EventFilter(order="random")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        EventFilter(since=date(2024, 2, 1), until=date(2024, 1, 1))
