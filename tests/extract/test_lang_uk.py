"""Ukrainian: sentences written for this test, read through the uk lexicon."""

from datetime import date

import pytest

from sitroom.extract.actors import actor_dictionary
from sitroom.extract.dates import find_dates
from sitroom.extract.lexicon import lexicon_for
from sitroom.extract.sentence import SentenceReading, read_sentence

LEX = lexicon_for("uk")
assert LEX is not None
ACTORS = actor_dictionary(tuple(sorted(LEX.raw.get("actors", {}).items())))
WED = date(2024, 7, 17)  # a Wednesday

AIR = "Air/drone strike"
SHELLING = "Shelling/artillery/missile attack"
IED = "Remote explosive/landmine/IED"
SUICIDE = "Suicide bomb"
CLASH = "Armed clash"
ATTACK = "Attack"
ABDUCTION = "Abduction/forced disappearance"
DISRUPTED = "Disrupted weapons use"


def read(sentence: str) -> SentenceReading | None:
    assert LEX is not None
    return read_sentence(sentence, LEX, ACTORS, lambda _w: None)


def dates(sentence: str, published: date = WED) -> list[tuple[date | None, str]]:
    assert LEX is not None
    hits = find_dates(sentence, LEX, published)
    return [(h.value, h.precision) for h in hits if not h.excluded and h.kind != "context"]


@pytest.mark.parametrize(
    ("sentence", "sub", "fatalities", "injured", "intercepted", "actor1"),
    [
        (
            "У суботу російський дрон атакував будинок у Харкові, загинули троє людей, ще п'ятеро поранені.",
            AIR,
            3,
            5,
            None,
            "Russian forces",
        ),
        (
            "Вночі сили ППО збили 12 безпілотників над Київщиною, постраждалих немає.",
            DISRUPTED,
            0,
            0,
            True,
            None,
        ),
        (
            "Вчора ворог обстріляв Херсон з артилерії, загинула жінка, поранено 3 людей.",
            SHELLING,
            1,
            3,
            None,
            "Russian forces",
        ),
        (
            "Внаслідок ракетного удару по Одесі загинули щонайменше 7 людей, ще 14 отримали поранення.",
            SHELLING,
            7,
            14,
            None,
            "Unidentified armed group",
        ),
        (
            "Ворожий дрон скинув вибухівку на автомобіль у Нікополі, загинув чоловік.",
            AIR,
            1,
            None,
            None,
            "Russian forces",
        ),
        (
            "Армія оборони Ізраїлю завдала удару по позиціях Хезболли у вівторок.",
            AIR,
            None,
            None,
            None,
            "Israeli forces",
        ),
        (
            "Хусити запустили балістичну ракету по Ейлату, ракету перехопили.",
            DISRUPTED,
            None,
            None,
            True,
            "Houthis",
        ),
        (
            "Кількість загиблих унаслідок удару по Дніпру зросла до 40.",
            AIR,
            40,
            None,
            None,
            "Unidentified armed group",
        ),
        (
            "Уламки збитого безпілотника впали на подвір'я, пошкоджено два будинки.",
            AIR,
            None,
            None,
            True,
            "Unidentified armed group",
        ),
    ],
)
def test_attack_sentences(
    sentence: str,
    sub: str,
    fatalities: int | None,
    injured: int | None,
    intercepted: bool | None,
    actor1: str | None,
) -> None:
    r = read(sentence)
    assert r is not None
    assert (r.sub_event_type, r.fatalities, r.injured, r.intercepted, r.actor1) == (
        sub,
        fatalities,
        injured,
        intercepted,
        actor1,
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Працівники заводу оголосили страйк і погрожують зупинити виробництво.",
        "У матчі з «Динамо» нападник завдав удару по воротах.",
        "Росія провела випробувальний пуск міжконтинентальної балістичної ракети.",
        "Вибух побутового газу зруйнував під'їзд, загинули двоє людей.",
        "У Києві пролунали вибухи, працює ППО.",
    ],
)
def test_sentences_that_report_no_attack(sentence: str) -> None:
    assert read(sentence) is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Вчора дрон влучив у склад.", [(date(2024, 7, 16), "day")]),
        ("У вівторок окупанти обстріляли ринок.", [(date(2024, 7, 16), "day")]),
        ("У ніч на неділю, 14 липня, ракети влучили в порт.", [(date(2024, 7, 14), "day")]),
        ("У ніч на неділю ракети влучили в порт.", [(date(2024, 7, 14), "day")]),
        ("Минулої ночі ППО збила вісім дронів.", [(date(2024, 7, 17), "day")]),
        ("Минулого тижня обстріл пошкодив лікарню.", [(date(2024, 7, 10), "week")]),
        ("Минулої п'ятниці дрони атакували аеродром.", [(date(2024, 7, 12), "day")]),
    ],
)
def test_dates(sentence: str, expected: list[tuple[date, str]]) -> None:
    assert dates(sentence) == expected
