"""Where documents, mentions and canonical events are kept.

:func:`open_store` is the one place that turns a database location into a :class:`Store`:

* a file path, or ``sqlite:///relative/path`` / ``sqlite:////absolute/path`` (SQLAlchemy's
  convention), or ``:memory:`` → :class:`SQLiteStore`;
* ``postgresql://…``, ``postgres://…`` or ``postgresql+psycopg://…`` →
  :class:`~sitroom.store.postgres.PostgresStore` (needs the ``postgres`` extra: psycopg).

It does no I/O: use the result in a ``with`` block or call ``open()``. The ``SITROOM_DB``
environment variable is read by the CLI, not here.
"""

from __future__ import annotations

import os

from sitroom.errors import StoreError
from sitroom.store.base import DEFAULT_NEAR_KM, ORDERS, PERIODS, EventFilter, Stats, Store
from sitroom.store.sqlite import MEMORY, SQLiteStore

__all__ = [
    "DEFAULT_NEAR_KM",
    "ORDERS",
    "PERIODS",
    "EventFilter",
    "SQLiteStore",
    "Stats",
    "Store",
    "open_store",
    "parse_url",
]

_SQLITE_SCHEMES = ("sqlite", "sqlite3")
_POSTGRES_SCHEMES = ("postgresql", "postgres")


def parse_url(url: str | os.PathLike[str]) -> tuple[str, str]:
    """``(backend, location)`` for a database URL or path; ``backend`` is ``"sqlite"`` or ``"postgresql"``."""
    if not isinstance(url, str):
        return "sqlite", os.fspath(url)
    text = url.strip()
    if not text:
        raise StoreError("no database given: pass a file path or a sqlite:/// or postgresql:// URL")
    if "://" not in text:
        return "sqlite", text
    scheme, rest = text.split("://", 1)
    scheme = scheme.lower().split("+", 1)[0]  # postgresql+psycopg:// → postgresql
    if scheme in _SQLITE_SCHEMES:
        location = rest.split("?", 1)[0]
        if location in ("", "/"):
            return "sqlite", MEMORY
        if not location.startswith("/"):
            raise StoreError(f"a sqlite URL names no host: use sqlite:///path, not {text!r}")
        return "sqlite", location[1:]
    if scheme in _POSTGRES_SCHEMES:
        return "postgresql", text
    raise StoreError(
        f"unsupported database URL scheme {scheme!r}: use a file path, sqlite:///path or postgresql://"
    )


def open_store(url: str | os.PathLike[str], *, timeout: float = 10.0) -> Store:
    """The store for ``url`` (not yet opened): a :class:`SQLiteStore`, or a
    :class:`~sitroom.store.postgres.PostgresStore` for a ``postgresql://`` URL (which needs
    psycopg, the ``postgres`` extra; it is imported only then)."""
    backend, location = parse_url(url)
    if backend == "postgresql":
        try:
            from sitroom.store.postgres import PostgresStore
        except ImportError as exc:  # no source: the URL may hold a password
            raise StoreError(
                f"PostgreSQL support needs psycopg ({exc}): pip install 'sitroom[postgres]'"
            ) from exc
        return PostgresStore(location, timeout=timeout)
    return SQLiteStore(location, timeout=timeout)
