"""Kurdish (Sorani) lexicon: sentences written for these tests in the style of Sorani news sites."""

from datetime import date

import pytest

from sitroom.extract.actors import actor_dictionary
from sitroom.extract.dates import find_dates
from sitroom.extract.lexicon import lexicon_for
from sitroom.extract.sentence import read_sentence

LEX = lexicon_for("ckb")
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
        # drone of Turkey (ezafe), plural passive verb after the count
        (
            "درۆنێکی تورکیا ئۆتۆمبێلێکی لە نزیک شارۆچکەیەکی سنووری کردە ئامانج و دوو کەس کوژران.",
            "Air/drone strike",
            2,
            None,
            "Turkish forces",
        ),
        # warplanes, injured civilians
        (
            "لە ئەنجامی بۆردومانی فڕۆکە جەنگییەکانی تورکیا بۆ سەر گوندێکی سنووری، سێ هاووڵاتی بریندار بوون.",
            "Air/drone strike",
            None,
            3,
            "Turkish forces",
        ),
        # planted bomb; a singular passive verb counts one
        (
            "لە تەقینەوەی بۆمبێکی چێنراو لە نزیک بازگەیەک، سەربازێک کوژرا.",
            "Remote explosive/landmine/IED",
            1,
            None,
            "Unidentified armed group",
        ),
        # a named group attacks a base; "at least" with Arabic-Indic digits
        (
            "چەکدارانی داعش هێرشیان کردە سەر بنکەیەکی سوپای عێراق و لانیکەم ٥ سەرباز کوژران.",
            "Armed clash",
            5,
            None,
            "Islamic State",
        ),
        # "caused the killing of N ... and the wounding of M others"
        (
            "تۆپبارانی سوپای ئێران بووە هۆی کوژرانی دوو کەس و برینداربوونی چوار کەسی تر.",
            "Shelling/artillery/missile attack",
            2,
            4,
            "Iranian forces",
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


def test_downed_drones_without_damage_are_disrupted_weapons_use() -> None:
    r = read("دوو درۆن لە نزیک فڕۆکەخانەکە خرانە خوارەوە و هیچ زیانێکی گیانی نەبوو.")
    assert r is not None
    assert (r.sub_event_type, r.intercepted, r.fatalities, r.injured) == ("Disrupted weapons use", True, 0, 0)


@pytest.mark.parametrize(
    "sentence",
    [
        "کرێکارانی کارگەکە بۆ زیادکردنی مووچە مانیان گرت و هێرشیان کردە سەر بڕیارەکە.",  # labour strike
        "یاریزانەکانی هەڵبژاردە لە یارییەکەدا هێرشێکی بەهێزیان کرد و دوو گۆڵیان تۆمار کرد.",  # football
        "سوپای ئێران تاقیکردنەوەی مووشەکێکی بالیستی نوێی ئەنجامدا.",  # missile test
        "لە یادی کیمیابارانی هەڵەبجەدا ڕێوڕەسمێک بەڕێوەچوو بۆ قوربانیانی بۆردومانەکە.",  # anniversary
    ],
)
def test_non_attack_sentences(sentence: str) -> None:
    assert read(sentence) is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("هێرشەکە دوێنێ ئەنجامدرا.", [(date(2025, 11, 4), "day")]),
        ("هێرشەکە دوێنێ شەو ئەنجامدرا.", [(date(2025, 11, 4), "day")]),
        ("هێرشەکە ڕۆژی سێشەممە ئەنجامدرا.", [(date(2025, 11, 4), "day")]),
        ("هێرشەکە ڕۆژی یەکشەممەی ڕابردوو ئەنجامدرا.", [(date(2025, 11, 2), "day")]),
        ("هێرشەکە لە 3 تشرینی دووەم ئەنجامدرا.", [(date(2025, 11, 3), "day")]),
        ("هێرشەکە لە 28 تشرینی یەکەم ئەنجامدرا.", [(date(2025, 10, 28), "day")]),
        ("درۆنەکان شەوی ڕابردوو خرانە خوارەوە.", [(date(2025, 11, 4), "day")]),
        ("درۆنەکان ئەمڕۆ خرانە خوارەوە.", [(WED, "day")]),
        ("هێرشەکە هەفتەی ڕابردوو ئەنجامدرا.", [(date(2025, 10, 29), "week")]),
    ],
)
def test_dates(sentence: str, expected: list[tuple[date, str]]) -> None:
    assert resolve(sentence) == expected


def test_numbers() -> None:
    assert LEX is not None
    assert LEX.to_number("٥") == 5  # Arabic-Indic digits are digits
    assert LEX.to_number("بیست و پێنج") == 25
    assert LEX.to_number("دەیان") == 12
    assert LEX.to_number("سەدان") == 100
    assert LEX.to_number("چەند") == 3
