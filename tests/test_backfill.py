"""``sitroom backfill``: the per-document stages on a Dask cluster, the same database as one process.

A ``LocalCluster`` of two worker processes (started once for the module) reads a JSON Lines
file of reports written for these tests: eight attacks, most told by several outlets in
English, French, German, Spanish or Russian, plus unrelated news, a verbatim wire copy, a
repeated line, a corrected report and a broken line. What the backfill stores must equal what
a single-process ``Pipeline.ingest`` stores from the same file: documents, events (ids and
every field), mentions, copy links and row counts.
"""

from __future__ import annotations

import concurrent.futures as cf
import io
import json
import shutil
import socket
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from sitroom import backfill as backfill_module
from sitroom.backfill import ClusterError, _ClusterExecutor, backfill, connect, parse_local
from sitroom.cli import app
from sitroom.errors import ConfigError
from sitroom.export import write_events
from sitroom.ingest import read_paths
from sitroom.pipeline import DocumentOutcome, IngestSummary, Pipeline
from sitroom.records import Document, Event
from sitroom.store import open_store

# (id, language, published, outlet, title, text)
REPORTS: list[tuple[str, str, str, str, str, str]] = [
    (
        "kherson-1", "en", "2024-06-10T08:15", "riverpost.example", "Shells hit Kherson market",
        "Russian artillery shelled a busy market in Kherson on Monday morning, killing four civilians and "
        "wounding nine others, the regional military administration said. Stalls and two buses caught fire.",
    ),
    (
        "kherson-2", "fr", "2024-06-10T11:40", "lequai.example", "Kherson : un marché bombardé",
        "Des tirs d'artillerie russes ont frappé lundi un marché de Kherson, tuant quatre civils et faisant "
        "neuf blessés, selon l'administration régionale. Les secours ont travaillé toute la matinée.",
    ),
    (
        "kherson-3", "de", "2024-06-10T13:05", "nordkurier.example", "Beschuss auf Markt in Cherson",
        "Bei russischem Artilleriebeschuss auf einen Markt in Cherson sind am Montag vier Zivilisten getötet "
        "und neun verletzt worden, teilte die Militärverwaltung mit.",
    ),
    (
        "kherson-4", "es", "2024-06-11T07:30", "eldiario.example", "Bombardeo en un mercado de Jersón",
        "Un bombardeo de artillería rusa contra un mercado de Jersón mató el lunes a cuatro civiles e hirió "
        "a otros nueve, según las autoridades regionales.",
    ),
    (
        "diyala-1", "en", "2024-04-03T09:00", "tigris.example", "Bomb kills police officers in Diyala",
        "A roadside bomb struck a police patrol near Baqubah in Diyala province on Tuesday, killing three "
        "officers, a security source said. Islamic State militants are active in the area.",
    ),
    (
        "diyala-2", "es", "2024-04-03T12:00", "mundo.example", "Artefacto explosivo mata a tres policías",
        "Una bomba al borde de la carretera alcanzó el martes a una patrulla policial cerca de Baquba, en la "
        "provincia iraquí de Diyala, y mató a tres agentes, informó una fuente de seguridad.",
    ),
    (
        "diyala-3", "fr", "2024-04-03T15:20", "ledesert.example", "Irak : trois policiers tués par une bombe",
        "Trois policiers ont été tués mardi par l'explosion d'une bombe artisanale au passage de leur "
        "patrouille près de Baqouba, dans la province de Diyala, selon une source sécuritaire.",
    ),
    (
        "tyre-1", "en", "2024-09-03T18:00", "cedar.example", "Strike on car near Tyre kills two",
        "An Israeli drone strike hit a car near Tyre in southern Lebanon on Tuesday, killing two people, "
        "the health ministry said.",
    ),
    (
        "tyre-2", "fr", "2024-09-03T19:30", "beyrouthsoir.example", "Liban : frappe de drone près de Tyr",
        "Une frappe de drone israélienne a visé une voiture près de Tyr, dans le sud du Liban, mardi, tuant "
        "deux personnes, a indiqué le ministère de la Santé.",
    ),
    (
        "tyre-3", "de", "2024-09-04T06:45", "rundschau.example", "Drohnenangriff im Südlibanon",
        "Bei einem israelischen Drohnenangriff auf ein Auto nahe Tyros im Süden des Libanon sind am Dienstag "
        "zwei Menschen getötet worden, meldete das Gesundheitsministerium.",
    ),
    (
        "gao-1", "fr", "2024-07-21T10:00", "sahelinfo.example", "Mali : attaque contre un poste militaire",
        "Six soldats maliens ont été tués samedi dans l'attaque d'un poste de l'armée près de Gao par des "
        "hommes armés, selon une source militaire.",
    ),
    (
        "gao-2", "en", "2024-07-21T14:10", "savanna.example", "Gunmen attack army post near Gao",
        "Gunmen attacked an army post near Gao in northern Mali on Saturday, killing six soldiers, a "
        "military source said.",
    ),
    (
        "gao-3", "es", "2024-07-22T08:00", "atlas.example", "Ataque contra un puesto militar en Malí",
        "Hombres armados atacaron el sábado un puesto del ejército cerca de Gao, en el norte de Malí, y "
        "mataron a seis soldados, según una fuente militar.",
    ),
    (
        "odesa-1", "en", "2024-11-18T09:00", "blacksea.example", "Missile strike on Odesa",
        "A Russian missile struck a port warehouse in Odesa on Monday, killing two workers and wounding "
        "five, the regional governor said.",
    ),
    (
        "odesa-2", "de", "2024-11-18T12:30", "hafenblatt.example", "Raketenangriff auf Odessa",
        "Eine russische Rakete hat am Montag ein Lagerhaus im Hafen von Odessa getroffen und zwei Arbeiter "
        "getötet, fünf weitere wurden verletzt, sagte der Gouverneur.",
    ),
    (
        "odesa-3", "ru", "2024-11-18T10:00", "pravdy.example", "Ракетный удар по Одессе",
        "В понедельник российская ракета попала в портовый склад в Одессе, погибли два работника, ещё пять "
        "получили ранения, сообщил губернатор.",
    ),
    (
        "belgorod-1", "en", "2024-05-06T07:00", "steppe.example", "Drones downed over Belgorod",
        "Russian air defences shot down three Ukrainian drones over Belgorod on Sunday night, the governor "
        "said, reporting no casualties.",
    ),
    (
        "belgorod-2", "ru", "2024-05-06T08:30", "vesti.example", "Над Белгородом сбиты беспилотники",
        "В ночь на понедельник силы ПВО сбили три украинских беспилотника над Белгородом, сообщил "
        "губернатор. Пострадавших нет.",
    ),
    (
        "mogadishu-1", "en", "2024-08-03T21:00", "hornwire.example", "Suicide bomber strikes Mogadishu beach",
        "A suicide bomber blew himself up at a beach restaurant in Mogadishu on Friday evening, killing at "
        "least 30 people, police said. Al-Shabaab claimed responsibility.",
    ),
    (
        "mogadishu-2", "es", "2024-08-04T09:00", "mundo.example", "Atentado suicida en Mogadiscio",
        "Un terrorista suicida se inmoló el viernes en un restaurante de playa de Mogadiscio y mató al menos "
        "a 32 personas, según la policía. Al Shabab reivindicó el ataque.",
    ),
    (
        "mogadishu-3", "fr", "2024-08-04T11:00", "lequai.example", "Somalie : attentat sur une plage",
        "Au moins 32 personnes ont été tuées vendredi soir dans un attentat-suicide contre un restaurant de "
        "plage à Mogadiscio, selon la police. Les shebab ont revendiqué l'attaque.",
    ),
    (
        "council", "en", "2024-06-12T10:00", "riverpost.example", "Council approves school budget",
        "The city council of Kherson approved on Wednesday a budget for two new schools and the repair of a "
        "bridge across the river.",
    ),
    (
        "football", "de", "2024-07-22T20:00", "rundschau.example", "Derby endet unentschieden",
        "Das Derby endete am Sonntag vor ausverkauftem Haus mit einem Unentschieden, beide Trainer zeigten "
        "sich zufrieden.",
    ),
]  # fmt: skip
IDS = [r[0] for r in REPORTS] + ["kherson-wire"]


