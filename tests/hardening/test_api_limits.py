"""The API lets no one in who shouldn't be: tokens, binding, limits, rate limiting, CORS, headers."""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sitroom.api import CONTENT_SECURITY_POLICY, create_app
from sitroom.pipeline import Pipeline
from sitroom.records import Document
from sitroom.store import Store, open_store
from sitroom.web import assets

with warnings.catch_warnings():  # newer Starlette asks for httpx2; httpx is what is installed
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TOKEN = "s3cret-token"
REPORT = {
    "id": "new-1",
    "published": "2024-03-05",
    "text": "A drone strike killed three people in Kharkiv on Monday.",
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("api") / "limits.db"
    store = open_store(path)
    store.open()
    try:
        texts = [
            "A drone strike killed three people in Kharkiv on Monday.",
            "Rockets hit Erbil on Tuesday, wounding two.",
            "An air strike on Gaza City killed five people on Sunday.",
        ]
        docs = [Document(text=t, id=f"d{i}", language="en", published=None) for i, t in enumerate(texts)]
        Pipeline(store).ingest(docs)
    finally:
        store.close()
    return path


def _client(db: Path, **options: Any) -> TestClient:
    return TestClient(create_app(str(db), **options))


def _json_error(response: Any, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["error"] == error and body["message"]
    return body


# ------------------------------------------------------------------------------------ writes


def test_writes_are_disabled_without_a_configured_token(db: Path) -> None:
    with _client(db) as c:
        _json_error(c.post("/api/documents", json=REPORT), 403, "forbidden")
        _json_error(
            c.post("/api/documents", json=REPORT, headers={"authorization": f"Bearer {TOKEN}"}),
            403,
            "forbidden",
        )


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic c2VjcmV0", f"Bearer {TOKEN}x", "Bearer "])
def test_writes_need_the_right_token(db: Path, header: str | None) -> None:
    headers = {"authorization": header} if header is not None else {}
    with _client(db, token=TOKEN) as c:
        r = c.post("/api/documents", json=REPORT, headers=headers)
        assert r.status_code in (401, 403)
        assert r.json()["status"] == r.status_code


# ----------------------------------------------------------------------------------- binding


class _FakeUvicorn:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def run(self, app: Any, **kwargs: Any) -> None:
        self.calls.append({"app": app, **kwargs})


def _serve(
    monkeypatch: pytest.MonkeyPatch, db: Path, *args: str, token: str | None = None
) -> tuple[Any, _FakeUvicorn]:
    import uvicorn
    from typer.testing import CliRunner

    from sitroom.cli import app

    fake = _FakeUvicorn()
    monkeypatch.setattr(uvicorn, "run", fake.run)
    result = CliRunner().invoke(app, ["--db", str(db), "serve", *args], env={"SITROOM_TOKEN": token})
    return result, fake


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10"])
def test_binding_beyond_loopback_without_a_token_is_refused(
    monkeypatch: pytest.MonkeyPatch, db: Path, host: str
) -> None:
    result, fake = _serve(monkeypatch, db, "--host", host)
    assert result.exit_code == 2
    assert "refusing" in result.output and "--allow-insecure-bind" in result.output
    assert fake.calls == []


def test_binding_beyond_loopback_with_a_token_or_the_flag(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    result, fake = _serve(monkeypatch, db, "--host", "0.0.0.0", token=TOKEN)
    assert result.exit_code == 0, result.output
    result, fake2 = _serve(monkeypatch, db, "--host", "0.0.0.0", "--allow-insecure-bind")
    assert result.exit_code == 0 and "warning" in result.output
    assert len(fake.calls) == 1 and len(fake2.calls) == 1


def test_serve_rate_limits_by_default(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    result, fake = _serve(monkeypatch, db, "--rate-limit", "2")
    assert result.exit_code == 0, result.output
    with TestClient(fake.calls[0]["app"], base_url="http://127.0.0.1:8000") as c:
        codes = [c.get("/api/health").status_code for _ in range(10)]
    assert codes[:4] == [200] * 4 and 429 in codes
    result, fake = _serve(monkeypatch, db, "--rate-limit", "0")  # 0: no limit
    with TestClient(fake.calls[0]["app"], base_url="http://127.0.0.1:8000") as c:
        assert {c.get("/api/health").status_code for _ in range(150)} == {200}


# ------------------------------------------------------------------------------------ limits


def test_body_size_is_limited(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    copy.write_bytes(db.read_bytes())
    with _client(copy, token=TOKEN, body_max_bytes=2000) as c:
        auth = {"authorization": f"Bearer {TOKEN}"}
        big = {**REPORT, "text": "x " * 2000}
        _json_error(c.post("/api/documents", json=big, headers=auth), 413, "payload_too_large")

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while reading
            for _ in range(10):
                yield b"{" + b" " * 500

        _json_error(c.post("/api/documents", content=chunks(), headers=auth), 413, "payload_too_large")
        assert c.post("/api/documents", json=REPORT, headers=auth).status_code == 200


@pytest.mark.parametrize(
    ("limit", "status"), [(1, 200), (500, 200), (501, 400), (0, 400), (-1, 400), (10**12, 400)]
)
def test_page_size_is_limited(db: Path, limit: int, status: int) -> None:
    with _client(db) as c:
        r = c.get("/api/events", params={"limit": limit})
        assert r.status_code == status, r.text
        if status == 200:
            assert len(r.json()["events"]) <= limit


class _SlowStore:
    """A store whose event queries take ``delay`` seconds."""

    def __init__(self, store: Store, delay: float) -> None:
        self._store = store
        self._delay = delay

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._store, name)
        if name in ("query_events", "count_events"):

            def slow(*args: Any, **kwargs: Any) -> Any:
                time.sleep(self._delay)
                return value(*args, **kwargs)

            return slow
        return value


def test_request_time_is_limited(db: Path) -> None:
    store = open_store(db)
    store.open()
    try:
        slow: Any = _SlowStore(store, 1.5)
        with TestClient(create_app(str(db), store=slow, request_timeout=0.3)) as c:
            started = time.monotonic()
            body = _json_error(c.get("/api/events"), 503, "unavailable")
            assert time.monotonic() - started < 1.4
            assert "longer than 0.3 s" in body["message"]
            assert c.get("/api/health").status_code == 200  # fast requests are not affected
        with TestClient(create_app(str(db), store=slow, request_timeout=None)) as c:
            assert c.get("/api/events").status_code == 200
    finally:
        store.close()


# ------------------------------------------------------------------------------ rate limiting


def test_rate_limit_per_client_with_a_json_429(db: Path) -> None:
    app = create_app(str(db), rate_limit=1, rate_burst=3)
    with (
        TestClient(app, client=("198.51.100.1", 1000)) as a,
        TestClient(app, client=("198.51.100.2", 1000)) as b,
    ):
        codes = [a.get("/api/events").status_code for _ in range(3)]
        assert codes == [200, 200, 200]
        r = a.get("/api/events")
        body = _json_error(r, 429, "too_many_requests")
        assert "198.51.100.1" in body["message"]
        assert int(r.headers["retry-after"]) >= 1
        assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert b.get("/api/events").status_code == 200  # another client has its own bucket
        assert a.get("/").status_code == 200  # the dashboard's pages are not limited
        time.sleep(1.1)  # the bucket refills at the rate
        assert a.get("/api/events").status_code == 200


def test_rate_limit_is_off_by_default_in_create_app(db: Path) -> None:
    with _client(db) as c:
        assert {c.get("/api/health").status_code for _ in range(100)} == {200}


# --------------------------------------------------------------------------------------- CORS


def test_cors_is_off_by_default(db: Path) -> None:
    with _client(db) as c:
        r = c.get("/api/events", headers={"origin": "https://evil.example"})
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
        pre = c.options(
            "/api/events",
            headers={"origin": "https://evil.example", "access-control-request-method": "GET"},
        )
        assert "access-control-allow-origin" not in pre.headers


def test_cors_can_allow_named_origins_for_reads(db: Path) -> None:
    with _client(db, cors_origins=["https://ok.example"]) as c:
        r = c.get("/api/events", headers={"origin": "https://ok.example"})
        assert r.headers["access-control-allow-origin"] == "https://ok.example"
        r = c.get("/api/events", headers={"origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers


# ---------------------------------------------------------------------------- security headers


@pytest.mark.parametrize("path", ["/", "/docs", "/api/events", "/api/nowhere", "/static/app.js"])
def test_security_headers_everywhere(db: Path, path: str) -> None:
    with _client(db) as c:
        r = c.get(path)
        csp = r.headers["content-security-policy"]
        directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
        assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval', no CDN
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("name", ["index.html", "docs.html"])
def test_dashboard_pages_have_no_inline_script(name: str) -> None:
    path = assets.static_path(name)
    assert path is not None
    page = path.read_text(encoding="utf-8")
    for tag in re.findall(r"<script\b[^>]*>", page, flags=re.IGNORECASE):
        assert "src=" in tag, f"inline script in {name}: {tag}"
    bodies = re.findall(r"<script\b[^>]*>(.*?)</script>", page, flags=re.IGNORECASE | re.DOTALL)
    assert all(not body.strip() for body in bodies), "inline script body"
    assert not re.search(r"\son[a-z]+\s*=", page, flags=re.IGNORECASE), "inline event handler"


@pytest.mark.parametrize("path", ["/api/events", "/api/stats", "/api/export"])
def test_huge_min_fatalities_is_a_400_not_a_500(db: Path, path: str) -> None:
    """Found by schemathesis: a min_fatalities beyond SQLite's integers raised OverflowError (500)."""
    with _client(db) as c:
        r = c.get(path, params={"min_fatalities": "194320122108408463360"})
        _json_error(r, 400, "bad_request")
        assert c.get(path, params={"min_fatalities": 10_000_000}).status_code == 200
