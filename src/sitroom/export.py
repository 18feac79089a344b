"""Write canonical events out: the scorer's JSON Lines, an analyst CSV, ACLED-style CSV, GeoJSON.

* ``jsonl``: one object per line, exactly the fields of ``CONTRACT.md`` in its order
  (:func:`event_to_contract`), then ``count``, ``fatalities_max``, ``injured_max``, ``hedged``
  and ``sources`` (the number of distinct documents).
* ``csv``: one flat row per event; mentions become ``doc_ids`` (``;``-joined) and ``n_sources``.
* ``acled-csv``: ACLED's 31 columns and numeric codes (see :func:`event_to_acled`).
* ``geojson``: an RFC 7946 FeatureCollection, ``[lon, lat]`` points; an event without
  coordinates has ``"geometry": null``.

Every writer streams: events are formatted one at a time as the iterable yields them.
"""

from __future__ import annotations

import csv
import json
import math
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TextIO

from sitroom.errors import ConfigError
from sitroom.records import Event, Mention

__all__ = [
    "ACLED_COLUMNS",
    "CONTRACT_FIELDS",
    "CSV_COLUMNS",
    "FORMATS",
    "ISO_NUMERIC",
    "JSONL_FIELDS",
    "event_to_acled",
    "event_to_contract",
    "event_to_csv_row",
    "event_to_record",
    "write_events",
]

FORMATS: tuple[str, ...] = ("jsonl", "csv", "acled-csv", "geojson")

#: The fields of CONTRACT.md, in its order.
CONTRACT_FIELDS: tuple[str, ...] = (
    "id",
    "event_date",
    "date_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "location",
    "admin1",
    "country",
    "latitude",
    "longitude",
    "geo_precision",
    "weapon",
    "fatalities",
    "injured",
    "intercepted",
    "claimed_by",
    "mentions",
)
#: What the jsonl export adds after the contract fields.
EXTRA_FIELDS: tuple[str, ...] = ("count", "fatalities_max", "injured_max", "hedged", "sources")
JSONL_FIELDS: tuple[str, ...] = CONTRACT_FIELDS + EXTRA_FIELDS

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "event_date",
    "date_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "location",
    "admin1",
    "country",
    "country_code",
    "latitude",
    "longitude",
    "geo_precision",
    "weapon",
    "count",
    "fatalities",
    "fatalities_max",
    "injured",
    "injured_max",
    "intercepted",
    "claimed_by",
    "hedged",
    "n_sources",
    "doc_ids",
)

#: ACLED codebook Table 1, in its order.
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)

#: ACLED ``time_precision``: 1 = the day is known, 2 = the week, 3 = the month (or vaguer).
ACLED_TIME_PRECISION: dict[str, int] = {"day": 1, "week": 2, "month": 3, "year": 3}
#: ACLED ``geo_precision``: 1 = a town (or a site in it), 2 = part of a region, 3 = a larger region.
ACLED_GEO_PRECISION: dict[str, int] = {"site": 1, "town": 1, "admin1": 2, "country": 3}
#: ACLED ``disorder_type`` by event type (sub-event exceptions in ``_DISORDER_BY_SUB_TYPE``).
ACLED_DISORDER_TYPE: dict[str, str] = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Riots": "Political violence",
    "Protests": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
_DISORDER_BY_SUB_TYPE: dict[str, str] = {
    "Violent demonstration": "Demonstrations",
    "Excessive force against protesters": "Political violence; Demonstrations",
}

