"""Measure the delay from an item appearing in a feed to its alert reaching a webhook.

A real ``sitroom watch`` process polls a loopback feed every 0.5 s; the test publishes one new
report at a time and times its webhook alert. The figures are printed, not asserted (they
depend on the machine); run ``pytest tests/watch/test_latency.py -s`` to see them. The test
also checks that SIGTERM stops the watcher cleanly.
"""

from __future__ import annotations

import signal
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from watch.feedkit import DISTINCT, LoopbackServer, item, rss, wait_until

INTERVAL = 0.5
ITEMS = 6


def test_feed_to_alert_delay(
    server: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.set("/live.xml", body=rss([]), etag='"0"')
    server.set("/hook", content_type="application/json")
    config = tmp_path / "sitroom.toml"
    config.write_text(
        f"""
[watch]
timeout = 5
[[feeds]]
name = "live"
url = "{server.url("/live.xml")}"
interval = {INTERVAL}
[[rules]]
name = "all"
[sinks.hook]
type = "webhook"
url = "{server.url("/hook")}"
""",
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "sitroom.cli", "--db", str(tmp_path / "s.db"), "watch"]
    command += ["--config", str(config), "--for", "120"]
    log = (tmp_path / "watch.log").open("wb")
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    delays: list[tuple[float, float, float]] = []
    try:
        assert wait_until(lambda: len(server.hits("/live.xml")) >= 2, 60), (
            tmp_path / "watch.log"
        ).read_text()
        published: list[str] = []
        for number, key in enumerate(DISTINCT[:ITEMS], start=1):
            time.sleep(INTERVAL * (0.37 * number % 1))  # publish at varied points of the poll cycle
            published.insert(0, key)
            appeared = time.time()
            server.set("/live.xml", body=rss([item(k) for k in published]), etag=f'"{number}"')
            assert wait_until(lambda n=number: len(server.hits("/hook", "POST")) >= n, 30)  # type: ignore[misc]
            post = server.hits("/hook", "POST")[number - 1]
            alert = server.posts("/hook")[number - 1]
            detected = datetime.fromisoformat(alert["detected_at"]).timestamp()
            delays.append((post.at - appeared, detected - appeared, post.at - detected))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0  # a clean stop
    finally:
        if proc.poll() is None:
            proc.kill()
    total = [d[0] for d in delays]
    with capsys.disabled():
        print(
            f"\nfeed-to-alert delay over {len(total)} items (poll interval {INTERVAL} s, loopback webhook): "
            f"median {statistics.median(total):.3f} s, max {max(total):.3f} s; "
            f"of which waiting for the poll median {statistics.median(d[1] for d in delays):.3f} s, "
            f"fetch+ingest+deliver median {statistics.median(d[2] for d in delays):.3f} s"
        )
    assert all(d > 0 for d in total)
