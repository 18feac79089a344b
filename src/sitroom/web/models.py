"""The JSON shapes of sitroom's HTTP API.

Field names follow ``CONTRACT.md`` (ACLED-style) wherever an event field is meant; dates are
``yyyy-mm-dd`` strings, publication times ISO 8601 strings (naive UTC), unknown values ``null``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ApiError",
    "ContractDocument",
    "Copy",
    "DocumentDetail",
    "DocumentOutcomeOut",
    "DocumentRef",
    "EventDetail",
    "EventPage",
    "EventSummary",
    "Health",
    "IngestResult",
    "KeyCount",
    "Limits",
    "MentionDetail",
    "Meta",
    "Paragraph",
    "PeriodCount",
    "StatsOut",
]


class ApiError(BaseModel):
    """Every error answer: the HTTP status, a short code and a message meant for a person."""

    status: int = Field(examples=[400])
    error: str = Field(description="Short machine-readable code", examples=["bad_request"])
    message: str = Field(examples=["since 2024-05-01 is after until 2024-04-01"])
    details: list[dict[str, object]] | None = Field(
        default=None, description="Per-field problems, when the request had several"
    )


class EventFields(BaseModel):
    """The fields of one canonical event (CONTRACT.md, plus what sitroom adds)."""

    id: str = Field(examples=["ev-1ca7d2f0e2b1"])
    event_date: str | None = Field(description="yyyy-mm-dd, or null when unknown")
    date_precision: str = Field(description="day, week, month or year")
    event_type: str = Field(examples=["Explosions/Remote violence"])
    sub_event_type: str = Field(examples=["Air/drone strike"])
    actor1: str | None = Field(description="Attacker (or side 1)")
    actor2: str | None = Field(description="Target (or side 2)")
    location: str | None
    admin1: str | None
    country: str | None
    country_code: str | None = Field(description="ISO 3166-1 alpha-2")
    latitude: float | None
    longitude: float | None
    geo_precision: str | None = Field(description="site, town, admin1 or country")
    weapon: str | None
    count: int | None = Field(description="How many strikes, drones, missiles … when reported")
    fatalities: int | None = Field(description="Lowest reported figure; null = not reported")
    fatalities_max: int | None = Field(description="Highest reported figure")
    injured: int | None
    injured_max: int | None
    intercepted: bool | None
    claimed_by: str | None
    hedged: bool = Field(description="Every report of it is hedged (alleged, unconfirmed …)")
    sources: int = Field(description="Number of distinct documents reporting it")


class EventSummary(EventFields):
    """An event as listed: its fields, how many mentions it has and its main evidence sentence."""

    n_mentions: int
    summary: str | None = Field(description="The evidence sentence of its first main mention")


class EventPage(BaseModel):
    """One page of events. Pass ``next_cursor`` as ``cursor`` (with the same filters) for the next."""

    total: int = Field(description="Events matching the filters, over all pages")
    count: int = Field(description="Events on this page")
    limit: int
    sort: str
    next_cursor: str | None = Field(description="Opaque; null on the last page")
    events: list[EventSummary]


class DocumentRef(BaseModel):
    """Where a report came from."""

    id: str
    title: str | None
    url: str | None
    outlet: str | None
    language: str | None
    published: str | None = Field(description="ISO 8601 (naive UTC), or null when unknown")


class Paragraph(BaseModel):
    """The paragraph around an evidence sentence; ``text[start:end]`` is the evidence.

    ``offset`` is where ``text`` starts in the document; ``truncated_before``/``after`` say
    that a long paragraph was cut to a window around the evidence.
    """

    text: str
    start: int
    end: int
    offset: int
    truncated_before: bool
    truncated_after: bool


class Copy(BaseModel):
    """Another document holding the same wire story."""

    doc_id: str
    similarity: float


class MentionDetail(BaseModel):
    """One report of an event: its evidence sentence, offsets, what it says, and its document."""

    doc_id: str
    role: str = Field(description="main or background")
    evidence: str
    start: int = Field(description="Offset of the evidence in the document text")
    end: int
    event_date: str | None
    date_precision: str
    location: str | None
    country: str | None
    actor1: str | None
    actor2: str | None
    weapon: str | None
    fatalities: int | None
    injured: int | None
    intercepted: bool | None
    claimed_by: str | None
    hedged: bool
    language: str | None
    document: DocumentRef | None
    paragraph: Paragraph | None
    copies: list[Copy]


class EventDetail(EventFields):
    """An event with every mention (earliest report first)."""

    mentions: list[MentionDetail]


class DocumentDetail(DocumentRef):
    """A stored report with its full text, the events it reports and its wire copies."""

    text: str
    events: list[str]
    copies: list[Copy]


class KeyCount(BaseModel):
    key: str
    count: int


class PeriodCount(BaseModel):
    period: str = Field(description="A day, the Monday of an ISO week, or a month (yyyy-mm)")
    count: int
    by_type: dict[str, int] = Field(description="Events of the period by event type")


class StatsOut(BaseModel):
    """Event counts per period, type, sub-event type, country and actor (for the matching events)."""

    by: str
    total: int
    undated: int
    periods: list[PeriodCount]
    event_types: list[KeyCount]
    sub_event_types: list[KeyCount]
    countries: list[KeyCount]
    actors: list[KeyCount] = Field(description="Events naming the actor as attacker, target or claimant")
    actors_complete: bool = Field(description="False when actors were counted over a capped sample")


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    version: str
    events: int
    documents: int
    writes_enabled: bool


class Limits(BaseModel):
    page_default: int
    page_max: int
    body_max_bytes: int
    documents_max: int


class Meta(BaseModel):
    """What the dashboard needs to draw its filters."""

    version: str
    total_events: int
    event_types: dict[str, list[str]] = Field(description="ACLED event types and their sub-event types")
    countries: list[KeyCount]
    writes_enabled: bool
    limits: Limits


class DocumentOutcomeOut(BaseModel):
    id: str
    status: str = Field(description="new, duplicate, changed or failed")
    language: str | None
    mentions: int
    created: list[str] = Field(description="Events this document created")
    updated: list[str] = Field(description="Events this document added a report to")
    reason: str | None


class IngestResult(BaseModel):
    read: int
    new: int
    duplicate: int
    changed: int
    failed: int
    mentions: int
    events_created: int
    events_updated: int
    documents: list[DocumentOutcomeOut]


class ContractDocument(BaseModel):
    """One document in the CONTRACT format; only ``text`` is required."""

    model_config = ConfigDict(extra="allow")

    id: str | int | None = Field(default=None, examples=["S002"])
    url: str | None = None
    language: str | None = Field(default=None, examples=["en"])
    published: str | None = Field(default=None, examples=["2024-07-17"])
    title: str | None = None
    outlet: str | None = None
    text: str = Field(examples=["A Russian drone struck Kharkiv on Tuesday, killing two people."])
