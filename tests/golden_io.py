"""Shared by the golden test and scripts/update_goldens.py: a document in, mentions as JSON out."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sitroom.extract import extract_document
from sitroom.records import Document

GOLDEN = Path(__file__).resolve().parent / "golden"


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def extract_as_json(path: Path) -> list[Any]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    published = datetime.fromisoformat(raw["published"]) if raw.get("published") else None
    doc = Document(text=raw["text"], id=raw["id"], published=published, language=raw.get("language"))
    return [_plain(m) for m in extract_document(doc, language=raw.get("language"))]
