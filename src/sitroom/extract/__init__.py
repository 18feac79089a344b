"""The extract stage: news text in, attack mentions out (rules driven by per-language data).

``extract(text, published=..., language=None)`` is the convenience entry point;
:func:`extract_document` reads a :class:`~sitroom.records.Document`.
"""

from __future__ import annotations

from datetime import date, datetime

from sitroom.extract.document import extract_document
from sitroom.records import Document, Mention

__all__ = ["extract", "extract_document"]


def extract(
    text: str,
    *,
    published: date | datetime | str | None = None,
    language: str | None = None,
    doc_id: str = "",
) -> list[Mention]:
    """Every attack that ``text`` reports, dated against ``published``."""
    when: datetime | None
    if isinstance(published, str):
        when = datetime.fromisoformat(published)
    elif isinstance(published, datetime):
        when = published
    elif isinstance(published, date):
        when = datetime(published.year, published.month, published.day)
    else:
        when = None
    doc = Document(text=text, id=doc_id, published=when, language=language)
    return extract_document(doc, language=language)
