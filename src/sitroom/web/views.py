"""Records turned into the API's JSON shapes (:mod:`sitroom.web.models`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from sitroom.export import event_to_record
from sitroom.records import Document, Event, Mention
from sitroom.web.models import (
    Copy,
    DocumentDetail,
    DocumentRef,
    EventDetail,
    EventSummary,
    MentionDetail,
    Paragraph,
)

__all__ = [
    "PARAGRAPH_WINDOW",
    "document_detail",
    "document_ref",
    "event_detail",
    "event_summary",
    "paragraph_around",
]

#: Characters kept on each side of an evidence sentence when its paragraph is longer.
PARAGRAPH_WINDOW = 600

_SPACE = re.compile(r"\s+")


def _fields(event: Event) -> dict[str, object]:
    record = event_to_record(event)
    del record["mentions"]
    record["country_code"] = event.place.country_code if event.place else None
    return record


def _main_evidence(event: Event) -> str | None:
    chosen = next((m for m in event.mentions if m.role == "main"), None)
    if chosen is None and event.mentions:
        chosen = event.mentions[0]
    return " ".join(chosen.evidence.split()) if chosen else None


def event_summary(event: Event) -> EventSummary:
    return EventSummary.model_validate(
        {**_fields(event), "n_mentions": len(event.mentions), "summary": _main_evidence(event)}
    )


def document_ref(doc: Document) -> DocumentRef:
    return DocumentRef(
        id=doc.id,
        title=doc.title,
        url=doc.url,
        outlet=doc.outlet,
        language=doc.language,
        published=doc.published.isoformat() if doc.published else None,
    )


def _same_text(a: str, b: str) -> bool:
    return _SPACE.sub(" ", a).strip() == _SPACE.sub(" ", b).strip()


def _locate(text: str, mention: Mention) -> tuple[int, int] | None:
    """Offsets of the mention's evidence in ``text``: its own when they hold, else a search."""
    start, end = mention.start, mention.end
    if 0 <= start < end <= len(text) and _same_text(text[start:end], mention.evidence):
        return start, end
    found = text.find(mention.evidence)
    if found >= 0:
        return found, found + len(mention.evidence)
    if 0 <= start < end <= len(text):
        return start, end  # offsets are the contract; trust them over a reworded evidence
    return None


def paragraph_around(text: str, start: int, end: int, *, window: int = PARAGRAPH_WINDOW) -> Paragraph:
    """The paragraph (line) holding ``text[start:end]``, cut to ``window`` characters each side."""
    para_start = text.rfind("\n", 0, start) + 1
    newline = text.find("\n", end)
    para_end = len(text) if newline < 0 else newline
    cut_before = start - para_start > window
    cut_after = para_end - end > window
    if cut_before:
        lo = start - window
        space = text.find(" ", lo, start)
        para_start = space + 1 if space >= 0 else lo
    if cut_after:
        hi = end + window
        space = text.rfind(" ", end, hi)
        para_end = space if space > end else hi
    # leading and trailing blanks of the paragraph are not shown
    while para_start < start and text[para_start].isspace():
        para_start += 1
    while para_end > end and text[para_end - 1].isspace():
        para_end -= 1
    return Paragraph(
        text=text[para_start:para_end],
        start=start - para_start,
        end=end - para_start,
        offset=para_start,
        truncated_before=cut_before,
        truncated_after=cut_after,
    )


def _mention_detail(
    mention: Mention, doc: Document | None, copies: Sequence[tuple[str, float]]
) -> MentionDetail:
    place = mention.place
    paragraph = None
    if doc is not None:
        where = _locate(doc.text, mention)
        if where is not None:
            paragraph = paragraph_around(doc.text, *where)
    if paragraph is None:  # no stored text: the evidence alone is its paragraph
        paragraph = Paragraph(
            text=mention.evidence,
            start=0,
            end=len(mention.evidence),
            offset=mention.start,
            truncated_before=False,
            truncated_after=False,
        )
    return MentionDetail(
        doc_id=mention.doc_id,
        role=mention.role,
        evidence=mention.evidence,
        start=mention.start,
        end=mention.end,
        event_date=mention.event_date.isoformat() if mention.event_date else None,
        date_precision=mention.date_precision,
        location=place.name if place else None,
        country=place.country if place else None,
        actor1=mention.actor1,
        actor2=mention.actor2,
        weapon=mention.weapon,
        fatalities=mention.fatalities,
        injured=mention.injured,
        intercepted=mention.intercepted,
        claimed_by=mention.claimed_by,
        hedged=mention.hedged,
        language=mention.language,
        document=document_ref(doc) if doc is not None else None,
        paragraph=paragraph,
        copies=[Copy(doc_id=d, similarity=s) for d, s in copies],
    )


def event_detail(
    event: Event,
    documents: Mapping[str, Document | None],
    copies: Mapping[str, Sequence[tuple[str, float]]],
) -> EventDetail:
    """The event with every mention, each with its document and the paragraph around its evidence."""
    mentions = [_mention_detail(m, documents.get(m.doc_id), copies.get(m.doc_id, ())) for m in event.mentions]
    return EventDetail.model_validate({**_fields(event), "mentions": mentions})


def document_detail(
    doc: Document, events: Sequence[str], copies: Sequence[tuple[str, float]]
) -> DocumentDetail:
    return DocumentDetail(
        **document_ref(doc).model_dump(),
        text=doc.text,
        events=list(events),
        copies=[Copy(doc_id=d, similarity=s) for d, s in copies],
    )
