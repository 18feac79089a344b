"""Write a large, reproducible news stream for the benchmarks (JSON Lines, ``../shared/CONTRACT.md``).

    python benchmarks/generate.py --docs 20000 --unrelated 0.5 --seed 1 -o /tmp/stream.jsonl

Conflict reports: every event (a place, a day, a kind of attack, an attacker, casualty figures)
is told by one to five reports, each in a language of its own choosing (en, fr, es, de, ru, ar,
tr) and in its own words, published on the day of the event or up to three days later, with the
date written relative to the publication date ("yesterday", "on Tuesday", "le 14 juillet"), and
the figures sometimes differing between reports. A few reports are verbatim wire copies of
another outlet's report. Places come from the hand-written list in ``templates.json`` (with their
names in every language) and from towns of the same countries in the packaged gazetteer (Latin
script languages only). Unrelated news (sport, economy, weather, politics, labour strikes) is
written from templates in the same languages; some of it uses the words of war ("strike",
"shot", "hit", "grève", "Schuss").

The stream is ordered by publication time, like a feed. Everything follows from ``--seed``:
the same arguments give byte-identical output. ``--truth`` writes ``doc_id<TAB>event`` lines.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates.json"
GAZETTEER_CITIES = HERE.parent / "src" / "sitroom" / "data" / "gazetteer" / "cities.tsv.gz"
LANGUAGES = ("en", "fr", "es", "de", "ru", "ar", "tr")
LANGUAGE_WEIGHTS = {"en": 5, "fr": 2, "es": 2, "de": 2, "ru": 2, "ar": 2, "tr": 1}
TOPICS = ("sport", "economy", "weather", "politics", "strike")
OUTLETS = {
    "en": ["wire.example.com", "dailynews.example.org", "worldreport.example.net"],
    "fr": ["depeches.example.fr", "lequotidien.example.fr"],
    "es": ["noticias.example.es", "eldiario.example.com"],
    "de": ["nachrichten.example.de", "tagesblatt.example.de"],
    "ru": ["novosti.example.ru", "lenta.example.ru"],
    "ar": ["akhbar.example.com", "alyawm.example.net"],
    "tr": ["haber.example.com.tr", "gundem.example.com.tr"],
}
_RU_TARGET_DATIVE = {
    "жилой дом": "жилому дому",
    "электростанцию": "электростанции",
    "склад": "складу",
    "школу": "школе",
    "рынок": "рынку",
    "нефтебазу": "нефтебазе",
    "больницу": "больнице",
}
_ALTERNATIVES = re.compile(r"\[([^\[\]]*\|[^\[\]]*)\]")
_NAMES = ["Anna Petrova", "John Davison", "Maria Lopez", "Omar Hassan", "Lena Fischer", "Ali Demir"]


@dataclass(frozen=True, slots=True)
class Place:
    theatre: str
    weight: float
    names: dict[str, Any]  # language -> name (ru: [nominative, "в <prepositional>"])

    def languages(self) -> list[str]:
        return [lang for lang in LANGUAGES if lang in self.names]


@dataclass(frozen=True, slots=True)
class Event:
    key: str
    day: date
    place: Place
    kind: str
    actor: str
    group: str | None
    killed: int
    wounded: int
    count: int


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _ru_plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


class Generator:
    def __init__(self, seed: int, *, gazetteer_places: bool = True) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.t: dict[str, Any] = json.loads(TEMPLATES.read_text(encoding="utf-8"))
        self.places = [
            Place(p["theatre"], float(p["weight"]), {k: v for k, v in p.items() if k in LANGUAGES})
            for p in self.t["places"]
        ]
        if gazetteer_places and GAZETTEER_CITIES.exists():
            self.places += self._gazetteer_places()
        # the gazetteer's towns together get a third of the events: the named places stay frequent
        hand = sum(p.weight for p in self.places if p.names.get("ru"))
        extra = [p for p in self.places if not p.names.get("ru")]
        self.place_weights = [
            p.weight if p.names.get("ru") else hand / 2 / max(1, len(extra)) for p in self.places
        ]
        self.n_events = 0

    # -- places ------------------------------------------------------------------------------

    def _gazetteer_places(self) -> list[Place]:
        """Towns of the conflict countries from the packaged gazetteer, named in Latin script."""
        theatres: dict[str, str] = self.t["gazetteer_theatres"]
        known = {p.names["en"] for p in self.places}
        found: list[Place] = []
        with gzip.open(GAZETTEER_CITIES, "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#") or line.startswith("id\t"):
                    continue
                cols = line.rstrip("\n").split("\t")
                name, code, population = cols[1], cols[4], cols[8]
                if code not in theatres or not population.isdigit() or int(population) < 80_000:
                    continue
                if name in known or not re.fullmatch(r"[A-Z][A-Za-z' -]+", name):
                    continue
                known.add(name)
                found.append(
                    Place(theatres[code], 0.4, {lang: name for lang in ("en", "fr", "es", "de", "tr")})
                )
        found.sort(key=lambda p: p.names["en"])
        return found

    # -- events ------------------------------------------------------------------------------

    def event(self, day: date) -> Event:
        rng = self.rng
        place = rng.choices(self.places, self.place_weights)[0]
        theatre = self.t["theatres"][place.theatre]
        kinds = list(theatre["kinds"])
        kind = rng.choices(kinds, [theatre["kinds"][k] for k in kinds])[0]
        actor = rng.choice(theatre["actors"])
        groups = theatre.get("groups") or []
        group = rng.choice(groups) if groups and kind in ("ied", "suicide", "clash") else None
        killed = 0 if kind == "intercept" else rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 12, 20])
        wounded = 0 if kind == "intercept" else rng.choice([1, 2, 3, 4, 5, 7, 9, 14, 25])
        count = rng.choice([3, 5, 6, 8, 12, 15, 20, 25]) if kind == "intercept" else 0
        self.n_events += 1
        return Event(f"ev{self.seed}-{self.n_events}", day, place, kind, actor, group, killed, wounded, count)

    # -- wording -----------------------------------------------------------------------------

    def _number(self, lang: str, n: int, *, words: bool = True) -> str:
        table = self.t["languages"][lang].get("numbers")
        if words and table and n < len(table) and self.rng.random() < 0.6:
            return str(table[n])
        return str(n)

    def _counted(self, lang: str, n: int, noun: str) -> str:
        """'three people', '3 человека', '5 أشخاص'."""
        spec = self.t["languages"][lang]
        if lang == "ru":
            forms = {
                "people": ("человек", "человека", "человек"),
                "soldiers": ("военный", "военных", "военных"),
                "drones": ("беспилотник", "беспилотника", "беспилотников"),
            }[noun]
            return f"{n} {_ru_plural(n, *forms)}"
        if lang == "ar":
            one, two, few, many = {
                "people": ("شخص", "شخصين", "أشخاص", "شخصا"),
                "soldiers": ("جندي", "جنديين", "جنود", "جنديا"),
            }[noun]
            return one if n == 1 else two if n == 2 else f"{n} {few}" if n <= 10 else f"{n} {many}"
        if lang == "tr":
            return f"{n} {'kişi' if noun == 'people' else 'asker'}"
        forms = spec[noun]
        word = self._number(lang, n)
        if n == 1 and lang == "es" and noun == "soldiers":
            word = "un"
        if n == 1 and lang == "de" and noun == "soldiers":
            word = "ein"
        return f"{word} {forms[0] if n == 1 else forms[1]}"

    def _when(self, lang: str, event_day: date, published: date) -> str:
        spec = self.t["languages"][lang]
        delta = (published - event_day).days
        if delta == 0:
            options = spec["when_today"]
        elif delta == 1:
            options = spec["when_yesterday"]
        elif self.rng.random() < 0.25:
            options = spec["when_date"]
        else:
            options = spec["when_weekday"]
        return str(self.rng.choice(options)).format(
            weekday=spec["weekdays"][event_day.weekday()],
            day=event_day.day,
            month=spec["months"][event_day.month - 1],
        )

    def _person(self, lang: str) -> str:
        spec = self.t["languages"][lang]
        return f"{self.rng.choice(spec['first_names'])} {self.rng.choice(spec['last_names'])}"

    def _fill(self, template: str, slots: dict[str, Any]) -> str:
        """Choose among ``[a|b|c]`` alternatives, then fill the ``{slots}``."""
        rng = self.rng
        template = _ALTERNATIVES.sub(lambda m: rng.choice(m.group(1).split("|")), template)
        lang = str(slots.get("_lang"))
        spec = self.t["languages"][lang]
        fresh = {
            "person": self._person(lang),
            "hour": f"{rng.randint(0, 23):02d}:{rng.choice([0, 10, 15, 20, 30, 40, 45, 50]):02d}",
            "km": rng.choice([5, 8, 12, 15, 20, 25, 30, 40, 60]),
            "n2": rng.choice([3, 4, 6, 10, 12, 40, 95, 150]),
            "n3": rng.randint(2, 12),
            "rank": rng.choice(["second", "third", "fourth", "fifth"]),
            "age": rng.randint(19, 34),
            "crowd": f"{rng.randint(8, 75)},{rng.randint(0, 999):03d}",
            "company": rng.choice(spec.get("companies", ["Globex"])),
            "month": rng.choice(spec["months"]),
        }
        text = template.format(**{**fresh, **slots})
        text = re.sub(r"\s{2,}", " ", text).replace(" ,", ",").replace(" .", ".")
        if slots.get("_lang") == "en":
            text = re.sub(r"\b([Aa]) (?=[AEIOaeio])", r"\1n ", text)
        return _cap(text.strip())

    def _slots(self, lang: str, ev: Event, published: date) -> dict[str, Any]:
        rng = self.rng
        spec = self.t["languages"][lang]
        names = ev.place.names[lang]
        if lang == "ru":
            place, in_place = names
        else:
            place, in_place = names, spec["in_place"].format(place=names)
        target = rng.choice(spec["targets"])
        n = self._number(lang, ev.count, words=False) if ev.count else ""
        slots: dict[str, Any] = {
            "_lang": lang,
            "A": self.t["actors"][ev.actor][lang],
            "G": self.t["groups"][ev.group][lang] if ev.group else "",
            "place": place,
            "in_place": in_place,
            "in_place_cap": _cap(in_place),
            "target": target,
            "target_dat": _RU_TARGET_DATIVE.get(target, target),
            "source": rng.choice(spec["sources"]),
            "k": ev.killed,
            "w": self._number(lang, ev.wounded) if lang in ("en", "fr", "es", "de") else ev.wounded,
            "n": n,
            "n_cap": _cap(n),
        }
        when = self._when(lang, ev.day, published)
        slots["when"], slots["when_cap"] = when, _cap(when)
        if lang in ("en", "fr", "es", "de", "ru", "ar", "tr"):
            slots["k_people"] = self._counted(lang, ev.killed, "people")
            slots["were"] = "was" if ev.killed == 1 else "were"
            slots["w_people"] = self._counted(lang, max(ev.wounded, 1), "people")
            slots["k_soldiers"] = self._counted(lang, ev.killed, "soldiers")
        if lang == "ru":
            slots["n_drones"] = self._counted(lang, ev.count, "drones")
        if lang in ("fr", "es"):
            dead, injured = spec["dead"], spec["injured"]
            k, w = self._number(lang, ev.killed), self._number(lang, max(ev.wounded, 1))
            if lang == "es" and k == "una":
                k = "un"
            if lang == "es" and w == "una":
                w = "un"
            slots["k_dead"] = f"{k} {dead[0] if ev.killed == 1 else dead[1]}"
            slots["w_injured"] = f"{w} {injured[0] if ev.wounded <= 1 else injured[1]}"
        return slots

    def report(self, ev: Event, lang: str, published: datetime, index: int) -> dict[str, Any]:
        """One report of ``ev`` in ``lang``: a lead, follow-ups, background, maybe a claim."""
        rng = self.rng
        spec = self.t["languages"][lang]
        # another outlet's figures: sometimes one more or one fewer dead
        if ev.killed > 2 and rng.random() < 0.2:
            ev = Event(**{**_fields(ev), "killed": ev.killed + rng.choice([-1, 1, 2])})
        slots = self._slots(lang, ev, published.date())
        lead = self._fill(rng.choice(spec["lead"][ev.kind]), slots)
        if lang == "en" and rng.random() < 0.25:
            head = str(slots["place"]).upper()
            lead = f"{head} — {lead}"
        paragraphs = [lead]
        follows = rng.sample(spec["follow"], k=min(len(spec["follow"]), rng.randint(1, 3)))
        paragraphs.append(" ".join(self._fill(s, slots) for s in follows[:2]))
        if ev.group and rng.random() < 0.5:
            paragraphs.append(self._fill(spec["claim"], slots))
        if rng.random() < 0.7:
            paragraphs.append(" ".join(rng.sample(spec["background"], k=rng.randint(1, 2))))
        if len(follows) > 2:
            paragraphs.append(self._fill(follows[2], slots))
        if lang == "en" and rng.random() < 0.3:
            a, b = rng.sample(_NAMES, 2)
            paragraphs.append(f"Reporting by {a}; Editing by {b}")
        title_slots = {**slots, "place": slots["place"], "k": ev.killed, "n": ev.count}
        title = self._fill(rng.choice(spec["titles"][ev.kind]), title_slots)
        return self._document(lang, published, title, "\n\n".join(paragraphs), index, "conflict")

    def unrelated(self, lang: str, published: datetime, index: int) -> dict[str, Any]:
        rng = self.rng
        spec = self.t["languages"][lang]
        topic = rng.choice(TOPICS)
        block = spec["unrelated"][topic]
        city = rng.choice(spec["cities"])
        city_name, in_city = (city[0], city[1]) if isinstance(city, list) else (city, city)
        team1, team2 = rng.sample(spec["teams"], 2)
        weekday = spec["weekdays"][published.weekday()]
        weekday_on = f"on {weekday}" if lang == "en" else weekday
        slots = {
            "_lang": lang,
            "city": city_name,
            "in_city": in_city,
            "team1": team1,
            "team2": team2,
            "s1": rng.randint(1, 4),
            "s2": rng.randint(0, 2),
            "pct": rng.choice(["1.8", "2.4", "3.1", "4.5", "5.25", "0.7"]) if lang != "fr" else "2,4",
            "n": rng.choice([120, 250, 480, 1200, 3500, 8000]),
            "n2": rng.choice([40, 95, 150, 210]),
            "temp": rng.choice([-5, 12, 28, 35, 38, 41]),
            "weekday": weekday,
            "weekday_on": weekday_on,
        }
        sentences = rng.sample(block["sentences"], k=rng.randint(4, min(7, len(block["sentences"]))))
        cut = rng.randint(1, max(1, len(sentences) - 1))
        body = [
            " ".join(self._fill(s, slots) for s in sentences[:cut]),
            " ".join(self._fill(s, slots) for s in sentences[cut:]),
        ]
        title = self._fill(rng.choice(block["titles"]), slots)
        return self._document(lang, published, title, "\n\n".join(p for p in body if p), index, topic)

    def _document(
        self, lang: str, published: datetime, title: str, text: str, index: int, kind: str
    ) -> dict[str, Any]:
        rng = self.rng
        outlet = rng.choice(OUTLETS[lang])
        roll = rng.random()
        hint: str | None = lang if roll < 0.88 else None if roll < 0.98 else rng.choice(LANGUAGES)
        return {
            "id": f"b{self.seed}-{index:08d}",
            "url": f"https://{outlet}/{published:%Y/%m/%d}/{kind}-{index}",
            "language": hint,
            "published": published.isoformat(timespec="seconds") if rng.random() > 0.01 else None,
            "title": title,
            "text": text,
        }


def _fields(ev: Event) -> dict[str, Any]:
    return {name: getattr(ev, name) for name in Event.__slots__}


def generate(
    docs: int,
    *,
    unrelated: float = 0.5,
    seed: int = 1,
    start: date = date(2024, 3, 1),
    days: int = 60,
    copies: float = 0.04,
    truth: TextIO | None = None,
) -> Iterator[dict[str, Any]]:
    """``docs`` documents (a share ``unrelated`` of them unrelated news), in publication order."""
    gen = Generator(seed)
    rng = gen.rng
    n_unrelated = round(docs * unrelated)
    n_conflict = docs - n_unrelated
    langs = list(LANGUAGE_WEIGHTS)
    lang_weights = [LANGUAGE_WEIGHTS[lang] for lang in langs]
    pending: dict[date, list[tuple[datetime, dict[str, Any], str]]] = {}
    index = 0
    conflict_left, unrelated_left = n_conflict, n_unrelated
    for offset in range(days):
        day = start + timedelta(days=offset)
        days_left = days - offset
        quota = conflict_left // days_left + (
            1 if rng.random() < (conflict_left % days_left) / days_left else 0
        )
        conflict_left -= quota
        while quota > 0:
            ev = gen.event(day)
            n_reports = min(quota, rng.choice([1, 1, 2, 2, 2, 3, 3, 4, 5]))
            quota -= n_reports
            first: dict[str, Any] | None = None
            for _ in range(n_reports):
                pub_day = day + timedelta(days=rng.choice([0, 0, 0, 1, 1, 1, 2, 3]))
                if pub_day >= start + timedelta(days=days):
                    pub_day = day
                stamp = datetime(
                    pub_day.year, pub_day.month, pub_day.day, rng.randint(6, 23), rng.randint(0, 59)
                )
                index += 1
                if first is not None and rng.random() < copies:
                    doc = {**first, "id": f"b{seed}-{index:08d}", "title": first["title"] + " (wire)"}
                    doc["url"] = f"https://copy.example.com/{pub_day:%Y/%m/%d}/conflict-{index}"
                else:
                    lang = rng.choices(
                        [x for x in langs if x in ev.place.names],
                        [w for x, w in zip(langs, lang_weights, strict=True) if x in ev.place.names],
                    )[0]
                    doc = gen.report(ev, lang, stamp, index)
                first = first or doc
                pending.setdefault(pub_day, []).append((stamp, doc, ev.key))
        per_day = unrelated_left // days_left
        if offset == days - 1:
            per_day = unrelated_left
        unrelated_left -= per_day
        for _ in range(per_day):
            stamp = datetime(day.year, day.month, day.day, rng.randint(0, 23), rng.randint(0, 59))
            index += 1
            lang = rng.choices(langs, lang_weights)[0]
            pending.setdefault(day, []).append((stamp, gen.unrelated(lang, stamp, index), ""))
        today = sorted(pending.pop(day, []), key=lambda item: (item[0], item[1]["id"]))
        for _stamp, doc, key in today:
            if truth is not None:
                truth.write(f"{doc['id']}\t{key}\n")
            yield doc
    for day in sorted(pending):  # nothing is published after the last day, but be safe
        for _stamp, doc, key in sorted(pending[day], key=lambda item: (item[0], item[1]["id"])):
            if truth is not None:
                truth.write(f"{doc['id']}\t{key}\n")
            yield doc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000, help="number of documents (default 10000)")
    parser.add_argument("--unrelated", type=float, default=0.5, help="share of unrelated news (0..1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2024, 3, 1), help="first day")
    parser.add_argument("--days", type=int, default=60, help="days the stream spans")
    parser.add_argument("--copies", type=float, default=0.04, help="share of verbatim wire copies")
    parser.add_argument("--truth", type=Path, help="also write doc_id<TAB>event key lines here")
    parser.add_argument("-o", "--output", type=Path, help="output file (default: standard output)")
    args = parser.parse_args(argv)
    out = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    truth = args.truth.open("w", encoding="utf-8") if args.truth else None
    try:
        for doc in generate(
            args.docs,
            unrelated=args.unrelated,
            seed=args.seed,
            start=args.start,
            days=args.days,
            copies=args.copies,
            truth=truth,
        ):
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")
    finally:
        if args.output:
            out.close()
        if truth is not None:
            truth.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
