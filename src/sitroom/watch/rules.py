"""Alert rules: which events matter, and which changes to them deserve another alert.

A rule matches an event when every criterion it gives holds (a list matches when any of its
items does):

* ``countries``: English short name or ISO 3166-1 alpha-2 code of the event's place;
* ``admin1``: the place's first-level division (case-insensitive);
* ``near`` (lat, lon, km): the place's point is within ``km`` (great-circle distance);
* ``bbox`` (min_lon, min_lat, max_lon, max_lat): the point lies inside (crossing the
  antimeridian when ``min_lon > max_lon``);
* ``event_types``: the event type or sub-event type (case-insensitive);
* ``actors``: part of actor1, actor2 or the claimant (case-insensitive);
* ``min_fatalities``: the event's fatalities (the lowest figure reported, as ACLED codes it)
  are at least this; unknown fatalities never match.

Triggers, compared with what the rule last alerted about the event (:class:`Mark`):

* ``new``: the first alert for the event under this rule (it may be an older event that only
  now matches, e.g. once its toll reaches ``min_fatalities``);
* ``fatalities``: the lowest or the highest reported fatality figure rose above the highest
  one alerted;
* ``source``: a further document was merged into the event;
* ``confirmed``: the event was hedged ("reportedly") in every report and one report now
  states it plainly.

A mark keeps the highest figures seen, so a figure that falls and rises again does not alert
twice. A rule that does not subscribe to a trigger still moves its mark. When a revised report
makes the pipeline rebuild its only event under a new id, the new event inherits the old one's
marks (the alert says which event it ``replaces``), so a revised toll is an update, not news.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sitroom.export import event_to_record
from sitroom.records import Event
from sitroom.store.sqlite import haversine_km
from sitroom.watch.config import RuleConfig
from sitroom.watch.state import Mark

__all__ = ["Decision", "alert_id", "decide", "matches", "payload", "summary_line"]


def _fold(value: str | None) -> str:
    return (value or "").strip().casefold()


def matches(rule: RuleConfig, event: Event) -> bool:
    place = event.place
    if rule.countries:
        if place is None:
            return False
        names = {_fold(place.country), _fold(place.country_code)} - {""}
        if not names & {_fold(c) for c in rule.countries}:
            return False
    if rule.admin1 and (place is None or _fold(place.admin1) not in {_fold(a) for a in rule.admin1}):
        return False
    if rule.near is not None or rule.bbox is not None:
        if place is None or place.latitude is None or place.longitude is None:
            return False
        lat, lon = place.latitude, place.longitude
        if rule.near is not None:
            n_lat, n_lon, km = rule.near
            if haversine_km(lat, lon, n_lat, n_lon) > km:
                return False
        if rule.bbox is not None:
            min_lon, min_lat, max_lon, max_lat = rule.bbox
            if not min_lat <= lat <= max_lat:
                return False
            inside = min_lon <= lon <= max_lon if min_lon <= max_lon else (lon >= min_lon or lon <= max_lon)
            if not inside:
                return False
    if rule.event_types:
        kinds = {_fold(event.event_type), _fold(event.sub_event_type)}
        if not kinds & {_fold(t) for t in rule.event_types}:
            return False
    if rule.actors:
        actors = [_fold(event.actor1), _fold(event.actor2), _fold(event.claimed_by)]
        if not any(_fold(a) in n for a in rule.actors for n in actors if n):
            return False
    return not (
        rule.min_fatalities is not None
        and (event.fatalities is None or event.fatalities < rule.min_fatalities)
    )


def _higher(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


@dataclass(frozen=True, slots=True)
class Decision:
    """What a rule makes of an event: the triggers that fired (empty: no alert) and the new mark."""

    triggers: tuple[str, ...]
    mark: Mark
    previous: Mark | None


def decide(rule: RuleConfig, event: Event, mark: Mark | None) -> Decision | None:
    """``None`` when the rule does not match the event (its mark is then left as it is)."""
    if not matches(rule, event):
        return None
    sources = len(event.doc_ids)
    if mark is None:
        fired: tuple[str, ...] = ("new",) if "new" in rule.triggers else ()
        new_mark = Mark(
            seq=1 if fired else 0,
            fatalities=event.fatalities,
            fatalities_max=_higher(event.fatalities, event.fatalities_max),
            sources=sources,
            hedged=event.hedged,
        )
        return Decision(fired, new_mark, None)
    top = _higher(mark.fatalities, mark.fatalities_max)
    changes: list[str] = []
    if any(f is not None and (top is None or f > top) for f in (event.fatalities, event.fatalities_max)):
        changes.append("fatalities")
    if sources > mark.sources:
        changes.append("source")
    if mark.hedged and not event.hedged:
        changes.append("confirmed")
    fired = tuple(c for c in changes if c in rule.triggers)
    new_mark = Mark(
        seq=mark.seq + (1 if fired else 0),
        fatalities=_higher(mark.fatalities, event.fatalities),
        fatalities_max=_higher(top, _higher(event.fatalities, event.fatalities_max)),
        sources=max(mark.sources, sources),
        hedged=mark.hedged and event.hedged,
    )
    if not changes:
        return Decision((), mark, mark)
    return Decision(fired, new_mark, mark)


def alert_id(rule: str, event_id: str, seq: int) -> str:
    """Stable id of the ``seq``-th alert of ``rule`` about ``event_id`` (the same for every sink)."""
    return "al-" + hashlib.sha1(f"{rule}\x00{event_id}\x00{seq}".encode()).hexdigest()[:16]


def summary_line(event: Event) -> str:
    """A one-line human description: "Air/drone strike in Kharkiv, Ukraine on 2024-05-14: 3-5 killed"."""
    place = event.place
    where = ", ".join(p for p in (place.name, place.country) if p) if place else "unknown place"
    line = f"{event.sub_event_type} in {where}"
    if event.event_date:
        line += f" on {event.event_date.isoformat()}"
    if event.actor1:
        line += f" by {event.actor1}"
    if event.fatalities is not None:
        killed = str(event.fatalities)
        if event.fatalities_max is not None and event.fatalities_max != event.fatalities:
            killed += f"-{event.fatalities_max}"
        line += f": {killed} killed"
    if event.hedged:
        line += " (unconfirmed)"
    return line


def payload(
    *,
    aid: str,
    rule: str,
    decision: Decision,
    event: Event,
    feed: str,
    document: dict[str, Any],
    detected_at: str,
    queued_at: str,
    replaces: str | None = None,
) -> dict[str, Any]:
    """The JSON object every sink sends."""
    previous = decision.previous
    return {
        "alert_id": aid,
        "rule": rule,
        "triggers": list(decision.triggers),
        "summary": summary_line(event),
        "event": event_to_record(event),
        "previous": None
        if previous is None
        else {
            "fatalities": previous.fatalities,
            "fatalities_max": previous.fatalities_max,
            "sources": previous.sources,
            "hedged": previous.hedged,
        },
        "replaces": replaces,  # the event this one supersedes (a revised report rebuilt it)
        "feed": feed,
        "document": document,
        "detected_at": detected_at,
        "queued_at": queued_at,
    }
