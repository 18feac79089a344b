"""Text plumbing for the extractor: paragraphs and sentences with character offsets.

The splitter is rule-based and language-neutral: it breaks on sentence-final punctuation
(Latin, Arabic, Devanagari, CJK) followed by space and an uppercase letter, a digit, a quote
or a non-Latin letter, and it never breaks after known abbreviations ("U.S.", "Oct.", "Gen.")
or single initials.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Sentence",
    "finditer_via",
    "fold_chars",
    "fold_letters",
    "split_sentences",
    "trie_alternation",
]

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


# ---------------------------------------------------------------- fast alternations


def trie_alternation(alternatives: Iterable[Sequence[str]]) -> str:
    """One regex alternation of token sequences, written as a prefix tree of the tokens.

    ``[["d", "r", "o", "n", "e"], ["d", "r", "o", "n", "e", "s"]]`` gives ``drone(?:s)?``: each path
    from the root to an end is one alternative, so it matches exactly the strings that
    ``alternative1|alternative2|...`` matches. Python's regex engine tries every branch of an
    alternation at every position; with hundreds of phrases that is most of the extractor's
    time, and the tree makes it a few branches per character. The order of the alternatives
    is lost: use it to find *where* a match starts (:func:`finditer_via`), not which one.
    """
    root: dict[str, Any] = {}
    for tokens in alternatives:
        if not tokens:
            continue
        node = root
        for token in tokens:
            node = node.setdefault(token, {})
        node[""] = {}  # an alternative ends here

    def render(node: dict[str, Any]) -> str:
        parts = [token + render(child) for token, child in sorted(node.items()) if token]
        if not parts:
            return ""
        if "" in node:
            return "(?:" + "|".join(parts) + ")?"
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"

    return render(root)


def finditer_via(
    scan: re.Pattern[str], exact: re.Pattern[str], text: str, pos: int = 0, endpos: int | None = None
) -> Iterator[re.Match[str]]:
    """``exact.finditer(text, pos, endpos)``, found faster with ``scan``.

    For patterns that never match an empty string (else pass ``exact`` as ``scan``: that is
    ``finditer`` itself). ``scan`` must match at exactly the positions where ``exact`` matches (the same
    alternatives as a :func:`trie_alternation`, the same flags and bounds). It finds the next
    such position; ``exact`` then reads the match there, so each match (span, groups) is the
    one ``exact.finditer`` gives, and the scan goes on after it as ``finditer`` does.
    """
    end = len(text) if endpos is None else endpos
    if scan is exact:
        yield from exact.finditer(text, pos, end)
        return
    while pos <= end:
        hit = scan.search(text, pos, end)
        if hit is None:
            return
        m = exact.match(text, hit.start(), end)
        if m is None:  # not expected when both hold the same alternatives
            pos = hit.start() + 1
            continue
        yield m
        pos = m.end() if m.end() > m.start() else m.end() + 1  # (an empty match: step on)
