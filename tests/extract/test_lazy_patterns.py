"""The start-up shortcuts read exactly what the whole alternations read.

* :class:`AlternationReader` compiles only the phrases that can start at a position: its match
  must be the whole alternation's match there (same span, same text), everywhere.
* :func:`ignorecase_key` must give one key to every pair of characters that IGNORECASE matches.
* :func:`factored_alternation` (the long demonym lists' scans) must match at exactly the positions
  of the plain alternation.
"""

from __future__ import annotations

import json
import random
import re
import sys
from importlib import resources

import pytest

from sitroom.extract.actors import actor_dictionary
from sitroom.extract.lexicon import (
    _phrase_tokens,
    _table,
    available_languages,
    lexicon_for,
    load_raw,
    phrase_reader,
    phrase_regex,
    scan_regex,
)
from sitroom.extract.text import (
    AlternationReader,
    factored_alternation,
    finditer_via,
    fold_chars,
    ignorecase_key,
    trie_alternation,
)

LANGUAGES = available_languages()
TRICKY = "İıIiſSsKkµΜμßẞΣσςÅåǅǆ ’'-_.,0123456789\u0640\u064bأاإى"


def _texts(phrases: list[str], seed: int, count: int = 60) -> list[str]:
    """Texts made of phrases (case changed, cut, glued, prefixed, suffixed) and tricky letters."""
    rng = random.Random(seed)
    cores = [p.strip("*") for p in phrases if p.strip("*")]
    texts = []
    for _ in range(count):
        words = []
        for _ in range(rng.randint(1, 8)):
            core = rng.choice(cores)
            roll = rng.random()
            if roll < 0.15:
                core = core.upper()
            elif roll < 0.3:
                core = core.title()
            elif roll < 0.4:
                core = core[: rng.randint(1, len(core))]
            elif roll < 0.5:
                core = rng.choice("ويبلـ") + core
            elif roll < 0.6:
                core = core + rng.choice(["n", "s", "en", "ами", "ة", "-", "’"])
            words.append(core)
            words.append(rng.choice([" ", "  ", ", ", "-", "", " " + rng.choice(TRICKY) + " "]))
        texts.append("".join(words))
    return texts


