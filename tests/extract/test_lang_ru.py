"""Russian: sentences written for this test, read through the ru lexicon."""

from datetime import date

import pytest

from sitroom.extract.actors import actor_dictionary
from sitroom.extract.dates import find_dates
from sitroom.extract.lexicon import lexicon_for
from sitroom.extract.sentence import SentenceReading, read_sentence

LEX = lexicon_for("ru")
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
            "В субботу российский дрон атаковал дом в Харькове, погибли три человека, ещё пятеро ранены.",
            AIR,
            3,
            5,
            None,
            "Russian forces",
        ),
        (
            "Ночью силы ПВО сбили 12 беспилотников над Белгородской областью, пострадавших нет.",
            DISRUPTED,
            0,
            0,
            True,
            None,
        ),
        (
            "Вчера ВСУ обстреляли Горловку из РСЗО, погибли двое мирных жителей.",
            SHELLING,
            2,
            None,
            None,
            "Ukrainian forces",
        ),
        (
            "Хуситы запустили баллистическую ракету по Эйлату, ракета была перехвачена.",
            DISRUPTED,
            None,
            None,
            True,
            "Houthis",
        ),
        (
            "В результате ракетного удара по Одессе погибли по меньшей мере 7 человек, 14 получили ранения.",
            SHELLING,
            7,
            14,
            None,
            "Unidentified armed group",
        ),
        (
            "Армия обороны Израиля нанесла удар по позициям Хезболлы во вторник.",
            AIR,
            None,
            None,
            None,
            "Israeli forces",
        ),
        (
            "Террорист-смертник подорвал себя у мечети в Кабуле, погибли 12 человек.",
            SUICIDE,
            12,
            None,
            None,
            "Unidentified armed group",
        ),
        (
            "Над Брянской областью перехвачены три беспилотника, обломки повредили крышу частного дома.",
            AIR,
            None,
            None,
            True,
            "Unidentified armed group",
        ),
        (
            "Число погибших в результате удара по Днепру возросло до 40.",
            AIR,
            40,
            None,
            None,
            "Unidentified armed group",
        ),
        (
            "Боевики атаковали блокпост армии на севере провинции, завязался бой, погиб один военнослужащий.",
            CLASH,
            1,
            None,
            None,
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
        "Рабочие завода объявили забастовку и пригрозили ударом по экономике.",
        "В матче против «Спартака» нападающий нанес удар по воротам.",
        "Россия провела испытательный пуск межконтинентальной баллистической ракеты «Ярс».",
        "Ракета-носитель «Союз» вывела на орбиту спутник связи.",
        "Взрыв бытового газа разрушил подъезд жилого дома, погибли двое.",
        "Прогремели взрывы, над городом работает ПВО, сообщают местные жители.",
    ],
)
def test_sentences_that_report_no_attack(sentence: str) -> None:
    assert read(sentence) is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Вчера беспилотник упал на склад.", [(date(2024, 7, 16), "day")]),
        ("Во вторник был обстрелян рынок.", [(date(2024, 7, 16), "day")]),
        ("В прошлую среду дроны атаковали аэродром.", [(date(2024, 7, 10), "day")]),
        ("В ночь на 14 июля беспилотники атаковали Курск.", [(date(2024, 7, 14), "day")]),
        ("В ночь на воскресенье ракеты попали в порт.", [(date(2024, 7, 14), "day")]),
        ("Минувшей ночью ПВО сбила восемь дронов.", [(date(2024, 7, 17), "day")]),
        ("На прошлой неделе обстрел повредил больницу.", [(date(2024, 7, 10), "week")]),
        ("В начале июня в городе прогремели взрывы.", [(date(2024, 6, 1), "month")]),
    ],
)
def test_dates(sentence: str, expected: list[tuple[date, str]]) -> None:
    assert dates(sentence) == expected
