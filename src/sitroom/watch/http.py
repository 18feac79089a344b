"""HTTP for the watcher, done properly, with httpx.

* Conditional GET: the feed's stored ``ETag`` and ``Last-Modified`` go out as ``If-None-Match``
  and ``If-Modified-Since``; a ``304 Not Modified`` costs no body and no parsing.
* Timeouts: ``timeout`` seconds to connect, for each read, and for the whole response (a
  server that trickles bytes is cut off too).
* Retries with exponential backoff (``backoff``, ``2*backoff``, ...) after a connection error,
  a timeout, ``408``, ``429`` or a ``5xx``; a ``Retry-After`` in seconds is honoured up to
  :data:`MAX_RETRY_AFTER`. Other ``4xx`` answers are not retried.
* A size limit: a ``Content-Length`` above ``max_bytes`` is refused before reading, and a body
  is cut off as soon as it grows past it (counted after decompression, so a gzip bomb is
  refused too).

Every failure is a :class:`FetchError` with a message fit for ``sitroom feeds status``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

__all__ = ["MAX_RETRY_AFTER", "FetchError", "HttpFetcher", "HttpResponse"]

#: The longest ``Retry-After`` honoured, in seconds (longer waits are left to the next poll).
MAX_RETRY_AFTER = 60.0
_RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A ``200``-class answer with its body, or a ``304`` (``not_modified``, empty body)."""

    url: str
    status: int
    body: bytes
    etag: str | None
    last_modified: str | None
    content_type: str | None
    attempts: int
    elapsed: float

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class FetchError(Exception):
    """A request that gave no usable answer (after the retries it deserved)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after  # seconds the server asked to wait, when it said


class _TooLarge(Exception):
    pass


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class HttpFetcher:
    """GET with validators, timeouts, retries and a size limit; one client, shared by threads."""

    def __init__(
        self,
        *,
        timeout: float = 20.0,
        retries: int = 2,
        backoff: float = 1.0,
        max_bytes: int = 10_000_000,
        user_agent: str = "sitroom-watch",
        stop: threading.Event | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_bytes = max_bytes
        self.stop = stop or threading.Event()
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            max_redirects=5,
            headers={"User-Agent": user_agent},
            transport=transport,
            trust_env=False,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        accept: str | None = None,
    ) -> HttpResponse:
        """The body of ``url`` (or a 304); :class:`FetchError` when there is none."""
        sent: dict[str, str] = dict(headers or {})
        if etag:
            sent["If-None-Match"] = etag
        if last_modified:
            sent["If-Modified-Since"] = last_modified
        if accept:
            sent.setdefault("Accept", accept)
        start = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            delay: float | None = None
            try:
                return self._once(url, sent, params, attempt, start)
            except FetchError as exc:
                if not exc.retryable or attempt > self.retries:
                    if attempt > 1:
                        exc.message = f"{exc.message} (after {attempt} attempts)"
                        exc.args = (exc.message,)
                    raise
                delay = self.backoff * 2 ** (attempt - 1)
                hinted = exc.retry_after
                if hinted is not None and hinted > delay:
                    if hinted > MAX_RETRY_AFTER:
                        exc.message = f"{exc.message} (the server asks to wait {hinted:.0f} s)"
                        exc.args = (exc.message,)
                        raise
                    delay = hinted
            if self.stop.wait(delay):
                raise FetchError("stopped while waiting to retry")

    def _once(
        self,
        url: str,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None,
        attempt: int,
        start: float,
    ) -> HttpResponse:
        began = time.monotonic()
        try:
            with self._client.stream("GET", url, headers=headers, params=params) as response:
                status = response.status_code
                if status == 304:
                    return HttpResponse(
                        url=str(response.url),
                        status=304,
                        body=b"",
                        etag=response.headers.get("ETag"),
                        last_modified=response.headers.get("Last-Modified"),
                        content_type=None,
                        attempts=attempt,
                        elapsed=time.monotonic() - start,
                    )
                if status >= 400 or status < 200:
                    raise FetchError(
                        f"HTTP {status} {response.reason_phrase}".strip(),
                        status=status,
                        retryable=status in _RETRY_STATUS,
                        retry_after=_retry_after(response.headers.get("Retry-After")),
                    )
                body = self._read_body(response, began)
                return HttpResponse(
                    url=str(response.url),
                    status=status,
                    body=body,
                    etag=response.headers.get("ETag"),
                    last_modified=response.headers.get("Last-Modified"),
                    content_type=response.headers.get("Content-Type"),
                    attempts=attempt,
                    elapsed=time.monotonic() - start,
                )
        except _TooLarge as exc:
            raise FetchError(str(exc)) from None
        except httpx.TimeoutException as exc:
            raise FetchError(
                f"timed out after {self.timeout:g} s ({type(exc).__name__})", retryable=True
            ) from None
        except httpx.TooManyRedirects:
            raise FetchError("too many redirects") from None
        except httpx.UnsupportedProtocol as exc:
            raise FetchError(f"unsupported URL: {exc}") from None
        except httpx.InvalidURL as exc:
            raise FetchError(f"invalid URL: {exc}") from None
        except httpx.DecodingError as exc:
            raise FetchError(f"the response could not be decoded: {exc}", retryable=True) from None
        except httpx.TransportError as exc:
            reason = str(exc) or type(exc).__name__
            raise FetchError(f"connection failed: {reason}", retryable=True) from None

    def _read_body(self, response: httpx.Response, began: float) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise _TooLarge(f"the response is {int(declared):,} bytes, over the limit of {self.max_bytes:,}")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise _TooLarge(f"the response grew past the limit of {self.max_bytes:,} bytes")
            chunks.append(chunk)
            if time.monotonic() - began > self.timeout:
                raise httpx.ReadTimeout("the whole response took too long")
            if self.stop.is_set():
                raise FetchError("stopped while reading")
        return b"".join(chunks)
