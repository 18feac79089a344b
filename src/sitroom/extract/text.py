"""Text plumbing for the extractor: paragraphs and sentences with character offsets.

The splitter is rule-based and language-neutral: it breaks on sentence-final punctuation
(Latin, Arabic, Devanagari, CJK) followed by space and an uppercase letter, a digit, a quote
or a non-Latin letter, and it never breaks after known abbreviations ("U.S.", "Oct.", "Gen.")
or single initials.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "AlternationReader",
    "Sentence",
    "factored_alternation",
    "finditer_via",
    "fold_chars",
    "fold_letters",
    "ignorecase_key",
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


def factored_alternation(alternatives: Iterable[Sequence[str]], separator: str, *, last: bool = False) -> str:
    """:func:`trie_alternation` of the same token sequences, shorter when many share their ends.

    Each sequence is cut before its first ``separator`` token (its last with ``last``) into a
    head and a rest (the rest starts with the separator, or is empty). Heads followed by the
    same set of rests share one copy of them: ``(?:trie(heads))(?:trie(rests))``, the rests
    optional when one is empty (the heads too).
    ("russische drohne*", "iranische drohne*", "russische rakete*", "iranische rakete*"
    give ``(?:iranische|russische)(?:\\ (?:drohne\\w*|rakete\\w*))``.) Each part matches the
    concatenations of its heads and rests, which are the sequences that part was built from, so
    the whole matches exactly the strings that :func:`trie_alternation` (or a plain alternation)
    of the sequences matches; like it, it says *where* a match can be, not which one.
    """
    rests: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for tokens in alternatives:
        if not tokens:
            continue
        if separator not in tokens:
            cut = len(tokens)
        elif last:
            cut = len(tokens) - 1 - list(reversed(tokens)).index(separator)
        else:
            cut = list(tokens).index(separator)
        rests.setdefault(tuple(tokens[:cut]), set()).add(tuple(tokens[cut:]))
    groups: dict[frozenset[tuple[str, ...]], list[tuple[str, ...]]] = {}
    for head, following in rests.items():
        groups.setdefault(frozenset(following), []).append(head)
    parts = []
    for ends, heads in sorted(groups.items(), key=lambda item: sorted(item[1])):
        lead = trie_alternation(sorted(h for h in heads if h))
        if lead and () in heads:  # a sequence that starts with the separator
            lead = f"(?:{lead})?"
        tails = trie_alternation(sorted(e for e in ends if e))
        if tails:
            tails = f"(?:{tails})" + ("?" if () in ends else "")
        parts.append(f"(?:(?:{lead}){tails})")
    return "|".join(parts)


def finditer_via(
    scan: re.Pattern[str],
    exact: re.Pattern[str] | AlternationReader,
    text: str,
    pos: int = 0,
    endpos: int | None = None,
) -> Iterator[re.Match[str]]:
    """``exact.finditer(text, pos, endpos)``, found faster with ``scan``.

    For patterns that never match an empty string (else pass ``exact`` as ``scan``: that is
    ``finditer`` itself). ``scan`` must match at exactly the positions where ``exact`` matches (the same
    alternatives as a :func:`trie_alternation`, the same flags and bounds). It finds the next
    such position; ``exact`` then reads the match there, so each match (span, groups) is the
    one ``exact.finditer`` gives, and the scan goes on after it as ``finditer`` does.
    """
    end = len(text) if endpos is None else endpos
    if scan is exact or (isinstance(exact, AlternationReader) and scan is exact.whole_if_compiled):
        yield from scan.finditer(text, pos, end)
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


# How CPython's regex engine compares letters under IGNORECASE (the engine's own tables): the
# simple lower case of a character, and the extra letters it treats as one ("i" and "ı").
# CPython's own case tables (private): where a Python lacks them, every character gets one key,
# so a reader compiles the whole alternation, which is slower to start but gives the same matches.
_tolower: Callable[[int], int] | None
_EXTRA_CASES: dict[int, tuple[int, ...]]
try:
    _tolower = importlib.import_module("_sre").unicode_tolower
    _EXTRA_CASES = importlib.import_module("re._casefix")._EXTRA_CASES
except (ImportError, AttributeError):
    _tolower, _EXTRA_CASES = None, {}


def ignorecase_key(ch: str) -> int:
    """One number per class of characters that ``re.IGNORECASE`` lets match one another.

    Python's regex engine compares the simple lower case of a character (``_sre.unicode_tolower``)
    with the lower case of a cased pattern letter, or with one of its extra equivalents ("i" and
    dotless "ı", "s" and long "ſ": ``re._casefix``); an uncased letter matches only itself. So a
    text character can match a pattern letter only when both have the same key.
    """
    if _tolower is None:
        return 0
    lower = _tolower(ord(ch))
    extra = _EXTRA_CASES.get(lower)
    return min(lower, *extra) if extra else lower


class AlternationReader:
    """``re.compile(prefix + "|".join(sources) + suffix, flags)``, its ``match`` without compiling it.

    Each alternative is ``(lead, source)``: ``source`` is its regex, which matches text only if the
    text starts with the literal characters ``lead`` (``""`` when nothing is known, as for a
    ``\\w{0,3}`` head). The whole alternation is one compile of every alternative (a large lexicon's
    phrase list takes a third of a second); :meth:`match` instead compiles, on first use, the
    alternation of only those alternatives whose first letters (up to ``depth``) agree with the
    text at the position, in their original order. At a position the regex engine takes the first
    alternative, in order, that matches there; an alternative left out cannot match there, so the
    match (span and text) is the one the whole alternation gives. The other methods compile the
    whole alternation (once).

    ``prefix`` must be a zero-width assertion (such as ``(?<!\\w)(?:``) and ``suffix`` close it; the
    alternatives must hold no capture groups.
    """

    __slots__ = (
        "_anywhere",
        "_compiled",
        "_index",
        "_key",
        "_parts",
        "_prefixes",
        "_sources",
        "_whole",
        "depth",
        "flags",
    )

    def __init__(
        self,
        alternatives: Iterable[tuple[str, str]],
        *,
        prefix: str,
        suffix: str,
        flags: int = 0,
        depth: int = 3,
    ) -> None:
        self._parts = (prefix, suffix)
        self.flags = flags
        self.depth = depth
        self._key = ignorecase_key if flags & re.IGNORECASE else ord
        sources: list[str] = []
        anywhere: list[int] = []
        index: dict[tuple[int, ...], list[int]] = {}
        for i, (lead, source) in enumerate(alternatives):
            sources.append(source)
            if lead:
                index.setdefault(tuple(self._key(ch) for ch in lead[:depth]), []).append(i)
            else:
                anywhere.append(i)
        self._sources = sources
        self._anywhere = tuple(anywhere)
        self._index = {key: tuple(indices) for key, indices in index.items()}
        self._prefixes = {key[:n] for key in index for n in range(1, len(key) + 1)}
        self._compiled: dict[tuple[int, ...], re.Pattern[str] | None] = {}
        self._whole: re.Pattern[str] | None = None

    @property
    def pattern(self) -> str:
        prefix, suffix = self._parts
        return prefix + "|".join(self._sources) + suffix

    @property
    def whole(self) -> re.Pattern[str]:
        """The whole alternation, compiled (on first use)."""
        if self._whole is None:
            self._whole = re.compile(self.pattern, self.flags)
        return self._whole

    @property
    def whole_if_compiled(self) -> re.Pattern[str] | None:
        return self._whole

    def _candidates(self, key: tuple[int, ...]) -> re.Pattern[str] | None:
        chosen = list(self._anywhere)
        for n in range(1, len(key) + 1):
            chosen.extend(self._index.get(key[:n], ()))
        if not chosen:
            return None
        prefix, suffix = self._parts
        chosen.sort()
        return re.compile(prefix + "|".join(self._sources[i] for i in chosen) + suffix, self.flags)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """``whole.match(text, pos, endpos)``."""
        end = min(endpos, len(text))
        key: tuple[int, ...] = ()
        for ch in text[pos : min(pos + self.depth, end)]:
            longer = (*key, self._key(ch))
            if longer not in self._prefixes:
                break
            key = longer
        try:
            pattern = self._compiled[key]
        except KeyError:
            pattern = self._compiled[key] = self._candidates(key)
        return None if pattern is None else pattern.match(text, pos, endpos)

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.whole.search(text, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        return self.whole.finditer(text, pos, endpos)

    def fullmatch(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.whole.fullmatch(text, pos, endpos)
