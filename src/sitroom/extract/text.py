"""Text plumbing for the extractor: paragraphs and sentences with character offsets.

The splitter is rule-based and language-neutral: it breaks on sentence-final punctuation
(Latin, Arabic, Devanagari, CJK) followed by space and an uppercase letter, a digit, a quote
or a non-Latin letter, and it never breaks after known abbreviations ("U.S.", "Oct.", "Gen.")
or single initials.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Sentence", "fold_chars", "fold_letters", "split_sentences"]

_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "sgt",
        "cpl",
        "pvt",
        "adm",
        "cmdr",
        "gov",
        "sen",
        "rep",
        "rev",
        "st",
        "mt",
        "ft",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thurs",
        "fri",
        "sat",
        "sun",
        "no",
        "nos",
        "vol",
        "inc",
        "ltd",
        "co",
        "corp",
        "jr",
        "sr",
        "vs",
        "etc",
        "approx",
        "est",
        "dept",
        "univ",
        "u.s",
        "u.k",
        "u.n",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "al",
        "el",
        "brig",
        "gens",
    ]
)

_BREAK = re.compile(r"[.!?؟।。]+[\"'”’»)]*\s+|\n\s*")


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int  # index of the paragraph (block separated by a newline)


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the '.' at ``dot`` ends an abbreviation or an initial, not a sentence."""
    i = dot
    while i > 0 and (text[i - 1].isalpha() or text[i - 1] == "."):
        i -= 1
    word = text[i:dot].lower()
    if not word:
        return False
    if word in _ABBREVIATIONS or word.rstrip(".") in _ABBREVIATIONS:
        return True
    # single letters / initials such as "J." or "U.S."
    return len(word.replace(".", "")) <= 1 or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", word))


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences with offsets; newlines always end a sentence."""
    sentences: list[Sentence] = []
    paragraph = 0
    start = 0
    for match in _BREAK.finditer(text):
        piece = match.group(0)
        if "\n" not in piece:
            dot = match.start()
            nxt = text[match.end() : match.end() + 1]
            if piece.startswith(".") and _is_abbreviation(text, dot):
                # "Dec. 3", "U.S. forces": keep going unless a capitalised sentence clearly follows
                # an abbreviation that cannot end a phrase (titles, months)
                continue
            if nxt and nxt.isalpha() and nxt.islower():
                continue
        _emit(text, start, match.start() + len(piece.rstrip()), paragraph, sentences)
        if "\n" in piece:
            paragraph += 1
        start = match.end()
    _emit(text, start, len(text), paragraph, sentences)
    return sentences


def _emit(text: str, start: int, end: int, paragraph: int, out: list[Sentence]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start, end, text[start:end], paragraph))


# One-to-one letter folds, so offsets into the folded text are offsets into the original:
# Arabic alef forms, alef maqsura, Persian/Arabic yeh and kaf, Kurdish heh, and the Arabic
# tatweel and diacritics (replaced by a joiner that keeps words whole).
_FOLDS = str.maketrans(
    {
        "\u0623": "\u0627",  # أ -> ا
        "\u0625": "\u0627",  # إ -> ا
        "\u0622": "\u0627",  # آ -> ا
        "\u0671": "\u0627",  # ٱ -> ا
        "\u0649": "\u064a",  # ى -> ي
        "\u06cc": "\u064a",  # ی -> ي
        "\u06a9": "\u0643",  # ک -> ك
    }
)
_MARKS = re.compile("[\u0640\u064b-\u065f\u0670]")  # tatweel, tashkeel, superscript alef


def fold_chars(text: str) -> str:
    """The letter folds alone (for lexicon phrases and keys)."""
    return _MARKS.sub("", text.translate(_FOLDS))


def fold_letters(text: str) -> str:
    """Fold spelling variants of Arabic-script letters, keeping every offset.

    Diacritics and tatweel are removed by moving them to the end of their word, so that
    "مسيّرة" reads as "مسيرة" and the text keeps its length.
    """
    if not _MARKS.search(text) and text.translate(_FOLDS) == text:
        return text
    folded = text.translate(_FOLDS)

    def move(match: re.Match[str]) -> str:
        word = match.group(0)
        marks = "".join(ch for ch in word if _MARKS.match(ch))
        return "".join(ch for ch in word if not _MARKS.match(ch)) + marks

    return re.sub(r"[^\W\d_][\w\u0640\u064b-\u065f\u0670]*", move, folded)
