"""Sinks against real receivers on loopback (an HTTP webhook receiver, aiosmtpd), and the outbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sitroom.store import SQLiteStore
from sitroom.watch.config import EmailSinkConfig, WebhookSinkConfig
from sitroom.watch.sinks import DeliveryError, EmailSink, FileSink, Outbox, StdoutSink, WebhookSink
from sitroom.watch.state import WatchState
from watch.feedkit import LoopbackServer, SmtpInbox, free_port


def alert(aid: str = "al-0001", **extra: Any) -> dict[str, Any]:
    return {
        "alert_id": aid,
        "rule": "kharkiv",
        "triggers": ["new"],
        "summary": "Air/drone strike in Kharkiv, Ukraine on 2024-05-14 by Russian forces: 3 killed",
        "event": {"id": "ev-1", "sources": 1, "fatalities": 3, "fatalities_max": 3, "location": "Kharkiv"},
        "document": {"title": "Drone hits Kharkiv", "url": "https://example.org/a"},
        "feed": "herald",
        "detected_at": "2024-05-15T09:30:00+00:00",
        **extra,
    }


def test_webhook_posts_json_with_the_alert_id(server: LoopbackServer) -> None:
    server.set("/hook", content_type="application/json")
    sink = WebhookSink(WebhookSinkConfig("hook", server.url("/hook"), headers=(("X-Token", "t"),)))
    sink.send(alert())
    sink.close()
    (request,) = server.hits("/hook", "POST")
    assert json.loads(request.body)["alert_id"] == "al-0001"
    assert request.headers["Idempotency-Key"] == "al-0001"
    assert request.headers["X-Token"] == "t"
    assert request.headers["Content-Type"] == "application/json"


def test_webhook_retries_with_backoff(server: LoopbackServer) -> None:
    server.set("/hook", statuses=[500, 503], content_type="application/json")
    sink = WebhookSink(WebhookSinkConfig("hook", server.url("/hook"), retries=3, backoff=0.01))
    sink.send(alert())
    sink.close()
    posts = server.hits("/hook", "POST")
    assert len(posts) == 3
    assert {p.headers["Idempotency-Key"] for p in posts} == {"al-0001"}


def test_webhook_gives_up_after_its_retries_and_refusals_are_permanent(server: LoopbackServer) -> None:
    server.set("/down", status=503)
    server.set("/refuses", status=422)
    sink = WebhookSink(WebhookSinkConfig("hook", server.url("/down"), retries=2, backoff=0.01))
    with pytest.raises(DeliveryError) as caught:
        sink.send(alert())
    assert caught.value.retryable and "after 3 attempts" in caught.value.message
    refusing = WebhookSink(WebhookSinkConfig("hook", server.url("/refuses"), retries=2, backoff=0.01))
    with pytest.raises(DeliveryError) as refused:
        refusing.send(alert())
    assert not refused.value.retryable and len(server.hits("/refuses", "POST")) == 1


def test_webhook_timeout(server: LoopbackServer) -> None:
    server.set("/slow", delay=2.0)
    sink = WebhookSink(WebhookSinkConfig("hook", server.url("/slow"), timeout=0.2, retries=0))
    with pytest.raises(DeliveryError, match="timed out"):
        sink.send(alert())


def test_email_reaches_a_real_smtp_server(smtp: SmtpInbox) -> None:
    cfg = EmailSinkConfig(
        "mail", "127.0.0.1", "sitroom@example.org", ("analyst@example.org",), port=smtp.port
    )
    EmailSink(cfg).send(alert())
    (message,) = smtp.messages
    assert smtp.envelopes == [("sitroom@example.org", ["analyst@example.org"])]
    assert message["Subject"].startswith("[sitroom] kharkiv: Air/drone strike in Kharkiv")
    assert message["Subject"].endswith("[new]")
    assert message["Message-ID"] == "<al-0001@sitroom>"
    body = message.get_payload(decode=True).decode()
    assert "3 killed" in body and '"alert_id": "al-0001"' in body


def test_email_to_a_closed_port_is_retryable() -> None:
    cfg = EmailSinkConfig("mail", "127.0.0.1", "a@b", ("c@d",), port=free_port(), timeout=1.0)
    with pytest.raises(DeliveryError) as caught:
        EmailSink(cfg).send(alert())
    assert caught.value.retryable


def test_file_sink_appends_lines_and_repairs_a_torn_last_line(tmp_path: Path) -> None:
    path = tmp_path / "out" / "alerts.jsonl"
    sink = FileSink("log", path)
    sink.send(alert("al-1"))
    with path.open("a") as fh:
        fh.write('{"alert_id": "al-2", "rule": "kh')  # a write cut short by a crash
    assert not sink.delivered("al-2")
    assert sink.delivered("al-1")
    sink.send(alert("al-2"))
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["alert_id"] for line in lines] == ["al-1", "al-2"]


def test_stdout_sink_writes_one_json_line(capsys: pytest.CaptureFixture[str]) -> None:
    StdoutSink().send(alert())
    out = capsys.readouterr().out
    assert out.endswith("\n") and json.loads(out)["alert_id"] == "al-0001"


class Flaky:
    """A sink that fails ``failures`` times, then works."""

    def __init__(self, failures: int, retryable: bool = True) -> None:
        self.name = "flaky"
        self.failures = failures
        self.retryable = retryable
        self.received: list[str] = []

    def send(self, alert: Any) -> None:
        if self.failures:
            self.failures -= 1
            raise DeliveryError("down", retryable=self.retryable)
        self.received.append(str(alert["alert_id"]))

    def delivered(self, alert_id: str) -> bool:
        return False

    def close(self) -> None:
        pass


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 5, 15, 9, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_outbox_retries_later_then_delivers_once(store: SQLiteStore) -> None:
    clock = Clock()
    state = WatchState(store, clock=clock)
    sink = Flaky(failures=2)
    outbox = Outbox(state, {"flaky": sink}, clock=clock, retry_base=10.0)
    assert state.queue_alert("al-1", "flaky", "r", "ev-1", ["new"], alert("al-1"))
    assert not state.queue_alert("al-1", "flaky", "r", "ev-1", ["new"], alert("al-1"))  # once
    assert outbox.deliver_due() == 0
    (row,) = state.alerts()
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "down")
    assert row.next_attempt_at == clock.now + timedelta(seconds=10)
    assert outbox.deliver_due() == 0  # not due yet
    clock.now += timedelta(seconds=10)
    outbox._down_until.clear()
    assert outbox.deliver_due() == 0
    clock.now += timedelta(seconds=20)
    outbox._down_until.clear()
    assert outbox.deliver_due() == 1
    (row,) = state.alerts()
    assert row.status == "sent" and row.attempts == 3 and sink.received == ["al-1"]
    assert outbox.deliver_due() == 0 and sink.received == ["al-1"]


def test_outbox_fails_permanent_refusals_and_exhausted_alerts(store: SQLiteStore) -> None:
    clock = Clock()
    state = WatchState(store, clock=clock)
    state.queue_alert("al-1", "flaky", "r", "ev-1", ["new"], alert("al-1"))
    state.queue_alert("al-2", "gone", "r", "ev-1", ["new"], alert("al-2"))
    Outbox(state, {"flaky": Flaky(failures=1, retryable=False)}, clock=clock).deliver_due()
    rows = {r.alert_id: r for r in state.alerts()}
    assert rows["al-1"].status == "failed"
    assert rows["al-2"].status == "failed" and "no sink named 'gone'" in str(rows["al-2"].last_error)
    state.queue_alert("al-3", "flaky", "r", "ev-2", ["new"], alert("al-3"))
    outbox = Outbox(state, {"flaky": Flaky(failures=9)}, clock=clock, max_attempts=2, retry_base=0.0)
    outbox.deliver_due()
    outbox._down_until.clear()
    outbox.deliver_due()
    assert {r.alert_id: r.status for r in state.alerts()}["al-3"] == "failed"


def test_recover_settles_alerts_left_sending(store: SQLiteStore, tmp_path: Path) -> None:
    clock = Clock()
    state = WatchState(store, clock=clock)
    file_sink = FileSink("log", tmp_path / "alerts.jsonl")
    other = Flaky(failures=0)
    for aid, sink in (("al-in-file", "log"), ("al-not-in-file", "log"), ("al-hook", "flaky")):
        state.queue_alert(aid, sink, "r", "ev-1", ["new"], alert(aid))
    for row in state.alerts():
        state.alert_sending(row.id)  # then the process died
    file_sink.send(alert("al-in-file"))  # this one had reached the file
    outbox = Outbox(state, {"log": file_sink, "flaky": other}, clock=clock)
    assert outbox.recover() == 3
    statuses = {r.alert_id: r.status for r in state.alerts()}
    assert statuses == {"al-in-file": "sent", "al-not-in-file": "pending", "al-hook": "pending"}
    outbox.deliver_due()
    lines = [json.loads(x)["alert_id"] for x in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert lines == ["al-in-file", "al-not-in-file"]
    assert other.received == ["al-hook"]  # sent again: at least once for sinks that cannot tell