def _line(report: tuple[str, str, str, str, str, str], **changes: str) -> str:
    doc_id, language, published, outlet, title, text = report
    obj = {
        "id": doc_id,
        "language": language,
        "published": published,
        "url": f"https://{outlet}/{doc_id}",
        "title": title,
        "text": text,
    }
    obj.update(changes)
    return json.dumps(obj, ensure_ascii=False)


def write_inputs(folder: Path) -> Path:
    """The reports as JSON Lines, with a wire copy, a repeat, a broken line and a correction."""
    by_id = {r[0]: r for r in REPORTS}
    lines = [_line(r) for r in REPORTS[:12]]
    lines.append(_line(by_id["kherson-1"], id="kherson-wire", url="https://wires.example/kherson"))
    lines.append('{"id": "broken", "text": "A line cut short')
    lines += [_line(r) for r in REPORTS[12:]]
    lines.append(_line(by_id["diyala-1"]))  # the same report again: a duplicate
    corrected = by_id["kherson-1"][5].replace("killing four civilians", "killing five civilians")
    lines.append(_line(by_id["kherson-1"], text=corrected))  # a corrected toll: changed
    path = folder / "reports.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass(frozen=True)
class Snapshot:
    """Everything a run stored."""

    export: str
    counts: dict[str, int]
    events: list[Event]
    documents: dict[str, Document | None]
    copies: dict[str, list[tuple[str, float]]]


