"""Fixtures for the store tests: every backend, and throwaway PostgreSQL schemas.

PostgreSQL tests are marked ``postgres`` and run against the server that ``SITROOM_TEST_PG``
names (a libpq URL such as ``postgresql://sitroom@127.0.0.1:55432/sitroom_test``). Each test
gets a fresh schema (``CREATE SCHEMA sitroom_test_<random>``, dropped afterwards) and a URL that
selects it (``options=-csearch_path=...``). Without ``SITROOM_TEST_PG``, without psycopg, or
when the server cannot be reached, those tests skip; in CI (``CI`` set) with ``SITROOM_TEST_PG``
set, an unreachable server is a failure.

``backend`` runs a test once per backend: SQLite always, PostgreSQL when available.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType
from urllib.parse import quote

import pytest

from sitroom.store import SQLiteStore, Store

PG_ENV = "SITROOM_TEST_PG"


def _pg_unavailable(reason: str) -> None:
    if os.environ.get("CI") and os.environ.get(PG_ENV):
        pytest.fail(f"{PG_ENV} is set in CI but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The test server's URL (skips, or fails in CI, when there is none)."""
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        pytest.skip(f"PostgreSQL tests need {PG_ENV}=postgresql://user@host:port/db (see docs/postgresql.md)")
    try:
        import psycopg
    except ImportError:
        _pg_unavailable("psycopg is not installed: pip install 'sitroom[postgres]'")
        raise  # unreachable: _pg_unavailable skips or fails
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        _pg_unavailable(f"the PostgreSQL server of {PG_ENV} cannot be reached: {exc}")
    return url


def with_search_path(url: str, schema: str) -> str:
    """``url`` with ``options=-csearch_path=<schema>`` added."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}', safe='')}"


@pytest.fixture
def pg_schema(pg_server: str) -> Iterator[Callable[[], str]]:
    """A factory of fresh, empty schemas on the test server (their URLs); all dropped at the end."""
    import psycopg
    from psycopg import sql

    made: list[str] = []

    def make() -> str:
        schema = f"sitroom_test_{secrets.token_hex(6)}"
        with psycopg.connect(pg_server, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        made.append(schema)
        return with_search_path(pg_server, schema)

    yield make
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute("SET lock_timeout = '20s'")
        for schema in made:
            admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def pg_url(pg_schema: Callable[[], str]) -> str:
    """The URL of one fresh schema on the test server."""
    return pg_schema()


@dataclass(frozen=True)
class Backend:
    """One database of one backend; :meth:`store` opens another store on it."""

    kind: str  # "sqlite" or "postgres"
    url: str  # what --db, SITROOM_DB and open_store take

    def store(self, *, timeout: float = 10.0, clock: Callable[[], datetime] | None = None) -> Store:
        if self.kind == "sqlite":
            return SQLiteStore(self.url, timeout=timeout, clock=clock)
        from sitroom.store.postgres import PostgresStore

        return PostgresStore(self.url, timeout=timeout, clock=clock)

    @property
    def module(self) -> ModuleType:
        if self.kind == "sqlite":
            import sitroom.store.sqlite as module
        else:
            import sitroom.store.postgres as module
        return module


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "sqlite":
        return Backend("sqlite", str(tmp_path / "data" / "sitroom.db"))
    return Backend("postgres", request.getfixturevalue("pg_url"))


@pytest.fixture
def any_store(backend: Backend) -> Iterator[Store]:
    with backend.store() as s:
        yield s
