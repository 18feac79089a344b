"""Plain-text reports: header lines, datelines, titles, encodings, binary and empty files."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import pytest

from sitroom.errors import IngestError
from sitroom.ingest import ReadFailure, read_paths
from sitroom.ingest.text import binary_reason, decode_bytes, document_from_bytes, document_from_text
from sitroom.records import Document

BODY = "Two rockets struck a supply depot on the edge of the city late on Friday, officials said."


def read_one(path: Path) -> Document | ReadFailure:
    results = list(read_paths([path]))
    assert len(results) == 1
    return results[0]


def doc(raw: str) -> Document:
    return document_from_text(raw, origin="test.txt")


# ------------------------------------------------------------------------------ date header


@pytest.mark.parametrize(
    "first_line",
    ["date 2021-06-05", " date 2021-06-05 ", "Date: 2021-06-05", "DATE=2021-06-05", "published: 2021-06-05"],
)
def test_date_header_gives_the_date_and_is_removed(first_line: str) -> None:
    report = doc(f"{first_line}\n\n{BODY}\n")
    assert report.published == datetime(2021, 6, 5)
    assert report.text == BODY
    assert "2021-06-05" not in report.text


def test_date_header_with_offset_becomes_naive_utc() -> None:
    report = doc(f"published: 2021-06-05T01:30:00+03:00\n{BODY}")
    assert report.published == datetime(2021, 6, 4, 22, 30)


def test_date_header_in_words() -> None:
    assert doc(f"Date: 5 June 2021\n\n{BODY}").published == datetime(2021, 6, 5)


def test_sentence_starting_with_date_is_not_a_header() -> None:
    raw = "Date palms burned after shells hit a farm near the river.\n\nThe farmers fled."
    report = doc(raw)
    assert report.published is None
    assert report.text.startswith("Date palms burned")


def test_unusable_date_header_is_kept_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="sitroom.ingest"):
        report = doc(f"Date: sometime last spring\n\n{BODY}")
    assert report.published is None
    assert report.text.startswith("Date: sometime last spring")
    assert "not a full date" in caplog.text


def test_title_header_is_kept_as_first_line() -> None:
    report = doc(f"date 2021-06-05\ntitle: Rockets hit supply depot\n\n{BODY}")
    assert report.title == "Rockets hit supply depot"
    assert report.published == datetime(2021, 6, 5)
    assert report.text == f"Rockets hit supply depot\n\n{BODY}"


def test_headers_in_either_order() -> None:
    report = doc(f"Title: Depot hit\nDate: 2021-06-05\n\n{BODY}")
    assert (report.title, report.published) == ("Depot hit", datetime(2021, 6, 5))


# ------------------------------------------------------------------------------- datelines


@pytest.mark.parametrize(
    ("first_line", "expected"),
    [
        ("BAGHDAD, June 7, 2021 (Reuters) - Two rockets hit the airport road.", datetime(2021, 6, 7)),
        ("June 7, 2021 — Two drones were shot down over the base.", datetime(2021, 6, 7)),
        ("KIRKUK, Iraq, Dec. 3, 2023 (AP) -- A roadside bomb hit a patrol.", datetime(2023, 12, 3)),
        ("7 June 2021", datetime(2021, 6, 7)),
        ("Monday, 7 June 2021", datetime(2021, 6, 7)),
        ("PARIS, 5 juin 2021 (AFP) - Un drone a été abattu près de la base.", datetime(2021, 6, 5)),
    ],
)
def test_dateline_with_full_date(first_line: str, expected: datetime) -> None:
    report = doc(f"{first_line}\n\n{BODY}")
    assert report.published == expected
    assert report.text.startswith(first_line)  # a dateline stays in the text


@pytest.mark.parametrize(
    "first_line",
    [
        "BAGHDAD, June 7 (Reuters) - Two rockets hit the airport road.",  # no year
        "On 7 June 2021, gunmen attacked a checkpoint north of the city.",  # an event date
        "Rockets hit the airport road in 2021 - officials gave no details.",  # no day
    ],
)
def test_no_dateline_means_unknown_date(first_line: str) -> None:
    assert doc(f"{first_line}\n\n{BODY}").published is None


def test_dateline_after_title() -> None:
    report = doc(f"Patrol hit by roadside bomb\n\nKIRKUK, Dec. 3, 2023 (AP) - {BODY}")
    assert report.title == "Patrol hit by roadside bomb"
    assert report.published == datetime(2023, 12, 3)


def test_date_only_line_then_title() -> None:
    report = doc(f"7 June 2021\n\nDrones downed over base\n\n{BODY}")
    assert report.published == datetime(2021, 6, 7)
    assert report.title == "Drones downed over base"


def test_header_date_wins_over_dateline() -> None:
    report = doc(f"date 2021-06-05\nBAGHDAD, June 7, 2021 (Reuters) - {BODY}")
    assert report.published == datetime(2021, 6, 5)


def test_no_date_is_none_not_mtime(tmp_path: Path) -> None:
    path = tmp_path / "undated.txt"
    path.write_text(BODY, encoding="utf-8")
    report = read_one(path)
    assert isinstance(report, Document)
    assert report.published is None


# ---------------------------------------------------------------------------------- titles


def test_short_first_line_before_blank_is_title_and_stays_in_text() -> None:
    report = doc(f"Rockets hit supply depot\n\n{BODY}")
    assert report.title == "Rockets hit supply depot"
    assert report.text.startswith("Rockets hit supply depot\n\n")


@pytest.mark.parametrize(
    "raw",
    [
        BODY,  # one line only
        f"{BODY}\n\nSecond paragraph.",  # ends with a period: a sentence
        "Rockets hit supply depot\nThe second line follows at once.",  # no blank line after it
        f"{'Very long first line ' * 10}\n\n{BODY}",
    ],
)
def test_no_title(raw: str) -> None:
    assert doc(raw).title is None


def test_newlines_and_bom_are_normalized() -> None:
    report = doc("\ufeffDepot hit\r\n\r\nFirst line.\r\nSecond line.\r\n")
    assert report.text == "Depot hit\n\nFirst line.\nSecond line."
    assert report.title == "Depot hit"


def test_header_only_file_fails() -> None:
    with pytest.raises(IngestError, match="no text after the header"):
        doc("date 2021-06-05\n\n")


# ------------------------------------------------------------------------------- encodings


def test_utf8_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffDróni skotinn niður nálægt herstöðinni.".encode())
    report = read_one(path)
    assert isinstance(report, Document)
    assert report.text == "Dróni skotinn niður nálægt herstöðinni."


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes("Удар по складу у аэропорта.".encode("utf-16"))
    report = read_one(path)
    assert isinstance(report, Document)
    assert report.text == "Удар по складу у аэропорта."


def test_cp1252_fallback_is_decoded_and_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    french = "Un drone a frappé un dépôt près de l'aéroport mardi soir — aucun blessé, selon les autorités."
    path = tmp_path / "latin.txt"
    path.write_bytes(french.encode("cp1252"))
    with caplog.at_level(logging.WARNING, logger="sitroom.ingest"):
        report = read_one(path)
    assert isinstance(report, Document)
    assert report.text == french
    assert "not valid UTF-8" in caplog.text
    assert "cp1252" in caplog.text


def test_short_cp1252_text() -> None:
    decoded = decode_bytes("Café déjà vu".encode("cp1252"))
    assert decoded.text == "Café déjà vu"
    assert decoded.encoding == "cp1252"
    assert decoded.note is not None


def test_windows_1256_arabic(tmp_path: Path) -> None:
    arabic = (
        "قال مسؤولون إن طائرة مسيرة استهدفت مستودعا للوقود قرب المطار مساء الثلاثاء.\n"
        "ولم تعلن أي جهة مسؤوليتها."
    )
    path = tmp_path / "arabic.txt"
    path.write_bytes(arabic.encode("cp1256"))
    report = read_one(path)
    assert isinstance(report, Document)
    assert report.text == arabic


def test_windows_1254_turkish() -> None:
    turkish = "Saldırı gece yarısı gerçekleşti ve iki kişi yaralandı."
    assert decode_bytes(turkish.encode("cp1254")).text == turkish


def test_undecodable_bytes_never_crash() -> None:
    data = bytes(range(0x80, 0x100)) * 3
    decoded = decode_bytes(data)
    assert decoded.note is not None
    assert decoded.text


def test_utf8_is_not_a_fallback() -> None:
    decoded = decode_bytes("Ракета упала".encode())
    assert (decoded.encoding, decoded.note) == ("utf-8", None)


# ------------------------------------------------------------------------- binary and empty


def test_binary_file_with_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(b"Rockets\x00\x01\x02 hit")
    report = read_one(path)
    assert isinstance(report, ReadFailure)
    assert report.source == str(path)
    assert "binary" in report.reason


def test_pdf_is_named() -> None:
    reason = binary_reason(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    assert reason is not None
    assert "PDF" in reason and "pdftotext" in reason


@pytest.mark.parametrize("content", [b"", b"   \n\n\t\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert read_one(path) == ReadFailure(str(path), "empty file")


def test_document_from_bytes_raises_for_binary() -> None:
    with pytest.raises(IngestError, match="binary"):
        document_from_bytes(b"\x00\x00\x00", origin="x")


# ------------------------------------------------------------------------------------- ids


def test_id_is_derived_from_content_and_stable(tmp_path: Path) -> None:
    first = tmp_path / "a.txt"
    second = tmp_path / "copy.txt"
    first.write_text(f"date 2021-06-05\n\n{BODY}", encoding="utf-8")
    second.write_text(f"date 2021-06-05\n\n{BODY}", encoding="utf-8")
    one, again, copy = read_one(first), read_one(first), read_one(second)
    assert isinstance(one, Document) and isinstance(again, Document) and isinstance(copy, Document)
    assert one.id.startswith("sha1:")
    assert one.id == again.id == copy.id
    assert one.origin == str(first)


LEGACY_PARAGRAPHS = [
    (
        "Eine Drohne hat am Dienstagabend ein Treibstofflager in der Nähe des Flughafens getroffen. "
        "Verletzt wurde nach Angaben der Behörden niemand, der Sachschaden ist jedoch groß.",
        "cp1252",
    ),
    (
        "Dróni hæfði eldsneytisgeymslu nálægt flugvellinum seint á þriðjudagskvöld. "
        "Enginn særðist að sögn yfirvalda en tjónið er talsvert.",
        "cp1252",
    ),
    (
        "Salı akşamı bir insansız hava aracı havalimanı yakınındaki yakıt deposunu vurdu. "
        "Yetkililere göre yaralanan olmadı ancak maddi hasar büyük.",
        "cp1254",
    ),
    (
        "Во вторник вечером беспилотник атаковал топливный склад возле аэропорта. "
        "По словам властей, пострадавших нет, но ущерб значительный.",
        "cp1251",
    ),
    (
        "У вівторок увечері безпілотник атакував паливний склад біля аеропорту. "
        "За словами влади, постраждалих немає, але збитки значні.",
        "cp1251",
    ),
    ("ביום שלישי בערב פגע כטב״ם במחסן דלק סמוך לשדה התעופה. לדברי הרשויות לא היו נפגעים.", "cp1255"),
    (
        "شامگاه سه شنبه يك پهپاد به انبار سوخت نزديك فرودگاه حمله كرد. به گفته مقامات كسي زخمي نشد.",
        "cp1256",
    ),
]


@pytest.mark.parametrize(("paragraph", "encoding"), LEGACY_PARAGRAPHS)
def test_legacy_encodings_of_a_paragraph(paragraph: str, encoding: str) -> None:
    decoded = decode_bytes(paragraph.encode(encoding))
    assert decoded.text == paragraph
    assert decoded.encoding == encoding


def test_utf8_with_one_bad_byte_stays_utf8() -> None:
    good = "Un drone a frappé un dépôt près de l'aéroport mardi soir. Selon les autorités, aucun blessé."
    data = good.encode()[:20] + b"\xff" + good.encode()[20:]
    decoded = decode_bytes(data)
    assert decoded.encoding == "utf-8"
    assert decoded.text.replace("\ufffd", "") == good
    assert decoded.note is not None and "1 undecodable byte" in decoded.note
