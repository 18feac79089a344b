"""The watcher's state on both backends (SQLite always, PostgreSQL with ``SITROOM_TEST_PG``):
:class:`WatchState` row by row, then ``sitroom feeds`` and ``sitroom watch --once`` through the
CLI with ``--db`` the SQLite file or the PostgreSQL URL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sitroom.cli import app
from sitroom.errors import ConfigError, StoreError
from sitroom.store import Store
from sitroom.watch import WatchState
from sitroom.watch.config import FeedConfig
from sitroom.watch.state import Mark
from store.conftest import Backend
from watch.feedkit import REPORTS, LoopbackServer, item, rss

runner = CliRunner(env={"COLUMNS": "300"})


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 5, 15, 9, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def feed(name: str, location: str = "https://example.org/rss.xml", **extra: Any) -> FeedConfig:
    return FeedConfig(name=name, kind="rss", location=location, interval=60.0, language="en", **extra)


def test_an_unknown_store_is_refused_clearly() -> None:
    with pytest.raises(ConfigError, match="SQLite or PostgreSQL store"):
        WatchState(object())  # type: ignore[arg-type]


def test_feeds_sync_and_fetch_state(store: Store) -> None:
    clock = Clock()
    state = WatchState(store, clock=clock)
    added = state.add_feed(feed("cli-feed"))
    assert (added.origin, added.enabled, added.fetch_pages, added.added_at) == ("cli", True, False, clock.now)
    with pytest.raises(ConfigError, match="exists already"):
        state.add_feed(feed("cli-feed"))
    assert [f.name for f in state.feeds()] == ["cli-feed"]

    state.sync_config_feeds([feed("a", fetch_pages=True), feed("b", "https://example.org/b.xml")])
    a = state.feed("a")
    assert a is not None and a.origin == "config" and a.fetch_pages and a.language == "en"
    state.record_fetch_ok(
        a.id, status="ok", etag='"1"', last_modified="Wed", cursor="c1", next_due_at=clock.now
    )
    state.record_fetch_ok(a.id, status="not modified", etag='"1"', last_modified="Wed", cursor=None,
                          next_due_at=clock.now + timedelta(seconds=60))  # fmt: skip
    a = state.feed("a")
    assert a is not None
    assert (a.etag, a.last_modified, a.cursor, a.last_status) == ('"1"', "Wed", "c1", "not modified")
    assert a.next_due_at == clock.now + timedelta(seconds=60) and a.last_ok_at == clock.now
    for _ in range(2):
        state.record_fetch_error(a.id, "HTTP 500", next_due_at=clock.now)
    a = state.feed("a")
    assert a is not None and (a.failures, a.last_status, a.last_error) == (2, "error", "HTTP 500")

    # "a" moves (validators and cursor forgotten), "b" leaves the configuration (disabled, kept)
    state.sync_config_feeds([feed("a", "https://example.org/moved.xml")])
    a = state.feed("a")
    assert a is not None and (a.etag, a.cursor, a.failures, a.fetch_pages) == (None, None, 0, False)
    assert {f.name: f.enabled for f in state.feeds()} == {"cli-feed": True, "a": True, "b": False}
    assert [f.name for f in state.feeds(enabled_only=True)] == ["cli-feed", "a"]


def test_items_marks_alerts_and_status(store: Store) -> None:
    clock = Clock()
    state = WatchState(store, clock=clock)
    one = state.add_feed(feed("one"))
    two = state.add_feed(feed("two", "https://example.org/two.xml"))
    keys = [f"item-{i}" for i in range(450)]  # more than one chunk of keys
    with store.transaction():
        for i, key in enumerate(keys):
            state.record_item(one.id, key, f"fp-{i}", doc_id=f"one#{i}", failed=None, first_seen=clock.now,
                              created=1, updated=0)  # fmt: skip
    state.record_item(one.id, "item-0", "fp-new", doc_id=None, failed="unreadable", first_seen=clock.now,
                      created=0, updated=2)  # fmt: skip
    state.record_item(two.id, "item-0", "fp-two", doc_id=None, failed=None, first_seen=clock.now,
                      created=0, updated=0)  # fmt: skip
    assert state.seen(one.id, ["item-0", "item-449", "nope", "item-0"]) == {
        "item-0": "fp-new",
        "item-449": "fp-449",
    }
    assert len(state.seen(one.id, keys)) == 450 and len(state.all_seen(one.id)) == 450
    assert state.all_seen(two.id) == {"item-0": "fp-two"}

    assert state.mark("r", "ev-1") is None
    state.save_mark("r", "ev-1", Mark(seq=1, fatalities=3, fatalities_max=None, sources=1, hedged=True))
    newer = Mark(seq=2, fatalities=3, fatalities_max=5, sources=2, hedged=False)
    state.save_mark("r", "ev-1", newer)
    assert state.mark("r", "ev-1") == newer

    payload = {"feed": "one", "note": "100% sure? 'quoted'"}  # % and ? pass through untouched
    assert state.queue_alert("al-1", "log", "r", "ev-1", ["new", "fatalities"], payload)
    assert not state.queue_alert("al-1", "log", "r", "ev-1", ["new"], payload)  # once per sink
    assert state.queue_alert("al-1", "hook", "r", "ev-1", ["new"], payload)
    assert state.queue_alert("al-2", "log", "r", "ev-2", ["new"], {"feed": "two"})
    first, second, third = state.alerts()
    assert first.triggers == ("new", "fatalities") and first.payload == payload
    assert state.next_alert_due() == clock.now
    assert [r.alert_id for r in state.due_alerts(limit=2)] == ["al-1", "al-1"]

    assert state.alert_sending(first.id) and not state.alert_sending(first.id)  # claimed once
    state.alert_sent(first.id)
    assert state.alert_sending(second.id)
    state.alert_retry(second.id, "down", clock.now + timedelta(seconds=30))
    assert state.alert_sending(third.id)
    state.alert_failed(third.id, "refused")
    assert [r.status for r in state.alerts()] == ["sent", "pending", "failed"]
    assert [r.alert_id for r in state.alerts(status="pending")] == ["al-1"]
    assert state.due_alerts() == [] and state.next_alert_due() == clock.now + timedelta(seconds=30)
    sent = state.alerts(status="sent")[0]
    assert sent.sent_at == clock.now and sent.attempts == 1 and sent.last_error is None

    counts = {s.feed.name: s for s in state.status()}
    assert (counts["one"].items_seen, counts["one"].items_failed) == (450, 1)
    assert (counts["one"].events_created, counts["one"].events_updated) == (450, 2)  # summed on update
    assert (counts["one"].alerts_sent, counts["one"].alerts_pending) == (1, 1)
    assert (counts["two"].items_seen, counts["two"].alerts_sent, counts["two"].alerts_pending) == (1, 0, 0)


def test_a_failed_statement_names_its_action_and_rolls_back(store: Store) -> None:
    state = WatchState(store)
    with pytest.raises(StoreError, match="probing the watcher failed"), store.transaction():
        state.add_feed(feed("kept-out"))
        with state.store.connection("probing the watcher") as conn:
            conn.execute("SELECT no_such_column FROM feeds")
    assert state.feeds() == []
    state.add_feed(feed("after"))  # the connection is usable again
    assert [f.name for f in state.feeds()] == ["after"]


def test_a_failed_write_inside_an_ingest_undoes_only_itself(store: Store) -> None:
    state = WatchState(store)
    with store.transaction():
        state.add_feed(feed("kept"))
        with pytest.raises(ConfigError):
            state.add_feed(feed("kept"))
        state.add_feed(feed("also kept", "https://example.org/2.xml"))
    assert [f.name for f in state.feeds()] == ["kept", "also kept"]


# -- the CLI ----------------------------------------------------------------------------------


def status_rows(output: str) -> dict[str, list[str]]:
    table = output.replace("┃", "│").splitlines()
    cells = [[c.strip() for c in line.strip("│").split("│")] for line in table]
    rows = {c[0]: c for c in cells if len(c) == 11}
    rows.pop("name")
    return rows


def test_feeds_and_watch_once_through_the_cli(
    backend: Backend, server: LoopbackServer, tmp_path: Path
) -> None:
    """``--db`` a SQLite file or a PostgreSQL URL: feeds added, polled, their items recorded,
    alerts written to a file once; a second run re-reads nothing and re-alerts nothing."""
    db = ["--db", backend.url]
    server.set("/herald.xml", body=rss([item("kharkiv-a"), item("kirkuk")]), etag='"1"')
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "odesa.txt").write_text("date 2024-05-15\n\n" + REPORTS["odesa"], encoding="utf-8")
    alerts_file = tmp_path / "alerts.jsonl"
    cfg = tmp_path / "sitroom.toml"
    cfg.write_text(
        f"""
