"""sitroom.toml: the example loads, every setting is checked, mistakes name the file and key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sitroom.errors import ConfigError
from sitroom.watch.config import (
    EmailSinkConfig,
    FileSinkConfig,
    StdoutSinkConfig,
    WebhookSinkConfig,
    find_config,
    load_config,
    parse_config,
)

EXAMPLE = Path(__file__).parents[2] / "examples" / "sitroom.toml"


def test_the_example_configuration_loads() -> None:
    cfg = load_config(EXAMPLE)
    assert [f.name for f in cfg.feeds] == ["herald-world", "wire-api", "inbox"]
    herald, wire, inbox = cfg.feeds
    assert (herald.kind, herald.interval, herald.language, herald.fetch_pages) == ("rss", 120.0, "en", True)
    assert (wire.kind, wire.cursor_param, wire.cursor_field) == ("json", "since", "next_cursor")
    assert inbox.kind == "folder" and inbox.location == str(EXAMPLE.parent / "inbox")
    kharkiv = cfg.rules[0]
    assert kharkiv.near == (49.99, 36.23, 60.0)
    assert kharkiv.triggers == ("new", "fatalities", "confirmed")
    assert cfg.rules[2].bbox == (32.0, 11.0, 45.0, 30.0) and cfg.rules[2].sinks == ()
    kinds = {s.name: type(s) for s in cfg.sinks}
    assert kinds == {
        "console": StdoutSinkConfig,
        "log": FileSinkConfig,
        "ops-hook": WebhookSinkConfig,
        "analyst-mail": EmailSinkConfig,
    }
    mail = cfg.sink("analyst-mail")
    assert isinstance(mail, EmailSinkConfig) and mail.password_env == "SITROOM_SMTP_PASSWORD"
    log = cfg.sink("log")
    assert isinstance(log, FileSinkConfig) and log.path == str(EXAMPLE.parent / "alerts.jsonl")


def test_defaults_with_an_empty_configuration() -> None:
    cfg = parse_config({})
    assert cfg.feeds == () and cfg.rules == () and cfg.sinks == ()
    assert cfg.settings.timeout == 20.0 and cfg.settings.retries == 2


def test_no_configuration_file_means_an_empty_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_config(None).feeds == ()
    (tmp_path / "sitroom.toml").write_text('[[feeds]]\nurl = "https://example.org/a.xml"\n')
    assert find_config(None).feeds[0].name == "https://example.org/a.xml"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"watch": {"timout": 3}}, "watch: unknown setting(s): timout"),
        ({"watch": {"timeout": 0}}, "watch.timeout: must be > 0"),
        ({"watch": {"retries": -1}}, "watch.retries: must be >= 0"),
        ({"watch": {"retries": 1.5}}, "watch.retries: expected a whole number"),
        ({"feeds": [{"name": "x"}]}, 'feeds[1]: give either url = "https://..." or path'),
        ({"feeds": [{"url": "ftp://x/feed"}]}, "feeds[1].url: expected an http:// or https:// URL"),
        ({"feeds": [{"url": "https://x/f", "interval": -5}]}, "feeds[1].interval: must be > 0"),
        ({"feeds": [{"url": "https://x/f", "type": "csv"}]}, "feeds[1].type"),
        (
            {"feeds": [{"url": "https://x/f", "language": "klingon!"}]},
            "feeds[1].language: not a language code",
        ),
        (
            {"feeds": [{"url": "https://x/f", "cursor_param": "since"}]},
            "cursor_param and cursor_field are for",
        ),
        ({"feeds": [{"url": "https://x/a"}, {"url": "https://x/a"}]}, "two feeds are named"),
        ({"rules": [{"name": "r"}]}, "alert rules need at least one sink"),
        ({"rules": [{"on": ["new", "boom"]}], "sinks": {"o": {"type": "stdout"}}}, "unknown trigger 'boom'"),
        ({"rules": [{"sinks": ["nope"]}], "sinks": {"o": {"type": "stdout"}}}, "no sink named 'nope'"),
        (
            {"rules": [{"bbox": [1, 2, 3]}], "sinks": {"o": {"type": "stdout"}}},
            "rules[1].bbox: expected [min_lon",
        ),
        (
            {"rules": [{"near": {"lat": 95, "lon": 0}}], "sinks": {"o": {"type": "stdout"}}},
            "latitude must lie",
        ),
        ({"rules": [{"near": {"lat": 10}}], "sinks": {"o": {"type": "stdout"}}}, "needs lat and lon"),
        (
            {"rules": [{"min_fatalities": "five"}], "sinks": {"o": {"type": "stdout"}}},
            "expected a whole number",
        ),
        ({"sinks": {"o": {"type": "pager"}}}, "sinks.o.type: unknown sink type 'pager'"),
        ({"sinks": {"o": {"type": "webhook"}}}, "sinks.o.url: is required"),
        ({"sinks": {"o": {"type": "email", "host": "h", "from": "a@b"}}}, "sinks.o.to: is required"),
        ({"sinks": {"o": {"type": "stdout", "colour": "red"}}}, "sinks.o: unknown setting(s): colour"),
        ({"extra": 1}, "unknown setting(s): extra"),
    ],
)
def test_mistakes_are_reported_with_their_key(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(data, source="sitroom.toml")
    assert message in str(caught.value)
    assert str(caught.value).startswith("sitroom.toml: ")


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[watch\ntimeout = 1\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "missing.toml")


def test_header_values_take_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIRE_KEY", "s3cret")
    cfg = parse_config({"feeds": [{"url": "https://x/f", "headers": {"X-Key": "${WIRE_KEY}"}}]})
    assert cfg.feeds[0].headers == (("X-Key", "s3cret"),)
    assert "headers" not in cfg.feeds[0].options()  # never stored in the database


def test_email_sink_needs_its_password_variable_when_the_watcher_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sitroom.watch.sinks import build_sinks

    cfg = load_config(EXAMPLE)
    monkeypatch.delenv("SITROOM_SMTP_PASSWORD", raising=False)
    with pytest.raises(ConfigError, match="SITROOM_SMTP_PASSWORD is not set"):
        build_sinks(cfg.sinks)
    monkeypatch.setenv("SITROOM_SMTP_PASSWORD", "pw")
    assert set(build_sinks(cfg.sinks)) == {"console", "log", "ops-hook", "analyst-mail"}