#: ISO 3166-1 alpha-2 → numeric code (ACLED's ``iso`` column), generated once from pycountry 26.2.16
#: so that pycountry need not be a runtime dependency.
# fmt: off
ISO_NUMERIC: dict[str, int] = {
    "AD": 20, "AE": 784, "AF": 4, "AG": 28, "AI": 660, "AL": 8, "AM": 51, "AO": 24, "AQ": 10, "AR": 32,
    "AS": 16, "AT": 40, "AU": 36, "AW": 533, "AX": 248, "AZ": 31, "BA": 70, "BB": 52, "BD": 50, "BE": 56,
    "BF": 854, "BG": 100, "BH": 48, "BI": 108, "BJ": 204, "BL": 652, "BM": 60, "BN": 96, "BO": 68,
    "BQ": 535, "BR": 76, "BS": 44, "BT": 64, "BV": 74, "BW": 72, "BY": 112, "BZ": 84, "CA": 124, "CC": 166,
    "CD": 180, "CF": 140, "CG": 178, "CH": 756, "CI": 384, "CK": 184, "CL": 152, "CM": 120, "CN": 156,
    "CO": 170, "CR": 188, "CU": 192, "CV": 132, "CW": 531, "CX": 162, "CY": 196, "CZ": 203, "DE": 276,
    "DJ": 262, "DK": 208, "DM": 212, "DO": 214, "DZ": 12, "EC": 218, "EE": 233, "EG": 818, "EH": 732,
    "ER": 232, "ES": 724, "ET": 231, "FI": 246, "FJ": 242, "FK": 238, "FM": 583, "FO": 234, "FR": 250,
    "GA": 266, "GB": 826, "GD": 308, "GE": 268, "GF": 254, "GG": 831, "GH": 288, "GI": 292, "GL": 304,
    "GM": 270, "GN": 324, "GP": 312, "GQ": 226, "GR": 300, "GS": 239, "GT": 320, "GU": 316, "GW": 624,
    "GY": 328, "HK": 344, "HM": 334, "HN": 340, "HR": 191, "HT": 332, "HU": 348, "ID": 360, "IE": 372,
    "IL": 376, "IM": 833, "IN": 356, "IO": 86, "IQ": 368, "IR": 364, "IS": 352, "IT": 380, "JE": 832,
    "JM": 388, "JO": 400, "JP": 392, "KE": 404, "KG": 417, "KH": 116, "KI": 296, "KM": 174, "KN": 659,
    "KP": 408, "KR": 410, "KW": 414, "KY": 136, "KZ": 398, "LA": 418, "LB": 422, "LC": 662, "LI": 438,
    "LK": 144, "LR": 430, "LS": 426, "LT": 440, "LU": 442, "LV": 428, "LY": 434, "MA": 504, "MC": 492,
    "MD": 498, "ME": 499, "MF": 663, "MG": 450, "MH": 584, "MK": 807, "ML": 466, "MM": 104, "MN": 496,
    "MO": 446, "MP": 580, "MQ": 474, "MR": 478, "MS": 500, "MT": 470, "MU": 480, "MV": 462, "MW": 454,
    "MX": 484, "MY": 458, "MZ": 508, "NA": 516, "NC": 540, "NE": 562, "NF": 574, "NG": 566, "NI": 558,
    "NL": 528, "NO": 578, "NP": 524, "NR": 520, "NU": 570, "NZ": 554, "OM": 512, "PA": 591, "PE": 604,
    "PF": 258, "PG": 598, "PH": 608, "PK": 586, "PL": 616, "PM": 666, "PN": 612, "PR": 630, "PS": 275,
    "PT": 620, "PW": 585, "PY": 600, "QA": 634, "RE": 638, "RO": 642, "RS": 688, "RU": 643, "RW": 646,
    "SA": 682, "SB": 90, "SC": 690, "SD": 729, "SE": 752, "SG": 702, "SH": 654, "SI": 705, "SJ": 744,
    "SK": 703, "SL": 694, "SM": 674, "SN": 686, "SO": 706, "SR": 740, "SS": 728, "ST": 678, "SV": 222,
    "SX": 534, "SY": 760, "SZ": 748, "TC": 796, "TD": 148, "TF": 260, "TG": 768, "TH": 764, "TJ": 762,
    "TK": 772, "TL": 626, "TM": 795, "TN": 788, "TO": 776, "TR": 792, "TT": 780, "TV": 798, "TW": 158,
    "TZ": 834, "UA": 804, "UG": 800, "UM": 581, "US": 840, "UY": 858, "UZ": 860, "VA": 336, "VC": 670,
    "VE": 862, "VG": 92, "VI": 850, "VN": 704, "VU": 548, "WF": 876, "WS": 882, "YE": 887, "YT": 175,
    "ZA": 710, "ZM": 894, "ZW": 716,
}
# fmt: on


