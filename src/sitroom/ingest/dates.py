"""Publication dates as inputs state them: ISO fields, ``date:`` header lines and datelines.

Every function returns a naive UTC :class:`~datetime.datetime` (a date alone becomes midnight)
or ``None``; none of them guesses: a date without a year, or a year without a day, is ``None``.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "find_dateline",
    "parse_date_text",
    "parse_timestamp",
    "to_naive_utc",
]

#: Publication dates outside these years are treated as errors in the input.
MIN_YEAR = 1900
MAX_YEAR = 2100

_DATEPARSER_SETTINGS: dict[str, Any] = {
    "REQUIRE_PARTS": ["day", "month", "year"],
    "TIMEZONE": "UTC",  # a time without a zone is taken as UTC
    "TO_TIMEZONE": "UTC",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "PREFER_DATES_FROM": "past",
}


def to_naive_utc(value: datetime) -> datetime:
    """``value`` in UTC without tzinfo; a naive value is assumed to be UTC already."""
    if value.tzinfo is not None and value.utcoffset() is not None:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None)


def _plausible(value: datetime | None) -> datetime | None:
    if value is None or not MIN_YEAR <= value.year <= MAX_YEAR:
        return None
    return value


def parse_timestamp(value: str) -> datetime | None:
    """An ISO 8601 date or date-time (``Z`` and offsets allowed) or an RFC 2822 date, else ``None``."""
    text = value.strip()
    if not text:
        return None
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text), time())
        except ValueError:
            try:
                parsed = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                parsed = None
    return _plausible(to_naive_utc(parsed)) if parsed is not None else None


_SUPPORTED: frozenset[str] | None = None


def _dateparser_languages(languages: Sequence[str]) -> list[str]:
    """The given languages that dateparser knows, English always included, order kept."""
    global _SUPPORTED
    if _SUPPORTED is None:
        from dateparser.data import language_order

        _SUPPORTED = frozenset(language_order)
    wanted = [*languages, "en"]
    return [code for i, code in enumerate(wanted) if code in _SUPPORTED and code not in wanted[:i]]


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_NATIVE_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


# Levantine/Iraqi month names, which dateparser does not know, as the names it does know.
_LEVANTINE_MONTHS: tuple[tuple[str, str], ...] = (
    ("كانون الثاني", "يناير"),
    ("كانون الأول", "ديسمبر"),
    ("تشرين الأول", "أكتوبر"),
    ("تشرين الثاني", "نوفمبر"),
    ("شباط", "فبراير"),
    ("آذار", "مارس"),
    ("نيسان", "أبريل"),
    ("أيار", "مايو"),
    ("حزيران", "يونيو"),
    ("تموز", "يوليو"),
    ("آب", "أغسطس"),
    ("أيلول", "سبتمبر"),
)


def _standard_month_names(text: str) -> str:
    for levantine, standard in _LEVANTINE_MONTHS:
        if levantine in text:
            text = re.sub(rf"(?<!\w){levantine}(?!\w)", standard, text)
    return text


def parse_date_text(value: str, languages: Sequence[str] = ("en",)) -> datetime | None:
    """A full calendar date (day, month and year) written in words or digits, else ``None``.

    ``languages`` are tried with dateparser (English is always added); a text without a
    four-digit year is not even tried, so "June 7" or "Tuesday" give ``None``.
    """
    text = " ".join(value.split()).translate(_NATIVE_DIGITS)
    if not text or len(text) > 80:
        return None
    stamp = parse_timestamp(text)
    if stamp is not None:
        return stamp
    if not _YEAR.search(text):
        return None
    import dateparser

    parsed = dateparser.parse(
        _standard_month_names(text), languages=_dateparser_languages(languages), settings=_DATEPARSER_SETTINGS
    )
    return _plausible(to_naive_utc(parsed)) if parsed is not None else None


# A dateline ends at a dash or a colon: "BAGHDAD, June 7, 2021 (Reuters) - Two rockets ...".
_SEPARATOR = re.compile(r"\s+[-–—]{1,2}\s+|[–—]|\s*--\s*|:\s+")
_PARENTHESES = re.compile(r"\([^()]{0,60}\)")
_DATELINE_WINDOW = 120
_BARE_DATE_LINE = 60


def find_dateline(line: str, languages: Sequence[str] = ("en",)) -> datetime | None:
    """The publication date in a dateline at the start of ``line``, if it has day, month and year.

    Recognized: a line that is only a date ("7 June 2021", "Monday, June 7, 2021") and a
    prefix before a dash or colon, optionally led by places and followed by an agency:
    "BAGHDAD, June 7, 2021 (Reuters) -", "June 7, 2021 —". A date later in the sentence
    ("On 7 June 2021, gunmen ...") is an event date, not a dateline, and is ignored.
    """
    line = line.strip()
    if not line:
        return None
    if len(line) <= _BARE_DATE_LINE:
        whole = parse_date_text(_PARENTHESES.sub(" ", line), languages)
        if whole is not None:
            return whole
    match = _SEPARATOR.search(line, 0, _DATELINE_WINDOW)
    if match is None:
        return None
    prefix = _PARENTHESES.sub(" ", line[: match.start()])
    parts = prefix.split(",")
    for i in range(len(parts)):  # "BAGHDAD, Iraq, June 7, 2021" -> try "Iraq, June 7, 2021", ...
        candidate = ",".join(parts[i:]).strip()
        if not _YEAR.search(candidate.translate(_NATIVE_DIGITS)):
            break
        found = parse_date_text(candidate, languages)
        if found is not None:
            return found
    return None