def snapshot(db: Path) -> Snapshot:
    store = open_store(db)
    store.open()
    try:
        buffer = io.StringIO()
        write_events(store.iter_events(), "jsonl", buffer, timestamp=0)
        return Snapshot(
            export=buffer.getvalue(),
            counts=store.counts(),
            events=list(store.iter_events()),
            documents={d: store.get_document(d) for d in IDS},
            copies={d: store.copies_of(d) for d in IDS},
        )
    finally:
        store.close()


Run = tuple[IngestSummary, list[DocumentOutcome]]


def run_into(db: Path, ingest: Callable[..., IngestSummary], path: Path, **options: Any) -> Run:
    store = open_store(db)
    store.open()
    try:
        outcomes: list[DocumentOutcome] = []
        summary = ingest(read_paths([path]), store, on_outcome=outcomes.append, **options)
        return summary, outcomes
    finally:
        store.close()


def single_process(results: Any, store: Any, **options: Any) -> IngestSummary:
    summary: IngestSummary = Pipeline(store).ingest(results, **options)
    return summary


@dataclass(frozen=True)
class Reference:
    path: Path
    db: Path
    run: Run
    state: Snapshot


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    """The input file, and what one process stores from it."""
    root = tmp_path_factory.mktemp("backfill")
    path = write_inputs(root)
    db = root / "single.db"
    run = run_into(db, single_process, path)
    return Reference(path, db, run, snapshot(db))


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A Dask cluster of two single-threaded worker processes on this machine."""
    distributed = pytest.importorskip("distributed")
    local = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    try:
        yield local
    finally:
        local.close()


def test_the_reference_run_covers_every_case(reference: Reference) -> None:
    summary, outcomes = reference.run
    statuses = {o.doc_id: o.status for o in outcomes}
    assert summary.read == len(REPORTS) + 4
    assert summary.failed == 1 and summary.failures[0].source.endswith("reports.jsonl:14")
    assert summary.duplicate == 1 and summary.changed == 1
    assert statuses["kherson-1"] == "changed" and statuses["diyala-1"] == "duplicate"
    state = reference.state
    assert state.counts["documents"] == len(IDS)
    assert state.counts["events"] >= 7
    assert state.copies["kherson-wire"] == [("kherson-1", 1.0)]
    kherson = [e for e in state.events if "kherson-3" in e.doc_ids]
    assert len(kherson) == 1 and set(kherson[0].doc_ids) >= {"kherson-1", "kherson-2", "kherson-4"}
    languages = {d.language for d in state.documents.values() if d is not None}
    assert languages == {"en", "fr", "de", "es", "ru"}


def test_backfill_on_two_worker_processes_equals_one_process(
    cluster: Any, reference: Reference, tmp_path: Path
) -> None:
    db = tmp_path / "cluster.db"
    summary, outcomes = run_into(db, backfill, reference.path, scheduler=cluster.scheduler_address)
    assert (summary, outcomes) == reference.run
    assert snapshot(db) == reference.state

    # the same input again: the stored documents are skipped, kherson-1 changes twice (first
    # back to its first text, then to its correction), as in one process
    again = run_into(db, backfill, reference.path, scheduler=cluster.scheduler_address)
    shutil.copy(reference.db, tmp_path / "single-again.db")
    single_again = run_into(tmp_path / "single-again.db", single_process, reference.path)
    assert again == single_again
    assert (again[0].duplicate, again[0].changed, again[0].new) == (24, 2, 0)
    assert snapshot(db) == snapshot(tmp_path / "single-again.db") == reference.state


def test_backfill_with_one_chunk_in_flight_per_worker(
    cluster: Any, reference: Reference, tmp_path: Path
) -> None:
    db = tmp_path / "narrow.db"
    run = run_into(db, backfill, reference.path, scheduler=cluster.scheduler_address, workers=1)
    assert run == reference.run
    assert snapshot(db) == reference.state


def test_backfill_starts_a_local_cluster(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "few.jsonl"
    path.write_text("\n".join(_line(r) for r in REPORTS[7:10]) + "\n", encoding="utf-8")
    one = run_into(tmp_path / "one.db", single_process, path)
    local = run_into(tmp_path / "local.db", backfill, path, scheduler="local:1")
    assert local == one
    assert snapshot(tmp_path / "local.db") == snapshot(tmp_path / "one.db")
    assert one[0].new == 3 and one[0].events_created == 1


# -------------------------------------------------------------------------------------- CLI

runner = CliRunner(env={"COLUMNS": "200", "DASK_SCHEDULER_ADDRESS": None})


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


def flat(text: str) -> str:
    return " ".join(text.split())


def test_cli_backfill_prints_what_ingest_prints(cluster: Any, reference: Reference, tmp_path: Path) -> None:
    ingested = invoke("--db", str(tmp_path / "ingest.db"), "ingest", str(reference.path))
    assert ingested.exit_code == 0, ingested.output
    db = tmp_path / "backfill.db"
    result = invoke(
        "--db", str(db), "backfill", "--scheduler", cluster.scheduler_address, str(reference.path)
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ingested.stdout
    assert "documents read 27: new 24, duplicate 1, changed 1, failed 1;" in result.stdout
    stderr = flat(result.stderr)
    assert f"Dask scheduler {cluster.scheduler_address}: 2 workers, 2 threads" in stderr
    assert "reports.jsonl:14" in stderr  # the broken line, as `ingest` reports it
    assert snapshot(db) == reference.state


def test_cli_help_explains_where_things_run() -> None:
    result = invoke("backfill", "--help")
    assert result.exit_code == 0
    text = flat(result.stdout)
    for words in ("--scheduler", "tcp://HOST:PORT", "local:N", "writes the database itself", "--timeout"):
        assert words in text


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_cli_unreachable_scheduler_fails_quickly_and_clearly(reference: Reference, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    address = f"tcp://127.0.0.1:{_closed_port()}"
    db = tmp_path / "never.db"
    started = time.monotonic()
    result = invoke(
        "--db", str(db), "backfill", "--scheduler", address, "--timeout", "0.5", str(reference.path)
    )
    assert time.monotonic() - started < 15
    assert result.exit_code == 2
    message = flat(result.stderr)
    assert f"error (config): cannot reach the Dask scheduler at {address} within 0.5 s" in message
    assert "--timeout" in message and "Traceback" not in result.output
    assert not db.exists()  # nothing is opened before the cluster answers


def test_a_malformed_address_is_named(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    with (
        pytest.raises(ConfigError, match="'tcp://\\[::1' is not a Dask scheduler address"),
        connect("tcp://[::1", timeout=1),
    ):
        pass


def test_a_scheduler_without_workers_is_refused_after_the_timeout() -> None:
    distributed = pytest.importorskip("distributed")
    empty = distributed.LocalCluster(n_workers=0, processes=True, dashboard_address=":0")
    try:
        address = empty.scheduler_address
        with (
            pytest.raises(ConfigError, match=r"has no worker after 0\.5 s") as caught,
            connect(address, timeout=0.5),
        ):
            pass
        assert f"dask worker {address}" in str(caught.value)
    finally:
        empty.close()


def test_missing_dask_says_what_to_install(
    reference: Reference, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # makes `import distributed` fail
    with pytest.raises(ConfigError, match=r"pip install 'sitroom\[dask\]'"):
        run_into(tmp_path / "x.db", backfill, reference.path, scheduler="local:1")
    result = invoke("--db", str(tmp_path / "x.db"), "backfill", "-s", "local:1", str(reference.path))
    assert result.exit_code == 2
    assert "pip install 'sitroom[dask]'" in flat(result.stderr)


def test_workers_without_this_sitroom_version_are_refused(
    cluster: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backfill_module, "installed_version", lambda name: "99.0")
    with pytest.raises(ConfigError) as caught, connect(cluster.scheduler_address, timeout=5):
        pass
    message = str(caught.value)
    assert "do not have sitroom 99.0" in message
    for worker in cluster.scheduler_info["workers"]:
        assert f"{worker} (sitroom " in message


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("local:3", 3),
        ("local:1", 1),
        (" local:2 ", 2),
        ("tcp://10.0.0.5:8786", None),
        ("localhost:8786", None),
    ],
)
def test_parse_local(given: str, expected: int | None) -> None:
    assert parse_local(given) == expected


def test_parse_local_without_a_count_takes_one_worker_per_cpu() -> None:
    n = parse_local("local")
    assert n is not None and n >= 1


def test_parse_local_refuses_zero_workers() -> None:
    with pytest.raises(ConfigError, match="at least one worker"):
        parse_local("local:0")


# ------------------------------------------------------------------ failures of the cluster


def _fails_with(exc: BaseException) -> Callable[[], None]:
    def task() -> None:
        raise exc

    return task


def test_failures_of_the_cluster_become_cluster_errors() -> None:
    pytest.importorskip("distributed")
    from distributed import KilledWorker

    killed = KilledWorker("read-chunk-1", SimpleNamespace(address="tcp://10.0.0.7:4000"), 3)  # type: ignore[arg-type]
    with cf.ThreadPoolExecutor(1) as pool:
        executor = _ClusterExecutor(pool)
        assert executor.submit(lambda: 42).result() == 42
        for exc, words in (
            (killed, "tcp://10.0.0.7:4000"),
            (ModuleNotFoundError("No module named 'sitroom'"), "is the same sitroom installed there"),
            (ConnectionResetError("connection closed"), "ConnectionResetError: connection closed"),
        ):
            with pytest.raises(ClusterError, match="run the same backfill again") as caught:
                executor.submit(_fails_with(exc)).result()
            assert words in str(caught.value) and caught.value.__cause__ is exc
        bug = ValueError("a bug in sitroom")
        with pytest.raises(ValueError) as raised:  # not the cluster's fault: passed on as it is
            executor.submit(_fails_with(bug)).result()
        assert raised.value is bug


class _Cancelling(cf.Executor):
    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        future: cf.Future[Any] = cf.Future()
        future.cancel()
        return future


def test_a_cancelled_task_is_a_cluster_error() -> None:
    with pytest.raises(ClusterError, match="cancelled"):
        _ClusterExecutor(_Cancelling()).submit(print).result()


def test_a_failed_connection_leaves_no_client_to_close_later() -> None:
    """A Client whose constructor failed closes itself in ``__del__``; kept alive by the error's
    traceback, that ran at some later garbage collection, and once inside the start of another
    cluster, where distributed's loop runner deadlocked (a hung CI run). The error keeps no
    traceback of it, so nothing is left to close."""
    import gc

    distributed = pytest.importorskip("distributed")

    def open_clients() -> int:
        return sum(1 for o in gc.get_objects() if isinstance(o, distributed.Client) and o.status != "closed")

    before = open_clients()
    with (
        pytest.raises(ConfigError, match="cannot reach the Dask scheduler") as caught,
        connect("tcp://127.0.0.1:9", timeout=0.5),
    ):
        pass
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert open_clients() == before
