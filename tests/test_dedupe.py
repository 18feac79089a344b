"""The dedupe stage: mentions from many documents become canonical events.

Every record here is built by hand (no extractor, no store), so each test pins one rule of
:mod:`sitroom.dedupe`: when a mention joins an event, when it opens a new one, and what the
canonical event keeps from its reports.
"""

from __future__ import annotations

import math
from datetime import date

import pytest

from sitroom.dedupe import MIN_SCORE, assign_mentions, build_event, date_window, mention_score
from sitroom.records import Event, Mention, Place

STRIKE = ("Explosions/Remote violence", "Air/drone strike")
SHELLING = ("Explosions/Remote violence", "Shelling/artillery/missile attack")

KHARKIV = Place("Kharkiv", "town", "Ukraine", "UA", "Kharkiv", 49.9935, 36.2304, "city", "gn:706483")
# A town of the same oblast about 17 km south-west of Kharkiv (its own gazetteer entry).
PIVDENNE = Place("Pivdenne", "town", "Ukraine", "UA", "Kharkiv", 49.8789, 36.0747, "city", "gn:pivdenne")
# A site inside Kharkiv oblast, and the oblast itself (admin1 precision).
TRACTOR_PLANT = Place("Kharkiv Tractor Plant", "site", "Ukraine", "UA", "Kharkiv", 49.9460, 36.3880, "site")
KHARKIV_OBLAST = Place(
    "Kharkiv Oblast", "admin1", "Ukraine", "UA", "Kharkiv", 49.5, 36.5, "admin1", "a1:UA-63"
)
# Far away: Dnipro is about 190 km from Kharkiv.
DNIPRO = Place("Dnipro", "town", "Ukraine", "UA", "Dnipropetrovsk", 48.4647, 35.0462, "city", "gn:709930")
# A site in another oblast (Dnipropetrovsk), to test "site inside its admin1" the other way.
DNIPRO_AIRPORT = Place(
    "Dnipro International Airport", "site", "Ukraine", "UA", "Dnipropetrovsk", 48.3572, 35.1006, "airport"
)
# Two border villages a few kilometres apart, on either side of the Russia-Ukraine border.
HOPTIVKA = Place("Hoptivka", "town", "Ukraine", "UA", "Kharkiv", 50.2344, 36.5647, "city", "gn:hoptivka")
NEKHOTEEVKA = Place("Nekhoteevka", "town", "Russia", "RU", "Belgorod", 50.2639, 36.5433, "city", "gn:nekhot")
UKRAINE = Place("Ukraine", "country", "Ukraine", "UA", None, 49.0, 32.0, "country", "cc:UA")

DAY = date(2024, 5, 14)


def _km(a: Place, b: Place) -> float:
    assert a.latitude is not None and a.longitude is not None
    assert b.latitude is not None and b.longitude is not None
    p1, p2 = math.radians(a.latitude), math.radians(b.latitude)
    dp, dl = p2 - p1, math.radians(b.longitude - a.longitude)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def mention(
    doc_id: str,
    *,
    day: date | None = DAY,
    precision: str = "day",
    place: Place | None = KHARKIV,
    kind: tuple[str, str] = STRIKE,
    actor1: str | None = "Russian forces",
    fatalities: int | None = None,
    injured: int | None = None,
    start: int = 0,
    evidence: str = "A Russian drone struck an apartment building in Kharkiv on Tuesday.",
) -> Mention:
    return Mention(
        doc_id=doc_id,
        role="main",
        event_type=kind[0],
        sub_event_type=kind[1],
        evidence=evidence,
        start=start,
        end=start + len(evidence),
        event_date=day,
        date_precision=precision,  # type: ignore[arg-type]
        place=place,
        actor1=actor1,
        weapon="drone",
        fatalities=fatalities,
        injured=injured,
    )


def event_of(*mentions: Mention, event_id: str = "ev-test") -> Event:
    return build_event(event_id, list(mentions))


def ingest_docs(*docs: list[Mention]) -> tuple[list[Event], list[list[str]]]:
    """Run every document's mentions through assign_mentions, keeping the pool like the pipeline does.

    Returns the final events (by id order of creation) and, per document, the event id of each mention.
    """
    pool: dict[str, Event] = {}
    per_doc: list[list[str]] = []
    for mentions in docs:
        result = assign_mentions(mentions, list(pool.values()))
        for ev in result.events:
            pool[ev.id] = ev
        per_doc.append([eid for _, eid in result.links])
    return list(pool.values()), per_doc


