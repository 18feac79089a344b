"""A watcher process killed with SIGKILL mid-run resumes without losing or duplicating anything.

The watcher runs as a real ``sitroom watch --once`` subprocess against a feed and a webhook
receiver on loopback, with a file sink beside the webhook. Checked after the resumed run: every
item became exactly one document and one event, every alert is in the file exactly once and
was acknowledged by the webhook exactly once. A webhook POST cut off by the kill (received, never
answered) is sent again on resume with the same alert id: that is the documented at-least-once
window, and the tests check that it is the only repeat.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from watch.feedkit import DISTINCT, LoopbackServer, item, rss, wait_until


def write_config(tmp_path: Path, server: LoopbackServer) -> Path:
    path = tmp_path / "sitroom.toml"
    path.write_text(
        f"""
[watch]
timeout = 30
retries = 0

[[feeds]]
name = "wire"
url = "{server.url("/wire.xml")}"
interval = 60

[[rules]]
name = "all"

[sinks.log]
type = "file"
path = "alerts.jsonl"

[sinks.hook]
type = "webhook"
url = "{server.url("/hook")}"
retries = 0
timeout = 30
""",
        encoding="utf-8",
    )
    return path


def start(tmp_path: Path, config: Path, run: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "sitroom.cli", "--db", str(tmp_path / "s.db"), "watch"]
    command += ["--config", str(config), "--once", "--quiet"]
    log = (tmp_path / f"run-{run}.log").open("wb")
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)


def finish(tmp_path: Path, config: Path) -> None:
    proc = start(tmp_path, config, 99)
    assert proc.wait(timeout=120) == 0, (tmp_path / "run-99.log").read_text()


def rows(tmp_path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(tmp_path / "s.db")
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


def check_complete(tmp_path: Path, server: LoopbackServer) -> tuple[list[str], Counter[str]]:
    """Everything read once; returns the alert ids and how often the webhook received each."""
    docs = rows(tmp_path, "SELECT id FROM documents")
    assert sorted(d[0] for d in docs) == sorted(f"urn:test:{k}" for k in DISTINCT)
    assert rows(tmp_path, "SELECT count(*), count(DISTINCT key) FROM feed_items") == [(10, 10)]
    assert rows(tmp_path, "SELECT count(*) FROM events") == [(10,)]
    assert rows(tmp_path, "SELECT count(*) FROM mentions GROUP BY event_id HAVING count(*) > 1") == []
    assert rows(tmp_path, "SELECT status, count(*) FROM alerts GROUP BY status") == [("sent", 20)]
    alert_ids = sorted(str(r[0]) for r in rows(tmp_path, "SELECT DISTINCT alert_id FROM alerts"))
    assert len(alert_ids) == 10
    lines = [json.loads(x) for x in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert sorted(a["alert_id"] for a in lines) == alert_ids  # the file: exactly once each
    received = Counter(p["alert_id"] for p in server.posts("/hook"))
    assert sorted(received) == alert_ids  # the webhook: none lost
    feed = rows(tmp_path, "SELECT last_status, failures FROM feeds")
    assert feed == [("ok", 0)]
    return alert_ids, received


def test_killed_while_an_alert_is_in_flight(server: LoopbackServer, tmp_path: Path) -> None:
    server.set("/wire.xml", body=rss([item(k) for k in DISTINCT]))
    reached, release = threading.Event(), threading.Event()
    lock = threading.Lock()
    count = [0]

    def on_post() -> None:
        with lock:
            count[0] += 1
            number = count[0]
        if number == 4:  # hold the fourth alert: the watcher waits for the answer
            reached.set()
            release.wait(30)

    server.set("/hook", content_type="application/json", on_request=on_post)
    config = write_config(tmp_path, server)
    proc = start(tmp_path, config, 1)
    try:
        assert reached.wait(90), (tmp_path / "run-1.log").read_text()
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
    # killed mid-run: four items were read, the rest were not
    assert rows(tmp_path, "SELECT count(*) FROM feed_items") == [(4,)]
    assert rows(tmp_path, "SELECT count(*) FROM documents") == [(4,)]
    assert rows(tmp_path, "SELECT sink, status FROM alerts WHERE status != 'sent'") == [("hook", "sending")]
    assert rows(tmp_path, "SELECT etag, last_fetch_at FROM feeds") == [(None, None)]  # poll not recorded

    finish(tmp_path, config)

    _, received = check_complete(tmp_path, server)
    in_flight = json.loads(server.hits("/hook", "POST")[3].body)["alert_id"]
    repeats = {aid: n for aid, n in received.items() if n > 1}
    assert repeats == {in_flight: 2}  # only the POST the kill cut off is sent again


def test_killed_at_random_moments(server: LoopbackServer, tmp_path: Path) -> None:
    server.set("/wire.xml", body=rss([item(k) for k in DISTINCT]))
    server.set("/hook", content_type="application/json", on_request=lambda: time.sleep(0.05))
    config = write_config(tmp_path, server)
    rng = random.Random(20240515)
    kills = 0
    for run in range(1, 4):
        before = len(server.hits("/hook", "POST"))
        proc = start(tmp_path, config, run)
        try:
            # kill at a random moment once this run has started sending, or let it end
            def started_sending(before: int = before, proc: subprocess.Popen[bytes] = proc) -> bool:
                return len(server.hits("/hook", "POST")) > before or proc.poll() is not None

            wait_until(started_sending, 90)
            time.sleep(rng.uniform(0.0, 0.25))
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
    finish(tmp_path, config)
    _, received = check_complete(tmp_path, server)
    repeats = sum(n - 1 for n in received.values())
    assert kills >= 1  # the first run is always still sending when its kill comes
    assert repeats <= kills  # at most the one POST in flight at each kill
