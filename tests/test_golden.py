"""Exact-output golden files for extraction (documents we wrote; see scripts/update_goldens.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from golden_io import GOLDEN, extract_as_json

CASES = sorted((GOLDEN / "inputs").glob("*.json"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_extraction_matches_golden(path: Path) -> None:
    expected = json.loads((GOLDEN / "expected" / path.name).read_text(encoding="utf-8"))
    assert extract_as_json(path) == expected


def test_goldens_cover_the_hard_cases() -> None:
    # the negative document yields nothing; the list of dates yields one event per date
    by_name = {p.stem: json.loads((GOLDEN / "expected" / p.name).read_text(encoding="utf-8")) for p in CASES}
    assert by_name["g03_negative"] == []
    dates = sorted(m["event_date"] for m in by_name["g02_list_of_strikes"])
    assert {"2023-10-26", "2023-11-08", "2023-11-12", "2023-11-21"} <= set(dates)
