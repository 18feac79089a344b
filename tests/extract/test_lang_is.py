"""Icelandic: sentences written for this test, read through the is lexicon."""

from datetime import date

import pytest

from sitroom.extract.actors import actor_dictionary
from sitroom.extract.dates import find_dates
from sitroom.extract.lexicon import lexicon_for
from sitroom.extract.sentence import SentenceReading, read_sentence

LEX = lexicon_for("is")
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
            "Tveimur sprengjudrónum var flogið að bandarískri herstöð í Anbar-héraði í Írak í gær.",
            AIR,
            None,
            None,
            None,
            "Unidentified armed group",
        ),
        (
            "Loftvarnir skutu annan drónann niður en hinn sprakk í herstöðinni; enginn særðist.",
            AIR,
            0,
            0,
            True,
            "Unidentified armed group",
        ),
        (
            "Þrír hermenn féllu og tólf særðust þegar dróni lenti á herstöð í Jórdaníu á sunnudag.",
            AIR,
            3,
            12,
            None,
            "Unidentified armed group",
        ),
        (
            "Ísraelsher gerði loftárás á Gasaborg í nótt og létust að minnsta kosti 15 manns.",
            AIR,
            15,
            None,
            None,
            "Israeli forces",
        ),
        (
            "Hútar skutu flugskeyti að flutningaskipi á Rauðahafi en það var skotið niður.",
            DISRUPTED,
            None,
            None,
            True,
            "Houthis",
        ),
        (
            "Rússar gerðu drónaárás á Kænugarð og féllu fimm óbreyttir borgarar.",
            AIR,
            5,
            None,
            None,
            "Russian forces",
        ),
        (
            "Sjálfsvígsárásarmaður sprengdi sig í loft upp við mosku og létust 20.",
            SUICIDE,
            20,
            None,
            None,
            "Unidentified armed group",
        ),
        (
            "Bílsprengja sprakk á fjölförnum markaði og fórust sjö.",
            IED,
            7,
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
        "Starfsmenn álversins boðuðu verkfall á mánudag.",
        "Norður-Kórea gerði tilraunaskot með langdræga eldflaug í morgun.",
        "Landsliðið vann stórsigur í handbolta í gærkvöldi.",
        "Gassprenging varð í fjölbýlishúsi og slösuðust tveir.",
        "Sprenging varð í verksmiðju í nótt.",
    ],
)
def test_sentences_that_report_no_attack(sentence: str) -> None:
    assert read(sentence) is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Dróni hæfði herstöðina í gær.", [(date(2024, 7, 16), "day")]),
        ("Eldflaug lenti á bænum á þriðjudag.", [(date(2024, 7, 16), "day")]),
        ("Drónar réðust á borgina aðfaranótt sunnudags.", [(date(2024, 7, 14), "day")]),
        ("Loftvarnir skutu niður þrjá dróna í nótt.", [(date(2024, 7, 17), "day")]),
        ("Loftárás var gerð á þorpið í gærkvöldi.", [(date(2024, 7, 16), "day")]),
        ("Sprengjuárás var gerð á markað í síðustu viku.", [(date(2024, 7, 10), "week")]),
        ("Síðastliðinn miðvikudag var gerð árás á herstöðina.", [(date(2024, 7, 10), "day")]),
        ("Eldflaug var skotið á herstöðina í apríl.", [(date(2024, 4, 15), "month")]),
    ],
)
def test_dates(sentence: str, expected: list[tuple[date, str]]) -> None:
    assert dates(sentence) == expected
