"""Export formats: the scorer's jsonl contract, analyst CSV, ACLED CSV, GeoJSON."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from sitroom.errors import ConfigError
from sitroom.export import (
    ACLED_COLUMNS,
    CONTRACT_FIELDS,
    CSV_COLUMNS,
    FORMATS,
    ISO_NUMERIC,
    JSONL_FIELDS,
    event_to_contract,
    write_events,
)
from sitroom.records import Event, Mention, Place

KHARKIV = Place("Kharkiv", "town", "Ukraine", "UA", "Kharkiv", 49.9935, 36.2304, "city")
ERBIL = Place("Erbil International Airport", "site", "Iraq", "IQ", "Erbil", 36.2376, 43.9632, "airport")


def _mention(doc_id: str, evidence: str, role: str = "main", start: int = 0) -> Mention:
    return Mention(
        doc_id=doc_id,
        role=role,  # type: ignore[arg-type]
        event_type="Explosions/Remote violence",
        sub_event_type="Air/drone strike",
        evidence=evidence,
        start=start,
        end=start + len(evidence),
    )


STRIKE = Event(
    id="E1",
    event_type="Explosions/Remote violence",
    sub_event_type="Air/drone strike",
    event_date=date(2024, 2, 10),
    date_precision="day",
    place=KHARKIV,
    actor1="Russian forces",
    actor2="Civilians (Ukraine)",
    weapon="drone",
    count=3,
    fatalities=7,
    fatalities_max=9,
    injured=None,
    intercepted=False,
    hedged=False,
    mentions=(
        _mention("DV002", "Background: earlier strikes hit Харків.", role="background", start=40),
        _mention("DV001", "A Russian drone attack on a gas station in Kharkiv\nkilled seven people."),
        _mention("DV001", "Seven died, officials said.", start=100),
    ),
)
INTERCEPT = Event(
    id="E2",
    event_type="Strategic developments",
    sub_event_type="Disrupted weapons use",
    event_date=date(2024, 3, 1),
    date_precision="week",
    place=ERBIL,
    weapon="rocket",
    intercepted=True,
    claimed_by="Islamic Resistance in Iraq",
    mentions=(_mention("S9", "A rocket was shot down over Erbil airport."),),
)
NOWHERE = Event(
    id="E3",
    event_type="Violence against civilians",
    sub_event_type="Attack",
    event_date=None,
    date_precision="year",
    place=None,
    mentions=(),
)
EVENTS = (STRIKE, INTERCEPT, NOWHERE)


def export(fmt: str, events: tuple[Event, ...] = EVENTS, **kw: object) -> str:
    out = io.StringIO()
    n = write_events(iter(events), fmt, out, **kw)  # type: ignore[arg-type]
    assert n == len(events)
    return out.getvalue()


def test_formats() -> None:
    assert FORMATS == ("jsonl", "csv", "acled-csv", "geojson")


def test_contract_fields_match_contract_md() -> None:
    contract = Path(__file__).resolve().parents[2] / "shared" / "CONTRACT.md"
    if not contract.is_file():
        pytest.skip("shared CONTRACT.md not present")
    names: list[str] = []
    for line in contract.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*([a-z_0-9, ]+?)\s*\|\s*(string|\"|number|integer|boolean|list)", line)
        if match:
            names += [n.strip() for n in match.group(1).split(",")]
    assert tuple(names) == CONTRACT_FIELDS


def test_event_to_contract_exact_fields_and_values() -> None:
    record = event_to_contract(STRIKE)
    assert tuple(record) == CONTRACT_FIELDS
    assert record["event_date"] == "2024-02-10"
    assert (
        record["location"] == "Kharkiv" and record["admin1"] == "Kharkiv" and record["country"] == "Ukraine"
    )
    assert (record["latitude"], record["longitude"], record["geo_precision"]) == (49.9935, 36.2304, "town")
    assert record["injured"] is None and record["intercepted"] is False and record["claimed_by"] is None
    assert record["mentions"] == [
        {
            "doc_id": "DV002",
            "role": "background",
            "evidence": STRIKE.mentions[0].evidence,
            "start": 40,
            "end": 79,
        },
        {"doc_id": "DV001", "role": "main", "evidence": STRIKE.mentions[1].evidence, "start": 0, "end": 71},
        {
            "doc_id": "DV001",
            "role": "main",
            "evidence": "Seven died, officials said.",
            "start": 100,
            "end": 127,
        },
    ]
    assert all(tuple(m) == ("doc_id", "role", "evidence", "start", "end") for m in record["mentions"])


def test_jsonl_lines_fields_in_order() -> None:
    text = export("jsonl")
    lines = text.splitlines()
    assert len(lines) == 3 and text.endswith("\n")
    rows = [json.loads(line) for line in lines]
    for row in rows:
        assert tuple(row) == JSONL_FIELDS
        assert tuple(row)[: len(CONTRACT_FIELDS)] == CONTRACT_FIELDS
    strike, intercept, nowhere = rows
    assert (strike["count"], strike["fatalities_max"], strike["injured_max"], strike["sources"]) == (
        3,
        9,
        None,
        2,
    )
    assert strike["hedged"] is False
    assert intercept["intercepted"] is True and intercept["date_precision"] == "week"
    assert nowhere["event_date"] is None and nowhere["location"] is None and nowhere["geo_precision"] is None
    assert nowhere["mentions"] == [] and nowhere["sources"] == 0
    assert "Харків" in text  # ensure_ascii=False


def test_non_finite_coordinates_become_null() -> None:
    odd = Event(
        "E9", "Battles", "Armed clash", None, "day", Place("X", "town", latitude=float("nan"), longitude=1.0)
    )
    row = json.loads(export("jsonl", (odd,)))
    assert row["latitude"] is None and row["longitude"] == 1.0
    feature = json.loads(export("geojson", (odd,)))["features"][0]
    assert feature["geometry"] is None


def test_csv_is_parsable() -> None:
    rows = list(csv.DictReader(io.StringIO(export("csv"))))
    assert len(rows) == 3
    assert tuple(rows[0]) == CSV_COLUMNS
    strike, intercept, nowhere = rows
    assert strike["doc_ids"] == "DV002;DV001" and strike["n_sources"] == "2"
    assert strike["country_code"] == "UA" and strike["fatalities"] == "7" and strike["injured"] == ""
    assert intercept["intercepted"] == "true" and strike["intercepted"] == "false"
    assert nowhere["latitude"] == "" and nowhere["doc_ids"] == "" and nowhere["n_sources"] == "0"


def test_acled_csv_columns_and_codes() -> None:
    text = export("acled-csv", outlets={"DV001": "Moscow Times", "DV002": None}, timestamp=1_700_000_000)
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    assert tuple(header) == ACLED_COLUMNS and len(header) == 31
    rows = [dict(zip(header, row, strict=True)) for row in reader]
    strike, intercept, nowhere = rows
    assert strike["event_id_cnty"] == "E1"
    assert strike["event_date"] == "2024-02-10" and strike["year"] == "2024"
    assert (
        strike["time_precision"] == "1"
        and intercept["time_precision"] == "2"
        and nowhere["time_precision"] == "3"
    )
    assert (
        strike["geo_precision"] == "1"
        and intercept["geo_precision"] == "1"
        and nowhere["geo_precision"] == ""
    )
    assert strike["disorder_type"] == "Political violence"
    assert intercept["disorder_type"] == "Strategic developments"
    assert strike["civilian_targeting"] == "Civilian targeting"  # remote violence aimed at civilians
    assert nowhere["civilian_targeting"] == "Civilian targeting"  # Violence against civilians
    assert intercept["civilian_targeting"] == ""
    assert strike["iso"] == "804" and intercept["iso"] == "368" and nowhere["iso"] == ""
    assert (strike["latitude"], strike["longitude"]) == ("49.9935", "36.2304")
    assert strike["source"] == "DV002; Moscow Times"
    assert strike["notes"] == "A Russian drone attack on a gas station in Kharkiv killed seven people."
    assert intercept["notes"] == "A rocket was shot down over Erbil airport."
    assert strike["fatalities"] == "7" and intercept["fatalities"] == "0"  # unknown -> 0, as ACLED codes it
    assert intercept["tags"] == "intercepted" and strike["tags"] == ""
    assert strike["timestamp"] == "1700000000"
    assert strike["inter1"] == "" and strike["region"] == ""


def test_acled_precision_codes_for_regions() -> None:
    for precision, code in (("site", "1"), ("town", "1"), ("admin1", "2"), ("country", "3")):
        e = Event("E", "Battles", "Armed clash", date(2024, 1, 1), "month", Place("P", precision))  # type: ignore[arg-type]
        row = list(csv.reader(io.StringIO(export("acled-csv", (e,)))))[1]
        assert row[ACLED_COLUMNS.index("geo_precision")] == code
        assert row[ACLED_COLUMNS.index("time_precision")] == "3"


def test_iso_numeric_table() -> None:
    assert ISO_NUMERIC["UA"] == 804 and ISO_NUMERIC["RU"] == 643 and ISO_NUMERIC["AF"] == 4
    assert len(ISO_NUMERIC) >= 249


def test_geojson_is_a_valid_feature_collection() -> None:
    data = json.loads(export("geojson"))
    assert data["type"] == "FeatureCollection"
    features = data["features"]
    assert [f["id"] for f in features] == ["E1", "E2", "E3"]
    for feature in features:
        assert feature["type"] == "Feature"
        assert set(feature) == {"type", "id", "geometry", "properties"}
        assert "mentions" not in feature["properties"]
        assert tuple(feature["properties"]) == tuple(f for f in JSONL_FIELDS if f != "mentions")
    strike, _, nowhere = features
    assert strike["geometry"] == {"type": "Point", "coordinates": [36.2304, 49.9935]}  # [lon, lat]
    assert strike["properties"]["sources"] == 2
    assert nowhere["geometry"] is None


def test_empty_exports() -> None:
    assert export("jsonl", ()) == ""
    assert json.loads(export("geojson", ())) == {"type": "FeatureCollection", "features": []}
    assert list(csv.reader(io.StringIO(export("csv", ())))) == [list(CSV_COLUMNS)]


def test_unknown_format_writes_nothing() -> None:
    out = io.StringIO()
    with pytest.raises(ConfigError, match="unknown export format"):
        write_events(EVENTS, "xml", out)
    assert out.getvalue() == ""


def test_export_streams() -> None:
    seen: list[str] = []

    def events() -> Iterator[Event]:
        for e in EVENTS:
            seen.append(e.id)
            yield e

    class Probe(io.StringIO):
        def write(self, s: str) -> int:
            if '"E2"' in s:
                assert seen == ["E1", "E2"]  # E3 not pulled before E2 was written
            return super().write(s)

    assert write_events(events(), "JSONL", Probe()) == 3
