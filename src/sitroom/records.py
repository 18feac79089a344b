"""The records sitroom passes between its stages: immutable, typed, with provenance.

* :class:`Document`: one news report as it was read.
* :class:`Place`: a resolved location with coordinates and a precision.
* :class:`Span`: where a value came from (character offsets into a document's text).
* :class:`Mention`: one attack as one document tells it, every field traceable to a span.
* :class:`Event`: the canonical event that one or more mentions (documents) report.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

__all__ = [
    "DATE_PRECISIONS",
    "EVENT_TYPES",
    "GEO_PRECISIONS",
    "DatePrecision",
    "Document",
    "Event",
    "GeoPrecision",
    "Mention",
    "Place",
    "Role",
    "Span",
]

DatePrecision = Literal["day", "week", "month", "year"]
GeoPrecision = Literal["site", "town", "admin1", "country"]
Role = Literal["main", "background"]

DATE_PRECISIONS: tuple[DatePrecision, ...] = ("day", "week", "month", "year")
GEO_PRECISIONS: tuple[GeoPrecision, ...] = ("site", "town", "admin1", "country")

#: ACLED event types and the sub-event types sitroom codes (spelled as in the codebook).
EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": ("Armed clash", "Government regains territory", "Non-state actor overtakes territory"),
    "Explosions/Remote violence": (
        "Air/drone strike",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Suicide bomb",
        "Grenade",
        "Chemical weapon",
    ),
    "Violence against civilians": ("Attack", "Abduction/forced disappearance", "Sexual violence"),
    "Strategic developments": ("Disrupted weapons use",),
}


def content_hash(text: str) -> str:
    """A stable fingerprint of a document's text (whitespace-insensitive)."""
    folded = " ".join(text.split())
    return hashlib.sha1(folded.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Document:
    """One news report.

    ``id`` is the caller's identifier when one was given (kept and exported as ``doc_id``);
    otherwise it is derived from the text, so re-reading the same report gives the same id.
    ``published`` is naive UTC or a date-only value promoted to midnight; ``None`` means
    the publication date is unknown (never guessed from a file's mtime).
    """

    text: str
    id: str = ""
    url: str | None = None
    title: str | None = None
    published: datetime | None = None
    language: str | None = None
    outlet: str | None = None
    origin: str | None = None  # where it was read from: a path, "stdin", a feed URL

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", "sha1:" + content_hash(self.text)[:16])

    @property
    def fingerprint(self) -> str:
        return content_hash(self.text)

    @property
    def published_date(self) -> date | None:
        return self.published.date() if self.published else None


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved location. ``precision`` follows sitroom's codebook (site/town/admin1/country)."""

    name: str
    precision: GeoPrecision
    country: str | None = None  # English short name, e.g. "Iraq"
    country_code: str | None = None  # ISO 3166-1 alpha-2
    admin1: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    kind: str = "place"  # airbase, airport, city, admin1, country, sea, site, region ...
    gazetteer_id: str | None = None

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True, slots=True)
class Span:
    """Provenance of one value: ``text[start:end]`` of the document it came from."""

    field: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Mention:
    """One attack as one document reports it."""

    doc_id: str
    role: Role
    event_type: str
    sub_event_type: str
    evidence: str
    start: int  # offsets of the evidence sentence in the document text
    end: int
    event_date: date | None = None
    date_precision: DatePrecision = "day"
    place: Place | None = None
    actor1: str | None = None
    actor2: str | None = None
    weapon: str | None = None
    count: int | None = None
    fatalities: int | None = None
    injured: int | None = None
    intercepted: bool | None = None
    claimed_by: str | None = None
    hedged: bool = False
    language: str | None = None
    spans: tuple[Span, ...] = ()
    extractor: str = "rules.v1"

    @property
    def key(self) -> str:
        """Stable identity of this mention inside its document."""
        raw = (
            f"{self.doc_id}|{self.start}|{self.end}|{self.event_date}|{self.place.name if self.place else ''}"
        )
        return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class Event:
    """A canonical event: what every report of one attack agrees on, plus the range of figures."""

    id: str
    event_type: str
    sub_event_type: str
    event_date: date | None
    date_precision: DatePrecision
    place: Place | None
    actor1: str | None = None
    actor2: str | None = None
    weapon: str | None = None
    count: int | None = None
    fatalities: int | None = None
    fatalities_max: int | None = None
    injured: int | None = None
    injured_max: int | None = None
    intercepted: bool | None = None
    claimed_by: str | None = None
    hedged: bool = False
    mentions: tuple[Mention, ...] = field(default=())

    @property
    def doc_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.doc_id for m in self.mentions))
