"""read_paths / read_stream: directories, standard input, sniffing, unreadable paths, determinism."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from sitroom.ingest import (
    ReadFailure,
    ReadResult,
    count_inputs,
    iter_inputs,
    read_paths,
    read_stream,
    sniff_format,
)
from sitroom.records import Document

FIXTURES = Path(__file__).parent / "fixtures"
REPORT = "Rockets hit the fuel depot.\n\nTwo rockets struck the depot late on Friday, officials said."


def documents(results: list[ReadResult]) -> list[Document]:
    return [r for r in results if isinstance(r, Document)]


def failures(results: list[ReadResult]) -> list[ReadFailure]:
    return [r for r in results if isinstance(r, ReadFailure)]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A small input directory: nested folders, hidden entries, mixed formats, one bad file."""
    root = tmp_path / "inputs"
    (root / "b_sub" / "deeper").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / ".git" / "config.txt").write_text("hidden", "utf-8")
    (root / ".notes.txt").write_text("hidden file", "utf-8")
    (root / "a.txt").write_text(REPORT, "utf-8")
    (root / "c.jsonl").write_text(json.dumps({"id": "c1", "text": "Shelling hit a school."}) + "\n", "utf-8")
    (root / "b_sub" / "page.html").write_bytes((FIXTURES / "article.html").read_bytes())
    (root / "b_sub" / "deeper" / "feed.rss").write_bytes((FIXTURES / "frontier.rss").read_bytes())
    (root / "b_sub" / "image.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    return root


def test_directory_walk_is_recursive_sorted_and_skips_hidden(tree: Path) -> None:
    expected = [
        tree / "a.txt",
        tree / "b_sub" / "deeper" / "feed.rss",
        tree / "b_sub" / "image.bin",
        tree / "b_sub" / "page.html",
        tree / "c.jsonl",
    ]
    assert list(iter_inputs([tree])) == [str(p) for p in expected]
    assert count_inputs([tree]) == 5


def test_directory_read(tree: Path) -> None:
    results = list(read_paths([tree]))
    origins = [d.origin for d in documents(results)]
    assert origins[0] == str(tree / "a.txt")
    assert origins[-1] == f"{tree / 'c.jsonl'}:1"
    assert len(documents(results)) == 1 + 3 + 1 + 1  # text, three feed items, page, JSON line
    bad = {f.source: f.reason for f in failures(results)}
    assert "PNG" in bad[str(tree / "b_sub" / "image.bin")]


def test_reading_twice_gives_the_same_ids(tree: Path) -> None:
    first = [d.id for d in documents(list(read_paths([tree])))]
    second = [d.id for d in documents(list(read_paths([tree])))]
    assert first == second
    assert len(set(first)) == len(first)


def test_each_file_is_visited_once(tree: Path) -> None:
    paths: list[str | Path] = [tree / "a.txt", tree, str(tree / "a.txt")]
    assert count_inputs(paths) == 5
    assert next(iter_inputs(paths)) == str(tree / "a.txt")


def test_missing_path_is_a_failure_and_the_batch_goes_on(tree: Path) -> None:
    results = list(read_paths([tree / "missing.txt", tree / "a.txt"]))
    assert results[0] == ReadFailure(str(tree / "missing.txt"), "no such file or directory: check the path")
    assert isinstance(results[1], Document)
    assert count_inputs([tree / "missing.txt"]) == 1


def test_empty_directory_is_reported(tmp_path: Path) -> None:
    (tmp_path / ".hidden.txt").write_text(REPORT, "utf-8")
    (failure,) = list(read_paths([tmp_path]))
    assert isinstance(failure, ReadFailure)
    assert failure.source == str(tmp_path)
    assert "no files" in failure.reason
    assert count_inputs([tmp_path]) == 1


def test_binary_stdin() -> None:
    (failure,) = list(read_stream(io.StringIO("abc\x00\x01def")))
    assert isinstance(failure, ReadFailure)
    assert "binary" in failure.reason


def test_broken_symlink_is_reported(tmp_path: Path) -> None:
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (failure,) = list(read_paths([tmp_path]))
    assert isinstance(failure, ReadFailure)
    assert "broken symbolic link" in failure.reason


def test_symlinked_directories_are_walked_once(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.txt").write_text(REPORT, "utf-8")
    (tmp_path / "real" / "loop").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "z_link").symlink_to(tmp_path / "real", target_is_directory=True)
    assert list(iter_inputs([tmp_path])) == [str(tmp_path / "real" / "a.txt")]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    assert list(iter_inputs([elsewhere])) == [str(elsewhere / "link" / "a.txt")]


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.txt"
    path.write_text(REPORT, "utf-8")

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    (failure,) = list(read_paths([path]))
    assert isinstance(failure, ReadFailure)
    assert failure.source == str(path)
    assert "permission denied" in failure.reason


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_for_real(tmp_path: Path) -> None:
    path = tmp_path / "locked.jsonl"
    path.write_text('{"text": "x"}\n', "utf-8")
    path.chmod(0)
    try:
        (failure,) = list(read_paths([path]))
    finally:
        path.chmod(0o644)
    assert isinstance(failure, ReadFailure)
    assert "permission denied" in failure.reason


def test_file_that_vanishes_before_it_is_read(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt", "c.jsonl"):
        (tmp_path / name).write_text(REPORT if name.endswith(".txt") else '{"text": "x"}\n', "utf-8")
    results = read_paths([tmp_path])
    first = next(results)  # the directory has been listed
    (tmp_path / "b.txt").unlink()
    (tmp_path / "c.jsonl").unlink()
    rest = list(results)
    assert isinstance(first, Document)
    assert [type(r) for r in rest] == [ReadFailure, ReadFailure]
    assert all("no such file" in r.reason for r in failures(rest))


# ---------------------------------------------------------------------------------- stdin


def test_stdin_json_lines_with_line_numbers() -> None:
    stream = io.StringIO('\n{"id": "s1", "text": "First."}\nnot json\n{"id": "s2", "text": "Second."}\n')
    results = list(read_paths(["-"], stdin=stream))
    assert [d.id for d in documents(results)] == ["s1", "s2"]
    assert [(f.source, "invalid JSON" in f.reason) for f in failures(results)] == [("stdin:3", True)]
    assert documents(results)[0].origin == "stdin:2"


def test_stdin_plain_text() -> None:
    (report,) = list(read_paths(["-"], stdin=io.StringIO(f"date 2021-06-05\n\n{REPORT}\n")))
    assert isinstance(report, Document)
    assert report.origin == "stdin"
    assert report.published is not None
    assert report.title is None  # "Rockets hit the fuel depot." ends with a period: a sentence


def test_stdin_pretty_printed_json() -> None:
    stream = io.StringIO(json.dumps({"id": "p", "text": "Pretty."}, indent=2))
    (report,) = list(read_stream(stream))
    assert isinstance(report, Document)
    assert report.id == "p"


def test_stdin_feed_and_html() -> None:
    feed = (FIXTURES / "nordur.atom").read_text("utf-8")
    assert len(documents(list(read_stream(io.StringIO(feed), name="pipe")))) == 2
    page = (FIXTURES / "article.html").read_text("utf-8")
    (report,) = list(read_stream(io.StringIO(page)))
    assert isinstance(report, Document)
    assert report.title == "Drones strike fuel depot near northern airport"


def test_empty_stdin() -> None:
    assert list(read_paths(["-"], stdin=io.StringIO("\n  \n"))) == [ReadFailure("stdin", "empty input")]


def test_stdin_is_read_once() -> None:
    stream = io.StringIO('{"text": "Once."}\n')
    assert len(list(read_paths(["-", "-"], stdin=stream))) == 1
    assert count_inputs(["-", "-"]) == 1


def test_undecodable_stdin_is_a_failure() -> None:
    stream = io.TextIOWrapper(io.BytesIO(b"Caf\xe9 au lait\n"), encoding="utf-8")
    (failure,) = list(read_stream(stream))
    assert isinstance(failure, ReadFailure)
    assert "not valid text" in failure.reason


# -------------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<?xml version="1.0"?>\n<rss version="2.0">', "feed"),
        ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">', "feed"),
        ("<rss>", "feed"),
        ("\ufeff  <!DOCTYPE html><html>", "html"),
        ("<html lang='ar'>", "html"),
        ('{"text": "x"}', "json"),
        ('[{"text": "x"}]', "json"),
        ("Rockets hit the base.", "text"),
        ("<3 this is text", "text"),
    ],
)
def test_sniff_format(head: str, expected: str) -> None:
    assert sniff_format(head) == expected


def test_unknown_extensions_are_sniffed(tmp_path: Path) -> None:
    (tmp_path / "1.dat").write_bytes((FIXTURES / "frontier.rss").read_bytes())
    (tmp_path / "2.page").write_bytes((FIXTURES / "article.html").read_bytes())
    (tmp_path / "3.log").write_text('{"id": "j", "text": "JSON."}\n', "utf-8")
    (tmp_path / "4").write_text(REPORT, "utf-8")
    (tmp_path / "5.bin").write_bytes(b"\x01\x02\x00\x00\xff")
    results = list(read_paths([tmp_path]))
    origins = [d.origin or "" for d in documents(results)]
    assert [o.rsplit("/", 1)[-1] for o in origins] == [
        "1.dat#1",
        "1.dat#2",
        "1.dat#3",
        "2.page",
        "3.log",
        "4",
    ]
    assert [f.source.rsplit("/", 1)[-1] for f in failures(results)] == ["1.dat#4", "5.bin"]
    assert "binary" in failures(results)[-1].reason
