"""The SQLite store: migrations, round trips, transactions, filters, stats, errors, concurrency."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import sitroom.store.sqlite as sqlite_module
from sitroom.errors import ConfigError, StoreError
from sitroom.records import Document, Event, Mention, Place, Span
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


# -- round trips ------------------------------------------------------------------------------


def test_event_round_trip_with_mentions_places_spans(store: SQLiteStore) -> None:
    d1 = doc("D1", "A drone hit Kyiv. Two died.", datetime(2024, 2, 10, 8), title="Drone", outlet="Ukrinform")
    d2 = doc("D2", "Kyiv was attacked overnight by drones.", datetime(2024, 2, 11))
    m1 = mention(
        "D1",
        "A drone hit Kyiv.",
        event_date=date(2024, 2, 10),
        place=KYIV,
        actor1="Russian forces",
        actor2="Civilians (Ukraine)",
        weapon="drone",
        count=3,
        fatalities=2,
        injured=None,
        intercepted=False,
        claimed_by=None,
        hedged=True,
        language="en",
        spans=(Span("place", 12, 16, "Kyiv"), Span("weapon", 2, 7, "drone")),
        extractor="rules.v1",
    )
    m2 = mention(
        "D2",
        "Kyiv was attacked overnight by drones.",
        role="background",
        event_date=date(2024, 2, 10),
        date_precision="week",
        place=Place("Kyiv", "town", "Ukraine", "UA", None, 50.45, 30.52),  # a different place value
        fatalities=3,
        injured=5,
        intercepted=True,
        claimed_by="Nobody",
        spans=(),
        extractor="llm.v2",
    )
    e = event(
        "E1",
        (m1, m2),
        actor1="Russian forces",
        actor2="Civilians (Ukraine)",
        weapon="drone",
        count=3,
        fatalities=2,
        fatalities_max=3,
        injured=5,
        injured_max=5,
        intercepted=False,
        claimed_by="Nobody",
        hedged=True,
    )
    ingest(store, d1, [e])
    ingest(store, d2, [e])
    assert store.get_event("E1") == e
    assert store.get_event("nope") is None
    assert store.get_document("D1") == d1
    assert store.get_document("D2") == d2
    assert store.get_document("nope") is None
    assert store.counts() == {"documents": 2, "mentions": 2, "events": 1, "places": 2, "actors": 3}
    assert store.event_ids_for_document("D1") == ["E1"]


def test_places_are_deduplicated(store: SQLiteStore) -> None:
    e1 = event("E1", (mention("D1", "a"),), place=KYIV)
    e2 = event("E2", (mention("D1", "b", place=KYIV),), place=KYIV)
    ingest(store, doc("D1", "a b"), [e1, e2])
    assert store.counts()["places"] == 1


def test_event_without_place_or_date(store: SQLiteStore) -> None:
    e = event("E1", (mention("D1", "x"),), place=None, event_date=None, date_precision="year")
    ingest(store, doc("D1", "x"), [e])
    assert store.get_event("E1") == e
    assert store.undated_events() == [e]


def test_document_state(store: SQLiteStore) -> None:
    d = doc("D1", "Some report.")
    assert store.document_state(d) == "new"
    store.save_document(d)
    assert store.document_state(d) == "same"
    assert store.document_state(doc("D1", "  Some   report. ")) == "same"  # whitespace-insensitive
    assert store.document_state(doc("D1", "Some other report.")) == "changed"


def test_save_document_upserts(store: SQLiteStore) -> None:
    store.save_document(doc("D1", "first", title="Old"))
    store.save_document(doc("D1", "second", title="New"))
    got = store.get_document("D1")
    assert got is not None and got.text == "second" and got.title == "New"
    assert store.counts()["documents"] == 1
    conn = store._require()
    assert conn.execute("SELECT count(*) FROM search WHERE search MATCH 'first'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM search WHERE search MATCH 'second'").fetchone()[0] == 1


def test_save_event_keeps_created_at_and_bumps_updated_at(db_path: Path) -> None:
    moments = iter(datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=h) for h in range(100))
    with SQLiteStore(db_path, clock=lambda: next(moments)) as s:
        ingest(s, doc("D1", "x"), [event("E1", (mention("D1", "x"),))])
        s.save_event(event("E1", fatalities=4))
        assert s.get_event("E1") == event("E1", (mention("D1", "x"),), fatalities=4)
        created, updated = s._require().execute("SELECT created_at, updated_at FROM events").fetchone()
    assert datetime.fromisoformat(created) < datetime.fromisoformat(updated)


def test_replace_mentions_replaces_and_collects_orphans(store: SQLiteStore) -> None:
    m1 = mention("D1", "a", place=KHARKIV, actor1="Wagner")
    m2 = mention("D1", "b", place=ERBIL, claimed_by="Islamic Resistance in Iraq")
    ingest(store, doc("D1", "a b"), [event("E1", (m1, m2))])
    assert store.counts() == {"documents": 1, "mentions": 2, "events": 1, "places": 3, "actors": 2}
    with store.transaction():
        store.replace_mentions("D1", [(m1, "E1")])
    counts = store.counts()
    assert counts["mentions"] == 1 and counts["places"] == 2 and counts["actors"] == 1
    got = store.get_event("E1")
    assert got is not None and got.mentions == (m1,)


def test_mention_doc_mismatch_and_unsaved_document(store: SQLiteStore) -> None:
    with pytest.raises(StoreError, match="was given for document"):
        store.replace_mentions("D2", [(mention("D1", "x"), "E1")])
    with pytest.raises(StoreError, match="not saved"):
        store.replace_mentions("D9", [(mention("D9", "x"), "E1")])


def test_delete_event(store: SQLiteStore) -> None:
    ingest(store, doc("D1", "x"), [event("E1", (mention("D1", "x"),), actor1="Hamas")])
    with pytest.raises(StoreError, match="still has 1 mention"):
        store.delete_event("E1")
    with store.transaction():
        store.replace_mentions("D1", [])
        store.delete_event("E1")
    assert store.get_event("E1") is None
    assert store.counts() == {"documents": 1, "mentions": 0, "events": 0, "places": 0, "actors": 0}


# -- transactions -----------------------------------------------------------------------------


def test_transaction_rollback_leaves_nothing(store: SQLiteStore) -> None:
    e = event("E1", (mention("D1", "x", place=ERBIL, actor1="X"),), actor2="Y")
    with pytest.raises(RuntimeError), store.transaction():
        store.save_document(doc("D1", "x"))
        store.replace_mentions("D1", [(e.mentions[0], "E1")])
        store.save_event(e)
        raise RuntimeError("killed mid-document")
    assert store.counts() == {"documents": 0, "mentions": 0, "events": 0, "places": 0, "actors": 0}
    assert store.query_events(EventFilter(text="x")) == []


def test_nested_transaction_is_a_savepoint(store: SQLiteStore) -> None:
    with store.transaction():
        store.save_document(doc("D1", "kept"))
        with pytest.raises(ValueError), store.transaction():
            store.save_document(doc("D2", "dropped"))
            raise ValueError
    assert store.get_document("D1") is not None
    assert store.get_document("D2") is None


def test_mention_of_unsaved_event_fails_at_commit(store: SQLiteStore) -> None:
    with pytest.raises(StoreError, match="FOREIGN KEY"), store.transaction():
        store.save_document(doc("D1", "x"))
        store.replace_mentions("D1", [(mention("D1", "x"), "E-missing")])
    assert store.counts()["documents"] == 0


def test_killed_process_leaves_no_half_document(db_path: Path) -> None:
    script = f"""