def _finite(value: float | None) -> float | None:
    """``value`` unless it is NaN or infinite (not valid JSON)."""
    return value if value is not None and math.isfinite(value) else None


def _point(event: Event) -> tuple[float, float] | None:
    """``(lon, lat)`` when the event has finite coordinates."""
    place = event.place
    if place is None:
        return None
    lat, lon = _finite(place.latitude), _finite(place.longitude)
    return None if lat is None or lon is None else (lon, lat)


def _mention_to_contract(mention: Mention) -> dict[str, object]:
    return {
        "doc_id": mention.doc_id,
        "role": mention.role,
        "evidence": mention.evidence,
        "start": mention.start,
        "end": mention.end,
    }


def event_to_contract(event: Event) -> dict[str, object]:
    """Exactly the CONTRACT.md fields, in its order (JSON-ready values)."""
    place = event.place
    return {
        "id": event.id,
        "event_date": event.event_date.isoformat() if event.event_date else None,
        "date_precision": event.date_precision,
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "actor1": event.actor1,
        "actor2": event.actor2,
        "location": place.name if place else None,
        "admin1": place.admin1 if place else None,
        "country": place.country if place else None,
        "latitude": _finite(place.latitude) if place else None,
        "longitude": _finite(place.longitude) if place else None,
        "geo_precision": place.precision if place else None,
        "weapon": event.weapon,
        "fatalities": event.fatalities,
        "injured": event.injured,
        "intercepted": event.intercepted,
        "claimed_by": event.claimed_by,
        "mentions": [_mention_to_contract(m) for m in event.mentions],
    }


def event_to_record(event: Event) -> dict[str, object]:
    """The jsonl object: the contract fields, then :data:`EXTRA_FIELDS`."""
    record = event_to_contract(event)
    record.update(
        count=event.count,
        fatalities_max=event.fatalities_max,
        injured_max=event.injured_max,
        hedged=event.hedged,
        sources=len(event.doc_ids),
    )
    return record


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def event_to_csv_row(event: Event) -> list[str]:
    """One row of the analyst CSV, in :data:`CSV_COLUMNS` order."""
    record = event_to_record(event)
    place = event.place
    values: dict[str, object] = {
        **record,
        "country_code": place.country_code if place else None,
        "n_sources": len(event.doc_ids),
        "doc_ids": ";".join(event.doc_ids),
    }
    return [_cell(values[column]) for column in CSV_COLUMNS]


def _notes(event: Event) -> str:
    """The evidence of the first main mention (else the first mention), on one line."""
    chosen = next((m for m in event.mentions if m.role == "main"), None)
    if chosen is None and event.mentions:
        chosen = event.mentions[0]
    return " ".join(chosen.evidence.split()) if chosen else ""


def _targets_civilians(event: Event) -> bool:
    if event.event_type == "Violence against civilians":
        return True
    return event.event_type == "Explosions/Remote violence" and "civilian" in (event.actor2 or "").casefold()


