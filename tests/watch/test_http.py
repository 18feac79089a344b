"""HttpFetcher against a real HTTP server on loopback: validators, retries, timeouts, size limit."""

from __future__ import annotations

import threading
import time

import pytest

from sitroom.watch.http import FetchError, HttpFetcher
from watch.feedkit import LoopbackServer, free_port


def fetcher(**kwargs: object) -> HttpFetcher:
    settings: dict[str, object] = {"timeout": 0.5, "retries": 0, "backoff": 0.01, "max_bytes": 100_000}
    settings.update(kwargs)
    return HttpFetcher(**settings)  # type: ignore[arg-type]


def test_conditional_get_with_etag_gives_304(server: LoopbackServer) -> None:
    server.set("/f", body=b"<rss/>", etag='"abc"')
    with fetcher() as http:
        first = http.get(server.url("/f"))
        assert (first.status, first.body, first.etag) == (200, b"<rss/>", '"abc"')
        second = http.get(server.url("/f"), etag=first.etag)
    assert second.not_modified and second.body == b""
    assert server.hits("/f")[1].headers["If-None-Match"] == '"abc"'


def test_conditional_get_with_last_modified_gives_304(server: LoopbackServer) -> None:
    stamp = "Wed, 15 May 2024 09:30:00 GMT"
    server.set("/f", body=b"<rss/>", last_modified=stamp)
    with fetcher() as http:
        first = http.get(server.url("/f"))
        second = http.get(server.url("/f"), last_modified=first.last_modified)
    assert first.last_modified == stamp
    assert second.not_modified
    assert server.hits("/f")[1].headers["If-Modified-Since"] == stamp


def test_server_errors_are_retried_with_backoff_then_succeed(server: LoopbackServer) -> None:
    server.set("/f", body=b"ok", statuses=[500, 503])
    with fetcher(retries=2, backoff=0.05) as http:
        started = time.monotonic()
        response = http.get(server.url("/f"))
        took = time.monotonic() - started
    assert response.body == b"ok" and response.attempts == 3
    assert len(server.hits("/f")) == 3
    assert took >= 0.05 + 0.1  # backoff 0.05 then 0.1


def test_retries_are_bounded_and_the_error_says_so(server: LoopbackServer) -> None:
    server.set("/f", status=500)
    with fetcher(retries=2) as http, pytest.raises(FetchError) as caught:
        http.get(server.url("/f"))
    assert "HTTP 500" in caught.value.message and "after 3 attempts" in caught.value.message
    assert len(server.hits("/f")) == 3


def test_client_errors_are_not_retried(server: LoopbackServer) -> None:
    with fetcher(retries=3) as http, pytest.raises(FetchError) as caught:
        http.get(server.url("/missing"))
    assert caught.value.status == 404 and not caught.value.retryable
    assert len(server.hits("/missing")) == 1


def test_retry_after_is_honoured(server: LoopbackServer) -> None:
    server.set("/f", body=b"ok", statuses=[429])
    route = server.routes["/f"]
    route.content_type = "text/plain"
    with fetcher(retries=1, backoff=0.01) as http:
        assert http.get(server.url("/f")).body == b"ok"
    assert len(server.hits("/f")) == 2


def test_slow_response_times_out(server: LoopbackServer) -> None:
    server.set("/slow", body=b"late", delay=3.0)
    with fetcher(timeout=0.3) as http, pytest.raises(FetchError) as caught:
        started = time.monotonic()
        http.get(server.url("/slow"))
    assert "timed out" in caught.value.message
    assert time.monotonic() - started < 2.0


def test_a_trickling_body_is_cut_off_by_the_whole_response_deadline(server: LoopbackServer) -> None:
    server.set("/trickle", body=b"x" * 400, chunk=20, trickle=0.1)  # 20 chunks, 2 s in all
    with fetcher(timeout=0.5) as http, pytest.raises(FetchError) as caught:
        started = time.monotonic()
        http.get(server.url("/trickle"))
    assert "timed out" in caught.value.message
    assert time.monotonic() - started < 1.5


def test_a_declared_huge_body_is_refused_before_reading(server: LoopbackServer) -> None:
    server.set("/huge", body=b"x" * 1_000_000, repeat=200)  # declares 200 MB
    with fetcher(max_bytes=100_000) as http, pytest.raises(FetchError) as caught:
        http.get(server.url("/huge"))
    assert "over the limit" in caught.value.message


def test_an_undeclared_huge_body_is_cut_off_while_reading(server: LoopbackServer) -> None:
    server.set("/huge", body=b"x" * 1_000_000, repeat=200, declare_length=False)
    with fetcher(max_bytes=100_000, timeout=5) as http, pytest.raises(FetchError) as caught:
        started = time.monotonic()
        http.get(server.url("/huge"))
    assert "grew past the limit" in caught.value.message
    assert time.monotonic() - started < 3.0


def test_connection_refused_is_a_retryable_error() -> None:
    port = free_port()  # nothing listens there any more
    with fetcher(retries=1) as http, pytest.raises(FetchError) as caught:
        http.get(f"http://127.0.0.1:{port}/feed.xml")
    assert caught.value.retryable and "connection failed" in caught.value.message


def test_stop_interrupts_the_backoff_wait(server: LoopbackServer) -> None:
    server.set("/f", status=503)
    stop = threading.Event()
    with fetcher(retries=5, backoff=5.0, stop=stop) as http:
        threading.Timer(0.2, stop.set).start()
        started = time.monotonic()
        with pytest.raises(FetchError):
            http.get(server.url("/f"))
    assert time.monotonic() - started < 2.0
