"""Arabic lexicon: sentences written for these tests in the style of Arabic wire copy."""

from datetime import date

import pytest

from sitroom.extract.actors import actor_dictionary
from sitroom.extract.dates import find_dates
from sitroom.extract.lexicon import lexicon_for
from sitroom.extract.sentence import read_sentence

LEX = lexicon_for("ar")
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
        # drone strike: demonym after the weapon noun, singular nouns counted as one
        (
            "استشهد شاب وأصيب آخر في غارة شنتها طائرة مسيّرة إسرائيلية على دراجة نارية في بلدة حدودية.",
            "Air/drone strike",
            1,
            1,
            "Israeli forces",
        ),
        # Arabic-Indic digits and the variant spelling مسيرة without shadda
        (
            "قتل ١٥ شخصا وأصيب ٢٢ آخرون في قصف بمسيرة تابعة لقوات الدعم السريع على سوق شعبي.",
            "Air/drone strike",
            15,
            22,
            "Rapid Support Forces",
        ),
        # rockets fired by a named group, nobody hurt
        (
            "أطلق حزب الله رشقة صاروخية على مستوطنة في الجليل الأعلى دون وقوع إصابات.",
            "Shelling/artillery/missile attack",
            0,
            0,
            "Hezbollah",
        ),
        # roadside bomb, dual noun = two dead
        (
            "انفجرت عبوة ناسفة بدورية عسكرية على طريق سريع ما أدى إلى مقتل جنديين.",
            "Remote explosive/landmine/IED",
            2,
            None,
            "Unidentified armed group",
        ),
        # suicide bombing: "more than", hamza-less spelling اكثر
        (
            "فجر انتحاري نفسه بحزام ناسف داخل مسجد مكتظ ما اسفر عن مقتل اكثر من 30 مصليا.",
            "Suicide bomb",
            30,
            None,
            "Unidentified armed group",
        ),
        # clashes, number word
        (
            "اندلعت اشتباكات عنيفة بين الجيش والمسلحين أسفرت عن مقتل ستة مقاتلين.",
            "Armed clash",
            6,
            None,
            "Unidentified armed group",
        ),
        # VSO: verb, subject, then the count
        (
            "قتل مسلحون مجهولون خمسة مدنيين في هجوم على قرية نائية.",
            "Attack",
            5,
            None,
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
    r = read("اعترضت الدفاعات الجوية صاروخا باليستيا أطلق باتجاه المدينة فجر اليوم.")
    assert r is not None
    assert r.sub_event_type == "Disrupted weapons use"
    assert r.intercepted is True
    assert r.weapon == "ballistic missile"


def test_shot_down_drone_that_still_injures_stays_a_strike() -> None:
    r = read("أسقطت الدفاعات الجوية طائرة مسيرة لكن حطامها سقط على منزل ما أسفر عن إصابة ثلاثة أشخاص.")
    assert r is not None
    assert (r.sub_event_type, r.intercepted, r.injured) == ("Air/drone strike", True, 3)


def test_claim_of_responsibility() -> None:
    r = read("أعلنت جماعة الحوثي مسؤوليتها عن استهداف سفينة تجارية بصاروخ مجنح في البحر الأحمر.")
    assert r is not None
    assert r.claimed_by == "Houthis"
    assert r.weapon == "cruise missile"


@pytest.mark.parametrize(
    "sentence",
    [
        "نفذ عمال الموانئ إضرابا عن العمل للمطالبة بتحسين الأجور.",  # labour strike
        "حسم المنتخب المباراة بضربة جزاء في الشوط الثاني.",  # football
        "أجرت كوريا الشمالية تجربة صاروخية جديدة أطلقت خلالها صاروخا باليستيا.",  # missile test
        "نظمت الحركة مسيرة احتجاجية حاشدة وسط العاصمة.",  # a march, not a drone
        "حذر الجيش من أن الجماعة قد تستهدف السفن بالصواريخ.",  # threat only
    ],
)
def test_non_attack_sentences(sentence: str) -> None:
    assert read(sentence) is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("قصفت المدفعية البلدة أمس.", [(date(2025, 11, 4), "day")]),
        ("سقطت قذيفة على المنزل مساء أمس.", [(date(2025, 11, 4), "day")]),
        ("وقع الهجوم يوم الثلاثاء.", [(date(2025, 11, 4), "day")]),
        ("وقع الهجوم يوم الأحد.", [(date(2025, 11, 2), "day")]),
        ("استهدفت الغارة الموقع في 3 نوفمبر.", [(date(2025, 11, 3), "day")]),
        ("استهدفت الغارة الموقع في 28 تشرين الأول.", [(date(2025, 10, 28), "day")]),
        ("استهدفت الغارة الموقع في ٣ نوفمبر.", [(date(2025, 11, 3), "day")]),  # Arabic-Indic day
        ("اعترضت الدفاعات طائرات مسيرة الليلة الماضية.", [(date(2025, 11, 4), "day")]),
        ("تعرضت المدينة لقصف خلال الليل.", [(WED, "day")]),
        ("وقعت الغارة الأسبوع الماضي.", [(date(2025, 10, 29), "week")]),
        ("قتل ثلاثة في أواخر أكتوبر.", [(date(2025, 10, 31), "month")]),
    ],
)
def test_dates(sentence: str, expected: list[tuple[date, str]]) -> None:
    assert resolve(sentence) == expected


def test_numbers() -> None:
    assert LEX is not None
    assert LEX.to_number("١٥") == 15  # Arabic-Indic digits are digits
    assert LEX.to_number("خمسة وعشرين") == 25
    assert LEX.to_number("عشرات") == 12
    assert LEX.to_number("مئات") == 100
    assert LEX.to_number("عدة") == 3


@pytest.mark.parametrize(
    ("text", "place", "actor1"),
    [
        # "روسية" (Russian) folds like "روسيا" (Russia): an adjective, not the place
        ("قتل مدنيان في هجوم شنته طائرة مسيّرة روسية على مستودع في أوديسا فجر الاثنين.", "Odesa", "Russian forces"),
        # "تركية" (Turkish) likewise, for a village in Duhok province
        ("قصفت مقاتلات تركية قرية في دهوك يوم الأحد، ما أدى إلى مقتل راعيين.", "Dihok", "Turkish forces"),
        # after a preposition of place "سورية" is Syria itself
        # (its attacker is not checked here: "سورية" after "غارة جوية" is also read as "Syrian")
        ("قتل أربعة أشخاص في غارة جوية في سورية يوم الثلاثاء.", "Syria", None),
    ],
)
def test_country_adjectives_are_not_places(text: str, place: str, actor1: str | None) -> None:
    from sitroom.extract import extract

    mentions = extract(text, published=WED, language="ar")
    assert [m.place.name if m.place else None for m in mentions] == [place]
    if actor1 is not None:
        assert mentions[0].actor1 == actor1
