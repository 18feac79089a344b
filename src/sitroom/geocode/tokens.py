"""Tokens, word lists and match records shared by the scanner (see :mod:`sitroom.geocode.gazetteer`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sitroom.geocode.text import APOSTROPHES, TOKEN_RE, normalise_token, word_list

__all__ = [
    "ABBREVIATIONS",
    "ADMIN_AFTER",
    "ADMIN_BEFORE",
    "ADMIN_WORDS",
    "ARABIC_PROCLITICS",
    "CYRILLIC_COUNTRIES",
    "DEMONYM_SUFFIXES",
    "HEBREW_PREFIXES",
    "MAX_TOKENS",
    "PLACE_LEADS",
    "STEM_MIN_POP",
    "Hit",
    "Tokens",
    "is_cased",
    "tokenise",
]

MAX_TOKENS = 8
ARABIC_PROCLITICS = (
    "وبال",
    "وال",
    "بال",
    "فال",
    "كال",
    "ولل",
    "لل",
    "وب",
    "ول",
    "فب",
    "و",
    "ب",
    "ل",
    "ف",
    "ك",
)
HEBREW_PREFIXES = frozenset("ובהלמשכ")
#: Words that may stand capitalised right before a place without making it a surname.
_PLACE_LEADS_RAW = frozenset(
    [
        "in",
        "at",
        "near",
        "of",
        "from",
        "to",
        "on",
        "for",
        "by",
        "and",
        "or",
        "but",
        "the",
        "a",
        "an",
        "into",
        "outside",
        "inside",
        "across",
        "around",
        "over",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "north",
        "south",
        "east",
        "west",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
        "greater",
        "upper",
        "lower",
        "old",
        "downtown",
        "rural",
        "occupied",
        "province",
        "city",
        "town",
        "village",
        "district",
        "region",
        "state",
        "governorate",
        "oblast",
        "camp",
        "base",
        "airport",
        "port",
        "strike",
        "strikes",
        "attack",
        "attacks",
    ]
)
#: Administrative words after an admin1 name ("Anbar province"); Cyrillic ones as stems.
_ADMIN_AFTER_RAW = frozenset(
    [
        "province",
        "provinces",
        "governorate",
        "governorates",
        "region",
        "regions",
        "state",
        "oblast",
        "district",
        "county",
        "prefecture",
        "department",
        "division",
        "territory",
        "krai",
        "kray",
        "voivodeship",
        "emirate",
        "wilaya",
        "wilayah",
        "област",
        "краи",
        "регион",
        "провинци",
    ]
)
#: Arabic/Persian/Kurdish administrative words before an admin1 name ("محافظة نينوى").
ADMIN_BEFORE = frozenset({"محافظه", "ولايه", "استان", "اقليم", "منطقه", "مقاطعه", "پاريزگاي", "ولايت"})
_ADMIN_WORDS_RAW = (
    "province",
    "governorate",
    "region",
    "state",
    "oblast",
    "district",
    "county",
    "prefecture",
    "department",
    "division",
    "territory",
    "krai",
    "republic",
)
#: Inflected (stemmed) Cyrillic readings are tried for towns of at least this size only.
STEM_MIN_POP = 15000
CYRILLIC_COUNTRIES = frozenset({"RU", "UA", "BY", "BG", "RS", "MK", "KZ", "KG", "TJ", "MN", "ME", "BA"})
SENTENCE_GAP = re.compile(r"[.!?\n:;\"“”«»()\[\]|•·–—]")
JOIN_GAP = re.compile(r"[ \t\u00a0\u202f]{1,3}|[ \t\u00a0]?[-‐‑][ \t\u00a0]?")
_ABBREVIATIONS_RAW = frozenset({"st", "ste", "mt", "ft", "pt", "sta", "u", "s", "dr", "d", "r"})
_DEMONYM_SUFFIXES_RAW = frozenset(
    [
        "led",
        "backed",
        "based",
        "born",
        "linked",
        "aligned",
        "allied",
        "controlled",
        "held",
        "made",
        "supplied",
        "sponsored",
        "funded",
        "run",
        "owned",
        "affiliated",
    ]
)

#: What may follow an apostrophe at the end of a place name: English possessive, Turkish case endings.
SUFFIXES_AFTER_APOSTROPHE = frozenset(
    word_list(
        "s da de ta te dan den tan ten daki deki taki teki nin nın nun nün in ın un ün a e ya ye yla yle "
        "la le i ı u ü yi yı yu yü dir dır"
    )
)
PLACE_LEADS = frozenset(normalise_token(w) for w in _PLACE_LEADS_RAW)
ADMIN_AFTER = frozenset(normalise_token(w) for w in _ADMIN_AFTER_RAW)
DEMONYM_SUFFIXES = frozenset(normalise_token(w) for w in _DEMONYM_SUFFIXES_RAW)
ABBREVIATIONS = frozenset(normalise_token(w) for w in _ABBREVIATIONS_RAW)
ADMIN_WORDS = tuple(normalise_token(w) for w in _ADMIN_WORDS_RAW)


@dataclass(frozen=True, slots=True)
class Tokens:
    starts: list[int]
    ends: list[int]
    norms: list[str]
    joinable: list[bool]  # joinable[k]: tokens k and k+1 may belong to one name
    sentence_start: list[bool]
    heads: dict[int, tuple[str, int]]  # token -> (norm of the part before the first apostrophe, its end)
    tails: dict[int, tuple[str, int]]  # token -> (norm of the part after the last apostrophe, its start)


def tokenise(text: str) -> Tokens:
    starts: list[int] = []
    ends: list[int] = []
    norms: list[str] = []
    heads: dict[int, tuple[str, int]] = {}
    tails: dict[int, tuple[str, int]] = {}
    for m in TOKEN_RE.finditer(text):
        raw = m.group()
        norm = normalise_token(raw)
        if not norm:
            continue
        k = len(norms)
        starts.append(m.start())
        ends.append(m.end())
        norms.append(norm)
        if not raw.isalnum() and any(ch in APOSTROPHES for ch in raw):
            marks = [i for i, ch in enumerate(raw) if ch in APOSTROPHES]
            first, last = marks[0], marks[-1]
            head, tail = raw[:first], raw[last + 1 :]
            if head and raw[last + 1 :].casefold() in SUFFIXES_AFTER_APOSTROPHE:  # "Iraq's", "Irak'ın"
                heads[k] = (normalise_token(head), m.start() + first)
            if tail and last <= 4:  # "l'Irak", "d'Alep", "dell'Iraq"
                tails[k] = (normalise_token(tail), m.start() + last + 1)
    n = len(norms)
    joinable = [False] * max(n - 1, 0)
    sentence_start = [True] + [False] * max(n - 1, 0)
    for k in range(n - 1):
        gap = text[ends[k] : starts[k + 1]]
        if gap == " ":
            joinable[k] = True
            continue
        abbreviation = gap.startswith(".") and norms[k] in ABBREVIATIONS and (gap == "." or gap[1:].isspace())
        if abbreviation or JOIN_GAP.fullmatch(gap):
            joinable[k] = True
        if not abbreviation and SENTENCE_GAP.search(gap):
            sentence_start[k + 1] = True
    return Tokens(starts, ends, norms, joinable, sentence_start, heads, tails)


def is_cased(ch: str) -> bool:
    return ch.lower() != ch.upper()


@dataclass(frozen=True, slots=True)
class Hit:
    first: int  # first token
    last: int  # last token (inclusive)
    start: int  # character offsets
    end: int
    key: str
    blocked: bool = False  # a stoplist phrase: consumes the tokens, yields no match
    stem: bool = False  # ``key`` is a Cyrillic stem key
    admin1_only: bool = False  # "Anbar province": keep the admin1 candidates only
