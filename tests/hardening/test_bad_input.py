"""Hostile and broken input: each case gets a clear message or a sane result, and the batch goes on.

Every test also ingests one good report next to the bad input and checks that it was stored.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sitroom import pipeline as pipeline_module
from sitroom.ingest import html as html_reader
from sitroom.ingest import read_paths
from sitroom.pipeline import Pipeline
from sitroom.records import Document
from sitroom.store import Store

from .conftest import documents, failures, ingest, read_all

GOOD = "date 2024-03-05\n\nA drone strike killed three people in Kharkiv on Monday, officials said.\n"


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.txt"
    path.write_text(GOOD, encoding="utf-8")
    return path


def _assert_good_stored(store: Store, outcomes: list[pipeline_module.DocumentOutcome]) -> None:
    ok = [o for o in outcomes if o.status == "new" and o.mentions == 1]
    assert ok, outcomes
    assert store.counts()["events"] >= 1


# ------------------------------------------------------------------------------ empty files


@pytest.mark.parametrize(
    "name", ["empty.txt", "empty.jsonl", "empty.html", "empty.xml", "blank.txt", "noext"]
)
def test_empty_file_is_reported_and_batch_goes_on(
    tmp_path: Path, good: Path, store: Store, name: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(b"" if name != "blank.txt" else b"  \n\t\n  ")
    summary, outcomes = ingest(store, bad, good)
    assert summary.failed == 1 and summary.new == 1
    assert summary.failures[0].source == str(bad)
    assert "empty" in summary.failures[0].reason
    _assert_good_stored(store, outcomes)


# ----------------------------------------------------------------------------- binary files


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("random.dat", bytes(range(256)) * 40, "NUL bytes"),
        ("random.txt", b"\x00\xff\xfe\x01" * 3000, "NUL bytes"),
        ("image.html", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "PNG"),
        ("report.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        ("archive.jsonl", b"PK\x03\x04" + b"\x00" * 64, "ZIP"),
        ("feed.xml", b"\x1f\x8b\x08\x00" + b"\x00" * 64, "gzip"),
    ],
)
def test_binary_file_is_reported(
    tmp_path: Path, good: Path, store: Store, name: str, data: bytes, says: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(data)
    summary, outcomes = ingest(store, bad, good)
    assert summary.failed == 1 and summary.new == 1
    assert "binary" in summary.failures[0].reason and says in summary.failures[0].reason
    _assert_good_stored(store, outcomes)


# ------------------------------------------------------------------------- text encodings

ARABIC = "date 2024-03-01\n\nقتل ثلاثة أشخاص في غارة جوية بطائرة مسيرة على مدينة حلب يوم الاثنين.\n"
RUSSIAN = (
    "date 2024-03-01\n\nТри человека погибли в результате удара беспилотника по Харькову в понедельник.\n"
)
WESTERN = (
    "date 2024-03-01\n\nA drone strike on Kharkiv killed three people on Monday \u2014 "
    "\u201cterrible\u201d, caf\u00e9 owners said.\n"
)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [(ARABIC, "cp1256"), (RUSSIAN, "koi8_r"), (RUSSIAN, "cp1251"), (WESTERN, "cp1252")],
    ids=["windows-1256-arabic", "koi8-r-russian", "windows-1251-russian", "windows-1252"],
)
def test_legacy_encoding_is_decoded(
    tmp_path: Path, text: str, encoding: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode(encoding))
    [doc] = documents(read_all(path))
    assert doc.text.strip() == text.split("\n\n", 1)[1].strip()
    assert "most plausible legacy encoding" in caplog.text  # the fallback is reported


def test_legacy_encodings_give_events(tmp_path: Path, store: Store) -> None:
    for name, text, encoding in [("ar", ARABIC, "cp1256"), ("ru", RUSSIAN, "koi8_r")]:
        (tmp_path / f"{name}.txt").write_bytes(text.encode(encoding))
    summary, outcomes = ingest(store, tmp_path)
    assert summary.failed == 0
    assert {o.language for o in outcomes} == {"ar", "ru"}
    assert all(o.mentions == 1 for o in outcomes)


def test_invalid_utf8_is_read_with_a_note(tmp_path: Path, good: Path, store: Store) -> None:
    bad = tmp_path / "bad-utf8.txt"
    bad.write_bytes(GOOD.encode() + b"Broken bytes \xff\xfe\xc3 here, and a truncated \xe2\x80.\n")
    bad_jsonl = tmp_path / "bad-utf8.jsonl"
    bad_jsonl.write_bytes(b'{"id": "u1", "text": "Rockets hit Erbil on Tuesday \xff\xfe."}\n')
    [doc] = documents(read_all(bad))
    assert doc.text.startswith("A drone strike killed three people")
    results = read_all(bad_jsonl)
    assert len(results) == 1  # a document or a clear failure, never an exception
    summary, _outcomes = ingest(store, bad, bad_jsonl, good)
    assert summary.read == 3


# ------------------------------------------------------------------------ a 50 MB document


def test_50mb_document_is_ingested_with_truncated_extraction(tmp_path: Path, store: Store) -> None:
    filler = "The weather was mild and the markets were open as usual across the region today.\n"
    head = GOOD
    tail = "A suicide bomber killed forty people in Baghdad on Tuesday.\n"  # past the cap: not read
    body = filler * ((50_000_000 - len(head) - len(tail)) // len(filler))
    path = tmp_path / "huge.txt"
    path.write_text(head + body + tail, encoding="utf-8")
    assert path.stat().st_size >= 49_000_000
    started = time.monotonic()
    summary, [outcome] = ingest(store, path)
    elapsed = time.monotonic() - started
    assert outcome.status == "new" and outcome.truncated
    assert summary.truncated == 1
    assert outcome.mentions == 1  # the report at the start, not the one past the cap
    stored = store.get_document(outcome.doc_id)
    assert stored is not None and len(stored.text) > 49_000_000  # stored whole
    assert elapsed < 120


def test_extraction_cap_cuts_at_a_space() -> None:
    cap = pipeline_module.MAX_EXTRACT_CHARS
    text = GOOD + ("word " * (cap // 5 + 100))
    head = pipeline_module._extractable(text)
    assert len(head) <= cap and text.startswith(head) and text[len(head)] in " \n"
    short = Document(text=GOOD, language="en")
    _lang, mentions = pipeline_module.read_document(short)
    _long_lang, long_mentions = pipeline_module.read_document(Document(text=text, language="en"))
    assert [m.evidence for m in long_mentions] == [m.evidence for m in mentions]


# -------------------------------------------------------------------------------- HTML


@pytest.mark.parametrize("depth", [300, 20_000])
def test_deeply_nested_html_still_gives_its_text(tmp_path: Path, depth: int) -> None:
    sentence = "A drone strike killed three people in Kharkiv on Monday, officials in the city said."
    page = "<html><body>" + "<div>" * depth + f"<p>{sentence}</p>" + "</div>" * depth + "</body></html>"
    path = tmp_path / "deep.html"
    path.write_text(page, encoding="utf-8")
    [doc] = documents(read_all(path))
    assert sentence in doc.text


def test_deeply_nested_unclosed_html_does_not_crash(tmp_path: Path, good: Path, store: Store) -> None:
    path = tmp_path / "unclosed.html"
    path.write_text("<html><body>" + "<div><span><b>" * 30_000 + "x", encoding="utf-8")
    summary, outcomes = ingest(store, path, good)
    assert summary.read == 2 and summary.new >= 1
    if summary.failed:
        assert summary.failures[0].source == str(path) and summary.failures[0].reason
    _assert_good_stored(store, outcomes)


@pytest.mark.parametrize(
    "page",
    [
        "<html><body><p>A drone strike killed <b>three people in <i>Kharkiv</p></div></span>"
        "<<<>>> on Monday, officials said. <script>alert(1)",
        "<p>A drone strike killed three people in Kharkiv on Monday, officials said.<p><table><tr><td>",
        "<!DOCTYPE html><html><head><meta charset='bogus-charset'><title>x</head>"
        "<body><article>A drone strike killed three people in Kharkiv on Monday, officials said.",
        "<html><body>" + "<p>&#xFFFFFFFF; &#0; &bogus; &amp" * 50 + "</body>",
        "<html><body><![CDATA[ broken <!-- never closed comment <p>text</p>",
    ],
    ids=["unclosed-tags", "stray-tags", "bogus-charset", "bad-entities", "broken-cdata-comment"],
)
def test_malformed_html_gives_a_document_or_a_clear_failure(tmp_path: Path, page: str) -> None:
    path = tmp_path / "bad.html"
    path.write_text(page, encoding="utf-8")
    [result] = read_all(path)
    if isinstance(result, Document):
        assert result.text.strip()
    else:
        assert result.source == str(path) and result.reason


def test_html_reader_text_only_fallback_keeps_no_scripts() -> None:
    depth = 400
    page = "<html><body>" + "<div>" * depth + "<script>alert('x')</script>"
    page += "<p>A drone strike killed three people in Kharkiv on Monday, officials said.</p>"
    doc = html_reader.document_from_bytes(page.encode(), origin="deep.html")
    assert "alert" not in doc.text


# ------------------------------------------------------------------------------ JSON Lines


def test_jsonl_broken_lines_are_numbered_and_the_rest_kept(tmp_path: Path, store: Store) -> None:
    lines = [
        '{"id": "a", "published": "2024-03-05", '
        '"text": "A drone strike killed three people in Kharkiv on Monday."}',
        '{"id": broken',
        "",
        "[1, 2]",
        '{"id": "b", "published": "2024-03-05", "text": "Rockets hit Erbil on Tuesday."}',
        '{"text": 5}',
        '{"id": "c", "text": "truncated',
        "\x00\x01garbage",
        '{"id": "d", "published": "2024-03-05", "text": "Artillery shelled Kherson on Sunday, killing two."}',
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary, outcomes = ingest(store, path)
    assert summary.new == 3
    assert sorted(f.source for f in summary.failures) == [f"{path}:{n}" for n in (2, 4, 6, 7, 8)]
    assert all(f.reason for f in summary.failures)
    assert {o.doc_id for o in outcomes if o.status == "new"} == {"a", "b", "d"}


# ---------------------------------------------------------------------------------- feeds


def test_feed_with_broken_xml_keeps_the_items_before_the_break(
    tmp_path: Path, good: Path, store: Store
) -> None:
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
        "<item><title>Drone strike</title><description>A drone strike killed three people in Kharkiv "
        "on Monday.</description><pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate></item>"
        "<item><title>unclosed & <b>broken</title><description>Rockets"
    )
    path = tmp_path / "broken.xml"
    path.write_text(feed, encoding="utf-8")
    results = read_all(path)
    docs = documents(results)
    assert docs and "Kharkiv" in docs[0].text
    summary, outcomes = ingest(store, path, good)
    assert summary.new >= 2
    _assert_good_stored(store, outcomes)


@pytest.mark.parametrize(
    "data",
    [
        b"<rss><channel>",
        b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><entry><",
        b"<rss>\x01\x02</rss>",
    ],
)
def test_feed_with_nothing_usable_is_a_clear_failure(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "nothing.xml"
    path.write_bytes(data)
    results = read_all(path)
    assert results and not documents(results)
    assert all(f.reason for f in failures(results))


# ---------------------------------------------------------------------- impossible dates


def test_impossible_dates_are_never_stored(tmp_path: Path, store: Store) -> None:
    (tmp_path / "feb30.txt").write_text(
        "date 2024-03-05\n\nA drone strike killed three people in Kharkiv on February 30.\n", encoding="utf-8"
    )
    (tmp_path / "header.txt").write_text(
        "date 2024-02-30\n\nA drone strike killed three people in Kharkiv on Monday.\n", encoding="utf-8"
    )
    (tmp_path / "published.jsonl").write_text(
        '{"id": "p", "published": "2023-02-29", '
        '"text": "A drone strike killed three people in Kharkiv on Monday."}\n'
        '{"id": "q", "published": "2024-13-45T99:99:99", "text": "Rockets hit Erbil on 31 April."}\n',
        encoding="utf-8",
    )
    results = read_all(tmp_path)
    docs = documents(results)
    assert len(docs) == 4
    by_origin = {d.id: d for d in docs}
    assert by_origin["p"].published is None and by_origin["q"].published is None
    summary, _ = ingest(store, tmp_path)
    assert summary.failed == 0 and summary.new == 4
    for event in store.iter_events():
        if event.event_date is not None:  # a real calendar date, never Feb 30 or a 13th month
            assert (event.event_date.month, event.event_date.day) not in {(2, 30), (2, 31), (4, 31)}


# ----------------------------------------------------------------------- absurd numbers


@pytest.mark.parametrize(
    "sentence",
    [
        "A drone strike killed 1,000,000 people in Kharkiv on Monday.",
        "A drone strike killed 1000000 people in Kharkiv on Monday.",
        "An air strike in Gaza killed 99999999999999999999999 people on Monday.",
        "Shelling killed 5,000,000,000 civilians in Kherson on Sunday.",
    ],
)
def test_absurd_numbers_are_not_fatality_figures(sentence: str) -> None:
    doc = Document(text=sentence, language="en", published=None)
    _, mentions = pipeline_module.read_document(doc)
    for m in mentions:
        assert m.fatalities is None or m.fatalities < 100_000
        assert m.injured is None or m.injured < 100_000


# ------------------------------------------------------------------ unsupported languages


@pytest.mark.parametrize(
    "text",
    [
        "Shambulio la ndege isiyo na rubani liliua watu watatu mjini Kharkiv siku ya Jumatatu. "
        "Watu wengine kumi walijeruhiwa katika shambulio hilo.",
        "星期一，无人机袭击哈尔科夫，造成三人死亡，十人受伤。",
        "ხარკოვზე დრონით განხორციელებულ თავდასხმას სამი ადამიანი ემსხვერპლა ორშაბათს.",
    ],
    ids=["swahili", "chinese", "georgian"],
)
def test_unsupported_language_gives_no_event_and_no_crash(tmp_path: Path, store: Store, text: str) -> None:
    path = tmp_path / "foreign.txt"
    path.write_text("date 2024-03-05\n\n" + text + "\n", encoding="utf-8")
    summary, [outcome] = ingest(store, path)
    assert outcome.status == "new"  # stored, so that it can be read again once a lexicon exists
    assert outcome.mentions == 0 and summary.events_created == 0
    assert store.counts()["events"] == 0


def test_a_batch_of_every_bad_input_runs_to_the_end(tmp_path: Path, good: Path, store: Store) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bin.dat").write_bytes(bytes(range(256)))
    (tmp_path / "bad.jsonl").write_text('{"x": \n', encoding="utf-8")
    (tmp_path / "bad.xml").write_text("<rss><channel><item>", encoding="utf-8")
    (tmp_path / "ru.txt").write_bytes(RUSSIAN.encode("koi8_r"))
    results = list(read_paths([str(tmp_path)]))
    summary = Pipeline(store).ingest(results)
    assert summary.read == len(results)
    assert summary.new >= 2  # good.txt and ru.txt
