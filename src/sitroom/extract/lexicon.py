"""Per-language lexicons: data files under ``sitroom/data/lexicon/<lang>.json``, compiled once.

A lexicon holds the words of news about attacks in one language: trigger words per weapon
class, casualty patterns, number words, month and weekday names, relative-date words,
hedges, claims, non-event contexts and boilerplate. Code never hard-codes these words;
adding a language means adding a data file (see docs/adding-a-language.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from sitroom.errors import DataFileError
from sitroom.extract.text import (
    AlternationReader,
    factored_alternation,
    finditer_via,
    fold_chars,
    trie_alternation,
)

__all__ = [
    "Lexicon",
    "available_languages",
    "lexicon_for",
    "may_hold_trigger",
    "non_event_scan",
    "phrase_reader",
    "phrase_regex",
    "phrase_scans",
    "stem_lookup",
]

T = TypeVar("T")

#: Keys every lexicon file must define (checked by tests and on load).
REQUIRED_KEYS = (
    "language",
    "months",
    "weekdays",
    "relative_days",
    "numbers",
    "triggers",
    "weapon_labels",
    "interception",
    "impact",
    "kill_words",
    "injure_words",
    "casualty_patterns",
    "casualty_nouns",
    "zero_casualties",
    "claim_patterns",
    "hedges",
    "non_events",
    "hypothetical",
    "aggregate",
    "boilerplate_lines",
    "weak_triggers",
    "past_violence",
    "generic_attack",
    "strike_words",
    "launch_words",
    "agent_markers",
    "attacker_verbs",
    "target_markers",
    "armed_people",
    "claimed_toll_markers",
    "civilian_words",
    "military_target_words",
)


def _phrase_parts(phrases: list[str] | tuple[str, ...]) -> list[tuple[str, str]]:
    """The alternatives of :func:`phrase_body`, in its order: (the literal letters a match starts
    with, or "" after a ``*`` head; the regex of the phrase)."""
    items = sorted({p for p in phrases if p}, key=len, reverse=True)
    parts = []
    for p in items:
        head = r"\w{0,3}" if p.startswith("*") else ""
        tail = r"\w*" if p.endswith("*") and len(p) > 1 else ""
        core = fold_chars(p.strip("*"))
        parts.append(("" if head else core, head + re.escape(core) + tail))
    return parts


def phrase_body(phrases: list[str] | tuple[str, ...]) -> str:
    """Regex alternation of phrases, longest first.

    A phrase is literal, except that a leading ``*`` admits attached prefixes (Arabic
    clitics: ``*قصف`` matches وقصف) and a trailing ``*`` admits endings (inflection:
    ``беспилотник*`` matches беспилотника).
    """
    return "|".join(source for _lead, source in _phrase_parts(phrases))


# re.escape(ch) of a single character, for the characters it changes (all ASCII)
_ESCAPED = {chr(i): re.escape(chr(i)) for i in range(128) if re.escape(chr(i)) != chr(i)}

#: a phrase list this long is scanned with a factored_alternation when asked (see scan_regex)
_FACTOR_FROM = 1000


def _phrase_tokens(phrase: str) -> list[str]:
    """The regex tokens of one phrase as :func:`phrase_body` writes it: head, escaped letters, tail."""
    head = [r"\w{0,3}"] if phrase.startswith("*") else []
    tail = [r"\w*"] if phrase.endswith("*") and len(phrase) > 1 else []
    escaped = _ESCAPED.get
    return head + [escaped(ch, ch) for ch in fold_chars(phrase.strip("*"))] + tail


def scan_regex(
    phrases: list[str] | tuple[str, ...], *, flags: int = re.IGNORECASE, factored: bool = False
) -> re.Pattern[str] | None:
    """:func:`phrase_regex` written as a prefix tree (:func:`trie_alternation`).

    It matches at the same positions as ``phrase_regex(phrases)``, much faster; read the match
    itself with ``phrase_regex`` or :func:`phrase_reader` (see
    :func:`~sitroom.extract.text.finditer_via`). ``None`` when a phrase has no letters ("*", which
    would match an empty string): use the alternation itself. With ``factored``, a long list is
    written as a :func:`~sitroom.extract.text.factored_alternation` (the same positions, a fraction
    of the pattern to compile; for lists whose phrases combine a few words, such as demonyms by
    weapons: scanning it is no faster, so the lists scanned on every document keep the tree).
    """
    if any(p and not p.strip("*") for p in phrases):
        return None
    tokens = [_phrase_tokens(p) for p in phrases if p]
    if not factored or len(tokens) < _FACTOR_FROM:
        body = trie_alternation(tokens)
    else:
        # a long list of a demonym by a weapon ("russische drohne*", "iranische drohne*"...): the
        # same alternatives with the words that many phrases share written once, the shorter of
        # the two cuts; a tenth or less to compile
        body = min(
            (factored_alternation(tokens, re.escape(" "), last=last) for last in (False, True)), key=len
        )
    if not body:
        return re.compile(r"(?!x)x")
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", flags)


def phrase_regex(phrases: list[str] | tuple[str, ...], *, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """One alternation of phrases (see :func:`phrase_body`), bounded by non-word characters."""
    body = phrase_body(phrases)
    if not body:
        return re.compile(r"(?!x)x")
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", flags)


def phrase_reader(phrases: list[str] | tuple[str, ...], *, flags: int = re.IGNORECASE) -> AlternationReader:
    """``phrase_regex(phrases)`` as an :class:`~sitroom.extract.text.AlternationReader`: its
    ``match`` is ``phrase_regex(phrases).match``, compiling only the phrases that can start at the
    position (for reading what a :func:`scan_regex` found, with ``finditer_via``)."""
    parts = _phrase_parts(phrases)
    if not parts:
        return AlternationReader([("", r"(?!x)x")], prefix="", suffix="")
    return AlternationReader(parts, prefix=r"(?<!\w)(?:", suffix=r")(?!\w)", flags=flags)


class _PhrasePatterns(Mapping[str, re.Pattern[str]]):
    """``{key: phrase_regex(phrases)}``, each pattern compiled when first asked for."""

    def __init__(self, phrases: dict[str, list[str]]) -> None:
        self._phrases = phrases
        self._compiled: dict[str, re.Pattern[str]] = {}

    def __getitem__(self, key: str) -> re.Pattern[str]:
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = phrase_regex(self._phrases[key])
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._phrases)

    def __len__(self) -> int:
        return len(self._phrases)


@dataclass(frozen=True, slots=True, eq=False)
class Lexicon:
    language: str
    raw: dict[str, Any]
    months: dict[str, int]
    weekdays: dict[str, int]
    numbers: dict[str, int]
    triggers: Mapping[str, re.Pattern[str]]  # per weapon class (compiled when first asked for)
    trigger_any: re.Pattern[str]  # one named group per weapon class: (?P<drone>...)|(?P<missile>...)
    trigger_scan: re.Pattern[str]  # the same phrases as a prefix tree: where trigger_any can match
    weak_triggers: re.Pattern[str]
    weapon_labels: dict[str, str]
    weapon_refinements: dict[str, str]
    number: re.Pattern[str]
    casualty: tuple[tuple[str, re.Pattern[str], int | None], ...]  # (field, pattern, fixed value)
    interception: re.Pattern[str]
    impact: re.Pattern[str]
    no_impact: re.Pattern[str]
    kill: re.Pattern[str]
    injure: re.Pattern[str]
    zero_casualties: re.Pattern[str]
    zero_fatalities: re.Pattern[str]
    claims: re.Pattern[str]
    no_claim: re.Pattern[str]
    hedges: re.Pattern[str]
    non_events: re.Pattern[str]
    hypothetical: re.Pattern[str]
    aggregate: re.Pattern[str]
    boilerplate: re.Pattern[str]
    corrections: re.Pattern[str]
    aircraft: re.Pattern[str]
    violence: re.Pattern[str]
    civilian: re.Pattern[str]
    military_target: re.Pattern[str]
    origin: re.Pattern[str]
    past_violence: re.Pattern[str]
    generic_attack: re.Pattern[str]
    strike_words: re.Pattern[str]
    launch_words: re.Pattern[str]
    agent_before: re.Pattern[str]  # matches the end of the text before an agent ("... by the ")
    attacker_after: re.Pattern[str]  # matches the start of the text after an attacker
    target_before: re.Pattern[str]
    armed_people: re.Pattern[str]
    claimed_toll: re.Pattern[str]
    demonyms: AlternationReader | None  # the lexicon's own country adjectives, if any
    demonym_scan: re.Pattern[str] | None  # the same as a prefix tree: where demonyms can match
    demonym_table: dict[str, str]
    demonym_stems: StemIndex
    place_aliases: re.Pattern[str] | None  # local place-name forms ("Íraks", "Sýrland*")
    place_table: dict[str, str]
    place_stems: StemIndex
    locative: frozenset[str]  # prepositions that make a country name a place ("in Syria")
    inside: frozenset[str]  # the "in" among them: a place even where the name is also an actor
    fillers: frozenset[str]  # words allowed between the preposition and the name ("the northern")
    passive_after: re.Pattern[str]  # "Kharkiv was hit": a name as the subject of an attack
    response: re.Pattern[str]  # "responded to": an attack and the strike answering it
    attributive: frozenset[str]  # "U.S. forces", "Iraqi army": a country name used as an adjective

    def is_attributive(self, after: str) -> bool:
        """True when the words after a country name make it an adjective ("U.S. strike")."""
        if not self.attributive:
            return False
        m = re.match(r"\.?\s*(-?[\w'’]+)", after)
        return m is not None and m.group(1).lower() in self.attributive

    def is_inside(self, before: str) -> bool:
        """True when the word just before a name (``before`` ends there) means "in"."""
        last = re.search(r"([\w'’-]+)\s+$", before[-40:])
        return last is not None and last.group(1).lower() in self.inside

    def is_locative(self, before: str) -> bool:
        """True when ``before`` (the text before a name) ends in a locative phrase.

        A lexicon without ``locative_prepositions`` accepts every name.
        """
        if not self.locative:
            return True
        before = re.split(r"[:;|•()\[\]]", before)[-1]
        words = re.findall(r"[\w'’-]+", before)[-6:]
        # walk back over fillers ("the southern city of"); a capitalised adjective or a
        # possessive only counts as a filler before another filler ("the Somali capital,")
        after_filler = False
        while words and words[-1].lower() not in self.locative:
            w = words[-1]
            if w.lower() in self.fillers:
                after_filler = True
            elif not (after_filler and (w[:1].isupper() or w.endswith(("'s", "’s")))):
                break
            words.pop()
        return bool(words) and words[-1].lower() in self.locative

    def demonym_code(self, surface: str) -> str | None:
        return self.demonym_stems.lookup(surface)

    def place_name(self, surface: str) -> str | None:
        """The gazetteer name behind a local place-name form."""
        return self.place_stems.lookup(surface)

    def demonyms_in(self, text: str, pos: int, endpos: int) -> list[re.Match[str]]:
        """``demonyms.finditer(text, pos, endpos)`` (found with ``demonym_scan``)."""
        if self.demonyms is None or self.demonym_scan is None:
            return []
        return list(finditer_via(self.demonym_scan, self.demonyms, text, pos, endpos))

    def triggers_in(self, text: str) -> list[tuple[re.Match[str], str]]:
        """Trigger words in ``text`` with their weapon class, in text order.

        The matches of ``trigger_any.finditer(text)``, found with ``trigger_scan``.
        """
        out: list[tuple[re.Match[str], str]] = []
        for m in finditer_via(self.trigger_scan, self.trigger_any, text):
            if m.lastgroup:
                out.append((m, m.lastgroup.split("__")[0]))
        return out

    def is_weak(self, surface: str) -> bool:
        return self.weak_triggers.fullmatch(surface) is not None

    def to_number(self, surface: str) -> int | None:
        """'12', '1,200', 'twelve', 'dozens' -> int; None when it is not a number."""
        s = surface.strip().lower()
        digits = re.sub(r"(?<=\d)[,.\u00a0 ](?=\d{3}\b)", "", s)
        if digits.isdigit():
            return int(digits)
        s = fold(re.sub(r"\s+", " ", s))
        if s in self.numbers:
            return self.numbers[s]
        parts = re.split(r"[-\s]", s)
        if len(parts) == 2 and all(p in self.numbers for p in parts):
            return self.numbers[parts[0]] + self.numbers[parts[1]]
        return None


def fold(text: str) -> str:
    """Lower case that keeps Turkish dotted İ one letter ("İsrail" -> "israil")."""
    return fold_chars(text.lower().replace("\u0307", ""))


def stem_lookup(table: dict[str, T], surface: str) -> T | None:
    """The value for ``surface`` in a table whose keys may be stems (see :func:`phrase_body`)."""
    s = fold(surface)
    if s in table:
        return table[s]
    best: tuple[int, T] | None = None
    for key, value in table.items():
        stem = key.strip("*")
        lead, trail = key.startswith("*"), key.endswith("*") and len(key) > 1
        fits = (
            (lead and trail and stem in s)
            or (trail and not lead and s.startswith(stem))
            or (lead and not trail and s.endswith(stem))
        )
        if fits and (best is None or len(stem) > best[0]):
            best = (len(stem), value)
    return best[1] if best else None


class StemIndex:
    """:func:`stem_lookup` over one table, without walking the whole table for each word.

    The stems (keys with a leading or trailing ``*``) are filed by the letter a word must start
    or end with; the answer is the same: the exact key, else the longest stem that fits, the
    first in table order among equally long ones.
    """

    __slots__ = ("_anywhere", "_by_first", "_by_last", "table")

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        self._by_first: dict[str, list[tuple[int, str, str]]] = {}  # "stem*": word starts with stem
        self._by_last: dict[str, list[tuple[int, str, str]]] = {}  # "*stem": word ends with stem
        self._anywhere: list[tuple[int, str, bool, bool, str]] = []  # "*stem*", and empty stems
        for index, (key, value) in enumerate(table.items()):
            stem = key.strip("*")
            lead, trail = key.startswith("*"), key.endswith("*") and len(key) > 1
            if not (lead or trail):
                continue  # a plain key only answers for itself
            if (lead and trail) or not stem:
                self._anywhere.append((index, stem, lead, trail, value))
            elif trail:
                self._by_first.setdefault(stem[0], []).append((index, stem, value))
            else:
                self._by_last.setdefault(stem[-1], []).append((index, stem, value))

    def lookup(self, surface: str) -> str | None:
        s = fold(surface)
        if s in self.table:
            return self.table[s]
        best: tuple[int, int, str] | None = None  # (length, -index, value)

        def offer(index: int, stem: str, value: str) -> None:
            nonlocal best
            if best is None or (len(stem), -index) > best[:2]:
                best = (len(stem), -index, value)

        for index, stem, value in self._by_first.get(s[:1], ()):
            if s.startswith(stem):
                offer(index, stem, value)
        for index, stem, value in self._by_last.get(s[-1:], ()):
            if s.endswith(stem):
                offer(index, stem, value)
        for index, stem, lead, trail, value in self._anywhere:
            fits = (lead and trail and stem in s) or (trail and not lead and s.startswith(stem))
            if fits or (lead and not trail and s.endswith(stem)):
                offer(index, stem, value)
        return best[2] if best else None


def _table(data: dict[str, Any], key: str) -> dict[str, str]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise DataFileError(f"lexicon key {key!r} must be an object", source=data.get("language"))
    return {fold(str(k)): str(v) for k, v in value.items()}


def _list(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DataFileError(f"lexicon key {key!r} must be a list of strings", source=data.get("language"))
    return value


def _compile(data: dict[str, Any]) -> Lexicon:
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise DataFileError(f"lexicon lacks keys: {', '.join(missing)}", source=str(data.get("language")))
    numbers = {fold(str(k)): int(v) for k, v in data["numbers"].items()}
    words = sorted(numbers, key=len, reverse=True)
    word_alt = "|".join(re.escape(w) for w in words)
    num_re = rf"(?P<n>\d{{1,3}}(?:[,.\u00a0 ]\d{{3}})+(?!\d)|\d+|(?:{word_alt})(?:[-\s](?:{word_alt}))?)"
    number = re.compile(rf"(?<!\w){num_re}(?!\w)", re.IGNORECASE)
    nouns = sorted((fold_chars(n) for n in _list(data, "casualty_nouns")), key=len, reverse=True)
    noun_alt = "(?:" + "|".join(re.escape(n) for n in nouns) + r")(?:\s+\w+){0,2}?" if nouns else r"\w+"
    casualty: list[tuple[str, re.Pattern[str], int | None]] = []
    for item in data["casualty_patterns"]:
        pattern = fold_chars(str(item["re"])).replace("{NUM}", num_re).replace("{NOUN}", noun_alt)
        value = item.get("value")
        try:
            casualty.append(
                (
                    str(item["field"]),
                    re.compile(pattern, re.IGNORECASE),
                    int(value) if value is not None else None,
                )
            )
        except re.error as exc:
            raise DataFileError(
                f"bad casualty pattern {item['re']!r}: {exc}", source=data["language"]
            ) from exc
    groups: list[str] = []
    seen: set[str] = set()
    # longest phrases first across classes, so "drone strike" wins over "strike"
    flat = sorted(
        ((p, str(cls)) for cls, phrases in data["triggers"].items() for p in phrases),
        key=lambda pc: len(pc[0]),
        reverse=True,
    )
    by_len: list[tuple[str, str]] = []
    for p, cls in flat:
        if p.lower() not in seen:
            seen.add(p.lower())
            by_len.append((p, cls))
    triggers = _PhrasePatterns({str(cls): list(phrases) for cls, phrases in data["triggers"].items()})
    for counter, (p, cls) in enumerate(by_len):
        groups.append(f"(?P<{cls}__{counter}>{phrase_body([p])})")
    trigger_re = re.compile(rf"(?<!\w)(?:{'|'.join(groups)})(?!\w)", re.IGNORECASE)
    trigger_scan = scan_regex([p for p, _cls in by_len]) or trigger_re

    demonyms = _table(data, "demonyms")
    places = _table(data, "place_aliases")
    demonym_re = phrase_reader(list(demonyms)) if demonyms else None

    def alt(key: str) -> str:
        return phrase_body(_list(data, key)) or "(?!x)x"

    aggregate = re.compile(
        r"(?<!\w)(?:"
        + "|".join(fold_chars(a) for a in sorted(_list(data, "aggregate"), key=len, reverse=True))
        + r")(?!\w)",
        re.IGNORECASE,
    )
    boiler = re.compile("|".join(fold_chars(b) for b in _list(data, "boilerplate_lines")), re.IGNORECASE)
    return Lexicon(
        language=str(data["language"]),
        raw=data,
        months={str(k).lower(): int(v) for k, v in data["months"].items()},
        weekdays={str(k).lower(): int(v) for k, v in data["weekdays"].items()},
        numbers=numbers,
        triggers=triggers,
        trigger_any=trigger_re,
        trigger_scan=trigger_scan,
        weak_triggers=phrase_regex(_list(data, "weak_triggers")),
        weapon_labels={str(k): str(v) for k, v in data["weapon_labels"].items()},
        weapon_refinements={str(k).lower(): str(v) for k, v in data.get("weapon_refinements", {}).items()},
        number=number,
        casualty=tuple(casualty),
        interception=phrase_regex(_list(data, "interception")),
        impact=phrase_regex(_list(data, "impact")),
        no_impact=phrase_regex(_list(data, "negations_of_impact")),
        kill=phrase_regex(_list(data, "kill_words")),
        injure=phrase_regex(_list(data, "injure_words")),
        zero_casualties=phrase_regex(_list(data, "zero_casualties")),
        zero_fatalities=phrase_regex(_list(data, "zero_fatalities")),
        claims=phrase_regex(_list(data, "claim_patterns")),
        no_claim=phrase_regex(_list(data, "no_claim")),
        hedges=phrase_regex(_list(data, "hedges")),
        non_events=re.compile(
            r"(?<!\w)(?:"
            + "|".join(
                re.escape(fold_chars(p)) for p in sorted(_list(data, "non_events"), key=len, reverse=True)
            )
            + ")",
            re.IGNORECASE,
        ),
        hypothetical=phrase_regex([h.strip() for h in _list(data, "hypothetical")]),
        aggregate=aggregate,
        boilerplate=boiler,
        corrections=phrase_regex(_list(data, "correction_markers")),
        aircraft=phrase_regex(_list(data, "aircraft_words")),
        violence=phrase_regex(_list(data, "violence_verbs")),
        civilian=phrase_regex(_list(data, "civilian_words")),
        military_target=phrase_regex(_list(data, "military_target_words")),
        origin=phrase_regex(_list(data, "origin_markers")),
        past_violence=phrase_regex(_list(data, "past_violence")),
        generic_attack=phrase_regex(_list(data, "generic_attack")),
        strike_words=phrase_regex(_list(data, "strike_words")),
        launch_words=phrase_regex(_list(data, "launch_words")),
        agent_before=re.compile(
            rf"(?<!\w)(?:{alt('agent_markers')})\s+(?:the\s+)?(?:suspected\s+)?$", re.IGNORECASE
        ),
        attacker_after=re.compile(
            rf"^[\w\s'’()-]{{0,30}}?(?<!\w)(?:{alt('attacker_verbs')})(?!\w)", re.IGNORECASE
        ),
        target_before=re.compile(
            rf"(?<!\w)(?:{alt('target_markers')})\s+(?:the\s+)?[\w-]*\s*$", re.IGNORECASE
        ),
        armed_people=phrase_regex(_list(data, "armed_people")),
        claimed_toll=phrase_regex(_list(data, "claimed_toll_markers")),
        demonyms=demonym_re,
        demonym_scan=(
            (scan_regex(list(demonyms), factored=True) or phrase_regex(list(demonyms))) if demonyms else None
        ),
        demonym_table=demonyms,
        demonym_stems=StemIndex(demonyms),
        place_aliases=phrase_regex(list(places)) if places else None,
        place_table=places,
        place_stems=StemIndex(places),
        locative=frozenset(
            w.lower() for w in [*_list(data, "locative_prepositions"), *data.get("place_verbs", [])]
        ),
        inside=frozenset(w.lower() for w in _list(data, "inside_prepositions")),
        passive_after=phrase_regex(list(data.get("passive_after", []))),
        fillers=frozenset(w.lower() for w in _list(data, "place_fillers")),
        response=phrase_regex(_list(data, "response_markers")),
        attributive=frozenset(w.lower() for w in data.get("attributive_heads", [])),
    )


@cache
def non_event_scan(lex: Lexicon) -> re.Pattern[str]:
    """A pattern that finds something exactly where ``lex.non_events.search`` does (for a yes/no).

    The same phrases, folded and escaped the same way and bounded the same way (a non-word
    character before, nothing after), written as a prefix tree (:func:`trie_alternation`): the
    same set of matching strings, scanned many times faster. Its matches are not those of
    ``non_events`` (the tree forgets which phrase wins): use it only to ask whether there is one.
    """
    phrases = [fold_chars(p) for p in _list(lex.raw, "non_events")]
    if not phrases or not all(phrases):
        return lex.non_events  # an empty alternative matches anywhere: keep the alternation
    escaped = _ESCAPED.get
    body = trie_alternation([[escaped(ch, ch) for ch in p] for p in phrases])
    return re.compile(rf"(?<!\w)(?:{body})", re.IGNORECASE)


#: Lexicon patterns built as ``phrase_regex(_list(data, key))``, by field: key
_PHRASE_FIELDS = {
    "violence": "violence_verbs",
    "hypothetical": "hypothetical",
    "past_violence": "past_violence",
    "generic_attack": "generic_attack",
    "aircraft": "aircraft_words",
    "strike_words": "strike_words",
    "launch_words": "launch_words",
    "civilian": "civilian_words",
    "military_target": "military_target_words",
    "armed_people": "armed_people",
    "hedges": "hedges",
    "no_claim": "no_claim",
    "zero_fatalities": "zero_fatalities",
    "impact": "impact",
}


@cache
def phrase_scans(lex: Lexicon) -> dict[str, re.Pattern[str]]:
    """For yes/no questions: per field of :data:`_PHRASE_FIELDS`, a pattern that finds something
    exactly where the lexicon's own pattern does (:func:`scan_regex` of the same phrases, the
    pattern itself when it has none). Not for reading matches."""
    scans: dict[str, re.Pattern[str]] = {}
    for fld, key in _PHRASE_FIELDS.items():
        phrases = _list(lex.raw, key)
        if fld == "hypothetical":
            phrases = [h.strip() for h in phrases]  # as _compile builds it
        scans[fld] = scan_regex(phrases) or getattr(lex, fld)
    return scans


def available_languages() -> tuple[str, ...]:
    folder = resources.files("sitroom") / "data" / "lexicon"
    return tuple(sorted(p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json")))


def load_raw(language: str) -> dict[str, Any]:
    path = resources.files("sitroom") / "data" / "lexicon" / f"{language}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataFileError(f"no lexicon for language {language!r}", source=str(path)) from exc
    except json.JSONDecodeError as exc:
        raise DataFileError(f"invalid JSON: {exc}", source=str(path)) from exc
    if not isinstance(data, dict):
        raise DataFileError("a lexicon must be a JSON object", source=str(path))
    return data


@cache
def _any_trigger() -> re.Pattern[str] | None:
    """Every lexicon's trigger phrases in one prefix tree (only the phrase lists are read).

    ``None`` when some phrase has no letters: it could match anywhere, so nothing is skipped.
    """
    phrases = [
        str(p)
        for lang in available_languages()
        for group in load_raw(lang).get("triggers", {}).values()
        for p in group
        if p
    ]
    cores = [fold_chars(p.strip("*")) for p in phrases]
    if not all(cores):
        return None
    if all(re.match(r"\w", c[0]) and re.match(r"\w", c[-1]) for c in cores):
        return scan_regex(phrases) or phrase_regex(phrases)
    # a phrase that starts or ends with punctuation: look for the phrases anywhere, unbounded
    return re.compile(trie_alternation(_phrase_tokens(p) for p in phrases) or r"(?!x)x", re.IGNORECASE)


def may_hold_trigger(folded: str) -> bool:
    """False when no lexicon's trigger word occurs in ``folded`` (a text after ``fold_letters``).

    A sentence reports an attack only around a trigger word of its lexicon, so a text without
    one reports none, whatever the language of each of its paragraphs: the extractor skips it
    before any sentence, date or place work. When every phrase starts and ends with a letter (as
    now), a trigger that a sentence or clause holds, bounded by non-letters there, is bounded by
    non-letters in the whole text too (sentences and clauses start and end next to a space or a
    punctuation mark); otherwise the phrases are looked for without bounds.
    """
    found = _any_trigger()
    return found is None or found.search(folded) is not None


@cache
def lexicon_for(language: str | None) -> Lexicon | None:
    """The compiled lexicon for ``language``, or None when sitroom does not read it."""
    if not language:
        return None
    lang = language.lower().split("-")[0]
    if lang not in available_languages():
        return None
    return _compile(load_raw(lang))
