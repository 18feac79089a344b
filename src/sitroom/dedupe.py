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
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from operator import attrgetter
from typing import TypeVar

from sitroom.geo import place_km
from sitroom.records import DatePrecision, Event, Mention, Place

__all__ = [
    "MIN_SCORE",
    "REACH",
    "Assignment",
    "CandidateIndex",
    "assign_mentions",
    "build_event",
    "date_window",
    "mention_score",
    "near_extent",
    "sketch_similarity",
    "text_sketch",
]

_T = TypeVar("_T", bound=Hashable)
_GEO_RANK = {"site": 0, "town": 1, "admin1": 2, "country": 3}
_DATE_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
_UNNAMED = {None, "Unidentified armed group"}
TOWN_KM = 25.0
MIN_SCORE = 2.0


@lru_cache(maxsize=1 << 14)
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


def _place_score(a: Place | None, b: Place | None) -> float | None:
    """Evidence that two places are one; None when they cannot be."""
    if a is None or b is None:
        # no place fits every place: at a few hundred attacks a day, the day and the kind of
        # attack alone would join it to an arbitrary one (a named attacker must back it up)
        return -0.5
    if a.gazetteer_id and a.gazetteer_id == b.gazetteer_id:
        return 2.0 if a.precision in ("site", "town") else 1.0
    if a.country_code and b.country_code and a.country_code != b.country_code:
        return None
    fine, coarse = (a, b) if _GEO_RANK[a.precision] <= _GEO_RANK[b.precision] else (b, a)
    if fine.precision in ("site", "town") and coarse.precision in ("site", "town"):
        d = place_km(a, b)
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


_doc_id = attrgetter("doc_id")


def _event_id(m: Mention) -> str:
    return "ev-" + hashlib.sha1(m.key.encode("utf-8")).hexdigest()[:12]


def _counts(values: Iterable[_T]) -> dict[_T, int]:
    """How often each value occurs, in order of first occurrence (a light ``Counter``)."""
    counted: dict[_T, int] = {}
    for v in values:
        counted[v] = counted.get(v, 0) + 1
    return counted


def _mode(values: Iterable[str | None]) -> str | None:
    """The most frequent value, the first seen among equals (``Counter.most_common(1)``)."""
    counted = _counts(v for v in values if v is not None)
    return max(counted, key=counted.__getitem__) if counted else None


def build_event(event_id: str, mentions: Sequence[Mention]) -> Event:
    """The canonical event of ``mentions`` (ordered as they were ingested)."""
    if not mentions:
        raise ValueError("an event needs at least one mention")
    if len(mentions) == 1:
        return _single_event(event_id, mentions[0])
    dated = [m for m in mentions if m.event_date is not None]
    best_date: date | None = None
    precision: DatePrecision = mentions[0].date_precision
    if dated:
        top = min(_DATE_RANK[m.date_precision] for m in dated)
        finest = [m for m in dated if _DATE_RANK[m.date_precision] == top]
        counted = _counts(m.event_date for m in finest)
        mains = _counts(m.event_date for m in finest if m.role == "main")
        # most reported, then most reported as the main event, then the latest: independent of order
        best_date = max(counted, key=lambda d: (counted[d], mains.get(d, 0), d))
        precision = finest[0].date_precision
    placed = [m.place for m in mentions if m.place is not None]
    place: Place | None = None
    if placed:
        top_geo = min(_GEO_RANK[p.precision] for p in placed)
        finest_places = [p for p in placed if _GEO_RANK[p.precision] == top_geo]
        ids = _counts(p.gazetteer_id or p.name for p in finest_places)
        key = max(ids, key=ids.__getitem__)
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


