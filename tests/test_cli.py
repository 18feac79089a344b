"""The ``sitroom`` command, run in-process with Typer's CliRunner on a temporary database.

The input folder holds ``tests/fixtures/reports`` (a .txt report and a .jsonl file with one
broken line) plus an empty file written at test time. Together they report four attacks:
a drone strike on Kharkiv told by two documents, a roadside bomb in Kirkuk, an air strike on
Nabatieh and rockets on Erbil airport.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from sitroom import cli
from sitroom.cli import app
from sitroom.records import Event
from sitroom.store import open_store

FIXTURES = Path(__file__).parent / "fixtures" / "reports"

#: CONTRACT.md's output fields, in its order.
CONTRACT_FIELDS = [
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
]
MENTION_FIELDS = {"doc_id", "role", "evidence", "start", "end"}
#: The columns of an ACLED export (ACLED codebook), in their order.
ACLED_HEADER = [
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
]

# A wide console when the tests run on a terminal (pytest -s); under capture the CLI uses 140 columns.
runner = CliRunner(env={"COLUMNS": "200"})


def invoke(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return runner.invoke(app, list(args), env=env)


def flat(text: str) -> str:
    """Output with every run of whitespace made one space (rich wraps long lines)."""
    return " ".join(text.split())


def unwrapped(text: str) -> str:
    """Output with rich's line breaks removed (a long path may be folded over two lines)."""
    return text.replace("\n", "")


def summary_counts(output: str) -> dict[str, int]:
    """The counts of the ingest summary line (read, new, duplicate, ... created, updated)."""
    found = {}
    for key, pattern in {
        "read": r"read (\d+)",
        "new": r"new (\d+)",
        "duplicate": r"duplicate (\d+)",
        "changed": r"changed (\d+)",
        "failed": r"failed (\d+)",
        "mentions": r"mentions (\d+)",
        "created": r"created (\d+)",
        "updated": r"updated (\d+)",
    }.items():
        match = re.search(pattern, output)
        assert match, f"no {key!r} count in {output!r}"
        found[key] = int(match.group(1))
    return found


def make_input_folder(root: Path) -> Path:
    folder = root / "reports"
    shutil.copytree(FIXTURES, folder)
    (folder / "empty.txt").write_bytes(b"")
    return folder


@dataclass
class Ingested:
    db: Path
    folder: Path
    result: Result
    kharkiv: Event
    kirkuk: Event
    nabatieh: Event
    erbil: Event

    @property
    def ids(self) -> set[str]:
        return {self.kharkiv.id, self.kirkuk.id, self.nabatieh.id, self.erbil.id}


def _events_by_doc(db: Path) -> dict[str, Event]:
    store = open_store(db)
    store.open()
    try:
        return {doc_id: e for e in store.iter_events() for doc_id in e.doc_ids}
    finally:
        store.close()


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Ingested:
    """The fixture folder ingested once; tests that only read share it."""
    root = tmp_path_factory.mktemp("cli")
    folder = make_input_folder(root)
    db = root / "sitroom.db"
    result = invoke("--db", str(db), "ingest", str(folder))
    by_doc = _events_by_doc(db)
    return Ingested(
        db=db,
        folder=folder,
        result=result,
        kharkiv=by_doc["wire-kharkiv"],
        kirkuk=by_doc["wire-kirkuk"],
        nabatieh=by_doc["wire-nabatieh"],
        erbil=by_doc["wire-erbil"],
    )


def events_listed(db: Path, *options: str) -> tuple[Result, str]:
    result = invoke("--db", str(db), "events", *options)
    assert result.exit_code == 0, result.output
    return result, result.stdout


# ----------------------------------------------------------------------------------- ingest


def test_ingest_folder_exits_zero_and_prints_the_summary(ingested: Ingested) -> None:
    result = ingested.result
    assert result.exit_code == 0, result.output
    counts = summary_counts(result.stdout)
    # kharkiv_drone.txt + four good jsonl lines are new; the broken line and the empty file failed
    assert counts["new"] == 5
    assert counts["failed"] == 2
    assert counts["read"] == 7
    assert counts["duplicate"] == 0
    assert counts["mentions"] == 5
    assert counts["created"] == 4
    assert counts["updated"] == 1


