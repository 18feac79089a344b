"""The ``sitroom`` command: a thin shell over :mod:`sitroom.pipeline` and :mod:`sitroom.store`."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from sitroom.errors import SitroomError
from sitroom.records import Event
from sitroom.store import Store

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
            help="Database: a SQLite file path (created if missing). Default: $SITROOM_DB or ./sitroom.db.",
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
    err.print(f"[bold red]error[/] ({exc.code}): {exc}")
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
) -> None:
    """Read reports, extract attack events, merge them with what the database holds."""
    from sitroom.ingest import read_paths
    from sitroom.pipeline import DocumentOutcome, Pipeline

    try:
        store = _open_store()
    except SitroomError as exc:
        raise _fail(exc) from exc
    try:
        pipeline = Pipeline(store)
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
                    progress.console.print(f"[yellow]skipped[/] {outcome.doc_id}: {outcome.reason}")

            summary = pipeline.ingest(results, on_outcome=tick)
    except SitroomError as exc:
        raise _fail(exc) from exc
    finally:
        store.close()
    if not show:
        for failure in summary.failures:
            err.print(f"skipped {failure.source}: {failure.reason}")
    out.print(
        f"documents read {summary.read}: new {summary.new}, duplicate {summary.duplicate}, "
        f"changed {summary.changed}, failed {summary.failed}; mentions {summary.mentions}; "
        f"events created {summary.events_created}, updated {summary.events_updated}"
    )


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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
