"""What the SQLite and PostgreSQL stores share: value converters, the SELECTs of events and
mentions (the same tables and columns in both schemas), row→record builders, and the filter
geometry.

A row is anything indexable by column name: :class:`sqlite3.Row` or psycopg's ``dict_row``.
The converters accept both drivers' values (SQLite gives dates as ISO text and flags as 0/1,
PostgreSQL as :class:`~datetime.date` and :class:`bool`; SQLite keeps ``spans`` as JSON text,
PostgreSQL as decoded JSONB).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, Protocol, TypedDict, cast

from sitroom.records import DatePrecision, Document, Event, GeoPrecision, Mention, Place, Role, Span
from sitroom.store.base import CandidateQuery, EventFilter


class Row(Protocol):
    """A result row read by column name."""

    def __getitem__(self, key: str, /) -> Any: ...


# ----------------------------------------------------------------------------- values


def opt_int(value: object) -> int | None:
    return None if value is None else int(cast(int, value))


def opt_bool(value: object) -> bool | None:
    return None if value is None else bool(value)


def opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def opt_float(value: object) -> float | None:
    return None if value is None else float(cast(float, value))


def opt_date(value: object) -> date | None:
    return value if isinstance(value, date) or value is None else date.fromisoformat(str(value))


def signed64(value: int) -> int:
    """A hash as a signed 64-bit integer (SQLite's INTEGER, PostgreSQL's BIGINT)."""
    return value - (1 << 64) if value >= (1 << 63) else value


def place_fields(place: Place) -> tuple[object, ...]:
    """Every field of ``place``, in the order of ``places.key`` and the ``places`` columns."""
    return (
        place.name,
        place.precision,
        place.country,
        place.country_code,
        place.admin1,
        place.latitude,
        place.longitude,
        place.kind,
        place.gazetteer_id,
    )


def place_key(place: Place) -> str:
    """The canonical JSON of every field of ``place`` (``places.key``)."""
    return json.dumps(list(place_fields(place)), ensure_ascii=False, separators=(",", ":"))


def spans_items(spans: Sequence[Span]) -> list[dict[str, Any]]:
    """``spans`` as the JSON list stored in ``mentions.spans``."""
    return [{"field": s.field, "start": s.start, "end": s.end, "text": s.text} for s in spans]


def spans_from_value(raw: object) -> tuple[Span, ...]:
    """Spans from ``mentions.spans``: JSON text (SQLite) or the decoded list (PostgreSQL)."""
    if isinstance(raw, str):
        raw = json.loads(raw or "[]")
    items = cast(list[dict[str, Any]], raw or [])
    return tuple(Span(str(i["field"]), int(i["start"]), int(i["end"]), str(i["text"])) for i in items)


def search_words(text: str) -> Iterator[tuple[str, bool]]:
    """The words of a search as ``(word, prefix)``: ``word*`` is a prefix; lone ``*`` are dropped."""
    for token in text.split():
        core = token.rstrip("*")
        if core:
            yield core, token.endswith("*")


# ----------------------------------------------------------------------------- SQL

PLACE_COLUMNS = """
       p.id AS place_id, p.name AS place_name, p.geo_precision, p.country, p.country_code, p.admin1,
       p.latitude, p.longitude, p.kind, p.gazetteer_id"""

EVENT_SELECT = (
    """
SELECT e.id, e.event_type, e.sub_event_type, e.event_date, e.date_precision, e.weapon, e.count,
       e.fatalities, e.fatalities_max, e.injured, e.injured_max, e.intercepted, e.hedged,
       a1.name AS actor1, a2.name AS actor2, ac.name AS claimed_by,"""
    + PLACE_COLUMNS
)

EVENT_FROM = """
FROM events e
LEFT JOIN places p ON p.id = e.place_id
LEFT JOIN actors a1 ON a1.id = e.actor1_id
LEFT JOIN actors a2 ON a2.id = e.actor2_id
LEFT JOIN actors ac ON ac.id = e.claimed_by_id"""

MENTION_SELECT = (
    """
