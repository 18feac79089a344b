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