# ------------------------------------------------------------------------------ date_window


def test_date_window_day_tolerates_one_day_either_side() -> None:
    assert date_window(date(2024, 5, 14), "day") == (date(2024, 5, 13), date(2024, 5, 15))


def test_date_window_week_is_seven_days_either_side() -> None:
    assert date_window(date(2024, 5, 14), "week") == (date(2024, 5, 7), date(2024, 5, 21))


def test_date_window_month_covers_the_whole_month_with_margin() -> None:
    # February of a leap year: the 1st minus three days to the 29th plus three days.
    assert date_window(date(2024, 2, 10), "month") == (date(2024, 1, 29), date(2024, 3, 3))
    # December: the window crosses into the next year.
    assert date_window(date(2023, 12, 1), "month") == (date(2023, 11, 28), date(2024, 1, 3))


def test_date_window_year_is_the_calendar_year() -> None:
    assert date_window(date(2024, 7, 1), "year") == (date(2024, 1, 1), date(2024, 12, 31))


# ---------------------------------------------------------------------------- mention_score


def test_places_used_below_are_where_the_tests_say() -> None:
    assert 10 < _km(KHARKIV, PIVDENNE) < 25
    assert _km(KHARKIV, DNIPRO) > 150
    assert _km(HOPTIVKA, NEKHOTEEVKA) < 10


def test_same_day_same_town_scores_above_the_threshold() -> None:
    ev = event_of(mention("a"))
    assert mention_score(mention("b"), ev) > MIN_SCORE


def test_town_within_25_km_scores_above_the_threshold_but_less_than_the_same_town() -> None:
    ev = event_of(mention("a"))
    near = mention_score(mention("b", place=PIVDENNE), ev)
    same = mention_score(mention("b"), ev)
    assert MIN_SCORE < near < same


@pytest.mark.parametrize(
    ("other", "why"),
    [
        (mention("b", place=DNIPRO), "190 km away"),
        (mention("b", day=date(2024, 5, 18)), "four days later"),
        (mention("b", place=NEKHOTEEVKA), "another country"),
        (mention("b", place=DNIPRO_AIRPORT), "a site in another admin1 than the event's"),
        (mention("b", day=date(2024, 7, 1), precision="month"), "a month that does not hold the day"),
    ],
)
def test_incompatible_mentions_score_zero(other: Mention, why: str) -> None:
    ev = event_of(mention("a"))
    assert mention_score(other, ev) == 0.0, why


def test_site_inside_the_admin1_of_a_coarse_event_scores_above_the_threshold() -> None:
    ev = event_of(mention("a", place=KHARKIV_OBLAST))
    assert mention_score(mention("b", place=TRACTOR_PLANT), ev) > MIN_SCORE


def test_country_level_place_does_not_match_a_town_in_another_country() -> None:
    ev = event_of(mention("a", place=UKRAINE))
    assert mention_score(mention("b", place=NEKHOTEEVKA), ev) == 0.0


# --------------------------------------------------------------------------- assign_mentions


def test_two_reports_of_one_attack_join_one_event() -> None:
    events, links = ingest_docs([mention("doc-a", fatalities=3)], [mention("doc-b", fatalities=5)])
    assert len(events) == 1
    assert links[0] == links[1]
    assert events[0].doc_ids == ("doc-a", "doc-b")
    assert len(events[0].mentions) == 2


def test_town_within_25_km_joins_the_event() -> None:
    events, links = ingest_docs([mention("doc-a")], [mention("doc-b", place=PIVDENNE)])
    assert len(events) == 1
    assert links[0] == links[1]


def test_site_inside_the_admin1_of_the_event_joins_it() -> None:
    events, links = ingest_docs(
        [mention("doc-a", place=KHARKIV_OBLAST)], [mention("doc-b", place=TRACTOR_PLANT)]
    )
    assert len(events) == 1
    assert links[0] == links[1]
    # the site is the more precise place: it becomes the event's place
    assert events[0].place == TRACTOR_PLANT


def test_site_outside_the_admin1_of_the_event_opens_a_new_event() -> None:
    events, links = ingest_docs(
        [mention("doc-a", place=KHARKIV_OBLAST)], [mention("doc-b", place=DNIPRO_AIRPORT)]
    )
    assert len(events) == 2
    assert links[0] != links[1]


