"""sitroom's HTTP API and dashboard: a thin FastAPI shell over :mod:`sitroom.store` and the pipeline.

:func:`create_app` builds the application for one database; ``sitroom serve`` runs it with
uvicorn. One store is shared by every request (:class:`~sitroom.store.SQLiteStore` serialises
its calls with a lock), and writes go through one pipeline at a time.

* Reads need nothing. ``POST /api/documents`` needs ``Authorization: Bearer <token>``; with no
  token configured, every write is refused (403).
* Every error is JSON: ``{"status", "error", "message"}`` (and ``details`` for several problems).
* Limits: request bodies of :data:`BODY_MAX_BYTES`, :data:`DOCUMENTS_MAX` documents a request,
  pages of :data:`PAGE_MAX` events.
* Every page and asset is served by sitroom itself, with a Content-Security-Policy that allows
  scripts from this origin only (no inline script, no CDN).
"""

import asyncio
import base64
import binascii
import hashlib
import hmac
import io
import ipaddress
import json
import logging
import queue
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, cast

from fastapi import Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sitroom import __version__
from sitroom.errors import ConfigError, IngestError, SitroomError, StoreError
from sitroom.export import FORMATS, write_events
from sitroom.ingest.jsonl import document_from_object, first_line_is_json
from sitroom.records import EVENT_TYPES, Document, Event
from sitroom.store import EventFilter, Stats, Store, open_store
from sitroom.store.base import Order, Period
from sitroom.web import assets
from sitroom.web.models import (
    ApiError,
    ContractDocument,
    DocumentDetail,
    DocumentOutcomeOut,
    EventDetail,
    EventPage,
    Health,
    IngestResult,
    KeyCount,
    Limits,
    Meta,
    PeriodCount,
    StatsOut,
)
from sitroom.web.views import document_detail, event_detail, event_summary

__all__ = [
    "BODY_MAX_BYTES",
    "CONTENT_SECURITY_POLICY",
    "DOCUMENTS_MAX",
    "PAGE_DEFAULT",
    "PAGE_MAX",
    "REQUEST_TIMEOUT",
    "create_app",
    "is_loopback",
]

logger = logging.getLogger("sitroom.api")

PAGE_DEFAULT = 100
PAGE_MAX = 500
BODY_MAX_BYTES = 5 * 1024 * 1024
DOCUMENTS_MAX = 500
#: Seconds a request may take before it is answered 503 (a streamed export, once started, goes on).
REQUEST_TIMEOUT = 30.0
#: The largest ``min_fatalities`` filter (SQLite integers stop at 2**63; no event comes near this).
FATALITIES_MAX = 10_000_000
#: Events whose actors ``/api/stats`` counts (actors are counted in Python, not in SQL).
ACTOR_SAMPLE = 20_000
_EXPORT_BATCH = 500
_EXPORT_CHUNK = 64 * 1024

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
_SECURITY_HEADERS = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
)

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ApiError, "description": "A filter or parameter has an unusable value"},
    503: {"model": ApiError, "description": "The database cannot be read"},
}

