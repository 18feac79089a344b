"""Kill ``sitroom ingest`` with SIGKILL at random moments, 20 times in a row, then let it finish.

After every kill the database passes ``PRAGMA integrity_check`` and its foreign keys hold, and
no document is half stored: each stored document has exactly the mentions that an
uninterrupted run gives it, and every mention's event exists. After the last run, the exported
events are exactly those of an uninterrupted run.
"""

from __future__ import annotations

import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sitroom.export import write_events
from sitroom.ingest import read_paths
from sitroom.pipeline import Pipeline
from sitroom.store import open_store

KILLS = 20
DOCUMENTS = 200
CITIES = [
    "Kharkiv",
    "Kherson",
    "Odesa",
    "Baghdad",
    "Erbil",
    "Mosul",
    "Aleppo",
    "Idlib",
    "Gaza",
    "Khan Younis",
]
WEAPONS = [
    "A drone strike killed {n} people in {city} on {day}.",
    "Rockets hit {city} on {day}, wounding {n} civilians, officials said.",
    "Artillery shelled {city} on {day}, killing {n} and injuring {m}.",
    "An air strike on {city} on {day} killed {n} fighters, a monitor said.",
    "A roadside bomb exploded in {city} on {day}, killing {n} soldiers.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
CLI = [sys.executable, "-c", "from sitroom.cli import main; main()"]


def _corpus(path: Path) -> None:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(DOCUMENTS):
            sentences = [
                rng.choice(WEAPONS).format(
                    n=rng.randint(1, 30), m=rng.randint(1, 30), city=rng.choice(CITIES), day=rng.choice(DAYS)
                )
                for _ in range(rng.randint(1, 3))
            ]
            filler = "Residents described the night as the worst in weeks. " * rng.randint(1, 20)
            day = 1 + i % 28
            doc = {
                "id": f"doc-{i:04d}",
                "published": f"2024-03-{day:02d}",
                "language": "en",
                "text": " ".join(sentences) + "\n\n" + filler,
            }
            fh.write(json.dumps(doc) + "\n")


def _run(db: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SITROOM_DB": str(db)}
    return subprocess.run(
        [*CLI, "--db", str(db), *args], capture_output=True, text=True, env=env, timeout=timeout, check=True
    )


def _mentions_per_document(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT d.id, COUNT(m.id) FROM documents d LEFT JOIN mentions m ON m.doc_id = d.id GROUP BY d.id"
        ).fetchall()
    return {doc_id: count for doc_id, count in rows}


def _check_consistent(db: Path, reference: dict[str, int]) -> int:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        orphans = conn.execute(
            "SELECT COUNT(*) FROM mentions m LEFT JOIN events e ON e.id = m.event_id WHERE e.id IS NULL"
        ).fetchone()[0]
        assert orphans == 0, "a mention points to an event that does not exist"
        empty_events = conn.execute(
            "SELECT COUNT(*) FROM events e "
            "WHERE NOT EXISTS (SELECT 1 FROM mentions m WHERE m.event_id = e.id)"
        ).fetchone()[0]
        assert empty_events == 0, "an event without any mention"
    stored = _mentions_per_document(db)
    for doc_id, count in stored.items():
        assert count == reference[doc_id], f"{doc_id} is half stored: {count} of {reference[doc_id]} mentions"
    return len(stored)


def _stored(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    except sqlite3.Error:
        return -1  # not created yet, or its schema not yet written


def _wait_for_more_documents(db: Path, proc: subprocess.Popen[bytes], deadline: float) -> None:
    before = _stored(db)
    while time.monotonic() < deadline and proc.poll() is None and _stored(db) <= before:
        time.sleep(0.01)


def _export(db: Path) -> list[dict[str, object]]:
    store = open_store(db)
    store.open()
    try:
        out = io.StringIO()
        write_events(store.iter_events(), "jsonl", out, timestamp=0)
    finally:
        store.close()
    return sorted((json.loads(line) for line in out.getvalue().splitlines() if line.strip()), key=str)


def test_sigkill_twenty_times_then_finish(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    _corpus(corpus)

    reference_db = tmp_path / "reference.db"  # the uninterrupted run, in this process
    store = open_store(reference_db)
    store.open()
    started = time.monotonic()
    try:
        Pipeline(store).ingest(read_paths([str(corpus)]))
    finally:
        store.close()
    per_document = (time.monotonic() - started) / DOCUMENTS
    reference = _mentions_per_document(reference_db)
    assert len(reference) == DOCUMENTS and sum(reference.values()) > DOCUMENTS

    db = tmp_path / "killed.db"
    env = {**os.environ, "SITROOM_DB": str(db)}
    rng = random.Random(20)
    progress: list[int] = []
    for run in range(KILLS):
        proc = subprocess.Popen(
            [*CLI, "--db", str(db), "ingest", "--quiet", str(corpus)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        if run % 4 == 0:
            time.sleep(rng.uniform(0.05, 1.5))  # anywhere in the start: imports, migrations, first document
        else:
            # once this run stores its first document, within the next ~10 documents: the kills
            # land all over the corpus (each run skips what the last one stored)
            _wait_for_more_documents(db, proc, deadline=time.monotonic() + 30)
            time.sleep(rng.uniform(0, 10 * per_document))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if db.exists():
            progress.append(_check_consistent(db, reference))

    print(f"{per_document * 1000:.0f} ms a document; stored after each kill: {progress}")
    assert sum(1 for n in progress if 0 < n < DOCUMENTS) >= 5, f"too few kills landed mid-ingest: {progress}"
    _run(db, "ingest", "--quiet", str(corpus))
    assert _check_consistent(db, reference) == DOCUMENTS
    assert _export(db) == _export(reference_db)