def test_ingest_reports_the_broken_line_with_path_and_line_number(ingested: Ingested) -> None:
    stderr = unwrapped(ingested.result.stderr)
    assert f"{ingested.folder / 'wire.jsonl'}:2" in stderr
    assert "invalid JSON" in stderr
    assert str(ingested.folder / "empty.txt") in stderr
    assert "empty" in stderr


def test_ingest_reports_each_failure_once(ingested: Ingested) -> None:
    stderr = unwrapped(ingested.result.stderr)
    assert stderr.count(f"{ingested.folder / 'wire.jsonl'}:2") == 1
    assert stderr.count(str(ingested.folder / "empty.txt")) == 1


def test_ingest_stores_the_two_kharkiv_reports_as_one_event(ingested: Ingested) -> None:
    kharkiv = ingested.kharkiv
    assert len(kharkiv.doc_ids) == 2
    assert "wire-kharkiv" in kharkiv.doc_ids
    assert (kharkiv.fatalities, kharkiv.fatalities_max) == (3, 5)
    assert len(ingested.ids) == 4


def test_ingesting_the_same_folder_again_changes_nothing(tmp_path: Path) -> None:
    folder = make_input_folder(tmp_path)
    db = tmp_path / "again.db"
    first = invoke("--db", str(db), "ingest", str(folder))
    assert first.exit_code == 0, first.output
    ids = set(
        _events_by_doc(db)[d].id for d in ("wire-kharkiv", "wire-kirkuk", "wire-nabatieh", "wire-erbil")
    )

    second = invoke("--db", str(db), "ingest", str(folder))
    assert second.exit_code == 0, second.output
    counts = summary_counts(second.stdout)
    assert counts["duplicate"] == 5
    assert counts["new"] == 0
    assert counts["created"] == 0
    assert counts["updated"] == 0
    assert {e.id for e in _events_by_doc(db).values()} == ids


def test_ingest_creates_the_database_file_given_by_db(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    assert not db.exists()
    result = invoke("--db", str(db), "ingest", str(FIXTURES / "kharkiv_drone.txt"))
    assert result.exit_code == 0, result.output
    assert db.exists()
    assert summary_counts(result.stdout)["created"] == 1


def test_ingest_of_a_missing_path_does_not_crash(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.jsonl"
    result = invoke("--db", str(tmp_path / "x.db"), "ingest", str(missing))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert str(missing) in unwrapped(result.stderr)
    assert summary_counts(result.stdout)["failed"] == 1


# ----------------------------------------------------------------------------------- events


def test_events_lists_every_event(ingested: Ingested) -> None:
    _, out = events_listed(ingested.db)
    for event_id in ingested.ids:
        assert event_id in out
    assert "Kharkiv" in out
    assert "Kirkuk" in out


def test_events_newest_first(ingested: Ingested) -> None:
    _, out = events_listed(ingested.db)
    order = [out.index(e.id) for e in (ingested.nabatieh, ingested.kharkiv, ingested.kirkuk, ingested.erbil)]
    assert order == sorted(order)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (("--country", "Iraq"), {"kirkuk", "erbil"}),
        (("--country", "ua"), {"kharkiv"}),
        (("--type", "Remote explosive/landmine/IED"), {"kirkuk"}),
        (("--type", "air/drone strike"), {"kharkiv", "nabatieh"}),
        (("--type", "Explosions/Remote violence"), {"kharkiv", "kirkuk", "nabatieh", "erbil"}),
        (("--since", "2024-05-01", "--until", "2024-06-30"), {"kharkiv"}),
        (("--since", "2024-03-01"), {"kharkiv", "kirkuk", "nabatieh"}),
        (("--until", "2024-03-03"), {"kirkuk", "erbil"}),
        (("--near", "49.99,36.23", "--km", "30"), {"kharkiv"}),
        (("--near", "36.19,44.01", "--km", "20"), {"erbil"}),
        (("--near", "36.19,44.01", "--km", "150"), {"erbil", "kirkuk"}),
        (("--text", "convoy"), {"kirkuk"}),
        (("--text", "rubble"), {"kharkiv"}),
        (("--country", "Iraq", "--type", "Shelling/artillery/missile attack"), {"erbil"}),
    ],
)
def test_events_filters_narrow_the_list(
    ingested: Ingested, options: tuple[str, ...], expected: set[str]
) -> None:
    _, out = events_listed(ingested.db, *options)
    listed = {
        name for name in ("kharkiv", "kirkuk", "nabatieh", "erbil") if getattr(ingested, name).id in out
    }
    assert listed == expected
    assert f"{len(expected)} of {len(expected)} events" in flat(out)