_SORTS: dict[str, Order] = {
    "date_desc": "date_desc",
    "-date": "date_desc",
    "date_asc": "date_asc",
    "date": "date_asc",
    "fatalities_desc": "fatalities_desc",
    "-fatalities": "fatalities_desc",
}
SortName = Literal["date_desc", "date_asc", "fatalities_desc", "-date", "date", "-fatalities"]
ExportFormat = Literal["jsonl", "csv", "acled-csv", "geojson"]
_EXPORT_TYPES = {
    "jsonl": ("application/x-ndjson; charset=utf-8", "jsonl"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "acled-csv": ("text/csv; charset=utf-8", "acled.csv"),
    "geojson": ("application/geo+json", "geojson"),
}
assert set(_EXPORT_TYPES) == set(FORMATS)

_TYPES_FOLDED = {t.casefold(): t for t in EVENT_TYPES}


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this machine (127.0.0.0/8, ::1, localhost)."""
    name = host.strip().strip("[]")
    if name.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _error(status: int, message: str, details: list[dict[str, object]] | None = None) -> JSONResponse:
    body = ApiError(status=status, error=_STATUS_CODES.get(status, "error"), message=message, details=details)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status)


class _SecurityHeaders:
    """Adds the CSP and friends to every response (pure ASGI, so streamed bodies stay streamed)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _SECURITY_HEADERS:
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _RateLimit:
    """A token bucket per client address for ``/api/`` requests: ``rate`` a second on average,
    bursts of ``burst``; beyond that, 429 with ``Retry-After`` (pure ASGI, in process)."""

    _MAX_CLIENTS = 10_000  # buckets kept; full (idle) ones are dropped first

    def __init__(self, app: ASGIApp, rate: float, burst: int) -> None:
        self.app = app
        self.rate = rate
        self.burst = float(max(1, burst))
        self.buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, when)

    def _take(self, client: str, now: float) -> float:
        """0 when the request may go, else the seconds until it could."""
        tokens, when = self.buckets.get(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - when) * self.rate)
        if tokens >= 1:
            self.buckets[client] = (tokens - 1, now)
            return 0.0
        self.buckets[client] = (tokens, now)
        return (1 - tokens) / self.rate

    def _prune(self, now: float) -> None:
        full = [c for c, (t, w) in self.buckets.items() if t + (now - w) * self.rate >= self.burst]
        for client in full:
            del self.buckets[client]
        while len(self.buckets) >= self._MAX_CLIENTS:
            del self.buckets[next(iter(self.buckets))]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith("/api/"):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = str(client[0]) if client else "unknown"
        now = time.monotonic()
        if len(self.buckets) >= self._MAX_CLIENTS:
            self._prune(now)
        wait = self._take(address, now)
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        response = _error(
            429, f"too many requests from {address}: at most {self.rate:g} a second; retry later"
        )
        response.headers["retry-after"] = str(max(1, round(wait + 0.5)))
        await response(scope, receive, send)


