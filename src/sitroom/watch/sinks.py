"""Where alerts go, and the outbox that gets them there once.

Sinks (``[sinks.NAME]`` in the configuration):

* ``stdout``: one JSON object a line on standard output;
* ``file``: one JSON object a line appended to a file (flushed and fsynced);
* ``webhook``: an HTTP POST of the JSON object, with the headers ``Idempotency-Key`` and
  ``X-Sitroom-Alert-Id`` set to the alert id, retried with exponential backoff after a
  connection error, a timeout, 408, 429 or a 5xx;
* ``email``: a plain-text message over SMTP (optionally STARTTLS or SSL, and a login), whose
  ``Message-ID`` is derived from the alert id.

Every alert is queued in the store (:class:`~sitroom.watch.state.WatchState`) in the same
transaction as the document that raised it, and :class:`Outbox` delivers what is due: a row is
marked ``sending`` before the sink is called and ``sent`` after, so a crash can only leave
``sending`` rows behind. On restart :meth:`Outbox.recover` asks the file sink whether such an
alert reached the file (it did if its line is there) and sends the others again: delivery is
exactly once except when the watcher dies during a send to a webhook, an SMTP server or
standard output, where the alert is sent again with the same ``alert_id`` (at least once).
A sink that fails is retried later with a growing delay, and gives up after
``max_attempts``; a permanent refusal (a 4xx from a webhook, a 5xx from SMTP) fails at once.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import smtplib
import ssl
import sys
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any, Protocol

import httpx

from sitroom.errors import ConfigError
from sitroom.watch.config import (
    EmailSinkConfig,
    FileSinkConfig,
    SinkConfig,
    StdoutSinkConfig,
    WebhookSinkConfig,
)
from sitroom.watch.state import WatchState, stamp

__all__ = [
    "DeliveryError",
    "EmailSink",
    "FileSink",
    "Outbox",
    "Sink",
    "StdoutSink",
    "WebhookSink",
    "alert_line",
    "build_sinks",
]

logger = logging.getLogger("sitroom.watch")

_RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class DeliveryError(Exception):
    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


class Sink(Protocol):
    name: str

    def send(self, alert: Mapping[str, Any]) -> None:
        """Deliver one alert or raise :class:`DeliveryError`."""

    def delivered(self, alert_id: str) -> bool:
        """Whether an alert whose send was interrupted did reach its target (``False``: unknown)."""

    def close(self) -> None: ...


def alert_line(alert: Mapping[str, Any]) -> str:
    return json.dumps(alert, ensure_ascii=False, sort_keys=True)


class StdoutSink:
    def __init__(self, name: str = "stdout") -> None:
        self.name = name

    def send(self, alert: Mapping[str, Any]) -> None:
        stream = sys.stdout
        try:
            stream.write(alert_line(alert) + "\n")
            stream.flush()
        except (OSError, ValueError) as exc:  # a closed pipe
            raise DeliveryError(f"cannot write to standard output: {exc}") from exc

    def delivered(self, alert_id: str) -> bool:
        return False

    def close(self) -> None:
        pass


class FileSink:
    """JSON lines appended to ``path``; a line torn by a crash is cut off before the next write."""

    def __init__(self, name: str, path: str | os.PathLike[str]) -> None:
        self.name = name
        self.path = Path(path)

    def _repair(self) -> None:
        """Drop a last line without its newline (a write interrupted by a crash)."""
        try:
            with self.path.open("rb+") as fh:
                size = fh.seek(0, os.SEEK_END)
                if size == 0:
                    return
                fh.seek(size - 1)
                if fh.read(1) == b"\n":
                    return
                back = min(size, 1 << 20)
                fh.seek(size - back)
                tail = fh.read(back)
                cut = tail.rfind(b"\n")
                fh.truncate(size - back + cut + 1 if cut >= 0 else (0 if back == size else size))
        except FileNotFoundError:
            return

    def send(self, alert: Mapping[str, Any]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._repair()
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(alert_line(alert) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise DeliveryError(f"cannot write {self.path}: {exc.strerror or exc}") from exc

    def delivered(self, alert_id: str) -> bool:
        try:
            self._repair()
            needle = json.dumps({"alert_id": alert_id})[1:-1]  # "alert_id": "al-..."
            with self.path.open(encoding="utf-8", errors="replace") as fh:
                return any(needle in line for line in fh)
        except OSError:
            return False

    def close(self) -> None:
        pass


class WebhookSink:
    def __init__(
        self,
        cfg: WebhookSinkConfig,
        *,
        stop: threading.Event | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.name = cfg.name
        self.cfg = cfg
        self.stop = stop or threading.Event()
        self._client = httpx.Client(timeout=httpx.Timeout(cfg.timeout), transport=transport, trust_env=False)

    def send(self, alert: Mapping[str, Any]) -> None:
        aid = str(alert.get("alert_id", ""))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "sitroom-watch",
            "Idempotency-Key": aid,
            "X-Sitroom-Alert-Id": aid,
            **dict(self.cfg.headers),
        }
        body = alert_line(alert).encode("utf-8")
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._client.post(self.cfg.url, content=body, headers=headers)
            except httpx.TimeoutException:
                error = DeliveryError(f"webhook timed out after {self.cfg.timeout:g} s")
            except httpx.HTTPError as exc:
                error = DeliveryError(f"webhook connection failed: {exc or type(exc).__name__}")
            else:
                if 200 <= response.status_code < 300:
                    return
                retryable = response.status_code in _RETRY_STATUS
                error = DeliveryError(
                    f"webhook answered HTTP {response.status_code} {response.reason_phrase}".strip(),
                    retryable=retryable,
                )
            if not error.retryable or attempt > self.cfg.retries:
                if attempt > 1:
                    error.message = f"{error.message} (after {attempt} attempts)"
                    error.args = (error.message,)
                raise error
            if self.stop.wait(self.cfg.backoff * 2 ** (attempt - 1)):
                raise error

    def delivered(self, alert_id: str) -> bool:
        return False

    def close(self) -> None:
        self._client.close()


class EmailSink:
    def __init__(self, cfg: EmailSinkConfig) -> None:
        self.name = cfg.name
        self.cfg = cfg
        self.password: str | None = None
        if cfg.password_env is not None:
            self.password = os.environ.get(cfg.password_env)
            if self.password is None:
                raise ConfigError(
                    f"sinks.{cfg.name}.password_env: the environment variable {cfg.password_env} is not set"
                )

    def message(self, alert: Mapping[str, Any]) -> EmailMessage:
        cfg = self.cfg
        triggers = ", ".join(str(t) for t in alert.get("triggers") or [])
        msg = EmailMessage()
        msg["Subject"] = f"{cfg.subject_prefix} {alert.get('rule')}: {alert.get('summary')} [{triggers}]"
        msg["From"] = cfg.sender
        msg["To"] = ", ".join(cfg.to)
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        msg["Message-ID"] = f"<{alert.get('alert_id')}@sitroom>"
        event = alert.get("event") or {}
        document = alert.get("document") or {}
        lines = [
            str(alert.get("summary")),
            "",
            f"rule: {alert.get('rule')}    triggers: {triggers}",
            f"event: {event.get('id')}    sources: {event.get('sources')}",
            f"fatalities: {event.get('fatalities')} (highest reported {event.get('fatalities_max')})",
            f"place: {event.get('location')}, {event.get('admin1')}, {event.get('country')}"
            f" [{event.get('latitude')}, {event.get('longitude')}]",
            f"report: {document.get('title') or '(no title)'} {document.get('url') or ''}".rstrip(),
            f"feed: {alert.get('feed')}    detected: {alert.get('detected_at')}",
            "",
            "-- alert as JSON --",
            json.dumps(alert, ensure_ascii=False, indent=2, sort_keys=True),
        ]
        msg.set_content("\n".join(lines))
        return msg

    def send(self, alert: Mapping[str, Any]) -> None:
        cfg = self.cfg
        try:
            smtp: smtplib.SMTP
            if cfg.ssl:
                smtp = smtplib.SMTP_SSL(
                    cfg.host, cfg.port, timeout=cfg.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
            with smtp:
                if cfg.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if cfg.username:
                    smtp.login(cfg.username, self.password or "")
                smtp.send_message(self.message(alert))
        except smtplib.SMTPResponseException as exc:
            permanent = exc.smtp_code >= 500
            raise DeliveryError(
                f"SMTP server answered {exc.smtp_code}: {exc.smtp_error!r}", retryable=not permanent
            ) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(
                f"SMTP server refused the recipients: {exc.recipients}", retryable=False
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP delivery failed: {exc or type(exc).__name__}") from exc

    def delivered(self, alert_id: str) -> bool:
        return False

    def close(self) -> None:
        pass


def build_sinks(configs: tuple[SinkConfig, ...], *, stop: threading.Event | None = None) -> dict[str, Sink]:
    sinks: dict[str, Sink] = {}
    for cfg in configs:
        if isinstance(cfg, StdoutSinkConfig):
            sinks[cfg.name] = StdoutSink(cfg.name)
        elif isinstance(cfg, FileSinkConfig):
            sinks[cfg.name] = FileSink(cfg.name, cfg.path)
        elif isinstance(cfg, WebhookSinkConfig):
            sinks[cfg.name] = WebhookSink(cfg, stop=stop)
        else:
            sinks[cfg.name] = EmailSink(cfg)
    return sinks


class Outbox:
    """Delivers the queued alerts that are due, each to its sink, recording every outcome."""

    def __init__(
        self,
        state: WatchState,
        sinks: Mapping[str, Sink],
        *,
        clock: Callable[[], datetime],
        max_attempts: int = 8,
        retry_base: float = 5.0,
        retry_cap: float = 600.0,
    ) -> None:
        self.state = state
        self.sinks = sinks
        self.clock = clock
        self.max_attempts = max_attempts
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self._down_until: dict[str, float] = {}
        self.sent = 0
        self.failed = 0

    def recover(self) -> int:
        """Settle the alerts a killed watcher left ``sending``; how many there were."""
        rows = self.state.alerts(status="sending")
        for row in rows:
            sink = self.sinks.get(row.sink)
            if sink is not None and sink.delivered(row.alert_id):
                self.state.alert_sent(row.id)
            else:
                self.state.alert_retry(row.id, "interrupted while sending; sent again", self.clock())
        return len(rows)

    def deliver_due(self, stop: threading.Event | None = None) -> int:
        """Send every due alert (skipping sinks that failed a moment ago); how many were sent."""
        sent = 0
        while True:
            rows = self.state.due_alerts()
            progressed = False
            for row in rows:
                if stop is not None and stop.is_set():
                    return sent
                sink = self.sinks.get(row.sink)
                if sink is None:
                    self.state.alert_failed(row.id, f"no sink named {row.sink!r} in the configuration")
                    self.failed += 1
                    continue
                if self._down_until.get(row.sink, 0.0) > time.monotonic():
                    continue
                progressed = True
                if not self.state.alert_sending(row.id):
                    continue  # another watcher on this database took it
                payload = {**row.payload, "sent_at": stamp(self.clock())}
                try:
                    sink.send(payload)
                except DeliveryError as exc:
                    self._failure(row.id, row.sink, row.attempts + 1, exc.message, exc.retryable)
                except Exception as exc:  # a sink bug must not stop the watcher
                    logger.exception("sink %s failed", row.sink)
                    self._failure(row.id, row.sink, row.attempts + 1, f"{type(exc).__name__}: {exc}", True)
                else:
                    self.state.alert_sent(row.id)
                    self._down_until.pop(row.sink, None)
                    sent += 1
                    self.sent += 1
            if not rows or not progressed or len(rows) < 100:
                return sent

    def _failure(self, row_id: int, sink: str, attempts: int, message: str, retryable: bool) -> None:
        if not retryable or attempts >= self.max_attempts:
            self.state.alert_failed(row_id, message)
            self.failed += 1
            logger.error("alert to %s failed for good: %s", sink, message)
            return
        delay = min(self.retry_cap, self.retry_base * 2 ** (attempts - 1))
        self.state.alert_retry(row_id, message, self.clock() + timedelta(seconds=delay))
        self._down_until[sink] = time.monotonic() + delay
        logger.warning("alert to %s not delivered (%s); retrying in %.0f s", sink, message, delay)

    def close(self) -> None:
        for sink in self.sinks.values():
            with contextlib.suppress(Exception):
                sink.close()
