"""The dashboard in a real browser (Debian chromium, driven by Playwright) against `sitroom serve`.

The database holds the example reports and, when ../shared is present, the seed corpus. What a
person sees is checked against what the API says: markers against events with coordinates, the
list after brushing the timeline against ``/api/events?since=&until=``, the report panel against
``/api/events/{id}``. Screenshots land in out/screenshots/ (and docs/ with
SITROOM_UPDATE_SCREENSHOTS=1).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from .conftest import TOKEN, Server, Tab, save_screenshot

pytestmark = pytest.mark.browser


def with_point(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e["latitude"] is not None and e["longitude"] is not None]


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def list_ids(tab: Tab) -> list[str]:
    return list(tab.page.eval_on_selector_all("#list .ev-item", "els => els.map(e => e.dataset.id)"))


def test_the_database_holds_the_examples_and_the_seeds(server: Server) -> None:
    health = server.api("/api/health")
    assert health["documents"] >= 15
    if server.seeds_loaded:
        assert server.api("/api/documents/S000")["id"] == "S000"
    assert health["events"] > 10


def test_one_marker_per_event_with_coordinates(server: Server, tab: Tab) -> None:
    expected = len(with_point(server.all_events()))
    assert expected > 10
    tab.open(server.url("/?cluster=0"))
    assert tab.page.locator(".leaflet-marker-pane .ev-marker").count() == expected
    assert tab.page.get_attribute("body", "data-markers") == str(expected)
    assert tab.page.locator(".ev-cluster").count() == 0
    assert tab.page.locator("#list .ev-item").count() == len(server.all_events())
    tab.assert_clean()


def test_clusters_and_markers_add_up_to_the_events_with_coordinates(server: Server, tab: Tab) -> None:
    expected = len(with_point(server.all_events()))
    tab.open(server.url("/"))

    def shown() -> tuple[int, int]:
        """(events in clusters, single markers), read once the cluster animations have settled."""
        last = (-1, -1)
        for _ in range(50):
            tab.page.wait_for_selector(".leaflet-map-pane:not(.leaflet-cluster-anim)", state="attached")
            clusters = tab.page.locator(".ev-cluster").all_inner_texts()
            now = (sum(int(t) for t in clusters), tab.page.locator(".leaflet-marker-pane .ev-marker").count())
            if now == last:
                return now
            last = now
            tab.page.wait_for_timeout(150)
        return last

    in_clusters, singles = shown()
    assert in_clusters > 0, "dense examples should cluster"
    assert in_clusters + singles == expected
    tab.page.wait_for_selector("body[data-shapes='ready']")
    assert tab.page.locator(".leaflet-overlay-pane path").count() > 100, "country shapes drawn"
    tab.assert_clean()


def test_clicking_an_event_in_the_list_shows_every_report_with_its_evidence(server: Server, tab: Tab) -> None:
    events = server.all_events()

    def titled(event: dict[str, Any]) -> bool:  # the README screenshot shows titled reports
        return all(m["document"]["title"] for m in server.api(f"/api/events/{event['id']}")["mentions"])

    multi = next((e for e in events if e["sources"] > 1 and titled(e)), events[0])
    tab.open(server.url("/"))
    tab.page.click(f"#list .ev-item[data-id='{multi['id']}'] button")
    tab.page.wait_for_selector("#panel[data-state='ready']")
    detail = server.api(f"/api/events/{multi['id']}")
    cards = tab.page.locator("#panel .report")
    assert cards.count() == len(detail["mentions"])
    for i, mention in enumerate(detail["mentions"]):
        card = cards.nth(i)
        para = mention["paragraph"]
        assert card.locator("mark.evidence").inner_text() == para["text"][para["start"] : para["end"]].strip()
        doc = mention["document"]
        if doc["title"]:
            assert card.locator(".report-title").inner_text() == doc["title"]
        if doc["outlet"]:
            assert card.locator(".outlet").inner_text() == doc["outlet"]
        if doc["url"]:
            assert card.locator("a").get_attribute("href") == doc["url"]
    assert query_of(tab.page.url)["sel"] == multi["id"]
    assert tab.page.get_attribute(f"#list .ev-item[data-id='{multi['id']}']", "aria-current") == "true"
    save_screenshot(tab.page, "screenshot.png")
    tab.page.keyboard.press("Escape")
    assert tab.page.locator("#panel").is_hidden()
    assert "sel" not in query_of(tab.page.url)
    tab.assert_clean()


def test_clicking_a_marker_opens_its_event(server: Server, tab: Tab) -> None:
    events = with_point(server.all_events())
    points = [(e["latitude"], e["longitude"]) for e in events]
    alone = next(e for e in events if points.count((e["latitude"], e["longitude"])) == 1)
    tab.open(server.url("/?cluster=0"))
    marker = tab.page.locator(f".ev-marker[data-id='{alone['id']}']")
    marker.click(force=True)  # neighbours may overlap at this zoom; the click is on this marker
    tab.page.wait_for_selector("#panel[data-state='ready']")
    assert query_of(tab.page.url)["sel"] == alone["id"]
    assert "selected" in (marker.get_attribute("class") or "")
    evidence = server.api(f"/api/events/{alone['id']}")["mentions"][0]["evidence"]
    assert " ".join(evidence.split())[:40] in " ".join(tab.page.inner_text("#panel").split())
    tab.assert_clean()


def test_the_list_can_follow_the_map_view(server: Server, tab: Tab) -> None:
    everything = server.all_events()
    tab.open(server.url("/?cluster=0"))
    assert len(list_ids(tab)) == len(everything)
    tab.page.check("#f-inview")
    assert query_of(tab.page.url)["inview"] == "1"
    target = with_point(everything)[0]  # zoom in around one event (the wheel zooms about the pointer)
    box = tab.page.locator(f".ev-marker[data-id='{target['id']}']").bounding_box()
    assert box is not None
    tab.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(4):
        tab.page.mouse.wheel(0, -200)
        tab.page.wait_for_timeout(350)
    listed = list_ids(tab)
    assert target["id"] in listed and len(listed) < len(everything)
    map_box = tab.page.locator("#map").bounding_box()
    assert map_box is not None
    for event_id in listed:
        box = tab.page.locator(f".ev-marker[data-id='{event_id}']").bounding_box()
        assert box is not None
        centre_x, centre_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        assert map_box["x"] <= centre_x <= map_box["x"] + map_box["width"]
        assert map_box["y"] <= centre_y <= map_box["y"] + map_box["height"]
    tab.page.uncheck("#f-inview")
    assert len(list_ids(tab)) == len(everything)
    tab.assert_clean()


def test_brushing_the_timeline_filters_the_map_and_the_list(server: Server, tab: Tab) -> None:
    everything = server.all_events()
    tab.open(server.url("/?cluster=0"))
    box = tab.page.locator("#timeline").bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    tab.page.mouse.move(box["x"] + box["width"] * 0.55, y)
    tab.page.mouse.down()
    tab.page.mouse.move(box["x"] + box["width"] * 0.8, y, steps=8)
    tab.page.mouse.up()
    tab.wait_ready()
    query = query_of(tab.page.url)
    since, until = query["since"], query["until"]
    assert since < until
    expected = server.all_events(since=since, until=until)
    assert 0 < len(expected) < len(everything)
    assert sorted(list_ids(tab)) == sorted(e["id"] for e in expected)
    assert tab.page.locator(".leaflet-marker-pane .ev-marker").count() == len(with_point(expected))
    assert tab.page.input_value("#f-since") == since
    assert tab.page.input_value("#f-until") == until
    assert tab.page.locator("#timeline .tl-band").count() == 1
    tab.page.click("#tl-clear")
    assert len(list_ids(tab)) == len(everything)
    assert "since" not in query_of(tab.page.url)
    tab.assert_clean()


def test_a_url_with_filters_restores_them(server: Server, tab: Tab) -> None:
    events = server.all_events()
    sample = next(e for e in events if e["country"] and e["event_date"] and e["actor1"])
    year = sample["event_date"][:4]
    params = {
        "sub_type": sample["sub_event_type"],
        "country": sample["country"],
        "actor": sample["actor1"][:5].lower(),
        "since": f"{year}-01-01",
        "until": f"{year}-12-31",
        "sort": "date_asc",
    }
    api_params = {k: v for k, v in params.items() if k != "sort"}
    expected = server.all_events(**api_params)
    assert sample["id"] in {e["id"] for e in expected}
    tab.open(server.url("/?" + urlencode(params)))
    assert tab.page.input_value("#f-type") == "sub:" + sample["sub_event_type"]
    assert tab.page.input_value("#f-country") == sample["country"]
    assert tab.page.input_value("#f-actor") == params["actor"]
    assert tab.page.input_value("#f-since") == params["since"]
    assert tab.page.input_value("#f-until") == params["until"]
    assert tab.page.input_value("#f-sort") == "date_asc"
    assert sorted(list_ids(tab)) == sorted(e["id"] for e in expected)
    export = tab.page.get_attribute("#export-link", "href") or ""
    assert query_of(export)["country"] == sample["country"] and query_of(export)["since"] == params["since"]
    # the controls write back to the URL
    tab.page.select_option("#f-country", "")
    tab.wait_ready()
    tab.page.wait_for_selector("body[data-state='ready']")
    assert "country" not in query_of(tab.page.url)
    assert query_of(tab.page.url)["sub_type"] == sample["sub_event_type"]
    tab.page.reload()
    tab.wait_ready()
    assert tab.page.input_value("#f-country") == ""
    assert tab.page.input_value("#f-type") == "sub:" + sample["sub_event_type"]
    tab.assert_clean()


def test_typing_a_search_filters_through_the_api(server: Server, tab: Tab) -> None:
    tab.open(server.url("/"))
    tab.page.fill("#f-text", "drone")
    tab.page.wait_for_url("**text=drone**")
    tab.wait_ready()
    tab.page.wait_for_selector("body[data-state='ready']")
    expected = server.all_events(text="drone")
    assert sorted(list_ids(tab)) == sorted(e["id"] for e in expected)
    tab.assert_clean()


def test_filters_that_match_nothing_show_a_designed_empty_state(server: Server, tab: Tab) -> None:
    tab.open(server.url("/?text=zzqqxxnothing"))
    assert tab.page.get_attribute("body", "data-state") == "empty"
    assert "No events match these filters" in tab.page.inner_text("#map-overlay")
    assert tab.page.locator("#list .ev-item").count() == 0
    tab.page.click("#map-overlay button")
    tab.page.wait_for_selector("body[data-state='ready']")
    assert tab.page.locator("#list .ev-item").count() == len(server.all_events())
    tab.assert_clean()


def test_loading_and_error_states_are_designed(server: Server, tab: Tab) -> None:
    held: list[Any] = []  # requests for events wait here until the loading state has been checked

    def hold(route: Any) -> None:
        held.append(route)

    tab.page.route("**/api/events?*", hold)
    tab.page.goto(server.url("/"))
    tab.page.wait_for_selector("body[data-state='loading'] .overlay-loading .spinner")
    assert tab.page.locator("#list-state .skeleton").count() > 0
    assert "Loading events" in tab.page.inner_text("#summary")
    save_screenshot(tab.page, "screenshot-loading.png")
    for route in held:
        route.continue_()
    tab.page.unroute("**/api/events?*")
    tab.wait_ready()
    assert tab.page.get_attribute("body", "data-state") == "ready"

    def broken(route: Any) -> None:
        body = '{"status": 503, "error": "unavailable", "message": "the database cannot be used: locked"}'
        route.fulfill(status=503, content_type="application/json", body=body)

    tab.page.route("**/api/events?*", broken)
    tab.page.goto(server.url("/"))
    tab.page.wait_for_selector("body[data-state='error']")
    overlay = tab.page.inner_text("#map-overlay")
    assert "Could not load events" in overlay and "database cannot be used: locked" in overlay
    tab.page.unroute("**/api/events?*")
    tab.page.click("#map-overlay button")  # Retry
    tab.page.wait_for_selector("body[data-state='ready']")
    assert tab.page.locator("#list .ev-item").count() == len(server.all_events())
    assert tab.dialogs == [] and tab.page_errors == []


def test_an_empty_database_explains_how_to_add_reports(empty_server: Server, tab: Tab) -> None:
    tab.open(empty_server.url("/"))
    assert tab.page.get_attribute("body", "data-state") == "empty"
    overlay = tab.page.inner_text("#map-overlay")
    assert "No events yet" in overlay and "sitroom ingest" in overlay and "/api/documents" in overlay
    assert "No events in the database yet" in tab.page.inner_text("#summary")
    tab.assert_clean()


XSS_TITLE = "<script>alert('title')</script><img src=x onerror=\"alert('img');window.__xss=1\">"
XSS_TEXT = (
    "A Russian drone struck an apartment building in Kharkiv on Tuesday, killing three people, "
    "<img src=x onerror=\"alert('text');window.__xss=2\"> officials said. "
    "<script>alert('script');window.__xss=3</script> <b onmouseover=alert(4)>bold</b>"
)


def test_a_report_carrying_html_and_script_renders_inert(scratch_server: Server, tab: Tab) -> None:
    server = scratch_server
    doc = {
        "id": "xss-1",
        "url": "javascript:alert('url')",
        "language": "en",
        "published": "2019-06-05",
        "title": XSS_TITLE,
        "outlet": "<i onmouseover=alert(5)>Outlet</i>",
        "text": XSS_TEXT,
    }
    r = httpx.post(
        server.url("/api/documents"), json=doc, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
    )
    assert r.status_code == 200, r.text
    outcome = r.json()["documents"][0]
    event_id = (outcome["created"] or outcome["updated"])[0]
    tab.open(server.url(f"/?sel={event_id}"))
    tab.page.wait_for_selector("#panel[data-state='ready']")
    card = tab.page.locator("#panel .report[data-doc='xss-1']")
    assert card.count() == 1
    assert card.locator(".report-title").inner_text() == XSS_TITLE
    assert card.locator(".outlet").inner_text() == doc["outlet"]
    shown = card.inner_text()
    assert "<img src=x onerror=" in shown and "<script>alert('script')" in shown
    assert card.locator("img, script, b, i").count() == 0
    assert tab.page.locator("#panel a[href^='javascript']").count() == 0
    assert "javascript:alert('url')" in shown  # shown as text, not as a link
    card.hover()
    tab.page.mouse.move(10, 10)
    assert tab.page.evaluate("window.__xss === undefined")
    tab.assert_clean()  # no dialog, no CSP violation, no request for "x"


def test_phone_width_stacks_the_views_and_opens_the_panel_full_screen(server: Server, phone: Tab) -> None:
    phone.open(server.url("/"))
    page = phone.page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#filters").is_hidden()
    page.click("#filters-toggle")
    assert page.locator("#f-text").is_visible()
    page.click("#filters-toggle")
    map_box = page.locator("#map").bounding_box()
    list_box = page.locator("#list").bounding_box()
    assert map_box and list_box and list_box["y"] > map_box["y"] + map_box["height"]
    save_screenshot(page, "screenshot-phone.png")
    page.locator("#list .ev-item button").first.click()
    page.wait_for_selector("#panel[data-state='ready']")
    panel = page.locator("#panel").bounding_box()
    assert panel and panel["width"] >= 389 and panel["x"] <= 1
    assert page.locator("#panel mark.evidence").first.is_visible()
    save_screenshot(page, "screenshot-phone-panel.png")
    page.click("#panel-close")
    assert page.locator("#panel").is_hidden()
    phone.assert_clean()


def test_api_docs_page_works_offline_under_the_csp(server: Server, tab: Tab) -> None:
    tab.page.goto(server.url("/docs"))
    tab.page.wait_for_selector(".opblock", timeout=20_000)
    assert tab.page.locator(".opblock").count() >= 7
    tab.assert_clean()