import os
from datetime import date
from sitroom.records import Document, Event, Mention
from sitroom.store import SQLiteStore
s = SQLiteStore({str(db_path)!r})
s.open()
with s.transaction():
    s.save_document(Document("x", id="D1"))
    s.replace_mentions("D1", [(Mention("D1", "main", "Battles", "Armed clash", "x", 0, 1), "E1")])
    os._exit(3)  # killed before save_event and commit
"""
    done = subprocess.run([sys.executable, "-c", script], check=False, timeout=60)
    assert done.returncode == 3
    with SQLiteStore(db_path) as fresh:
        assert fresh.counts() == {"documents": 0, "mentions": 0, "events": 0, "places": 0, "actors": 0}


# -- queries ----------------------------------------------------------------------------------


@pytest.fixture()
def corpus(store: SQLiteStore) -> SQLiteStore:
    ingest(
        store,
        doc(
            "D1",
            "Russian drones struck Kyïv and Kharkiv on Saturday.",
            datetime(2024, 2, 10),
            title="Strikes",
        ),
        [
            event(
                "K1",
                (mention("D1", "Russian drones struck Kyïv", place=KYIV),),
                actor1="Russian forces",
                fatalities=2,
            ),
            event(
                "H1",
                (mention("D1", "and Kharkiv", place=KHARKIV),),
                place=KHARKIV,
                actor1="Russian forces",
                actor2="Civilians (Ukraine)",
                fatalities=7,
            ),
        ],
    )
    ingest(
        store,
        doc("D2", "Ukrainian drones hit the Kirishi refinery.", datetime(2025, 9, 14)),
        [
            event(
                "R1",
                (mention("D2", "Ukrainian drones hit the Kirishi refinery."),),
                place=KIRISHI,
                event_date=date(2025, 9, 14),
                actor1="Ukrainian forces (Unmanned Systems Forces)",
                claimed_by="SBU",
                fatalities=0,
            )
        ],
    )
    ingest(
        store,
        doc("D3", "A rocket was intercepted over Erbil airport.", datetime(2024, 3, 1)),
        [
            event(
                "I1",
                (mention("D3", "A rocket was intercepted over Erbil airport."),),
                place=ERBIL,
                event_date=date(2024, 2, 12),
                event_type="Strategic developments",
                sub_event_type="Disrupted weapons use",
                intercepted=True,
            )
        ],
    )
    ingest(
        store,
        doc("D4", "Shelling across Zaporizhzhia region, date unknown."),
        [
            event(
                "Z1",
                (mention("D4", "Shelling across Zaporizhzhia region"),),
                place=ZAPO,
                event_date=None,
                sub_event_type="Shelling/artillery/missile attack",
                fatalities=1,
            )
        ],
    )
    return store


def ids(store: SQLiteStore, **kw: object) -> list[str]:
    return [e.id for e in store.query_events(EventFilter(**kw))]  # type: ignore[arg-type]


def test_default_order_is_date_desc_undated_last(corpus: SQLiteStore) -> None:
    assert ids(corpus) == ["R1", "I1", "H1", "K1", "Z1"]
    assert ids(corpus, order="date_asc") == ["H1", "K1", "I1", "R1", "Z1"]
    assert ids(corpus, order="fatalities_desc") == ["H1", "K1", "Z1", "R1", "I1"]


def test_limit_offset_and_count(corpus: SQLiteStore) -> None:
    assert ids(corpus, limit=2) == ["R1", "I1"]
    assert ids(corpus, limit=2, offset=2) == ["H1", "K1"]
    assert ids(corpus, offset=4) == ["Z1"]
    assert ids(corpus, limit=0) == []
    assert corpus.count_events(EventFilter(limit=1)) == 5


def test_date_filters(corpus: SQLiteStore) -> None:
    assert ids(corpus, since=date(2024, 2, 11)) == ["R1", "I1"]
    assert ids(corpus, until=date(2024, 2, 10)) == ["H1", "K1"]
    assert ids(corpus, since=date(2024, 2, 10), until=date(2024, 2, 12)) == ["I1", "H1", "K1"]


def test_country_filter_by_name_and_code(corpus: SQLiteStore) -> None:
    assert ids(corpus, country="ukraine") == ["H1", "K1", "Z1"]
    assert ids(corpus, country="UA") == ["H1", "K1", "Z1"]
    assert ids(corpus, country="ru") == ["R1"]
    assert ids(corpus, country="IRAQ") == ["I1"]
    assert corpus.count_events(EventFilter(country="France")) == 0


def test_type_filter_matches_type_or_sub_type(corpus: SQLiteStore) -> None:
    assert ids(corpus, event_type="strategic developments") == ["I1"]
    assert ids(corpus, event_type="AIR/DRONE STRIKE") == ["R1", "H1", "K1"]
    assert ids(corpus, event_type="Shelling/artillery/missile attack") == ["Z1"]


def test_actor_filter_is_a_case_insensitive_substring(corpus: SQLiteStore) -> None:
    assert ids(corpus, actor="russian") == ["H1", "K1"]
    assert ids(corpus, actor="civilians") == ["H1"]
    assert ids(corpus, actor="sbu") == ["R1"]
    assert ids(corpus, actor="unmanned systems") == ["R1"]


def test_near_and_bbox(corpus: SQLiteStore) -> None:
    assert ids(corpus, near=(50.45, 30.52), km=5) == ["K1"]
    assert ids(corpus, near=(50.2, 33.4), km=250) == ["H1", "K1"]  # Kyiv–Kharkiv are ~410 km apart
    assert ids(corpus, near=(50.45, 30.52)) == ["K1"]  # default radius
    assert ids(corpus, bbox=(22.0, 44.0, 41.0, 53.0)) == ["H1", "K1"]  # roughly Ukraine
    assert ids(corpus, bbox=(40.0, 30.0, 50.0, 40.0)) == ["I1"]
    assert ids(corpus, bbox=(170.0, -90.0, 35.0, 90.0)) == ["R1", "K1"]  # crosses the antimeridian


def test_near_across_the_antimeridian(store: SQLiteStore) -> None:
    fiji = Place("Labasa", "town", "Fiji", "FJ", None, -16.43, 179.9)
    ingest(store, doc("D1", "x"), [event("F1", (mention("D1", "x"),), place=fiji)])
    assert ids(store, near=(-16.43, -179.9), km=50) == ["F1"]


def test_text_search_ignores_case_and_diacritics(corpus: SQLiteStore) -> None:
    assert ids(corpus, text="kyiv") == ["H1", "K1"]  # document text mentions both cities
    assert ids(corpus, text="KYÏV russian") == ["H1", "K1"]
    assert ids(corpus, text="refinery") == ["R1"]
    assert ids(corpus, text="Erbil") == ["I1"]  # place name and evidence
    assert ids(corpus, text="Leningrad") == ["R1"]  # admin1 of the place
    assert ids(corpus, text="SBU") == ["R1"]  # actor name only
    assert ids(corpus, text="strikes") == ["H1", "K1"]  # document title
    assert ids(corpus, text="Zapor*") == ["Z1"]  # prefix
    assert ids(corpus, text="Zaporizhzhia-region") == ["Z1"]  # a hyphenated word is a phrase
    assert ids(corpus, text="Shelling-region") == []  # both words occur, but not side by side
    assert ids(corpus, text='"quoted" (x) OR') == []  # FTS syntax characters are harmless
    assert ids(corpus, text="!!!") == []
    assert corpus.count_events(EventFilter(text="drones", country="RU")) == 1


def test_min_fatalities(corpus: SQLiteStore) -> None:
    assert ids(corpus, min_fatalities=2) == ["H1", "K1"]
    assert ids(corpus, min_fatalities=0) == ["R1", "H1", "K1", "Z1"]


def test_filters_combine(corpus: SQLiteStore) -> None:
    flt = EventFilter(country="UA", since=date(2024, 1, 1), actor="russian", min_fatalities=5, text="drones")
    assert [e.id for e in corpus.query_events(flt)] == ["H1"]
    assert corpus.count_events(flt) == 1


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


def test_events_in_window_and_undated(corpus: SQLiteStore) -> None:
    window = corpus.events_in_window(date(2024, 2, 9), date(2024, 2, 12))
    assert [e.id for e in window] == ["H1", "K1", "I1"]
    assert all(e.mentions for e in window)
    assert [e.id for e in corpus.undated_events()] == ["Z1"]


def test_iter_events_streams_in_batches(corpus: SQLiteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_module, "_BATCH", 1)
    assert [e.id for e in corpus.iter_events()] == ["H1", "K1", "I1", "R1", "Z1"]
    monkeypatch.setattr(sqlite_module, "_BATCH", 2)
    streamed = list(corpus.iter_events())
    assert [e.id for e in streamed] == ["H1", "K1", "I1", "R1", "Z1"]
    assert streamed[0] == corpus.get_event("H1")


def test_stats(corpus: SQLiteStore) -> None:
    week = corpus.stats()
    assert week.total == 5 and week.undated == 1
    assert week.periods == (("2024-02-05", 2), ("2024-02-12", 1), ("2025-09-08", 1))
    assert week.event_types == (("Explosions/Remote violence", 4), ("Strategic developments", 1))
    assert week.sub_event_types[0] == ("Air/drone strike", 3)
    assert week.countries == (("Ukraine", 3), ("Iraq", 1), ("Russia", 1))
    assert corpus.stats("day").periods == (("2024-02-10", 2), ("2024-02-12", 1), ("2025-09-14", 1))
    assert corpus.stats("month").periods == (("2024-02", 3), ("2025-09", 1))
    filtered = corpus.stats("month", EventFilter(country="UA"))
    assert filtered.total == 3 and filtered.periods == (("2024-02", 2),)
    with pytest.raises(ConfigError):
        corpus.stats("year")  # type: ignore[arg-type]


def test_stats_of_empty_store(store: SQLiteStore) -> None:
    empty = store.stats()
    assert empty.total == 0 and empty.periods == () and empty.countries == ()


# -- concurrency ------------------------------------------------------------------------------


def test_two_stores_on_one_file_write_concurrently(db_path: Path) -> None:
    with SQLiteStore(db_path):
        pass  # schema in place
    errors: list[BaseException] = []

    def writer(prefix: str) -> None:
        try:
            with SQLiteStore(db_path, timeout=30) as s:
                for i in range(40):
                    d = doc(f"{prefix}{i}", f"report {prefix} {i}")
                    ingest(s, d, [event(f"E{prefix}{i}", (mention(d.id, d.text, place=KYIV),))])
                    s.query_events(EventFilter(limit=5))
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(p,)) for p in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with SQLiteStore(db_path) as s:
        assert s.counts() == {"documents": 80, "mentions": 80, "events": 80, "places": 1, "actors": 0}


def test_one_store_shared_between_threads(store: SQLiteStore) -> None:
    def work(prefix: str) -> None:
        for i in range(20):
            d = doc(f"{prefix}{i}", f"report {prefix} {i}")
            ingest(store, d, [event(f"E{prefix}{i}", (mention(d.id, d.text),))])

    threads = [threading.Thread(target=work, args=(p,)) for p in ("A", "B", "C")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.counts()["events"] == 60
