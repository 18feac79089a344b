"""The PostgreSQL store: what only it has (URLs, migrations, advisory locks, server errors), and
the proof that it behaves as the SQLite store: the same pipeline output, the same CLI, and two
processes ingesting at once lose nothing and duplicate nothing.

The behaviour both stores share is tested once for both in ``test_backends.py``. Tests that need
a server are marked ``postgres`` (see ``conftest.py`` for ``SITROOM_TEST_PG``); the others need
only psycopg.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from sitroom.errors import StoreError
from sitroom.export import write_events
from sitroom.pipeline import Pipeline
from sitroom.records import Document
from sitroom.store import EventFilter, SQLiteStore, Store, open_store
from store.test_sqlite import doc, event, ingest, mention

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed: pip install 'sitroom[postgres]'")

from sitroom.store import pg_migrations  # noqa: E402  (needs nothing, but is only used with psycopg)
from sitroom.store.postgres import LOCK_CLASS, PostgresStore, search_tokens  # noqa: E402

postgres = pytest.mark.postgres


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def admin(url: str) -> Any:
    """A plain autocommit connection to the test schema (for looking behind the store)."""
    return psycopg.connect(url, autocommit=True)


# -- URLs and open_store (no server) ----------------------------------------------------------


def test_open_store_gives_a_postgres_store_and_does_no_io() -> None:
    for url in (
        "postgresql://user:secret@host:5432/db",
        "postgres://user:secret@host/db",
        "postgresql+psycopg://user:secret@host/db?sslmode=require&password=secret",
        "POSTGRESQL://user:secret@host/db",
    ):
        s = open_store(url)
        assert isinstance(s, PostgresStore) and isinstance(s, Store)
        assert not s.is_open
        assert s.source.startswith("postgresql://user@host")
        assert "secret" not in repr(s) and "secret" not in s.source
        with pytest.raises(StoreError, match="not open") as info:
            s.counts()
        assert "secret" not in str(info.value)


def test_open_store_without_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now raises ImportError
    monkeypatch.delitem(sys.modules, "sitroom.store.postgres")
    with pytest.raises(StoreError, match=r"pip install 'sitroom\[postgres\]'") as info:
        open_store("postgresql://user:secret@host/db")
    assert "secret" not in str(info.value)
    assert isinstance(open_store(":memory:"), SQLiteStore)  # SQLite never needs it


def test_unreachable_server_is_a_store_error_without_the_password() -> None:
    port = free_port()
    with pytest.raises(StoreError, match="cannot connect") as info:
        PostgresStore(f"postgresql://sitroom:topsecret@127.0.0.1:{port}/nowhere", timeout=2).open()
    assert "topsecret" not in str(info.value)
    assert info.value.source == f"postgresql://sitroom@127.0.0.1:{port}/nowhere"
    assert isinstance(info.value.__cause__, psycopg.Error)


def test_malformed_url_does_not_echo_the_password() -> None:
    with pytest.raises(StoreError, match="invalid PostgreSQL URL") as info:
        PostgresStore("postgresql://u:sec%zzret@127.0.0.1:1/db").open()
    assert "zzret" not in str(info.value) and "details withheld" in str(info.value)
    with pytest.raises(StoreError, match='invalid URI query parameter: "nonsense"'):
        PostgresStore(f"postgresql://u@127.0.0.1:{free_port()}/db?nonsense=1").open()


def other_database(url: str, name: str) -> str:
    """``url`` naming another database on the same server."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


# -- text search: SQLite's tokenizer, reproduced ----------------------------------------------


def sqlite_tokens(texts: list[str]) -> list[list[str]]:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')")
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    conn.executemany("INSERT INTO t(rowid, body) VALUES (?, ?)", list(enumerate(texts)))
    found: list[list[str]] = [[] for _ in texts]
    for term, row in conn.execute("SELECT term, doc FROM v ORDER BY doc, offset"):
        found[row].append(term)
    conn.close()
    return found