def _single_event(event_id: str, m: Mention) -> Event:
    """``build_event`` of one mention, which is that mention's own fields."""
    return Event(
        id=event_id,
        event_type=m.event_type,
        sub_event_type=m.sub_event_type,
        event_date=m.event_date,
        date_precision=m.date_precision,
        place=m.place,
        actor1=m.actor1,
        actor2=m.actor2,
        weapon=m.weapon,
        count=m.count,
        fatalities=m.fatalities,
        fatalities_max=m.fatalities,
        injured=m.injured,
        injured_max=m.injured,
        intercepted=True if m.intercepted else None,
        claimed_by=m.claimed_by,
        hedged=bool(m.hedged),
        mentions=(m,),
    )


def assign_mentions(
    mentions: Sequence[Mention],
    candidates: Sequence[Event],
    *,
    taken: Callable[[str], bool] | None = None,
) -> Assignment:
    """Attach each of one document's mentions to the best compatible event, or open one.

    A new event's id is derived from its first mention; ``taken`` tells whether an id is in
    use beyond ``candidates`` (the store), so that a new event never overwrites another.
    """
    pool: dict[str, Event] = {e.id: e for e in candidates}
    doc_ids = {m.doc_id for m in mentions}
    # an event that already holds a mention of this document is not a candidate (nor is one
    # that a mention of it has just joined: ``used``)
    used = {eid for eid, e in pool.items() if not doc_ids.isdisjoint(map(_doc_id, e.mentions))}
    members: dict[str, list[Mention]] = {}  # the events joined, with their mentions
    links: list[tuple[Mention, str]] = []
    created: list[str] = []
    touched: list[str] = []
    for m in mentions:
        best_id, best = None, MIN_SCORE
        for eid, ev in pool.items():
            if eid in used:
                continue
            s = mention_score(m, ev)
            if s > best:
                best_id, best = eid, s
        if best_id is None:
            best_id = _event_id(m)
            while best_id in pool or (taken is not None and taken(best_id)):
                best_id = best_id + "x"
            members[best_id] = []
            created.append(best_id)
        else:
            members[best_id] = list(pool[best_id].mentions)
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
#: the smallest denominator of :func:`sketch_similarity`: fewer shared hashes than
#: ``COPY_SIMILARITY * SKETCH_FLOOR`` can never make a copy
SKETCH_FLOOR = 8


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
    union = set(sorted(sa | sb)[:SKETCH_SIZE])
    in_a = len(union & sa)
    in_b = len(union & sb)
    both = len(union & sa & sb)
    # a handful of shared hashes is no evidence: very short texts never count as copies
    return both / max(min(in_a, in_b), SKETCH_FLOOR)


# ---------------------------------------------------------------- candidates without a scan

#: days an event's date window reaches on either side of its date, by precision (at most)
REACH: dict[str, int] = {"day": 1, "week": 7, "month": 34, "year": 366}
_CELL = 0.25  # degrees: the grid that files town and site events
_NEAR_KM = TOWN_KM + 5.0  # probe a little further than two towns can be apart and still merge
_KM_PER_DEGREE = 111.19
_WIDTH = round(360 / _CELL)

Key = tuple[Hashable, ...]


def near_extent(lat: float) -> tuple[float, float] | None:
    """``(dlat, dlon)`` in degrees around a point at latitude ``lat`` that holds every town or
    site a mention there may merge with (a little more than :data:`TOWN_KM`); ``None`` near a
    pole, where a degree of longitude is too short for a box."""
    dlat = _NEAR_KM / _KM_PER_DEGREE
    cos = math.cos(math.radians(min(90.0, abs(lat) + dlat)))
    if cos < 0.05:
        return None
    return dlat, dlat / cos


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / _CELL), math.floor(lon / _CELL) % _WIDTH


def _placeless_needs_same_day() -> bool:
    """Can a mention join an event when one of them has no place and their dates differ?

    Asked of :func:`mention_score` itself, with everything else in the pair's favour (same
    type, same named attacker, adjacent days): if even that scores no more than
    :data:`MIN_SCORE`, a place-less pair must share its date, and the index looks only there.
    """
    day = date(2000, 1, 2)
    m = Mention("a", "main", "Battles", "Armed clash", "", 0, 0, event_date=day, actor1="X")
    e = Event("e", "Battles", "Armed clash", day - timedelta(days=1), "day", None, actor1="X")
    return mention_score(m, e) <= MIN_SCORE