def test_events_limit_shows_the_total(ingested: Ingested) -> None:
    _, out = events_listed(ingested.db, "--limit", "2")
    listed = [e for e in ingested.ids if e in out]
    assert len(listed) == 2
    assert "2 of 4 events" in flat(out)


def test_events_with_no_match_says_so(ingested: Ingested) -> None:
    _, out = events_listed(ingested.db, "--country", "Chile")
    assert "No events match" in out
    assert not any(e in out for e in ingested.ids)


@pytest.mark.parametrize("near", ["abc", "49.9", "49.9;36.2", "1,2,3", "north,east"])
def test_events_rejects_a_malformed_near_value(ingested: Ingested, near: str) -> None:
    result = invoke("--db", str(ingested.db), "events", "--near", near)
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), f"crashed with {result.exception!r}"
    assert "--near" in result.stderr
    assert "LAT,LON" in result.stderr


@pytest.mark.parametrize(
    ("options", "word"),
    [(("--near", "100,200"), "latitude"), (("--near", "49.99,36.23", "--km", "-5"), "km")],
    ids=["near-out-of-range", "negative-km"],
)
def test_events_rejects_an_out_of_range_near_value_with_a_clear_error(
    ingested: Ingested, options: tuple[str, ...], word: str
) -> None:
    result = invoke("--db", str(ingested.db), "events", *options)
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), f"crashed with {result.exception!r}"
    assert word in result.stderr


def test_events_rejects_a_malformed_date(ingested: Ingested) -> None:
    result = invoke("--db", str(ingested.db), "events", "--since", "14/05/2024")
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), f"crashed with {result.exception!r}"
    assert "YYYY-MM-DD" in result.stderr


def test_events_rejects_since_after_until_with_a_clear_error(ingested: Ingested) -> None:
    result = invoke("--db", str(ingested.db), "events", "--since", "2024-06-01", "--until", "2024-05-01")
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), f"crashed with {result.exception!r}"
    assert "since" in result.stderr


# ------------------------------------------------------------------------------------- show


def test_show_prints_the_evidence_and_the_document_titles(ingested: Ingested) -> None:
    result = invoke("--db", str(ingested.db), "show", ingested.kharkiv.id)
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert ingested.kharkiv.id in out
    # both reports: their titles and their evidence sentences
    assert "Drone strike on Kharkiv apartment block kills three" in out
    assert "Kharkiv governor says drone attack on housing block killed five" in out
    assert "A Russian drone struck an apartment building in Kharkiv on Tuesday" in out
    assert "Five civilians were killed when a Russian drone hit a residential block in Kharkiv" in out
    assert "wire-kharkiv" in out
    assert "https://example.org/2024/05/15/kharkiv" in out
    # the range of figures is explained
    assert "3 to 5" in out


def test_show_an_unknown_id_fails_cleanly(ingested: Ingested) -> None:
    result = invoke("--db", str(ingested.db), "show", "ev-doesnotexist")
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), f"crashed with {result.exception!r}"
    assert "ev-doesnotexist" in result.stderr


