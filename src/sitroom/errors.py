"""One exception root for everything sitroom raises on purpose.

Each error carries a short machine-readable ``code`` so the CLI and the HTTP API can
report it consistently, and a human message that says what went wrong and where.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DataFileError",
    "IngestError",
    "SitroomError",
    "StoreError",
]


class SitroomError(Exception):
    """Root of every error sitroom raises on purpose."""

    code = "sitroom"

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.message = message
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


class IngestError(SitroomError):
    """An input (file, line, feed item) could not be read as a document."""

    code = "ingest"


class DataFileError(SitroomError):
    """A packaged data file (lexicon, gazetteer) is missing or malformed."""

    code = "data"


class StoreError(SitroomError):
    """The database could not be opened, migrated or written."""

    code = "store"


class ConfigError(SitroomError):
    """A setting or command-line option has an unusable value."""

    code = "config"
