"""The dedupe stage: mentions from many documents (and languages) become canonical events.

A mention joins an existing event when the two are compatible: dates within their
precision windows, the same place (the same gazetteer entry, within 25 km, or a coarser
place that contains the finer one), compatible event types and actors. Otherwise it opens
a new event. Two mentions of one document never share an event (a document reports each
attack once after its own merging). A second report enriches the event: the most precise
date and place win, fatalities keep ACLED's lowest reported figure and the range is kept.
Event ids are derived from the first mention and never change.
"""

from __future__ import annotations

import hashlib
import math
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sitroom.records import DatePrecision, Event, Mention, Place

__all__ = [
    "Assignment",
    "assign_mentions",
    "build_event",
    "date_window",
    "mention_score",
    "sketch_similarity",
    "text_sketch",
]

_GEO_RANK = {"site": 0, "town": 1, "admin1": 2, "country": 3}
_DATE_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
_UNNAMED = {None, "Unidentified armed group"}
TOWN_KM = 25.0
MIN_SCORE = 2.0


def date_window(value: date, precision: DatePrecision) -> tuple[date, date]:
    """The days a date of this precision stands for (a day tolerates one day either side)."""
    if precision == "day":
        return value - timedelta(days=1), value + timedelta(days=1)
    if precision == "week":
        return value - timedelta(days=7), value + timedelta(days=7)
    if precision == "month":
        first = value.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return first - timedelta(days=3), last + timedelta(days=3)
    return date(value.year, 1, 1), date(value.year, 12, 31)


def _km(a: Place, b: Place) -> float | None:
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return None
    p1, p2 = math.radians(a.latitude), math.radians(b.latitude)
    dp, dl = p2 - p1, math.radians(b.longitude - a.longitude)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(min(1.0, h)))


def _place_score(a: Place | None, b: Place | None) -> float | None:
    """Evidence that two places are one; None when they cannot be."""
    if a is None or b is None:
        return 0.0
    if a.gazetteer_id and a.gazetteer_id == b.gazetteer_id:
        return 2.0 if a.precision in ("site", "town") else 1.0
    if a.country_code and b.country_code and a.country_code != b.country_code:
        return None
    fine, coarse = (a, b) if _GEO_RANK[a.precision] <= _GEO_RANK[b.precision] else (b, a)
    if fine.precision in ("site", "town") and coarse.precision in ("site", "town"):
        d = _km(a, b)
        if d is None:
            return 0.5 if a.admin1 and a.admin1 == b.admin1 else None
        return 2.0 - d / TOWN_KM if d <= TOWN_KM else None
    if coarse.precision == "admin1":
        if fine.admin1 and coarse.admin1 and fine.admin1 != coarse.admin1 and fine.name != coarse.name:
            return None
        return 1.2
    return 0.6  # a country-level place contains anything in that country


def mention_score(m: Mention, e: Event) -> float:
    """How well mention ``m`` fits event ``e``; 0 when it cannot be the same attack."""
    score = 0.0
    if m.event_date is not None and e.event_date is not None:
        a0, a1 = date_window(m.event_date, m.date_precision)
        b0, b1 = date_window(e.event_date, e.date_precision)
        if a1 < b0 or a0 > b1:
            return 0.0
        score += 1.5 if m.event_date == e.event_date else 0.8
    else:
        score += 0.2
    place = _place_score(m.place, e.place)
    if place is None:
        return 0.0
    score += place
    if m.sub_event_type == e.sub_event_type:
        score += 0.8
    elif m.event_type == e.event_type or "Disrupted weapons use" in (m.sub_event_type, e.sub_event_type):
        score += 0.3
    else:
        score -= 0.5
    if m.actor1 not in _UNNAMED and e.actor1 not in _UNNAMED:
        if m.actor1 != e.actor1 and m.sub_event_type != e.sub_event_type:
            return 0.0  # another attacker with another kind of attack is another attack
        score += 0.4 if m.actor1 == e.actor1 else -0.8
    return score


@dataclass(frozen=True, slots=True)
class Assignment:
    """The outcome of deduplicating one document's mentions."""

    links: tuple[tuple[Mention, str], ...]  # (mention, event id)
    events: tuple[Event, ...]  # every event created or changed, rebuilt from all its mentions
    created: tuple[str, ...]
    updated: tuple[str, ...]


def _event_id(m: Mention) -> str:
    return "ev-" + hashlib.sha1(m.key.encode("utf-8")).hexdigest()[:12]


def _mode(values: Iterable[str | None]) -> str | None:
    counted = Counter(v for v in values if v is not None)
    return counted.most_common(1)[0][0] if counted else None


