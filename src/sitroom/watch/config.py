"""The watcher's configuration: a TOML file (``sitroom.toml``) read with :mod:`tomllib`.

Four tables, all optional (``docs/watch.md`` is the reference)::

    [watch]            HTTP and scheduling settings (timeout, retries, backoff, max_bytes, ...)
    [[feeds]]          one per source: an RSS/Atom URL, a JSON endpoint (type = "json") or a folder (path)
    [[rules]]          alert rules: area, event types, actors, minimum fatalities, triggers, sinks
    [sinks.NAME]       where alerts go: type = "stdout" | "webhook" | "email" | "file"

Every problem is a :class:`~sitroom.errors.ConfigError` naming the file and the key
(``sitroom.toml: feeds[2].interval: ...``); unknown keys are errors too, so a misspelt
setting is never silently ignored. Relative paths (folders, alert files) are resolved against
the folder of the configuration file.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeAlias

from sitroom import language
from sitroom.errors import ConfigError

__all__ = [
    "DEFAULT_INTERVAL",
    "FEED_KINDS",
    "SINK_TYPES",
    "TRIGGERS",
    "EmailSinkConfig",
    "FeedConfig",
    "FeedKind",
    "FileSinkConfig",
    "RuleConfig",
    "SinkConfig",
    "StdoutSinkConfig",
    "WatchConfig",
    "WatchSettings",
    "WebhookSinkConfig",
    "feed_kind_of",
    "find_config",
    "load_config",
    "parse_config",
]

FeedKind = Literal["rss", "json", "folder"]
Trigger = Literal["new", "fatalities", "source", "confirmed"]

FEED_KINDS: tuple[FeedKind, ...] = ("rss", "json", "folder")
#: Alert triggers: the first alert for an event, and the three significant updates.
TRIGGERS: tuple[Trigger, ...] = ("new", "fatalities", "source", "confirmed")
SINK_TYPES = ("stdout", "webhook", "email", "file")
#: Seconds between two polls of a feed when neither the feed nor ``[watch]`` says.
DEFAULT_INTERVAL = 300.0


@dataclass(frozen=True, slots=True)
class WatchSettings:
    """``[watch]``: how feeds are fetched and scheduled."""

    timeout: float = 20.0  # seconds: connect, each read, and the whole response
    retries: int = 2  # further tries after a connection error, a timeout, a 5xx, 408 or 429
    backoff: float = 1.0  # seconds before the first retry, doubled for each further one
    max_bytes: int = 10_000_000  # a larger response is refused
    max_error_backoff: float = 3600.0  # a failing feed waits interval * 2**(failures-1), at most this
    default_interval: float = DEFAULT_INTERVAL
    page_min_chars: int = 600  # with fetch_pages, items whose text is shorter get their page fetched
    settle: float = 1.0  # folders: a file changed less than this many seconds ago waits a poll
    workers: int = 4  # feeds fetched at the same time
    user_agent: str = "sitroom-watch/0.1 (+https://github.com/sitroom)"


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """One ``[[feeds]]`` entry (or a feed added with ``sitroom feeds add``)."""

    name: str
    kind: FeedKind
    location: str  # URL, or an absolute folder path
    interval: float = DEFAULT_INTERVAL
    language: str | None = None
    fetch_pages: bool = False
    headers: tuple[tuple[str, str], ...] = ()  # extra request headers (config only, never stored)
    cursor_param: str | None = None  # json: query parameter that carries the cursor
    cursor_field: str | None = None  # json: field of the response object holding the next cursor
    enabled: bool = True

    def options(self) -> dict[str, Any]:
        """The kind-specific settings kept in the store (headers are not: they may hold secrets)."""
        found: dict[str, Any] = {}
        if self.cursor_param:
            found["cursor_param"] = self.cursor_param
        if self.cursor_field:
            found["cursor_field"] = self.cursor_field
        return found


@dataclass(frozen=True, slots=True)
class RuleConfig:
    """One ``[[rules]]`` entry. Every criterion given must hold; a list matches any of its items."""

    name: str
    countries: tuple[str, ...] = ()
    admin1: tuple[str, ...] = ()
    near: tuple[float, float, float] | None = None  # lat, lon, km
    bbox: tuple[float, float, float, float] | None = None  # min_lon, min_lat, max_lon, max_lat
    event_types: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    min_fatalities: int | None = None
    triggers: tuple[Trigger, ...] = TRIGGERS
    sinks: tuple[str, ...] = ()  # names of [sinks.*]; empty means every sink


@dataclass(frozen=True, slots=True)
class StdoutSinkConfig:
    name: str
    type: Literal["stdout"] = "stdout"


@dataclass(frozen=True, slots=True)
class FileSinkConfig:
    name: str
    path: str
    type: Literal["file"] = "file"


@dataclass(frozen=True, slots=True)
class WebhookSinkConfig:
    name: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 0.5
    type: Literal["webhook"] = "webhook"


@dataclass(frozen=True, slots=True)
class EmailSinkConfig:
    name: str
    host: str
    sender: str
    to: tuple[str, ...]
    port: int = 25
    starttls: bool = False
    ssl: bool = False
    username: str | None = None
    password_env: str | None = None  # the environment variable holding the password (never the file)
    timeout: float = 10.0
    subject_prefix: str = "[sitroom]"
    type: Literal["email"] = "email"


SinkConfig: TypeAlias = StdoutSinkConfig | FileSinkConfig | WebhookSinkConfig | EmailSinkConfig


@dataclass(frozen=True, slots=True)
class WatchConfig:
    settings: WatchSettings = field(default_factory=WatchSettings)
    feeds: tuple[FeedConfig, ...] = ()
    rules: tuple[RuleConfig, ...] = ()
    sinks: tuple[SinkConfig, ...] = ()
    source: str | None = None  # the file it was read from

    def sink(self, name: str) -> SinkConfig:
        for sink in self.sinks:
            if sink.name == name:
                return sink
        raise KeyError(name)


# ------------------------------------------------------------------------------------ reading


class _Reader:
    """Typed access to one TOML table, with errors that name the file and the key."""

    def __init__(self, table: Mapping[str, Any], where: str, source: str | None) -> None:
        self.table = table
        self.where = where
        self.source = source
        self.used: set[str] = set()

    def fail(self, message: str, key: str | None = None) -> ConfigError:
        at = f"{self.where}.{key}" if key and self.where else (key or self.where)
        return ConfigError(f"{at}: {message}" if at else message, source=self.source)

    def _get(self, key: str) -> Any:
        self.used.add(key)
        return self.table.get(key)

    def string(self, key: str, default: str | None = None) -> str | None:
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"expected a non-empty string, got {value!r}", key)
        return value.strip()

    def required_string(self, key: str) -> str:
        value = self.string(key)
        if value is None:
            raise self.fail("is required", key)
        return value

    def number(self, key: str, default: float, *, minimum: float = 0.0, strict: bool = False) -> float:
        value = self._get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise self.fail(f"expected a number, got {value!r}", key)
        if value < minimum or (strict and value == minimum):
            relation = ">" if strict else ">="
            raise self.fail(f"must be {relation} {minimum:g}, got {value!r}", key)
        return float(value)

    def integer(self, key: str, default: int | None, *, minimum: int = 0) -> int | None:
        value = self._get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"expected a whole number, got {value!r}", key)
        if value < minimum:
            raise self.fail(f"must be >= {minimum}, got {value!r}", key)
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(f"expected true or false, got {value!r}", key)
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        """A string or a list of strings."""
        value = self._get(key)
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            raise self.fail(f"expected a string or a list of strings, got {value!r}", key)
        return tuple(i.strip() for i in items)

    def headers(self, key: str) -> tuple[tuple[str, str], ...]:
        value = self._get(key)
        if value is None:
            return ()
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise self.fail('expected a table of strings, e.g. { "X-Api-Key" = "..." }', key)
        return tuple((k, os.path.expandvars(v)) for k, v in value.items())

    def sub(self, key: str) -> Mapping[str, Any] | None:
        value = self._get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.fail("expected a table", key)
        return value

    def finish(self) -> None:
        unknown = sorted(set(self.table) - self.used)
        if unknown:
            raise self.fail(f"unknown setting(s): {', '.join(unknown)}")


def _table_list(root: _Reader, key: str) -> list[Mapping[str, Any]]:
    value = root._get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise root.fail(f"expected an array of tables ([[{key}]])", key)
    return value


def _resolve_path(raw: str, base: Path | None) -> str:
    path = Path(os.path.expanduser(raw))
    if not path.is_absolute() and base is not None:
        path = base / path
    return str(path.absolute())


def feed_kind_of(location: str) -> FeedKind:
    """``rss`` for an http(s) URL, ``folder`` for anything else (a path)."""
    return "rss" if location.lower().startswith(("http://", "https://")) else "folder"


def _check_url(reader: _Reader, key: str, url: str) -> str:
    if not url.lower().startswith(("http://", "https://")):
        raise reader.fail(f"expected an http:// or https:// URL, got {url!r}", key)
    return url


def _settings(reader: _Reader) -> WatchSettings:
    d = WatchSettings()
    settings = WatchSettings(
        timeout=reader.number("timeout", d.timeout, strict=True),
        retries=int(reader.integer("retries", d.retries) or 0),
        backoff=reader.number("backoff", d.backoff),
        max_bytes=int(reader.integer("max_bytes", d.max_bytes, minimum=1) or d.max_bytes),
        max_error_backoff=reader.number("max_error_backoff", d.max_error_backoff, strict=True),
        default_interval=reader.number("default_interval", d.default_interval, strict=True),
        page_min_chars=int(reader.integer("page_min_chars", d.page_min_chars) or 0),
        settle=reader.number("settle", d.settle),
        workers=int(reader.integer("workers", d.workers, minimum=1) or 1),
        user_agent=reader.string("user_agent", d.user_agent) or d.user_agent,
    )
    reader.finish()
    return settings


def _feed(reader: _Reader, settings: WatchSettings, base: Path | None) -> FeedConfig:
    url = reader.string("url")
    path = reader.string("path")
    kind_raw = reader.string("type")
    if (url is None) == (path is None):
        raise reader.fail('give either url = "https://..." or path = "folder/"')
    kind: FeedKind
    if path is not None:
        if kind_raw not in (None, "folder"):
            raise reader.fail(f'a feed with a path is a folder, not type = "{kind_raw}"', "type")
        kind, location = "folder", _resolve_path(path, base)
    else:
        assert url is not None
        location = _check_url(reader, "url", url)
        if kind_raw is None or kind_raw in ("rss", "atom"):
            kind = "rss"
        elif kind_raw == "json":
            kind = "json"
        else:
            raise reader.fail(f'expected "rss", "atom" or "json", got {kind_raw!r}', "type")
    lang = reader.string("language")
    if lang is not None and language.normalize_code(lang) is None:
        raise reader.fail(f"not a language code: {lang!r}", "language")
    feed = FeedConfig(
        name=reader.string("name") or location,
        kind=kind,
        location=location,
        interval=reader.number("interval", settings.default_interval, strict=True),
        language=language.normalize_code(lang) if lang else None,
        fetch_pages=reader.boolean("fetch_pages", False),
        headers=reader.headers("headers"),
        cursor_param=reader.string("cursor_param"),
        cursor_field=reader.string("cursor_field"),
        enabled=reader.boolean("enabled", True),
    )
    if kind != "json" and (feed.cursor_param or feed.cursor_field):
        raise reader.fail('cursor_param and cursor_field are for type = "json" feeds')
    if kind == "folder" and (feed.fetch_pages or feed.headers):
        raise reader.fail("fetch_pages and headers are for URL feeds, not folders")
    reader.finish()
    return feed


def _lat_lon(reader: _Reader, key: str, lat: float, lon: float) -> None:
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise reader.fail(
            f"latitude must lie in [-90, 90] and longitude in [-180, 180], got {lat}, {lon}", key
        )


def _rule(reader: _Reader, index: int) -> RuleConfig:
    near: tuple[float, float, float] | None = None
    near_table = reader.sub("near")
    if near_table is not None:
        sub = _Reader(near_table, f"{reader.where}.near", reader.source)
        lat = sub.number("lat", math.nan, minimum=-90.0)
        lon = sub.number("lon", math.nan, minimum=-180.0)
        km = sub.number("km", 25.0, strict=True)
        if math.isnan(lat) or math.isnan(lon):
            raise sub.fail("needs lat and lon, e.g. near = { lat = 49.99, lon = 36.23, km = 50 }")
        sub.finish()
        _lat_lon(reader, "near", lat, lon)
        near = (lat, lon, km)
    bbox: tuple[float, float, float, float] | None = None
    raw_bbox = reader._get("bbox")
    if raw_bbox is not None:
        if (
            not isinstance(raw_bbox, list)
            or len(raw_bbox) != 4
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in raw_bbox)
        ):
            raise reader.fail("expected [min_lon, min_lat, max_lon, max_lat]", "bbox")
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in raw_bbox)
        _lat_lon(reader, "bbox", min_lat, min_lon)
        _lat_lon(reader, "bbox", max_lat, max_lon)
        if min_lat > max_lat:
            raise reader.fail(f"min_lat {min_lat} is above max_lat {max_lat}", "bbox")
        bbox = (min_lon, min_lat, max_lon, max_lat)
    triggers = reader.strings("on")
    for trigger in triggers:
        if trigger not in TRIGGERS:
            raise reader.fail(f"unknown trigger {trigger!r}; expected some of {', '.join(TRIGGERS)}", "on")
    rule = RuleConfig(
        name=reader.string("name") or f"rule-{index}",
        countries=reader.strings("countries") + reader.strings("country"),
        admin1=reader.strings("admin1"),
        near=near,
        bbox=bbox,
        event_types=reader.strings("event_types") + reader.strings("event_type"),
        actors=reader.strings("actors") + reader.strings("actor"),
        min_fatalities=reader.integer("min_fatalities", None),
        triggers=tuple(t for t in TRIGGERS if t in triggers) if triggers else TRIGGERS,
        sinks=reader.strings("sinks"),
    )
    reader.finish()
    return rule


def _sink(reader: _Reader, name: str, base: Path | None) -> SinkConfig:
    kind = reader.required_string("type")
    sink: SinkConfig
    if kind == "stdout":
        sink = StdoutSinkConfig(name=name)
    elif kind == "file":
        sink = FileSinkConfig(name=name, path=_resolve_path(reader.required_string("path"), base))
    elif kind == "webhook":
        sink = WebhookSinkConfig(
            name=name,
            url=_check_url(reader, "url", reader.required_string("url")),
            headers=reader.headers("headers"),
            timeout=reader.number("timeout", 10.0, strict=True),
            retries=int(reader.integer("retries", 3) or 0),
            backoff=reader.number("backoff", 0.5),
        )
    elif kind == "email":
        to = reader.strings("to")
        if not to:
            raise reader.fail("is required (one address or a list)", "to")
        sink = EmailSinkConfig(
            name=name,
            host=reader.required_string("host"),
            sender=reader.required_string("from"),
            to=to,
            port=int(reader.integer("port", 25, minimum=1) or 25),
            starttls=reader.boolean("starttls", False),
            ssl=reader.boolean("ssl", False),
            username=reader.string("username"),
            password_env=reader.string("password_env"),
            timeout=reader.number("timeout", 10.0, strict=True),
            subject_prefix=reader.string("subject_prefix", "[sitroom]") or "[sitroom]",
        )
    else:
        raise reader.fail(f"unknown sink type {kind!r}; expected one of {', '.join(SINK_TYPES)}", "type")
    reader.finish()
    return sink


def parse_config(
    data: Mapping[str, Any], *, source: str | None = None, base: Path | None = None
) -> WatchConfig:
    """A :class:`WatchConfig` from decoded TOML; relative paths are resolved against ``base``."""
    root = _Reader(data, "", source)
    watch_table = root.sub("watch") or {}
    settings = _settings(_Reader(watch_table, "watch", source))
    sinks_table = root.sub("sinks") or {}
    sinks: list[SinkConfig] = []
    for name, table in sinks_table.items():
        if not isinstance(table, dict):
            raise root.fail('expected a table, e.g. [sinks.console] type = "stdout"', f"sinks.{name}")
        sinks.append(_sink(_Reader(table, f"sinks.{name}", source), name, base))
    feeds: list[FeedConfig] = []
    for number, table in enumerate(_table_list(root, "feeds"), start=1):
        feed = _feed(_Reader(table, f"feeds[{number}]", source), settings, base)
        if any(f.name == feed.name for f in feeds):
            raise root.fail(
                f"two feeds are named {feed.name!r}; give each a distinct name", f"feeds[{number}]"
            )
        feeds.append(feed)
    rules: list[RuleConfig] = []
    names = {s.name for s in sinks}
    for number, table in enumerate(_table_list(root, "rules"), start=1):
        reader = _Reader(table, f"rules[{number}]", source)
        rule = _rule(reader, number)
        missing = [s for s in rule.sinks if s not in names]
        if missing:
            raise reader.fail(f"no sink named {', '.join(map(repr, missing))} in [sinks]", "sinks")
        if any(r.name == rule.name for r in rules):
            raise reader.fail(f"two rules are named {rule.name!r}", "name")
        rules.append(rule)
    if rules and not sinks:
        raise root.fail('alert rules need at least one sink: add e.g. [sinks.console] type = "stdout"')
    root.finish()
    return WatchConfig(settings, tuple(feeds), tuple(rules), tuple(sinks), source)


def load_config(path: str | os.PathLike[str]) -> WatchConfig:
    """Read and check a ``sitroom.toml``."""
    file = Path(path)
    source = str(file)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise ConfigError("no such configuration file", source=source) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration: {exc.strerror or exc}", source=source) from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError("the configuration is not UTF-8 text", source=source) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", source=source) from exc
    return parse_config(data, source=source, base=file.parent.absolute())


def find_config(path: str | os.PathLike[str] | None, default: str = "sitroom.toml") -> WatchConfig:
    """The configuration at ``path``; without one, ``default`` in the current folder if it
    exists, else an empty configuration (no feeds of its own, no rules, no sinks)."""
    if path is None:
        if not Path(default).is_file():
            return WatchConfig()
        path = default
    return load_config(path)
