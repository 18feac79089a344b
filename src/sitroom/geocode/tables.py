"""Reading the packaged gazetteer files into in-memory tables (all file I/O of the geocoder).

Files in the gazetteer directory (see ``scripts/build_gazetteer.py`` for the generated ones):

* ``countries.tsv``, ``admin1.tsv``, ``airports.tsv``, ``cities.tsv.gz``: generated layers, keys
  already normalised;
* ``sites.tsv``: hand-written named sites, regions and seas (aliases normalised here);
* ``demonyms.tsv``: hand-written demonym → ISO country code;
* ``stoplist.txt``: hand-written words and phrases that never match as a place in running text.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sitroom.errors import DataFileError
from sitroom.geocode.text import NORMALISER_VERSION, name_key
from sitroom.records import GEO_PRECISIONS, GeoPrecision, Place

__all__ = [
    "FORMAT_VERSION",
    "GENERATED_FILES",
    "Tables",
    "default_directory",
    "ids_of",
    "read_tables",
]

FORMAT_VERSION = 1
GENERATED_FILES = ("countries.tsv", "admin1.tsv", "airports.tsv", "cities.tsv.gz")
_COLUMNS = (
    "id",
    "name",
    "kind",
    "precision",
    "country_code",
    "admin1",
    "lat",
    "lon",
    "population",
    "keys",
    "lookup_keys",
)
_SITE_COLUMNS = (
    "id",
    "name",
    "aliases",
    "kind",
    "precision",
    "country_code",
    "admin1",
    "lat",
    "lon",
    "same_as",
)
_HEADER = re.compile(r"^# sitroom-gazetteer\tformat=(\d+)\tnormaliser=(\d+)\t")

#: Ranking tiers: hand-written site > airport/air base > country > admin1 > city.
TIER_SITE, TIER_AIRPORT, TIER_COUNTRY, TIER_ADMIN1, TIER_CITY = range(5)
_TIER_BY_FILE = {
    "countries.tsv": TIER_COUNTRY,
    "admin1.tsv": TIER_ADMIN1,
    "airports.tsv": TIER_AIRPORT,
    "cities.tsv.gz": TIER_CITY,
}


def default_directory() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "gazetteer"


@dataclass(slots=True)
class Tables:
    """Everything the :class:`~sitroom.geocode.Gazetteer` needs, already parsed."""

    places: list[Place] = field(default_factory=list)
    tiers: list[int] = field(default_factory=list)
    populations: list[int] = field(default_factory=list)
    #: normalised key -> place index (or list of indices), for keys scan() may match
    index: dict[str, int | list[int]] = field(default_factory=dict)
    #: normalised key -> place index (or list of indices), for keys only lookup() uses
    lookup_index: dict[str, int | list[int]] = field(default_factory=dict)
    #: key -> places that match only an all-capitals surface ("US", "UAE")
    caps_only: dict[str, set[int]] = field(default_factory=dict)
    country_names: dict[str, str] = field(default_factory=dict)
    country_index: dict[str, int] = field(default_factory=dict)  # ISO2 -> place index
    demonyms: dict[str, str] = field(default_factory=dict)
    #: keys that never match on their own in running text
    stoplist: set[str] = field(default_factory=set)
    #: keys that do not match at a sentence start or in a title-cased line ("Hit", "Reading")
    soft_stoplist: set[str] = field(default_factory=set)


def ids_of(value: int | list[int] | None) -> list[int]:
    """The place indices stored under one key."""
    if value is None:
        return []
    if isinstance(value, int):
        return [value]
    return value


def _insert(index: dict[str, int | list[int]], key: str, idx: int) -> None:
    current = index.get(key)
    if current is None:
        index[key] = idx
    elif isinstance(current, int):
        if current != idx:
            index[key] = [current, idx]
    elif idx not in current:
        current.append(idx)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                yield from enumerate(fh, start=1)
        else:
            with path.open(encoding="utf-8") as fh:
                yield from enumerate(fh, start=1)
    except FileNotFoundError as exc:
        raise DataFileError(
            "gazetteer file is missing; run scripts/build_gazetteer.py", source=str(path)
        ) from exc
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise DataFileError(f"cannot read gazetteer file: {exc}", source=str(path)) from exc


def _float(value: str, path: Path, lineno: int) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError as exc:
        raise DataFileError(f"bad coordinate {value!r}", source=f"{path}:{lineno}") from exc


def _precision(value: str, path: Path, lineno: int) -> GeoPrecision:
    for p in GEO_PRECISIONS:
        if p == value:
            return p
    raise DataFileError(f"unknown precision {value!r}", source=f"{path}:{lineno}")


class _Builder:
    def __init__(self) -> None:
        self.t = Tables()

    def add_place(self, place: Place, tier: int, population: int) -> int:
        self.t.places.append(place)
        self.t.tiers.append(tier)
        self.t.populations.append(population)
        return len(self.t.places) - 1

    def add_key(self, key: str, idx: int, *, scan: bool = True) -> None:
        if key.startswith("^"):
            key = key[1:]
            self.t.caps_only.setdefault(key, set()).add(idx)
        if key:
            _insert(self.t.index if scan else self.t.lookup_index, key, idx)


def _read_generated(b: _Builder, path: Path, tier: int, same_as: dict[str, int]) -> None:
    t = b.t
    lines = _lines(path)
    first = next(lines, None)
    m = _HEADER.match(first[1]) if first else None
    if not m:
        raise DataFileError("not a sitroom gazetteer file (bad first line)", source=str(path))
    if int(m.group(1)) != FORMAT_VERSION or int(m.group(2)) != NORMALISER_VERSION:
        raise DataFileError(
            f"built with format {m.group(1)}/normaliser {m.group(2)}, this sitroom reads format "
            f"{FORMAT_VERSION}/normaliser {NORMALISER_VERSION}; rerun scripts/build_gazetteer.py",
            source=str(path),
        )
    second = next(lines, None)
    if second is None or tuple(second[1].rstrip("\n").split("\t")) != _COLUMNS:
        raise DataFileError("unexpected column header", source=str(path))
    country_names = t.country_names
    index, lookup_index, caps_only = t.index, t.lookup_index, t.caps_only
    places, tiers, populations = t.places, t.tiers, t.populations
    precisions: dict[str, GeoPrecision] = {p: p for p in GEO_PRECISIONS}
    for lineno, line in lines:
        fields = line.rstrip("\n").split("\t")
        if len(fields) != 11:
            raise DataFileError(f"expected 11 columns, found {len(fields)}", source=f"{path}:{lineno}")
        pid, name, kind, precision, cc, admin1, lat, lon, pop, keys, lookup_keys = fields
        target = same_as.get(pid)
        if target is None:
            if tier == TIER_COUNTRY:
                country_names[cc] = name
            try:
                place = Place(
                    name=name,
                    precision=precisions[precision],
                    country=country_names.get(cc) if cc else None,
                    country_code=cc or None,
                    admin1=admin1 or None,
                    latitude=float(lat) if lat else None,
                    longitude=float(lon) if lon else None,
                    kind=kind,
                    gazetteer_id=pid,
                )
                population = int(pop) if pop else 0
            except (KeyError, ValueError) as exc:
                raise DataFileError(f"bad value: {exc}", source=f"{path}:{lineno}") from exc
            target = len(places)
            places.append(place)
            tiers.append(tier)
            populations.append(population)
            if tier == TIER_COUNTRY:
                t.country_index[cc] = target
        for key_field, target_index in ((keys, index), (lookup_keys, lookup_index)):
            if not key_field:
                continue
            get = target_index.get
            for key in key_field.split("|"):
                if key[0] == "^":
                    key = key[1:]
                    caps_only.setdefault(key, set()).add(target)
                current = get(key)
                if current is None:
                    target_index[key] = target
                elif isinstance(current, int):
                    if current != target:
                        target_index[key] = [current, target]
                elif current[-1] != target:
                    current.append(target)


def _expand_site_alias(alias: str) -> list[str]:
    out = [alias]
    if re.search(r"(?i)\bair base\b", alias):
        out.append(re.sub(r"(?i)\bair base\b", "Airbase", alias))
    elif re.search(r"(?i)\bairbase\b", alias):
        out.append(re.sub(r"(?i)\bairbase\b", "Air Base", alias))
    return out


def _is_caps(alias: str) -> bool:
    letters = [ch for ch in alias if ch.isalpha()]
    return 1 < len(letters) <= 5 and all(ch.isupper() for ch in letters)


def _read_sites(b: _Builder, path: Path) -> dict[str, int]:
    """Parse sites.tsv; return ``same_as`` id -> site place index."""
    same_as: dict[str, int] = {}
    seen: set[str] = set()
    header: tuple[str, ...] | None = None
    for lineno, line in _lines(path):
        text = line.rstrip("\n")
        if not text.strip() or text.startswith("#"):
            continue
        fields = text.split("\t")
        if header is None:
            header = tuple(fields)
            if header != _SITE_COLUMNS:
                raise DataFileError(f"expected columns {_SITE_COLUMNS}", source=f"{path}:{lineno}")
            continue
        if len(fields) != len(header):
            raise DataFileError(
                f"expected {len(header)} columns, found {len(fields)}", source=f"{path}:{lineno}"
            )
        rec = dict(zip(header, fields, strict=True))
        sid = rec["id"]
        if not sid.startswith("site:") or sid in seen:
            raise DataFileError(f"bad or duplicate site id {sid!r}", source=f"{path}:{lineno}")
        seen.add(sid)
        cc = rec["country_code"]
        if cc and cc not in b.t.country_names:
            raise DataFileError(f"unknown country code {cc!r}", source=f"{path}:{lineno}")
        lat, lon = _float(rec["lat"], path, lineno), _float(rec["lon"], path, lineno)
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise DataFileError("a site needs valid lat and lon", source=f"{path}:{lineno}")
        place = Place(
            name=rec["name"],
            precision=_precision(rec["precision"], path, lineno),
            country=b.t.country_names.get(cc) if cc else None,
            country_code=cc or None,
            admin1=rec["admin1"] or None,
            latitude=lat,
            longitude=lon,
            kind=rec["kind"],
            gazetteer_id=sid,
        )
        idx = b.add_place(place, TIER_SITE, 0)
        names = [rec["name"], *(a for a in rec["aliases"].split("|") if a.strip())]
        for alias in names:
            for variant in _expand_site_alias(alias.strip()):
                key = name_key(variant)
                if not key:
                    raise DataFileError(f"alias {variant!r} has no letters", source=f"{path}:{lineno}")
                b.add_key("^" + key if _is_caps(variant) else key, idx)
        for other in rec["same_as"].split("|"):
            if other.strip():
                same_as[other.strip()] = idx
    if header is None:
        raise DataFileError("no header line", source=str(path))
    return same_as


def _read_demonyms(t: Tables, path: Path) -> None:
    header_seen = False
    for lineno, line in _lines(path):
        text = line.rstrip("\n")
        if not text.strip() or text.startswith("#"):
            continue
        fields = text.split("\t")
        if not header_seen:
            header_seen = True
            if fields[:2] != ["demonym", "country_code"]:
                raise DataFileError("expected header 'demonym<TAB>country_code'", source=f"{path}:{lineno}")
            continue
        if len(fields) < 2 or not fields[0].strip():
            raise DataFileError("expected 'demonym<TAB>country_code'", source=f"{path}:{lineno}")
        cc = fields[1].strip()
        if cc not in t.country_names:
            raise DataFileError(f"unknown country code {cc!r}", source=f"{path}:{lineno}")
        key = name_key(fields[0])
        previous = t.demonyms.get(key)
        if previous is not None and previous != cc:
            raise DataFileError(f"demonym {fields[0]!r} given two countries", source=f"{path}:{lineno}")
        t.demonyms[key] = cc


def _read_stoplist(t: Tables, path: Path) -> None:
    """One word or phrase a line; a leading ``?`` marks a soft entry; ``#`` starts a comment."""
    for _lineno, line in _lines(path):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        soft = text.startswith("?")
        key = name_key(text[1:] if soft else text)
        if key:
            (t.soft_stoplist if soft else t.stoplist).add(key)


def read_tables(directory: Path) -> Tables:
    """Read every gazetteer file in ``directory``; raise :class:`DataFileError` on any problem."""
    if not directory.is_dir():
        raise DataFileError("gazetteer directory not found", source=str(directory))
    b = _Builder()
    # Countries first: every other layer needs the country names. Sites next so that their
    # ``same_as`` entries can absorb the matching airport rows.
    _read_generated(b, directory / "countries.tsv", TIER_COUNTRY, {})
    same_as = _read_sites(b, directory / "sites.tsv")
    for name in GENERATED_FILES[1:]:
        _read_generated(b, directory / name, _TIER_BY_FILE[name], same_as)
    _read_demonyms(b.t, directory / "demonyms.tsv")
    _read_stoplist(b.t, directory / "stoplist.txt")
    return b.t
