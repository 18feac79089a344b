"""Never crash: property-based tests of every reader and of the extractor on arbitrary input.

A reader may refuse an input with an :class:`~sitroom.errors.IngestError` (a clear message for
that input); anything else it raises is a bug. The extractor takes any text and returns mentions.
``max_examples`` is bounded so that the whole file runs in well under a minute.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitroom.errors import IngestError
from sitroom.extract import extract
from sitroom.ingest import ReadFailure, feeds, html, jsonl, read_stream, sniff_format, text
from sitroom.records import Document, Mention

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Words that steer the readers and the extractor into their interesting paths.
WORDS = [
    "drone",
    "strike",
    "killed",
    "injured",
    "wounded",
    "rocket",
    "missile",
    "shelling",
    "Kharkiv",
    "Baghdad",
    "Gaza",
    "Erbil",
    "on",
    "Monday",
    "February",
    "30",
    "1,000,000",
    "three",
    "people",
    "intercepted",
    "claimed",
    "Hezbollah",
    "Russian",
    "forces",
    "IED",
    "suicide",
    "bomber",
    "2024-02-30",
    "date",
    "title:",
    "\n",
    "\n\n",
    ".",
    ",",
    "(Reuters)",
    "-",
    "—",
    "غارة",
    "قتل",
    "удар",
    "погибли",
    "בליסטי",
    "پهپاد",
    "<p>",
    "</p>",
    "<div>",
    "&amp;",
    "{",
    "}",
]
newsish = st.lists(st.sampled_from(WORDS) | st.text(max_size=12), max_size=80).map(" ".join)
any_text = st.text(max_size=2000) | newsish
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
contract_object = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=20) | st.integers() | st.none() | st.floats(),
        "url": st.text(max_size=40) | st.none() | st.integers(),
        "language": st.sampled_from(["en", "ar", "ru", "xx", "", "EN-us", "zh"])
        | st.text(max_size=5)
        | st.none(),
        "published": st.sampled_from(
            ["2024-02-30", "2024-03-05", "2024-03-05T10:00:00+02:00", "", "9999-99-99"]
        )
        | st.text(max_size=30)
        | st.integers()
        | st.none(),
        "title": st.text(max_size=30) | st.none() | st.lists(st.integers()),
        "text": any_text | st.integers() | st.none(),
        "outlet": st.text(max_size=20) | st.none(),
    },
)


def _drain(items: object) -> None:
    for item in items:  # type: ignore[attr-defined]
        assert isinstance(item, Document | IngestError | ReadFailure)
        if isinstance(item, Document):
            assert isinstance(item.text, str) and item.text.strip()
        else:
            assert isinstance(item, IngestError | ReadFailure)


@SETTINGS
@given(st.lists(st.binary(max_size=200) | any_text.map(str.encode), max_size=10))
def test_jsonl_lines_never_crash(lines: list[bytes]) -> None:
    _drain(jsonl.documents_from_lines(enumerate(lines, start=1), origin="fuzz.jsonl"))


@SETTINGS
@given(st.lists(contract_object | json_value, max_size=5))
def test_jsonl_objects_never_crash(objects: list[object]) -> None:
    import json

    lines = [json.dumps(obj).encode() for obj in objects]
    _drain(jsonl.documents_from_lines(enumerate(lines, start=1), origin="fuzz.jsonl"))
    _drain(jsonl.documents_from_json(json.dumps(objects), origin="fuzz.json"))


@SETTINGS
@given(any_text)
def test_json_documents_never_crash(data: str) -> None:
    _drain(jsonl.documents_from_json(data, origin="fuzz.json"))
    jsonl.first_line_is_json(data)


@SETTINGS
@given(st.binary(max_size=3000) | any_text.map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_text_reader_never_crashes(data: bytes) -> None:
    decoded = text.decode_bytes(data)
    assert isinstance(decoded.text, str)
    try:
        doc = text.document_from_bytes(data, origin="fuzz.txt")
    except IngestError as err:
        assert err.message
    else:
        assert doc.text.strip()


@SETTINGS
@given(any_text)
def test_text_from_str_never_crashes(data: str) -> None:
    try:
        text.document_from_text(data, origin="fuzz.txt")
    except IngestError as err:
        assert err.message


html_fragments = st.lists(
    st.sampled_from(
        [
            "<html>",
            "<body>",
            "<div>",
            "</div>",
            "<p>",
            "</p>",
            "<script>",
            "</script>",
            "<!--",
            "-->",
            "<![CDATA[",
            "]]>",
            "<meta charset='x'>",
            "<title>",
            "</title>",
            "&#0;",
            "&#xFFFFFF;",
            "&bogus;",
            "<article>",
            "<time datetime='2024-02-30'>",
            "<a href='javascript:x'>",
            "<",
            ">",
            "\x00",
        ]
    )
    | newsish,
    max_size=60,
).map("".join)


@SETTINGS
@given(html_fragments | st.text(max_size=500))
def test_html_reader_never_crashes(markup: str) -> None:
    html.html_to_text(markup)
    try:
        doc = html.document_from_bytes(markup.encode("utf-8", "surrogatepass"), origin="fuzz.html")
    except IngestError as err:
        assert err.message
    else:
        assert doc.text.strip()


feed_fragments = st.lists(
    st.sampled_from(
        [
            '<?xml version="1.0"?>',
            "<rss>",
            "</rss>",
            "<channel>",
            "</channel>",
            "<item>",
            "</item>",
            "<title>",
            "</title>",
            "<description>",
            "</description>",
            "<pubDate>",
            "</pubDate>",
            "Tue, 30 Feb 2024 10:00:00 GMT",
            "<feed xmlns='http://www.w3.org/2005/Atom'>",
            "<entry>",
            "</entry>",
            "<link href='x'/>",
            "<![CDATA[",
            "]]>",
            "&",
            "<",
            "\x01",
        ]
    )
    | newsish,
    max_size=60,
).map("".join)


@SETTINGS
@given(feed_fragments.map(lambda s: s.encode("utf-8", "surrogatepass")) | st.binary(max_size=500))
def test_feed_reader_never_crashes(data: bytes) -> None:
    _drain(feeds.documents_from_bytes(data, origin="fuzz.xml"))


@SETTINGS
@given(any_text | html_fragments | feed_fragments)
def test_stream_reader_never_crashes(data: str) -> None:
    sniff_format(data)
    _drain(read_stream(io.StringIO(data), name="stdin"))


@SETTINGS
@given(
    any_text,
    st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)) | st.datetimes(),
    st.sampled_from(
        [None, "en", "ar", "ru", "uk", "fa", "he", "tr", "fr", "de", "es", "pt", "ckb", "is", "zh"]
    ),
)
def test_extract_never_crashes(data: str, published: date | datetime | None, language: str | None) -> None:
    mentions = extract(data, published=published, language=language)
    for m in mentions:
        assert isinstance(m, Mention)
        assert 0 <= m.start <= m.end <= len(data)
        assert m.fatalities is None or m.fatalities >= 0


def test_html_to_text_survives_broken_declarations() -> None:
    """Found by the atheris target: Python's HTMLParser raised AssertionError on "<![" and junk,
    which stopped a whole feed (item summaries go through html_to_text)."""
    assert "b" in html.html_to_text("<p>a</p><![\n\x7f\x7f\x00a<| b <script>x</script> c")
    feed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>Drone strike</title>'
        b"<description>&lt;![\n\x7fx&lt;| A drone strike killed three people in Kharkiv on Monday."
        b"</description></item></channel></rss>"
    )
    docs = [d for d in feeds.documents_from_bytes(feed, origin="t.xml") if isinstance(d, Document)]
    assert docs and "Kharkiv" in docs[0].text
