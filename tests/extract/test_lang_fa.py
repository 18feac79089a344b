"""Persian lexicon: sentences written for these tests in the style of Persian news agencies."""

from datetime import date

import pytest

from sitroom.extract.actors import actor_dictionary
from sitroom.extract.dates import find_dates
from sitroom.extract.lexicon import lexicon_for
from sitroom.extract.sentence import read_sentence

LEX = lexicon_for("fa")
WED = date(2025, 11, 5)  # a Wednesday
ZWNJ = "\u200c"


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
        # drone strike; the attacker in an ezafe after the weapon ("حمله پهپادی ارتش اسرائیل")
        (
            "در حمله پهپادی ارتش اسرائیل به یک خودرو در جنوب لبنان دو نفر کشته و سه نفر زخمی شدند.",
            "Air/drone strike",
            2,
            3,
            "Israeli forces",
        ),
        # ZWNJ-joined plural, Persian digits, "at least"
        (
            f"پهپاد{ZWNJ}های انتحاری به یک ساختمان مسکونی اصابت کردند و دست{ZWNJ}کم ۱۲ نفر زخمی شدند.",
            "Air/drone strike",
            None,
            12,
            "Unidentified armed group",
        ),
        # the same words written with spaces and Arabic-keyboard ي/ك
        (
            "پهپادهاي انتحاري به يك ساختمان مسكوني اصابت كردند و دست كم ۱۲ نفر زخمي شدند.",
            "Air/drone strike",
            None,
            12,
            "Unidentified armed group",
        ),
        # roadside bomb, number word
        (
            f"در انفجار بمب کنار جاده{ZWNJ}ای در ولایت هلمند پنج سرباز کشته شدند.",
            "Remote explosive/landmine/IED",
            5,
            None,
            "Unidentified armed group",
        ),
        # suicide bombing
        (
            f"یک بمب{ZWNJ}گذار انتحاری در مسجدی در پیشاور خود را منفجر کرد و ۲۵ نفر جان باختند.",
            "Suicide bomb",
            25,
            None,
            "Unidentified armed group",
        ),
        # rockets fired by a named group at a named army
        (
            f"حزب{ZWNJ}الله با شلیک ده{ZWNJ}ها راکت مواضع ارتش اسرائیل را هدف قرار داد.",
            "Shelling/artillery/missile attack",
            None,
            None,
            "Hezbollah",
        ),
        # a singular passive verb counts one
        (
            "یک مامور پلیس در تیراندازی افراد مسلح ناشناس در زاهدان کشته شد.",
            "Armed clash",
            1,
            None,
            "Unidentified armed group",
        ),
        # missile hit, no casualties
        (
            "دو موشک به پایگاه نظامی اصابت کرد اما تلفاتی در پی نداشت.",
            "Shelling/artillery/missile attack",
            0,
            0,
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
    r = read(f"سامانه{ZWNJ}های پدافند هوایی ۱۲ پهپاد را بر فراز شهر رهگیری و منهدم کردند.")
    assert r is not None
    assert (r.sub_event_type, r.intercepted) == ("Disrupted weapons use", True)


@pytest.mark.parametrize(
    "sentence",
    [
        "کارگران معدن در اعتراض به حقوق معوقه دست به اعتصاب زدند.",  # labour strike
        "تیم ملی فوتبال در بازی فوتبال دیشب با یک گل پیروز شد.",  # football
        "سپاه پاسداران در رزمایش بزرگ خود چند موشک بالستیک را آزمایش کرد.",  # exercise and missile test
        "هکرها به سامانه بانکی حمله سایبری کردند.",  # cyber attack
        f"این گروه تهدید کرده است که به کشتی{ZWNJ}ها حمله خواهد کرد.",  # threat only
    ],
)
def test_non_attack_sentences(sentence: str) -> None:
    assert read(sentence) is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("این حمله دیروز رخ داد.", [(date(2025, 11, 4), "day")]),
        ("این حمله روز گذشته رخ داد.", [(date(2025, 11, 4), "day")]),
        (f"این حمله روز سه{ZWNJ}شنبه رخ داد.", [(date(2025, 11, 4), "day")]),
        ("این حمله روز سه شنبه رخ داد.", [(date(2025, 11, 4), "day")]),
        ("این حمله پنجشنبه گذشته رخ داد.", [(date(2025, 10, 30), "day")]),
        ("این حمله در ۳ نوامبر رخ داد.", [(date(2025, 11, 3), "day")]),
        ("این حمله در 28 اکتبر رخ داد.", [(date(2025, 10, 28), "day")]),
        ("پهپادها دیشب رهگیری شدند.", [(date(2025, 11, 4), "day")]),
        ("پهپادها بامداد امروز رهگیری شدند.", [(WED, "day")]),
        ("این حمله هفته گذشته رخ داد.", [(date(2025, 10, 29), "week")]),
        ("این حمله در اواخر اکتبر رخ داد.", [(date(2025, 10, 31), "month")]),
    ],
)
def test_dates(sentence: str, expected: list[tuple[date, str]]) -> None:
    assert resolve(sentence) == expected


def test_numbers() -> None:
    assert LEX is not None
    assert LEX.to_number("۲۴") == 24  # Persian digits are digits
    assert LEX.to_number("بیست و پنج") == 25
    assert LEX.to_number(f"ده{ZWNJ}ها") == 12
    assert LEX.to_number("صدها") == 100
    assert LEX.to_number("چند") == 3
