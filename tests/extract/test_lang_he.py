"""Hebrew lexicon: sentences written for these tests in the style of Hebrew news sites."""

from datetime import date

import pytest

from sitroom.extract.actors import actor_dictionary
from sitroom.extract.dates import find_dates
from sitroom.extract.lexicon import lexicon_for
from sitroom.extract.sentence import read_sentence

LEX = lexicon_for("he")
WED = date(2025, 11, 5)  # a Wednesday


def read(sentence: str):
    assert LEX is not None
    actors = actor_dictionary(tuple(sorted(LEX.raw.get("actors", {}).items())))
    return read_sentence(sentence, LEX, actors, lambda w: None)


def resolve(sentence: str) -> list[tuple[date | None, str]]:
    assert LEX is not None
    return [
        (h.value, h.precision)
        for h in find_dates(sentence, LEX, WED)
        if not h.excluded and h.kind != "context"
    ]


@pytest.mark.parametrize(
    ("sentence", "sub_event_type", "fatalities", "injured", "actor1"),
    [
        # drone strike, number words with the conjunction ו on the second count
        (
            'שני בני אדם נהרגו ושלושה נפצעו בתקיפה של כטב"ם ישראלי ברכב בדרום לבנון.',
            "Air/drone strike",
            2,
            3,
            "Israeli forces",
        ),
        # the same acronym written with gershayim
        (
            "שני בני אדם נהרגו ושלושה נפצעו בתקיפה של כטב״ם ישראלי ברכב בדרום לבנון.",
            "Air/drone strike",
            2,
            3,
            "Israeli forces",
        ),
        # a rocket barrage with no casualties
        (
            "חיזבאללה שיגר מטח של 30 רקטות לעבר קריית שמונה, ללא נפגעים.",
            "Shelling/artillery/missile attack",
            0,
            0,
            "Hezbollah",
        ),
        # shooting attack on civilians
        (
            "מחבל פתח באש בצומת ורצח שלושה אזרחים.",
            "Attack",
            3,
            None,
            "Unidentified armed group",
        ),
        # roadside bomb; a singular verb counts one and the victim's army is not the attacker
        (
            "חייל צה\"ל נהרג מפיצוץ מטען חבלה בג'נין.",
            "Remote explosive/landmine/IED",
            1,
            None,
            "Unidentified armed group",
        ),
        # an IDF strike on named targets
        (
            'צה"ל תקף הלילה מטרות חיזבאללה בבקאע.',
            "Air/drone strike",
            None,
            None,
            "Israeli forces",
        ),
        # a ballistic missile with injured ("פצע" + count)
        (
            "טיל בליסטי ששוגר מתימן פגע בנמל התעופה ופצע שמונה בני אדם.",
            "Shelling/artillery/missile attack",
            None,
            8,
            "Unidentified armed group",
        ),
    ],
)
def test_attack_sentences(sentence, sub_event_type, fatalities, injured, actor1) -> None:
    r = read(sentence)
    assert r is not None
    assert (r.sub_event_type, r.fatalities, r.injured, r.actor1) == (
        sub_event_type,
        fatalities,
        injured,
        actor1,
    )


def test_interception_without_impact_is_disrupted_weapons_use() -> None:
    r = read('כטב"ם שחדר מתימן יורט הלילה מעל אילת על ידי מערך ההגנה האווירית.')
    assert r is not None
    assert (r.sub_event_type, r.intercepted) == ("Disrupted weapons use", True)


def test_weapon_refinement() -> None:
    r = read('פצמ"ר נורה לעבר היישוב ופגע בבית.')
    assert r is not None
    assert r.weapon == "mortar"


@pytest.mark.parametrize(
    "sentence",
    [
        "עובדי הנמל פתחו בשביתה כללית ותקפו את ההנהלה.",  # labour strike
        "במשחק הכדורגל אמש תקפה הקבוצה ללא הפסקה והבקיעה שלושה שערים.",  # football
        "איראן ביצעה ניסוי בטיל בליסטי חדש.",  # missile test
        "חיל האוויר ערך תרגיל גדול שבו תקפו מטוסי קרב מטרות מדומות.",  # exercise
        "ארגון הטרור איים לשגר טילים לעבר ערי המרכז.",  # threat only
    ],
)
def test_non_attack_sentences(sentence: str) -> None:
    assert read(sentence) is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("הרקטה נפלה אתמול.", [(date(2025, 11, 4), "day")]),
        ("הרקטה נפלה אמש.", [(date(2025, 11, 4), "day")]),
        ("התקיפה בוצעה ביום שלישי.", [(date(2025, 11, 4), "day")]),
        ("התקיפה בוצעה ביום ראשון.", [(date(2025, 11, 2), "day")]),
        ("התקיפה בוצעה במוצאי שבת.", [(date(2025, 11, 1), "day")]),
        ("התקיפה בוצעה ב-3 בנובמבר.", [(date(2025, 11, 3), "day")]),
        ("התקיפה בוצעה ב־28 באוקטובר.", [(date(2025, 10, 28), "day")]),
        ("הכטב״מים יורטו הלילה.", [(WED, "day")]),
        ("התקיפה בוצעה בשבוע שעבר.", [(date(2025, 10, 29), "week")]),
        ("התקיפה בוצעה בסוף אוקטובר.", [(date(2025, 10, 31), "month")]),
        ("התקיפה בוצעה באוקטובר.", [(date(2025, 10, 15), "month")]),
    ],
)
def test_dates(sentence: str, expected: list[tuple[date, str]]) -> None:
    assert resolve(sentence) == expected


def test_numbers() -> None:
    assert LEX is not None
    assert LEX.to_number("שלושה") == 3
    assert LEX.to_number("שנים עשר") == 12
    assert LEX.to_number("עשרות") == 12
    assert LEX.to_number("מאות") == 100
    assert LEX.to_number("כמה") == 3