@pytest.mark.parametrize(
    "other",
    [
        mention("doc-b", day=date(2024, 5, 18)),
        mention("doc-b", day=date(2024, 5, 10)),
        mention("doc-b", place=DNIPRO),
        mention("doc-b", place=NEKHOTEEVKA),
    ],
    ids=["four-days-later", "four-days-earlier", "far-town", "other-country"],
)
def test_different_days_far_places_or_countries_stay_apart(other: Mention) -> None:
    first = mention("doc-a", place=HOPTIVKA if other.place is NEKHOTEEVKA else KHARKIV)
    events, links = ingest_docs([first], [other])
    assert len(events) == 2
    assert links[0] != links[1]


def test_two_mentions_of_one_document_never_share_an_event() -> None:
    # Two identical-looking mentions of one document (for example two strikes in one city on one day).
    same_doc = [mention("doc-a", start=0), mention("doc-a", start=120)]
    result = assign_mentions(same_doc, [])
    ids = [eid for _, eid in result.links]
    assert len(set(ids)) == 2
    assert len(result.created) == 2


def test_a_mention_never_joins_an_event_its_own_document_already_reports() -> None:
    existing = event_of(mention("doc-a", start=0), event_id="ev-existing")
    result = assign_mentions([mention("doc-a", start=300)], [existing])
    [(_, eid)] = result.links
    assert eid != "ev-existing"
    assert result.created == (eid,)
    assert result.updated == ()


def test_one_document_with_two_attacks_matches_each_to_its_own_event() -> None:
    kharkiv = event_of(mention("doc-a"), event_id="ev-kharkiv")
    dnipro = event_of(mention("doc-a", place=DNIPRO, start=200), event_id="ev-dnipro")
    result = assign_mentions(
        [mention("doc-b", place=DNIPRO, start=0), mention("doc-b", start=150)], [kharkiv, dnipro]
    )
    assert [eid for _, eid in result.links] == ["ev-dnipro", "ev-kharkiv"]
    assert result.created == ()
    assert set(result.updated) == {"ev-dnipro", "ev-kharkiv"}


def test_month_precision_mention_joins_a_day_event_inside_that_month() -> None:
    events, links = ingest_docs(
        [mention("doc-a")], [mention("doc-b", day=date(2024, 5, 1), precision="month")]
    )
    assert len(events) == 1
    assert links[0] == links[1]
    # the day-precision date wins over the month
    assert events[0].event_date == DAY
    assert events[0].date_precision == "day"


def test_month_precision_mention_of_another_month_stays_apart() -> None:
    events, _ = ingest_docs([mention("doc-a")], [mention("doc-b", day=date(2024, 7, 1), precision="month")])
    assert len(events) == 2


EL_FASHER = Place(
    "El Fasher", "town", "Sudan", "SD", "North Darfur", 13.6279, 25.3494, "city", "gn:el-fasher"
)


def test_a_different_attacker_and_event_type_in_one_town_on_one_day_is_another_attack() -> None:
    # The army bombs El Fasher from the air while the RSF attacks civilians in the same city that day:
    # two events, even though town and day agree (the module promises "compatible event types and actors").
    airstrike = mention("doc-a", place=EL_FASHER, actor1="Military Forces of Sudan")
    raid = mention(
        "doc-b",
        place=EL_FASHER,
        kind=("Violence against civilians", "Attack"),
        actor1="Rapid Support Forces",
    )
    events, links = ingest_docs([airstrike], [raid])
    assert links[0] != links[1]
    assert len(events) == 2


def test_a_different_named_attacker_lowers_the_score() -> None:
    ev = event_of(mention("doc-a"))
    assert mention_score(mention("doc-b", actor1="Ukrainian forces"), ev) < mention_score(
        mention("doc-b"), ev
    )


# ------------------------------------------------------------------------------ build_event


def test_fatalities_keep_the_lowest_figure_and_the_range() -> None:
    ev = event_of(
        mention("a", fatalities=5, injured=12),
        mention("b", fatalities=3),
        mention("c", fatalities=None, injured=9),
        mention("d", fatalities=7, injured=20),
    )
    assert ev.fatalities == 3
    assert ev.fatalities_max == 7
    assert ev.injured == 9
    assert ev.injured_max == 20


def test_zero_fatalities_is_a_reported_figure_and_none_is_not() -> None:
    ev = event_of(mention("a", fatalities=0), mention("b", fatalities=None))
    assert ev.fatalities == 0
    assert ev.fatalities_max == 0
    unknown = event_of(mention("a"), mention("b"))
    assert unknown.fatalities is None
    assert unknown.fatalities_max is None


