"""RSS and Atom feeds: one document per item; broken feeds."""

from __future__ import annotations

import logging
import socket
from datetime import datetime
from pathlib import Path
from typing import NoReturn

import pytest

from sitroom.ingest import ReadFailure, ReadResult, read_paths
from sitroom.records import Document

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> NoReturn:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def read(path: Path) -> list[ReadResult]:
    return list(read_paths([path]))


def test_rss_items() -> None:
    path = FIXTURES / "frontier.rss"
    results = read(path)
    assert len(results) == 4
    first, second, third, fourth = results
    assert isinstance(first, Document) and isinstance(second, Document) and isinstance(third, Document)

    assert first.id == "fw-2023-0311"  # the guid
    assert first.url == "https://www.frontier-wire.example/news/rocket-base"
    assert first.title == "Rocket strikes logistics base"
    assert first.published == datetime(2023, 3, 14, 6, 30)  # 08:30 +02:00 in UTC
    assert first.outlet == "Frontier Wire"
    assert first.language == "en"  # <language>en-us</language>, a hint
    # content:encoded wins over the teaser, HTML becomes text, scripts are dropped
    assert first.text == (
        "Two rockets struck a logistics base outside the town of Tal Afar on Monday night, "
        "a security official said.\nThere were no casualties."
    )
    assert first.origin == f"{path}#1"

    assert second.id == second.url == "https://www.frontier-wire.example/news/drone-downed"  # no guid: link
    assert (
        second.text == "Air defences shot down a drone near a border post, the army said & no one was hurt."
    )

    assert third.text == "Convoy ambushed on highway"  # only a title
    assert third.id.startswith("sha1:")  # no guid, no link: derived
    assert third.url is None

    assert fourth == ReadFailure(f"{path}#4", "feed item has no content, summary or title")


def test_atom_entries() -> None:
    first, second = read(FIXTURES / "nordur.atom")
    assert isinstance(first, Document) and isinstance(second, Document)
    assert first.id == "urn:uuid:6c1f2a8e-0000-4000-8000-000000000002"
    assert first.url == "https://nordurfrettir.example/frett/1"
    assert first.title == "Dróni skotinn niður við herstöð"
    assert first.published == datetime(2023, 3, 14, 0, 15)  # published wins over updated
    assert first.outlet == "Norðurfréttir"
    assert first.text.startswith("Loftvarnir skutu niður dróna")
    assert second.published == datetime(2023, 3, 15, 7, 45)  # only updated
    assert second.url is None  # the urn id is not a link
    assert second.text == "Eldflaug lenti á akri skammt frá þorpinu en olli engu tjóni."


def test_broken_feed_is_a_failure() -> None:
    path = FIXTURES / "broken.xml"
    (failure,) = read(path)
    assert isinstance(failure, ReadFailure)
    assert failure.source == str(path)
    assert "not a readable RSS or Atom feed" in failure.reason


def test_broken_feed_with_items_yields_them(caplog: pytest.LogCaptureFixture) -> None:
    path = FIXTURES / "truncated.rss"
    with caplog.at_level(logging.WARNING, logger="sitroom.ingest"):
        results = read(path)
    documents = [r for r in results if isinstance(r, Document)]
    assert [d.id for d in documents] == ["cut-1"]
    assert documents[0].url is None  # the guid "cut-1" is not a link
    assert "XML errors" in caplog.text


def test_feed_without_items(tmp_path: Path) -> None:
    path = tmp_path / "quiet.rss"
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Q</title></channel></rss>', "utf-8"
    )
    assert read(path) == [ReadFailure(str(path), "the feed has no items")]


def test_empty_feed_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.atom"
    path.write_bytes(b"")
    assert read(path) == [ReadFailure(str(path), "empty file")]


def test_feed_ids_are_stable() -> None:
    ids = [[r.id for r in read(FIXTURES / "frontier.rss") if isinstance(r, Document)] for _ in range(2)]
    assert ids[0] == ids[1]