def _same_everywhere(reader: AlternationReader, whole: re.Pattern[str], text: str) -> None:
    for pos in range(len(text) + 1):
        for end in (len(text), min(len(text), pos + 7), sys.maxsize):
            got, want = reader.match(text, pos, end), whole.match(text, pos, end)
            assert (got and (got.span(), got.group(0))) == (want and (want.span(), want.group(0))), (
                text,
                pos,
                end,
            )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_demonym_reader_matches_the_whole_alternation(lang: str) -> None:
    demonyms = list(_table(load_raw(lang), "demonyms"))
    if not demonyms:
        pytest.skip("no demonyms")
    reader, whole = phrase_reader(demonyms), phrase_regex(demonyms)
    assert reader.pattern == whole.pattern
    for text in _texts(demonyms, seed=len(demonyms)):
        _same_everywhere(reader, whole, text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_actor_reader_matches_the_whole_alternation(lang: str) -> None:
    lex = lexicon_for(lang)
    assert lex is not None
    actors = actor_dictionary(tuple(sorted(lex.raw.get("actors", {}).items())))
    reader = actors.pattern_ci
    whole = re.compile(reader.pattern, re.IGNORECASE)
    aliases = list(actors.by_alias)
    for text in _texts(aliases, seed=7, count=40):
        _same_everywhere(reader, whole, text)
        assert [m.span() for m in finditer_via(actors.scan_ci, reader, text)] == [
            m.span() for m in whole.finditer(text)
        ]


def test_reader_keeps_the_order_of_the_alternatives() -> None:
    # the first alternative that matches wins, even when a later one is longer
    reader = AlternationReader(
        [("ab", "ab"), ("", r"\w{0,3}b"), ("a", r"a\w*"), ("abc", "abc")],
        prefix=r"(?<!\w)(?:",
        suffix=r")(?!\w)",
        flags=re.IGNORECASE,
    )
    whole = re.compile(reader.pattern, re.IGNORECASE)
    for text in ["ab", "abc", "ABC d", "xab", "zb", "a", "", "ab abc", "ıb", "İb"]:
        _same_everywhere(reader, whole, text)


def test_ignorecase_key_covers_what_ignorecase_matches() -> None:
    """Every character that IGNORECASE lets match a phrase's leading letter has its key."""
    everything = "".join(chr(i) for i in range(sys.maxunicode + 1))
    words: list[str] = []
    for lang in LANGUAGES:
        for value in load_raw(lang).values():
            if isinstance(value, dict | list):
                words.extend(w for w in value if isinstance(w, str))
    actors = json.loads((resources.files("sitroom") / "data" / "actors.json").read_text(encoding="utf-8"))
    for actor in actors["actors"]:
        words.extend([actor["name"], *actor["aliases"]])
    letters = set(TRICKY)
    for word in words:
        letters.update(fold_chars(word.strip("*"))[:3])
    for letter in letters:
        key = ignorecase_key(letter)
        for m in re.finditer(re.escape(letter), everything, re.IGNORECASE):
            assert ignorecase_key(m.group(0)) == key, (letter, m.group(0))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_factored_scan_matches_where_the_alternation_matches(lang: str) -> None:
    demonyms = list(_table(load_raw(lang), "demonyms"))
    if not demonyms:
        pytest.skip("no demonyms")
    tokens = [_phrase_tokens(p) for p in demonyms]
    scans = [scan_regex(demonyms, factored=True)] + [
        re.compile(rf"(?<!\w)(?:{factored_alternation(tokens, re.escape(' '), last=last)})(?!\w)", re.I)
        for last in (False, True)
    ]
    plain = re.compile(rf"(?<!\w)(?:{trie_alternation(tokens)})(?!\w)", re.I)
    whole = phrase_regex(demonyms)
    for text in _texts(demonyms, seed=3, count=40):
        starts = [pos for pos in range(len(text) + 1) if whole.match(text, pos)]
        assert [pos for pos in range(len(text) + 1) if plain.match(text, pos)] == starts
        for scan in scans:
            assert scan is not None
            assert [pos for pos in range(len(text) + 1) if scan.match(text, pos)] == starts


def test_factored_alternation_edge_cases() -> None:
    phrases = [["a", "b"], ["a", "b", " ", "c"], [" ", "d"], ["x", " ", "c"], ["x"], ["y", " "]]
    for last in (False, True):
        body = factored_alternation(phrases, " ", last=last)
        pattern = re.compile(f"(?:{body})$")
        for text in ["ab", "ab c", " d", "x c", "x", "y ", "a", "ab d", "x d", "y", " c", ""]:
            want = any(text == "".join(p) for p in phrases)
            assert bool(pattern.match(text)) is want, (last, text, body)


def test_without_cpythons_case_tables_a_reader_still_matches_like_the_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Python without ``_sre.unicode_tolower``: one key for every character, same matches."""
    from sitroom.extract import text as text_module

    monkeypatch.setattr(text_module, "_tolower", None)
    assert {text_module.ignorecase_key(ch) for ch in "aAıİſsK"} == {0}
    reader = text_module.AlternationReader(
        [("kh", r"kharkiv\w*"), ("ky", r"kyiv"), ("", r"\w{0,3}dnipro")],
        prefix=r"(?<!\w)(?:",
        suffix=r")(?!\w)",
        flags=re.IGNORECASE,
    )
    for sample in ("KHARKIVSKA oblast", "Kyiv", "xxdnipro", "Lviv"):
        found = reader.match(sample)
        whole = reader.whole.match(sample)
        assert (found and found.span()) == (whole and whole.span())
