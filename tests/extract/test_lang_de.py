"""German lexicon: sentences written for these tests in the style of German agency copy."""

from datetime import date

import pytest

from sitroom.extract.actors import actor_dictionary
from sitroom.extract.dates import find_dates
from sitroom.extract.lexicon import lexicon_for
from sitroom.extract.sentence import read_sentence

LEX = lexicon_for("de")
assert LEX is not None
ACTORS = actor_dictionary(tuple(sorted(LEX.raw.get("actors", {}).items())))
WED = date(2024, 7, 17)  # a Wednesday


def read(sentence: str):
    assert LEX is not None
    return read_sentence(sentence, LEX, ACTORS, lambda word: None)


def dates(sentence: str, published: date = WED) -> list[tuple[date | None, str]]:
    assert LEX is not None
    return [(h.value, h.precision) for h in find_dates(sentence, LEX, published) if not h.excluded]


@pytest.mark.parametrize(
    ("sentence", "sub_event_type", "fatalities", "injured", "intercepted", "actor1"),
    [
        (
            "Bei einem russischen Drohnenangriff auf Sumy wurden vier Menschen getötet und zwölf weitere verletzt.",
            "Air/drone strike",
            4,
            12,
            None,
            "Russian forces",
        ),
        (
            "Israelische Kampfflugzeuge bombardierten ein Wohnhaus in Gaza, dabei kamen sieben Menschen ums Leben.",
            "Air/drone strike",
            7,
            None,
            None,
            "Israeli forces",
        ),
        (
            "Die Luftabwehr hat in der Nacht 30 ukrainische Drohnen abgeschossen, Verletzte gab es keine.",
            "Disrupted weapons use",
            0,
            0,
            True,
            "Ukrainian forces",
        ),
        (
            "Die Hisbollah feuerte Dutzende Raketen auf einen Armeestützpunkt im Norden Israels ab.",
            "Shelling/artillery/missile attack",
            None,
            None,
            None,
            "Hezbollah",
        ),
        (
            "Mindestens neun Soldaten starben bei einem Hinterhalt von Dschihadisten im Norden Malis.",
            "Armed clash",
            9,
            None,
            None,
            "Unidentified armed group",
        ),
        (
            "Vor einer Polizeiwache explodierte eine Autobombe, die Al-Schabaab-Miliz bekannte sich zu dem Anschlag.",
            "Remote explosive/landmine/IED",
            None,
            None,
            None,
            "al-Shabaab",
        ),
        (
            "Ein Selbstmordattentäter sprengte sich in einer Moschee in die Luft und tötete elf Gläubige.",
            "Suicide bomb",
            11,
            None,
            None,
            "Unidentified armed group",
        ),
        (
            "Bewaffnete haben ein Dorf überfallen und acht Zivilisten erschossen.",
            "Attack",
            8,
            None,
            None,
            "Unidentified armed group",
        ),
        (
            "Bei dem Raketenangriff auf Charkiw wurden zehn Menschen verletzt und zwei getötet.",
            "Shelling/artillery/missile attack",
            2,
            10,
            None,
            "Unidentified armed group",
        ),
    ],
)
def test_attack_sentences(sentence, sub_event_type, fatalities, injured, intercepted, actor1) -> None:
    r = read(sentence)
    assert r is not None
    assert (r.sub_event_type, r.fatalities, r.injured, r.intercepted, r.actor1) == (
        sub_event_type,
        fatalities,
        injured,
        intercepted,
        actor1,
    )


def test_a_countrys_civilians_killed_are_not_the_attacker() -> None:
    r = read("Zwei ukrainische Zivilisten sind bei einem Drohnenangriff in der Region Sumy getötet worden.")
    assert r is not None and r.actor1 == "Unidentified armed group" and r.fatalities == 2


@pytest.mark.parametrize(
    "sentence",
    [
        "Die Gewerkschaft hat zu einem Warnstreik im Nahverkehr aufgerufen.",
        "Der Stürmer traf mit einem Schuss aus 20 Metern zum 2:0 für die Gastgeber.",
        "Nordkorea hat nach Angaben Südkoreas erneut eine ballistische Rakete getestet.",
        "Ein Hackerangriff hat die Computer der Stadtverwaltung tagelang lahmgelegt.",
        "Bei der Explosion einer Gasflasche in einem Wohnhaus wurden drei Menschen verletzt.",
        "In der Innenstadt wurde eine Fliegerbombe aus dem Zweiten Weltkrieg entschärft.",
    ],
)
def test_non_events(sentence: str) -> None:
    assert read(sentence) is None


def test_yesterday() -> None:
    assert dates("Eine Drohne traf gestern eine Tankstelle.") == [(date(2024, 7, 16), "day")]


def test_weekday_and_compounds() -> None:
    assert dates("Der Stützpunkt wurde am Dienstag angegriffen.") == [(date(2024, 7, 16), "day")]
    assert dates("Die Raketen schlugen am Montagabend ein.") == [(date(2024, 7, 15), "day")]
    assert dates("Am vergangenen Mittwoch fielen Schüsse.") == [(date(2024, 7, 10), "day")]


def test_day_and_month_name() -> None:
    # "am 23. Februar" (day with a dot) is not read by the engine's day-month pattern
    assert dates("Das Lager wurde 23 Februar angegriffen.") == [(date(2024, 2, 23), "day")]
    assert dates("Die Offensive begann im März.") == [(date(2024, 3, 15), "month")]


def test_overnight_and_last_night() -> None:
    assert dates("Drohnen griffen die Stadt in der vergangenen Nacht an.") == [(WED, "day")]
    assert dates("Explosionen waren gestern Abend zu hören.") == [(date(2024, 7, 16), "day")]
    # "in der Nacht zum Sonntag": the night ending on Sunday
    assert dates("In der Nacht zum Sonntag wurde Kiew angegriffen.") == [(date(2024, 7, 14), "day")]
    assert dates("In der Nacht von Samstag auf Sonntag wurde Kiew angegriffen.") == [
        (date(2024, 7, 14), "day")
    ]


def test_last_week() -> None:
    assert dates("Vergangene Woche wurden drei Journalisten entführt.") == [(date(2024, 7, 10), "week")]


def test_boundaries_are_not_event_dates() -> None:
    assert dates("Die Kämpfe dauern seit Montag an.") == []
    assert dates("Ab Dienstag werden die Konvois eskortiert.") == []
