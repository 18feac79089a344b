"""sitroom benchmarks: documents per second by stage and end to end, peak memory, dedupe scaling.

    .venv/bin/python benchmarks/run.py                       # everything (about 15 minutes here)
    .venv/bin/python benchmarks/run.py --quick               # small sizes, to try the harness
    .venv/bin/python benchmarks/run.py --only dedupe --dedupe-sizes 10000,100000,1000000

Sections (``--only`` picks some): ``load`` (time and peak RSS with every data file loaded, in a
fresh process), ``stages`` (each stage alone over generated documents), ``e2e`` (``sitroom
ingest`` into a new SQLite file, in a child process, with ``--workers`` 1 and 2), ``pipeline``
(the same run in this process with each stage timed inside the real ``Pipeline``, to show where
the time goes as the database grows), ``dedupe`` (``assign_mentions`` over synthetic mentions
through ``CandidateIndex``, at growing sizes, and through a scan of the pipeline's whole search
window for the smaller sizes). Input comes from ``benchmarks/generate.py`` with a fixed seed.

Prints Markdown tables and writes every figure to ``--json`` (default
``benchmarks/results/latest.json``). Throughput is wall-clock time on whatever else the
machine is doing; the CPU seconds are given beside it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

SECTIONS = ("load", "stages", "e2e", "pipeline", "dedupe")


# ---------------------------------------------------------------- helpers


@dataclass
class Timer:
    wall: float = 0.0
    cpu: float = 0.0
    calls: int = 0

    def wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            w, c = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.wall += time.perf_counter() - w
                self.cpu += time.process_time() - c
                self.calls += 1

        return timed


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_corpus(path: Path, docs: int, unrelated: float, seed: int, days: int) -> dict[str, int]:
    counts = {"docs": 0, "conflict": 0}
    with path.open("w", encoding="utf-8") as fh:
        for doc in generate.generate(docs, unrelated=unrelated, seed=seed, days=days):
            fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
            counts["docs"] += 1
            counts["conflict"] += "/conflict-" in doc["url"]
    return counts


def environment() -> dict[str, Any]:
    def read(path: str, key: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "?"

    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "nproc": os.cpu_count(),
        "memory": read("/proc/meminfo", "MemTotal"),
        "cpu": read("/proc/cpuinfo", "model name"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": commit + (" + uncommitted changes in src/" if dirty else ""),
        "load_average": os.getloadavg(),
    }


# ---------------------------------------------------------------- load


_LOAD_SCRIPT = """
import json, resource, time
t = time.perf_counter()
from datetime import datetime
from sitroom import language
from sitroom.extract import extract_document
from sitroom.extract.lexicon import available_languages, lexicon_for
from sitroom.geocode import default_gazetteer
from sitroom.records import Document
default_gazetteer()
language.resolve(None, "A drone struck a building in Kharkiv on Tuesday, killing two people.")
for lang in available_languages():
    lexicon_for(lang)
    # an attack sentence in each language's own lexicon compiles everything it uses
    extract_document(Document(text="drone attack", published=datetime(2024, 1, 2)), language=lang)
