"""Helpers for the hardening tests: run inputs through the reader and the whole pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sitroom.ingest import ReadFailure, ReadResult, read_paths
from sitroom.pipeline import DocumentOutcome, IngestSummary, Pipeline
from sitroom.records import Document
from sitroom.store import Store, open_store


@pytest.fixture
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    st = open_store(tmp_path_factory.mktemp("db") / "hardening.db")  # outside the inputs' tmp_path
    st.open()
    try:
        yield st
    finally:
        st.close()


def read_all(*paths: Path) -> list[ReadResult]:
    return list(read_paths([str(p) for p in paths]))


def documents(results: list[ReadResult]) -> list[Document]:
    return [r for r in results if isinstance(r, Document)]


def failures(results: list[ReadResult]) -> list[ReadFailure]:
    return [r for r in results if isinstance(r, ReadFailure)]


def ingest(store: Store, *paths: Path) -> tuple[IngestSummary, list[DocumentOutcome]]:
    outcomes: list[DocumentOutcome] = []
    summary = Pipeline(store).ingest(read_paths([str(p) for p in paths]), on_outcome=outcomes.append)
    return summary, outcomes