def build_event(event_id: str, mentions: Sequence[Mention]) -> Event:
    """The canonical event of ``mentions`` (ordered as they were ingested)."""
    if not mentions:
        raise ValueError("an event needs at least one mention")
    dated = [m for m in mentions if m.event_date is not None]
    best_date: date | None = None
    precision: DatePrecision = mentions[0].date_precision
    if dated:
        top = min(_DATE_RANK[m.date_precision] for m in dated)
        finest = [m for m in dated if _DATE_RANK[m.date_precision] == top]
        counted = Counter(m.event_date for m in finest)
        mains = Counter(m.event_date for m in finest if m.role == "main")
        # most reported, then most reported as the main event, then the latest: independent of order
        best_date = max(counted, key=lambda d: (counted[d], mains[d], d))
        precision = finest[0].date_precision
    placed = [m.place for m in mentions if m.place is not None]
    place: Place | None = None
    if placed:
        top_geo = min(_GEO_RANK[p.precision] for p in placed)
        finest_places = [p for p in placed if _GEO_RANK[p.precision] == top_geo]
        ids = Counter(p.gazetteer_id or p.name for p in finest_places)
        key = ids.most_common(1)[0][0]
        place = next(p for p in finest_places if (p.gazetteer_id or p.name) == key)
    impact = [m for m in mentions if m.sub_event_type != "Disrupted weapons use"]
    sub = _mode(m.sub_event_type for m in (impact or mentions)) or mentions[0].sub_event_type
    event_type = next(m.event_type for m in mentions if m.sub_event_type == sub)
    named = [m.actor1 for m in mentions if m.actor1 not in _UNNAMED]
    fat = [m.fatalities for m in mentions if m.fatalities is not None]
    inj = [m.injured for m in mentions if m.injured is not None]
    return Event(
        id=event_id,
        event_type=event_type,
        sub_event_type=sub,
        event_date=best_date,
        date_precision=precision,
        place=place,
        actor1=_mode(named) or _mode(m.actor1 for m in mentions),
        actor2=_mode(m.actor2 for m in mentions),
        weapon=_mode(m.weapon for m in mentions),
        count=next((m.count for m in mentions if m.count is not None), None),
        fatalities=min(fat) if fat else None,
        fatalities_max=max(fat) if fat else None,
        injured=min(inj) if inj else None,
        injured_max=max(inj) if inj else None,
        intercepted=True if any(m.intercepted for m in mentions) else None,
        claimed_by=_mode(m.claimed_by for m in mentions),
        hedged=all(m.hedged for m in mentions),
        mentions=tuple(mentions),
    )


def assign_mentions(mentions: Sequence[Mention], candidates: Sequence[Event]) -> Assignment:
    """Attach each of one document's mentions to the best compatible event, or open one."""
    pool: dict[str, Event] = {e.id: e for e in candidates}
    members: dict[str, list[Mention]] = {e.id: list(e.mentions) for e in candidates}
    doc_ids = {m.doc_id for m in mentions}
    used: set[str] = set()
    links: list[tuple[Mention, str]] = []
    created: list[str] = []
    touched: list[str] = []
    for m in mentions:
        best_id, best = None, MIN_SCORE
        for eid, ev in pool.items():
            if eid in used or any(x.doc_id in doc_ids for x in members[eid]):
                continue
            s = mention_score(m, ev)
            if s > best:
                best_id, best = eid, s
        if best_id is None:
            best_id = _event_id(m)
            while best_id in pool:
                best_id = best_id + "x"
            members[best_id] = []
            created.append(best_id)
        members[best_id].append(m)
        pool[best_id] = build_event(best_id, members[best_id])
        used.add(best_id)
        links.append((m, best_id))
        if best_id not in created and best_id not in touched:
            touched.append(best_id)
    changed = [pool[eid] for eid in [*created, *touched]]
    return Assignment(tuple(links), tuple(changed), tuple(created), tuple(touched))


SKETCH_SIZE = 64
SKETCH_INDEX = 6
COPY_SIMILARITY = 0.9


def text_sketch(text: str, *, shingle: int = 4) -> tuple[list[int], list[int]]:
    """A bottom-k sketch of the text's word shingles, and the few hashes to index it by.

    Two verbatim copies of one wire story (with a different headline, byline or footer)
    share most of their smallest shingle hashes; unrelated stories share almost none.
    """
    words = re.findall(r"\w+", text.lower())
    grams = {" ".join(words[i : i + shingle]) for i in range(max(1, len(words) - shingle + 1))}
    hashes = sorted({zlib.crc32(g.encode("utf-8")) for g in grams if g})
    sketch = hashes[:SKETCH_SIZE]
    return sketch, sketch[:SKETCH_INDEX]


def sketch_similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated containment of the shorter text in the longer, from two bottom-k sketches.

    Among the k smallest hashes of both texts together, the share of the shorter text's
    hashes that the other text has too: 1.0 for a copy with a new headline or footer.
    """
    if not a or not b:
        return 0.0
    sa, sb = set(a), set(b)
    union = sorted(sa | sb)[:SKETCH_SIZE]
    in_a = sum(1 for h in union if h in sa)
    in_b = sum(1 for h in union if h in sb)
    both = sum(1 for h in union if h in sa and h in sb)
    # a handful of shared hashes is no evidence: very short texts never count as copies
    return both / max(min(in_a, in_b), 8)


def rebuild(event: Event, mentions: Sequence[Mention]) -> Event:
    """The same event rebuilt from a new list of mentions (id kept)."""
    return replace(build_event(event.id, mentions), id=event.id)
