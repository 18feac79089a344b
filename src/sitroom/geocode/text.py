"""Text normalisation and tokenisation shared by the gazetteer builder and the scanner.

Names and texts are compared token by token on a *normalised* form:

* case-folded; diacritics stripped (NFKD, combining marks dropped) for every script, so
  "Kirkūk" = "Kirkuk", "Харьков" keeps its letters but loses a breve on "й";
* letters that do not decompose are mapped by hand (ø→o, ł→l, ı→i, ß→ss, æ→ae ...);
* Arabic script: alef variants أ إ آ ٱ → ا, ى/ی → ي, ک → ك, ة → ه, tatweel and tashkeel
  removed; Persian ZWNJ/ZWJ removed; Arabic-Indic digits → ASCII;
* apostrophes of every kind are removed inside a token ("Qa'im" = "Qaim"), while hyphens,
  spaces and other punctuation separate tokens ("Ain al-Asad" = "Ain Al Asad");
* Latin transliterations of Arabic name elements are folded ("Deir al-Balah" = "Dayr el Balah",
  "Khan Younis" = "Khan Yunis", "Raqqah" = "Raqqa"); see :func:`_fold_latin`.

The build script stores names already normalised with :func:`name_key`, so any change here
must bump :data:`NORMALISER_VERSION` (the loader refuses files built with another version).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "APOSTROPHES",
    "ARABIC_ARTICLES",
    "NORMALISER_VERSION",
    "Token",
    "cyrillic_stem",
    "cyrillic_stems",
    "is_arabic_script",
    "is_cyrillic",
    "is_hebrew",
    "name_key",
    "name_tokens",
    "normalise_token",
    "script_of",
    "tokenize",
    "word_list",
]

#: Bump whenever :func:`normalise_token` or :func:`tokenize` changes behaviour.
NORMALISER_VERSION = 2

APOSTROPHES = "'’‘ʼʻʿʾ`´′‛"

#: Transliterated Arabic articles ("al-Tanf", "ash-Shaddadi", "ad-Dawr") after normalisation,
#: which folds them all to "al" (see :func:`_fold_latin`).
ARABIC_ARTICLES = frozenset({"al"})


def _combining_class() -> str:
    """Regex character-class body for the combining marks of the BMP (not matched by ``\\w``)."""
    ranges: list[tuple[int, int]] = []
    for block_start, block_end in ((0x0300, 0x2000), (0x20D0, 0x2100), (0xFE00, 0xFE30)):
        for cp in range(block_start, block_end):
            if unicodedata.category(chr(cp)) in ("Mn", "Mc", "Me"):
                if ranges and ranges[-1][1] == cp - 1:
                    ranges[-1] = (ranges[-1][0], cp)
                else:
                    ranges.append((cp, cp))
    return "".join(f"\\u{a:04x}-\\u{b:04x}" if a != b else f"\\u{a:04x}" for a, b in ranges)


_MARKS = _combining_class()
_WORD = f"(?:[^\\W_]|[{_MARKS}\\u200c\\u200d])"
_APOS_CLASS = re.escape(APOSTROPHES)
#: A token: letters/digits/marks, possibly joined by apostrophes ("Qa'im", "N'Djamena", "Iraq's").
TOKEN_RE = re.compile(f"{_WORD}+(?:[{_APOS_CLASS}]{_WORD}+)*")
_MARK_SET = frozenset(
    chr(cp) for cp in range(0x0300, 0x2000) if unicodedata.category(chr(cp)).startswith("M")
)

# Applied before NFKD (case-folded text).
_PRE = str.maketrans(
    {
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
        "ħ": "h",
        "ŧ": "t",
        "ŀ": "l",
        "ĸ": "k",
        "ɨ": "i",
        "ʉ": "u",
        "ə": "e",
        "ɛ": "e",
        "ɔ": "o",
        "ŋ": "n",
        "ƙ": "k",
        "ɗ": "d",
        "ɓ": "b",
        "ƴ": "y",
        "\u0640": None,  # tatweel
        "\u200c": None,  # ZWNJ
        "\u200d": None,  # ZWJ
        "\u200e": None,
        "\u200f": None,
        "\u00ad": None,  # soft hyphen
        **{ch: None for ch in APOSTROPHES},
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
    }
)

# Applied after NFKD and mark removal.
_POST = str.maketrans(
    {
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",
        "ې": "ي",
        "ک": "ك",
        "ة": "ه",
        "ۀ": "ه",
        "ە": "ه",
        "ھ": "ه",
        "ہ": "ه",
        "ۃ": "ه",
    }
)


def script_of(ch: str) -> str:
    """Coarse script of one letter: latin, arabic, cyrillic, hebrew, greek or other."""
    if ch < "\u0250":
        return "latin" if ch.isalpha() else "other"
    if "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or "\ufb50" <= ch <= "\ufeff":
        return "arabic"
    if "\u0400" <= ch <= "\u052f":
        return "cyrillic"
    if "\u0590" <= ch <= "\u05ff":
        return "hebrew"
    if "\u0370" <= ch <= "\u03ff":
        return "greek"
    if "\u1e00" <= ch <= "\u1eff" or "\u0250" <= ch <= "\u02af":
        return "latin"
    return "other"


def is_arabic_script(token: str) -> bool:
    return bool(token) and script_of(token[0]) == "arabic"


def is_cyrillic(token: str) -> bool:
    return bool(token) and script_of(token[0]) == "cyrillic"


def is_hebrew(token: str) -> bool:
    return bool(token) and script_of(token[0]) == "hebrew"


def word_list(text: str) -> list[str]:
    """The whitespace-separated words of a literal (keeps word lists readable)."""
    return text.split()


#: Spellings of common Arabic name elements in Latin transliteration, folded to one form.
_LATIN_VARIANTS: dict[str, str] = {
    **dict.fromkeys(word_list("al el ad adh ar as ash at ath az an ed er es et ez"), "al"),
    **dict.fromkeys(word_list("deir dayr dair deyr"), "dayr"),
    **dict.fromkeys(word_list("beit bayt beyt bait"), "bayt"),
    **dict.fromkeys(word_list("tal tall tel tell"), "tal"),
    **dict.fromkeys(word_list("kafr kfar kefar kfr"), "kafr"),
    **dict.fromkeys(word_list("abu abou"), "abu"),
    **dict.fromkeys(word_list("umm um oum"), "umm"),
    **dict.fromkeys(word_list("jabal jebel jabel djebel jbel gebel"), "jabal"),
    **dict.fromkeys(word_list("wadi oued ouadi wady"), "wadi"),
    **dict.fromkeys(word_list("ain ayn ein"), "ayn"),
    **dict.fromkeys(word_list("sheikh shaykh sheik shaikh cheikh"), "shaykh"),
    **dict.fromkeys(word_list("bani beni banu"), "bani"),
    **dict.fromkeys(word_list("qasr kasr"), "qasr"),
    **dict.fromkeys(word_list("madinat medinat madinet"), "madinat"),
}
_DOUBLE = re.compile(r"([a-z])\1+")


def _fold_latin(word: str) -> str:
    """Fold transliteration variants of a lowercase ASCII word.

    Articles ("al-", "el-", "ash-", "ad-") become "al"; common name elements share one form
    ("Deir"/"Dayr", "Beit"/"Bayt", "Tal"/"Tell"); in words of five letters or more doubled
    letters are single ("Raqqa" = "Raqa"); "ou" is "u" ("Younis" = "Yunis"); "q" is "k"
    ("Iraq" = "Irak"); in words of six letters or more a final "ah"/"eh" is "a" ("Raqqah" =
    "Raqqa", "Hasakeh" = "Hasakah"). Applied to names and texts alike, so it only ever merges
    spellings.
    """
    variant = _LATIN_VARIANTS.get(word)
    if variant is not None:
        return variant
    out = _DOUBLE.sub(r"\1", word) if len(word) >= 5 else word
    out = out.replace("ou", "u").replace("q", "k")
    if len(word) >= 6 and (out.endswith("ah") or out.endswith("eh")):
        out = out[:-2] + "a"
    return out


@lru_cache(maxsize=1 << 16)
def normalise_token(token: str) -> str:
    """The comparison form of one token (see the module docstring)."""
    if token.isascii():
        lowered = token.lower()
        if "'" in lowered or "`" in lowered:
            lowered = lowered.replace("'", "").replace("`", "")
        return _fold_latin(lowered) if lowered.isalpha() else lowered
    folded = token.casefold().translate(_PRE)
    decomposed = unicodedata.normalize("NFKD", folded)
    stripped = "".join(ch for ch in decomposed if ch not in _MARK_SET).translate(_POST)
    if stripped.isascii() and stripped.isalpha():
        return _fold_latin(stripped)
    return stripped


def name_tokens(name: str) -> list[str]:
    """Normalised tokens of a name (empty tokens dropped)."""
    out: list[str] = []
    for m in TOKEN_RE.finditer(name):
        norm = normalise_token(m.group())
        if norm:
            out.append(norm)
    return out


def name_key(name: str) -> str:
    """The dictionary key of a name: its normalised tokens joined by single spaces."""
    return " ".join(name_tokens(name))


@dataclass(frozen=True, slots=True)
class Token:
    """One token of a scanned text with its offsets and normalised form."""

    start: int
    end: int
    text: str
    norm: str


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text`` with character offsets (tokens that normalise to nothing are dropped)."""
    out: list[Token] = []
    for m in TOKEN_RE.finditer(text):
        raw = m.group()
        norm = normalise_token(raw)
        if norm:
            out.append(Token(m.start(), m.end(), raw, norm))
    return out