class _TimeLimit:
    """Answers 503 when a request has not started its response within ``seconds``.

    The work itself (a thread) cannot be stopped; its late response is dropped. A response
    already started (a streamed export) is never cut.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        timed_out = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if timed_out:
                return
            started = True
            await send(message)

        task = asyncio.ensure_future(self.app(scope, receive, guarded_send))
        done, _ = await asyncio.wait({task}, timeout=self.seconds)
        if task in done or started:
            await task
            return
        timed_out = True
        task.cancel()
        with suppress(asyncio.CancelledError, Exception):
            await task
        path = scope.get("path", "")
        logger.warning("%s took longer than %g s: answered 503", path, self.seconds)
        response = _error(
            503, f"the request took longer than {self.seconds:g} s; narrow it (filters, a smaller limit)"
        )
        await response(scope, receive, send)


class _StoreHolder:
    """The one store of the app, opened on first use and closed at shutdown."""

    def __init__(self, db: str, store: Store | None) -> None:
        self.db = db
        self._store = store
        self._owned = store is None
        self._lock = threading.Lock()

    def get(self) -> Store:
        with self._lock:
            if self._store is None:
                store = open_store(self.db)
                store.open()
                self._store = store
            return self._store

    def close(self) -> None:
        with self._lock:
            if self._store is not None and self._owned:
                self._store.close()
                self._store = None


# -- query parameters -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Filters:
    """The filters of one request, and whether they can match anything at all."""

    flt: EventFilter
    impossible: bool
    signature: str

    @property
    def given(self) -> bool:
        return self.flt != EventFilter() or self.impossible


def _bad(message: str) -> HTTPException:
    return HTTPException(status_code=400, detail=message)


def _parse_date(name: str, value: str | None) -> date | None:
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _bad(f"{name} must be a date as YYYY-MM-DD, got {value!r}") from None


def _parse_numbers(name: str, value: str | None, count: int, shape: str) -> tuple[float, ...] | None:
    if value is None or not value.strip():
        return None
    try:
        numbers = tuple(float(x) for x in value.split(","))
    except ValueError:
        numbers = ()
    if len(numbers) != count:
        raise _bad(f"{name} takes {shape}, got {value!r}")
    return numbers


def _clean(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def event_filters(
    since: Annotated[str | None, Query(description="Events on or after this date (YYYY-MM-DD)")] = None,
    until: Annotated[str | None, Query(description="Events on or before this date (YYYY-MM-DD)")] = None,
    country: Annotated[
        str | None, Query(description="Country name or ISO 3166-1 alpha-2 code", examples=["Iraq"])
    ] = None,
    type_: Annotated[
        str | None,
        Query(alias="type", description="ACLED event type (or sub-event type)", examples=["Battles"]),
    ] = None,
    sub_type: Annotated[
        str | None, Query(description="ACLED sub-event type", examples=["Air/drone strike"])
    ] = None,
    actor: Annotated[
        str | None, Query(description="Part of the attacker's, target's or claimant's name")
    ] = None,
    text: Annotated[
        str | None,
        Query(
            max_length=500,
            description="Full-text search over evidence, titles, texts, places and actors; word* is a prefix",
        ),
    ] = None,
    near: Annotated[
        str | None, Query(description="LAT,LON: events within km of this point", examples=["33.78,42.44"])
    ] = None,
    km: Annotated[float | None, Query(gt=0, le=20_000, description="Radius for near (default 25)")] = None,
    bbox: Annotated[
        str | None,
        Query(description="MIN_LON,MIN_LAT,MAX_LON,MAX_LAT (min_lon > max_lon crosses the antimeridian)"),
    ] = None,
    min_fatalities: Annotated[
        int | None,
        Query(ge=0, le=FATALITIES_MAX, description="At least this many killed (lowest reported figure)"),
    ] = None,
) -> Filters:
    """The filters shared by ``/api/events``, ``/api/stats`` and ``/api/export``."""
    kind = _clean(type_)
    sub = _clean(sub_type)
    impossible = False
    if sub is not None:
        if sub.casefold() in _TYPES_FOLDED:
            raise _bad(f"sub_type {sub!r} is an event type: pass it as type")
        known = _TYPES_FOLDED.get(kind.casefold()) if kind else None
        if known is not None and sub.casefold() not in {s.casefold() for s in EVENT_TYPES[known]}:
            impossible = True  # a sub-event type of another type: nothing can match
        kind = sub
    near_point = _parse_numbers("near", near, 2, "LAT,LON")
    box = _parse_numbers("bbox", bbox, 4, "MIN_LON,MIN_LAT,MAX_LON,MAX_LAT")
    if km is not None and near_point is None:
        raise _bad("km needs near=LAT,LON")
    flt = EventFilter(  # ConfigError (a 400) for out-of-range values and since > until
        since=_parse_date("since", since),
        until=_parse_date("until", until),
        country=_clean(country),
        event_type=kind,
        actor=_clean(actor),
        near=cast(tuple[float, float], near_point) if near_point else None,
        km=km,
        bbox=cast(tuple[float, float, float, float], box) if box else None,
        text=_clean(text),
        min_fatalities=min_fatalities,
    )
    raw = json.dumps([repr(flt), impossible], ensure_ascii=True)
    return Filters(flt, impossible, hashlib.sha1(raw.encode()).hexdigest()[:12])


def _encode_cursor(offset: int, signature: str) -> str:
    raw = json.dumps({"o": offset, "q": signature}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, signature: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
        offset, sig = int(value["o"]), str(value["q"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise _bad("cursor is not one this API gave out: pass next_cursor back unchanged") from None
    if sig != signature:
        raise _bad("cursor belongs to a query with other filters or sort: repeat the filters it came with")
    if offset < 0:
        raise _bad("cursor is not one this API gave out")
    return offset


# -- export streaming -----------------------------------------------------------------------------


class _Cancelled(Exception):
    pass


class _Outlets(Mapping[str, str | None]):
    """doc id → outlet, looked up in the store as the ACLED writer asks (cached)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._cache: dict[str, str | None] = {}

    def __getitem__(self, key: str) -> str | None:
        if key not in self._cache:
            doc = self._store.get_document(key)
            if doc is None:
                raise KeyError(key)
            self._cache[key] = doc.outlet
        return self._cache[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._cache)

    def __len__(self) -> int:
        return len(self._cache)

    def __bool__(self) -> bool:  # never "empty": the writer tests ``outlets or {}``
        return True


def _stream(produce: Callable[[io.StringIO], object]) -> Iterator[bytes]:
    """Run a writer that writes to a text file in a thread; yield what it writes in chunks."""
    chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=8)
    stop = threading.Event()

    def put(item: bytes | BaseException | None) -> None:
        while True:
            if stop.is_set():
                raise _Cancelled
            try:
                chunks.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    class Sink(io.StringIO):
        def write(self, s: str) -> int:
            n = super().write(s)
            if self.tell() >= _EXPORT_CHUNK:
                self.flush_chunk()
            return n

        def flush_chunk(self) -> None:
            data = self.getvalue()
            if data:
                self.seek(0)
                self.truncate()
                put(data.encode("utf-8"))

    def run() -> None:
        sink = Sink()
        try:
            produce(sink)
            sink.flush_chunk()
            put(None)
        except _Cancelled:
            pass
        except BaseException as exc:  # reported to the reader, which stops the response
            logger.exception("export failed")
            with suppress(_Cancelled):
                put(exc)

    worker = threading.Thread(target=run, name="sitroom-export", daemon=True)
    worker.start()
    try:
        while True:
            item = chunks.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