# ----------------------------------------------------------------------------------- export


def export_to(ingested: Ingested, fmt: str, path: Path) -> Result:
    result = invoke("--db", str(ingested.db), "export", "--format", fmt, "-o", str(path))
    assert result.exit_code == 0, result.output
    assert path.exists()
    return result


def test_export_jsonl_follows_the_contract(ingested: Ingested, tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    export_to(ingested, "jsonl", path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4
    records = [json.loads(line) for line in lines]
    texts = {
        json.loads(line)["id"]: json.loads(line)["text"]
        for line in (FIXTURES / "wire.jsonl").read_text(encoding="utf-8").splitlines()
        if line.endswith("}")
    }
    for rec in records:
        assert set(CONTRACT_FIELDS) <= set(rec), set(CONTRACT_FIELDS) - set(rec)
        assert list(rec)[: len(CONTRACT_FIELDS)] == CONTRACT_FIELDS
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", rec["event_date"])
        assert rec["date_precision"] in ("day", "week", "month", "year")
        assert rec["geo_precision"] in ("site", "town", "admin1", "country")
        assert isinstance(rec["latitude"], float) and isinstance(rec["longitude"], float)
        assert rec["fatalities"] is None or isinstance(rec["fatalities"], int)
        assert rec["mentions"], "every event has at least one mention"
        for m in rec["mentions"]:
            assert set(m) == MENTION_FIELDS
            assert m["role"] in ("main", "background")
            if m["doc_id"] in texts:  # the caller's id is kept, and offsets point into its text
                assert texts[m["doc_id"]][m["start"] : m["end"]] == m["evidence"]
    by_id = {rec["id"]: rec for rec in records}
    assert set(by_id) == ingested.ids
    kharkiv = by_id[ingested.kharkiv.id]
    assert kharkiv["country"] == "Ukraine"
    assert kharkiv["event_date"] == "2024-05-14"
    assert kharkiv["fatalities"] == 3
    assert len(kharkiv["mentions"]) == 2
    assert by_id[ingested.kirkuk.id]["country"] == "Iraq"


def test_export_csv_has_one_row_per_event(ingested: Ingested, tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    export_to(ingested, "csv", path)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["id"] for r in rows} == ingested.ids
    kharkiv = next(r for r in rows if r["id"] == ingested.kharkiv.id)
    assert kharkiv["country"] == "Ukraine"
    assert kharkiv["fatalities"] == "3"
    assert "wire-kharkiv" in kharkiv["doc_ids"]


def test_export_acled_csv_has_acled_header(ingested: Ingested, tmp_path: Path) -> None:
    path = tmp_path / "acled.csv"
    export_to(ingested, "acled-csv", path)
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = [dict(zip(header, row, strict=True)) for row in reader]
    assert header == ACLED_HEADER
    assert len(rows) == 4
    iraq = [r for r in rows if r["country"] == "Iraq"]
    assert len(iraq) == 2
    assert all(r["iso"] == "368" for r in iraq)
    for r in rows:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["event_date"])
        assert r["year"] == "2024"
        assert r["time_precision"] in ("1", "2", "3")
        assert r["fatalities"].isdigit()


def test_export_geojson_is_a_feature_collection(ingested: Ingested, tmp_path: Path) -> None:
    path = tmp_path / "events.geojson"
    export_to(ingested, "geojson", path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    features = data["features"]
    assert len(features) == 4
    for f in features:
        assert f["type"] == "Feature"
        assert f["geometry"]["type"] == "Point"
        lon, lat = f["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
    kharkiv = next(f for f in features if f["properties"]["id"] == ingested.kharkiv.id)
    lon, lat = kharkiv["geometry"]["coordinates"]
    assert abs(lat - 50.0) < 0.3 and abs(lon - 36.25) < 0.3, "GeoJSON points are [lon, lat]"


def test_export_to_standard_output(ingested: Ingested) -> None:
    result = invoke("--db", str(ingested.db), "export", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    ids = {json.loads(line)["id"] for line in result.stdout.splitlines() if line.strip()}
    assert ids == ingested.ids


def test_export_rejects_an_unknown_format(ingested: Ingested, tmp_path: Path) -> None:
    path = tmp_path / "events.xlsx"
    result = invoke("--db", str(ingested.db), "export", "--format", "xlsx", "-o", str(path))
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), f"crashed with {result.exception!r}"
    assert "jsonl" in result.stderr
    assert not path.exists()


# ------------------------------------------------------------------------------------ stats


def test_stats_prints_counts(ingested: Ingested) -> None:
    result = invoke("--db", str(ingested.db), "stats")
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert re.search(r"documents 5\b", out)
    assert re.search(r"events 4\b", out)
    assert re.search(r"mentions 5\b", out)
    assert "Iraq" in out and "Ukraine" in out and "Lebanon" in out


@pytest.mark.parametrize("by", ["day", "month"])
def test_stats_by_period(ingested: Ingested, by: str) -> None:
    result = invoke("--db", str(ingested.db), "stats", "--by", by)
    assert result.exit_code == 0, result.output
    expected = "2024-05-14" if by == "day" else "2024-05"
    assert expected in result.stdout


def test_stats_rejects_an_unknown_period(ingested: Ingested) -> None:
    result = invoke("--db", str(ingested.db), "stats", "--by", "fortnight")
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), f"crashed with {result.exception!r}"


# ------------------------------------------------------------------------------------- help


COMMANDS = ["ingest", "events", "show", "export", "stats"]


def test_root_help_lists_every_command() -> None:
    result = invoke("--help")
    assert result.exit_code == 0, result.output
    for name in COMMANDS:
        assert name in result.stdout
    assert "--db" in result.stdout


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_help_explains_it(name: str) -> None:
    result = invoke(name, "--help")
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    doc = getattr(cli, name).__doc__
    assert doc and doc.strip(), f"{name} has no docstring"
    assert flat(doc).split(".")[0] in out
    assert "Usage:" in out


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("events", ["--since", "--until", "--country", "--type", "--near", "--km", "--text", "--limit"]),
        ("export", ["--format", "--output", "acled-csv", "geojson"]),
        ("ingest", ["--quiet"]),
        ("stats", ["--by"]),
    ],
)
def test_command_help_describes_its_options(name: str, options: list[str]) -> None:
    result = invoke(name, "--help")
    for option in options:
        assert option in result.stdout, f"{name} --help does not mention {option}"