class CandidateIndex:
    """Events held in memory, filed so that a document's candidates are found without a scan.

    :meth:`candidates` returns, for one document's mentions, every event that
    :func:`assign_mentions` could attach one of them to among the events of the pipeline's
    search window (event dates from ``search_days`` before the document's earliest mention date
    to as many days after its latest; undated events too when a mention is undated), in the
    pipeline's order: dated events by (date, id), then undated ones by id. Left out are only
    events that cannot be the same attack as any of the mentions (in another country, a town
    more than 25 km away, dates whose windows cannot overlap), so
    ``assign_mentions(mentions, index.candidates(mentions))`` attaches every mention to the
    same event as with the whole window. (New event ids are checked for collisions against
    the candidates, as the pipeline checks them against its window.)

    A look-up costs a few dictionary look-ups and binary searches per mention, plus the events
    it returns: deduplicating n mentions at a steady number of events a day is O(n log n),
    where reading the window for each document is O(n²). Give :meth:`add` every event that
    :func:`assign_mentions` creates or changes, as the caller's store would give it back (the
    SQLite store returns an event's mentions in order of publication, and :func:`build_event`
    depends on that order).
    """

    def __init__(self, search_days: int = 40) -> None:
        self.search_days = search_days
        self._events: dict[str, Event] = {}
        self._filed: dict[str, tuple[list[Key], str, int | None]] = {}
        # place key -> date precision -> sorted (date ordinal, event id); undated: a set of ids
        self._dated: dict[Key, dict[str, list[tuple[int, str]]]] = {}
        self._undated: dict[Key, dict[str, set[str]]] = {}
        self._same_day = _placeless_needs_same_day()

    def __len__(self) -> int:
        return len(self._events)

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._events

    def __iter__(self) -> Iterator[Event]:
        return iter(self._events.values())

    def get(self, event_id: str) -> Event | None:
        return self._events.get(event_id)

    # -- filing ----------------------------------------------------------------------------

    @staticmethod
    def _keys(place: Place | None) -> list[Key]:
        """Where an event at ``place`` is filed."""
        if place is None:
            return [("everything",), ("none",)]
        if not place.country_code:
            return [("everything",), ("nocc",)]
        cc = place.country_code
        keys: list[Key] = [("everything",), ("all", cc)]
        if place.gazetteer_id:
            keys.append(("gid", place.gazetteer_id))
        if place.precision in ("country", "admin1"):
            keys.append(("coarse", cc, place.precision))
            return keys
        point = place.latitude is not None and place.longitude is not None
        keys += [("admin1", cc, place.admin1 or None, point), ("name", cc, place.name)]
        if place.latitude is not None and place.longitude is not None:
            keys.append(("cell", cc, *_cell(place.latitude, place.longitude)))
        return keys

    def add(self, event: Event) -> None:
        """File ``event``, replacing the event with its id if there is one."""
        self.remove(event.id)
        keys = self._keys(event.place)
        precision = event.date_precision
        day = event.event_date.toordinal() if event.event_date is not None else None
        for key in keys:
            if day is None:
                self._undated.setdefault(key, {}).setdefault(precision, set()).add(event.id)
            else:
                insort(self._dated.setdefault(key, {}).setdefault(precision, []), (day, event.id))
        self._events[event.id] = event
        self._filed[event.id] = (keys, precision, day)

    def remove(self, event_id: str) -> None:
        filed = self._filed.pop(event_id, None)
        if filed is None:
            return
        keys, precision, day = filed
        for key in keys:
            if day is None:
                self._undated[key][precision].discard(event_id)
                continue
            entries = self._dated[key][precision]
            i = bisect_left(entries, (day, event_id))
            if i < len(entries) and entries[i] == (day, event_id):
                del entries[i]
        del self._events[event_id]

    # -- look-up ---------------------------------------------------------------------------

    def _probes(self, place: Place | None) -> list[tuple[Key, bool]]:
        """The keys that may hold an event at ``place``'s attack; True: only on its own day."""
        same_day = self._same_day
        if place is None:
            return [(("everything",), same_day)]  # every event scores the same against no place
        if not place.country_code:
            return [(("everything",), False)]
        cc = place.country_code
        probes: list[tuple[Key, bool]] = [(("none",), same_day), (("nocc",), False)]
        if place.gazetteer_id:
            probes.append((("gid", place.gazetteer_id), False))
        if place.precision == "country" or (place.precision == "admin1" and not place.admin1):
            return [*probes, (("all", cc), False)]  # anything in the country
        probes += [(("coarse", cc, "country"), False), (("coarse", cc, "admin1"), False)]
        if place.precision == "admin1":
            # towns in that admin1, in no known admin1, or named like it
            return [
                *probes,
                *((("admin1", cc, a1, pt), False) for a1 in (place.admin1, None) for pt in (True, False)),
                (("name", cc, place.name), False),
            ]
        if place.latitude is None or place.longitude is None:
            if place.admin1:  # two towns without a point between them: one admin1
                probes += [(("admin1", cc, place.admin1, point), False) for point in (True, False)]
            return probes
        if place.admin1:
            probes.append((("admin1", cc, place.admin1, False), False))  # towns there without a point
        lat, lon = place.latitude, place.longitude
        extent = near_extent(lat)
        if extent is None:
            return [*probes, (("all", cc), False)]  # near a pole: the whole country
        dlat, dlon = extent
        for cy in range(math.floor((lat - dlat) / _CELL), math.floor((lat + dlat) / _CELL) + 1):
            for cx in range(math.floor((lon - dlon) / _CELL), math.floor((lon + dlon) / _CELL) + 1):
                probes.append((("cell", cc, cy, cx % _WIDTH), False))
        return probes

    def candidates(self, mentions: Sequence[Mention]) -> list[Event]:
        """The events that ``mentions`` (one document's) may join, in the pipeline's order."""
        dated = [m.event_date for m in mentions if m.event_date is not None]
        with_undated = any(m.event_date is None for m in mentions)
        found: set[tuple[int, str]] = set()
        found_undated: set[str] = set()
        lo = hi = 0
        if dated:
            lo = (min(dated) - timedelta(days=self.search_days)).toordinal()
            hi = (max(dated) + timedelta(days=self.search_days)).toordinal()
        for m in mentions:
            probes = self._probes(m.place)
            if dated:
                if m.event_date is not None:
                    a0, a1 = (d.toordinal() for d in date_window(m.event_date, m.date_precision))
                    day = m.event_date.toordinal()
                for key, same_day in probes:
                    buckets = self._dated.get(key)
                    if not buckets:
                        continue
                    for precision, entries in buckets.items():
                        if m.event_date is None:
                            start, stop = lo, hi
                        elif same_day:
                            start, stop = max(lo, day), min(hi, day)
                        else:  # the event's date window must reach the mention's
                            reach = REACH[precision]
                            start, stop = max(lo, a0 - reach), min(hi, a1 + reach)
                        i = bisect_left(entries, (start, ""))
                        j = bisect_right(entries, (stop, "\U0010ffff"), i)
                        if i < j:
                            found.update(entries[i:j])
            if with_undated:
                for key, _same_day in probes:
                    for ids in self._undated.get(key, {}).values():
                        found_undated.update(ids)
        ordered = [self._events[eid] for _day, eid in sorted(found)]
        return ordered + [self._events[eid] for eid in sorted(found_undated)]