# -- the application ------------------------------------------------------------------------------


def _stats_out(store: Store, by: Period, filters: Filters) -> StatsOut:
    if filters.impossible:
        return StatsOut(
            by=by,
            total=0,
            undated=0,
            periods=[],
            event_types=[],
            sub_event_types=[],
            countries=[],
            actors=[],
            actors_complete=True,
        )
    flt = filters.flt
    stats = store.stats(by, flt)
    by_type: dict[str, dict[str, int]] = {}
    if flt.event_type is not None or len(stats.event_types) == 1:
        only = stats.event_types[0][0] if stats.event_types else ""
        for key, n in stats.periods:
            by_type[key] = {only: n}
    else:
        for kind, _ in stats.event_types:
            part: Stats = store.stats(by, replace(flt, event_type=kind))
            for key, n in part.periods:
                by_type.setdefault(key, {})[kind] = n
    actors: dict[str, int] = {}
    sample = store.query_events(replace(flt, limit=ACTOR_SAMPLE + 1))
    for event in sample[:ACTOR_SAMPLE]:
        for name in {event.actor1, event.actor2, event.claimed_by} - {None}:
            actors[cast(str, name)] = actors.get(cast(str, name), 0) + 1
    return StatsOut(
        by=by,
        total=stats.total,
        undated=stats.undated,
        periods=[PeriodCount(period=k, count=n, by_type=by_type.get(k, {})) for k, n in stats.periods],
        event_types=[KeyCount(key=k, count=n) for k, n in stats.event_types],
        sub_event_types=[KeyCount(key=k, count=n) for k, n in stats.sub_event_types],
        countries=[KeyCount(key=k, count=n) for k, n in stats.countries],
        actors=[KeyCount(key=k, count=n) for k, n in sorted(actors.items(), key=lambda kv: (-kv[1], kv[0]))],
        actors_complete=len(sample) <= ACTOR_SAMPLE,
    )


def _export_events(store: Store, filters: Filters) -> Iterator[Event]:
    if filters.impossible:
        return
    if not filters.given:
        yield from store.iter_events()
        return
    offset = 0
    while True:
        batch = store.query_events(replace(filters.flt, order="date_asc", limit=_EXPORT_BATCH, offset=offset))
        yield from batch
        if len(batch) < _EXPORT_BATCH:
            return
        offset += len(batch)


