"""The pipeline: documents in, events stored. The CLI and the HTTP API are shells over it.

Each document goes through language → extract → dedupe → store in one transaction, so a
killed run never leaves half a document, and a document already stored with the same text
is skipped, so re-ingesting the same input changes nothing. A document that fails is
recorded in the summary with its reason and the batch goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Literal

from sitroom import language as language_stage
from sitroom.dedupe import COPY_SIMILARITY, assign_mentions, build_event, sketch_similarity, text_sketch
from sitroom.errors import SitroomError
from sitroom.extract import extract_document
from sitroom.geocode import Gazetteer
from sitroom.ingest import ReadFailure, ReadResult
from sitroom.records import Document, Event, Mention
from sitroom.store import Store

__all__ = ["DocumentOutcome", "IngestSummary", "Pipeline"]

Status = Literal["new", "duplicate", "changed", "failed"]
_SEARCH_DAYS = 40


@dataclass(frozen=True, slots=True)
class DocumentOutcome:
    doc_id: str
    status: Status
    language: str | None = None
    mentions: int = 0
    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    reason: str | None = None


@dataclass(slots=True)
class IngestSummary:
    read: int = 0
    new: int = 0
    duplicate: int = 0
    changed: int = 0
    failed: int = 0
    mentions: int = 0
    events_created: int = 0
    events_updated: int = 0
    failures: list[ReadFailure] = field(default_factory=list)

    def add(self, outcome: DocumentOutcome) -> None:
        self.read += 1
        if outcome.status == "failed":
            self.failed += 1
            self.failures.append(ReadFailure(outcome.doc_id, outcome.reason or "failed"))
            return
        if outcome.status == "new":
            self.new += 1
        elif outcome.status == "duplicate":
            self.duplicate += 1
        else:
            self.changed += 1
        self.mentions += outcome.mentions
        self.events_created += len(outcome.created)
        self.events_updated += len([u for u in outcome.updated if u not in outcome.created])


class Pipeline:
    """Runs documents through every stage into ``store`` (which the caller opens)."""

    def __init__(self, store: Store, *, gazetteer: Gazetteer | None = None) -> None:
        self.store = store
        self._gazetteer = gazetteer

    def read(self, doc: Document) -> tuple[str | None, list[Mention]]:
        """Language and mentions of one document, without touching the store."""
        lang = language_stage.resolve(doc.language, doc.text)
        if lang != doc.language:
            doc = replace(doc, language=lang)
        return lang, extract_document(doc, language=lang, gazetteer=self._gazetteer)

    def ingest_document(self, doc: Document) -> DocumentOutcome:
        state = self.store.document_state(doc)
        if state == "same":
            return DocumentOutcome(doc.id, "duplicate", doc.language)
        lang, mentions = self.read(doc)
        stored = replace(doc, language=lang)
        with self.store.transaction():
            affected: list[str] = []
            if state == "changed":
                affected = self.store.event_ids_for_document(doc.id)
                self.store.replace_mentions(doc.id, [])
                self._rebuild(affected)
            self.store.save_document(stored)
            self._link_copies(stored)
            candidates = self._candidates(mentions)
            assignment = assign_mentions(mentions, candidates)
            for event in assignment.events:
                self.store.save_event(event)
            self.store.replace_mentions(doc.id, list(assignment.links))
        status: Status = "new" if state == "new" else "changed"
        return DocumentOutcome(doc.id, status, lang, len(mentions), assignment.created, assignment.updated)

    def ingest(
        self,
        results: Iterable[ReadResult],
        *,
        on_outcome: Callable[[DocumentOutcome], None] | None = None,
    ) -> IngestSummary:
        summary = IngestSummary()
        for item in results:
            if isinstance(item, ReadFailure):
                outcome = DocumentOutcome(item.source, "failed", reason=item.reason)
            else:
                try:
                    outcome = self.ingest_document(item)
                except SitroomError as exc:
                    outcome = DocumentOutcome(item.origin or item.id, "failed", reason=str(exc))
            summary.add(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
        return summary

    def _link_copies(self, doc: Document) -> None:
        """Link a verbatim copy of a stored story (the same wire report in another outlet)."""
        sketch, keys = text_sketch(doc.text)
        best: tuple[float, str] | None = None
        for other, other_sketch in self.store.sketches_sharing(keys):
            if other == doc.id:
                continue
            sim = sketch_similarity(sketch, other_sketch)
            if sim >= COPY_SIMILARITY and (best is None or sim > best[0]):
                best = (sim, other)
        if best is not None:
            self.store.link_copy(doc.id, best[1], round(best[0], 3))
        self.store.save_sketch(doc.id, sketch, keys)

    def _candidates(self, mentions: list[Mention]) -> list[Event]:
        dates = [m.event_date for m in mentions if m.event_date is not None]
        found: dict[str, Event] = {}
        if dates:
            for e in self.store.events_in_window(
                min(dates) - timedelta(days=_SEARCH_DAYS), max(dates) + timedelta(days=_SEARCH_DAYS)
            ):
                found[e.id] = e
        if any(m.event_date is None for m in mentions):
            for e in self.store.undated_events():
                found[e.id] = e
        return list(found.values())

    def _rebuild(self, event_ids: list[str]) -> None:
        for eid in event_ids:
            event = self.store.get_event(eid)
            if event is None:
                continue
            if not event.mentions:
                self.store.delete_event(eid)
            else:
                self.store.save_event(build_event(eid, list(event.mentions)))
