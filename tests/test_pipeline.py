"""The pipeline over a real SQLite file: documents in, deduplicated events stored.

The reports are short English texts written for these tests (facts loosely after real
events); the extractor runs for real, so each text states its attack plainly.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from sitroom.errors import IngestError, StoreError
from sitroom.ingest import ReadFailure, read_paths
from sitroom.pipeline import DocumentOutcome, IngestSummary, Pipeline
from sitroom.records import Document, Event
from sitroom.store import Store, open_store

FIXTURES = Path(__file__).parent / "fixtures" / "reports"

KHARKIV_A = Document(
    id="kharkiv-a",
    title="Drone hits Kharkiv apartment block",
    published=datetime(2024, 5, 15, 9, 30),
    language="en",
    text=(
        "A Russian drone struck an apartment building in Kharkiv on Tuesday, killing three people, "
        "officials said. Rescue teams searched the rubble through the night."
    ),
)
KHARKIV_B = Document(
    id="kharkiv-b",
    title="Kharkiv governor: five dead in drone attack",
    published=datetime(2024, 5, 15, 14, 0),
    language="en",
    text=(
        "Five civilians were killed when a Russian drone hit a residential block in Kharkiv on Tuesday, "
        "the regional governor said. Firefighters put out a blaze on the upper floors."
    ),
)
KIRKUK = Document(
    id="kirkuk",
    title="Roadside bomb hits army convoy",
    published=datetime(2024, 3, 4),
    language="en",
    text=(
        "A roadside bomb exploded next to an army convoy in Kirkuk on Sunday, killing two soldiers, "
        "police said. No group claimed responsibility."
    ),
)
ODESA = Document(
    id="odesa",
    title="Missile strike on Odesa port",
    published=datetime(2024, 5, 15),
    language="en",
    text=(
        "A Russian missile struck the port of Odesa on Tuesday, killing one dock worker and wounding four, "
        "the regional administration said."
    ),
)
NOTHING = (
    "The city council of Kirkuk met on Monday to discuss the budget for new schools and a football stadium."
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "sitroom.db")
    s.open()
    try:
        yield s
    finally:
        s.close()


def all_events(store: Store) -> list[Event]:
    return list(store.iter_events())


def event_of_doc(store: Store, doc_id: str) -> Event:
    ids = store.event_ids_for_document(doc_id)
    assert len(ids) == 1, f"{doc_id} should report exactly one event, got {ids}"
    event = store.get_event(ids[0])
    assert event is not None
    return event


def run(pipeline: Pipeline, *docs: Document | ReadFailure) -> tuple[IngestSummary, list[DocumentOutcome]]:
    outcomes: list[DocumentOutcome] = []
    summary = pipeline.ingest(docs, on_outcome=outcomes.append)
    return summary, outcomes


# ------------------------------------------------------------------------------ new documents


def test_ingesting_reports_creates_events(store: Store) -> None:
    summary, outcomes = run(Pipeline(store), KHARKIV_A, KIRKUK)
    assert [o.status for o in outcomes] == ["new", "new"]
    assert summary.read == 2
    assert summary.new == 2
    assert summary.failed == 0
    assert summary.events_created == 2
    counts = store.counts()
    assert counts["documents"] == 2
    assert counts["events"] == 2
    assert counts["mentions"] == 2

    kharkiv = event_of_doc(store, "kharkiv-a")
    assert kharkiv.event_date == date(2024, 5, 14)  # "on Tuesday" before Wednesday 15 May
    assert kharkiv.place is not None and kharkiv.place.country == "Ukraine"
    assert kharkiv.sub_event_type == "Air/drone strike"
    assert kharkiv.fatalities == 3

    kirkuk = event_of_doc(store, "kirkuk")
    assert kirkuk.place is not None and kirkuk.place.country == "Iraq"
    assert kirkuk.sub_event_type == "Remote explosive/landmine/IED"
    assert kirkuk.fatalities == 2


def test_mention_offsets_point_into_the_stored_document_text(store: Store) -> None:
    run(Pipeline(store), KHARKIV_A)
    event = event_of_doc(store, "kharkiv-a")
    (m,) = event.mentions
    doc = store.get_document("kharkiv-a")
    assert doc is not None
    assert doc.text == KHARKIV_A.text
    assert doc.title == KHARKIV_A.title
    assert doc.text[m.start : m.end] == m.evidence
    assert "Kharkiv" in m.evidence


def test_outcome_reports_language_mentions_and_created_events(store: Store) -> None:
    _, (outcome,) = run(Pipeline(store), KIRKUK)
    assert outcome.doc_id == "kirkuk"
    assert outcome.status == "new"
    assert outcome.language == "en"
    assert outcome.mentions == 1
    assert outcome.created == tuple(store.event_ids_for_document("kirkuk"))


def test_a_report_without_any_attack_is_stored_with_no_event(store: Store) -> None:
    summary, (outcome,) = run(
        Pipeline(store), Document(id="council", text=NOTHING, published=datetime(2024, 3, 5))
    )
    assert outcome.status == "new"
    assert outcome.mentions == 0
    assert summary.events_created == 0
    assert store.counts()["documents"] == 1
    assert store.counts()["events"] == 0


# -------------------------------------------------------------------------------- dedupe


def test_two_reports_of_one_attack_from_two_documents_make_one_event(store: Store) -> None:
    summary, outcomes = run(Pipeline(store), KHARKIV_A, KHARKIV_B)
    assert store.counts()["events"] == 1
    assert summary.events_created == 1
    assert summary.events_updated == 1
    assert outcomes[1].created == ()
    assert outcomes[1].updated == outcomes[0].created

    (event,) = all_events(store)
    assert set(event.doc_ids) == {"kharkiv-a", "kharkiv-b"}
    assert len(event.mentions) == 2
    assert event.fatalities == 3
    assert event.fatalities_max == 5
    assert event.event_date == date(2024, 5, 14)


def test_the_same_day_in_another_city_stays_a_separate_event(store: Store) -> None:
    run(Pipeline(store), KHARKIV_A, ODESA)
    events = all_events(store)
    assert len(events) == 2
    assert event_of_doc(store, "kharkiv-a").id != event_of_doc(store, "odesa").id


def test_the_order_of_the_reports_does_not_change_the_grouping(tmp_path: Path) -> None:
    groupings = []
    for i, order in enumerate([(KHARKIV_A, KHARKIV_B, ODESA), (ODESA, KHARKIV_B, KHARKIV_A)]):
        s = open_store(tmp_path / f"order{i}.db")
        s.open()
        try:
            Pipeline(s).ingest(order)
            groupings.append(sorted(tuple(sorted(e.doc_ids)) for e in s.iter_events()))
        finally:
            s.close()
    assert groupings[0] == groupings[1] == [("kharkiv-a", "kharkiv-b"), ("odesa",)]


# -------------------------------------------------------------------------------- re-ingest


def test_reingesting_the_same_documents_changes_nothing(store: Store) -> None:
    pipeline = Pipeline(store)
    run(pipeline, KHARKIV_A, KHARKIV_B, KIRKUK)
    counts = store.counts()
    before = {e.id: (e.doc_ids, e.fatalities, e.fatalities_max, e.event_date) for e in all_events(store)}

    summary, outcomes = run(pipeline, KHARKIV_A, KHARKIV_B, KIRKUK)
    assert [o.status for o in outcomes] == ["duplicate"] * 3
    assert summary.duplicate == 3
    assert summary.new == 0
    assert summary.events_created == 0
    assert summary.events_updated == 0
    assert store.counts() == counts
    after = {e.id: (e.doc_ids, e.fatalities, e.fatalities_max, e.event_date) for e in all_events(store)}
    assert after == before


def test_reingesting_in_a_new_session_keeps_the_ids(tmp_path: Path) -> None:
    path = tmp_path / "twice.db"
    ids = []
    for _ in range(2):
        s = open_store(path)
        s.open()
        try:
            Pipeline(s).ingest([KHARKIV_A, KIRKUK, KHARKIV_B])
            ids.append(sorted(e.id for e in s.iter_events()))
        finally:
            s.close()
    assert ids[0] == ids[1]
    assert len(ids[0]) == 2


def test_the_same_text_with_other_whitespace_is_a_duplicate(store: Store) -> None:
    pipeline = Pipeline(store)
    run(pipeline, KIRKUK)
    respaced = Document(
        id="kirkuk",
        title=KIRKUK.title,
        published=KIRKUK.published,
        text="  " + KIRKUK.text.replace(" ", "  "),
    )
    _, (outcome,) = run(pipeline, respaced)
    assert outcome.status == "duplicate"


def test_the_same_ids_come_out_of_two_separate_databases(tmp_path: Path) -> None:
    ids = []
    for name in ("one.db", "two.db"):
        s = open_store(tmp_path / name)
        s.open()
        try:
            Pipeline(s).ingest([KHARKIV_A, KHARKIV_B, KIRKUK])
            ids.append(sorted(e.id for e in s.iter_events()))
        finally:
            s.close()
    assert ids[0] == ids[1]


# ---------------------------------------------------------------------------- changed documents


def test_a_changed_document_moves_its_mention_to_the_event_it_now_reports(store: Store) -> None:
    pipeline = Pipeline(store)
    run(pipeline, KHARKIV_A, KHARKIV_B)
    shared = event_of_doc(store, "kharkiv-a").id
    assert event_of_doc(store, "kharkiv-b").id == shared

    # kharkiv-b is corrected: it was about the Odesa port strike, not Kharkiv.
    corrected = Document(id="kharkiv-b", title="Correction", published=ODESA.published, text=ODESA.text)
    summary, (outcome,) = run(pipeline, corrected)
    assert outcome.status == "changed"
    assert summary.changed == 1

    kharkiv = store.get_event(shared)
    assert kharkiv is not None, "the event still has kharkiv-a's report"
    assert kharkiv.doc_ids == ("kharkiv-a",)
    assert kharkiv.fatalities == 3
    assert kharkiv.fatalities_max == 3, "the figure of the withdrawn report is gone"

    odesa = event_of_doc(store, "kharkiv-b")
    assert odesa.id != shared
    assert odesa.place is not None and "Odesa" in odesa.place.name
    assert store.counts()["events"] == 2
    assert store.counts()["mentions"] == 2
    doc = store.get_document("kharkiv-b")
    assert doc is not None and doc.text == ODESA.text


def test_a_changed_document_that_no_longer_reports_an_attack_deletes_its_event(store: Store) -> None:
    pipeline = Pipeline(store)
    run(pipeline, KHARKIV_A, KIRKUK)
    kirkuk_id = event_of_doc(store, "kirkuk").id
    kharkiv_id = event_of_doc(store, "kharkiv-a").id

    _, (outcome,) = run(pipeline, Document(id="kirkuk", text=NOTHING, published=KIRKUK.published))
    assert outcome.status == "changed"
    assert outcome.mentions == 0
    assert store.get_event(kirkuk_id) is None
    assert store.event_ids_for_document("kirkuk") == []
    assert store.get_event(kharkiv_id) is not None
    assert store.counts()["events"] == 1
    assert store.counts()["documents"] == 2


def test_a_changed_figure_updates_the_shared_event_and_keeps_its_id(store: Store) -> None:
    pipeline = Pipeline(store)
    run(pipeline, KHARKIV_A, KHARKIV_B)
    shared = event_of_doc(store, "kharkiv-a").id

    # the governor revises the toll of kharkiv-b from five to seven
    revised = Document(
        id="kharkiv-b",
        title=KHARKIV_B.title,
        published=KHARKIV_B.published,
        text=KHARKIV_B.text.replace("Five civilians", "Seven civilians"),
    )
    _, (outcome,) = run(pipeline, revised)
    assert outcome.status == "changed"
    event = store.get_event(shared)
    assert event is not None
    assert set(event.doc_ids) == {"kharkiv-a", "kharkiv-b"}
    assert (event.fatalities, event.fatalities_max) == (3, 7)
    assert store.counts()["events"] == 1
    assert store.counts()["mentions"] == 2


def test_changing_the_first_report_keeps_the_event_of_the_second(store: Store) -> None:
    pipeline = Pipeline(store)
    run(pipeline, KHARKIV_A, KHARKIV_B)
    shared = event_of_doc(store, "kharkiv-a").id

    run(pipeline, Document(id="kharkiv-a", text=NOTHING, published=KHARKIV_A.published))
    event = store.get_event(shared)
    assert event is not None
    assert event.doc_ids == ("kharkiv-b",)
    assert (event.fatalities, event.fatalities_max) == (5, 5)
    assert store.counts()["events"] == 1


# ---------------------------------------------------------------------------------- failures


def test_a_read_failure_is_counted_and_the_batch_goes_on(store: Store) -> None:
    broken = ReadFailure("feeds/wire.jsonl:7", "invalid JSON at column 12")
    summary, outcomes = run(Pipeline(store), KHARKIV_A, broken, KIRKUK)
    assert [o.status for o in outcomes] == ["new", "failed", "new"]
    assert outcomes[1].doc_id == "feeds/wire.jsonl:7"
    assert outcomes[1].reason == "invalid JSON at column 12"
    assert summary.read == 3
    assert summary.new == 2
    assert summary.failed == 1
    assert summary.failures == [broken]
    assert store.counts()["events"] == 2


def test_a_broken_line_of_a_jsonl_file_is_counted_as_failed(store: Store) -> None:
    summary = Pipeline(store).ingest(read_paths([FIXTURES / "wire.jsonl"]))
    assert summary.failed == 1
    (failure,) = summary.failures
    assert failure.source == f"{FIXTURES / 'wire.jsonl'}:2"
    assert summary.new == 4
    # the Kharkiv line, Kirkuk, Nabatieh and Erbil: four attacks
    assert store.counts()["events"] == 4


def test_a_document_that_fails_in_a_stage_is_counted_and_leaves_nothing_behind(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline = Pipeline(store)
    real_read = pipeline.read

    def read(doc: Document):  # type: ignore[no-untyped-def]
        if doc.id == "kirkuk":
            raise IngestError("the extractor choked", source="kirkuk")
        return real_read(doc)

    monkeypatch.setattr(pipeline, "read", read)
    summary, outcomes = run(pipeline, KIRKUK, KHARKIV_A)
    assert [o.status for o in outcomes] == ["failed", "new"]
    assert "the extractor choked" in (outcomes[0].reason or "")
    assert summary.failed == 1
    assert store.get_document("kirkuk") is None
    assert store.counts()["documents"] == 1


def test_a_store_failure_mid_document_rolls_the_whole_document_back(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline = Pipeline(store)
    run(pipeline, KIRKUK)
    before = store.counts()

    def broken_save_event(event: Event) -> None:
        raise StoreError("disk full")

    monkeypatch.setattr(store, "save_event", broken_save_event)
    summary, (outcome,) = run(pipeline, KHARKIV_A)
    assert outcome.status == "failed"
    assert summary.failed == 1
    monkeypatch.undo()
    assert store.get_document("kharkiv-a") is None, "the document must not be half-stored"
    assert store.counts() == before
    # and the document goes through on the next run
    _, (retry,) = run(pipeline, KHARKIV_A)
    assert retry.status == "new"
    assert store.counts()["events"] == before["events"] + 1


# ------------------------------------------------------------------------------- stability

KHARKIV_MONDAY = Document(
    id="kharkiv-monday",
    title="Four killed in Kharkiv",
    published=datetime(2024, 5, 15),
    language="en",
    text=(
        "Four people were killed when a Russian drone hit a residential building in Kharkiv on Monday, "
        "the governor said."
    ),
)
KHARKIV_TUESDAY_LATE = Document(
    id="kharkiv-tuesday",
    title="Drone hits Kharkiv apartment block",
    published=datetime(2024, 5, 16),
    language="en",
    text=(
        "A Russian drone struck an apartment building in Kharkiv on Tuesday, killing three people, "
        "officials said."
    ),
)
KHARKIV_THIS_MONTH = Document(
    id="kharkiv-roundup",
    title="Kharkiv under fire",
    published=datetime(2024, 5, 20),
    language="en",
    text=(
        "A Russian drone strike on an apartment building in Kharkiv earlier this month killed three people, "
        "officials said."
    ),
)


def test_a_report_without_a_day_does_not_move_the_event_date(store: Store) -> None:
    pipeline = Pipeline(store)
    # ingested first, published later: "on Tuesday" (14 May); then "on Monday" (13 May), published earlier
    run(pipeline, KHARKIV_TUESDAY_LATE, KHARKIV_MONDAY)
    (before,) = all_events(store)
    assert set(before.doc_ids) == {"kharkiv-tuesday", "kharkiv-monday"}

    run(pipeline, KHARKIV_THIS_MONTH)  # knows only the month
    (after,) = all_events(store)
    assert set(after.doc_ids) == {"kharkiv-tuesday", "kharkiv-monday", "kharkiv-roundup"}
    assert after.id == before.id
    assert after.event_date == before.event_date
    assert after.date_precision == "day"


def test_verbatim_wire_copies_are_linked_and_unrelated_stories_are_not(tmp_path: Path) -> None:
    from sitroom.dedupe import sketch_similarity, text_sketch

    body = (
        "A drone struck a fuel depot on the outskirts of Kharkiv on Tuesday night, "
        "starting a fire that "
        "burned for hours, the regional governor said. Two workers were injured and taken to hospital. "
        "Firefighters contained the blaze by morning, and officials said the depot "
        "had been hit before in May."
    )
    copy = (
        "Depot ablaze after overnight drone strike\nBy Staff Writer\n" + body + "\nRead more: our live page"
    )
    other = (
        "Parliament passed the budget on Thursday after a long debate over farm subsidies "
        "and teachers' pay, "
        "with the opposition voting against it and promising to challenge two clauses in court next month."
    )
    a, _ = text_sketch(body)
    assert sketch_similarity(a, text_sketch(copy)[0]) >= 0.9
    assert sketch_similarity(a, text_sketch(other)[0]) < 0.2

    store = open_store(str(tmp_path / "copies.db"))
    store.open()
    try:
        pipeline = Pipeline(store)
        published = datetime(2024, 5, 22)
        for doc_id, text in (("wire-1", body), ("wire-2", copy), ("other", other)):
            pipeline.ingest_document(Document(text=text, id=doc_id, published=published, language="en"))
        assert [c for c, _ in store.copies_of("wire-2")] == ["wire-1"]
        assert [c for c, _ in store.copies_of("wire-1")] == ["wire-2"]
        assert store.copies_of("other") == []
    finally:
        store.close()
