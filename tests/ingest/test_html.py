"""Web pages through trafilatura, offline; HTML fragments to text."""

from __future__ import annotations

import socket
from datetime import datetime
from pathlib import Path
from typing import NoReturn

import pytest

from sitroom.ingest import ReadFailure, ReadResult, read_paths
from sitroom.ingest.html import html_to_text
from sitroom.records import Document

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to reach the network fails the test."""

    def refuse(*args: object, **kwargs: object) -> NoReturn:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def read(path: Path) -> list[ReadResult]:
    return list(read_paths([path]))


def test_article_main_text_and_metadata() -> None:
    (page,) = read(FIXTURES / "article.html")
    assert isinstance(page, Document)
    assert page.title == "Drones strike fuel depot near northern airport"
    assert page.url == "https://www.dailylantern.example/world/drones-strike-depot"  # canonical
    assert page.outlet == "The Daily Lantern"  # og:site_name
    assert page.published == datetime(2022, 3, 14, 18, 40)  # 21:40 +03:00 in UTC
    assert page.language == "en"  # <html lang="en-GB">, a hint
    assert page.id.startswith("sha1:")
    assert "Two explosive-laden drones hit a fuel depot" in page.text
    assert "opened an investigation" in page.text


@pytest.mark.parametrize(
    "junk",
    [
        "Subscribe now",
        "cookies",
        "newsletter",
        "Football club",
        "Weather: storms",
        "All rights reserved",
        "Sport",
    ],
)
def test_article_has_no_page_furniture(junk: str) -> None:
    (page,) = read(FIXTURES / "article.html")
    assert isinstance(page, Document)
    assert junk not in page.text


def test_page_without_article_text_fails() -> None:
    (failure,) = read(FIXTURES / "front_page.html")
    assert isinstance(failure, ReadFailure)
    assert "no main text" in failure.reason


def test_page_without_metadata(tmp_path: Path) -> None:
    path = tmp_path / "bare.htm"
    path.write_text(
        "<html><body><article><p>Gunmen attacked a checkpoint on the road to the border crossing "
        "overnight, killing two guards, police said.</p><p>The attackers fled on motorbikes.</p>"
        "</article></body></html>",
        encoding="utf-8",
    )
    (page,) = read(path)
    assert isinstance(page, Document)
    assert page.text.startswith("Gunmen attacked a checkpoint")
    assert page.published is None
    assert page.url is None
    assert page.outlet is None


def test_outlet_falls_back_to_canonical_host(tmp_path: Path) -> None:
    path = tmp_path / "canon.html"
    path.write_text(
        '<html><head><link rel="canonical" href="https://www.northpost.example/n/5"></head><body>'
        "<article><p>A car bomb exploded outside a market in the old town on Sunday morning, "
        "wounding five people, a hospital source said.</p></article></body></html>",
        encoding="utf-8",
    )
    (page,) = read(path)
    assert isinstance(page, Document)
    assert page.outlet == "northpost.example"


def test_same_page_same_id() -> None:
    first, second = read(FIXTURES / "article.html"), read(FIXTURES / "article.html")
    assert isinstance(first[0], Document) and isinstance(second[0], Document)
    assert first[0].id == second[0].id


def test_html_to_text() -> None:
    markup = "<div><p>Two rockets &amp; a drone.</p><p>No one<br>hurt.</p><script>var x = 1;</script></div>"
    assert html_to_text(markup) == "Two rockets & a drone.\nNo one\nhurt."
    assert html_to_text("Plain &quot;quoted&quot;   text") == 'Plain "quoted" text'
    assert html_to_text("<p>  </p>") == ""
