"""``Pipeline.ingest(workers=N)``: documents read in worker processes, the same database.

The input mixes reports of shared attacks (so dedupe merges across documents), unrelated
news, a verbatim copy, a repeated document, a changed document and an unreadable line; the
outcomes, every stored event and the row counts must equal those of one process.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from sitroom import pipeline as pipeline_module
from sitroom.errors import ConfigError, IngestError
from sitroom.ingest import ReadFailure
from sitroom.pipeline import DocumentOutcome, Pipeline
from sitroom.records import Document, Event
from sitroom.store import open_store
from test_pipeline import KHARKIV_A, KHARKIV_B, KIRKUK, NOTHING, ODESA

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="worker test relies on fork"
)


def _inputs() -> list[Document | ReadFailure]:
    other = Document(id="council", text=NOTHING, published=datetime(2024, 3, 4), language="en")
    copy = replace(KHARKIV_A, id="kharkiv-copy", title="Copy")
    changed = replace(KIRKUK, text=KIRKUK.text + " A second bomb was defused nearby.")
    docs: list[Document | ReadFailure] = []
    for i in range(40):  # enough documents for several chunks in flight
        docs.append(replace(other, id=f"council-{i}", text=f"{NOTHING} Item {i}."))
    docs += [KHARKIV_A, KIRKUK, ReadFailure("bad.jsonl:3", "not JSON"), KHARKIV_B, ODESA, copy]
    docs += [KHARKIV_A, changed]
    return docs


State = tuple[list[Event], dict[str, int], list[tuple[str, float]]]


def _ingest(tmp_path: Path, name: str, workers: int) -> tuple[list[DocumentOutcome], State]:
    store = open_store(tmp_path / f"{name}.db")
    store.open()
    try:
        outcomes: list[DocumentOutcome] = []
        Pipeline(store).ingest(_inputs(), on_outcome=outcomes.append, workers=workers)
        events = list(store.iter_events())
        state: State = (events, store.counts(), store.copies_of("kharkiv-copy"))
    finally:
        store.close()
    return outcomes, state


def test_workers_give_the_same_outcomes_and_database(tmp_path: Path) -> None:
    one_outcomes, one_state = _ingest(tmp_path, "one", 1)
    two_outcomes, two_state = _ingest(tmp_path, "two", 2)
    assert two_outcomes == one_outcomes
    assert two_state == one_state
    statuses = [o.status for o in one_outcomes[-8:]]
    assert statuses == ["new", "new", "failed", "new", "new", "new", "duplicate", "changed"]
    _events, counts, copies = one_state
    assert counts["events"] >= 3 and copies == [("kharkiv-a", 1.0)]


def test_an_error_in_a_worker_fails_only_its_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pipeline_module.extract_document

    def flaky(doc: Document, **kwargs: object) -> list[object]:
        if doc.id == "kirkuk":
            raise IngestError("cannot read this one", source="kirkuk.txt")
        return real(doc, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline_module, "extract_document", flaky)  # forked workers inherit it
    one_outcomes, one_state = _ingest(tmp_path, "one", 1)
    two_outcomes, two_state = _ingest(tmp_path, "two", 3)
    assert two_outcomes == one_outcomes
    assert two_state == one_state
    failed = [o for o in one_outcomes if o.doc_id == "kirkuk"]
    assert failed and failed[0].status == "failed" and failed[0].reason == "kirkuk.txt: cannot read this one"


def test_workers_must_be_positive(tmp_path: Path) -> None:
    store = open_store(tmp_path / "x.db")
    store.open()
    try:
        with pytest.raises(ConfigError):
            Pipeline(store).ingest([], workers=0)
    finally:
        store.close()


class _CountingExecutor(ThreadPoolExecutor):
    """Runs tasks in threads and remembers which documents were sent to be read."""

    def __init__(self) -> None:
        super().__init__(max_workers=2)
        self.sent: list[str] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        self.sent += [doc.id for doc in args[0]]
        return super().submit(fn, *args, **kwargs)


def test_stored_documents_are_not_sent_to_the_workers_again(tmp_path: Path) -> None:
    with open_store(tmp_path / "again.db") as store:
        first, second = _CountingExecutor(), _CountingExecutor()
        with first, second:
            Pipeline(store).ingest(_inputs(), executor=first, workers=2)
            summary = Pipeline(store).ingest(_inputs(), executor=second, workers=2)
    assert len(first.sent) == 47  # every document of the input (not the unreadable line)
    # the second run sends only what is not stored unchanged: the changed Kirkuk report, whose
    # stored text flips between its two versions within each run
    assert second.sent == ["kirkuk"]
    assert summary.duplicate == 45 and summary.changed == 2
