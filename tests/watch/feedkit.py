"""Loopback servers for the watch tests: a feed server that misbehaves on demand, a webhook
receiver, an SMTP server (aiosmtpd), and the short reports the feeds carry.

Everything listens on 127.0.0.1 with a port the OS picks; nothing leaves the machine.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

# -- reports --------------------------------------------------------------------------------

PUBLISHED = datetime(2024, 5, 15, 9, 30, tzinfo=UTC)

#: Short English reports the extractor reads for real; each key names one attack.
REPORTS: dict[str, str] = {
    "kharkiv-a": (
        "A Russian drone struck an apartment building in Kharkiv on Tuesday, killing three people, "
        "officials said."
    ),
    "kharkiv-b": (
        "Five civilians were killed when a Russian drone hit a residential block in Kharkiv on Tuesday, "
        "the regional governor said."
    ),
    "kirkuk": (
        "A roadside bomb exploded next to an army convoy in "
        "Kirkuk on Sunday, killing two soldiers, police said."
    ),
    "erbil-hedged": (
        "Reportedly, a drone struck near Erbil airport on Monday, killing one person, according to "
        "unconfirmed reports."
    ),
    "erbil-confirmed": (
        "A drone struck near Erbil airport on Monday, killing one person, officials confirmed."
    ),
    "odesa": (
        "A Russian missile struck the port of Odesa on Tuesday, killing one dock worker and wounding four, "
        "the regional administration said."
    ),
    "nabatieh": (
        "An Israeli air strike hit a house in Nabatieh on "
        "Monday, killing four people, the health ministry said."
    ),
    "kherson": (
        "Russian artillery shelled a market in Kherson on "
        "Monday, killing two civilians, the regional governor said."
    ),
    "mogadishu": (
        "A suicide bomber blew himself up at a checkpoint in Mogadishu on Monday, "
        "killing six soldiers, police said."
    ),
    "sumy": (
        "A Russian drone hit a bus in Sumy on Monday, "
        "killing one passenger and injuring five, officials said."
    ),
    "dnipro": (
        "A Russian missile struck a shopping mall in Dnipro on Monday, killing seven people, the mayor said."
    ),
    "maiduguri": "Gunmen attacked a village near Maiduguri on Monday, killing nine farmers, residents said.",
    "quetta": (
        "A roadside bomb struck a police patrol in Quetta on Monday, killing three officers, officials said."
    ),
    "council": (
        "The city council of Kirkuk met on Monday to discuss the budget for new schools and a stadium."
    ),
}

#: Reports that each make one distinct event.
DISTINCT = [
    "kharkiv-a",
    "kirkuk",
    "odesa",
    "nabatieh",
    "kherson",
    "mogadishu",
    "sumy",
    "dnipro",
    "maiduguri",
    "quetta",
]


@dataclass
class FeedItem:
    guid: str
    text: str
    title: str | None = None
    link: str | None = None
    published: datetime = PUBLISHED


def item(key: str, *, guid: str | None = None, link: str | None = None, text: str | None = None) -> FeedItem:
    return FeedItem(guid=guid or f"urn:test:{key}", text=text or REPORTS[key], title=key, link=link)


def rss(items: list[FeedItem], *, title: str = "Loopback Herald") -> bytes:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>http://127.0.0.1/</link><language>en</language>",
    ]
    for it in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(it.title or it.guid)}</title>")
        parts.append(f'<guid isPermaLink="false">{escape(it.guid)}</guid>')
        if it.link:
            parts.append(f"<link>{escape(it.link)}</link>")
        parts.append(f"<pubDate>{format_datetime(it.published)}</pubDate>")
        parts.append(f"<description>{escape(it.text)}</description>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")


def article_page(title: str, text: str) -> bytes:
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n") if p.strip())
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title></head>"
        "<body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{escape(title)}</h1>{paragraphs}</article>"
        "<footer>Copyright Loopback Herald</footer></body></html>"
    ).encode()


# -- the HTTP server ------------------------------------------------------------------------


@dataclass
class Route:
    """How the server answers one path."""

    body: bytes = b""
    status: int = 200
    statuses: list[int] = field(default_factory=list)  # answered first, one per request
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0  # seconds before the answer
    trickle: float = 0.0  # seconds between chunks of the body
    chunk: int = 65536
    declare_length: bool = True
    repeat: int = 1  # the body is sent this many times (a huge body without building it)
    on_request: Callable[[], None] | None = None  # called (in the server thread) before answering
    dynamic: Callable[[Request], bytes] | None = None  # computes the body from the request


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.time()


class LoopbackServer:
    """A ThreadingHTTPServer on 127.0.0.1 in a daemon thread, with routes set by the test."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.closing = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _record(self, body: bytes) -> tuple[Request, Route | None]:
                parts = urlsplit(self.path)
                request = Request(
                    self.command, parts.path, parts.query, dict(self.headers.items()), body, time.time()
                )
                with server.lock:
                    server.requests.append(request)
                    return request, server.routes.get(parts.path)

            def _answer(self, route: Route | None, request: Request) -> None:
                if route is None:
                    self.send_error(404)
                    return
                if route.on_request is not None:
                    route.on_request()
                if route.delay and server.closing.wait(route.delay):
                    return
                with server.lock:
                    status = route.statuses.pop(0) if route.statuses else route.status
                if status == 200 and request.method == "GET":
                    inm = request.headers.get("If-None-Match")
                    ims = request.headers.get("If-Modified-Since")
                    if (route.etag and inm == route.etag) or (
                        route.last_modified and ims == route.last_modified and not route.etag
                    ):
                        self.send_response(304)
                        if route.etag:
                            self.send_header("ETag", route.etag)
                        self.end_headers()
                        return
                self.send_response(status)
                self.send_header("Content-Type", route.content_type)
                if route.etag:
                    self.send_header("ETag", route.etag)
                if route.last_modified:
                    self.send_header("Last-Modified", route.last_modified)
                body = route.body if status < 400 or route.body else b"error"
                if route.dynamic is not None:
                    body = route.dynamic(request)
                if route.declare_length:
                    self.send_header("Content-Length", str(len(body) * route.repeat))
                self.end_headers()
                try:
                    for _ in range(route.repeat):
                        for start in range(0, len(body), route.chunk):
                            self.wfile.write(body[start : start + route.chunk])
                            if route.trickle:
                                self.wfile.flush()
                                if server.closing.wait(route.trickle):
                                    return
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout, size limit): expected

            def do_GET(self) -> None:
                request, route = self._record(b"")
                self._answer(route, request)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request, route = self._record(self.rfile.read(length))
                self._answer(route, request)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def set(self, path: str, **kwargs: Any) -> Route:
        route = Route(**kwargs)
        with self.lock:
            self.routes[path] = route
        return route

    def hits(self, path: str, method: str = "GET") -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path == path and r.method == method]

    def posts(self, path: str) -> list[dict[str, Any]]:
        return [json.loads(r.body) for r in self.hits(path, "POST")]

    def close(self) -> None:
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpInbox:
    """An aiosmtpd server on loopback that keeps every message it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        inbox = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                inbox.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                inbox.messages.append(message_from_bytes(envelope.content))
                return "250 Message accepted for delivery"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def close(self) -> None:
        self.controller.stop()


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, step: float = 0.02) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` passes; whether it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
