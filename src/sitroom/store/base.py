"""What every sitroom store offers, whatever database sits behind it.

:class:`Store` is a :class:`~typing.Protocol`: the SQLite implementation lives in
:mod:`sitroom.store.sqlite`; a PostgreSQL one can be added beside it without touching the
callers. :class:`EventFilter` and :class:`Stats` are plain values shared by every backend.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from types import TracebackType
from typing import Literal, Protocol, Self, runtime_checkable

from sitroom.errors import ConfigError
from sitroom.records import DatePrecision, Document, Event, Mention

__all__ = [
    "COPY_CANDIDATES_PER_KEY",
    "DEFAULT_NEAR_KM",
    "ORDERS",
    "PERIODS",
    "CandidateQuery",
    "DocumentState",
    "EventFilter",
    "Order",
    "Period",
    "Stats",
    "Store",
]

Order = Literal["date_desc", "date_asc", "fatalities_desc"]
Period = Literal["week", "day", "month"]
DocumentState = Literal["new", "same", "changed"]

ORDERS: tuple[Order, ...] = ("date_desc", "date_asc", "fatalities_desc")
PERIODS: tuple[Period, ...] = ("week", "day", "month")

#: Radius used when a filter gives ``near`` without ``km``.
DEFAULT_NEAR_KM = 25.0

#: :meth:`Store.copy_candidates` brings at most this many documents per shared index hash (the
#: most recently stored ones): a hash that many documents share is boilerplate, and a wire
#: story copied by more outlets than this links to one of its latest copies.
COPY_CANDIDATES_PER_KEY = 32


def _check_lat_lon(lat: float, lon: float, what: str) -> None:
    if not (math.isfinite(lat) and math.isfinite(lon) and -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ConfigError(
            f"{what}: latitude must lie in [-90, 90] and longitude in [-180, 180], got {lat}, {lon}"
        )


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events to return, and in what order. Every criterion given must hold (AND).

    * ``since``/``until``: inclusive bounds on the event date (undated events never match).
    * ``country``: English short name or ISO 3166-1 alpha-2 code, case-insensitive.
    * ``event_type``: matches the event type or the sub-event type, case-insensitive.
    * ``actor``: case-insensitive substring of actor1, actor2 or claimed_by.
    * ``near`` (lat, lon) with ``km``: great-circle distance of the event's point
      (``km`` defaults to :data:`DEFAULT_NEAR_KM`).
    * ``bbox``: (min_lon, min_lat, max_lon, max_lat); ``min_lon > max_lon`` crosses the antimeridian.
    * ``text``: full-text search (every word must occur, accents ignored) over mention evidence,
      document titles and texts, place names and actor names; ``word*`` is a prefix search.
    * ``min_fatalities``: the (lowest reported) fatalities are at least this; unknown never matches.
    """

    since: date | None = None
    until: date | None = None
    country: str | None = None
    event_type: str | None = None
    actor: str | None = None
    near: tuple[float, float] | None = None
    km: float | None = None
    bbox: tuple[float, float, float, float] | None = None
    text: str | None = None
    min_fatalities: int | None = None
    limit: int | None = None
    offset: int = 0
    order: Order = "date_desc"

    def __post_init__(self) -> None:
        if self.order not in ORDERS:
            raise ConfigError(f"unknown order {self.order!r}; expected one of {', '.join(ORDERS)}")
        if self.limit is not None and self.limit < 0:
            raise ConfigError(f"limit must be >= 0, got {self.limit}")
        if self.offset < 0:
            raise ConfigError(f"offset must be >= 0, got {self.offset}")
        if self.km is not None and self.near is None:
            raise ConfigError("km needs near=(lat, lon)")
        if self.km is not None and not (math.isfinite(self.km) and self.km > 0):
            raise ConfigError(f"km must be a positive number, got {self.km}")
        if self.near is not None:
            _check_lat_lon(self.near[0], self.near[1], "near")
        if self.bbox is not None:
            min_lon, min_lat, max_lon, max_lat = self.bbox
            _check_lat_lon(min_lat, min_lon, "bbox")
            _check_lat_lon(max_lat, max_lon, "bbox")
            if min_lat > max_lat:
                raise ConfigError(f"bbox: min_lat {min_lat} is above max_lat {max_lat}")
        if self.since is not None and self.until is not None and self.since > self.until:
            raise ConfigError(f"since {self.since} is after until {self.until}")

    @property
    def radius_km(self) -> float | None:
        """The search radius in km when ``near`` is set."""
        if self.near is None:
            return None
        return self.km if self.km is not None else DEFAULT_NEAR_KM


