"""sitroom: offline-first extraction of armed-attack events from news reports."""

from sitroom.errors import SitroomError
from sitroom.records import Document, Event, Mention, Place, Span

__all__ = ["Document", "Event", "Mention", "Place", "SitroomError", "Span", "__version__"]

__version__ = "0.1.0"
