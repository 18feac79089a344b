"""Fixtures for the real-browser tests: a database, a `sitroom serve` process, Debian's chromium.

* The database holds ``examples/reports.jsonl`` and, when ``../shared`` is present, the seed
  corpus ``../shared/corpus/seeds/docs.jsonl``.
* The server is the real command (``python -m sitroom.cli serve``) on a free 127.0.0.1 port,
  with a token so the tests can POST documents.
* The browser is ``/usr/bin/chromium`` (``$SITROOM_CHROMIUM`` overrides it) driven by
  Playwright, headless, with a fresh profile; no browser is ever downloaded. Every test skips
  with the reason when chromium or the playwright package is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from sitroom.ingest import read_paths
from sitroom.pipeline import Pipeline
from sitroom.store import open_store

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "reports.jsonl"
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds" / "docs.jsonl"
TOKEN = "browser-test-token"
CHROMIUM = os.environ.get("SITROOM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
#: Screenshots always go here (git-ignored); with SITROOM_UPDATE_SCREENSHOTS=1 also to docs/.
SHOTS = ROOT / "out" / "screenshots"
README_SHOTS = {"screenshot.png", "screenshot-phone.png"}


def save_screenshot(page: Any, name: str) -> Path:
    page.wait_for_selector("body[data-shapes='ready']", timeout=20_000)  # the country shapes are drawn
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    page.screenshot(path=str(path))
    if os.environ.get("SITROOM_UPDATE_SCREENSHOTS") == "1" and name in README_SHOTS:
        shutil.copyfile(path, ROOT / "docs" / name)
    return path


@dataclass
class Server:
    base: str
    db: Path
    seeds_loaded: bool
    process: subprocess.Popen[bytes]

    def url(self, path: str = "/") -> str:
        return self.base + path

    def api(self, path: str, **params: Any) -> Any:
        r = httpx.get(self.base + path, params=params, timeout=30)
        r.raise_for_status()
        return r.json()

    def all_events(self, **params: Any) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        cursor = None
        while True:
            query = {"limit": 500, **params, **({"cursor": cursor} if cursor else {})}
            body = self.api("/api/events", **query)
            events += body["events"]
            cursor = body["next_cursor"]
            if cursor is None:
                return events


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(db: Path, seeds_loaded: bool, log: Path) -> Server:
    port = _free_port()
    env = {**os.environ, "SITROOM_TOKEN": TOKEN}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "sitroom.cli", "--db", str(db), "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"sitroom serve exited with {process.returncode}: {log.read_text()}")
        try:
            if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                return Server(base, db, seeds_loaded, process)
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"sitroom serve did not answer in 60 s: {log.read_text()}")
        time.sleep(0.1)


def _stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


@pytest.fixture(scope="session")
def playwright_api() -> Iterator[Any]:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')"
    )
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_api: Any) -> Iterator[Any]:
    # Playwright gives every launch a fresh temporary profile (user-data dir).
    b = playwright_api.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[Server]:
    """`sitroom serve` over the examples (and the seeds when ../shared is there)."""
    folder = tmp_path_factory.mktemp("dashboard")
    db = folder / "dashboard.db"
    inputs = [str(EXAMPLES)] + ([str(SEEDS)] if SEEDS.is_file() else [])
    store = open_store(db)
    store.open()
    try:
        summary = Pipeline(store).ingest(read_paths(inputs))
    finally:
        store.close()
    assert summary.failed == 0, summary.failures
    s = _start_server(db, SEEDS.is_file(), folder / "serve.log")
    yield s
    _stop(s)


@pytest.fixture(scope="session")
def empty_server(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("empty")
    s = _start_server(folder / "empty.db", False, folder / "serve.log")
    yield s
    _stop(s)


@pytest.fixture(scope="session")
def scratch_server(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[Server]:
    """A server whose database tests may write to (the example one stays as ingested)."""
    folder = tmp_path_factory.mktemp("scratch")
    s = _start_server(folder / "scratch.db", False, folder / "serve.log")
    yield s
    _stop(s)


@dataclass
class Tab:
    """A page with everything that went wrong on it recorded."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.wait_ready()

    def wait_ready(self) -> None:
        # selectors, not wait_for_function: the page's CSP forbids the eval that needs
        self.page.wait_for_selector("body:not([data-state='loading'])", timeout=20_000)

    def assert_clean(self) -> None:
        assert self.dialogs == [], self.dialogs
        assert self.page_errors == [], self.page_errors
        assert self.console_errors == [], self.console_errors
        assert self.failed_requests == [], self.failed_requests


def _tab(browser: Any, viewport: dict[str, int]) -> Iterator[Tab]:
    context = browser.new_context(viewport=viewport, service_workers="block")
    page = context.new_page()
    tab = Tab(page)

    def on_dialog(dialog: Any) -> None:
        tab.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("console", lambda m: tab.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: tab.page_errors.append(str(e)))
    page.on("dialog", on_dialog)

    def on_failed(request: Any) -> None:
        if "ERR_ABORTED" not in (request.failure or ""):  # cancelled by a navigation, not failed
            tab.failed_requests.append(f"{request.url}: {request.failure}")

    page.on("requestfailed", on_failed)
    yield tab
    context.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[Tab]:
    yield from _tab(browser, DESKTOP)


@pytest.fixture
def phone(browser: Any) -> Iterator[Tab]:
    yield from _tab(browser, PHONE)
