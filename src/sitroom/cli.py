"""The ``sitroom`` command: a thin shell over :mod:`sitroom.pipeline` and :mod:`sitroom.store`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from sitroom.errors import SitroomError
from sitroom.records import Event
from sitroom.store import Store

if TYPE_CHECKING:
    from sitroom.ingest import ReadResult
    from sitroom.pipeline import DocumentOutcome, IngestSummary

__all__ = ["app", "main"]

DEFAULT_DB = "sitroom.db"

app = typer.Typer(
    help=(
        "sitroom turns news reports (any language) into an ACLED-style database of armed-attack "
        "events: drone and air strikes, shelling, IEDs, clashes, attacks on civilians, interceptions. "
        "Everything runs offline on a SQLite file (default ./sitroom.db, or --db / $SITROOM_DB)."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
out = Console(width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True)


@dataclass
class _State:
    db: str = DEFAULT_DB


STATE = _State()


@app.callback()
def _root(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help=(
                "Database: a SQLite file path (created if missing), or a postgresql://user@host/db URL"
                " (needs sitroom[postgres]; see docs/postgresql.md). Default: $SITROOM_DB or ./sitroom.db."
            ),
        ),
    ] = None,
) -> None:
    STATE.db = db or os.environ.get("SITROOM_DB") or DEFAULT_DB


def _open_store() -> Store:
    from sitroom.store import open_store

    store = open_store(STATE.db)
    store.open()
    return store


def _fail(exc: SitroomError) -> typer.Exit:
    err.print(f"[bold red]error[/] ({exc.code}): {escape(str(exc))}")
    return typer.Exit(code=2)


@app.command()
def ingest(
    paths: Annotated[
        list[str],
        typer.Argument(
            help=(
                "Files or folders to read (JSON Lines, .txt, .html, RSS/Atom; folders recursively); "
                "'-' reads standard input."
            )
        ),
    ],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, only the summary.")] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            "-w",
            min=1,
            help="Processes that read and extract documents (the database is written by one).",
        ),
    ] = 1,
) -> None:
    """Read reports, extract attack events, merge them with what the database holds."""
    from sitroom.pipeline import Pipeline

    try:
        store = _open_store()
    except SitroomError as exc:
        raise _fail(exc) from exc
    try:
        summary = _ingest_with_progress(
            paths,
            quiet,
            lambda results, tick: Pipeline(store).ingest(results, on_outcome=tick, workers=workers),
        )
    except SitroomError as exc:
        raise _fail(exc) from exc
    finally:
        store.close()
    _print_summary(summary, quiet)


def _ingest_with_progress(
    paths: list[str],
    quiet: bool,
    run: Callable[[Iterable[ReadResult], Callable[[DocumentOutcome], None]], IngestSummary],
) -> IngestSummary:
    """``run(results, tick)`` over the documents of ``paths``, with a progress bar on a terminal."""
    from sitroom.ingest import read_paths

    results = read_paths(paths, stdin=sys.stdin)
    show = not quiet and err.is_terminal
    total = _count_documents(paths) if show else None
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not show,
    ) as progress:
        task = progress.add_task("documents", total=total)

        def tick(outcome: DocumentOutcome) -> None:
            progress.advance(task)
            if outcome.status == "failed" and show:
                progress.console.print(
                    f"[yellow]skipped[/] {escape(outcome.doc_id)}: {escape(outcome.reason or '')}"
                )

        return run(results, tick)


def _print_summary(summary: IngestSummary, quiet: bool) -> None:
    if quiet or not err.is_terminal:  # else the progress bar showed each failure as it came
        for failure in summary.failures:
            err.print(f"skipped {escape(failure.source)}: {escape(failure.reason)}")
    out.print(
        f"documents read {summary.read}: new {summary.new}, duplicate {summary.duplicate}, "
        f"changed {summary.changed}, failed {summary.failed}; mentions {summary.mentions}; "
        f"events created {summary.events_created}, updated {summary.events_updated}"
    )


@app.command()
def backfill(
    paths: Annotated[
        list[str],
        typer.Argument(help="Files or folders to read, as for `sitroom ingest`; '-' reads standard input."),
    ],
    scheduler: Annotated[
        str,
        typer.Option(
            "--scheduler",
            "-s",
            envvar="DASK_SCHEDULER_ADDRESS",
            show_envvar=True,
            help=(
                "The Dask scheduler: tcp://HOST:PORT of a running `dask scheduler` (port 8786 by "
                "default) whose workers have this sitroom version installed; or local:N to start N "
                "worker processes on this machine ('local': one per CPU)."
            ),
        ),
    ],
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            min=0.1,
            help="Seconds to wait for the scheduler to answer, and then for a worker to join it.",
        ),
    ] = 10.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, only the summary.")] = False,
) -> None:
    """Ingest a backlog with the reading of documents spread over a Dask cluster.

    The cluster's workers detect each document's language and extract its events (with
    geocoding). This process reads PATHS and sends the documents to them, then checks for
    duplicates, deduplicates and writes the database itself, in input order: the database is
    the same as `sitroom ingest` would make, any --db works, and a run that stops can be
    repeated (stored documents are skipped). See docs/backfill.md.
    """

    from sitroom.backfill import backfill as run_backfill
    from sitroom.backfill import connect

    try:
        with connect(scheduler, timeout=timeout) as cluster:
            if not quiet:
                err.print(
                    f"Dask scheduler {escape(cluster.address)}: {cluster.workers} workers, "
                    f"{cluster.threads} threads"
                )
            store = _open_store()
            try:
                summary = _ingest_with_progress(
                    paths,
                    quiet,
                    lambda results, tick: run_backfill(results, store, scheduler=cluster, on_outcome=tick),
                )
            finally:
                store.close()
    except SitroomError as exc:
        raise _fail(exc) from exc
    _print_summary(summary, quiet)


def _count_documents(paths: list[str]) -> int | None:
    """Documents an ingest will read, for the progress bar: one a line in JSON Lines files,
    one per other file; None (an open-ended bar) when standard input is read."""
    from sitroom.ingest import iter_inputs

    total = 0
    for source in iter_inputs(paths):
        if source == "-":
            return None
        if source.endswith((".jsonl", ".ndjson")):
            try:
                with open(source, "rb") as fh:
                    total += sum(1 for line in fh if line.strip())
            except OSError:
                total += 1  # the reader reports the problem itself
        else:
            total += 1
    return total


def _parse_near(value: str | None) -> tuple[float, float] | None:
    if not value:
        return None
    try:
        lat, lon = (float(x) for x in value.split(","))
    except ValueError as exc:
        raise typer.BadParameter("--near takes LAT,LON, for example 33.78,42.44") from exc
    return lat, lon


_SHORT_TYPES = {
    "Air/drone strike": "air/drone",
    "Shelling/artillery/missile attack": "shelling/missile",
    "Remote explosive/landmine/IED": "IED/landmine",
    "Disrupted weapons use": "disrupted",
    "Abduction/forced disappearance": "abduction",
}


def _events_table(events: list[Event]) -> Table:
    table = Table(show_lines=False, header_style="bold", pad_edge=False)
    table.add_column("id", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("type", no_wrap=True)
    table.add_column("place", max_width=24, overflow="ellipsis", no_wrap=True)
    table.add_column("country", max_width=14, overflow="ellipsis", no_wrap=True)
    table.add_column("attacker", max_width=22, overflow="ellipsis", no_wrap=True)
    table.add_column("killed", justify="right", no_wrap=True)
    table.add_column("inj.", justify="right", no_wrap=True)
    table.add_column("src", justify="right", no_wrap=True)
    for e in events:
        date_text = f"{e.event_date or '?'}" + (
            "" if e.date_precision == "day" else f"~{e.date_precision[0]}"
        )
        killed = "" if e.fatalities is None else str(e.fatalities)
        if e.fatalities_max is not None and e.fatalities_max != e.fatalities:
            killed += f"-{e.fatalities_max}"
        if e.intercepted:
            killed += " ⊘"
        table.add_row(
            e.id,
            date_text,
            _SHORT_TYPES.get(e.sub_event_type, e.sub_event_type),
            e.place.name if e.place else "",
            (e.place.country or "") if e.place else "",
            e.actor1 or "",
            killed,
            "" if e.injured is None else str(e.injured),
            str(len(e.doc_ids)),
        )
    return table


@app.command()
def events(
    since: Annotated[str | None, typer.Option(help="Only events on or after this date (YYYY-MM-DD).")] = None,
    until: Annotated[
        str | None, typer.Option(help="Only events on or before this date (YYYY-MM-DD).")
    ] = None,
    country: Annotated[str | None, typer.Option(help="Country name or ISO code.")] = None,
    type_: Annotated[
        str | None, typer.Option("--type", help="Event type or sub-event type, e.g. 'Air/drone strike'.")
    ] = None,
    actor: Annotated[
        str | None, typer.Option(help="Part of an actor's name (attacker, target or claimant).")
    ] = None,
    near: Annotated[str | None, typer.Option(help="LAT,LON: only events within --km of this point.")] = None,
    km: Annotated[float, typer.Option(help="Radius for --near, in kilometres.")] = 50.0,
    text: Annotated[
        str | None, typer.Option(help="Full-text search in evidence, titles, places and actors.")
    ] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many events.")] = 50,
) -> None:
    """List events as a table, newest first, with filters."""
    from sitroom.store import EventFilter

    try:
        flt = EventFilter(
            since=date.fromisoformat(since) if since else None,
            until=date.fromisoformat(until) if until else None,
            country=country,
            event_type=type_,
            actor=actor,
            near=_parse_near(near),
            km=km if near else None,
            text=text,
            limit=limit,
        )
    except SitroomError as exc:
        raise typer.BadParameter(exc.message) from exc
    except ValueError as exc:
        raise typer.BadParameter(f"dates are YYYY-MM-DD: {exc}") from exc
    try:
        store = _open_store()
        try:
            found = store.query_events(flt)
            total = store.count_events(flt)
        finally:
            store.close()
    except SitroomError as exc:
        raise _fail(exc) from exc
    if not found:
        out.print("No events match. Ingest reports with `sitroom ingest PATH`, or loosen the filters.")
        return
    out.print(_events_table(found))
    out.print(f"{len(found)} of {total} events")


@app.command()
def show(event_id: Annotated[str, typer.Argument(help="An event id from `sitroom events`.")]) -> None:
    """One event with every report of it: the evidence highlighted in its context."""
    try:
        store = _open_store()
        try:
            event = store.get_event(event_id)
            if event is None:
                err.print(f"no event {event_id!r}")
                raise typer.Exit(code=1)
            docs = {m.doc_id: store.get_document(m.doc_id) for m in event.mentions}
            copies = {d: store.copies_of(d) for d in docs}
        finally:
            store.close()
    except SitroomError as exc:
        raise _fail(exc) from exc
    out.print(_events_table([event]))
    p = event.place
    if p:
        out.print(
            f"place: {p.name} ({p.precision}), {p.admin1 or '-'}, {p.country or '-'}  "
            f"[{p.latitude}, {p.longitude}]"
        )
    if event.fatalities_max is not None and event.fatalities_max != event.fatalities:
        out.print(
            f"fatalities reported: {event.fatalities} to {event.fatalities_max} (lowest kept, as ACLED does)"
        )
    for m in event.mentions:
        doc = docs.get(m.doc_id)
        out.rule(f"{m.doc_id} · {m.role}")
        if doc is not None:
            out.print(
                f"[bold]{doc.title or '(no title)'}[/]  {doc.outlet or ''}  lang={doc.language or '?'}  "
                f"published={doc.published_date or '?'}  {doc.url or ''}"
            )
            context = Text(doc.text[max(0, m.start - 200) : m.start])
            context.append(doc.text[m.start : m.end], style="bold reverse")
            context.append(doc.text[m.end : m.end + 200])
            out.print(context)
        for other, similarity in copies.get(m.doc_id, []):
            out.print(f"[dim]wire copy: {other} (text similarity {similarity:.2f})[/]")
        else:
            out.print(Text(m.evidence, style="bold"))


@app.command()
def export(
    format_: Annotated[
        str, typer.Option("--format", "-f", help="jsonl (the CONTRACT format), csv, acled-csv or geojson.")
    ] = "jsonl",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; standard output by default.")
    ] = None,
) -> None:
    """Export every event for analysis (jsonl, csv, ACLED-style CSV, GeoJSON)."""
    from sitroom.export import FORMATS, write_events

    if format_ not in FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
    try:
        store = _open_store()
        try:
            if output is None:
                n = write_events(store.iter_events(), format_, sys.stdout)
            else:
                output.parent.mkdir(parents=True, exist_ok=True)
                with output.open("w", encoding="utf-8", newline="") as fh:
                    n = write_events(store.iter_events(), format_, fh)
        finally:
            store.close()
    except SitroomError as exc:
        raise _fail(exc) from exc
    if output is not None:
        err.print(f"wrote {n} events to {output}")


@app.command()
def stats(by: Annotated[str, typer.Option(help="Period: day, week or month.")] = "week") -> None:
    """Counts of events by period, type and country."""
    if by not in ("day", "week", "month"):
        raise typer.BadParameter("--by must be day, week or month")
    try:
        store = _open_store()
        try:
            result = store.stats(by)  # type: ignore[arg-type]  # checked above
            counts = store.counts()
        finally:
            store.close()
    except SitroomError as exc:
        raise _fail(exc) from exc
    out.print("  ".join(f"{k} {v}" for k, v in counts.items()))
    out.print(f"events {result.total} (undated {result.undated})")
    tables = (
        ("by " + by, result.periods),
        ("by event type", result.event_types),
        ("by sub-event type", result.sub_event_types),
        ("by country", result.countries),
    )
    for title, rows in tables:
        table = Table(title=title, header_style="bold")
        table.add_column("key")
        table.add_column("events", justify="right")
        for key, n in rows:
            table.add_row(str(key), str(n))
        out.print(table)


# -- live monitoring: sitroom watch, sitroom feeds (sitroom.watch) ---------------------------

DEFAULT_CONFIG = "sitroom.toml"

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help=f"Watch configuration (TOML: feeds, rules, sinks). Default: ./{DEFAULT_CONFIG} if present.",
    ),
]


@app.command()
def watch(
    config: ConfigOption = None,
    once: Annotated[
        bool, typer.Option("--once", help="Poll every feed once, deliver the alerts, exit.")
    ] = False,
    duration: Annotated[
        float | None, typer.Option("--for", help="Stop after this many seconds.", min=0.0)
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every poll, 304s included.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Log only warnings and errors.")] = False,
) -> None:
    """Poll news feeds, turn new items into events within seconds, and send alerts.

    Feeds come from the configuration and from `sitroom feeds add`; their state is kept in the
    database, so a stopped or killed watcher resumes without re-reading or missing an item.
    Alerts (JSON) go to the sinks of the configuration; logs go to standard error.
    """
    from sitroom.watch import Watcher
    from sitroom.watch.config import find_config
    from sitroom.watch.watcher import log_to_stderr, run_until_signalled

    try:
        cfg = find_config(config, DEFAULT_CONFIG)
        store = _open_store()
    except SitroomError as exc:
        raise _fail(exc) from exc
    try:
        with log_to_stderr("debug" if verbose else "warning" if quiet else "info"), Watcher(store, cfg) as w:
            w.prepare()
            if not w.state.feeds(enabled_only=True):
                err.print(
                    "no feeds to watch: add one with `sitroom feeds add URL`, or list them in "
                    f"{config or DEFAULT_CONFIG} (see docs/watch.md)"
                )
                raise typer.Exit(code=2)
            summary = run_until_signalled(w, once=once, max_seconds=duration)
    except SitroomError as exc:
        raise _fail(exc) from exc
    finally:
        store.close()
    err.print(
        f"polls {summary.polls} (errors {summary.errors}); items {summary.items}; "
        f"events created {summary.events_created}, updated {summary.events_updated}; "
        f"alerts queued {summary.alerts_queued}, sent {summary.alerts_sent}",
        soft_wrap=True,
    )


feeds_app = typer.Typer(
    help="The feeds `sitroom watch` polls: add one, list them, show how they are doing.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(feeds_app, name="feeds")


@feeds_app.command("add")
def feeds_add(
    url: Annotated[str, typer.Argument(help="An RSS/Atom or JSON URL, or a folder to watch for new files.")],
    interval: Annotated[float, typer.Option(help="Seconds between two polls.", min=1.0)] = 300.0,
    language: Annotated[
        str | None, typer.Option(help="Language hint (ISO 639-1) for items that declare none.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="A short name; default: the URL or path.")] = None,
    kind: Annotated[
        str | None, typer.Option("--type", help="rss, json or folder; default: rss for a URL, else folder.")
    ] = None,
    fetch_pages: Annotated[
        bool, typer.Option("--fetch-pages", help="Fetch the linked page of items that carry only a summary.")
    ] = False,
) -> None:
    """Add a feed to the database (a running watcher picks it up)."""
    from sitroom import language as lang_mod
    from sitroom.watch import FeedConfig, WatchState
    from sitroom.watch.config import feed_kind_of

    chosen = kind or feed_kind_of(url)
    if chosen not in ("rss", "atom", "json", "folder"):
        raise typer.BadParameter("--type must be rss, json or folder")
    if chosen == "atom":
        chosen = "rss"
    location = url
    if chosen == "folder":
        if url.lower().startswith(("http://", "https://")):
            raise typer.BadParameter("a folder feed takes a path, not a URL")
        folder = Path(url).expanduser()
        if not folder.is_dir():
            raise typer.BadParameter(f"no such folder: {url}")
        location = str(folder.absolute())
    elif not url.lower().startswith(("http://", "https://")):
        raise typer.BadParameter(f"a {chosen} feed needs an http:// or https:// URL")
    if fetch_pages and chosen == "folder":
        raise typer.BadParameter("--fetch-pages is for URL feeds")
    code = lang_mod.normalize_code(language) if language else None
    if language and code is None:
        raise typer.BadParameter(f"not a language code: {language!r}")
    feed = FeedConfig(
        name=name or location,
        kind=chosen,  # type: ignore[arg-type]  # checked above
        location=location,
        interval=interval,
        language=code,
        fetch_pages=fetch_pages,
    )
    try:
        store = _open_store()
        try:
            added = WatchState(store).add_feed(feed)
        finally:
            store.close()
    except SitroomError as exc:
        raise _fail(exc) from exc
    out.print(f"added feed {added.name!r} ({added.kind}, every {added.interval:g} s): {added.location}")


@feeds_app.command("list")
def feeds_list(config: ConfigOption = None) -> None:
    """The feeds in the database (the configuration's included), enabled or not."""
    from sitroom.watch.state import feeds_state

    try:
        with feeds_state(STATE.db, config, DEFAULT_CONFIG) as state:
            feeds = state.feeds()
    except SitroomError as exc:
        raise _fail(exc) from exc
    if not feeds:
        out.print("No feeds yet. Add one with `sitroom feeds add URL`, or list them in sitroom.toml.")
        return
    table = Table(header_style="bold", pad_edge=False)
    for column in ("name", "type", "location", "every", "lang", "pages", "from", "enabled"):
        table.add_column(column, overflow="fold")
    for f in feeds:
        table.add_row(
            f.name,
            f.kind,
            f.location,
            f"{f.interval:g}s",
            f.language or "",
            "yes" if f.fetch_pages else "",
            f.origin,
            "yes" if f.enabled else "no",
        )
    out.print(table)


@feeds_app.command("status")
def feeds_status(config: ConfigOption = None) -> None:
    """Last fetch, last error, items seen, events made and alerts of every feed."""
    from sitroom.watch.state import describe_age as _ago
    from sitroom.watch.state import feeds_state

    try:
        with feeds_state(STATE.db, config, DEFAULT_CONFIG) as state:
            rows = state.status()
    except SitroomError as exc:
        raise _fail(exc) from exc
    if not rows:
        out.print("No feeds yet. Add one with `sitroom feeds add URL`, or list them in sitroom.toml.")
        return
    table = Table(header_style="bold", pad_edge=False)
    table.add_column("name", overflow="fold", min_width=8)
    table.add_column("status", no_wrap=True)
    table.add_column("last fetch", no_wrap=True)
    for column in ("fails", "items", "unreadable", "events made", "updated", "alerts sent", "pending"):
        table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
    table.add_column("last error", no_wrap=True)
    for r in rows:
        f = r.feed
        table.add_row(
            f.name + ("" if f.enabled else " (disabled)"),
            f.last_status or "-",
            _ago(f.last_fetch_at, stamp=False),
            str(f.failures),
            str(r.items_seen),
            str(r.items_failed),
            str(r.events_created),
            str(r.events_updated),
            str(r.alerts_sent),
            str(r.alerts_pending),
            _ago(f.last_error_at, stamp=False) if f.last_error else "",
        )
    out.print(table)
    for r in rows:
        if r.feed.last_error:
            when = _ago(r.feed.last_error_at)
            out.print(f"last error of {r.feed.name} ({when}): {r.feed.last_error}", soft_wrap=True)


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on; beyond loopback, anyone who reaches it reads the data.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=0, max=65535)] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="SITROOM_TOKEN",
            show_envvar=True,
            help="Bearer token that POST /api/documents must carry; without one, writes are refused. "
            "Prefer $SITROOM_TOKEN: a command-line token shows in the process list.",
        ),
    ] = None,
    allow_insecure_bind: Annotated[
        bool,
        typer.Option(
            "--allow-insecure-bind",
            help="Serve beyond loopback without a token (anyone who reaches it reads every event).",
        ),
    ] = False,
    rate_limit: Annotated[
        float,
        typer.Option(
            help="API requests a second per client address (bursts of twice that); 0: no limit.", min=0
        ),
    ] = 50.0,
    request_timeout: Annotated[
        float, typer.Option(help="Seconds a request may take before it is answered 503; 0: no limit.", min=0)
    ] = 30.0,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(
            help="An origin allowed to read the API from another site (repeatable); none by default."
        ),
    ] = None,
) -> None:
    """Serve the dashboard (map, timeline, reports) and the HTTP API (OpenAPI at /docs); Ctrl-C stops."""
    import uvicorn

    from sitroom.api import create_app, is_loopback

    try:
        _open_store().close()  # a bad path or a file that is not a database fails here, clearly
    except SitroomError as exc:
        raise _fail(exc) from exc
    loopback = is_loopback(host)
    if not loopback and not token and not allow_insecure_bind:
        err.print(
            f"[bold red]error[/]: refusing to serve on {host} with no token: anyone who can reach this "
            "address would read every event and report. Set $SITROOM_TOKEN, keep the default "
            "--host 127.0.0.1, or pass --allow-insecure-bind if that is really meant."
        )
        raise typer.Exit(2)
    if not loopback and not token:
        err.print(
            f"[bold red]warning[/]: serving on {host} with no token: anyone who can reach this address "
            "reads every event and report. Writes stay refused; set $SITROOM_TOKEN to enable them."
        )
    elif not loopback:
        err.print(f"[bold yellow]note[/]: serving on {host}; reads are open to anyone who can reach it.")
    allowed = ["127.0.0.1", "localhost", "[::1]", "::1"] if loopback else None
    server = create_app(
        STATE.db,
        token=token or None,
        allowed_hosts=allowed,
        rate_limit=rate_limit or None,
        request_timeout=request_timeout or None,
        cors_origins=cors_origin or (),
    )
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    shown = f"[{shown}]" if ":" in shown else shown
    writes = "writes enabled (token set)" if token else "read-only (no token)"
    out.print(f"sitroom dashboard: http://{shown}:{port}/  ·  API docs: http://{shown}:{port}/docs")
    out.print(f"database {STATE.db}, {writes}. Press Ctrl-C to stop.")
    uvicorn.run(server, host=host, port=port, log_level="warning", server_header=False)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