# ------------------------------------------------------------------------------- SITROOM_DB


def test_sitroom_db_is_used_when_db_is_absent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the default ./sitroom.db would land here
    db = tmp_path / "from_env.db"
    result = invoke("ingest", str(FIXTURES / "kharkiv_drone.txt"), env={"SITROOM_DB": str(db)})
    assert result.exit_code == 0, result.output
    assert db.exists()
    assert not (tmp_path / "sitroom.db").exists()

    listed = invoke("events", env={"SITROOM_DB": str(db)})
    assert listed.exit_code == 0, listed.output
    (event,) = {e.id: e for e in _events_by_doc(db).values()}.values()
    assert event.id in listed.stdout


def test_db_option_wins_over_sitroom_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    env_db, option_db = tmp_path / "env.db", tmp_path / "option.db"
    result = invoke(
        "--db", str(option_db), "ingest", str(FIXTURES / "kharkiv_drone.txt"), env={"SITROOM_DB": str(env_db)}
    )
    assert result.exit_code == 0, result.output
    assert option_db.exists()
    assert not env_db.exists()


def test_an_earlier_db_option_does_not_leak_into_the_next_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ingested: Ingested
) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke("--db", str(ingested.db), "stats").exit_code == 0
    empty_db = tmp_path / "empty.db"
    result = invoke("events", env={"SITROOM_DB": str(empty_db)})
    assert result.exit_code == 0, result.output
    assert "No events match" in result.stdout
    assert not any(e in result.stdout for e in ingested.ids)