def event_to_acled(
    event: Event, *, outlets: Mapping[str, str | None] | None = None, timestamp: int = 0
) -> dict[str, object]:
    """One ACLED-style row (column -> value) in :data:`ACLED_COLUMNS` order.

    Codes: ``time_precision`` day 1, week 2, month/year 3; ``geo_precision`` site/town 1,
    admin1 2, country 3; unknown fatalities 0 (as ACLED codes them); ``iso`` the ISO 3166
    numeric code; ``source`` the distinct outlets (``outlets`` maps doc id to outlet; the doc
    id stands in when unknown) joined by ``"; "``; ``notes`` the main evidence sentence;
    ``civilian_targeting`` set for Violence against civilians and for remote violence whose
    target (actor2) is civilians; ``tags`` ``intercepted`` when a weapon was intercepted.
    Actor types (``inter1``, ``inter2``, ``interaction``), associated actors, ``region``,
    ``admin2``/``admin3`` and ``source_scale`` are not coded and stay empty.
    """
    place = event.place
    point = _point(event)
    sources = dict.fromkeys(((outlets or {}).get(d) or d) for d in event.doc_ids)
    code = (place.country_code or "").upper() if place else ""
    tags = ["intercepted"] if event.intercepted else []
    return {
        "event_id_cnty": event.id,
        "event_date": event.event_date.isoformat() if event.event_date else "",
        "year": event.event_date.year if event.event_date else "",
        "time_precision": ACLED_TIME_PRECISION.get(event.date_precision, 3),
        "disorder_type": _DISORDER_BY_SUB_TYPE.get(
            event.sub_event_type, ACLED_DISORDER_TYPE.get(event.event_type, "Political violence")
        ),
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "actor1": event.actor1 or "",
        "assoc_actor_1": "",
        "inter1": "",
        "actor2": event.actor2 or "",
        "assoc_actor_2": "",
        "inter2": "",
        "interaction": "",
        "civilian_targeting": "Civilian targeting" if _targets_civilians(event) else "",
        "iso": ISO_NUMERIC.get(code, ""),
        "region": "",
        "country": (place.country or "") if place else "",
        "admin1": (place.admin1 or "") if place else "",
        "admin2": "",
        "admin3": "",
        "location": place.name if place else "",
        "latitude": f"{point[1]:.4f}" if point else "",
        "longitude": f"{point[0]:.4f}" if point else "",
        "geo_precision": ACLED_GEO_PRECISION.get(place.precision, 3) if place else "",
        "source": "; ".join(sources),
        "source_scale": "",
        "notes": _notes(event),
        "fatalities": event.fatalities if event.fatalities is not None else 0,
        "tags": "; ".join(tags),
        "timestamp": timestamp,
    }


def _feature(event: Event) -> dict[str, object]:
    properties = event_to_record(event)
    del properties["mentions"]
    point = _point(event)
    geometry = {"type": "Point", "coordinates": [point[0], point[1]]} if point else None
    return {"type": "Feature", "id": event.id, "geometry": geometry, "properties": properties}


def _dumps(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)


def _write_jsonl(events: Iterable[Event], out: TextIO) -> int:
    n = 0
    for event in events:
        out.write(_dumps(event_to_record(event)) + "\n")
        n += 1
    return n


def _write_csv(events: Iterable[Event], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    n = 0
    for event in events:
        writer.writerow(event_to_csv_row(event))
        n += 1
    return n


def _write_acled(
    events: Iterable[Event], out: TextIO, outlets: Mapping[str, str | None] | None, timestamp: int
) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ACLED_COLUMNS)
    n = 0
    for event in events:
        row = event_to_acled(event, outlets=outlets, timestamp=timestamp)
        writer.writerow([_cell(row[column]) for column in ACLED_COLUMNS])
        n += 1
    return n


def _write_geojson(events: Iterable[Event], out: TextIO) -> int:
    out.write('{"type": "FeatureCollection", "features": [')
    n = 0
    for event in events:
        out.write(("," if n else "") + "\n" + _dumps(_feature(event)))
        n += 1
    out.write("\n]}\n")
    return n


def write_events(
    events: Iterable[Event],
    fmt: str,
    out: TextIO,
    *,
    outlets: Mapping[str, str | None] | None = None,
    timestamp: int | None = None,
) -> int:
    """Write ``events`` to ``out`` in ``fmt`` (one of :data:`FORMATS`); return how many.

    ``outlets`` (doc id -> outlet name) and ``timestamp`` (Unix seconds, default now) are used
    by ``acled-csv`` only. An unknown format raises :class:`ConfigError` before anything is written.
    """
    key = fmt.strip().lower()
    writers: dict[str, Callable[[], int]] = {
        "jsonl": lambda: _write_jsonl(events, out),
        "csv": lambda: _write_csv(events, out),
        "acled-csv": lambda: _write_acled(
            events, out, outlets, int(time.time()) if timestamp is None else timestamp
        ),
        "geojson": lambda: _write_geojson(events, out),
    }
    if key not in writers:
        raise ConfigError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return writers[key]()
