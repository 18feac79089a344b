"""CandidateIndex gives assign_mentions the same answer as the pipeline's whole search window.

The reference below reads candidates the way ``Pipeline._candidates`` reads them from the
store: every event dated within 40 days of the document's mention dates, by (date, id), then
every undated event by id when a mention is undated. Random streams of mentions (places near
and far, coarse and missing places, every date precision, undated mentions) go through both;
every link and every event must be the same.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from sitroom.dedupe import CandidateIndex, assign_mentions
from sitroom.records import DatePrecision, Event, Mention, Place

_TYPES = [
    ("Explosions/Remote violence", "Air/drone strike"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Battles", "Armed clash"),
    ("Strategic developments", "Disrupted weapons use"),
    ("Violence against civilians", "Attack"),
]
_ACTORS = [None, "Unidentified armed group", "Russian forces", "Israeli forces", "Houthis"]


def _places(rng: random.Random) -> list[Place | None]:
    places: list[Place | None] = [None]
    for cc, lat0, lon0 in (("UA", 49.9, 36.2), ("IQ", 36.2, 44.0), ("SO", 2.0, 45.3)):
        places.append(Place(f"Country {cc}", "country", cc, cc, None, lat0, lon0, "country", f"iso:{cc}"))
        for a in range(2):
            admin1 = f"{cc}-A{a}"
            places.append(Place(admin1, "admin1", cc, cc, admin1, lat0 + a, lon0, "admin1", f"a1:{admin1}"))
            places.append(Place(f"{admin1}-noid", "admin1", cc, cc, None, None, None, "admin1"))
            for t in range(6):
                # towns 0..50 km apart, some sharing a name with their admin1, some without a point
                lat = lat0 + a + t * 0.09 * rng.choice([1, -1])
                lon = lon0 + t * 0.11
                name = admin1 if t == 0 else f"{admin1}-T{t}"
                places.append(Place(name, "town", cc, cc, admin1, lat, lon, "city", f"gn:{cc}{a}{t}"))
                if t == 5:
                    places.append(Place(f"{name}-nopoint", "town", cc, cc, admin1, None, None, "city"))
                if t == 4:
                    places.append(Place(f"{name}-noadmin", "site", cc, cc, None, lat + 0.01, lon, "site"))
    places.append(Place("Red Sea", "admin1", None, None, None, 20.0, 38.0, "sea", "site:red-sea"))
    places.append(Place("Red Sea", "admin1", "Yemen", "YE", None, 20.0, 38.0, "sea", "site:red-sea"))
    return places


def _stream(seed: int, docs: int) -> list[list[Mention]]:
    rng = random.Random(seed)
    places = _places(rng)
    start = date(2024, 1, 1)
    precisions: list[DatePrecision] = ["day"] * 8 + ["week", "month", "year"]
    stream: list[list[Mention]] = []
    for d in range(docs):
        mentions = []
        for k in range(rng.choice([1, 1, 1, 2, 3])):
            event_type, sub = rng.choice(_TYPES)
            day = None if rng.random() < 0.05 else start + timedelta(days=rng.randint(0, 120) // 3 + d // 20)
            mentions.append(
                Mention(
                    doc_id=f"d{d}",
                    role=rng.choice(["main", "background"]),
                    event_type=event_type,
                    sub_event_type=sub,
                    evidence="",
                    start=k * 10,
                    end=k * 10 + 5,
                    event_date=day,
                    date_precision=rng.choice(precisions),
                    place=rng.choice(places),
                    actor1=rng.choice(_ACTORS),
                    fatalities=rng.choice([None, 0, 1, 3]),
                )
            )
        stream.append(mentions)
    return stream


def _window(events: dict[str, Event], mentions: list[Mention]) -> list[Event]:
    dates = [m.event_date for m in mentions if m.event_date is not None]
    found: dict[str, Event] = {}
    if dates:
        lo, hi = min(dates) - timedelta(days=40), max(dates) + timedelta(days=40)
        for e in sorted(events.values(), key=lambda e: (e.event_date or date.max, e.id)):
            if e.event_date is not None and lo <= e.event_date <= hi:
                found[e.id] = e
    if any(m.event_date is None for m in mentions):
        for e in sorted(events.values(), key=lambda e: e.id):
            if e.event_date is None:
                found[e.id] = e
    return list(found.values())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_index_assigns_like_the_whole_window(seed: int) -> None:
    stream = _stream(seed, 400)
    by_window: dict[str, Event] = {}
    index = CandidateIndex()
    merged = 0
    for mentions in stream:
        a = assign_mentions(mentions, _window(by_window, mentions))
        b = assign_mentions(mentions, index.candidates(mentions))
        assert [eid for _m, eid in a.links] == [eid for _m, eid in b.links]
        assert a.events == b.events
        for event in a.events:
            by_window[event.id] = event
        for event in b.events:
            index.add(event)
        merged += len(a.updated)
    assert {e.id: e for e in index} == by_window
    assert merged > 50  # the streams do merge, so the comparison means something


def test_candidates_leave_out_other_countries_and_far_towns() -> None:
    kharkiv = Place("Kharkiv", "town", "Ukraine", "UA", "Kharkiv", 49.99, 36.23, "city", "gn:1")
    far = Place("Izium", "town", "Ukraine", "UA", "Kharkiv", 49.21, 37.26, "city", "gn:2")  # ~115 km
    close = Place("Kharkiv suburb", "town", "Ukraine", "UA", "Kharkiv", 50.05, 36.30, "city", "gn:3")
    erbil = Place("Erbil", "town", "Iraq", "IQ", "Erbil", 36.19, 44.01, "city", "gn:4")
    day = date(2024, 5, 14)

    def mention(doc: str, place: Place) -> Mention:
        return Mention(
            doc, "main", "Explosions/Remote violence", "Air/drone strike", "", 0, 1, day, "day", place
        )

    index = CandidateIndex()
    for doc, place in (("a", far), ("b", close), ("c", erbil)):
        for event in assign_mentions([mention(doc, place)], []).events:
            index.add(event)
    found = {e.place.name for e in index.candidates([mention("d", kharkiv)]) if e.place}
    assert found == {"Kharkiv suburb"}
    assert len(index) == 3