print(json.dumps({"seconds": time.perf_counter() - t,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def section_load() -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", _LOAD_SCRIPT], capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(out.stdout)
    return result


# ---------------------------------------------------------------- stages


def _documents(docs: list[dict[str, Any]]) -> list[tuple[bool, Any]]:
    from sitroom.ingest.jsonl import document_from_object

    return [
        ("/conflict-" in d["url"], document_from_object(d, source=f"gen:{i}")) for i, d in enumerate(docs)
    ]


def section_stages(conflict: int, mixed: int, seed: int, days: int) -> dict[str, Any]:
    from sitroom import language
    from sitroom.dedupe import assign_mentions
    from sitroom.extract import extract_document

    try:
        from sitroom.dedupe import CandidateIndex
    except ImportError:  # a tree from before the index: dedupe is measured in the pipeline only
        CandidateIndex = None  # type: ignore[assignment,misc]
    from sitroom.extract.lexicon import available_languages, lexicon_for
    from sitroom.geocode import default_gazetteer

    default_gazetteer()
    for lang in available_languages():
        lexicon_for(lang)
    results: dict[str, Any] = {}
    for name, n, share in (("conflict", conflict, 0.0), ("mixed", mixed, 0.9)):
        docs = _documents(list(generate.generate(n, unrelated=share, seed=seed, days=days)))
        warm = docs[: min(200, len(docs))]
        for _c, doc in warm:  # compile every lexicon's patterns and fill caches first
            extract_document(doc, language=language.resolve(doc.language, doc.text))
        t_lang, t_ext = Timer(), Timer()
        resolve, extract = t_lang.wrap(language.resolve), t_ext.wrap(extract_document)
        readings = []
        t_ext_conflict = Timer()
        for is_conflict, doc in docs:
            lang = resolve(doc.language, doc.text)
            before = t_ext.wall, t_ext.cpu
            mentions = extract(doc, language=lang)
            if is_conflict:
                t_ext_conflict.wall += t_ext.wall - before[0]
                t_ext_conflict.cpu += t_ext.cpu - before[1]
            readings.append(mentions)
        n_conflict = sum(1 for c, _d in docs if c)
        # dedupe alone: the documents' mentions through the in-memory candidate index
        t_dedupe, n_events = Timer(), 0
        if CandidateIndex is not None:
            index = CandidateIndex()
            w, c = time.perf_counter(), time.process_time()
            for mentions in readings:
                if not mentions:
                    continue
                assignment = assign_mentions(mentions, index.candidates(mentions))
                for event in assignment.events:
                    index.add(event)
            t_dedupe.wall, t_dedupe.cpu = time.perf_counter() - w, time.process_time() - c
            n_events = len(index)
        results[name] = {
            "docs": len(docs),
            "conflict_docs": n_conflict,
            "mentions": sum(len(m) for m in readings),
            "events": n_events,
            "language_docs_per_s": rate(len(docs), t_lang.wall),
            "language_cpu_s": t_lang.cpu,
            "extract_docs_per_s": rate(len(docs), t_ext.wall),
            "extract_cpu_s": t_ext.cpu,
            "extract_conflict_docs_per_s": rate(n_conflict, t_ext_conflict.wall),
            "extract_unrelated_docs_per_s": rate(len(docs) - n_conflict, t_ext.wall - t_ext_conflict.wall),
            "read_docs_per_s": rate(len(docs), t_lang.wall + t_ext.wall),
            "dedupe_index_docs_per_s": rate(len(docs), t_dedupe.wall) if n_events else None,
            "dedupe_cpu_s": t_dedupe.cpu,
        }
    return results


# ---------------------------------------------------------------- end to end (CLI)


def _workers(n: int) -> list[str]:
    return [] if n == 1 else ["--workers", str(n)]  # (so that a sitroom without the option runs too)


def run_cli(args: list[str]) -> dict[str, Any]:
    """Run ``sitroom ARGS`` as a child; wall time, CPU time and peak RSS (largest process)."""
    exe = Path(sys.executable).with_name("sitroom")
    t = time.perf_counter()
    proc = subprocess.Popen([str(exe), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    stdout = proc.stdout.read().decode() if proc.stdout else ""
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"sitroom {' '.join(args)} failed ({code}): {stderr[-2000:]}")
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "summary": stdout.strip().splitlines()[-1] if stdout.strip() else "",
    }


def section_e2e(
    work: Path, corpora: dict[str, tuple[Path, dict[str, int]]], workers: list[int]
) -> dict[str, Any]:
    """``sitroom ingest`` of each stream; rates are also given without the start-up (loading the
    data files, the first document of each language), measured on a one-document stream."""
    results: dict[str, Any] = {}
    one = work / "one.jsonl"
    firsts: dict[str, str] = {}  # the first conflict report of each language: every lexicon compiles
    for line in next(iter(corpora.values()))[0].read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        if "/conflict-" in doc["url"] and doc.get("language"):
            firsts.setdefault(doc["language"], line)
    one.write_text("".join(line + "\n" for line in firsts.values()), encoding="utf-8")
    startup = {
        w: run_cli(["--db", str(work / f"one-{w}.db"), "ingest", "-q", *_workers(w), str(one)])
        for w in workers
    }
    results["startup_s"] = {str(w): r["wall_s"] for w, r in startup.items()}
    for name, (path, counts) in corpora.items():
        for w in workers:
            db = work / f"e2e-{name}-{w}.db"
            run = run_cli(["--db", str(db), "ingest", "-q", *_workers(w), str(path)])
            steady = run["wall_s"] - startup[w]["wall_s"]
            run.update(
                docs=counts["docs"],
                conflict_docs=counts["conflict"],
                docs_per_s=rate(counts["docs"], run["wall_s"]),
                conflict_docs_per_s=rate(counts["conflict"], run["wall_s"]),
                steady_docs_per_s=rate(counts["docs"], steady),
                steady_conflict_docs_per_s=rate(counts["conflict"], steady),
            )
            results[f"{name}-workers{w}"] = run
        exports = []
        for w in workers:
            out = work / f"e2e-{name}-{w}.jsonl"
            run_cli(["--db", str(work / f"e2e-{name}-{w}.db"), "export", "--format", "jsonl", "-o", str(out)])
            exports.append(out.read_bytes())
        results[f"{name}-same-export"] = all(e == exports[0] for e in exports)
    return results


# ---------------------------------------------------------------- the real pipeline, timed inside


def section_pipeline(work: Path, path: Path, block: int) -> dict[str, Any]:
    """``Pipeline.ingest`` over ``path`` with each stage timed (wrapping the real functions)."""
    import sitroom.pipeline as pl
    from sitroom.extract.lexicon import available_languages, lexicon_for
    from sitroom.geocode import default_gazetteer
    from sitroom.ingest import read_paths
    from sitroom.store import open_store

    default_gazetteer()
    for lang in available_languages():
        lexicon_for(lang)
    timers = {k: Timer() for k in ("language", "extract", "candidates", "assign", "copies", "total")}
    originals = (pl.language_stage.resolve, pl.extract_document, pl.assign_mentions)
    methods = (pl.Pipeline._candidates, pl.Pipeline._link_copies)
    pl.language_stage.resolve = timers["language"].wrap(originals[0])  # type: ignore[assignment]
    pl.extract_document = timers["extract"].wrap(originals[1])  # type: ignore[assignment]
    pl.assign_mentions = timers["assign"].wrap(originals[2])  # type: ignore[assignment]
    pl.Pipeline._candidates = timers["candidates"].wrap(methods[0])  # type: ignore[method-assign]
    pl.Pipeline._link_copies = timers["copies"].wrap(methods[1])  # type: ignore[method-assign]
    blocks: list[dict[str, Any]] = []
    db = work / f"pipeline-{path.stem}.db"
    store = open_store(db)
    store.open()
    try:
        pipeline = pl.Pipeline(store)
        events = 0
        mark = {"docs": 0, "cand": 0.0, "cand_calls": 0, "t": time.perf_counter()}

        def outcome(o: pl.DocumentOutcome) -> None:
            nonlocal events
            events += len(o.created)
            mark["docs"] += 1
            if mark["docs"] % block == 0:
                blocks.append(
                    {
                        "docs": mark["docs"],
                        "events_in_store": events,
                        "docs_per_s": rate(block, time.perf_counter() - mark["t"]),
                        "candidates_ms_per_lookup": 1000
                        * (timers["candidates"].wall - mark["cand"])
                        / max(1, timers["candidates"].calls - mark["cand_calls"]),
                    }
                )
                mark.update(cand=timers["candidates"].wall, cand_calls=timers["candidates"].calls)
                mark["t"] = time.perf_counter()

        total = timers["total"]
        w, c = time.perf_counter(), time.process_time()
        summary = pipeline.ingest(read_paths([str(path)]), on_outcome=outcome)
        total.wall, total.cpu = time.perf_counter() - w, time.process_time() - c
    finally:
        store.close()
        pl.language_stage.resolve, pl.extract_document, pl.assign_mentions = originals  # type: ignore[assignment]
        pl.Pipeline._candidates, pl.Pipeline._link_copies = methods  # type: ignore[method-assign]
    inside = sum(timers[k].wall for k in ("language", "extract", "candidates", "assign", "copies"))
    n = summary.read
    return {
        "docs": n,
        "events": summary.events_created,
        "mentions": summary.mentions,
        "docs_per_s": rate(n, total.wall),
        "seconds": {k: t.wall for k, t in timers.items()} | {"store_and_rest": total.wall - inside},
        "stage_docs_per_s": {k: rate(n, t.wall) for k, t in timers.items() if k != "total"}
        | {"store_and_rest": rate(n, total.wall - inside)},
        "blocks": blocks,
    }


# ---------------------------------------------------------------- dedupe scaling


_TYPES = [
    ("Explosions/Remote violence", "Air/drone strike", 5),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack", 4),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED", 2),
    ("Battles", "Armed clash", 3),
    ("Violence against civilians", "Attack", 2),
    ("Strategic developments", "Disrupted weapons use", 1),
]
_COUNTRY_WEIGHTS = {
    "UA": 30,
    "RU": 6,
    "PS": 10,
    "IL": 3,
    "LB": 5,
    "SY": 8,
    "IQ": 4,
    "YE": 5,
    "SD": 6,
    "SO": 5,
    "ML": 3,
    "BF": 3,
    "NG": 4,
    "PK": 4,
    "AF": 2,
    "MM": 6,
    "CD": 4,
}
_ACTORS = {"UA": "Russian forces", "RU": "Ukrainian forces", "PS": "Israeli forces", "LB": "Israeli forces"}


def _synthetic_places(seed: int) -> dict[str, dict[str, list[Any]]]:
    """Real towns, admin1 divisions and countries from the packaged gazetteer, by country."""
    from sitroom.geocode.tables import TIER_ADMIN1, TIER_CITY, TIER_COUNTRY, default_directory, read_tables

    tables = read_tables(default_directory())
    by_cc: dict[str, dict[str, list[Any]]] = {
        cc: {"town": [], "admin1": [], "country": []} for cc in _COUNTRY_WEIGHTS
    }
    for place, tier, pop in zip(tables.places, tables.tiers, tables.populations, strict=True):
        cc = place.country_code
        if cc not in by_cc:
            continue
        if tier == TIER_CITY and pop >= 15_000 and place.latitude is not None:
            by_cc[cc]["town"].append(place)
        elif tier == TIER_ADMIN1:
            by_cc[cc]["admin1"].append(place)
        elif tier == TIER_COUNTRY:
            by_cc[cc]["country"].append(place)
    rng = random.Random(seed)
    for kinds in by_cc.values():
        rng.shuffle(kinds["town"])
    return {cc: kinds for cc, kinds in by_cc.items() if kinds["town"] and kinds["country"]}


def synthetic_mentions(n: int, per_day: int, seed: int) -> Iterator[list[Any]]:
    """About ``n`` mentions, ``per_day`` a day, one document's mentions at a time, in order.

    Each attack (a town, a day, a type, an attacker) is told by one to five documents,
    published on its day or up to three days later; a report sometimes names only the admin1
    or the country (5% each), has no place (4%), a week, month or year for a date (6%) or no
    date (1%), or is a day off (5%); a third of documents also recall a second attack.
    """
    from sitroom.records import Mention

    rng = random.Random(seed)
    places = _synthetic_places(seed)
    countries = list(places)
    weights = [_COUNTRY_WEIGHTS[cc] for cc in countries]
    start = date(2023, 1, 1)
    days = max(1, math.ceil(n / per_day))
    town_weights = {
        cc: [1 / (rank + 1) ** 0.8 for rank in range(len(places[cc]["town"]))] for cc in countries
    }
    pending: dict[int, list[list[Any]]] = {}
    made = doc_no = 0

    def attack(day: date) -> dict[str, Any]:
        cc = rng.choices(countries, weights)[0]
        towns = places[cc]["town"]
        town = rng.choices(towns, town_weights[cc])[0]  # a few towns see many of the attacks
        et, sub, _w = rng.choices(_TYPES, [t[2] for t in _TYPES])[0]
        return {
            "day": day,
            "cc": cc,
            "town": town,
            "type": et,
            "sub": sub,
            "actor": _ACTORS.get(cc, rng.choice(["Unidentified armed group", None])),
            "killed": rng.choice([None, 0, 1, 2, 3, 5, 8]),
        }

    def mention(doc: str, k: int, a: dict[str, Any], role: str) -> Any:
        roll = rng.random()
        place = a["town"]
        if roll < 0.05:
            admin1 = [p for p in places[a["cc"]]["admin1"] if p.admin1 == a["town"].admin1]
            place = admin1[0] if admin1 else places[a["cc"]]["country"][0]
        elif roll < 0.10:
            place = places[a["cc"]]["country"][0]
        elif roll < 0.14:
            place = None
        prec = rng.choices(["day", "week", "month", "year"], [94, 3, 2, 1])[0]
        day: date | None = a["day"] + timedelta(days=rng.choice([-1, 1])) if rng.random() < 0.05 else a["day"]
        if rng.random() < 0.01:
            day = None
        killed = a["killed"]
        if killed and rng.random() < 0.2:
            killed += 1
        return Mention(
            doc,
            role,
            a["type"],
            a["sub"],
            "synthetic",
            k * 100,
            k * 100 + 80,
            day,
            prec,
            place,  # type: ignore[arg-type]
            actor1=a["actor"],
            fatalities=killed,
            language="en",
        )

    recent: list[dict[str, Any]] = []
    for offset in range(days + 4):
        day = start + timedelta(days=offset)
        if offset < days:
            while made < n * (offset + 1) / days:
                a = attack(day)
                for _ in range(rng.choice([1, 1, 2, 2, 3, 3, 4, 5])):
                    doc_no += 1
                    doc = f"s{doc_no}"
                    ms = [mention(doc, 0, a, "main")]
                    if recent and rng.random() < 0.33:
                        ms.append(mention(doc, 1, rng.choice(recent), "background"))
                    made += len(ms)
                    pending.setdefault(offset + rng.choice([0, 0, 0, 1, 1, 2, 3]), []).append(ms)
                recent = [*recent[-200:], a]
        today = pending.pop(offset, [])
        rng.shuffle(today)
        yield from today


def _window_candidates(
    events: dict[str, Any], by_day: dict[date, set[str]], undated: set[str], ms: list[Any]
) -> list[Any]:
    """What Pipeline._candidates reads from the store: the whole search window, in its order."""
    dates = [m.event_date for m in ms if m.event_date is not None]
    found: dict[str, Any] = {}
    if dates:
        lo, hi = min(dates) - timedelta(days=40), max(dates) + timedelta(days=40)
        days = (lo + timedelta(days=i) for i in range((hi - lo).days + 1))
        for _d, eid in sorted((d, eid) for d in days for eid in by_day.get(d, ())):
            found[eid] = events[eid]
    if any(m.event_date is None for m in ms):
        for eid in sorted(undated):
            found[eid] = events[eid]
    return list(found.values())


def dedupe_run(n: int, per_day: int, seed: int, mode: str) -> dict[str, Any]:
    from sitroom import dedupe

    assign_mentions = dedupe.assign_mentions
    stream = list(synthetic_mentions(n, per_day, seed))
    mentions = sum(len(ms) for ms in stream)
    index = dedupe.CandidateIndex() if mode == "index" else None
    events: dict[str, Any] = {}
    by_day: dict[date, set[str]] = {}
    undated: set[str] = set()
    links: list[str] = []
    candidates_seen = 0
    w, c = time.perf_counter(), time.process_time()
    for ms in stream:
        cands = index.candidates(ms) if index is not None else _window_candidates(events, by_day, undated, ms)
        candidates_seen += len(cands)
        assignment = assign_mentions(ms, cands)
        links.extend(eid for _m, eid in assignment.links)
        for event in assignment.events:
            if index is not None:
                index.add(event)
            else:
                old = events.get(event.id)
                if old is not None:
                    (by_day.get(old.event_date, set()) if old.event_date else undated).discard(event.id)
                events[event.id] = event
                (by_day.setdefault(event.event_date, set()) if event.event_date else undated).add(event.id)
    wall, cpu = time.perf_counter() - w, time.process_time() - c
    n_events = len(index) if index is not None else len(events)
    return {
        "mode": mode,  # how candidates were found
        "mentions": mentions,
        "documents": len(stream),
        "events": n_events,
        "seconds": wall,
        "cpu_s": cpu,
        "us_per_mention": 1e6 * wall / mentions,
        "candidates_per_document": candidates_seen / len(stream),
        "peak_rss_mb": peak_rss_mb(),
        "links_digest": hash(tuple(links)),
    }


def section_dedupe(sizes: list[int], per_day: int, seed: int, window_max: int) -> dict[str, Any]:
    from sitroom import dedupe

    results: dict[str, Any] = {"per_day": per_day, "runs": []}
    indexed = hasattr(dedupe, "CandidateIndex")  # (not in a tree from before it)
    for n in sizes:
        run = None
        if indexed:
            run = dedupe_run(n, per_day, seed, "index")
            results["runs"].append(run)
            print(f"  dedupe index {n}: {run['seconds']:.1f}s", file=sys.stderr, flush=True)
        if n <= window_max:
            scan = dedupe_run(n, per_day, seed, "window")
            if run is not None:
                scan["same_links_as_index"] = scan["links_digest"] == run["links_digest"]
            results["runs"].append(scan)
            print(f"  dedupe window {n}: {scan['seconds']:.1f}s", file=sys.stderr, flush=True)
    base = results["runs"][0]
    for run in results["runs"]:
        m, m0 = run["mentions"], base["mentions"]
        run["time_over_n_log_n"] = run["seconds"] / (m * math.log(m)) * (m0 * math.log(m0)) / base["seconds"]
    return results


# ---------------------------------------------------------------- report


def markdown(report: dict[str, Any]) -> str:
    lines: list[str] = []
    env = report["environment"]
    lines += [
        f"Run {env['date']} on {env['nproc']} cores ({env['cpu']}), {env['memory']} memory, "
        f"Python {env['python']}, commit {env['commit']}; load average at start "
        f"{', '.join(f'{x:.2f}' for x in env['load_average'])}.",
        "",
    ]
    if "load" in report:
        r = report["load"]
        lines += [
            f"**Everything loaded** (gazetteer, 13 lexicons, language model, actors): "
            f"{r['seconds']:.1f} s, peak RSS {r['peak_rss_mb']:.0f} MB.",
            "",
        ]
    if "stages" in report:
        lines += [
            "| stream | docs | conflict | language docs/s | extract docs/s (conflict / other) "
            "| language+extract docs/s | dedupe (index) docs/s |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, r in report["stages"].items():
            lines.append(
                f"| {name} | {r['docs']} | {r['conflict_docs']} | {r['language_docs_per_s']:.0f} | "
                f"{r['extract_docs_per_s']:.0f} ({r['extract_conflict_docs_per_s']:.0f} / "
                f"{r['extract_unrelated_docs_per_s']:.0f}) | {r['read_docs_per_s']:.0f} | "
                f"{r['dedupe_index_docs_per_s'] or 0:.0f} |"
            )
        lines.append("")
    if "e2e" in report:
        lines += [
            "| `sitroom ingest` | docs | conflict | wall s | docs/s | conflict docs/s | without start-up: "
            "docs/s | conflict docs/s | CPU s | peak RSS MB |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, r in report["e2e"].items():
            if isinstance(r, dict) and "docs" in r:
                lines.append(
                    f"| {name} | {r['docs']} | {r['conflict_docs']} | {r['wall_s']:.1f} | "
                    f"{r['docs_per_s']:.0f} | {r['conflict_docs_per_s']:.0f} | "
                    f"{r['steady_docs_per_s']:.0f} | {r['steady_conflict_docs_per_s']:.0f} | "
                    f"{r['cpu_s']:.1f} | {r['peak_rss_mb']:.0f} |"
                )
        same = {k: v for k, v in report["e2e"].items() if not isinstance(v, dict)}
        startup = ", ".join(f"{v:.1f} s with {k} worker(s)" for k, v in report["e2e"]["startup_s"].items())
        lines += [
            "",
            f"Start-up (a stream of one report in each language): {startup}. Exports identical: {same}",
            "",
        ]
    if "pipeline" in report:
        for name, r in report["pipeline"].items():
            s = r["seconds"]
            lines += [
                f"Inside `Pipeline.ingest` ({name}, {r['docs']} docs, {r['docs_per_s']:.0f} docs/s): "
                + ", ".join(f"{k} {v:.1f} s" for k, v in s.items() if k != "total")
                + ".",
                "",
            ]
            if r["blocks"]:
                lines += [
                    "| docs ingested | events in store | docs/s in this block | store candidate look-up ms |",
                    "|---|---|---|---|",
                ]
                for b in r["blocks"]:
                    lines.append(
                        f"| {b['docs']} | {b['events_in_store']} | {b['docs_per_s']:.0f} | "
                        f"{b['candidates_ms_per_lookup']:.1f} |"
                    )
                lines.append("")
    if "dedupe" in report:
        lines += [
            f"Dedupe, synthetic mentions ({report['dedupe']['per_day']} a day):",
            "",
            "| candidates from | mentions | documents | events | seconds | µs/mention | "
            "candidates/doc | time ÷ (n log n), relative | peak RSS MB |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in report["dedupe"]["runs"]:
            source = "CandidateIndex" if r["mode"] == "index" else "whole window (scan)"
            lines.append(
                f"| {source} | {r['mentions']} | {r['documents']} | {r['events']} | {r['seconds']:.1f} | "
                f"{r['us_per_mention']:.0f} | {r['candidates_per_document']:.1f} | "
                f"{r['time_over_n_log_n']:.2f} | {r['peak_rss_mb']:.0f} |"
            )
        same = [r["same_links_as_index"] for r in report["dedupe"]["runs"] if "same_links_as_index" in r]
        if same:
            lines += ["", f"The scan attaches every mention to the same event as the index: {all(same)}."]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"sections: {','.join(SECTIONS)}")
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=30, help="days the generated streams span")
    parser.add_argument("--conflict-docs", type=int, default=1000, help="conflict-only stream size")
    parser.add_argument("--mixed-docs", type=int, default=10000, help="mixed stream size (90%% unrelated)")
    parser.add_argument("--workers", default="1,2", help="worker counts for the end-to-end runs")
    parser.add_argument("--dedupe-sizes", default="10000,100000,1000000")
    parser.add_argument("--dedupe-per-day", type=int, default=2700, help="synthetic mentions a day")
    parser.add_argument("--window-max", type=int, default=30000, help="largest size also run by scan")
    parser.add_argument("--block", type=int, default=250, help="documents per row of the pipeline table")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "latest.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.conflict_docs, args.mixed_docs = 200, 1000
        args.dedupe_sizes, args.window_max = "2000,10000", 2000
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    report: dict[str, Any] = {
        "environment": environment(),
        "arguments": vars(args) | {"json": str(args.json)},
    }
    with tempfile.TemporaryDirectory(prefix="sitroom-bench-") as tmp:
        work = Path(tmp)
        corpora: dict[str, tuple[Path, dict[str, int]]] = {}
        if {"e2e", "pipeline"} & set(sections):
            for name, n, share in (("conflict", args.conflict_docs, 0.0), ("mixed", args.mixed_docs, 0.9)):
                path = work / f"{name}.jsonl"
                corpora[name] = (path, write_corpus(path, n, share, args.seed, args.days))
        if "load" in sections:
            print("load ...", file=sys.stderr, flush=True)
            report["load"] = section_load()
        if "stages" in sections:
            print("stages ...", file=sys.stderr, flush=True)
            report["stages"] = section_stages(args.conflict_docs, args.mixed_docs, args.seed, args.days)
        if "e2e" in sections:
            print("e2e ...", file=sys.stderr, flush=True)
            workers = [int(w) for w in args.workers.split(",")]
            report["e2e"] = section_e2e(work, corpora, workers)
        if "pipeline" in sections:
            print("pipeline ...", file=sys.stderr, flush=True)
            report["pipeline"] = {
                name: section_pipeline(work, path, args.block) for name, (path, _c) in corpora.items()
            }
        if "dedupe" in sections:
            print("dedupe ...", file=sys.stderr, flush=True)
            sizes = [int(s) for s in args.dedupe_sizes.split(",")]
            report["dedupe"] = section_dedupe(sizes, args.dedupe_per_day, args.seed, args.window_max)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    print(markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
