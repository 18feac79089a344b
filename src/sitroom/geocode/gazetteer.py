"""The offline gazetteer: find place names in text and resolve names to ranked places.

:meth:`Gazetteer.scan` tokenises a text once and looks up n-grams of up to a few tokens in a
dictionary of normalised names (see :mod:`sitroom.geocode.text`). Matches are non-overlapping,
the longest wins, and several rules keep common words out:

* in cased scripts (Latin, Cyrillic, Greek) a match must start with a capital letter;
* ``stoplist.txt`` words never match on their own ("Most", "Central"), its phrases block
  everything inside them ("Al Jazeera", "Times of Israel"), and its soft entries ("Hit",
  "Reading") do not match at a sentence start or in a title-cased headline;
* all-capitals aliases ("US", "UAE") only match all-capitals text;
* a one-word name whose best candidate is a city is dropped when it reads as a surname:
  preceded by a capitalised word that is not a sentence start, a place or a demonym
  ("Lloyd Austin", "Mark Carney"); the same word is then dropped everywhere in that text.

Variants tried when the plain form fails: the part after an elision ("l'Irak"), the part before
a possessive or Turkish case suffix ("Iraq's", "Irak'ın"), Arabic and Hebrew proclitics
("والعراق", "בבגדד"), and crude Russian/Ukrainian case endings ("Харькове", "Харьковской области").
An admin1 name followed by an administrative word ("Anbar province", "Rostov region") or preceded
by an Arabic/Persian one ("محافظة نينوى") matches the admin1 subdivision only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sitroom.geocode.tables import (
    TIER_ADMIN1,
    TIER_CITY,
    TIER_COUNTRY,
    Tables,
    default_directory,
    ids_of,
    read_tables,
)
from sitroom.geocode.text import ARABIC_ARTICLES, cyrillic_stem, cyrillic_stems, name_key, script_of
from sitroom.geocode.tokens import (
    ADMIN_AFTER,
    ADMIN_BEFORE,
    ADMIN_WORDS,
    ARABIC_PROCLITICS,
    CYRILLIC_COUNTRIES,
    DEMONYM_SUFFIXES,
    HEBREW_PREFIXES,
    MAX_TOKENS,
    PLACE_LEADS,
    STEM_MIN_POP,
    Hit,
    Tokens,
    is_cased,
    tokenise,
)
from sitroom.records import Place

__all__ = ["Gazetteer", "PlaceMatch"]


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """A place name found in a text: ``text[start:end] == surface``; candidates best first."""

    start: int
    end: int
    surface: str
    candidates: tuple[Place, ...]


#: scripts whose tokens are also read without clitics, prefixes or endings (see _longest_at)
_AFFIXED_SCRIPTS = frozenset({"arabic", "hebrew", "cyrillic"})


class Gazetteer:
    """Place names and their candidates; build it with :meth:`load` (all I/O happens there)."""

    __slots__ = ("_firsts", "_max_tokens", "_prefixes", "_ranked", "_stem_index", "_stem_prefixes", "_t")

    def __init__(self, tables: Tables) -> None:
        self._t = tables
        self._ranked: dict[str, tuple[int, ...]] = {}
        prefixes: set[str] = set()
        longest = 1
        stem_index: dict[str, int | list[int]] = {}
        for key, value in tables.index.items():
            if " " in key:
                parts = key.split(" ")
                longest = max(longest, len(parts))
                prefix = parts[0]
                prefixes.add(prefix)
                for part in parts[1:-1]:
                    prefix += " " + part
                    prefixes.add(prefix)
            if "\u0400" <= key[0] <= "\u052f":
                # inflected readings only for places a Russian/Ukrainian text names often:
                # sites, countries, and places in Cyrillic-script countries
                ids = [
                    i
                    for i in ids_of(value)
                    if tables.tiers[i] <= TIER_COUNTRY
                    or (
                        tables.places[i].country_code in CYRILLIC_COUNTRIES
                        and (tables.tiers[i] != TIER_CITY or tables.populations[i] >= STEM_MIN_POP)
                    )
                ]
                if not ids:
                    continue
                stem = " ".join([cyrillic_stem(p) for p in key.split(" ")])
                current = stem_index.get(stem)
                if current is None:
                    stem_index[stem] = ids if len(ids) > 1 else ids[0]
                else:
                    known = ids_of(current)
                    stem_index[stem] = known + [i for i in ids if i not in known]
        for key in tables.stoplist | tables.soft_stoplist:
            parts = key.split(" ")
            longest = max(longest, len(parts))
            for n in range(1, len(parts)):
                prefixes.add(" ".join(parts[:n]))
        stem_prefixes: set[str] = set()
        for stem in stem_index:
            parts = stem.split(" ")
            for n in range(1, len(parts)):
                stem_prefixes.add(" ".join(parts[:n]))
        self._prefixes = frozenset(prefixes)
        # the first token of every name, stoplist phrase and prefix: a token not among them
        # starts no name (see _longest_at)
        self._firsts = frozenset(
            key.split(" ", 1)[0]
            for keys in (tables.index, tables.stoplist, tables.soft_stoplist, prefixes)
            for key in keys
        )
        self._stem_index = stem_index
        self._stem_prefixes = frozenset(stem_prefixes)
        self._max_tokens = min(longest, MAX_TOKENS)

    @classmethod
    def load(cls, directory: Path | None = None) -> Gazetteer:
        """Read the packaged gazetteer (or the one in ``directory``)."""
        return cls(read_tables(directory or default_directory()))

    @property
    def size(self) -> int:
        """Number of places."""
        return len(self._t.places)

    # ------------------------------------------------------------------------------------------
    # ranking

    def _rank(self, ids: list[int] | set[int], key: str | None = None) -> list[int]:
        """Hand-written site > airport > country > admin1 > city; then a place whose own name is
        ``key`` before one that has it only as an alternate name ("Pokrovsk" in Ukraine before
        Engels, once called Pokrovsk); then by population.

        A city ranks above an admin1 of its country with the same name when it lies in it ("Kirkuk",
        "Idlib") or is at least half as populous ("Kyiv", the city, before Kyiv Oblast).
        """
        t = self._t

        def own_name(i: int) -> bool:
            if key is None:
                return True
            own = name_key(t.places[i].name)
            return own == key or own.removeprefix("al ") == key

        order = sorted(
            set(ids),
            key=lambda i: (t.tiers[i], not own_name(i), -t.populations[i], t.places[i].gazetteer_id or ""),
        )
        for pos, i in enumerate(order):
            if t.tiers[i] != TIER_ADMIN1:
                continue
            adm = t.places[i]
            for later in range(pos + 1, len(order)):
                j = order[later]
                city = t.places[j]
                if (
                    t.tiers[j] == TIER_CITY
                    and city.country_code == adm.country_code
                    and (
                        city.admin1 == adm.name
                        or (own_name(j) and 2 * t.populations[j] >= t.populations[i])  # "Kyiv"
                    )
                ):
                    order.insert(pos, order.pop(later))
                    break
        return order

    def _hit_ids(self, hit: Hit) -> tuple[int, ...]:
        cache_key = ("\x00" if hit.stem else "") + ("\x01" if hit.admin1_only else "") + hit.key
        cached = self._ranked.get(cache_key)
        if cached is None:
            ids = self._rank(
                ids_of((self._stem_index if hit.stem else self._t.index).get(hit.key)),
                None if hit.stem else hit.key,
            )
            if hit.admin1_only:
                ids = [i for i in ids if self._t.tiers[i] == TIER_ADMIN1]
            cached = tuple(ids)
            self._ranked[cache_key] = cached
        return cached

    # ------------------------------------------------------------------------------------------
    # scanning

    def scan(self, text: str, lang: str = "en") -> list[PlaceMatch]:
        """Place names in ``text``: non-overlapping, longest first, in text order.

        The rules depend on the script of each token, so ``lang`` is only a hint and every
        language gets the same treatment (Arabic-script and Hebrew clitics are always tried).
        """
        del lang
        toks = tokenise(text)
        n = len(toks.norms)
        hits: list[Hit] = []
        k = 0
        while k < n:
            hit = self._longest_at(toks, k)
            if hit is None or (not hit.blocked and not self._capitalised(text, toks, hit)):
                # "the Red Sea", "occupied West Bank": try again from the next token
                k += 1
                continue
            hits.append(hit)
            k = hit.last + 1
        return self._accept(text, toks, hits)

    @staticmethod
    def _capitalised(text: str, toks: Tokens, hit: Hit) -> bool:
        """In cased scripts a name starts with a capital; a leading "al-"/"el-"/"ash-" article
        may be lowercase ("al-Qaim"), but not an English word that folds like one ("at Ain")."""
        lead = hit.first
        while lead < hit.last and toks.norms[lead] in ARABIC_ARTICLES:
            raw = text[toks.starts[lead] : toks.ends[lead]].lower()
            gap = text[toks.ends[lead] : toks.starts[lead + 1]]
            if raw not in ("al", "el") and gap not in ("-", "‐", "‑"):
                break
            lead += 1
        lead_char = text[max(hit.start, toks.starts[lead])]
        return not is_cased(lead_char) or lead_char.isupper()

    def _longest_at(self, toks: Tokens, k: int) -> Hit | None:
        norms = toks.norms
        tok = norms[k]
        if (
            tok not in self._firsts
            and k not in toks.tails
            and k not in toks.heads
            and script_of(tok[0]) not in _AFFIXED_SCRIPTS
        ):
            # no name, stoplist phrase or prefix starts with this token, it has no part after or
            # before an apostrophe, and its script has no clitics or stems to strip: the
            # _extend below (of the token alone) would find nothing
            return None
        firsts: list[tuple[str, int]] = [(tok, toks.starts[k])]
        if k in toks.tails:
            firsts.append(toks.tails[k])
        script = script_of(tok[0])
        if script == "arabic":
            if tok in ADMIN_BEFORE and k + 1 < len(norms) and toks.joinable[k]:
                inner = self._longest_at(toks, k + 1)
                if inner is not None and not inner.blocked:
                    admin = Hit(
                        k, inner.last, toks.starts[k], inner.end, inner.key, stem=inner.stem, admin1_only=True
                    )
                    if self._hit_ids(admin):
                        return admin
            firsts.extend(
                (tok[len(p) :], toks.starts[k] + len(p))
                for p in ARABIC_PROCLITICS
                if tok.startswith(p) and len(tok) - len(p) >= 3
            )
        elif script == "hebrew" and tok[0] in HEBREW_PREFIXES and len(tok) >= 4:
            firsts.append((tok[1:], toks.starts[k] + 1))
            if tok[1] in HEBREW_PREFIXES and len(tok) >= 5:
                firsts.append((tok[2:], toks.starts[k] + 2))
        best: Hit | None = None
        for first, start in firsts:
            hit = self._extend(toks, k, first, start, self._t.index, self._prefixes)
            if hit is None and script == "cyrillic":
                for reading in cyrillic_stems(first):
                    hit = self._extend(
                        toks, k, reading, start, self._stem_index, self._stem_prefixes, stem=True
                    )
                    if hit is not None:
                        break
            if hit is not None and (best is None or hit.last > best.last):
                best = hit
        if best is not None and best.blocked and best.first == best.last and best.key in self._t.index:
            # "Rivers State", "Bay region": a stoplisted word followed by an administrative word
            plain = Hit(best.first, best.last, best.start, best.end, best.key)
            extended = self._with_admin_word(toks, plain)
            if extended is not plain:
                return extended
        if best is not None and not best.blocked:
            best = self._with_admin_word(toks, best)
        return best

    def _with_admin_word(self, toks: Tokens, hit: Hit) -> Hit:
        """Extend "Anbar" to "Anbar province" (admin1 candidates only) when the next word says so."""
        nxt = hit.last + 1
        if nxt >= len(toks.norms) or not toks.joinable[hit.last] or hit.end != toks.ends[hit.last]:
            return hit
        word = toks.norms[nxt]
        if word not in ADMIN_AFTER and cyrillic_stem(word) not in ADMIN_AFTER:
            return hit
        admin = Hit(hit.first, nxt, hit.start, toks.ends[nxt], hit.key, stem=hit.stem, admin1_only=True)
        return admin if self._hit_ids(admin) else hit

    def _extend(
        self,
        toks: Tokens,
        k: int,
        first: str,
        start: int,
        index: dict[str, int | list[int]],
        prefixes: frozenset[str],
        *,
        stem: bool = False,
    ) -> Hit | None:
        """The longest name starting at token ``k`` whose first token reads ``first``."""
        stoplist: set[str] = set() if stem else self._t.stoplist
        norms = toks.norms
        n = len(norms)
        heads = {} if stem else toks.heads
        plain_first = first == norms[k]
        best: Hit | None = None
        key = first
        j = k
        while True:
            if key in stoplist:
                best = Hit(k, j, start, toks.ends[j], key, blocked=True)
            elif key in index:
                best = Hit(k, j, start, toks.ends[j], key, stem=stem)
            elif j in heads and (j > k or plain_first):
                # the part before an apostrophe completes the name ("Iraq's", "Ain al-Asad's")
                head_key = (key.rsplit(" ", 1)[0] + " " if j > k else "") + heads[j][0]
                if head_key in index:
                    best = Hit(k, j, start, heads[j][1], head_key, stem=stem)
            if j + 1 >= n or j + 1 - k >= self._max_tokens or not toks.joinable[j]:
                break
            readings = cyrillic_stems(norms[j + 1]) if stem else (norms[j + 1],)
            longer = next(
                (key + " " + r for r in readings if (key + " " + r) in prefixes or (key + " " + r) in index),
                "",
            )
            if longer or (not stem and key + " " + norms[j + 1] in stoplist):
                key = longer or key + " " + norms[j + 1]
                j += 1
                continue
            if j + 1 in heads:
                head_key = key + " " + heads[j + 1][0]
                if head_key in index:
                    best = Hit(k, j + 1, start, heads[j + 1][1], head_key, stem=stem)
            break
        return best

    def _accept(self, text: str, toks: Tokens, hits: list[Hit]) -> list[PlaceMatch]:
        t = self._t
        covered: set[int] = set()
        for h in hits:
            if not h.blocked:
                covered.update(range(h.first, h.last + 1))
        kept: list[tuple[Hit, tuple[int, ...]]] = []
        surnames: set[str] = set()
        for h in hits:
            if h.blocked:
                continue
            cased = is_cased(text[h.start])
            single = h.first == h.last
            if (
                single
                and h.key in t.soft_stoplist
                and (toks.sentence_start[h.first] or self._in_headline(text, h.start))
            ):
                continue
            if single and h.key in t.demonyms and self._demonym_only(h.key):
                continue  # "Somali forces": a demonym, not the place
            ids = self._hit_ids(h)
            caps_only = t.caps_only.get(h.key)
            if caps_only and not all(ch.isupper() for ch in text[h.start : h.end] if ch.isalpha()):
                ids = tuple(i for i in ids if i not in caps_only)
            if not ids:
                continue
            if (
                single
                and cased
                and t.tiers[ids[0]] in (TIER_CITY, TIER_ADMIN1)
                and self._reads_as_surname(text, toks, h.first, covered)
            ):
                surnames.add(h.key)
                continue
            kept.append((h, ids))
        out: list[PlaceMatch] = []
        for h, ids in kept:
            if h.first == h.last and h.key in surnames:
                continue
            start = h.start
            # include a transliterated Arabic article written before the name ("al-Tanf")
            before = h.first - 1
            if before >= 0 and toks.norms[before] in ARABIC_ARTICLES and before not in covered:
                gap = text[toks.ends[before] : toks.starts[h.first]]
                raw = text[toks.starts[before] : toks.ends[before]].lower()
                if gap in ("-", "‐", "‑") or (raw in ("al", "el") and gap == " "):
                    start = toks.starts[before]
            out.append(PlaceMatch(start, h.end, text[start : h.end], tuple(t.places[i] for i in ids)))
        return out

    def _demonym_only(self, key: str) -> bool:
        """A demonym that is not also a country's own name ("Myanmar") or capitals alias ("US")."""
        code = self._t.demonyms[key]
        name = self._t.country_names.get(code, "")
        return key != name_key(name) and key not in self._t.caps_only

    def _reads_as_surname(self, text: str, toks: Tokens, k: int, covered: set[int]) -> bool:
        if k == 0 or toks.sentence_start[k] or not toks.joinable[k - 1]:
            return False
        prev = k - 1
        if prev in covered or toks.sentence_start[prev] or toks.norms[prev] in PLACE_LEADS:
            return False
        word = text[toks.starts[prev] : toks.ends[prev]]
        if not word[:1].isupper() or text[toks.ends[prev] : toks.starts[k]] != " ":
            return False
        if self.demonym(word) is not None:
            return False
        return not self._in_headline(text, toks.starts[k])

    @staticmethod
    def _in_headline(text: str, pos: int) -> bool:
        """True when the line around ``pos`` reads as a headline: short, title-cased, no final full
        stop ("Drone Strike Hits Base Near Erbil")."""
        line_start = text.rfind("\n", 0, pos) + 1
        line_end = text.find("\n", pos)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        words = [w for w in re.findall(r"[^\W\d_]+", line) if len(w) > 3]
        if len(words) < 3 or len(line) > 160 or line.rstrip().endswith((".", '."', ".”")):
            return False
        capitalised = sum(1 for w in words if w[0].isupper())
        return capitalised / len(words) >= 0.7

    # ------------------------------------------------------------------------------------------
    # lookups

    def _key_ids(self, key: str) -> set[int]:
        t = self._t
        return set(ids_of(t.index.get(key))) | set(ids_of(t.lookup_index.get(key)))

    def lookup(self, name: str, *, country_code: str | None = None) -> list[Place]:
        """Ranked candidates for a name; places in ``country_code`` (if given) come first.

        Tries, in turn: the name as written; without a leading article ("al-Tanf", "the Gambia");
        without a trailing administrative word ("Anbar province", admin1 candidates only);
        Russian/Ukrainian case endings.
        """
        key = name_key(name)
        if not key:
            return []
        t = self._t
        ids = self._key_ids(key)
        parts = key.split(" ")
        if not ids and len(parts) > 1 and parts[0] in ARABIC_ARTICLES | {"the"}:
            ids = self._key_ids(" ".join(parts[1:]))
        if (
            not ids
            and len(parts) > 1
            and (parts[-1] in ADMIN_AFTER or cyrillic_stem(parts[-1]) in ADMIN_AFTER)
        ):
            ids = {i for i in self._lookup_ids(" ".join(parts[:-1])) if t.tiers[i] == TIER_ADMIN1}
        if not ids and script_of(key[0]) == "cyrillic":
            ids = set(ids_of(self._stem_index.get(" ".join(cyrillic_stem(p) for p in parts))))
        ranked = [t.places[i] for i in self._rank(ids, key)]
        if country_code:
            cc = country_code.upper()
            ranked = [p for p in ranked if p.country_code == cc] + [p for p in ranked if p.country_code != cc]
        return ranked

    def _lookup_ids(self, key: str) -> set[int]:
        ids = self._key_ids(key)
        parts = key.split(" ")
        if not ids and len(parts) > 1 and parts[0] in ARABIC_ARTICLES | {"the"}:
            ids = self._key_ids(" ".join(parts[1:]))
        return ids

    def country(self, code_or_name: str) -> Place | None:
        """The country for an ISO alpha-2/alpha-3 code or a name, with a representative point."""
        text = code_or_name.strip()
        t = self._t
        if len(text) == 2 and text.isalpha():
            idx = t.country_index.get(text.upper())
            if idx is not None:
                return t.places[idx]
        for place in self.lookup(text):
            if place.kind == "country":
                return place
        return None

    def admin1(self, country_code: str, name: str) -> Place | None:
        """The first-level subdivision called ``name`` ("Anbar", "Al Anbar", "Anbar province")."""
        cc = country_code.strip().upper()
        for place in self.lookup(name, country_code=cc):
            if place.kind == "admin1" and place.country_code == cc:
                return place
        key = name_key(name)
        for word in ADMIN_WORDS:
            if key.endswith(" " + word):
                return self.admin1(cc, key[: -len(word) - 1])
        return None

    def demonym(self, word: str) -> str | None:
        """ISO code for a demonym or adjective: "Iraqi" -> "IQ", "Saudi-led" -> "SA", "Syrians" -> "SY"."""
        key = name_key(word)
        if not key:
            return None
        demonyms = self._t.demonyms
        found = demonyms.get(key)
        if found is None and " " in key and key.rsplit(" ", 1)[1] in DEMONYM_SUFFIXES:
            key = key.rsplit(" ", 1)[0]
            found = demonyms.get(key)
        if found is None and key.endswith("s"):
            found = demonyms.get(key[:-1])
        return found

    def country_name(self, code: str) -> str | None:
        """English short name as ACLED spells it: "IR" -> "Iran", "CD" -> "Democratic Republic of Congo"."""
        return self._t.country_names.get(code.strip().upper())
