"""Find date expressions in a sentence and resolve them against the publication date.

Spans are found with patterns built from the lexicon's month, weekday and relative-date
words; each span is then resolved here (weekdays, "yesterday", "last week", "early April")
or, for absolute dates the rules cannot read, handed to dateparser with the language set.
A resolved date is never after the publication date.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Literal

from sitroom.extract.lexicon import Lexicon, phrase_body, stem_lookup
from sitroom.extract.text import fold_chars, fold_letters, trie_alternation
from sitroom.records import DatePrecision

__all__ = ["DateHit", "find_dates", "parse_with_dateparser"]

Kind = Literal["absolute", "weekday", "relative", "context", "month", "year"]


@dataclass(frozen=True, slots=True)
class DateHit:
    start: int  # offsets inside the sentence
    end: int
    value: date | None  # None when it cannot be resolved (no publication date)
    precision: DatePrecision
    kind: Kind
    offset: int = 0  # for kind "context": days relative to the date in context
    excluded: bool = False  # "since Oct. 17": a boundary, not an event date


@dataclass(frozen=True, slots=True)
class _Patterns:
    month_day: re.Pattern[str]
    day_month: re.Pattern[str]
    month_only: re.Pattern[str]
    weekday: re.Pattern[str]
    relative: re.Pattern[str]
    context: re.Pattern[str]
    year: re.Pattern[str]
    iso: re.Pattern[str]
    excluders: re.Pattern[str]
    month_intro: re.Pattern[str]
    # the letters of some month, weekday, relative or context word, anywhere: a sentence without
    # them holds no match of month_day, day_month, month_only, weekday, relative or context
    words: re.Pattern[str] | None


def _alt(words: list[str]) -> str:
    return phrase_body(words)


def lookup_word(table: dict[str, int], surface: str) -> int | None:
    """The value of a month or weekday word; keys ending in '*' are stems ('сентябр*')."""
    return stem_lookup(table, surface.rstrip("."))


@cache
def _patterns(lex: Lexicon) -> _Patterns:
    months = _alt(list(lex.months))
    weekdays = _alt(list(lex.weekdays))
    parts = _alt(list(lex.raw.get("month_parts", {})))
    rel = _alt(list(lex.raw.get("relative_days", {})))
    ctx = _alt(list(lex.raw.get("relative_to_context", {})))
    excl = lex.raw.get(
        "date_excluders", ["since", "until", "till", "before", "by", "from", "as of", "starting"]
    )
    modifiers = _alt(list(lex.raw.get("weekday_modifiers", {})) or ["on"])
    intro = _alt(lex.raw.get("month_intro", ["in", "of", "during", "since", "last", "this"]))
    day = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
    year = r"(?P<year>(?:19|20)\d\d)"
    return _Patterns(
        month_day=re.compile(rf"(?<!\w)(?P<month>{months})\.?\s+{day}(?!\d)(?:,?\s+{year})?", re.IGNORECASE),
        day_month=re.compile(
            rf"(?<![\w.]){day}\.?\s+(?:of\s+)?(?P<month>{months})\.?(?:,?\s+{year})?(?!\w)", re.IGNORECASE
        ),
        month_only=re.compile(
            rf"(?<!\w)(?:(?P<part>{parts})\s*)?(?P<month>{months})(?:\s+(?:of\s+)?{year})?(?!\w)"
            if parts
            else rf"(?<!\w)(?P<month>{months})(?:\s+{year})?(?!\w)",
            re.IGNORECASE,
        ),
        weekday=re.compile(rf"(?<!\w)(?:(?P<mod>{modifiers})\s+)?(?P<wd>{weekdays})(?!\w)", re.IGNORECASE),
        relative=re.compile(rf"(?<!\w)(?:{rel})(?!\w)", re.IGNORECASE) if rel else re.compile(r"(?!x)x"),
        context=re.compile(rf"(?<!\w)(?:{ctx})(?!\w)", re.IGNORECASE) if ctx else re.compile(r"(?!x)x"),
        year=re.compile(rf"(?<!\w)(?:in|since|during)\s+{year}(?!\w)", re.IGNORECASE),
        iso=re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)(?!\d)"),
        excluders=re.compile(rf"(?:^|\W)(?:{_alt(excl)})\s*$", re.IGNORECASE),
        month_intro=re.compile(rf"(?:^|\W)(?:{intro})\s*$", re.IGNORECASE),
        words=_word_letters(
            [
                *lex.months,
                *lex.weekdays,
                *lex.raw.get("relative_days", {}),
                *lex.raw.get("relative_to_context", {}),
            ]
        ),
    )


def _word_letters(words: list[str]) -> re.Pattern[str] | None:
    """A pattern found in every text where one of ``words`` (as :func:`phrase_body` reads them)
    matches: the literal letters of each (a ``*`` head or tail only adds letters around them),
    unbounded, as a prefix tree. ``None`` when a word has no letters (it may match anywhere)."""
    cores = [fold_chars(w.strip("*")) for w in words if w]
    if not all(cores):
        return None
    escaped = {chr(i): re.escape(chr(i)) for i in range(128)}
    body = trie_alternation([[escaped.get(ch, ch) for ch in core] for core in cores])
    return re.compile(body or r"(?!x)x", re.IGNORECASE)


def _month_capitalised_ok(lex: Lexicon, surface: str) -> bool:
    """In languages that capitalise month names, 'may' the verb is not May."""
    if not lex.raw.get("capitalized_months"):
        return True
    return surface[:1].isupper()


def _infer_year(month: int, day: int, published: date | None, year_hint: int | None) -> date | None:
    if published is None:
        if year_hint is None:
            return None
        try:
            return date(year_hint, month, day)
        except ValueError:
            return None
    year = published.year
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    if value > published + timedelta(days=1):
        try:
            value = date(year - 1, month, day)
        except ValueError:
            return None
    return value


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_dates(
    sentence: str, lex: Lexicon, published: date | None, *, year_hint: int | None = None
) -> list[DateHit]:
    """Every date expression in ``sentence``, resolved, in text order, without overlaps."""
    sentence = fold_letters(sentence)
    pats = _patterns(lex)
    hits: list[DateHit] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def add(hit: DateHit) -> None:
        if hit.value is not None and published is not None and hit.value > published + timedelta(days=1):
            return  # never after the publication date (schedules, forecasts)
        before = sentence[max(0, hit.start - 14) : hit.start]
        if pats.excluders.search(before):
            hit = DateHit(hit.start, hit.end, hit.value, hit.precision, hit.kind, hit.offset, excluded=True)
        hits.append(hit)
        taken.append((hit.start, hit.end))

    for m in pats.iso.finditer(sentence):
        value = _safe_date(int(m["year"]), int(m["month"]), int(m["day"]))
        if value:
            add(DateHit(m.start(), m.end(), value, "day", "absolute"))
    if pats.words is not None and pats.words.search(sentence) is None:
        # no month, weekday, relative or context word: only the ISO dates and years above/below
        return _with_years(sentence, pats, published, hits, free, add)
    for pat in (pats.month_day, pats.day_month):
        for m in pat.finditer(sentence):
            if not free(m.start(), m.end()) or not _month_capitalised_ok(lex, m["month"]):
                continue
            month = lookup_word(lex.months, m["month"]) or 0
            day = int(m["day"])
            if not month:
                continue
            if not 1 <= day <= 31:
                continue
            if m["year"]:
                value = _safe_date(int(m["year"]), month, day)
            else:
                value = _infer_year(month, day, published, year_hint)
            if value is None and m["year"] is None and published is not None:
                continue  # "February 30": impossible
            add(DateHit(m.start(), m.end(), value, "day", "absolute"))
    for m in pats.month_only.finditer(sentence):
        if not free(m.start(), m.end()) or not _month_capitalised_ok(lex, m["month"]):
            continue
        prefix = sentence[max(0, m.start() - 12) : m.start()].lower()
        if not (m["year"] or m["part"] or pats.month_intro.search(prefix)):
            continue
        month = lookup_word(lex.months, m["month"]) or 0
        if not month:
            continue
        part = (m["part"] or "").strip().lower()
        kind = lex.raw.get("month_parts", {}).get(part, "")
        if m["year"]:
            year = int(m["year"])
        elif published is not None:
            year = published.year if month <= published.month else published.year - 1
        elif year_hint is not None:
            year = year_hint
        else:
            add(DateHit(m.start(), m.end(), None, "month", "month"))
            continue
        last = calendar.monthrange(year, month)[1]
        day = 1 if kind == "early" else last if kind == "late" else 15
        value = date(year, month, day)
        if published is not None and value > published:
            if year == published.year and month == published.month:
                value = published
            else:
                continue
        add(DateHit(m.start(), m.end(), value, "month", "month"))
    for m in pats.weekday.finditer(sentence):
        if not free(m.start(), m.end()):
            continue
        after = sentence[m.end() : m.end() + 16]
        if pats.month_day.match(after.lstrip(", ")) or pats.day_month.match(after.lstrip(", ")):
            continue  # "Sunday, Dec. 3": the absolute date speaks
        found_wd = lookup_word(lex.weekdays, m["wd"])
        if found_wd is None:
            continue
        wd = found_wd
        if m["wd"][:1].islower() and lex.raw.get("capitalized_weekdays"):
            continue
        mod = lex.raw.get("weekday_modifiers", {}).get((m["mod"] or "").lower(), "")
        if published is None:
            add(DateHit(m.start(), m.end(), None, "day", "weekday"))
            continue
        back = (published.weekday() - wd) % 7
        if mod == "last" and back == 0:
            back = 7
        add(DateHit(m.start(), m.end(), published - timedelta(days=back), "day", "weekday"))
    rel_words: dict[str, object] = lex.raw.get("relative_days", {})
    for m in pats.relative.finditer(sentence):
        if not free(m.start(), m.end()):
            continue
        spec = rel_words.get(m.group(0).lower())
        if published is None:
            add(DateHit(m.start(), m.end(), None, "day", "relative"))
            continue
        if isinstance(spec, int):
            add(DateHit(m.start(), m.end(), published + timedelta(days=spec), "day", "relative"))
        elif spec == "week":
            add(DateHit(m.start(), m.end(), published - timedelta(days=2), "week", "relative"))
        elif spec == "last_week":
            add(DateHit(m.start(), m.end(), published - timedelta(days=7), "week", "relative"))
        elif spec == "two_weeks":
            add(DateHit(m.start(), m.end(), published - timedelta(days=14), "week", "relative"))
        elif spec == "month":
            add(
                DateHit(
                    m.start(),
                    m.end(),
                    published.replace(day=max(1, min(15, published.day))),
                    "month",
                    "relative",
                )
            )
        elif spec == "last_month":
            prev = published.replace(day=1) - timedelta(days=1)
            add(DateHit(m.start(), m.end(), prev.replace(day=15), "month", "relative"))
    ctx_words: dict[str, int] = lex.raw.get("relative_to_context", {})
    for m in pats.context.finditer(sentence):
        if free(m.start(), m.end()):
            add(
                DateHit(
                    m.start(),
                    m.end(),
                    None,
                    "day",
                    "context",
                    offset=int(ctx_words.get(m.group(0).lower(), 0)),
                )
            )
    return _with_years(sentence, pats, published, hits, free, add)


def _with_years(
    sentence: str,
    pats: _Patterns,
    published: date | None,
    hits: list[DateHit],
    free: Callable[[int, int], bool],
    add: Callable[[DateHit], None],
) -> list[DateHit]:
    """The last step of :func:`find_dates`: years ("in 2023"), then the hits in text order."""
    for m in pats.year.finditer(sentence):
        if free(m.start(), m.end()):
            y = int(m["year"])
            if published is None or y <= published.year:
                add(DateHit(m.start(), m.end(), date(y, 7, 1), "year", "year"))
    hits.sort(key=lambda h: h.start)
    return hits


@cache
def parse_with_dateparser(span: str, language: str, base: datetime | None) -> date | None:
    """Resolve one date span with dateparser (languages set, past preferred)."""
    import dateparser  # local: importing dateparser costs ~0.3 s

    settings: dict[str, object] = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
    if base is not None:
        settings["RELATIVE_BASE"] = base
    parsed = dateparser.parse(span, languages=[language], settings=settings)
    if parsed is None:
        return None
    value: date = parsed.date()
    if base is not None and value > base.date() + timedelta(days=1):
        return None
    return value
