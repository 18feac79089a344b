"""The pipeline's store query for candidate events gives dedupe the same answer as the whole window.

``Pipeline._candidates`` asks the store only for the events whose date window can meet a
mention's, in the mentions' countries, and reads whole only those that a mention scores above
the bar. The reference reads every event dated within 40 days of the document's mention dates
(and every undated event when a mention is undated), as the pipeline did before. The same random
streams as ``test_dedupe_index`` go through both, into a real SQLite store: every link and every
event must be the same.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from sitroom.dedupe import assign_mentions
from sitroom.pipeline import Pipeline, candidate_query
from sitroom.records import Document, Event, Mention, Place
from sitroom.store import SQLiteStore
from sitroom.store.base import COPY_CANDIDATES_PER_KEY, CandidateQuery
from test_dedupe_index import _stream


def _window(store: SQLiteStore, mentions: list[Mention]) -> list[Event]:
    dates = [m.event_date for m in mentions if m.event_date is not None]
    found: list[Event] = []
    if dates:
        found += store.events_in_window(min(dates) - timedelta(days=40), max(dates) + timedelta(days=40))
    if any(m.event_date is None for m in mentions):
        found += store.undated_events()
    return found


@pytest.mark.parametrize("seed", [1, 2])
def test_store_candidates_assign_like_the_whole_window(seed: int) -> None:
    stream = _stream(seed, 300)
    merged = 0
    with SQLiteStore(":memory:") as store:
        pipeline = Pipeline(store)
        for n, mentions in enumerate(stream):
            doc = Document(f"report {n}", id=f"d{n}", published=datetime(2024, 1, 1) + timedelta(hours=n))
            with store.transaction():
                store.save_document(doc)
                whole = assign_mentions(mentions, _window(store, mentions))
                queried = assign_mentions(mentions, pipeline._candidates(mentions), taken=pipeline._taken)
                assert [eid for _m, eid in whole.links] == [eid for _m, eid in queried.links]
                assert whole.events == queried.events
                for event in queried.events:
                    store.save_event(event)
                store.replace_mentions(doc.id, list(queried.links))
            merged += len(queried.updated)
        assert store.counts()["mentions"] == sum(len(m) for m in stream)
    assert merged > 40  # the streams do merge, so the comparison means something


def _mention(day: date | None, place: Place | None, precision: str = "day") -> Mention:
    return Mention(
        "d",
        "main",
        "Explosions/Remote violence",
        "Air/drone strike",
        "",
        0,
        1,
        day,
        precision,
        place,  # type: ignore[arg-type]
    )


KHARKIV = Place("Kharkiv", "town", "Ukraine", "UA", "Kharkiv", 49.99, 36.23, "city", "gn:1")
ERBIL = Place("Erbil", "town", "Iraq", "IQ", "Erbil", 36.19, 44.01, "city", "gn:4")


def test_candidate_query_ranges_follow_each_precision_reach() -> None:
    query = candidate_query([_mention(date(2024, 5, 14), KHARKIV)])
    ranges = {p: (lo, hi) for p, lo, hi in query.ranges}
    # a day mention covers 13..15 May; a day event must be dated within a day of that
    assert ranges["day"] == (date(2024, 5, 12), date(2024, 5, 16))
    assert ranges["week"] == (date(2024, 5, 6), date(2024, 5, 22))
    # a year event is looked for only within the 40-day search window
    assert ranges["year"] == (date(2024, 4, 4), date(2024, 6, 23))
    assert query.country_codes == ("UA",)
    assert query.undated is False


def test_candidate_query_widens_for_undated_and_placeless_mentions() -> None:
    query = candidate_query([_mention(date(2024, 5, 14), ERBIL), _mention(None, None)])
    assert query.undated is True
    assert query.country_codes is None  # a mention without a place may join an event anywhere
    assert {(lo, hi) for _p, lo, hi in query.ranges} == {(date(2024, 4, 4), date(2024, 6, 23))}
    undated_kharkiv = candidate_query([_mention(None, KHARKIV)])
    assert (undated_kharkiv.ranges, undated_kharkiv.undated, undated_kharkiv.country_codes) == (
        (),
        True,
        ("UA",),
    )


def test_candidate_query_boxes_towns_with_a_point_only() -> None:
    query = candidate_query([_mention(date(2024, 5, 14), KHARKIV), _mention(date(2024, 5, 14), ERBIL)])
    assert query.gazetteer_ids == ("gn:1", "gn:4")
    assert query.boxes is not None and len(query.boxes) == 2
    (lat0, lat1, lon0, lon1) = next(b for b in query.boxes if b[0] < 49.99 < b[1])
    assert lat1 - lat0 == pytest.approx(2 * 30 / 111.19)
    assert lon0 < 36.23 - 0.27 and lon1 > 36.23 + 0.27  # wider in degrees than in latitude
    coarse = Place("Kharkiv Oblast", "admin1", "Ukraine", "UA", "Kharkiv", 49.5, 36.5, "admin1", "a1:kh")
    assert candidate_query([_mention(date(2024, 5, 14), coarse)]).boxes is None
    assert candidate_query([_mention(date(2024, 5, 14), KHARKIV), _mention(None, None)]).boxes is None
    no_point = Place("Somewhere", "town", "Ukraine", "UA", "Kharkiv", None, None, "city")
    assert candidate_query([_mention(date(2024, 5, 14), no_point)]).boxes is None


def test_candidate_events_filter_by_precision_window_and_country() -> None:
    def event(eid: str, day: date | None, precision: str, place: Place | None) -> Event:
        return Event(eid, "Explosions/Remote violence", "Air/drone strike", day, precision, place)  # type: ignore[arg-type]

    with SQLiteStore(":memory:") as store:
        for e in (
            event("a-day-in", date(2024, 5, 14), "day", KHARKIV),
            event("b-day-out", date(2024, 5, 20), "day", KHARKIV),
            event("c-month-in", date(2024, 5, 20), "month", KHARKIV),
            event("d-iraq", date(2024, 5, 14), "day", ERBIL),
            event("e-noplace", date(2024, 5, 14), "day", None),
            event("f-undated", None, "day", KHARKIV),
            event("g-undated-iraq", None, "day", ERBIL),
        ):
            store.save_event(e)
        day = (date(2024, 5, 13), date(2024, 5, 15))
        query = CandidateQuery((("day", *day), ("month", date(2024, 5, 1), date(2024, 5, 31))), True, ("UA",))
        found = store.candidate_events(query)
        assert [e.id for e in found] == ["a-day-in", "e-noplace", "c-month-in", "f-undated"]
        assert all(e.mentions == () for e in found)
        assert [e.id for e in store.candidate_events(CandidateQuery((("day", *day),)))] == [
            "a-day-in",
            "d-iraq",
            "e-noplace",
        ]
        assert [e.id for e in store.events_by_id(["d-iraq", "nope", "a-day-in"])] == ["d-iraq", "a-day-in"]
        # boxes: a town 115 km away is left out; coarse, point-less and place-less events come
        far = Place("Izium", "town", "Ukraine", "UA", "Kharkiv", 49.21, 37.26, "city", "gn:2")
        oblast = Place("Kharkiv Oblast", "admin1", "Ukraine", "UA", "Kharkiv", 49.5, 36.5, "admin1", "a1:kh")
        nowhere = Place("Somewhere", "town", "Ukraine", "UA", "Kharkiv", None, None, "city")
        same_id_moved = replace(KHARKIV, latitude=45.0, longitude=30.0)
        for e in (
            event("h-far", date(2024, 5, 14), "day", far),
            event("i-oblast", date(2024, 5, 14), "day", oblast),
            event("j-nopoint", date(2024, 5, 14), "day", nowhere),
            event("k-same-id", date(2024, 5, 14), "day", same_id_moved),
        ):
            store.save_event(e)
        near = candidate_query([_mention(date(2024, 5, 14), KHARKIV)])
        found_near = {e.id for e in store.candidate_events(near)}
        assert {"a-day-in", "e-noplace", "i-oblast", "j-nopoint", "k-same-id"} <= found_near
        assert "h-far" not in found_near and "d-iraq" not in found_near
        assert store.existing_event_ids(["a-day-in", "nope"]) == {"a-day-in"}


def test_a_new_event_never_takes_the_id_of_a_stored_event_it_cannot_join() -> None:
    """The id of a new event is derived from its first mention's key; a stored event may hold
    that id (a revised report now tells of another attacker and kind of attack at that place)
    without being a candidate."""
    m = replace(_mention(date(2024, 5, 14), ERBIL), actor1="Houthis")
    first = assign_mentions([m], []).events[0]
    with SQLiteStore(":memory:") as store:
        store.save_event(first)
        pipeline = Pipeline(store)
        revised = replace(m, event_type="Battles", sub_event_type="Armed clash", actor1="Israeli forces")
        assert revised.key == m.key
        assert pipeline._candidates([revised]) == []
        fresh = assign_mentions([revised], [], taken=pipeline._taken)
        assert fresh.created == (first.id + "x",)
        assert assign_mentions([revised], []).created == (first.id,)  # what happened without ``taken``


def test_copy_candidates_bring_the_latest_documents_per_shared_hash() -> None:
    with SQLiteStore(":memory:") as store:
        for n in range(COPY_CANDIDATES_PER_KEY + 8):
            store.save_document(Document(f"boilerplate {n}", id=f"doc{n:03d}"))
            store.save_sketch(f"doc{n:03d}", [7, 100 + n], [7, 100 + n])
        found = store.copy_candidates([7, 103, 2**32 - 1])
        ids = [doc_id for doc_id, _sketch in found]
        latest = [f"doc{n:03d}" for n in range(8, COPY_CANDIDATES_PER_KEY + 8)]
        assert ids == sorted({*latest, "doc003"})  # by id; hash 7 brings only the latest
        assert dict(found)["doc003"] == [7, 103]
        assert store.copy_candidates([]) == []