[watch]
timeout = 1
retries = 0
settle = 0

[[feeds]]
name = "configured"
path = "{inbox}"

[[rules]]
name = "everything"
sinks = ["log"]

[sinks.log]
type = "file"
path = "{alerts_file}"
""",
        encoding="utf-8",
    )

    added = runner.invoke(app, [*db, "feeds", "add", server.url("/herald.xml"), "--name", "herald",
                                "--interval", "60", "--language", "en"])  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "added feed 'herald' (rss, every 60 s)" in added.output
    again = runner.invoke(app, [*db, "feeds", "add", server.url("/herald.xml"), "--name", "herald"])
    assert again.exit_code == 2 and "exists already" in again.output
    listed = runner.invoke(app, [*db, "feeds", "list", "--config", str(cfg)])
    assert listed.exit_code == 0, listed.output
    for text in ("herald", server.url("/herald.xml"), "60s", "cli", "configured", "folder", "config"):
        assert text in listed.output

    first = runner.invoke(app, [*db, "watch", "--config", str(cfg), "--once"])
    assert first.exit_code == 0, first.output
    assert "polls 2 (errors 0); items 3" in first.output and "events created 3" in first.output
    lines = [json.loads(x) for x in alerts_file.read_text(encoding="utf-8").splitlines()]
    assert sorted(a["event"]["location"] for a in lines) == ["Kharkiv", "Kirkuk", "Odesa"]
    assert len({a["alert_id"] for a in lines}) == 3
    assert {a["feed"] for a in lines} == {"herald", "configured"}

    status = runner.invoke(app, [*db, "feeds", "status", "--config", str(cfg)])
    assert status.exit_code == 0, status.output
    rows = status_rows(status.output)
    assert rows["herald"][1] == "ok" and rows["herald"][4:10] == ["2", "0", "2", "0", "2", "0"]
    assert rows["configured"][1] == "ok" and rows["configured"][4:10] == ["1", "0", "1", "0", "1", "0"]

    with backend.store() as s:
        state = WatchState(s)
        herald = state.feed("herald")
        assert herald is not None and herald.etag == '"1"'
        assert set(state.all_seen(herald.id)) == {"urn:test:kharkiv-a", "urn:test:kirkuk"}
        assert {r.status for r in state.alerts()} == {"sent"} and len(state.alerts()) == 3
        assert s.counts()["events"] == 3

    second = runner.invoke(app, [*db, "watch", "--config", str(cfg), "--once"])
    assert second.exit_code == 0, second.output
    assert "items 0" in second.output and "alerts queued 0, sent 0" in second.output
    assert server.hits("/herald.xml")[-1].headers.get("If-None-Match") == '"1"'  # conditional: 304
    assert len(alerts_file.read_text(encoding="utf-8").splitlines()) == 3  # nothing alerted twice
    rows = status_rows(runner.invoke(app, [*db, "feeds", "status", "--config", str(cfg)]).output)
    assert rows["herald"][4:10] == ["2", "0", "2", "0", "2", "0"]
    assert rows["configured"][4:10] == ["1", "0", "1", "0", "1", "0"]


def test_stamps_sort_as_text_on_both_backends(store: Store) -> None:
    """Due alerts are found by comparing ISO text: the order must be the time order on both."""
    clock = Clock()
    state = WatchState(store, clock=clock)
    for i, delay in enumerate((3600.0, 0.5, 86400.0 * 40)):
        state.queue_alert(f"al-{i}", "log", "r", "ev", ["new"], {"feed": "f"})
        row = state.alerts()[-1]
        assert state.alert_sending(row.id)
        state.alert_retry(row.id, "later", clock.now + timedelta(seconds=delay))
    clock.now += timedelta(seconds=1)
    assert [r.alert_id for r in state.due_alerts()] == ["al-1"]
    clock.now += timedelta(days=41)
    assert [r.alert_id for r in state.due_alerts()] == ["al-0", "al-1", "al-2"]
