"""Turkish: sentences written for this test, read through the tr lexicon."""

from datetime import date

import pytest

from sitroom.extract.actors import actor_dictionary
from sitroom.extract.dates import find_dates
from sitroom.extract.lexicon import lexicon_for
from sitroom.extract.sentence import SentenceReading, read_sentence

LEX = lexicon_for("tr")
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
            "Salı günü bir araca SİHA saldırısı düzenlendi: 3 kişi öldü, 2 kişi de ağır yaralandı.",
            AIR,
            3,
            2,
            None,
            "Unidentified armed group",
        ),
        (
            "Dün gece Rus İHA'ları Harkov'daki bir konutu vurdu: en az 4 sivil öldü.",
            AIR,
            4,
            None,
            None,
            "Russian forces",
        ),
        (
            "İsrail savaş uçakları dün Gazze'nin güneyinde bir evi bombaladı, 7 kişi hayatını kaybetti.",
            AIR,
            7,
            None,
            None,
            "Israeli forces",
        ),
        (
            "Kızıldeniz'de bir gemiye fırlatılan balistik füze hava savunma sistemleri tarafından düşürüldü.",
            DISRUPTED,
            None,
            None,
            True,
            None,
        ),
        (
            "Mogadişu'da bir otelde intihar saldırısı düzenlendi, en az 12 kişi öldü.",
            SUICIDE,
            12,
            None,
            None,
            "Unidentified armed group",
        ),
        (
            "Yol kenarına yerleştirilen el yapımı patlayıcının infilak etmesi sonucu 2 asker şehit oldu.",
            IED,
            2,
            None,
            None,
            "Unidentified armed group",
        ),
        ("Türkiye'ye ait bir İHA, kırsal bölgede bir aracı vurdu.", AIR, None, None, None, "Turkish forces"),
        ("Mayın patlaması sonucu bir çoban yaralandı.", IED, None, 1, None, "Unidentified armed group"),
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
        "Metal işçileri ücret artışı için greve çıktı.",
        "Fenerbahçe maçın son dakikasında attığı golle rakibini vurdu.",
        "Son bir haftada 44 terörist etkisiz hale getirildi.",
        "Tatbikatta SİHA'lar hedefleri tam isabetle vurdu.",
        "Mutfakta meydana gelen tüp patlamasında iki kişi yaralandı.",
        "Şirket yeni SİHA'ların seri üretimine başladı.",
    ],
)
def test_sentences_that_report_no_attack(sentence: str) -> None:
    assert read(sentence) is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Dün İHA saldırısı düzenlendi.", [(date(2024, 7, 16), "day")]),
        ("Salı günü köye havan topuyla saldırı düzenlendi.", [(date(2024, 7, 16), "day")]),
        ("Geçen cuma bir araç bombalandı.", [(date(2024, 7, 12), "day")]),
        ("14 Temmuz'da bir karakola saldırı düzenlendi.", [(date(2024, 7, 14), "day")]),
        ("Dün gece füzeler limanı vurdu.", [(date(2024, 7, 16), "day")]),
        ("Geçen hafta Şam'da bir bina vuruldu.", [(date(2024, 7, 10), "week")]),
        ("İki gün önce İHA'lar bir üssü hedef aldı.", [(date(2024, 7, 15), "day")]),
    ],
)
def test_dates(sentence: str, expected: list[tuple[date, str]]) -> None:
    assert dates(sentence) == expected