def test_search_tokens_are_sqlite_fts5_tokens() -> None:
    texts = [
        "Russian drones struck Kyïv and Kharkiv on Saturday.",
        "Straße in İSTANBUL; x_y; C:\\path 'quote' O'Brien ǅemal ½ Ⅻ ﬁre naïve café Ærøskøbing",
        "Tveimur sprengjudrónum var beint að herstöð í Írak.",
        "قصف صاروخي على أربيل — غارة جوية بطائرة مسيّرة",
        "پهپاد به پایگاه حمله کرد؛ هەولێر",
        "ड्रोन हमले में तीन लोगों की मौत",
        "Дрон атакував Харків, загинули троє людей. Ёлка",
        "無人機が攻撃 北京 서울 드론",
        "tab\tnew\nline\u00a0nbsp\u2003em-space\u200bzero-width\u00adsoft-hyphen",
        "emoji 🚀 test 👍🏽 ok",
    ]
    assert [search_tokens(t) for t in texts] == sqlite_tokens(texts)


def test_search_tokens_match_sqlite_on_every_assigned_character() -> None:
    chars = [
        chr(cp)
        for cp in range(0x80, 0x3000)
        if unicodedata.category(chr(cp)) not in ("Cn", "Cs") and not chr(cp).isspace()
    ]
    texts = [f"a{c}b" for c in chars]
    assert [search_tokens(t) for t in texts] == sqlite_tokens(texts)


# -- migrations -------------------------------------------------------------------------------


@postgres
def test_migrations_apply_once_and_reopen_applies_nothing(pg_url: str) -> None:
    with PostgresStore(pg_url) as s:
        first = s.applied_migrations()
    assert [v for v, _ in first] == [m.version for m in pg_migrations.MIGRATIONS] == [1, 2, 3, 4]
    with PostgresStore(pg_url) as s:
        assert s.applied_migrations() == first
    with admin(pg_url) as conn:
        tables = {
            r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        }
        names = conn.execute("SELECT name FROM schema_migrations ORDER BY version").fetchall()
    assert {
        "documents",
        "mentions",
        "events",
        "places",
        "actors",
        "document_sketches",
        "sketch_keys",
    } <= tables
    assert {"near_copies", "feeds", "feed_items", "alert_marks", "alerts", "schema_migrations"} <= tables
    assert "sketch_index" not in tables  # replaced in version 4
    assert [n for (n,) in names] == [m.name for m in pg_migrations.MIGRATIONS]


@postgres
def test_migrations_run_one_transaction_each_from_any_version(pg_url: str) -> None:
    with admin(pg_url) as conn:  # a database left at version 2 by an older sitroom
        conn.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TIMESTAMPTZ NOT NULL)"
        )
        for m in pg_migrations.MIGRATIONS[:2]:
            with conn.transaction():
                conn.execute(m.sql)
                conn.execute("INSERT INTO schema_migrations VALUES (%s, %s, now())", (m.version, m.name))
        conn.execute(
            "INSERT INTO documents(id, text, fingerprint, ingested_at, search)"
            " VALUES ('D1', 'x', 'f', now(), '')"
        )
        conn.execute("INSERT INTO sketch_index(hash, doc_id) VALUES (7, 'D1')")
    with PostgresStore(pg_url) as s:
        assert [v for v, _ in s.applied_migrations()] == [1, 2, 3, 4]
    with admin(pg_url) as conn:
        assert conn.execute("SELECT hash FROM sketch_keys").fetchall() == [(7,)]  # carried over


@postgres
def test_many_processes_opening_a_new_database_migrate_it_once(pg_url: str) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def opener() -> None:
        try:
            start.wait(timeout=30)
            with PostgresStore(pg_url, timeout=30) as s:
                s.counts()
        except BaseException as exc:  # re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with admin(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone() == (4,)


@postgres
def test_newer_database_is_refused(pg_url: str) -> None:
    with PostgresStore(pg_url):
        pass
    with admin(pg_url) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (999, 'future', now())")
    with pytest.raises(StoreError, match="newer than this sitroom supports") as info:
        PostgresStore(pg_url).open()
    assert info.value.source is not None and info.value.source.startswith("postgresql://")


@postgres
def test_foreign_schema_is_refused(pg_url: str) -> None:
    with admin(pg_url) as conn:
        conn.execute("CREATE TABLE stuff (x int)")
    with pytest.raises(StoreError, match=r"not a sitroom database: .*\(stuff\)"):
        PostgresStore(pg_url).open()


@postgres
def test_missing_schema_or_database(pg_server: str) -> None:
    from store.conftest import with_search_path

    with pytest.raises(StoreError, match="no schema"):
        PostgresStore(with_search_path(pg_server, "no_such_schema_here")).open()
    with pytest.raises(StoreError, match=r"cannot connect.*does not exist"):
        PostgresStore(other_database(pg_server, "no_such_database_here")).open()


# -- server errors ----------------------------------------------------------------------------


