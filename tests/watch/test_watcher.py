"""The watcher end to end, in process, against feeds served on loopback that change and misbehave."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from sitroom.records import Event
from sitroom.store import SQLiteStore
from sitroom.watch import Watcher, WatchState, parse_config
from sitroom.watch.config import WatchConfig
from watch.feedkit import REPORTS, LoopbackServer, Request, article_page, item, rss


def config(
    feeds: list[dict[str, Any]], tmp_path: Path, server: LoopbackServer | None = None, **watch: Any
) -> WatchConfig:
    sinks: dict[str, Any] = {"log": {"type": "file", "path": str(tmp_path / "alerts.jsonl")}}
    if server is not None:
        server.set("/hook", content_type="application/json")
        sinks["hook"] = {"type": "webhook", "url": server.url("/hook"), "retries": 1, "backoff": 0.01}
    settings = {"timeout": 1.0, "retries": 0, "backoff": 0.01, "settle": 0.0, "workers": 8, **watch}
    return parse_config(
        {"watch": settings, "feeds": feeds, "rules": [{"name": "all"}], "sinks": sinks}, source="test.toml"
    )


def alerts(tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "alerts.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def run_once(store: SQLiteStore, cfg: WatchConfig) -> Any:
    with Watcher(store, cfg) as watcher:
        return watcher.run(once=True)


def events(store: SQLiteStore) -> list[Event]:
    return list(store.iter_events())


def by_place(store: SQLiteStore, name: str) -> Event:
    return next(e for e in events(store) if e.place is not None and e.place.name.startswith(name))


def test_a_changing_feed_raises_new_and_update_alerts_once(
    server: LoopbackServer, store: SQLiteStore, tmp_path: Path
) -> None:
    server.set("/herald.xml", body=rss([item("kharkiv-a"), item("kirkuk"), item("council")]), etag='"v1"')
    cfg = config([{"name": "herald", "url": server.url("/herald.xml"), "interval": 60}], tmp_path, server)

    first = run_once(store, cfg)
    assert (first.items, first.events_created, first.alerts_queued) == (3, 2, 2)
    sent = alerts(tmp_path)
    assert sorted(a["event"]["location"] for a in sent) == ["Kharkiv", "Kirkuk"]
    assert all(a["triggers"] == ["new"] and a["previous"] is None for a in sent)

    # unchanged feed: a conditional GET, a 304, nothing read
    second = run_once(store, cfg)
    assert second.reports[0].status == "not-modified" and second.items == 0
    assert server.hits("/herald.xml")[-1].headers["If-None-Match"] == '"v1"'

    # the feed changes: a second report of the Kharkiv strike, with a higher toll, and a hedged report
    server.set(
        "/herald.xml",
        body=rss(
            [item("kharkiv-b"), item("erbil-hedged"), item("kharkiv-a"), item("kirkuk"), item("council")]
        ),
        etag='"v2"',
    )
    third = run_once(store, cfg)
    assert (third.items, third.events_created, third.events_updated) == (2, 1, 1)
    update = next(a for a in alerts(tmp_path) if a["event"]["location"] == "Kharkiv" and a["previous"])
    assert update["triggers"] == ["fatalities", "source"]
    assert update["previous"] == {"fatalities": 3, "fatalities_max": 3, "sources": 1, "hedged": False}
    assert (update["event"]["fatalities"], update["event"]["fatalities_max"], update["event"]["sources"]) == (
        3,
        5,
        2,
    )
    erbil_new = next(a for a in alerts(tmp_path) if a["event"]["location"].startswith("Erbil"))
    assert erbil_new["triggers"] == ["new"] and erbil_new["event"]["hedged"] is True

    # the report is confirmed
    server.set("/herald.xml", body=rss([item("erbil-confirmed"), item("erbil-hedged")]), etag='"v3"')
    run_once(store, cfg)
    confirmed = alerts(tmp_path)[-1]
    assert confirmed["triggers"] == ["source", "confirmed"] and confirmed["event"]["hedged"] is False

    # the server forgets its validators and serves everything again: every item was seen already
    server.set(
        "/herald.xml",
        body=rss([item(k) for k in ("kharkiv-a", "kharkiv-b", "kirkuk", "erbil-hedged", "erbil-confirmed")]),
    )
    again = run_once(store, cfg)
    assert again.reports[0].status == "ok" and again.items == 0 and again.alerts_queued == 0

    sent = alerts(tmp_path)
    ids = [a["alert_id"] for a in sent]
    assert len(ids) == len(set(ids)) == 5  # 2 new, Kharkiv update, Erbil new, Erbil confirmed
    hooked = [p["alert_id"] for p in server.posts("/hook")]
    assert sorted(hooked) == sorted(ids)
    assert len(events(store)) == 3
    (status,) = WatchState(store).status()
    assert (status.items_seen, status.events_created, status.events_updated) == (6, 3, 2)
    assert status.alerts_sent == 10 and status.alerts_pending == 0  # 5 alerts x 2 sinks


def test_broken_slow_and_garbage_feeds_do_not_stop_the_good_one(
    server: LoopbackServer, store: SQLiteStore, tmp_path: Path
) -> None:
    server.set("/good.xml", body=rss([item("kharkiv-a")]))
    server.set("/error.xml", status=500)
    server.set("/slow.xml", body=rss([item("kirkuk")]), delay=3.0)
    server.set("/garbage.xml", body=b"<<< this is not XML at all {]", content_type="text/xml")
    server.set("/binary.xml", body=bytes(range(256)) * 8, content_type="application/octet-stream")
    server.set("/huge.xml", body=b"<rss>" + b"x" * 100_000, repeat=50)
    server.set("/flood.xml", body=b"<rss>" + b"x" * 100_000, repeat=50, declare_length=False)
    names = ["good", "error", "slow", "garbage", "binary", "huge", "flood", "missing"]
    feeds = [{"name": n, "url": server.url(f"/{n}.xml"), "interval": 30} for n in names]
    cfg = config(feeds, tmp_path, timeout=0.5, retries=1, max_bytes=500_000)

    started = time.monotonic()
    summary = run_once(store, cfg)
    took = time.monotonic() - started

    reports = {r.feed: r for r in summary.reports}
    assert reports["good"].status == "ok" and reports["good"].events_created == 1
    assert len(alerts(tmp_path)) == 1
    status = {s.feed.name: s for s in WatchState(store).status()}
    expected = {
        "error": "HTTP 500",
        "slow": "timed out",
        "garbage": "not a readable RSS or Atom feed",
        "binary": "binary",
        "huge": "over the limit",
        "flood": "grew past the limit",
        "missing": "HTTP 404",
    }
    for name, fragment in expected.items():
        feed = status[name].feed
        assert feed.last_status == "error" and feed.failures == 1, name
        assert fragment in (feed.last_error or ""), (name, feed.last_error)
        assert feed.next_due_at is not None and feed.last_fetch_at is not None
        assert feed.next_due_at >= feed.last_fetch_at  # backed off, not polled in a loop
    assert len(server.hits("/error.xml")) == 2  # one retry
    assert status["good"].feed.last_error is None and status["good"].items_seen == 1
    assert took < 6.0  # fetched side by side: the slow feed costs its own timeouts only

    # the broken feeds recover: failures reset, items read, the last error kept for the record
    server.set("/error.xml", body=rss([item("odesa")]))
    summary = run_once(store, cfg)
    fixed = {s.feed.name: s for s in WatchState(store).status()}["error"]
    assert fixed.feed.failures == 0 and fixed.feed.last_status == "ok" and fixed.events_created == 1
    assert "HTTP 500" in (fixed.feed.last_error or "")


def test_failing_feed_backs_off_exponentially(
    server: LoopbackServer, store: SQLiteStore, tmp_path: Path
) -> None:
    server.set("/error.xml", status=500)
    cfg = config(
        [{"name": "e", "url": server.url("/error.xml"), "interval": 10}], tmp_path, max_error_backoff=25
    )
    delays = []
    for _ in range(4):
        run_once(store, cfg)
        feed = WatchState(store).feeds()[0]
        assert feed.next_due_at is not None and feed.last_fetch_at is not None
        delays.append(round((feed.next_due_at - feed.last_fetch_at).total_seconds()))
    assert delays == [10, 20, 25, 25]


def test_summary_items_get_their_linked_page(
    server: LoopbackServer, store: SQLiteStore, tmp_path: Path
) -> None:
    teaser = "Officials gave an update on the night's events. Read more on our site."
    full = (
        "KHARKIV, May 15 (Loopback Herald) -\n"
        + REPORTS["kharkiv-a"]
        + "\nRescue teams searched the rubble through the night and cleared the upper floors of the building."
    )
    server.set("/article/1", body=article_page("Drone hits Kharkiv", full), content_type="text/html")
    items = [
        item("kharkiv-a", link=server.url("/article/1"), text=teaser),
        item("kirkuk", link=server.url("/article/missing"), text=REPORTS["kirkuk"]),
    ]
    server.set("/teasers.xml", body=rss(items))
    cfg = config(
        [{"name": "t", "url": server.url("/teasers.xml"), "fetch_pages": True, "language": "en"}], tmp_path
    )
    summary = run_once(store, cfg)
    assert summary.events_created == 2  # Kharkiv from its page, Kirkuk from its summary (page missing)
    kharkiv = by_place(store, "Kharkiv")
    doc = store.get_document(kharkiv.mentions[0].doc_id)
    assert doc is not None and "Rescue teams" in doc.text and doc.url == server.url("/article/1")
    assert doc.title == "kharkiv-a" and doc.published is not None
    assert len(server.hits("/article/1")) == 1 and len(server.hits("/article/missing")) == 1
    run_once(store, cfg)  # seen: the pages are not fetched again
    assert len(server.hits("/article/1")) == 1 and len(server.hits("/article/missing")) == 1


def test_a_folder_feed_reads_new_and_rewritten_files(store: SQLiteStore, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "kharkiv.txt").write_text("date 2024-05-15\n\n" + REPORTS["kharkiv-a"])
    (inbox / ".hidden.txt").write_text(REPORTS["kirkuk"])
    (inbox / "sub" / "broken.jsonl").write_text("{not json\n")
    cfg = config([{"name": "inbox", "path": str(inbox), "interval": 5}], tmp_path)
    first = run_once(store, cfg)
    assert (first.items, first.events_created) == (2, 1)
    assert first.reports[0].failed_items == 1
    assert run_once(store, cfg).items == 0  # nothing new

    reports = [{"id": "w-1", "text": REPORTS["kirkuk"], "published": "2024-03-04"}]
    (inbox / "sub" / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in reports))
    second = run_once(store, cfg)
    assert (second.items, second.events_created) == (1, 1)

    # the Kharkiv file is rewritten with a second report appended as a new file in JSON Lines
    reports.append({"id": "w-2", "text": REPORTS["kharkiv-b"], "published": "2024-05-15"})
    (inbox / "sub" / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in reports))
    stat = (inbox / "sub" / "wire.jsonl").stat()
    os.utime(inbox / "sub" / "wire.jsonl", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    third = run_once(store, cfg)
    assert (third.items, third.events_created, third.events_updated) == (1, 0, 1)
    assert len(alerts(tmp_path)) == 3  # Kharkiv new, Kirkuk new, Kharkiv update


def test_a_file_still_being_written_waits_for_the_next_poll(store: SQLiteStore, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "fresh.txt").write_text(REPORTS["kirkuk"])
    cfg = config([{"name": "inbox", "path": str(inbox)}], tmp_path, settle=30.0)
    assert run_once(store, cfg).items == 0
    old = time.time() - 60
    os.utime(inbox / "fresh.txt", (old, old))
    assert run_once(store, cfg).items == 1


def test_a_json_endpoint_with_a_cursor(server: LoopbackServer, store: SQLiteStore, tmp_path: Path) -> None:
    pages = {
        "": {
            "documents": [{"id": "a1", "text": REPORTS["kharkiv-a"], "published": "2024-05-15"}],
            "next": "c1",
        },
        "c1": {
            "documents": [{"id": "a2", "text": REPORTS["kirkuk"], "published": "2024-03-04"}],
            "next": "c2",
        },
        "c2": {"documents": [], "next": "c2"},
    }

    def answer(request: Request) -> bytes:
        cursor = parse_qs(request.query).get("since", [""])[0]
        return json.dumps(pages[cursor]).encode()

    server.set("/api", dynamic=answer, content_type="application/json")
    feed = {
        "name": "api",
        "type": "json",
        "url": server.url("/api"),
        "cursor_param": "since",
        "cursor_field": "next",
        "headers": {"X-Api-Key": "k"},
    }
    cfg = config([feed], tmp_path)
    assert run_once(store, cfg).events_created == 1
    assert run_once(store, cfg).events_created == 1
    assert run_once(store, cfg).items == 0
    queries = [r.query for r in server.hits("/api")]
    assert queries == ["", "since=c1", "since=c2"]
    assert all(r.headers["X-Api-Key"] == "k" for r in server.hits("/api"))
    stored = WatchState(store).feed("api")
    assert stored is not None and stored.cursor == "c2"
    assert {d for e in events(store) for d in e.doc_ids} == {"api#a1", "api#a2"}


def test_a_json_endpoint_returning_garbage_is_an_error(
    server: LoopbackServer, store: SQLiteStore, tmp_path: Path
) -> None:
    server.set("/api", body=b"<html>maintenance</html>", content_type="text/html")
    server.set("/obj", body=b'{"status": "ok"}', content_type="application/json")
    cfg = config(
        [
            {"name": "api", "type": "json", "url": server.url("/api")},
            {"name": "obj", "type": "json", "url": server.url("/obj")},
        ],
        tmp_path,
    )
    run_once(store, cfg)
    status = {s.feed.name: s.feed for s in WatchState(store).status()}
    assert "did not return JSON" in (status["api"].last_error or "")
    assert "holds no list of documents" in (status["obj"].last_error or "")


def test_an_item_whose_content_changes_is_read_again(
    server: LoopbackServer, store: SQLiteStore, tmp_path: Path
) -> None:
    guid = "urn:test:story-1"
    server.set("/f.xml", body=rss([item("kharkiv-a", guid=guid)]))
    cfg = config([{"name": "f", "url": server.url("/f.xml")}], tmp_path)
    run_once(store, cfg)
    updated = REPORTS["kharkiv-a"].replace("killing three people", "killing six people")
    server.set("/f.xml", body=rss([item("kharkiv-a", guid=guid, text=updated)]))
    summary = run_once(store, cfg)
    assert summary.items == 1
    (kharkiv,) = events(store)  # the pipeline rebuilt the event of the revised report under a new id
    assert kharkiv.fatalities == 6 and len(kharkiv.doc_ids) == 1
    first, second = alerts(tmp_path)
    assert (first["triggers"], second["triggers"]) == (["new"], ["fatalities"])  # an update, not news
    assert second["replaces"] == first["event"]["id"] and second["event"]["id"] == kharkiv.id
    assert second["previous"]["fatalities"] == 3


def test_feeds_added_to_the_store_are_watched_and_config_feeds_are_synced(
    server: LoopbackServer, store: SQLiteStore, tmp_path: Path
) -> None:
    from sitroom.watch import FeedConfig

    server.set("/a.xml", body=rss([item("kharkiv-a")]))
    server.set("/b.xml", body=rss([item("kirkuk")]))
    state = WatchState(store)
    state.add_feed(FeedConfig("cli-feed", "rss", server.url("/b.xml"), interval=60))
    cfg = config([{"name": "a", "url": server.url("/a.xml")}], tmp_path)
    assert run_once(store, cfg).events_created == 2
    # "a" leaves the configuration: disabled, history kept; the CLI feed stays
    run_once(store, config([], tmp_path))
    feeds = {f.name: f for f in state.feeds()}
    assert feeds["a"].enabled is False and feeds["cli-feed"].enabled is True
    assert {s.feed.name: s.items_seen for s in state.status()} == {"cli-feed": 1, "a": 1}


def test_a_database_locked_by_another_writer_is_waited_out(
    server: LoopbackServer, db_path: Path, tmp_path: Path
) -> None:
    import sqlite3
    import threading

    server.set("/f.xml", body=rss([item("kharkiv-a")]))
    store = SQLiteStore(db_path, timeout=0.1)
    store.open()
    cfg = config([{"name": "f", "url": server.url("/f.xml"), "interval": 0.2}], tmp_path)
    watcher = Watcher(store, cfg)
    watcher.store_retry = 0.05
    watcher.prepare()
    locker = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another process writing for a while
    release = threading.Timer(0.6, locker.rollback)
    release.start()

    def seen_item(report: Any) -> None:
        if report.items:
            watcher.stop.set()

    watcher.on_poll = seen_item
    try:
        started = time.monotonic()
        watcher.run(max_seconds=10)
        assert 0.5 < time.monotonic() - started < 10
        assert len(events(store)) == 1 and len(alerts(tmp_path)) == 1
        assert WatchState(store).status()[0].items_seen == 1
    finally:
        release.cancel()
        locker.close()
        watcher.close()
        store.close()