SELECT m.event_id, m.doc_id, m.role, m.event_type, m.sub_event_type, m.evidence, m.start_offset,
       m.end_offset, m.event_date, m.date_precision, m.weapon, m.count, m.fatalities, m.injured,
       m.intercepted, m.hedged, m.language, m.spans, m.extractor,
       a1.name AS actor1, a2.name AS actor2, ac.name AS claimed_by,"""
    + PLACE_COLUMNS
    + """
FROM mentions m
JOIN documents d ON d.id = m.doc_id
LEFT JOIN places p ON p.id = m.place_id
LEFT JOIN actors a1 ON a1.id = m.actor1_id
LEFT JOIN actors a2 ON a2.id = m.actor2_id
LEFT JOIN actors ac ON ac.id = m.claimed_by_id"""
)

#: Deleting a place or actor no row refers to any more (``{id}`` the driver's named placeholder).
ORPHAN_PLACE_SQL = (
    "DELETE FROM places WHERE id = {id}"
    " AND NOT EXISTS (SELECT 1 FROM events WHERE place_id = {id})"
    " AND NOT EXISTS (SELECT 1 FROM mentions WHERE place_id = {id})"
)
ORPHAN_ACTOR_SQL = (
    "DELETE FROM actors WHERE id = {id}"
    " AND NOT EXISTS (SELECT 1 FROM events WHERE actor1_id = {id})"
    " AND NOT EXISTS (SELECT 1 FROM events WHERE actor2_id = {id})"
    " AND NOT EXISTS (SELECT 1 FROM events WHERE claimed_by_id = {id})"
    " AND NOT EXISTS (SELECT 1 FROM mentions WHERE actor1_id = {id})"
    " AND NOT EXISTS (SELECT 1 FROM mentions WHERE actor2_id = {id})"
    " AND NOT EXISTS (SELECT 1 FROM mentions WHERE claimed_by_id = {id})"
)


def orphans_of(rows: Iterable[Row]) -> tuple[set[int], set[int]]:
    """The place ids and actor ids that ``rows`` (``place_id``, ``actor1_id``, ``actor2_id``,
    ``claimed_by_id`` of events or mentions about to change) refer to."""
    places: set[int] = set()
    actors: set[int] = set()
    for row in rows:
        if row["place_id"] is not None:
            places.add(int(row["place_id"]))
        for column in ("actor1_id", "actor2_id", "claimed_by_id"):
            if row[column] is not None:
                actors.add(int(row[column]))
    return places, actors


def geo_terms(flt: EventFilter, mark: str) -> tuple[list[str], list[object]]:
    """The WHERE terms and parameters that bound the coordinates for ``flt.near`` (a box around
    the circle, which the caller tests exactly) and ``flt.bbox``; ``mark`` is the placeholder."""
    where: list[str] = []
    params: list[object] = []
    between = f"p.longitude BETWEEN {mark} AND {mark}"
    wrapped = f"(p.longitude >= {mark} OR p.longitude <= {mark})"  # across the antimeridian
    if flt.near is not None:
        lat, lon = flt.near
        km = cast(float, flt.radius_km)
        dlat = km / 111.0
        where.append(f"p.latitude BETWEEN {mark} AND {mark}")
        params += [lat - dlat, lat + dlat]
        if abs(lat) + dlat < 89.0:
            dlon = dlat / math.cos(math.radians(abs(lat) + dlat))
            if dlon < 180.0:
                lo, hi = lon - dlon, lon + dlon
                if lo < -180.0 or hi > 180.0:
                    where.append(wrapped)
                    params += [lo + 360.0 if lo < -180.0 else lo, hi - 360.0 if hi > 180.0 else hi]
                else:
                    where.append(between)
                    params += [lo, hi]
    if flt.bbox is not None:
        min_lon, min_lat, max_lon, max_lat = flt.bbox
        where.append(f"p.latitude BETWEEN {mark} AND {mark}")
        params += [min_lat, max_lat]
        where.append(between if min_lon <= max_lon else wrapped)
        params += [min_lon, max_lon]
    return where, params


# ----------------------------------------------------------------------------- records


def place_from_row(row: Row) -> Place | None:
    if row["place_id"] is None:
        return None
    return Place(
        name=str(row["place_name"]),
        precision=cast(GeoPrecision, row["geo_precision"]),
        country=opt_str(row["country"]),
        country_code=opt_str(row["country_code"]),
        admin1=opt_str(row["admin1"]),
        latitude=opt_float(row["latitude"]),
        longitude=opt_float(row["longitude"]),
        kind=str(row["kind"]),
        gazetteer_id=opt_str(row["gazetteer_id"]),
    )


class _Facts(TypedDict):
    """The fields an event and a mention both have, read alike."""

    event_type: str
    sub_event_type: str
    event_date: date | None
    date_precision: DatePrecision
    place: Place | None
    actor1: str | None
    actor2: str | None
    weapon: str | None
    count: int | None
    fatalities: int | None
    injured: int | None
    intercepted: bool | None
    claimed_by: str | None
    hedged: bool


def _facts(row: Row) -> _Facts:
    return _Facts(
        event_type=str(row["event_type"]),
        sub_event_type=str(row["sub_event_type"]),
        event_date=opt_date(row["event_date"]),
        date_precision=cast(DatePrecision, row["date_precision"]),
        place=place_from_row(row),
        actor1=opt_str(row["actor1"]),
        actor2=opt_str(row["actor2"]),
        weapon=opt_str(row["weapon"]),
        count=opt_int(row["count"]),
        fatalities=opt_int(row["fatalities"]),
        injured=opt_int(row["injured"]),
        intercepted=opt_bool(row["intercepted"]),
        claimed_by=opt_str(row["claimed_by"]),
        hedged=bool(row["hedged"]),
    )


def mention_from_row(row: Row) -> Mention:
    """A mention from a row of :data:`MENTION_SELECT`."""
    return Mention(
        doc_id=str(row["doc_id"]),
        role=cast(Role, row["role"]),
        evidence=str(row["evidence"]),
        start=int(row["start_offset"]),
        end=int(row["end_offset"]),
        language=opt_str(row["language"]),
        spans=spans_from_value(row["spans"]),
        extractor=str(row["extractor"]),
        **_facts(row),
    )


def event_from_row(row: Row, mentions: tuple[Mention, ...]) -> Event:
    """An event from a row of :data:`EVENT_SELECT`, with ``mentions``."""
    return Event(
        id=str(row["id"]),
        fatalities_max=opt_int(row["fatalities_max"]),
        injured_max=opt_int(row["injured_max"]),
        mentions=mentions,
        **_facts(row),
    )


def document_from_row(row: Row) -> Document:
    """A document from its row (``published`` is ISO 8601 text in both schemas)."""
    published = row["published"]
    return Document(
        text=str(row["text"]),
        id=str(row["id"]),
        url=opt_str(row["url"]),
        title=opt_str(row["title"]),
        published=datetime.fromisoformat(str(published)) if published is not None else None,
        language=opt_str(row["language"]),
        outlet=opt_str(row["outlet"]),
        origin=opt_str(row["origin"]),
    )


def candidate_place_sql(query: CandidateQuery, mark: str) -> tuple[str, list[object]]:
    """`` AND (...)`` narrowing candidate events to the query's boxes (see
    :class:`~sitroom.store.base.CandidateQuery`), with its parameters; ``mark`` is the
    placeholder (``?`` or ``%s``). Empty when the query has no boxes."""
    if query.boxes is None:
        return "", []
    terms = [
        "e.place_id IS NULL",
        "p.geo_precision IN ('country', 'admin1')",
        "p.latitude IS NULL",
        "p.longitude IS NULL",
    ]
    params: list[object] = []
    if query.gazetteer_ids:
        terms.append(f"p.gazetteer_id IN ({', '.join([mark] * len(query.gazetteer_ids))})")
        params += list(query.gazetteer_ids)
    for min_lat, max_lat, min_lon, max_lon in query.boxes:
        terms.append(f"(p.latitude BETWEEN {mark} AND {mark} AND p.longitude BETWEEN {mark} AND {mark})")
        params += [min_lat, max_lat, min_lon, max_lon]
    return " AND (" + " OR ".join(terms) + ")", params