@postgres
def test_nul_characters_are_refused_cleanly(pg_url: str) -> None:
    with PostgresStore(pg_url) as s:
        with pytest.raises(StoreError, match="NUL"):
            s.save_document(Document("a\x00b", id="D1"))
        with pytest.raises(StoreError, match="surrogates"):
            s.save_document(Document("a\udc80b", id="D1"))
        s.save_document(Document("fine", id="D1"))  # still usable
        assert s.counts()["documents"] == 1


@postgres
def test_a_dropped_connection_is_a_store_error(pg_url: str) -> None:
    with PostgresStore(pg_url) as s:
        pid = s._require().info.backend_pid
        with admin(pg_url) as conn:
            conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(StoreError, match="counting rows failed"):
            s.counts()
        with pytest.raises(StoreError), s.transaction():
            s.save_document(doc("D1", "x"))


@postgres
def test_created_at_is_kept_and_updated_at_bumped(pg_url: str) -> None:
    moments = iter(datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=h) for h in range(100))
    with PostgresStore(pg_url, clock=lambda: next(moments)) as s:
        ingest(s, doc("D1", "x"), [event("E1", (mention("D1", "x"),))])
        s.save_event(event("E1", fatalities=4))
    with admin(pg_url) as conn:
        created, updated = conn.execute("SELECT created_at, updated_at FROM events").fetchone()
        types = dict(
            conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = 'events'"
            ).fetchall()
        )
    assert created < updated and created.tzinfo is not None
    assert types["event_date"] == "date" and types["hedged"] == "boolean" and types["fatalities"] == "bigint"


# -- the write lock ---------------------------------------------------------------------------


