"""Actor dictionary: canonical names with aliases in any script (``data/actors.json``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from sitroom.errors import DataFileError
from sitroom.extract.text import AlternationReader, finditer_via, fold_chars, trie_alternation

__all__ = ["ActorDictionary", "ActorHit", "actor_dictionary"]

UNIDENTIFIED = "Unidentified armed group"


@dataclass(frozen=True, slots=True)
class ActorHit:
    start: int
    end: int
    name: str  # canonical
    kind: str  # "state" or "armed group"
    country: str | None


@dataclass(frozen=True, slots=True, eq=False)
class ActorDictionary:
    pattern_ci: AlternationReader  # case-insensitive aliases (longer than 4 characters)
    pattern_cs: re.Pattern[str]  # case-sensitive aliases (acronyms such as IDF, RSF, SDF)
    scan_ci: re.Pattern[str]  # the same aliases as prefix trees: where the patterns match
    scan_cs: re.Pattern[str]
    by_alias: dict[str, tuple[str, str, str | None]]
    demonym_forces: dict[str, str]  # ISO2 -> canonical state forces name

    def find(self, text: str) -> list[ActorHit]:
        hits: list[ActorHit] = []
        taken: list[tuple[int, int]] = []
        for pattern, scan in ((self.pattern_ci, self.scan_ci), (self.pattern_cs, self.scan_cs)):
            for m in finditer_via(scan, pattern, text):
                if any(not (m.end() <= s or m.start() >= e) for s, e in taken):
                    continue
                key = m.group(0) if pattern is self.pattern_cs else fold_chars(m.group(0).lower())
                entry = self.by_alias.get(key)
                if entry is None:
                    continue
                name, kind, country = entry
                hits.append(ActorHit(m.start(), m.end(), name, kind, country))
                taken.append((m.start(), m.end()))
        hits.sort(key=lambda h: h.start)
        return hits

    def country_of(self, name: str | None) -> str | None:
        """The home country of a named non-state group ("Houthis" -> "YE")."""
        for entry in self.by_alias.values():
            if entry[0] == name and entry[1] != "state":
                return entry[2]
        return None

    def forces_of(self, country_code: str | None) -> str | None:
        if not country_code:
            return None
        return self.demonym_forces.get(country_code.upper())


@cache
def actor_dictionary(extra: tuple[tuple[str, str], ...] = ()) -> ActorDictionary:
    """The packaged actor dictionary, plus ``extra`` (alias, canonical name) pairs from a lexicon."""
    path = resources.files("sitroom") / "data" / "actors.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataFileError(f"cannot read the actor dictionary: {exc}", source=str(path)) from exc
    by_alias: dict[str, tuple[str, str, str | None]] = {}
    ci: list[str] = []
    cs: list[str] = []
    for actor in data["actors"]:
        entry = (str(actor["name"]), str(actor["kind"]), actor.get("country"))
        for alias in [actor["name"], *actor["aliases"]]:
            if len(alias) <= 4 and alias.upper() == alias:
                cs.append(alias)
                by_alias.setdefault(alias, entry)
            else:
                ci.append(fold_chars(alias))
                by_alias.setdefault(fold_chars(alias.lower()), entry)

    known = {str(a["name"]): (str(a["name"]), str(a["kind"]), a.get("country")) for a in data["actors"]}
    for alias, name in extra:
        found = known.get(name)
        if found is None:
            raise DataFileError(
                f"lexicon actor alias {alias!r} names unknown actor {name!r}", source=str(path)
            )
        ci.append(fold_chars(alias))
        by_alias.setdefault(fold_chars(alias.lower()), found)

    def build(words: list[str], flags: int) -> re.Pattern[str]:
        body = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
        return re.compile(rf"(?<!\w)(?:{body})(?!\w)", flags)

    def reader(words: list[str], flags: int) -> AlternationReader:
        """``build(words, flags)``, compiled only in part, for the phrases where a scan found one."""
        ordered = sorted(set(words), key=len, reverse=True)
        return AlternationReader(
            [(w, re.escape(w)) for w in ordered], prefix=r"(?<!\w)(?:", suffix=r")(?!\w)", flags=flags
        )

    def scan(words: list[str], flags: int) -> re.Pattern[str]:
        body = trie_alternation([re.escape(ch) for ch in w] for w in set(words))
        return re.compile(rf"(?<!\w)(?:{body})(?!\w)", flags)

    pattern_ci, pattern_cs = reader(ci, re.IGNORECASE), build(cs, 0)
    # an empty alias would match an empty string: scan with the whole alternation itself
    # (finditer_via then runs its finditer)
    scan_ci = scan(ci, re.IGNORECASE) if ci and all(ci) else pattern_ci.whole
    scan_cs = scan(cs, 0) if cs and all(cs) else pattern_cs
    return ActorDictionary(
        pattern_ci=pattern_ci,
        pattern_cs=pattern_cs,
        scan_ci=scan_ci,
        scan_cs=scan_cs,
        by_alias=by_alias,
        demonym_forces={str(k): str(v) for k, v in data["demonyms"].items()},
    )
