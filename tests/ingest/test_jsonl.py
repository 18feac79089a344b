"""JSON Lines and .json inputs: the contract's fields, broken lines, bad dates."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from sitroom.errors import IngestError
from sitroom.ingest import ReadFailure, ReadResult, read_paths
from sitroom.ingest.jsonl import document_from_object
from sitroom.records import Document


def write_lines(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def line(**fields: Any) -> str:
    return json.dumps(fields, ensure_ascii=False)


def read(path: Path) -> list[ReadResult]:
    return list(read_paths([path]))


def only_document(path: Path) -> Document:
    (result,) = read(path)
    assert isinstance(result, Document), result
    return result


def test_contract_line(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "docs.jsonl",
        line(
            id="S002",
            url="https://www.kurdnews.example/a/1",
            language="en",
            published="2024-07-17",
            title=None,
            text="A drone was shot down near the airport.",
        ),
    )
    report = only_document(path)
    assert report.id == "S002"
    assert report.url == "https://www.kurdnews.example/a/1"
    assert report.outlet == "kurdnews.example"  # derived from the URL, without "www."
    assert report.language == "en"
    assert report.published == datetime(2024, 7, 17)
    assert report.title is None
    assert report.origin == f"{path}:1"


def test_only_text_is_required(tmp_path: Path) -> None:
    report = only_document(write_lines(tmp_path / "d.jsonl", line(text="Shelling hit the village.")))
    assert report.id.startswith("sha1:")
    assert (report.url, report.published, report.language, report.outlet) == (None, None, None, None)


def test_text_is_kept_exactly(tmp_path: Path) -> None:
    text = "  Rockets hit the base.\r\nNo one was hurt.  "
    assert only_document(write_lines(tmp_path / "d.jsonl", line(text=text))).text == text


@pytest.mark.parametrize(("given", "expected"), [(17, "17"), (17.0, "17"), (2.5, "2.5"), (" X1 ", "X1")])
def test_ids_become_strings(tmp_path: Path, given: object, expected: str) -> None:
    assert only_document(write_lines(tmp_path / "d.jsonl", line(id=given, text="Text."))).id == expected


def test_explicit_outlet_wins(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "d.jsonl", line(text="T.", url="https://www.a.example/x", outlet="Agency A")
    )
    assert only_document(path).outlet == "Agency A"


def test_language_hint_is_normalized(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "d.jsonl", line(text="Texte.", language="fr-FR"))
    assert only_document(path).language == "fr"


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("2024-07-17T10:00:00+03:00", datetime(2024, 7, 17, 7, 0)),
        ("2024-07-17T10:00:00Z", datetime(2024, 7, 17, 10, 0)),
        ("2024-07-17 10:00", datetime(2024, 7, 17, 10, 0)),
        ("2024-07-17T23:30:00-02:00", datetime(2024, 7, 18, 1, 30)),
        (None, None),
        ("", None),
    ],
)
def test_published(tmp_path: Path, published: str | None, expected: datetime | None) -> None:
    path = write_lines(tmp_path / "d.jsonl", line(text="T.", published=published))
    assert only_document(path).published == expected


@pytest.mark.parametrize(
    "bad", ["yesterday", "2024-13-45", "17/07/2024 maybe", 20240717, ["2024"], "0001-01-01"]
)
def test_bad_date_does_not_fail_the_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, bad: object
) -> None:
    path = write_lines(tmp_path / "d.jsonl", line(id="a", text="Mortars hit the camp.", published=bad))
    with caplog.at_level(logging.WARNING, logger="sitroom.ingest"):
        report = only_document(path)
    assert report.id == "a"
    assert report.published is None
    assert f"{path}:1" in caplog.text  # the fallback is visible, with its line


def test_broken_lines_are_reported_with_line_numbers(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "mixed.jsonl",
        line(id="ok-1", text="First report."),
        "",
        '{"id": "cut", "text": "unterminated',
        "[1, 2]",
        line(id="no-text", body="The text is under another key."),
        line(id="num", text=42),
        line(id="blank", text="   "),
        '"just a string"',
        line(id="bad-id", text="T.").replace('"bad-id"', "[1]"),
        "   ",
        line(id="ok-2", text="Last report."),
    )
    results = read(path)
    documents = [r for r in results if isinstance(r, Document)]
    failures = {r.source: r.reason for r in results if isinstance(r, ReadFailure)}
    assert [d.id for d in documents] == ["ok-1", "ok-2"]
    assert set(failures) == {f"{path}:{n}" for n in (3, 4, 5, 6, 7, 8, 9)}
    assert "invalid JSON" in failures[f"{path}:3"]
    assert "got a list" in failures[f"{path}:4"]
    assert 'no "text" field' in failures[f"{path}:5"] and '"body"' in failures[f"{path}:5"]
    assert "must be a string" in failures[f"{path}:6"]
    assert "empty" in failures[f"{path}:7"]
    assert "got a string" in failures[f"{path}:8"]
    assert '"id" must be a string or a number' in failures[f"{path}:9"]
    assert documents[1].origin == f"{path}:11"


def test_empty_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "none.jsonl"
    path.write_text("\n\n  \n", encoding="utf-8")
    assert read(path) == [ReadFailure(str(path), "empty file")]


def test_invalid_utf8_line_is_decoded_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "legacy.jsonl"
    text = "Un drone a frappé le dépôt près de l'aéroport, selon les autorités locales."
    path.write_bytes(line(id="x", text=text).encode("cp1252") + b"\n")
    with caplog.at_level(logging.WARNING, logger="sitroom.ingest"):
        report = only_document(path)
    assert report.text == text
    assert "not valid UTF-8" in caplog.text


def test_ndjson_extension(tmp_path: Path) -> None:
    assert only_document(write_lines(tmp_path / "d.ndjson", line(id=1, text="T."))).id == "1"


# ----------------------------------------------------------------------------------- .json


def test_json_single_object(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"id": "j1", "text": "Pretty\nprinted."}, indent=2), encoding="utf-8")
    assert only_document(path).id == "j1"


def test_json_list_of_objects(tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    path.write_text(json.dumps([{"id": "a", "text": "A."}, {"id": "b"}, {"id": "c", "text": "C."}]), "utf-8")
    results = read(path)
    assert [r.id for r in results if isinstance(r, Document)] == ["a", "c"]
    assert [r.source for r in results if isinstance(r, ReadFailure)] == [f"{path}#2"]


def test_json_holding_json_lines(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "lines.json", line(id="a", text="A."), "oops", line(id="b", text="B."))
    results = read(path)
    assert [r.id for r in results if isinstance(r, Document)] == ["a", "b"]
    assert [r.source for r in results if isinstance(r, ReadFailure)] == [f"{path}:2"]


def test_broken_json_is_one_failure(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "id": "a",\n  "text": "A.",\n', encoding="utf-8")
    (failure,) = read(path)
    assert isinstance(failure, ReadFailure)
    assert failure.source == str(path)
    assert "invalid JSON at line" in failure.reason


def test_empty_json_list(tmp_path: Path) -> None:
    path = tmp_path / "nothing.json"
    path.write_text("[]", encoding="utf-8")
    assert read(path) == [ReadFailure(str(path), "the JSON list is empty")]


def test_document_from_object_raises_ingest_error() -> None:
    with pytest.raises(IngestError) as info:
        document_from_object({"id": True, "text": "T."}, source="x:1")
    assert info.value.source == "x:1"