def _documents_from_body(body: bytes, documents_max: int) -> list[Document]:
    """Every document of a request body, or an HTTP error naming each broken one."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(422, "the body is not UTF-8 text") from None
    if not text.strip():
        raise HTTPException(422, "the body is empty: send a CONTRACT document, a list of them, or JSON Lines")
    items: list[tuple[str, object]] = []
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        if not first_line_is_json(text):
            raise HTTPException(
                422, f"invalid JSON at line {err.lineno}, column {err.colno}: {err.msg}"
            ) from None
        for number, line in enumerate(text.split("\n"), start=1):
            if line.strip():
                try:
                    items.append((f"line {number}", json.loads(line)))
                except json.JSONDecodeError as line_err:
                    raise HTTPException(
                        422, f"line {number}: invalid JSON at column {line_err.colno}: {line_err.msg}"
                    ) from None
    else:
        if isinstance(value, dict) and isinstance(value.get("documents"), list):
            value = value["documents"]
        if isinstance(value, list):
            items = [(f"documents[{i}]", item) for i, item in enumerate(value)]
        else:
            items = [("document", value)]
    if not items:
        raise HTTPException(422, "no documents in the body")
    if len(items) > documents_max:
        raise HTTPException(413, f"{len(items)} documents in one request; at most {documents_max}")
    docs: list[Document] = []
    problems: list[dict[str, object]] = []
    for where, item in items:
        try:
            docs.append(document_from_object(item, source=f"api:{where}"))
        except IngestError as exc:
            problems.append({"document": where, "message": exc.message})
    if problems:
        summary = "; ".join(f"{p['document']}: {p['message']}" for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise _DocumentProblems(f"nothing was stored: {summary}{more}", problems)
    return docs


class _DocumentProblems(Exception):
    def __init__(self, message: str, details: list[dict[str, object]]) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


_DOCUMENTS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": (
            'One CONTRACT document, a list of them, {"documents": [...]}, or JSON Lines '
            "(application/x-ndjson). Every document is checked before any is stored."
        ),
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        ContractDocument.model_json_schema(),
                        {"type": "array", "items": ContractDocument.model_json_schema()},
                    ]
                }
            },
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


def create_app(
    db: str,
    *,
    token: str | None = None,
    allowed_hosts: Sequence[str] | None = None,
    store: Store | None = None,
    vendor_dir: Path | None = None,
    page_max: int = PAGE_MAX,
    body_max_bytes: int = BODY_MAX_BYTES,
    documents_max: int = DOCUMENTS_MAX,
    request_timeout: float | None = REQUEST_TIMEOUT,
    rate_limit: float | None = None,
    rate_burst: int | None = None,
    cors_origins: Sequence[str] = (),
) -> FastAPI:
    """The API and dashboard over the database ``db`` (a path, a ``sqlite:///`` or a ``postgresql://`` URL).

    ``token`` enables ``POST /api/documents`` for requests carrying it as a bearer token.
    ``allowed_hosts`` restricts the ``Host`` header (against DNS rebinding when serving on
    loopback). ``store`` is an already open store to use instead of opening ``db`` (the caller
    closes it). ``vendor_dir`` is where the npm packages are (default: next to the dashboard).
    ``request_timeout`` (seconds, ``None`` for none) answers 503 to a request that takes longer;
    ``rate_limit`` (requests a second per client address on ``/api/``, bursts of ``rate_burst``,
    default twice the rate; ``None`` for no limit) answers 429 beyond it. CORS is off (no
    cross-origin reads) unless ``cors_origins`` lists the origins allowed to read.
    """
    holder = _StoreHolder(db, store)
    write_lock = threading.Lock()
    bearer = HTTPBearer(auto_error=False, description="The token given to `sitroom serve`")
    page_default = min(PAGE_DEFAULT, page_max)
    token = token or None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        holder.close()

    app = FastAPI(
        title="sitroom",
        version=__version__,
        summary="Armed-attack events extracted from news reports, ACLED-style.",
        description=(
            "Read events, their reports and statistics; export them; add reports. "
            "Writes need `Authorization: Bearer <token>` (the token given to `sitroom serve`)."
        ),
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    if allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET"])
    if request_timeout is not None and request_timeout > 0:
        app.add_middleware(_TimeLimit, seconds=request_timeout)
    if rate_limit is not None and rate_limit > 0:
        app.add_middleware(_RateLimit, rate=rate_limit, burst=rate_burst or max(1, round(2 * rate_limit)))
    app.add_middleware(_SecurityHeaders)

    # -- errors ---------------------------------------------------------------------------------

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> Response:
        response = _error(exc.status_code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> Response:
        details: list[dict[str, object]] = []
        for problem in exc.errors():
            loc = [str(p) for p in problem.get("loc", ()) if p not in ("query", "path", "body", "header")]
            details.append({"parameter": ".".join(loc) or "request", "message": str(problem.get("msg", ""))})
        message = "; ".join(f"{d['parameter']}: {d['message']}" for d in details) or "invalid request"
        return _error(400, message, details)

    @app.exception_handler(SitroomError)
    async def sitroom_error(_: Request, exc: SitroomError) -> Response:
        if isinstance(exc, ConfigError):
            return _error(400, exc.message)
        if isinstance(exc, StoreError):
            logger.error("store error: %s", exc)
            return _error(503, f"the database cannot be used: {exc.message}")
        if isinstance(exc, IngestError):
            return _error(422, str(exc))
        return _error(500, str(exc))

    @app.exception_handler(Exception)
    async def unexpected_error(_: Request, exc: Exception) -> Response:
        logger.error("unexpected error", exc_info=exc)
        return _error(500, f"internal error ({type(exc).__name__}); the server log has the details")

    @app.exception_handler(_DocumentProblems)
    async def document_problems(_: Request, exc: _DocumentProblems) -> Response:
        return _error(422, exc.message, exc.details)

    # -- reads ------------------------------------------------------------------------------------

    @app.get("/api/health", response_model=Health, tags=["service"], responses=_ERRORS)
    def health() -> Health:
        """Whether the database can be read, with row counts."""
        counts = holder.get().counts()
        return Health(
            status="ok",
            version=__version__,
            events=counts.get("events", 0),
            documents=counts.get("documents", 0),
            writes_enabled=token is not None,
        )

    @app.get("/api/meta", response_model=Meta, tags=["service"], responses=_ERRORS)
    def meta() -> Meta:
        """The event taxonomy, the countries present, limits, and whether writes are enabled."""
        stats = holder.get().stats("month")
        return Meta(
            version=__version__,
            total_events=stats.total,
            event_types={k: list(v) for k, v in EVENT_TYPES.items()},
            countries=[KeyCount(key=k, count=n) for k, n in stats.countries],
            writes_enabled=token is not None,
            limits=Limits(
                page_default=page_default,
                page_max=page_max,
                body_max_bytes=body_max_bytes,
                documents_max=documents_max,
            ),
        )

    @app.get("/api/events", response_model=EventPage, tags=["events"], responses=_ERRORS)
    def list_events(
        filters: Annotated[Filters, Depends(event_filters)],
        limit: Annotated[int, Query(ge=1, le=page_max, description="Events per page")] = page_default,
        cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
        sort: Annotated[
            SortName,
            Query(description="date_desc (-date), date_asc (date) or fatalities_desc (-fatalities)"),
        ] = "date_desc",
    ) -> EventPage:
        """Events matching every filter given, a page at a time (undated events last)."""
        order = _SORTS[sort]
        signature = f"{filters.signature}:{order}"
        offset = _decode_cursor(cursor, signature) if cursor else 0
        if filters.impossible:
            return EventPage(total=0, count=0, limit=limit, sort=order, next_cursor=None, events=[])
        store = holder.get()
        flt = replace(filters.flt, limit=limit, offset=offset, order=order)
        found = store.query_events(flt)
        total = store.count_events(flt)
        more = offset + len(found) < total and len(found) == limit
        return EventPage(
            total=total,
            count=len(found),
            limit=limit,
            sort=order,
            next_cursor=_encode_cursor(offset + len(found), signature) if more else None,
            events=[event_summary(e) for e in found],
        )

    @app.get(
        "/api/events/{event_id}",
        response_model=EventDetail,
        tags=["events"],
        responses={404: {"model": ApiError, "description": "No such event"}, **_ERRORS},
    )
    def get_event(event_id: str) -> EventDetail:
        """One event with every report of it: evidence, offsets, the paragraph around it, the document."""
        store = holder.get()
        event = store.get_event(event_id)
        if event is None:
            raise HTTPException(404, f"no event {event_id!r}")
        docs = {d: store.get_document(d) for d in event.doc_ids}
        copies = {d: store.copies_of(d) for d in event.doc_ids}
        return event_detail(event, docs, copies)

    @app.get(
        "/api/documents/{doc_id}",
        response_model=DocumentDetail,
        tags=["documents"],
        responses={404: {"model": ApiError, "description": "No such document"}, **_ERRORS},
    )
    def get_document(doc_id: str) -> DocumentDetail:
        """One stored report: metadata, full text, the events it reports, its wire copies."""
        store = holder.get()
        doc = store.get_document(doc_id)
        if doc is None:
            raise HTTPException(404, f"no document {doc_id!r}")
        return document_detail(doc, store.event_ids_for_document(doc_id), store.copies_of(doc_id))

    @app.get("/api/stats", response_model=StatsOut, tags=["events"], responses=_ERRORS)
    def stats(
        filters: Annotated[Filters, Depends(event_filters)],
        by: Annotated[Period, Query(description="Period: day, week (Monday) or month")] = "week",
    ) -> StatsOut:
        """Counts of the matching events per period (split by type), type, country and actor."""
        return _stats_out(holder.get(), by, filters)

    @app.get(
        "/api/export",
        tags=["events"],
        response_class=StreamingResponse,
        responses={200: {"description": "The events, streamed", "content": {"text/csv": {}}}, **_ERRORS},
    )
    def export(
        filters: Annotated[Filters, Depends(event_filters)],
        format_: Annotated[
            ExportFormat,
            Query(alias="format", description="jsonl (CONTRACT), csv, acled-csv (ACLED columns) or geojson"),
        ] = "jsonl",
    ) -> StreamingResponse:
        """Every matching event (all when no filter is given), streamed, oldest first."""
        store = holder.get()
        media, extension = _EXPORT_TYPES[format_]
        outlets = _Outlets(store) if format_ == "acled-csv" else None

        def produce(out: io.StringIO) -> object:
            return write_events(_export_events(store, filters), format_, out, outlets=outlets)

        return StreamingResponse(
            _stream(produce),
            media_type=media,
            headers={"content-disposition": f'attachment; filename="sitroom-events.{extension}"'},
        )

    # -- writes -----------------------------------------------------------------------------------

    pipeline_box: list[Any] = []

    def ingest(docs: list[Document]) -> IngestResult:
        from sitroom.pipeline import DocumentOutcome, IngestSummary, Pipeline

        with write_lock:
            if not pipeline_box:
                pipeline_box.append(Pipeline(holder.get()))
            pipeline = cast(Pipeline, pipeline_box[0])
            summary = IngestSummary()
            outcomes: list[DocumentOutcome] = []
            for doc in docs:
                try:
                    outcome = pipeline.ingest_document(doc)
                except SitroomError as exc:
                    outcome = DocumentOutcome(doc.id, "failed", reason=exc.message)
                summary.add(outcome)
                outcomes.append(outcome)
        return IngestResult(
            read=summary.read,
            new=summary.new,
            duplicate=summary.duplicate,
            changed=summary.changed,
            failed=summary.failed,
            mentions=summary.mentions,
            events_created=summary.events_created,
            events_updated=summary.events_updated,
            documents=[
                DocumentOutcomeOut(
                    id=o.doc_id,
                    status=o.status,
                    language=o.language,
                    mentions=o.mentions,
                    created=list(o.created),
                    updated=list(o.updated),
                    reason=o.reason,
                )
                for o in outcomes
            ],
        )

    @app.post(
        "/api/documents",
        response_model=IngestResult,
        tags=["documents"],
        openapi_extra=_DOCUMENTS_BODY,
        responses={
            401: {"model": ApiError, "description": "Missing or wrong bearer token"},
            403: {"model": ApiError, "description": "Writes are disabled: the server has no token"},
            413: {"model": ApiError, "description": "Body or batch too large"},
            422: {"model": ApiError, "description": "A document is not usable; nothing was stored"},
            **_ERRORS,
        },
    )
    async def post_documents(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> IngestResult:
        """Ingest one or many CONTRACT documents: extract, merge and store their events."""
        if token is None:
            raise HTTPException(
                403,
                "writes are disabled: this server has no token; start it with `sitroom serve --token ...` "
                "or $SITROOM_TOKEN",
            )
        given = credentials.credentials if credentials is not None else ""
        if not given or not hmac.compare_digest(given.encode(), token.encode()):
            raise HTTPException(
                401,
                "a valid token is needed: send `Authorization: Bearer <token>`",
                headers={"www-authenticate": "Bearer"},
            )
        declared = request.headers.get("content-length")
        too_big = f"the body is larger than {body_max_bytes} bytes: send fewer documents per request"
        if declared is not None and declared.isdigit() and int(declared) > body_max_bytes:
            raise HTTPException(413, too_big)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > body_max_bytes:
                raise HTTPException(413, too_big)
        docs = _documents_from_body(bytes(body), documents_max)
        return await run_in_threadpool(ingest, docs)

    # -- the dashboard ----------------------------------------------------------------------------

    def page(name: str) -> FileResponse:
        path = assets.static_path(name)
        assert path is not None
        return FileResponse(path, media_type=assets.media_type(path), headers={"cache-control": "no-cache"})

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return page("index.html")

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return page("docs.html")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return page("favicon.svg")

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> FileResponse:
        if assets.static_path(name) is None:
            raise HTTPException(404, f"no file {name!r}")
        return page(name)

    @app.get("/vendor/{name:path}", include_in_schema=False)
    def vendor(name: str) -> FileResponse:
        if name not in assets.VENDOR_FILES:
            raise HTTPException(404, f"no file {name!r}")
        path = assets.vendor_path(name, vendor_dir)
        if path is None:
            raise HTTPException(
                404,
                f"{name} is not installed: run `make setup` (npm ci in src/sitroom/web) to fetch the "
                "dashboard's front-end packages",
            )
        return FileResponse(
            path, media_type=assets.media_type(path), headers={"cache-control": "public, max-age=86400"}
        )

    return app