def lock_waiters(url: str, pid: int) -> int:
    with admin(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND pid = %s", (pid,)
        ).fetchone()
    return int(row[0])


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 20.0) -> None:
    """Poll a condition that another process makes true (there is nothing to block on)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


@postgres
def test_writers_wait_for_each_other_and_see_each_others_commits(pg_url: str) -> None:
    with PostgresStore(pg_url) as first, PostgresStore(pg_url) as second:
        second_pid = second._require().info.backend_pid
        seen: list[str | None] = []
        errors: list[BaseException] = []

        def second_writer() -> None:
            try:
                with second.transaction():  # blocks until the first writer commits
                    d1 = second.get_document("D1")
                    seen.append(d1.text if d1 else None)
                    second.save_document(doc("D2", "second"))
            except BaseException as exc:  # re-raised below
                errors.append(exc)

        with first.transaction():
            first.save_document(doc("D1", "first"))
            thread = threading.Thread(target=second_writer)
            thread.start()
            wait_for(lambda: lock_waiters(pg_url, second_pid) == 1, "the second writer to wait for the lock")
            assert seen == []
        thread.join(timeout=30)
        assert errors == [] and seen == ["first"]
        assert second.counts()["documents"] == 2


@postgres
def test_waiting_for_the_write_lock_times_out(pg_url: str) -> None:
    with PostgresStore(pg_url, timeout=0.2) as s, admin(pg_url) as holder:
        oid = holder.execute("SELECT oid FROM pg_namespace WHERE nspname = current_schema()").fetchone()[0]
        holder.execute("SELECT pg_advisory_lock(%s, %s)", (LOCK_CLASS, oid))
        with pytest.raises(StoreError, match=r"held the sitroom write lock for more than 0\.2 s"):
            s.save_document(doc("D1", "x"))
        assert s.get_document("D1") is None  # reads never wait
        holder.execute("SELECT pg_advisory_unlock(%s, %s)", (LOCK_CLASS, oid))
        s.save_document(doc("D1", "x"))
        assert s.get_document("D1") is not None


@postgres
def test_two_schemas_do_not_share_a_lock(pg_schema: Callable[[], str]) -> None:
    one, two = pg_schema(), pg_schema()
    with PostgresStore(one) as a, PostgresStore(two, timeout=1) as b, a.transaction():
        a.save_document(doc("D1", "x"))
        b.save_document(doc("D1", "y"))  # does not wait for a's transaction


# -- the watcher ------------------------------------------------------------------------------


@postgres
def test_the_watcher_and_feeds_work_on_postgres(pg_url: str, tmp_path: Path) -> None:
    """Its state lives in the PostgreSQL schema (see tests/watch/test_backends.py for the rest)."""
    from typer.testing import CliRunner

    from sitroom.cli import app
    from sitroom.watch import WatchState

    with PostgresStore(pg_url) as s:
        assert WatchState(s).feeds() == []
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "kirkuk.txt").write_text(
        "date 2024-05-15\n\nA roadside bomb exploded next to an army convoy in Kirkuk on Sunday, killing"
        " two soldiers, police said.\n",
        encoding="utf-8",
    )
    runner = CliRunner(env={"COLUMNS": "300"})
    added = runner.invoke(app, ["--db", pg_url, "feeds", "add", str(folder), "--name", "drop"])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["--db", pg_url, "feeds", "list"])
    assert listed.exit_code == 0 and "drop" in listed.output and "folder" in listed.output
    cfg = tmp_path / "sitroom.toml"
    cfg.write_text("[watch]\nsettle = 0\n", encoding="utf-8")
    watched = runner.invoke(app, ["--db", pg_url, "watch", "--config", str(cfg), "--once"])
    assert watched.exit_code == 0, watched.output
    assert "items 1" in watched.output and "events created 1" in watched.output
    status = runner.invoke(app, ["--db", pg_url, "feeds", "status"])
    assert status.exit_code == 0 and "drop" in status.output and "ok" in status.output
    with admin(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM feed_items").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 1


# -- the same output as SQLite ----------------------------------------------------------------

#: Ten attacks, each told three ways by three outlets the day after (texts written for these tests).
ATTACKS = [
    ("Kharkiv", date(2024, 3, 5), "drone strike", "a market", 3),
    ("Odesa", date(2024, 3, 12), "missile strike", "the port", 4),
    ("Erbil", date(2024, 3, 19), "rocket attack", "the airport", 2),
    ("Kirkuk", date(2024, 3, 26), "roadside bomb", "a police patrol", 5),
    ("Nabatieh", date(2024, 4, 2), "air strike", "a house", 6),
    ("Aden", date(2024, 4, 9), "drone attack", "a checkpoint", 2),
    ("Mogadishu", date(2024, 4, 23), "suicide bombing", "a restaurant", 9),
    ("Kherson", date(2024, 4, 30), "artillery shelling", "a bus stop", 3),
    ("Homs", date(2024, 5, 7), "air strike", "a bakery", 7),
    ("Zaporizhzhia", date(2024, 5, 14), "missile strike", "a power plant", 1),
]
_NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 9: "nine"}
_TELLINGS = [
    "A {weapon} hit {target} in {city} on {weekday}, killing {n} people, officials said.",
    "{N} people were killed when a {weapon} struck {target} in {city} on {weekday}, local authorities said.",
    "Officials in {city} said {n} civilians died after a {weapon} on {target} on {weekday}.",
]


def reports() -> list[Document]:
    docs = []
    for i, (city, day, weapon, target, n) in enumerate(ATTACKS):
        for j, telling in enumerate(_TELLINGS):
            text = telling.format(
                weapon=weapon,
                target=target,
                city=city,
                weekday=day.strftime("%A"),
                n=_NUMBERS[n],
                N=_NUMBERS[n].capitalize(),
            )
            published = datetime.combine(day + timedelta(days=1), datetime.min.time()) + timedelta(
                hours=8 + j
            )
            docs.append(
                Document(text=text, id=f"R{i:02d}{j}", published=published, language="en", outlet=f"o{j}")
            )
    return docs


def more_reports() -> list[Document]:
    """Reports that exercise the rest: a wire copy, an undated attack, a changed report."""
    wire = (
        "KYIV, March 5 (Wire) - A drone strike hit a market in Kharkiv on Tuesday, killing three people "
        "and wounding eleven, regional governor said. Firefighters worked through the night to put out "
        "the blaze that spread to nearby stalls, and rescue teams searched the rubble for survivors."
    )
    return [
        Document(wire, id="W1", published=datetime(2024, 3, 6, 12), title="Drone hits Kharkiv market"),
        Document(wire + " Editing by the desk.", id="W2", published=datetime(2024, 3, 6, 13), outlet="copy"),
        Document("Gunmen attacked a village near Goma, killing six civilians, the army said.", id="U1"),
        Document(
            "A missile strike hit the port in Odesa on Tuesday, killing four people.",
            id="R010",
            published=datetime(2024, 3, 13, 8),
        ),  # same id as a report above, new text: a changed document
    ]


def export_all(store: Store) -> dict[str, str]:
    out: dict[str, str] = {}
    for fmt in ("jsonl", "csv", "acled-csv", "geojson"):
        buffer = io.StringIO()
        write_events(store.iter_events(), fmt, buffer, timestamp=1_700_000_000)
        out[fmt] = buffer.getvalue()
    return out


@postgres
def test_pipeline_gives_the_same_events_as_sqlite(pg_url: str, tmp_path: Path) -> None:
    docs = reports() + more_reports()
    with SQLiteStore(tmp_path / "ref.db") as ref, PostgresStore(pg_url) as pg:
        summaries = [Pipeline(s).ingest(docs) for s in (ref, pg)]
        assert summaries[0] == summaries[1]
        assert summaries[0].changed == 1 and summaries[0].failed == 0
        exported = export_all(pg)
        assert exported == export_all(ref)
        assert exported["jsonl"].count("\n") == 11
        assert pg.counts() == ref.counts()
        assert pg.stats("week") == ref.stats("week") and pg.stats("month") == ref.stats("month")
        assert pg.copies_of("W1") == ref.copies_of("W1") != []
        for flt in (
            EventFilter(text="market kharkiv"),
            EventFilter(country="iraq", order="date_asc"),
            EventFilter(actor="armed group", limit=4, offset=3),
            EventFilter(country="CD"),
            EventFilter(near=(46.48, 30.73), km=30),
            EventFilter(min_fatalities=5, order="fatalities_desc"),
            EventFilter(text="villag*"),
            EventFilter(text="killing", since=date(2024, 4, 1), order="date_asc"),
        ):
            assert pg.query_events(flt) == ref.query_events(flt), flt
        for d in docs:
            assert pg.get_document(d.id) == ref.get_document(d.id)
        # again: the changed report (R010) changes back and forth, the rest are duplicates
        again = [Pipeline(s).ingest(docs) for s in (ref, pg)]
        assert again[0] == again[1] and again[0].new == 0 and again[0].changed == 2
        assert export_all(pg) == export_all(ref)


@postgres
def test_cli_with_a_postgres_url(pg_url: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sitroom.cli import app

    data = tmp_path / "reports.jsonl"
    with data.open("w", encoding="utf-8") as fh:
        for d in reports()[:12]:
            record = {
                "id": d.id,
                "text": d.text,
                "published": d.published.isoformat() if d.published else None,
            }
            fh.write(json.dumps(record) + "\n")
    runner = CliRunner(env={"COLUMNS": "300"})
    ref = str(tmp_path / "ref.db")

    def run(db: str, *args: str, env: dict[str, str | None] | None = None) -> str:
        result = runner.invoke(app, ["--db", db, *args] if db else list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.output

    assert "new 12" in run(pg_url, "ingest", "-q", str(data))
    run(ref, "ingest", "-q", str(data))
    assert run(pg_url, "export", "-f", "jsonl") == run(ref, "export", "-f", "jsonl")
    assert run(pg_url, "events", "--country", "Iraq") == run(ref, "events", "--country", "Iraq")
    assert run(pg_url, "stats", "--by", "month") == run(ref, "stats", "--by", "month")
    listed = run("", "events", "--text", "Kharkiv", env={"SITROOM_DB": pg_url})  # SITROOM_DB works too
    assert "Kharkiv" in listed and "1 of 1 events" in listed
    out = tmp_path / "events.geojson"
    run(pg_url, "export", "-f", "geojson", "-o", str(out))
    assert len(json.loads(out.read_text())["features"]) == 4
    wrong = runner.invoke(app, ["--db", other_database(pg_url, "no_such_database_here"), "events"])
    assert wrong.exit_code == 2 and "error (store)" in wrong.output and "does not exist" in wrong.output


# -- two processes at once --------------------------------------------------------------------


def _ingest_in_process(url: str, docs: list[Document], barrier: Any, results: Any) -> None:
    """A child process: open a store, load the models, wait for the other one, ingest."""
    try:
        with PostgresStore(url, timeout=120) as store:
            pipeline = Pipeline(store)
            pipeline.read(docs[0])  # language and extraction data loaded before the race
            barrier.wait(timeout=120)
            started = time.time()
            summary = pipeline.ingest(docs)
            results.put(("ok", summary.new, summary.duplicate, summary.failed, started, time.time()))
    except BaseException as exc:  # reported to the parent
        results.put(("error", repr(exc)))


def partition(store: Store) -> set[frozenset[str]]:
    """Which documents report the same event (what a run decides, whatever the event ids)."""
    return {frozenset(e.doc_ids) for e in store.iter_events()}


def mentions_by_document(store: Store) -> dict[str, list[tuple[str, int, int, str]]]:
    found: dict[str, list[tuple[str, int, int, str]]] = {}
    for e in store.iter_events():
        for m in e.mentions:
            found.setdefault(m.doc_id, []).append((m.evidence, m.start, m.end, m.sub_event_type))
    return {k: sorted(v) for k, v in found.items()}


def event_facts(store: Store) -> set[tuple[object, ...]]:
    """Each event without its id (which depends on which report came first)."""
    return {
        (
            frozenset(e.doc_ids),
            e.event_type,
            e.sub_event_type,
            e.event_date,
            e.place.name if e.place else None,
            e.fatalities,
            e.fatalities_max,
        )
        for e in store.iter_events()
    }


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    """The 30 reports ingested by one process into SQLite."""
    with SQLiteStore(tmp_path_factory.mktemp("ref") / "ref.db") as ref:
        Pipeline(ref).ingest(reports())
        yield ref


def split_with_overlap(docs: list[Document]) -> tuple[list[Document], list[Document]]:
    """Alternate reports between two inputs (so both write reports of every attack at once), and
    give every fifth report to both."""
    first = [d for k, d in enumerate(docs) if k % 2 == 0 or k % 5 == 0]
    second = [d for k, d in enumerate(docs) if k % 2 == 1 or k % 5 == 0]
    return first, second


def assert_same_as_one_process(url: str, reference: SQLiteStore) -> None:
    with PostgresStore(url) as pg:
        assert pg.counts() == reference.counts()  # no document lost, no event duplicated
        assert len(partition(pg)) == len(ATTACKS)
        assert partition(pg) == partition(reference)
        assert mentions_by_document(pg) == mentions_by_document(reference)
        assert event_facts(pg) == event_facts(reference)


@postgres
@pytest.mark.parametrize("run", range(3))
def test_two_processes_ingesting_at_once_lose_and_duplicate_nothing(
    pg_url: str, reference: SQLiteStore, run: int
) -> None:
    first, second = split_with_overlap(reports())
    if run % 2:
        first, second = first[::-1], second[::-1]  # the races happen in another order
    with PostgresStore(pg_url):
        pass  # schema in place (migrating concurrently is tested elsewhere)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    children = [
        context.Process(target=_ingest_in_process, args=(pg_url, part, barrier, results))
        for part in (first, second)
    ]
    for child in children:
        child.start()
    outcomes = [results.get(timeout=300) for _ in children]
    for child in children:
        child.join(timeout=60)
    assert [o[0] for o in outcomes] == ["ok", "ok"], outcomes
    assert max(o[4] for o in outcomes) < min(o[5] for o in outcomes), "the two ingests did not overlap"
    assert sum(o[1] for o in outcomes) == 30  # each report stored once ...
    assert sum(o[2] for o in outcomes) == len(first) + len(second) - 30  # ... the shared ones skipped once
    assert sum(o[3] for o in outcomes) == 0
    assert_same_as_one_process(pg_url, reference)


@postgres
def test_two_cli_ingests_at_once(pg_url: str, reference: SQLiteStore, tmp_path: Path) -> None:
    paths = []
    for name, part in zip(("first", "second"), split_with_overlap(reports()), strict=True):
        path = tmp_path / f"{name}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for d in part:
                published = d.published.isoformat() if d.published else None
                fh.write(
                    json.dumps({"id": d.id, "text": d.text, "published": published, "outlet": d.outlet})
                    + "\n"
                )
        paths.append(path)
    env = {**os.environ, "SITROOM_DB": pg_url}
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "sitroom.cli", "ingest", "--quiet", str(path)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in paths
    ]
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, out + err
    assert_same_as_one_process(pg_url, reference)


@postgres
def test_http_api_answers_the_same_over_postgres(pg_url: str, tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from sitroom.api import create_app

    ref = str(tmp_path / "ref.db")
    for db in (pg_url, ref):
        with open_store(db) as s:
            Pipeline(s).ingest(reports()[:12])
    answers = []
    for db in (pg_url, ref):
        with TestClient(create_app(db)) as client:
            got = [
                client.get(path) for path in ("/api/events?country=IQ", "/api/stats?by=month", "/api/health")
            ]
        assert [r.status_code for r in got] == [200, 200, 200]
        answers.append([r.json() for r in got[:2]])
    assert answers[0] == answers[1]
    assert answers[0][0]["total"] == 2
