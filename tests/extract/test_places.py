"""Which names are the place of an attack: sentences written for these tests."""

from __future__ import annotations

from datetime import date

import pytest

from sitroom.extract import extract

TUESDAY = date(2024, 3, 13)  # a Wednesday: "on Tuesday" is 12 March


@pytest.mark.parametrize(
    ("language", "text", "place"),
    [
        # a country that is also the name of an attacker is the place after "in" ...
        ("en", "Two soldiers were killed in a missile attack in Israel on Tuesday.", "Israel"),
        ("en", "One person was killed in a drone attack in Russia on Tuesday, officials said.", "Russia"),
        ("en", "Three people were wounded in a rocket attack inside Iran on Tuesday.", "Iran"),
        ("fr", "Deux soldats ont été tués mardi dans une attaque de drone en Russie.", "Russia"),
        ("es", "Dos soldados murieron el martes en un ataque con drones en Ucrania.", "Ukraine"),
        ("ar", "قتل جنديان في هجوم صاروخي في روسيا يوم الثلاثاء.", "Russia"),
        # ... and a country that is only a place was a place already
        ("en", "Two soldiers were killed in a missile attack in Iraq on Tuesday.", "Iraq"),
    ],
)
def test_a_country_that_names_an_actor_is_the_place_after_in(language: str, text: str, place: str) -> None:
    mentions = extract(text, published=TUESDAY, language=language)
    assert [m.place.name if m.place else None for m in mentions] == [place]


def test_a_country_after_from_stays_the_attacker_not_the_place() -> None:
    mentions = extract(
        "Drones launched from Russia hit a warehouse on Tuesday, local officials said.",
        published=TUESDAY,
        language="en",
    )
    assert [(m.place, m.actor1) for m in mentions] == [(None, "Russian forces")]
