import json
from importlib import resources

import pytest

from sitroom.extract.lexicon import REQUIRED_KEYS, available_languages, lexicon_for


@pytest.mark.parametrize("lang", available_languages())
def test_every_lexicon_parses_and_has_the_required_keys(lang: str) -> None:
    raw = json.loads((resources.files("sitroom") / "data" / "lexicon" / f"{lang}.json").read_text("utf-8"))
    assert [k for k in REQUIRED_KEYS if k not in raw] == []
    lex = lexicon_for(lang)
    assert lex is not None and lex.language == lang


def test_numbers_in_words_and_digits() -> None:
    lex = lexicon_for("en")
    assert lex is not None
    assert lex.to_number("1,200") == 1200
    assert lex.to_number("twenty-two") == 22
    assert lex.to_number("dozens") == 12
    assert lex.to_number("several") == 3
    assert lex.to_number("tank") is None


def test_unknown_language_has_no_lexicon() -> None:
    assert lexicon_for("xx") is None
    assert lexicon_for(None) is None


@pytest.mark.parametrize("lang", [lang for lang in available_languages() if lang != "en"])
def test_every_lexicon_covers_the_keys_of_english_with_the_same_types(lang: str) -> None:
    folder = resources.files("sitroom") / "data" / "lexicon"
    english = json.loads((folder / "en.json").read_text("utf-8"))
    other = json.loads((folder / f"{lang}.json").read_text("utf-8"))
    assert sorted(set(english) - set(other)) == []
    mismatched = [k for k in english if type(english[k]) is not type(other[k])]
    assert mismatched == []
    assert sorted(other["triggers"]) == sorted(english["triggers"])  # the same weapon classes


def test_the_languages_the_project_promises_are_there() -> None:
    promised = {"ar", "fa", "ckb", "tr", "he", "ru", "uk", "fr", "es", "pt", "de", "is", "en"}
    assert promised <= set(available_languages())
