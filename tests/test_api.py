"""The HTTP API in-process (FastAPI's TestClient, httpx on the ASGI app) over a real SQLite file.

Five short English reports written for these tests tell four attacks: a drone strike on
Kharkiv reported by two outlets (3 and 5 killed), a roadside bomb in Kirkuk, a strike on
Odesa and Houthi missiles in the Gulf of Aden; a sixth report (a council meeting) has no event.
The extractor runs for real, so assertions stick to what the texts state plainly.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sitroom import api
from sitroom.api import CONTENT_SECURITY_POLICY, create_app, is_loopback
from sitroom.export import ACLED_COLUMNS, CSV_COLUMNS, JSONL_FIELDS, write_events
from sitroom.ingest.jsonl import document_from_object
from sitroom.pipeline import Pipeline
from sitroom.store import open_store
from sitroom.web import assets
from sitroom.web.views import paragraph_around

with warnings.catch_warnings():  # newer Starlette asks for httpx2; httpx is what is installed
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TOKEN = "test-token-4f1c"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
STATIC = Path(assets.STATIC_DIR)

DOCS: list[dict[str, Any]] = [
    {
        "id": "kharkiv-a",
        "url": "https://example.org/north/kharkiv-drone",
        "language": "en",
        "published": "2024-05-15T09:30:00",
        "title": "Drone hits Kharkiv apartment block",
        "outlet": "Northgate Herald",
        "text": (
            "KHARKIV, May 15 (Northgate) -\n\nA Russian drone struck an apartment building in Kharkiv on "
            "Tuesday, killing three people, officials said. Rescue teams searched the rubble through the "
            "night.\n\nThe city has been hit repeatedly this spring."
        ),
    },
    {
        "id": "kharkiv-b",
        "url": "https://example.com/daily/kharkiv",
        "language": "en",
        "published": "2024-05-15T14:00:00",
        "title": "Kharkiv governor: five dead in drone attack",
        "text": (
            "Five civilians were killed when a Russian drone hit a residential block in Kharkiv on Tuesday, "
            "the regional governor said. Firefighters put out a blaze on the upper floors."
        ),
    },
    {
        "id": "kirkuk",
        "url": "https://example.org/kirkuk-bomb",
        "language": "en",
        "published": "2024-03-04",
        "title": "Roadside bomb hits army convoy",
        "text": (
            "A roadside bomb exploded next to an army convoy in Kirkuk on Sunday, killing two soldiers, "
            "police said. No group claimed responsibility."
        ),
    },
    {
        "id": "odesa",
        "url": "https://example.net/odesa",
        "language": "en",
        "published": "2024-05-15",
        "title": "Missile strike on Odesa port",
        "text": (
            "A Russian missile struck the port of Odesa on Tuesday, killing one dock worker and wounding "
            "four, the regional administration said."
        ),
    },
    {
        "id": "council",
        "language": "en",
        "published": "2024-05-20",
        "title": "Council meets",
        "text": (
            "The city council of Kirkuk met on Monday to discuss the budget for new schools and a "
            "football stadium."
        ),
    },
    {
        "id": "houthi",
        "url": "https://example.org/red-sea",
        "language": "en",
        "published": "2024-02-19",
        "title": "Houthis fire missiles at ship",
        "text": (
            "Yemen's Houthi rebels fired two anti-ship missiles at a cargo ship in the Gulf of Aden on "
            "Monday, the US military said. No injuries were reported."
        ),
    },
]

NEW_REPORT = {
    "id": "erbil",
    "url": "https://example.org/erbil-rockets",
    "language": "en",
    "published": "2024-06-11",
    "title": "Rockets hit Erbil airport",
    "text": (
        "Three rockets struck Erbil airport on Monday night, wounding two contractors, the Kurdistan "
        "Region's counter-terrorism service said."
    ),
}


def make_db(path: Path, docs: list[dict[str, Any]]) -> Path:
    store = open_store(path)
    store.open()
    try:
        pipeline = Pipeline(store)
        for i, raw in enumerate(docs):
            pipeline.ingest_document(document_from_object(raw, source=f"test#{i}"))
    finally:
        store.close()
    return path


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_db(tmp_path_factory.mktemp("api") / "seeded.db", DOCS)


@pytest.fixture(scope="module")
def client(seeded_db: Path) -> Iterator[TestClient]:
    """Read-only client over the seeded database (no token: writes refused)."""
    with TestClient(create_app(str(seeded_db))) as c:
        yield c


@pytest.fixture
def writable(tmp_path: Path, seeded_db: Path) -> Iterator[TestClient]:
    """A client with a token over a private copy of the seeded database."""
    db = tmp_path / "copy.db"
    source = open_store(seeded_db)
    source.open()
    source.close()  # checkpoint the WAL so the copy holds everything
    db.write_bytes(seeded_db.read_bytes())
    with TestClient(create_app(str(db), token=TOKEN)) as c:
        yield c


def all_events(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    r = client.get("/api/events", params={"limit": 500, **params})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["next_cursor"] is None
    return list(body["events"])


def event_at(client: TestClient, place: str) -> dict[str, Any]:
    found = [e for e in all_events(client) if e["location"] == place]
    assert len(found) == 1, [e["location"] for e in all_events(client)]
    return found[0]


def assert_error(r: Any, status: int, *needles: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["status"] == status
    assert isinstance(body["error"], str) and body["error"]
    for needle in needles:
        assert needle in body["message"], body["message"]
    return dict(body)


# -- health, meta ---------------------------------------------------------------------------------


def test_health_reports_counts_and_that_writes_are_off(client: TestClient) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["documents"] == len(DOCS)
    assert body["events"] == 4
    assert body["writes_enabled"] is False


def test_meta_gives_taxonomy_countries_and_limits(client: TestClient) -> None:
    body = client.get("/api/meta").json()
    assert "Air/drone strike" in body["event_types"]["Explosions/Remote violence"]
    countries = {c["key"]: c["count"] for c in body["countries"]}
    assert countries["Ukraine"] == 2
    assert countries["Iraq"] == 1
    assert body["total_events"] == 4
    assert body["limits"]["page_max"] == api.PAGE_MAX
    assert body["limits"]["body_max_bytes"] == api.BODY_MAX_BYTES


# -- listing and filters -------------------------------------------------------------------------


def test_events_list_has_the_contract_fields_newest_first(client: TestClient) -> None:
    body = client.get("/api/events").json()
    assert body["total"] == body["count"] == 4
    assert body["next_cursor"] is None
    events = body["events"]
    dates = [e["event_date"] for e in events]
    assert dates == sorted(dates, reverse=True)
    kharkiv = next(e for e in events if e["location"] == "Kharkiv")
    assert kharkiv["country"] == "Ukraine" and kharkiv["country_code"] == "UA"
    assert kharkiv["sources"] == 2 and kharkiv["n_mentions"] == 2
    assert (kharkiv["fatalities"], kharkiv["fatalities_max"]) == (3, 5)
    assert kharkiv["sub_event_type"] == "Air/drone strike"
    assert "drone" in kharkiv["summary"]
    for field in ("latitude", "longitude", "event_type", "actor1", "geo_precision", "date_precision"):
        assert field in kharkiv


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [("date_asc", "event_date", False), ("date", "event_date", False), ("-date", "event_date", True)],
)
def test_sort_orders(client: TestClient, sort: str, key: str, reverse: bool) -> None:
    values = [e[key] for e in all_events(client, sort=sort)]
    assert values == sorted(values, reverse=reverse)


def test_sort_by_fatalities_puts_unknown_last(client: TestClient) -> None:
    events = all_events(client, sort="fatalities_desc")
    known = [e["fatalities"] for e in events if e["fatalities"] is not None]
    assert known == sorted(known, reverse=True)
    assert events[0]["location"] == "Kharkiv"
    assert all(e["fatalities"] is None for e in events[len(known) :])


@pytest.mark.parametrize(
    ("params", "places"),
    [
        ({"country": "Ukraine"}, {"Kharkiv", "Odesa"}),
        ({"country": "ua"}, {"Kharkiv", "Odesa"}),
        ({"country": "Iraq"}, {"Kirkuk"}),
        ({"type": "Explosions/Remote violence"}, {"Kharkiv", "Odesa", "Kirkuk", "Gulf of Aden"}),
        ({"type": "Battles"}, set()),
        ({"sub_type": "Remote explosive/landmine/IED"}, {"Kirkuk"}),
        ({"type": "Explosions/Remote violence", "sub_type": "Remote explosive/landmine/IED"}, {"Kirkuk"}),
        ({"type": "Battles", "sub_type": "Remote explosive/landmine/IED"}, set()),
        ({"actor": "houthi"}, {"Gulf of Aden"}),
        ({"text": "rubble"}, {"Kharkiv"}),
        ({"text": "firefight*"}, {"Kharkiv"}),
        ({"text": "stadium"}, set()),
        ({"since": "2024-05-01"}, {"Kharkiv", "Odesa"}),
        ({"until": "2024-03-31"}, {"Kirkuk", "Gulf of Aden"}),
        ({"since": "2024-03-01", "until": "2024-03-31"}, {"Kirkuk"}),
        ({"min_fatalities": 2}, {"Kharkiv", "Kirkuk"}),
        ({"near": "50.0,36.23", "km": 50}, {"Kharkiv"}),
        ({"bbox": "22,44,41,53"}, {"Kharkiv", "Odesa"}),
        ({"country": "Ukraine", "min_fatalities": 2, "text": "drone"}, {"Kharkiv"}),
    ],
)
def test_filters(client: TestClient, params: dict[str, Any], places: set[str]) -> None:
    found = all_events(client, **params)
    assert {e["location"] for e in found} == places
    r = client.get("/api/events", params=params)
    assert r.json()["total"] == len(places)


def test_cursor_pagination_walks_every_event_once(client: TestClient) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 1, "sort": "date_asc"}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/api/events", params=params).json()
        pages += 1
        assert body["total"] == 4 and body["limit"] == 1
        seen += [e["id"] for e in body["events"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor)
    assert pages == 4
    assert seen == [e["id"] for e in all_events(client, sort="date_asc")]


def test_a_cursor_only_works_with_the_filters_it_came_from(client: TestClient) -> None:
    cursor = client.get("/api/events", params={"limit": 1}).json()["next_cursor"]
    assert cursor
    assert_error(
        client.get("/api/events", params={"limit": 1, "cursor": cursor, "country": "Iraq"}), 400, "cursor"
    )
    assert_error(client.get("/api/events", params={"cursor": cursor, "sort": "date_asc"}), 400, "cursor")
    assert_error(client.get("/api/events", params={"cursor": "not-a-cursor"}), 400, "cursor")


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": api.PAGE_MAX + 1}, "limit"),
        ({"since": "yesterday"}, "YYYY-MM-DD"),
        ({"since": "2024-05-01", "until": "2024-01-01"}, "after"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "10,50,20,40"}, "bbox"),
        ({"near": "95,10"}, "latitude"),
        ({"near": "north"}, "near"),
        ({"km": 10}, "near"),
        ({"near": "50,36", "km": -1}, "km"),
        ({"min_fatalities": -1}, "min_fatalities"),
        ({"sort": "random"}, "sort"),
        ({"sub_type": "Battles"}, "type"),
        ({"text": "x" * 501}, "text"),
    ],
)
def test_bad_parameters_are_json_400s(client: TestClient, params: dict[str, Any], needle: str) -> None:
    assert_error(client.get("/api/events", params=params), 400, needle)


def test_unknown_routes_and_methods_are_json_errors(client: TestClient) -> None:
    assert_error(client.get("/api/nothing-here"), 404)
    assert_error(client.delete("/api/events"), 405)


# -- one event, one document ------------------------------------------------------------------------


def test_event_detail_has_every_mention_with_document_and_paragraph(client: TestClient) -> None:
    kharkiv = event_at(client, "Kharkiv")
    body = client.get(f"/api/events/{kharkiv['id']}").json()
    assert body["id"] == kharkiv["id"]
    assert {m["doc_id"] for m in body["mentions"]} == {"kharkiv-a", "kharkiv-b"}
    first = body["mentions"][0]  # earliest report first
    assert first["doc_id"] == "kharkiv-a"
    doc = first["document"]
    assert doc == {
        "id": "kharkiv-a",
        "title": "Drone hits Kharkiv apartment block",
        "url": "https://example.org/north/kharkiv-drone",
        "outlet": "Northgate Herald",
        "language": "en",
        "published": "2024-05-15T09:30:00",
    }
    text = DOCS[0]["text"]
    assert text[first["start"] : first["end"]] == first["evidence"]
    para = first["paragraph"]
    assert para["text"][para["start"] : para["end"]] == first["evidence"]
    assert para["text"] == text[para["offset"] : para["offset"] + len(para["text"])]
    assert "KHARKIV, May 15" not in para["text"]  # the paragraph, not the whole text
    assert "Rescue teams" in para["text"]
    second = body["mentions"][1]
    assert second["document"]["outlet"] == "example.com"  # from the URL when not given
    assert second["fatalities"] == 5


def test_unknown_event_and_document_are_404(client: TestClient) -> None:
    assert_error(client.get("/api/events/ev-000000000000"), 404, "ev-000000000000")
    assert_error(client.get("/api/documents/nope"), 404, "nope")


def test_document_detail_has_text_and_events(client: TestClient) -> None:
    kirkuk = event_at(client, "Kirkuk")
    body = client.get("/api/documents/kirkuk").json()
    assert body["text"] == DOCS[2]["text"]
    assert body["title"] == "Roadside bomb hits army convoy"
    assert body["published"] == "2024-03-04T00:00:00"
    assert body["events"] == [kirkuk["id"]]
    council = client.get("/api/documents/council").json()
    assert council["events"] == [] and council["url"] is None


def test_paragraph_around_picks_the_line_and_cuts_long_ones() -> None:
    text = "First line.\nSecond has the EVIDENCE here.\nThird."
    start = text.index("EVIDENCE")
    para = paragraph_around(text, start, start + 8)
    assert para.text == "Second has the EVIDENCE here."
    assert para.text[para.start : para.end] == "EVIDENCE"
    long = "word " * 400 + "EVIDENCE" + " word" * 400
    start = long.index("EVIDENCE")
    para = paragraph_around(long, start, start + 8, window=100)
    assert para.truncated_before and para.truncated_after
    assert len(para.text) <= 8 + 2 * 100
    assert para.text[para.start : para.end] == "EVIDENCE"
    assert long[para.offset : para.offset + len(para.text)] == para.text


# -- stats ------------------------------------------------------------------------------------------


def test_stats_by_week_type_country_and_actor(client: TestClient) -> None:
    body = client.get("/api/stats", params={"by": "week"}).json()
    assert body["total"] == 4 and body["undated"] == 0
    assert sum(p["count"] for p in body["periods"]) == 4
    for period in body["periods"]:
        assert sum(period["by_type"].values()) == period["count"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", period["period"])
    assert {c["key"]: c["count"] for c in body["countries"]}["Ukraine"] == 2
    assert body["event_types"] == [{"key": "Explosions/Remote violence", "count": 4}]
    actors = {a["key"]: a["count"] for a in body["actors"]}
    assert actors.get("Russian forces") == 2
    assert body["actors_complete"] is True


def test_stats_per_day_with_filters(client: TestClient) -> None:
    body = client.get("/api/stats", params={"by": "day", "country": "Ukraine"}).json()
    assert body["total"] == 2
    assert [p["count"] for p in body["periods"]] == [2]
    assert body["periods"][0]["period"] == "2024-05-14"
    assert_error(client.get("/api/stats", params={"by": "year"}), 400, "by")


# -- export -----------------------------------------------------------------------------------------


def test_export_jsonl_is_the_contract_format(client: TestClient) -> None:
    r = client.get("/api/export", params={"format": "jsonl"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/x-ndjson")
    assert "sitroom-events.jsonl" in r.headers["content-disposition"]
    rows = [json.loads(line) for line in r.text.splitlines()]
    assert len(rows) == 4
    assert all(list(row) == list(JSONL_FIELDS) for row in rows)
    kharkiv = next(row for row in rows if row["location"] == "Kharkiv")
    assert {m["doc_id"] for m in kharkiv["mentions"]} == {"kharkiv-a", "kharkiv-b"}


def test_export_csv_and_acled_csv(client: TestClient) -> None:
    r = client.get("/api/export", params={"format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == list(CSV_COLUMNS) and len(rows) == 5
    r = client.get("/api/export", params={"format": "acled-csv", "country": "Ukraine"})
    records = list(csv.DictReader(io.StringIO(r.text)))
    assert list(records[0]) == list(ACLED_COLUMNS)
    assert {row["location"] for row in records} == {"Kharkiv", "Odesa"}
    kharkiv = next(row for row in records if row["location"] == "Kharkiv")
    assert kharkiv["source"] == "Northgate Herald; example.com"  # outlets, not doc ids
    assert kharkiv["iso"] == "804"


def test_export_geojson_with_filters(client: TestClient) -> None:
    r = client.get("/api/export", params={"format": "geojson", "since": "2024-05-01"})
    assert r.headers["content-type"].startswith("application/geo+json")
    body = r.json()
    assert body["type"] == "FeatureCollection"
    assert {f["properties"]["location"] for f in body["features"]} == {"Kharkiv", "Odesa"}
    for feature in body["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert 22 < lon < 41 and 44 < lat < 53


def test_export_of_nothing_is_an_empty_but_valid_file(client: TestClient) -> None:
    r = client.get("/api/export", params={"format": "geojson", "type": "Battles"})
    assert r.json() == {"type": "FeatureCollection", "features": []}
    r = client.get("/api/export", params={"format": "csv", "type": "Battles", "sub_type": "Grenade"})
    assert r.text.splitlines() == [",".join(CSV_COLUMNS)]


def test_export_streams_in_chunks_the_same_bytes_as_the_writer(
    client: TestClient, seeded_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api, "_EXPORT_CHUNK", 100)
    identity = {"accept-encoding": "identity"}
    with client.stream("GET", "/api/export", params={"format": "jsonl"}, headers=identity) as r:
        chunks = list(r.iter_raw())
    assert len(chunks) >= 4  # one a line here: every line is longer than a chunk
    store = open_store(seeded_db)
    with store:
        expected = io.StringIO()
        write_events(store.iter_events(), "jsonl", expected)
    assert b"".join(chunks).decode() == expected.getvalue()
    gzipped = client.get("/api/export", params={"format": "jsonl"}, headers={"accept-encoding": "gzip"})
    assert gzipped.headers["content-encoding"] == "gzip"
    assert gzipped.text == expected.getvalue()


def test_export_rejects_unknown_formats(client: TestClient) -> None:
    assert_error(client.get("/api/export", params={"format": "xlsx"}), 400, "format")


# -- writes -----------------------------------------------------------------------------------------


def test_writes_are_refused_without_a_configured_token(client: TestClient) -> None:
    body = assert_error(client.post("/api/documents", json=NEW_REPORT), 403, "token")
    assert "writes are disabled" in body["message"]
    assert_error(client.post("/api/documents", json=NEW_REPORT, headers=AUTH), 403)
    assert client.get("/api/health").json()["documents"] == len(DOCS)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}, {"Authorization": TOKEN}],
)
def test_writes_need_the_right_bearer_token(writable: TestClient, headers: dict[str, str]) -> None:
    r = writable.post("/api/documents", json=NEW_REPORT, headers=headers)
    assert_error(r, 401, "Bearer")
    assert r.headers["www-authenticate"] == "Bearer"
    assert writable.get("/api/health").json()["documents"] == len(DOCS)


def test_posting_a_document_with_the_token_stores_its_event(writable: TestClient) -> None:
    assert writable.get("/api/health").json()["writes_enabled"] is True
    r = writable.post("/api/documents", json=NEW_REPORT, headers=AUTH)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["read"], body["new"], body["failed"]) == (1, 1, 0)
    assert body["documents"][0]["id"] == "erbil" and body["documents"][0]["status"] == "new"
    created = body["documents"][0]["created"]
    assert len(created) == 1
    event = writable.get(f"/api/events/{created[0]}").json()
    assert event["country"] == "Iraq"
    assert event["mentions"][0]["document"]["title"] == "Rockets hit Erbil airport"
    again = writable.post("/api/documents", json=NEW_REPORT, headers=AUTH).json()
    assert again["duplicate"] == 1 and again["documents"][0]["status"] == "duplicate"


def test_posting_many_documents_as_a_list_an_object_or_json_lines(writable: TestClient) -> None:
    one = {"id": "a1", "text": DOCS[2]["text"] + " Updated.", "published": "2024-03-04"}
    two = {"id": "a2", "text": NEW_REPORT["text"], "published": "2024-06-11"}
    r = writable.post("/api/documents", json=[one, two], headers=AUTH)
    assert r.json()["read"] == 2
    r = writable.post("/api/documents", json={"documents": [one, two]}, headers=AUTH)
    assert r.json()["duplicate"] == 2
    lines = "\n".join(json.dumps(d) for d in (one, two, {"id": "a3", "text": "Nothing happened."}))
    r = writable.post(
        "/api/documents", content=lines, headers={**AUTH, "content-type": "application/x-ndjson"}
    )
    assert r.status_code == 200, r.text
    assert [d["status"] for d in r.json()["documents"]] == ["duplicate", "duplicate", "new"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"", "empty"),
        (b"{not json", "invalid JSON"),
        (b"[]", "no documents"),
        (b'{"title": "no text"}', "text"),
        (b'[{"text": "fine, a drone struck Kharkiv"}, {"body": "x"}, 5]', "documents[1]"),
        (b'{"text": "ok"}\n{broken', "line 2"),
        (b"\xff\xfe", "UTF-8"),
    ],
)
def test_unusable_documents_are_422_and_nothing_is_stored(
    writable: TestClient, body: bytes, needle: str
) -> None:
    r = writable.post("/api/documents", content=body, headers={**AUTH, "content-type": "application/json"})
    assert_error(r, 422, needle)
    assert writable.get("/api/health").json()["documents"] == len(DOCS)


def test_body_and_batch_size_limits(tmp_path: Path) -> None:
    db = make_db(tmp_path / "small.db", [])
    with TestClient(create_app(str(db), token=TOKEN, body_max_bytes=2000, documents_max=2)) as c:
        big = {"text": "word " * 1000}
        assert_error(c.post("/api/documents", json=big, headers=AUTH), 413, "2000 bytes")

        def chunked() -> Iterator[bytes]:  # no Content-Length: counted while reading
            yield b'{"text": "'
            for _ in range(50):
                yield b"word " * 20
            yield b'"}'

        assert_error(c.post("/api/documents", content=chunked(), headers=AUTH), 413, "2000 bytes")
        three = [{"text": f"report {i}"} for i in range(3)]
        assert_error(c.post("/api/documents", json=three, headers=AUTH), 413, "at most 2")
        assert c.get("/api/health").json()["documents"] == 0
        assert c.get("/api/meta").json()["limits"]["documents_max"] == 2


def test_page_size_limit_is_configurable(tmp_path: Path) -> None:
    db = make_db(tmp_path / "p.db", [])
    with TestClient(create_app(str(db), page_max=10)) as c:
        assert c.get("/api/events", params={"limit": 10}).status_code == 200
        assert_error(c.get("/api/events", params={"limit": 11}), 400, "limit")


def test_an_empty_database_answers_everything(tmp_path: Path) -> None:
    with TestClient(create_app(str(tmp_path / "new.db"))) as c:
        assert c.get("/api/events").json() == {
            "total": 0,
            "count": 0,
            "limit": api.PAGE_DEFAULT,
            "sort": "date_desc",
            "next_cursor": None,
            "events": [],
        }
        assert c.get("/api/stats").json()["total"] == 0
        assert c.get("/api/export", params={"format": "jsonl"}).text == ""
        assert c.get("/api/meta").json()["total_events"] == 0


def test_an_unusable_database_is_a_json_503(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with TestClient(create_app(str(folder))) as c:
        assert_error(c.get("/api/health"), 503, "database")
        assert_error(c.get("/api/events"), 503)


def test_unexpected_failures_are_json_500s(seeded_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: Any, **__: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(api, "event_summary", boom)
    with TestClient(create_app(str(seeded_db)), raise_server_exceptions=False) as c:
        body = assert_error(c.get("/api/events"), 500, "internal error")
        assert "disk on fire" not in body["message"]  # details stay in the log


def test_reads_and_writes_from_many_threads(writable: TestClient) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def read(i: int) -> int:
        path = ("/api/events", "/api/stats", "/api/health", "/api/export?format=csv")[i % 4]
        return writable.get(path).status_code

    def write(i: int) -> int:
        doc = {**NEW_REPORT, "id": f"erbil-{i}", "text": f"{NEW_REPORT['text']} Report {i}."}
        return writable.post("/api/documents", json=doc, headers=AUTH).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        reads = pool.map(read, range(40))
        writes = pool.map(write, range(4))
        assert set(reads) == {200} and set(writes) == {200}
    assert writable.get("/api/health").json()["documents"] == len(DOCS) + 4
    erbil = writable.get("/api/events", params={"text": "Erbil"}).json()["events"]
    assert len(erbil) == 1 and erbil[0]["sources"] == 4  # four reports of one attack, merged once


# -- pages, assets, headers ------------------------------------------------------------------------


def test_dashboard_page_has_a_strict_csp_and_no_inline_script(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert csp == CONTENT_SECURITY_POLICY
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src")).split()
    assert script_src == ["script-src", "'self'"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    for page in ("/", "/docs"):
        html = client.get(page).text
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert scripts and all("src=" in tag for tag in scripts), scripts
        assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html), "inline script"
        assert not re.search(r"\sstyle=", html) and "<style" not in html
        assert not re.search(r"(src|href)=\"(https?:)?//", html), "every asset is served by sitroom"


def test_api_answers_carry_the_security_headers_too(client: TestClient) -> None:
    r = client.get("/api/events")
    assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert r.headers["referrer-policy"] == "no-referrer"


def test_own_assets_are_served_and_nothing_else(client: TestClient) -> None:
    for name in ("app.js", "style.css", "docs.js", "favicon.svg"):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200, name
    assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")
    assert_error(client.get("/static/secret.txt"), 404)
    assert_error(client.get("/static/..%2F..%2Fapi.py"), 404)
    assert_error(client.get("/vendor/leaflet/package.json"), 404)
    assert_error(client.get("/vendor/../../../../etc/passwd"), 404)
    assert client.get("/favicon.ico").status_code == 200


def test_dashboard_code_never_writes_html_from_strings() -> None:
    for name in ("app.js", "docs.js"):
        lines = (STATIC / name).read_text(encoding="utf-8").splitlines()
        code = "\n".join(line for line in lines if not line.strip().startswith("//"))
        for banned in (
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
        ):
            assert banned not in code, f"{name} uses {banned}"


@pytest.mark.skipif(
    assets.vendor_path("leaflet/leaflet.js") is None, reason="front-end packages not installed (make setup)"
)
def test_vendor_files_are_served_from_node_modules(client: TestClient) -> None:
    for name in assets.VENDOR_FILES:
        r = client.get(f"/vendor/{name}")
        assert r.status_code == 200, name
        assert "max-age" in r.headers["cache-control"]
    topo = client.get("/vendor/world-atlas/countries-50m.json").json()
    assert topo["type"] == "Topology"


def test_missing_vendor_files_say_how_to_install_them(seeded_db: Path, tmp_path: Path) -> None:
    with TestClient(create_app(str(seeded_db), vendor_dir=tmp_path)) as c:
        assert_error(c.get("/vendor/leaflet/leaflet.js"), 404, "make setup")


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/events",
        "/api/events/{event_id}",
        "/api/documents/{doc_id}",
        "/api/documents",
        "/api/stats",
        "/api/export",
        "/api/health",
    ):
        assert path in paths, path
    names = {p["name"] for p in paths["/api/events"]["get"]["parameters"]}
    assert {"since", "until", "bbox", "near", "km", "country", "type", "sub_type", "actor", "text"} <= names
    assert {"min_fatalities", "limit", "cursor", "sort"} <= names
    assert "requestBody" in paths["/api/documents"]["post"]
    assert client.get("/docs").status_code == 200


def test_allowed_hosts_guard_against_dns_rebinding(seeded_db: Path) -> None:
    app = create_app(str(seeded_db), allowed_hosts=["127.0.0.1", "localhost"])
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        assert c.get("/api/health").status_code == 200
        assert c.get("/api/health", headers={"host": "evil.example"}).status_code == 400


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


# -- the serve command -------------------------------------------------------------------------------


class FakeUvicorn:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def run(self, app: Any, **kwargs: Any) -> None:
        self.calls.append({"app": app, **kwargs})


@pytest.fixture
def fake_uvicorn(monkeypatch: pytest.MonkeyPatch) -> FakeUvicorn:
    import uvicorn

    fake = FakeUvicorn()
    monkeypatch.setattr(uvicorn, "run", fake.run)
    return fake


def invoke_serve(db: Path, *args: str, env: dict[str, str | None] | None = None) -> Any:
    from typer.testing import CliRunner

    from sitroom.cli import app

    return CliRunner().invoke(app, ["--db", str(db), "serve", *args], env=env or {"SITROOM_TOKEN": None})


def test_serve_defaults_to_loopback_read_only(seeded_db: Path, fake_uvicorn: FakeUvicorn) -> None:
    result = invoke_serve(seeded_db)
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8000/" in result.output
    assert "Ctrl-C" in result.output
    assert "warning" not in result.output
    (call,) = fake_uvicorn.calls
    assert (call["host"], call["port"]) == ("127.0.0.1", 8000)
    with TestClient(call["app"], base_url="http://127.0.0.1:8000") as c:
        assert c.get("/api/health").json()["writes_enabled"] is False
        assert c.get("/api/health", headers={"host": "attacker.example"}).status_code == 400


def test_serve_takes_the_token_from_the_environment(seeded_db: Path, fake_uvicorn: FakeUvicorn) -> None:
    result = invoke_serve(seeded_db, "--port", "8123", env={"SITROOM_TOKEN": TOKEN})
    assert result.exit_code == 0, result.output
    assert "writes enabled" in result.output
    (call,) = fake_uvicorn.calls
    assert call["port"] == 8123
    with TestClient(call["app"], base_url="http://127.0.0.1:8123") as c:
        assert c.get("/api/health").json()["writes_enabled"] is True
        assert c.post("/api/documents", json=NEW_REPORT).status_code == 401


def test_serve_warns_loudly_beyond_loopback_without_a_token(
    seeded_db: Path, fake_uvicorn: FakeUvicorn
) -> None:
    result = invoke_serve(seeded_db, "--host", "0.0.0.0", "--allow-insecure-bind")
    assert result.exit_code == 0, result.output
    assert "warning" in result.output and "no token" in result.output
    (call,) = fake_uvicorn.calls
    assert call["host"] == "0.0.0.0"
    with TestClient(call["app"], base_url="http://192.0.2.1:8000") as c:  # no host restriction
        assert c.get("/api/health").status_code == 200


def test_serve_fails_clearly_on_an_unusable_database(tmp_path: Path, fake_uvicorn: FakeUvicorn) -> None:
    result = invoke_serve(tmp_path)  # a folder, not a database file
    assert result.exit_code == 2
    assert "folder" in result.output
    assert fake_uvicorn.calls == []
