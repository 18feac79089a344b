"""The yes/no scans that stand in for lexicon patterns find something exactly where they do."""

from __future__ import annotations

import pytest

from sitroom.extract.dates import _patterns
from sitroom.extract.lexicon import (
    _list,
    available_languages,
    lexicon_for,
    non_event_scan,
    phrase_scans,
)


def _samples(lang: str) -> list[str]:
    lex = lexicon_for(lang)
    assert lex is not None
    words = [
        w for key in ("non_events", "violence_verbs", "hedges", "civilian_words") for w in _list(lex.raw, key)
    ]
    words += [*lex.months, *lex.weekdays]
    out = ["", "nothing here at all", "x"]
    for w in words[:60]:
        core = w.strip("*")
        out += [core, f"a {core} b", f"a{core}", f"{core}s and", core.upper(), f"({core})"]
    return out


@pytest.mark.parametrize("lang", available_languages())
def test_scans_agree_with_the_patterns(lang: str) -> None:
    lex = lexicon_for(lang)
    assert lex is not None
    scans = phrase_scans(lex)
    words = _patterns(lex).words
    for text in _samples(lang):
        assert bool(non_event_scan(lex).search(text)) == bool(lex.non_events.search(text)), text
        for field, scan in scans.items():
            assert bool(scan.search(text)) == bool(getattr(lex, field).search(text)), (field, text)
        if words is not None and words.search(text) is None:
            pats = _patterns(lex)
            for pat in (
                pats.month_day,
                pats.day_month,
                pats.month_only,
                pats.weekday,
                pats.relative,
                pats.context,
            ):
                assert pat.search(text) is None, text
