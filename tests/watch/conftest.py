"""Fixtures for the watch tests: loopback servers and a store in a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sitroom.store import SQLiteStore, open_store
from watch.feedkit import LoopbackServer, SmtpInbox


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    srv = LoopbackServer()
    try:
        yield srv
    finally:
        srv.close()


@pytest.fixture
def smtp() -> Iterator[SmtpInbox]:
    inbox = SmtpInbox()
    try:
        yield inbox
    finally:
        inbox.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "sitroom.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[SQLiteStore]:
    s = open_store(db_path)
    assert isinstance(s, SQLiteStore)
    s.open()
    try:
        yield s
    finally:
        s.close()
