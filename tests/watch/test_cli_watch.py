"""`sitroom watch` and `sitroom feeds add | list | status`, run in process with Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sitroom.cli import app
from watch.feedkit import LoopbackServer, item, rss

runner = CliRunner()


def write_config(path: Path, server: LoopbackServer, inbox: Path) -> Path:
    path.write_text(
        f"""
[watch]
timeout = 1
retries = 0
settle = 0

[[feeds]]
name = "herald"
url = "{server.url("/herald.xml")}"
interval = 30
language = "en"

[[feeds]]
name = "broken"
url = "{server.url("/broken.xml")}"

[[feeds]]
name = "inbox"
path = "{inbox.name}"

[[rules]]
name = "ukraine"
countries = ["UA"]
sinks = ["console"]

[sinks.console]
type = "stdout"
""",
        encoding="utf-8",
    )
    return path


def test_feeds_add_list_and_duplicates(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    folder = tmp_path / "drop"
    folder.mkdir()
    added = runner.invoke(
        app,
        ["--db", db, "feeds", "add", "https://example.org/rss.xml", "--interval", "60", "--language", "en"],
    )
    assert added.exit_code == 0, added.output
    assert "added feed 'https://example.org/rss.xml' (rss, every 60 s)" in added.output
    assert runner.invoke(app, ["--db", db, "feeds", "add", str(folder), "--name", "drop"]).exit_code == 0
    api = ["--db", db, "feeds", "add", "https://example.org/api", "--type", "json", "--name", "api"]
    assert runner.invoke(app, api).exit_code == 0
    again = runner.invoke(app, ["--db", db, "feeds", "add", "https://example.org/rss.xml"])
    assert again.exit_code == 2 and "exists already" in again.output
    assert runner.invoke(app, ["--db", db, "feeds", "add", "/no/such/folder"]).exit_code == 2
    assert (
        runner.invoke(app, ["--db", db, "feeds", "add", "https://x.org/f", "--language", "??"]).exit_code == 2
    )
    listed = runner.invoke(app, ["--db", db, "feeds", "list"])
    assert listed.exit_code == 0
    for text in ("https://example.org/rss.xml", "drop", "folder", "api", "json", "60s", "cli"):
        assert text in listed.output


def test_watch_once_then_feeds_status(server: LoopbackServer, tmp_path: Path) -> None:
    server.set("/herald.xml", body=rss([item("kharkiv-a"), item("kirkuk")]), etag='"1"')
    server.set("/broken.xml", status=500)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "odesa.txt").write_text(
        "date 2024-05-15\n\nA Russian missile struck the port of Odesa on Tuesday, killing one dock worker, "
        "the regional administration said.\n"
    )
    cfg = write_config(tmp_path / "sitroom.toml", server, inbox)
    db = str(tmp_path / "s.db")

    result = runner.invoke(app, ["--db", db, "watch", "--config", str(cfg), "--once"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert sorted(a["event"]["location"] for a in lines) == ["Kharkiv", "Odesa"]  # Kirkuk is not in Ukraine
    assert all(a["rule"] == "ukraine" and a["triggers"] == ["new"] for a in lines)
    assert "polls 3 (errors 1)" in result.output and "events created 3" in result.output

    status = runner.invoke(app, ["--db", db, "feeds", "status"])
    assert status.exit_code == 0
    table = status.output.replace("┃", "│").splitlines()
    cells = [[c.strip() for c in line.strip("│").split("│")] for line in table]
    rows = {c[0]: c for c in cells if len(c) == 11}
    header = rows.pop("name")
    assert header[2:] == [
        "last fetch", "fails", "items", "unreadable", "events made",
        "updated", "alerts sent", "pending", "last error",
    ]  # fmt: skip
    assert rows["broken"][1] == "error" and rows["broken"][10].endswith("ago") and rows["broken"][3] == "1"
    assert rows["herald"][1] == "ok" and rows["herald"][2].endswith("ago")
    assert rows["herald"][4:10] == [
        "2",
        "0",
        "2",
        "0",
        "1",
        "0",
    ]  # items, unreadable, events, updated, alerts
    assert rows["inbox"][4:10] == ["1", "0", "1", "0", "1", "0"]
    assert "last error of broken (" in status.output and "HTTP 500 Internal Server Error" in status.output

    again = runner.invoke(app, ["--db", db, "watch", "--config", str(cfg), "--once"])
    assert again.exit_code == 0 and not [x for x in again.stdout.splitlines() if x.startswith("{")]


def test_watch_without_feeds_says_how_to_add_one(tmp_path: Path, monkeypatch: object) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["--db", str(tmp_path / "s.db"), "watch", "--once"])
    assert result.exit_code == 2 and "sitroom feeds add URL" in result.output


def test_watch_reports_a_bad_configuration(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[[feeds]]\nurl = 'gopher://x'\n")
    result = runner.invoke(app, ["--db", str(tmp_path / "s.db"), "watch", "--config", str(cfg)])
    assert result.exit_code == 2 and "feeds[1].url" in result.output
