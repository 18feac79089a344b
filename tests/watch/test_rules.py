"""Alert rules: area, types, actors and tolls; triggers against what was alerted before."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from sitroom.records import Event, Mention, Place
from sitroom.watch.config import TRIGGERS, RuleConfig
from sitroom.watch.rules import alert_id, decide, matches, summary_line
from sitroom.watch.state import Mark

KHARKIV = Place("Kharkiv", "town", "Ukraine", "UA", "Kharkiv", 49.9935, 36.2304, "city")
SUVA = Place("Suva", "town", "Fiji", "FJ", "Central", -18.14, 178.44, "city")


def mention(doc: str, hedged: bool = False) -> Mention:
    return Mention(doc, "main", "Explosions/Remote violence", "Air/drone strike", "...", 0, 3, hedged=hedged)


def event(place: Place | None = KHARKIV, *, docs: int = 1, fatalities: int | None = 3, **kw: object) -> Event:
    base = Event(
        id="ev-1",
        event_type="Explosions/Remote violence",
        sub_event_type="Air/drone strike",
        event_date=date(2024, 5, 14),
        date_precision="day",
        place=place,
        actor1="Russian forces",
        actor2="Civilians (Ukraine)",
        fatalities=fatalities,
        fatalities_max=fatalities,
        mentions=tuple(mention(f"d{i}") for i in range(docs)),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (RuleConfig("any"), True),
        (RuleConfig("c", countries=("ukraine",)), True),
        (RuleConfig("c", countries=("UA",)), True),
        (RuleConfig("c", countries=("Iraq", "ua")), True),
        (RuleConfig("c", countries=("Iraq",)), False),
        (RuleConfig("a", admin1=("kharkiv",)), True),
        (RuleConfig("a", admin1=("Kyiv",)), False),
        (RuleConfig("n", near=(50.0, 36.3, 10.0)), True),
        (RuleConfig("n", near=(50.45, 30.52, 50.0)), False),  # Kyiv, 400 km away
        (RuleConfig("b", bbox=(35.0, 49.0, 37.0, 51.0)), True),
        (RuleConfig("b", bbox=(20.0, 40.0, 30.0, 45.0)), False),
        (RuleConfig("t", event_types=("air/drone strike",)), True),
        (RuleConfig("t", event_types=("Explosions/Remote violence",)), True),
        (RuleConfig("t", event_types=("Armed clash",)), False),
        (RuleConfig("x", actors=("russian",)), True),
        (RuleConfig("x", actors=("civilians",)), True),
        (RuleConfig("x", actors=("Hamas",)), False),
        (RuleConfig("f", min_fatalities=3), True),
        (RuleConfig("f", min_fatalities=4), False),
        (RuleConfig("all", countries=("UA",), near=(50.0, 36.3, 10.0), min_fatalities=1), True),
        (RuleConfig("all", countries=("UA",), near=(50.0, 36.3, 10.0), min_fatalities=9), False),
    ],
)
def test_matching(rule: RuleConfig, expected: bool) -> None:
    assert matches(rule, event()) is expected


def test_area_criteria_need_a_place_and_a_point() -> None:
    assert not matches(RuleConfig("c", countries=("UA",)), event(None))
    no_point = replace(KHARKIV, latitude=None, longitude=None)
    assert not matches(RuleConfig("n", near=(50.0, 36.3, 10.0)), event(no_point))
    assert matches(RuleConfig("c", countries=("UA",)), event(no_point))


def test_unknown_fatalities_never_reach_a_minimum() -> None:
    assert not matches(RuleConfig("f", min_fatalities=0), event(fatalities=None))


def test_bbox_across_the_antimeridian() -> None:
    pacific = RuleConfig("p", bbox=(170.0, -25.0, -170.0, -10.0))
    assert matches(pacific, event(SUVA))
    assert not matches(pacific, event(KHARKIV))


def test_first_match_is_new_then_only_significant_changes_alert() -> None:
    rule = RuleConfig("r")
    first = decide(rule, event(fatalities=3), None)
    assert first is not None and first.triggers == ("new",) and first.mark.seq == 1
    same = decide(rule, event(fatalities=3), first.mark)
    assert same is not None and same.triggers == () and same.mark == first.mark
    more = decide(rule, event(docs=2, fatalities=3, fatalities_max=5), first.mark)
    assert more is not None and more.triggers == ("fatalities", "source") and more.mark.seq == 2
    assert (more.mark.fatalities, more.mark.fatalities_max, more.mark.sources) == (3, 5, 2)
    assert more.previous == first.mark
    # a figure that falls and rises back to what was alerted does not alert again
    fell = decide(rule, event(docs=2, fatalities=2), more.mark)
    assert fell is not None and fell.triggers == ()
    back = decide(rule, event(docs=2, fatalities=3, fatalities_max=5), fell.mark)
    assert back is not None and back.triggers == ()


def test_confirmation_of_a_hedged_event() -> None:
    rule = RuleConfig("r")
    hedged = event(hedged=True)
    first = decide(rule, hedged, None)
    assert first is not None and first.mark.hedged
    confirmed = decide(rule, event(docs=2, hedged=False), first.mark)
    assert confirmed is not None and confirmed.triggers == ("source", "confirmed")
    again = decide(rule, event(docs=2, hedged=False), confirmed.mark)
    assert again is not None and again.triggers == ()


def test_a_rule_alerts_only_on_the_triggers_it_subscribes_to() -> None:
    rule = RuleConfig("r", triggers=("fatalities",))
    first = decide(rule, event(), None)
    assert first is not None and first.triggers == () and first.mark.seq == 0
    source_only = decide(rule, event(docs=2), first.mark)
    assert source_only is not None and source_only.triggers == () and source_only.mark.sources == 2
    toll = decide(rule, event(docs=2, fatalities=4), source_only.mark)
    assert toll is not None and toll.triggers == ("fatalities",) and toll.mark.seq == 1


def test_an_event_that_reaches_the_minimum_later_is_new_then() -> None:
    rule = RuleConfig("big", min_fatalities=5)
    assert decide(rule, event(fatalities=3), None) is None
    later = decide(rule, event(docs=2, fatalities=6), None)
    assert later is not None and later.triggers == ("new",)


def test_alert_ids_are_stable_and_distinct() -> None:
    assert alert_id("r", "ev-1", 1) == alert_id("r", "ev-1", 1)
    assert len({alert_id("r", "ev-1", 1), alert_id("r", "ev-1", 2), alert_id("s", "ev-1", 1)}) == 3


def test_summary_line() -> None:
    line = summary_line(event(fatalities=3, fatalities_max=5, hedged=True))
    assert (
        line
        == "Air/drone strike in Kharkiv, Ukraine on 2024-05-14 by Russian forces: 3-5 killed (unconfirmed)"
    )
    assert set(TRIGGERS) == {"new", "fatalities", "source", "confirmed"}


def test_marks_round_trip(store: object) -> None:
    from sitroom.watch.state import WatchState

    state = WatchState(store)  # type: ignore[arg-type]
    assert state.mark("r", "ev-1") is None
    mark = Mark(seq=2, fatalities=3, fatalities_max=5, sources=2, hedged=False)
    state.save_mark("r", "ev-1", mark)
    assert state.mark("r", "ev-1") == mark