_CYR_ENDINGS_RAW = (
    "ами ями ого его ому ему ыми ими ской ского скому ском ская ское ские ских ский скую "
    "ой ей ий ый ая яя ое ее ом ем ам ям ах ях ою ею ую юю ии ью "
    "а я о е и ы у ю ь й і ї є"
)
#: Endings in their normalised form ("й" loses its breve and becomes "и"), by length.
_CYR_ENDINGS = frozenset(normalise_token(e) for e in _CYR_ENDINGS_RAW.split())
_CYR_LENGTHS = tuple(sorted({len(e) for e in _CYR_ENDINGS}, reverse=True))


def cyrillic_stem(norm: str) -> str:
    """A crude stem of a normalised Cyrillic token for case-inflected forms.

    "харьков", "харькове", "харькова", "харьковом" share the stem "харьков";
    "москва"/"москвы" share "москв"; adjectival region names "харьковская"/"харьковской"
    share "харьков". Stems shorter than 5 letters are not produced ("брянская" -> "брянск", not
    "брян"), so a name keeps enough of itself to be told apart.
    """
    size = len(norm)
    for n in _CYR_LENGTHS:
        if size - n >= 5 and norm[-n:] in _CYR_ENDINGS:
            return norm[:-n]
    return norm


def cyrillic_stems(norm: str) -> tuple[str, ...]:
    """Every reading of a normalised Cyrillic token, longest first: itself, then minus each ending.

    The scanner tries them in turn against names stemmed with :func:`cyrillic_stem`, so
    "россии" is read as "росси" (Russia) before "росс", and "курской" reaches "курск".
    """
    out = [norm]
    size = len(norm)
    for n in reversed(_CYR_LENGTHS):
        if size - n >= 4 and norm[-n:] in _CYR_ENDINGS:
            out.append(norm[:-n])
    return tuple(out)