@dataclass(frozen=True, slots=True)
class CandidateQuery:
    """The events one document's mentions may join, as the pipeline asks a store for them.

    An event matches when its date is in the range given for its date precision in
    ``ranges`` (inclusive; a precision absent from ``ranges`` never matches a dated event) or,
    with ``undated``, when it has no date; and, when ``country_codes`` is not ``None``, its
    place has one of those ISO codes, has no code, or it has no place at all; and when
    ``boxes`` is not ``None``, as said there.
    """

    ranges: tuple[tuple[DatePrecision, date, date], ...] = ()
    undated: bool = False
    country_codes: tuple[str, ...] | None = None
    #: when given, an event must also lie in one of these ``(min_lat, max_lat, min_lon, max_lon)``
    #: boxes, have one of ``gazetteer_ids``, or have a place without a point, at country or admin1
    #: precision, or no place: a town or site elsewhere cannot be the mentions' attack
    boxes: tuple[tuple[float, float, float, float], ...] | None = None
    gazetteer_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Stats:
    """Event counts, each list of ``(key, count)`` pairs.

    ``periods`` are sorted by key (a day ``yyyy-mm-dd``, the Monday that starts an ISO week
    ``yyyy-mm-dd``, or a month ``yyyy-mm``); undated events are counted in ``undated`` only.
    The other lists are sorted by count (highest first), then key. Events with no known
    country count under ``"unknown"``.
    """

    by: Period
    total: int
    undated: int
    periods: tuple[tuple[str, int], ...]
    event_types: tuple[tuple[str, int], ...]
    sub_event_types: tuple[tuple[str, int], ...]
    countries: tuple[tuple[str, int], ...]


@runtime_checkable
class Store(Protocol):
    """Persistent home of documents, mentions and canonical events.

    The constructor does no I/O: :meth:`open` connects and applies migrations. Callers save
    one document's ``save_document`` + ``replace_mentions`` + ``save_event``/``delete_event``
    calls inside one :meth:`transaction`, so a crash never leaves half a document.
    Every database failure surfaces as :class:`~sitroom.errors.StoreError`.
    """

    def open(self) -> None: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def transaction(self) -> AbstractContextManager[None]: ...

    def document_state(self, doc: Document) -> DocumentState: ...

    def save_document(self, doc: Document) -> None: ...

    def replace_mentions(self, doc_id: str, mentions: Sequence[tuple[Mention, str]]) -> None: ...

    def save_event(self, event: Event) -> None: ...

    def delete_event(self, event_id: str) -> None: ...

    def save_sketch(self, doc_id: str, sketch: Sequence[int], index_keys: Sequence[int]) -> None: ...

    def copy_candidates(self, index_keys: Sequence[int]) -> list[tuple[str, list[int]]]:
        """Stored documents that share one of ``index_keys`` (at most
        :data:`COPY_CANDIDATES_PER_KEY` per key, the most recently stored), with their sketches,
        ordered by document id."""
        ...

    def link_copy(self, doc_id: str, copy_of: str, similarity: float) -> None: ...

    def copies_of(self, doc_id: str) -> list[tuple[str, float]]: ...

    def event_ids_for_document(self, doc_id: str) -> list[str]: ...

    def events_in_window(self, start: date, end: date) -> list[Event]: ...

    def candidate_events(self, query: CandidateQuery) -> list[Event]:
        """Events matching ``query`` *without their mentions* (``mentions == ()``): dated ones
        by (date, id), then undated ones by id."""
        ...

    def events_by_id(self, event_ids: Sequence[str]) -> list[Event]:
        """The events with these ids, with their mentions, in the order given (unknown ids are
        left out)."""
        ...

    def existing_event_ids(self, event_ids: Sequence[str]) -> set[str]:
        """Which of ``event_ids`` are stored."""
        ...

    def undated_events(self) -> list[Event]: ...

    def get_event(self, event_id: str) -> Event | None: ...

    def get_document(self, doc_id: str) -> Document | None: ...

    def query_events(self, flt: EventFilter) -> list[Event]: ...

    def count_events(self, flt: EventFilter) -> int: ...

    def iter_events(self) -> Iterator[Event]: ...

    def stats(self, by: Period = "week", flt: EventFilter | None = None) -> Stats: ...

    def counts(self) -> dict[str, int]: ...