@pytest.mark.parametrize("order", ["coarse-first", "fine-first"])
def test_the_most_precise_place_and_date_win_whatever_the_order(order: str) -> None:
    coarse = mention("a", day=date(2024, 5, 1), precision="month", place=KHARKIV_OBLAST)
    fine = mention("b", day=DAY, precision="day", place=TRACTOR_PLANT)
    ev = event_of(coarse, fine) if order == "coarse-first" else event_of(fine, coarse)
    assert ev.place == TRACTOR_PLANT
    assert ev.event_date == DAY
    assert ev.date_precision == "day"


def test_town_beats_admin1_and_country() -> None:
    ev = event_of(
        mention("a", place=UKRAINE), mention("b", place=KHARKIV_OBLAST), mention("c", place=KHARKIV)
    )
    assert ev.place == KHARKIV


def test_a_dated_mention_gives_the_date_to_an_event_reported_undated() -> None:
    ev = event_of(mention("a", day=None), mention("b", day=DAY))
    assert ev.event_date == DAY
    assert ev.date_precision == "day"


def test_build_event_keeps_the_id_and_every_mention() -> None:
    ms = (mention("a"), mention("b"), mention("c"))
    ev = build_event("ev-given", list(ms))
    assert ev.id == "ev-given"
    assert ev.mentions == ms
    assert ev.doc_ids == ("a", "b", "c")


def test_build_event_needs_a_mention() -> None:
    with pytest.raises(ValueError):
        build_event("ev-empty", [])


# ------------------------------------------------------------------------------ stable ids


def test_the_same_input_gives_the_same_ids() -> None:
    docs = (
        [mention("doc-a"), mention("doc-a", place=DNIPRO, start=200)],
        [mention("doc-b", fatalities=4)],
        [mention("doc-c", place=NEKHOTEEVKA)],
    )
    first_events, first_links = ingest_docs(*docs)
    second_events, second_links = ingest_docs(*docs)
    assert first_links == second_links
    assert [e.id for e in first_events] == [e.id for e in second_events]
    assert all(e.id.startswith("ev-") for e in first_events)


def test_adding_a_report_keeps_the_existing_event_id() -> None:
    created = assign_mentions([mention("doc-a", fatalities=2)], [])
    (event,) = created.events
    assert created.created == (event.id,)

    joined = assign_mentions([mention("doc-b", fatalities=6)], [event])
    assert joined.created == ()
    assert joined.updated == (event.id,)
    (updated,) = joined.events
    assert updated.id == event.id
    assert updated.doc_ids == ("doc-a", "doc-b")
    assert (updated.fatalities, updated.fatalities_max) == (2, 6)


def test_event_id_does_not_depend_on_which_other_events_exist() -> None:
    alone = assign_mentions([mention("doc-a")], [])
    unrelated = event_of(mention("doc-z", place=DNIPRO), event_id="ev-unrelated")
    beside = assign_mentions([mention("doc-a")], [unrelated])
    assert alone.created == beside.created


def test_ids_of_two_events_opened_by_identical_mentions_do_not_collide() -> None:
    m = mention("doc-a")
    first = assign_mentions([m], [])
    # the same mention again (same key) must not reuse the id of a candidate it cannot join
    second = assign_mentions([m], list(first.events))
    assert second.created
    assert second.created[0] != first.created[0]


def test_a_report_without_a_place_needs_more_than_the_day_and_the_kind_of_attack() -> None:
    """At a few hundred strikes a day, "a drone strike on Tuesday" with no place matches many
    events: it joins one only when the same named attacker backs it up."""
    located = assign_mentions([mention("a", actor1="Russian forces")], []).events[0]
    unnamed = mention("b", place=None, actor1=None)
    assert mention_score(unnamed, located) <= MIN_SCORE
    assert assign_mentions([unnamed], [located]).created  # a new event
    named = mention("c", place=None, actor1="Russian forces")
    assert mention_score(named, located) > MIN_SCORE
    assert assign_mentions([named], [located]).updated == (located.id,)
    # nor does a located report join a place-less event on the day and kind alone
    placeless = assign_mentions([mention("d", place=None, actor1=None)], []).events[0]
    assert mention_score(mention("e", actor1=None), placeless) <= MIN_SCORE
