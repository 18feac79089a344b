"""The same behaviour from every store: each test runs on SQLite and on PostgreSQL.

The PostgreSQL runs are marked ``postgres`` and need a server (see ``conftest.py``). The tests
go through the :class:`~sitroom.store.base.Store` protocol only; what only one backend has
(PRAGMAs, the FTS table, advisory locks) is tested in ``test_sqlite.py`` / ``test_postgres.py``.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from sitroom.errors import ConfigError, StoreError
from sitroom.records import Document, Event, Place, Span
from sitroom.store import EventFilter, Store, sql
from sitroom.store.base import COPY_CANDIDATES_PER_KEY, CandidateQuery
from store.conftest import Backend
from store.test_sqlite import ERBIL, KHARKIV, KIRISHI, KYIV, ZAPO, doc, event, ingest, mention

EMPTY = {"documents": 0, "mentions": 0, "events": 0, "places": 0, "actors": 0}


def needs(store: Store, method: str) -> None:
    """Skip while a backend does not have a protocol method yet (SQLite is getting the new ones)."""
    if not callable(getattr(store, method, None)):
        pytest.skip(f"{type(store).__name__} has no {method}() yet")


# -- round trips ------------------------------------------------------------------------------


def test_event_round_trip_with_every_field(any_store: Store) -> None:
    d1 = doc(
        "D1",
        "A drone hit Kyiv. Two died.",
        datetime(2024, 2, 10, 8),
        title="Drone",
        outlet="Ukrinform",
        url="https://example.org/a",
        language="en",
        origin="feed.xml",
    )
    d2 = doc("D2", "Kyiv was attacked overnight by drones.", datetime(2024, 2, 11, 3, 4, 5, 678, tzinfo=UTC))
    d3 = doc(
        "D3",
        "Another report.",
        datetime.fromisoformat("2024-02-10T22:00:00+02:00"),  # an offset that is not UTC comes back as given
    )
    m1 = mention(
        "D1",
        "A drone hit Kyiv.",
        event_date=date(2024, 2, 10),
        place=KYIV,
        actor1="Russian forces",
        actor2="Civilians (Ukraine)",
        weapon="drone",
        count=3,
        fatalities=2,
        injured=None,
        intercepted=False,
        claimed_by=None,
        hedged=True,
        language="en",
        spans=(Span("place", 12, 16, "Kyiv"), Span("weapon", 2, 7, "drone")),
        extractor="rules.v1",
    )
    m2 = mention(
        "D2",
        "Kyiv was attacked overnight by drones.",
        role="background",
        event_date=date(2024, 2, 10),
        date_precision="week",
        place=Place("Kyiv", "town", "Ukraine", "UA", None, 50.45, 30.52),  # a different place value
        fatalities=3,
        injured=5,
        intercepted=True,
        claimed_by="Nobody",
        spans=(),
        extractor="llm.v2",
    )
    m3 = mention("D3", "Another report.", start=3, end=10, event_date=None, date_precision="year")
    e = event(
        "E1",
        (m1, m3, m2),  # by publication: D1 08:00 naive, then D3 (text order of ISO stamps), D2
        actor1="Russian forces",
        actor2="Civilians (Ukraine)",
        weapon="drone",
        count=3,
        fatalities=2,
        fatalities_max=3,
        injured=5,
        injured_max=5,
        intercepted=False,
        claimed_by="Nobody",
        hedged=True,
    )
    ingest(any_store, d1, [e])
    ingest(any_store, d2, [e])
    ingest(any_store, d3, [e])
    assert any_store.get_event("E1") == e
    assert any_store.get_event("nope") is None
    for d in (d1, d2, d3):
        assert any_store.get_document(d.id) == d
    assert any_store.get_document("nope") is None
    assert any_store.counts() == {"documents": 3, "mentions": 3, "events": 1, "places": 2, "actors": 3}
    assert any_store.event_ids_for_document("D1") == ["E1"]


def test_places_are_deduplicated(any_store: Store) -> None:
    e1 = event("E1", (mention("D1", "a"),), place=KYIV)
    e2 = event("E2", (mention("D1", "b", place=KYIV),), place=KYIV)
    ingest(any_store, doc("D1", "a b"), [e1, e2])
    assert any_store.counts()["places"] == 1


def test_event_without_place_or_date(any_store: Store) -> None:
    e = event("E1", (mention("D1", "x"),), place=None, event_date=None, date_precision="year")
    ingest(any_store, doc("D1", "x"), [e])
    assert any_store.get_event("E1") == e
    assert any_store.undated_events() == [e]


def test_document_state(any_store: Store) -> None:
    d = doc("D1", "Some report.")
    assert any_store.document_state(d) == "new"
    any_store.save_document(d)
    assert any_store.document_state(d) == "same"
    assert any_store.document_state(doc("D1", "  Some   report. ")) == "same"  # whitespace-insensitive
    assert any_store.document_state(doc("D1", "Some other report.")) == "changed"


def test_save_document_upserts_and_reindexes(any_store: Store) -> None:
    ingest(any_store, doc("D1", "first words", title="Old"), [event("E1", (mention("D1", "x"),))])
    any_store.save_document(doc("D1", "second words", title="New"))
    got = any_store.get_document("D1")
    assert got is not None and got.text == "second words" and got.title == "New"
    assert any_store.counts()["documents"] == 1
    assert any_store.count_events(EventFilter(text="first")) == 0
    assert any_store.count_events(EventFilter(text="old")) == 0
    assert any_store.count_events(EventFilter(text="second new")) == 1


def test_save_event_updates_in_place(any_store: Store) -> None:
    ingest(any_store, doc("D1", "x"), [event("E1", (mention("D1", "x"),), actor1="A")])
    any_store.save_event(event("E1", fatalities=4, actor1="B", place=ERBIL))
    assert any_store.get_event("E1") == event(
        "E1", (mention("D1", "x"),), fatalities=4, actor1="B", place=ERBIL
    )
    assert any_store.counts() == {"documents": 1, "mentions": 1, "events": 1, "places": 1, "actors": 1}


def test_replace_mentions_replaces_and_collects_orphans(any_store: Store) -> None:
    m1 = mention("D1", "a", place=KHARKIV, actor1="Wagner")
    m2 = mention("D1", "b", place=ERBIL, claimed_by="Islamic Resistance in Iraq")
    ingest(any_store, doc("D1", "a b"), [event("E1", (m1, m2))])
    assert any_store.counts() == {"documents": 1, "mentions": 2, "events": 1, "places": 3, "actors": 2}
    with any_store.transaction():
        any_store.replace_mentions("D1", [(m1, "E1")])
    counts = any_store.counts()
    assert counts["mentions"] == 1 and counts["places"] == 2 and counts["actors"] == 1
    got = any_store.get_event("E1")
    assert got is not None and got.mentions == (m1,)
    assert any_store.count_events(EventFilter(text="Erbil")) == 0  # the orphan place left the index


def test_mention_doc_mismatch_and_unsaved_document(any_store: Store) -> None:
    with pytest.raises(StoreError, match="was given for document"):
        any_store.replace_mentions("D2", [(mention("D1", "x"), "E1")])
    with pytest.raises(StoreError, match="not saved"):
        any_store.replace_mentions("D9", [(mention("D9", "x"), "E1")])


def test_delete_event(any_store: Store) -> None:
    ingest(any_store, doc("D1", "x"), [event("E1", (mention("D1", "x"),), actor1="Hamas")])
    with pytest.raises(StoreError, match="still has 1 mention"):
        any_store.delete_event("E1")
    with any_store.transaction():
        any_store.replace_mentions("D1", [])
        any_store.delete_event("E1")
    assert any_store.get_event("E1") is None
    assert any_store.counts() == {**EMPTY, "documents": 1}


# -- transactions -----------------------------------------------------------------------------


def test_transaction_rollback_leaves_nothing(any_store: Store) -> None:
    e = event("E1", (mention("D1", "x", place=ERBIL, actor1="X"),), actor2="Y")
    with pytest.raises(RuntimeError), any_store.transaction():
        any_store.save_document(doc("D1", "x"))
        any_store.replace_mentions("D1", [(e.mentions[0], "E1")])
        any_store.save_event(e)
        raise RuntimeError("killed mid-document")
    assert any_store.counts() == EMPTY
    assert any_store.query_events(EventFilter(text="x")) == []


def test_nested_transaction_is_a_savepoint(any_store: Store) -> None:
    with any_store.transaction():
        any_store.save_document(doc("D1", "kept"))
        with pytest.raises(ValueError), any_store.transaction():
            any_store.save_document(doc("D2", "dropped"))
            raise ValueError
        with any_store.transaction():
            any_store.save_document(doc("D3", "kept too"))
    assert any_store.get_document("D1") is not None
    assert any_store.get_document("D2") is None
    assert any_store.get_document("D3") is not None


def test_a_failed_write_inside_a_transaction_undoes_only_itself(any_store: Store) -> None:
    with any_store.transaction():
        any_store.save_document(doc("D1", "kept"))
        with pytest.raises(StoreError):
            any_store.save_sketch("D-missing", [1, 2], [1])  # its document does not exist
        any_store.save_document(doc("D2", "kept too"))
    assert any_store.counts()["documents"] == 2


def test_mention_of_unsaved_event_fails_at_commit(any_store: Store) -> None:
    with pytest.raises(StoreError, match=r"(?i)foreign key"), any_store.transaction():
        any_store.save_document(doc("D1", "x"))
        any_store.replace_mentions("D1", [(mention("D1", "x"), "E-missing")])
    assert any_store.counts()["documents"] == 0
    any_store.save_document(doc("D1", "x"))  # the store is usable afterwards
    assert any_store.counts()["documents"] == 1


def test_killed_process_leaves_no_half_document(backend: Backend) -> None:
    script = f"""
