"""Fixtures for the watch tests: loopback servers, and a store on each backend.

``store`` is an open store in a temporary folder (SQLite) and, when ``SITROOM_TEST_PG`` names a
PostgreSQL server, in a fresh schema there (marked ``postgres``; see ``tests/store/conftest.py``,
whose PostgreSQL fixtures are reused here), so every test of the watcher's state runs on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sitroom.store import Store, open_store
from store.conftest import Backend, backend, pg_schema, pg_server, pg_url
from watch.feedkit import LoopbackServer, SmtpInbox

__all__ = ["Backend", "backend", "db_path", "pg_schema", "pg_server", "pg_url", "server", "smtp", "store"]


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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, db_path: Path) -> Iterator[Store]:
    """An open store: a SQLite file (``db_path``), or a fresh PostgreSQL schema."""
    where = str(db_path) if request.param == "sqlite" else str(request.getfixturevalue("pg_url"))
    s = open_store(where)
    s.open()
    try:
        yield s
    finally:
        s.close()
