"""The extract stage: news text in, attack mentions out (rules driven by per-language data).

``extract(text, published=..., language=None)`` is the convenience entry point;
:func:`extract_document` reads a :class:`~sitroom.records.Document`.
"""

from __future__ import annotations

from datetime import date, datetime

from sitroom.extract.document import extract_document
from sitroom.records import Document, Mention

__all__ = ["extract", "extract_document", "warm_up"]


def warm_up() -> None:
    """Load every data file the extractor reads (the gazetteer, each language's lexicon and
    actor names) now rather than on first use: before forking worker processes, which then
    share them, or before timing anything."""
    from sitroom import language
    from sitroom.extract.lexicon import available_languages, lexicon_for, may_hold_trigger
    from sitroom.geocode import default_gazetteer

    default_gazetteer()
    language.resolve(None, "warm up")
    may_hold_trigger("")
    for lang in available_languages():
        if lexicon_for(lang) is not None:
            # a trigger word alone runs every lookup that a lexicon compiles on first use
            extract_document(Document(text="drone attack", published=datetime(2024, 1, 2)), language=lang)


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