import os
from sitroom.records import Document, Mention
from sitroom.store import open_store
s = open_store({backend.url!r})
s.open()
with s.transaction():
    s.save_document(Document("x", id="D1"))
    s.replace_mentions("D1", [(Mention("D1", "main", "Battles", "Armed clash", "x", 0, 1), "E1")])
    os._exit(3)  # killed before save_event and commit
"""
    done = subprocess.run([sys.executable, "-c", script], check=False, timeout=60)
    assert done.returncode == 3
    with backend.store() as fresh:
        assert fresh.counts() == EMPTY


def test_closed_store_refuses_calls(backend: Backend) -> None:
    s = backend.store()
    with pytest.raises(StoreError, match="not open"):
        s.counts()
    s.open()
    s.open()  # a second open is a no-op
    s.close()
    s.close()
    with pytest.raises(StoreError, match="not open"):
        s.get_event("E1")


def test_reopening_keeps_everything(backend: Backend) -> None:
    e = event("E1", (mention("D1", "Kyiv drones", place=KYIV, actor1="Russian forces"),))
    with backend.store() as s:
        ingest(s, doc("D1", "Kyiv drones", datetime(2024, 2, 10)), [e])
    with backend.store() as s:
        assert s.get_event("E1") == e
        assert [x.id for x in s.query_events(EventFilter(text="kyiv", country="ua"))] == ["E1"]


# -- queries ----------------------------------------------------------------------------------


@pytest.fixture()
def corpus(any_store: Store) -> Store:
    ingest(
        any_store,
        doc(
            "D1",
            "Russian drones struck Kyïv and Kharkiv on Saturday.",
            datetime(2024, 2, 10),
            title="Strikes",
        ),
        [
            event(
                "K1",
                (mention("D1", "Russian drones struck Kyïv", place=KYIV),),
                actor1="Russian forces",
                fatalities=2,
            ),
            event(
                "H1",
                (mention("D1", "and Kharkiv", place=KHARKIV),),
                place=KHARKIV,
                actor1="Russian forces",
                actor2="Civilians (Ukraine)",
                fatalities=7,
            ),
        ],
    )
    ingest(
        any_store,
        doc("D2", "Ukrainian drones hit the Kirishi refinery.", datetime(2025, 9, 14)),
        [
            event(
                "R1",
                (mention("D2", "Ukrainian drones hit the Kirishi refinery."),),
                place=KIRISHI,
                event_date=date(2025, 9, 14),
                actor1="Ukrainian forces (Unmanned Systems Forces)",
                claimed_by="SBU",
                fatalities=0,
            )
        ],
    )
    ingest(
        any_store,
        doc("D3", "A rocket was intercepted over Erbil airport.", datetime(2024, 3, 1)),
        [
            event(
                "I1",
                (mention("D3", "A rocket was intercepted over Erbil airport."),),
                place=ERBIL,
                event_date=date(2024, 2, 12),
                event_type="Strategic developments",
                sub_event_type="Disrupted weapons use",
                intercepted=True,
            )
        ],
    )
    ingest(
        any_store,
        doc("D4", "Shelling across Zaporizhzhia region, date unknown."),
        [
            event(
                "Z1",
                (mention("D4", "Shelling across Zaporizhzhia region"),),
                place=ZAPO,
                event_date=None,
                sub_event_type="Shelling/artillery/missile attack",
                fatalities=1,
            )
        ],
    )
    return any_store


def ids(store: Store, **kw: object) -> list[str]:
    return [e.id for e in store.query_events(EventFilter(**kw))]  # type: ignore[arg-type]


def test_orders(corpus: Store) -> None:
    assert ids(corpus) == ["R1", "I1", "H1", "K1", "Z1"]
    assert ids(corpus, order="date_asc") == ["H1", "K1", "I1", "R1", "Z1"]
    assert ids(corpus, order="fatalities_desc") == ["H1", "K1", "Z1", "R1", "I1"]


def test_limit_offset_and_count(corpus: Store) -> None:
    assert ids(corpus, limit=2) == ["R1", "I1"]
    assert ids(corpus, limit=2, offset=2) == ["H1", "K1"]
    assert ids(corpus, offset=4) == ["Z1"]
    assert ids(corpus, limit=0) == []
    assert corpus.count_events(EventFilter(limit=1)) == 5


def test_date_filters(corpus: Store) -> None:
    assert ids(corpus, since=date(2024, 2, 11)) == ["R1", "I1"]
    assert ids(corpus, until=date(2024, 2, 10)) == ["H1", "K1"]
    assert ids(corpus, since=date(2024, 2, 10), until=date(2024, 2, 12)) == ["I1", "H1", "K1"]


def test_country_filter_by_name_and_code(corpus: Store) -> None:
    assert ids(corpus, country="ukraine") == ["H1", "K1", "Z1"]
    assert ids(corpus, country=" UA ") == ["H1", "K1", "Z1"]
    assert ids(corpus, country="ru") == ["R1"]
    assert ids(corpus, country="IRAQ") == ["I1"]
    assert corpus.count_events(EventFilter(country="France")) == 0


def test_country_filter_folds_non_ascii_names(any_store: Store) -> None:
    turkey = Place("Ankara", "town", "Türkiye", "TR", None, 39.93, 32.86)
    ingest(any_store, doc("D1", "x"), [event("T1", (mention("D1", "x"),), place=turkey)])
    assert ids(any_store, country="TÜRKIYE") == ["T1"]
    assert ids(any_store, country="türkiye") == ["T1"]
    assert ids(any_store, country="turkiye") == []  # case is folded, accents are not


def test_type_filter_matches_type_or_sub_type(corpus: Store) -> None:
    assert ids(corpus, event_type="strategic developments") == ["I1"]
    assert ids(corpus, event_type="AIR/DRONE STRIKE") == ["R1", "H1", "K1"]
    assert ids(corpus, event_type="Shelling/artillery/missile attack") == ["Z1"]
    assert ids(corpus, event_type="Air/drone") == []  # the whole type, not a part


def test_actor_filter_is_a_case_insensitive_substring(corpus: Store) -> None:
    assert ids(corpus, actor="russian") == ["H1", "K1"]
    assert ids(corpus, actor="civilians") == ["H1"]
    assert ids(corpus, actor="sbu") == ["R1"]
    assert ids(corpus, actor="UNMANNED systems") == ["R1"]
    assert ids(corpus, actor="%") == []  # no LIKE wildcards


def test_near_and_bbox(corpus: Store) -> None:
    assert ids(corpus, near=(50.45, 30.52), km=5) == ["K1"]
    assert ids(corpus, near=(50.2, 33.4), km=250) == ["H1", "K1"]  # Kyiv–Kharkiv are ~410 km apart
    assert ids(corpus, near=(50.45, 30.52)) == ["K1"]  # default radius
    assert ids(corpus, bbox=(22.0, 44.0, 41.0, 53.0)) == ["H1", "K1"]  # roughly Ukraine
    assert ids(corpus, bbox=(40.0, 30.0, 50.0, 40.0)) == ["I1"]
    assert ids(corpus, bbox=(170.0, -90.0, 35.0, 90.0)) == ["R1", "K1"]  # crosses the antimeridian


def test_near_across_the_antimeridian_and_the_pole(any_store: Store) -> None:
    fiji = Place("Labasa", "town", "Fiji", "FJ", None, -16.43, 179.9)
    pole = Place("Station", "site", None, None, None, 89.9, 10.0)
    ingest(any_store, doc("D1", "x"), [event("F1", (mention("D1", "x"),), place=fiji)])
    ingest(any_store, doc("D2", "y"), [event("P1", (mention("D2", "y"),), place=pole)])
    assert ids(any_store, near=(-16.43, -179.9), km=50) == ["F1"]
    assert ids(any_store, near=(89.9, -170.0), km=50) == ["P1"]  # across the pole


def test_text_search_ignores_case_and_diacritics(corpus: Store) -> None:
    assert ids(corpus, text="kyiv") == ["H1", "K1"]  # document text mentions both cities
    assert ids(corpus, text="KYÏV russian") == ["H1", "K1"]
    assert ids(corpus, text="refinery") == ["R1"]
    assert ids(corpus, text="Erbil") == ["I1"]  # place name and evidence
    assert ids(corpus, text="Leningrad") == ["R1"]  # admin1 of the place
    assert ids(corpus, text="SBU") == ["R1"]  # actor name only
    assert ids(corpus, text="strikes") == ["H1", "K1"]  # document title
    assert ids(corpus, text="Zapor*") == ["Z1"]  # prefix
    assert ids(corpus, text="Zaporizhzhia-region") == ["Z1"]  # a hyphenated word is a phrase
    assert ids(corpus, text="Shelling-region") == []  # both words occur, but not side by side
    assert ids(corpus, text='"quoted" (x) OR') == []  # query syntax characters are harmless
    assert ids(corpus, text="!!!") == []
    assert ids(corpus, text="kyiv !!!") == ["H1", "K1"]  # a word without letters is ignored
    assert ids(corpus, text="   ") == ids(corpus)  # no words: no condition
    assert ids(corpus, text="*") == []  # a word that is only a prefix mark matches nothing
    assert ids(corpus, text="ukr* refin*") == ["R1"]
    assert ids(corpus, text="drones struck*") == ["H1", "K1"]
    assert ids(corpus, text="kyiv erbil") == []  # every word in one report, place or actor
    assert ids(corpus, text="it's") == []  # "it" and "s" as a phrase
    assert corpus.count_events(EventFilter(text="drones", country="RU")) == 1


def test_text_search_special_characters(any_store: Store) -> None:
    text = "Straße in İstanbul; x_y; C:\\path 'quote' O'Brien ǅemal 北京 ½ naïve café Ærø"
    ingest(any_store, doc("D1", text), [event("E1", (mention("D1", "x"),))])
    for query in (
        "straße",
        "STRASSE*",
        "istanbul",
        "x",
        "y",
        "path",
        "o'brien",
        "ǆemal",
        "北京",
        "NAIVE",
        "cafe",
    ):
        assert ids(any_store, text=query) == (["E1"] if query != "STRASSE*" else []), query
    assert ids(any_store, text="aerø") == []  # Æ folds to æ, never to "ae"
    assert ids(any_store, text="ærø") == ["E1"]
    assert ids(any_store, text="'quote'") == ["E1"]
    assert ids(any_store, text="\\") == []


def test_min_fatalities(corpus: Store) -> None:
    assert ids(corpus, min_fatalities=2) == ["H1", "K1"]
    assert ids(corpus, min_fatalities=0) == ["R1", "H1", "K1", "Z1"]
    assert ids(corpus, min_fatalities=10**12) == []


def test_filters_combine(corpus: Store) -> None:
    flt = EventFilter(country="UA", since=date(2024, 1, 1), actor="russian", min_fatalities=5, text="drones")
    assert [e.id for e in corpus.query_events(flt)] == ["H1"]
    assert corpus.count_events(flt) == 1


def test_events_in_window_and_undated(corpus: Store) -> None:
    window = corpus.events_in_window(date(2024, 2, 9), date(2024, 2, 12))
    assert [e.id for e in window] == ["H1", "K1", "I1"]
    assert all(e.mentions for e in window)
    assert [e.id for e in corpus.undated_events()] == ["Z1"]


def test_iter_events_streams_in_batches(corpus: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    for size in (1, 2, 500):
        monkeypatch.setattr(sql, "_BATCH", size)  # the batch size of both backends
        streamed = list(corpus.iter_events())
        assert [e.id for e in streamed] == ["H1", "K1", "I1", "R1", "Z1"]
        assert streamed[0] == corpus.get_event("H1")


def test_stats(corpus: Store) -> None:
    week = corpus.stats()
    assert week.total == 5 and week.undated == 1
    assert week.periods == (("2024-02-05", 2), ("2024-02-12", 1), ("2025-09-08", 1))
    assert week.event_types == (("Explosions/Remote violence", 4), ("Strategic developments", 1))
    assert week.sub_event_types == (
        ("Air/drone strike", 3),
        ("Disrupted weapons use", 1),
        ("Shelling/artillery/missile attack", 1),
    )
    assert week.countries == (("Ukraine", 3), ("Iraq", 1), ("Russia", 1))
    assert corpus.stats("day").periods == (("2024-02-10", 2), ("2024-02-12", 1), ("2025-09-14", 1))
    assert corpus.stats("month").periods == (("2024-02", 3), ("2025-09", 1))
    filtered = corpus.stats("month", EventFilter(country="UA"))
    assert filtered.total == 3 and filtered.undated == 1 and filtered.periods == (("2024-02", 2),)
    assert corpus.stats("week", EventFilter(text="kyiv")).total == 2
    with pytest.raises(ConfigError):
        corpus.stats("year")  # type: ignore[arg-type]


def test_stats_unknown_country_and_sunday(any_store: Store) -> None:
    sunday = date(2024, 2, 11)
    ingest(any_store, doc("D1", "x"), [event("E1", (mention("D1", "x"),), place=None, event_date=sunday)])
    s = any_store.stats()
    assert s.countries == (("unknown", 1),)
    assert s.periods == (("2024-02-05", 1),)  # a Sunday belongs to the week that began on Monday


def test_stats_of_empty_store(any_store: Store) -> None:
    empty = any_store.stats()
    assert empty.total == 0 and empty.undated == 0 and empty.periods == () and empty.countries == ()


# -- dedupe look-ups --------------------------------------------------------------------------


def test_candidate_events(corpus: Store) -> None:
    needs(corpus, "candidate_events")
    feb = (("day", date(2024, 2, 9), date(2024, 2, 12)),)
    found = corpus.candidate_events(CandidateQuery(ranges=feb))  # type: ignore[arg-type]
    assert [e.id for e in found] == ["H1", "K1", "I1"]
    assert all(e.mentions == () for e in found)
    full = corpus.get_event("H1")
    assert full is not None and found[0] == Event(**{**_fields(full), "mentions": ()})
    with_undated = corpus.candidate_events(CandidateQuery(ranges=feb, undated=True))  # type: ignore[arg-type]
    assert [e.id for e in with_undated] == ["H1", "K1", "I1", "Z1"]
    week_only = (("week", date(2024, 1, 1), date(2025, 12, 31)),)
    assert corpus.candidate_events(CandidateQuery(ranges=week_only)) == []  # type: ignore[arg-type]
    assert corpus.candidate_events(CandidateQuery()) == []
    everything = (("day", date(2024, 1, 1), date(2025, 12, 31)),)
    ua = CandidateQuery(ranges=everything, undated=True, country_codes=("UA",))  # type: ignore[arg-type]
    assert [e.id for e in corpus.candidate_events(ua)] == ["H1", "K1", "Z1"]
    iq_ru = CandidateQuery(ranges=everything, country_codes=("IQ", "RU"))  # type: ignore[arg-type]
    assert [e.id for e in corpus.candidate_events(iq_ru)] == ["I1", "R1"]


def test_candidate_events_keep_places_without_a_code(any_store: Store) -> None:
    needs(any_store, "candidate_events")
    sea = Place("Red Sea", "admin1", None, None, None, 20.0, 38.0, "sea")
    ingest(any_store, doc("D1", "x"), [event("S1", (mention("D1", "x"),), place=sea)])
    ingest(any_store, doc("D2", "y"), [event("N1", (mention("D2", "y"),), place=None)])
    ingest(any_store, doc("D3", "z"), [event("U1", (mention("D3", "z"),), place=KYIV)])
    days = (("day", date(2024, 2, 1), date(2024, 2, 28)),)
    query = CandidateQuery(ranges=days, country_codes=())  # type: ignore[arg-type]
    assert [e.id for e in any_store.candidate_events(query)] == ["N1", "S1"]


def test_events_by_id_and_existing_ids(corpus: Store) -> None:
    needs(corpus, "events_by_id")
    needs(corpus, "existing_event_ids")
    got = corpus.events_by_id(["R1", "nope", "K1", "Z1"])
    assert [e.id for e in got] == ["R1", "K1", "Z1"]
    assert got == [corpus.get_event("R1"), corpus.get_event("K1"), corpus.get_event("Z1")]
    assert corpus.events_by_id([]) == []
    assert corpus.existing_event_ids(["R1", "nope", "Z1"]) == {"R1", "Z1"}
    assert corpus.existing_event_ids([]) == set()


def _fields(e: Event) -> dict[str, object]:
    return {name: getattr(e, name) for name in Event.__dataclass_fields__}


def test_copy_candidates_keep_the_most_recent_per_key(any_store: Store) -> None:
    needs(any_store, "copy_candidates")
    n = COPY_CANDIDATES_PER_KEY + 8
    with any_store.transaction():
        for i in range(n):
            d = doc(f"D{i:03d}", f"story {i}")
            any_store.save_document(d)
            any_store.save_sketch(d.id, [7, 100 + i, 4_294_967_295], [7, 100 + i])
    got = any_store.copy_candidates([7])
    assert [d for d, _ in got] == [f"D{i:03d}" for i in range(n - COPY_CANDIDATES_PER_KEY, n)]
    assert got[0][1] == [7, 100 + n - COPY_CANDIDATES_PER_KEY, 4_294_967_295]  # unsigned 32-bit kept
    # "most recently stored" is the order in which the documents were first saved
    any_store.save_document(doc("D000", "story 0, updated"))
    any_store.save_sketch("D000", [7, 100], [7, 100])
    assert [d for d, _ in any_store.copy_candidates([7])] == [d for d, _ in got]
    any_store.save_document(doc("D999", "a later story"))
    any_store.save_sketch("D999", [7], [7])
    later = [d for d, _ in any_store.copy_candidates([7])]
    assert later == [*[d for d, _ in got][1:], "D999"]
    with pytest.raises(StoreError, match="not saved"):
        any_store.save_sketch("D-missing", [7], [7])
    both = [d for d, _ in any_store.copy_candidates([101, 102, 101])]
    assert both == ["D001", "D002"]
    assert any_store.copy_candidates([99]) == []
    assert any_store.copy_candidates([]) == []


def test_copies(any_store: Store) -> None:
    needs(any_store, "copies_of")
    for d in ("D1", "D2", "D3"):
        any_store.save_document(doc(d, f"text {d}"))
    any_store.link_copy("D2", "D1", 0.95)
    any_store.link_copy("D3", "D1", 0.9)
    any_store.link_copy("D3", "D1", 0.85)  # linked again: replaced
    assert any_store.copies_of("D1") == [("D2", 0.95), ("D3", 0.85)]
    assert any_store.copies_of("D2") == [("D1", 0.95)]
    assert any_store.copies_of("D9") == []


# -- concurrency ------------------------------------------------------------------------------


def test_two_stores_on_one_database_write_concurrently(backend: Backend) -> None:
    with backend.store():
        pass  # schema in place
    errors: list[BaseException] = []

    def writer(prefix: str) -> None:
        try:
            with backend.store(timeout=30) as s:
                for i in range(40):
                    d = doc(f"{prefix}{i}", f"report {prefix} {i}")
                    ingest(s, d, [event(f"E{prefix}{i}", (mention(d.id, d.text, place=KYIV),))])
                    s.query_events(EventFilter(limit=5))
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(p,)) for p in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with backend.store() as s:
        assert s.counts() == {"documents": 80, "mentions": 80, "events": 80, "places": 1, "actors": 0}


def test_one_store_shared_between_threads(any_store: Store) -> None:
    def work(prefix: str) -> None:
        for i in range(20):
            d = doc(f"{prefix}{i}", f"report {prefix} {i}")
            ingest(any_store, d, [event(f"E{prefix}{i}", (mention(d.id, d.text),))])

    threads = [threading.Thread(target=work, args=(p,)) for p in ("A", "B", "C")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert any_store.counts()["events"] == 60


def test_time_stamps_come_from_the_clock(backend: Backend) -> None:
    moments = iter(datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=h) for h in range(100))
    with backend.store(clock=lambda: next(moments)) as s:
        ingest(s, doc("D1", "x"), [event("E1", (mention("D1", "x"),))])
        applied = s.applied_migrations()  # type: ignore[attr-defined]
    assert applied and all(stamp.startswith("2024-01-01T0") for _, stamp in applied)


def test_documents_and_filters_with_unusual_values(any_store: Store) -> None:
    d = Document(text="  Ünïcödé — text with \t tabs\nand 'quotes' \"double\" % _ \\ ", id="id with spaces/ü")
    ingest(any_store, d, [event("E 1/ü", (mention(d.id, "Ünïcödé", fatalities=10**15),), fatalities=10**15)])
    assert any_store.get_document(d.id) == d
    got = any_store.get_event("E 1/ü")
    assert got is not None and got.fatalities == 10**15
    assert ids(any_store, text="unicode") == ["E 1/ü"]
    assert ids(any_store, text="%") == []


def test_ties_sort_by_code_point_whatever_the_database_collation(any_store: Store) -> None:
    countries = {"b1": "Zambia", "B1": "angola", "_1": "Åland", "é1": "Zambia", "a1": "Ärmland"}
    for i, (event_id, country) in enumerate(countries.items()):
        place = Place(f"Town {i}", "town", country, None, None, 1.0, float(i))
        d = doc(f"D{i}", f"report {i}", datetime(2024, 2, 1, 8, 0, 0))
        ingest(any_store, d, [event(event_id, (mention(d.id, "x"),), place=place)])
    expected = sorted(countries)  # Python compares code points, as SQLite's BINARY does
    assert expected == ["B1", "_1", "a1", "b1", "é1"]
    assert ids(any_store) == expected
    assert [e.id for e in any_store.iter_events()] == expected
    assert any_store.stats().countries == (("Zambia", 2), ("angola", 1), ("Ärmland", 1), ("Åland", 1))
    ordered = [
        doc("m", "m", datetime(2024, 2, 2, 9)),
        doc("M", "M", datetime(2024, 2, 2, 9)),  # same time: the document id decides, "M" < "m"
        doc("Z", "Z", datetime(2024, 2, 2, 8)),
    ]
    for d in ordered:
        ingest(any_store, d, [event("b1", (*any_store.get_event("b1").mentions, mention(d.id, "x")))])  # type: ignore[union-attr]
    got = any_store.get_event("b1")
    assert got is not None and [m.doc_id for m in got.mentions] == ["D0", "Z", "M", "m"]
