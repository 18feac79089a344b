"""Read a whole document: every attack it reports, one mention per date and place.

Steps: mask boilerplate and the dateline; split sentences; read each sentence
(:mod:`sitroom.extract.sentence`); give each reading its dates (relative ones resolved
against the publication date and the narrative's current date) and its places (from the
sentence, else from the paragraph); split lists of dates or distant places into several
mentions; merge readings that tell the same attack; label the main and background events.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache, lru_cache

from sitroom.extract.actors import UNIDENTIFIED, ActorDictionary, actor_dictionary
from sitroom.extract.dates import DateHit, find_dates
from sitroom.extract.lexicon import Lexicon, lexicon_for, may_hold_trigger, non_event_scan
from sitroom.extract.sentence import DISRUPTED, EVENT_TYPE_OF, SentenceReading, read_sentence
from sitroom.extract.text import Sentence, fold_letters, split_sentences
from sitroom.geo import place_km
from sitroom.geocode import Gazetteer, PlaceMatch, default_gazetteer
from sitroom.records import DatePrecision, Document, Mention, Place, Role, Span

__all__ = ["extract_document"]

_PRECISION_RANK = {"site": 0, "town": 1, "admin1": 2, "country": 3}
_DATE_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
_DATELINE = re.compile(
    r"^\s*(?:date\s+\d{4}-\d\d(?:-\d\d)?\s+)?\(?"  # an archive's date marker
    r"[A-Z][A-Z'’.\- ]{2,40}(?:\s*\([^)]{1,40}\))?(?:,\s*[A-Z][\w'’.\- ]{1,40}?)?(?:,\s*\w+\.?\s+\d{1,2})?"
    r"\)?\s*(?:\(\w+\)\s*)?(?:[—–:]|-{1,2}\s)\s*",
    re.MULTILINE,
)
_SPLIT_KM = 25.0
#: when readings of one attack disagree, the more specific weapon wins (ACLED's precedence)
_SUB_RANK = {
    "Suicide bomb": 8,
    "Air/drone strike": 7,
    "Shelling/artillery/missile attack": 6,
    "Remote explosive/landmine/IED": 5,
    "Grenade": 4,
    "Abduction/forced disappearance": 3,
    "Attack": 2,
    "Armed clash": 2,
    "Disrupted weapons use": 0,
}


@dataclass(slots=True)
class _Candidate:
    sentence: Sentence
    reading: SentenceReading
    value: date | None
    precision: DatePrecision
    own_date: bool
    places: list[Place]
    own_place: bool
    spans: list[Span] = field(default_factory=list)
    merged: int = 1


def places_compatible(a: Place | None, b: Place | None) -> bool:
    """True when two places can be the place of one attack."""
    if a is None or b is None:
        return True
    if a.gazetteer_id and a.gazetteer_id == b.gazetteer_id:
        return True
    if a.country_code and b.country_code and a.country_code != b.country_code:
        return False
    coarse, fine = (a, b) if _PRECISION_RANK[a.precision] >= _PRECISION_RANK[b.precision] else (b, a)
    if coarse.precision == "country":
        return True
    if coarse.precision == "admin1":
        return (
            not fine.admin1 or not coarse.admin1 or fine.admin1 == coarse.admin1 or fine.name == coarse.name
        )
    d = place_km(a, b)
    return d is not None and d <= _SPLIT_KM


def _boilerplate_ranges(text: str, lex: Lexicon) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped and lex.boilerplate.search(stripped):
            ranges.append((pos, pos + len(line)))
        pos += len(line)
    return ranges


def _dateline_ranges(text: str) -> list[tuple[int, int]]:
    """Datelines ("ERBIL, Kurdistan Region —", "BANGKOK:") at the start of the first lines."""
    ranges: list[tuple[int, int]] = []
    pos = 0
    for line in text[:1500].splitlines(keepends=True)[:8]:
        m = _DATELINE.match(line)
        if m and m.group(0).strip(" —–:-()").split(",")[0].split("(")[0].strip().isupper():
            ranges.append((pos, pos + m.end()))
        pos += len(line)
    return ranges


def _is_headline(sent: Sentence, text: str) -> bool:
    """A title line: alone on its line, no final punctuation, mostly capitalised words."""
    line_start = text.rfind("\n", 0, sent.start) + 1
    line_end = text.find("\n", sent.end)
    line = text[line_start : line_end if line_end >= 0 else len(text)].strip()
    if line != sent.text.strip() or line[-1:] in '.!?"”’»)':
        return False
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", line)]
    caps = sum(1 for w in words if w[:1].isupper())
    return len(words) <= 25 and (caps >= 0.5 * len(words) or len(words) <= 12)


def _clauses(sent: Sentence, lex: Lexicon) -> list[tuple[int, int, bool]]:
    """Split "X responded to a missile attack on Y" into the response and the attack answered."""
    m = lex.response.search(sent.text)
    if not m or not lex.trigger_any.search(sent.text, m.end()):
        return [(sent.start, sent.end, False)]
    return [(sent.start, sent.start + m.end(), True), (sent.start + m.end(), sent.end, True)]


def _inside(pos: int, ranges: list[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in ranges)


@cache
def _reporting_patterns(lex: Lexicon) -> tuple[int, re.Pattern[str], re.Pattern[str]] | None:
    """(speech window, verb before a date, verb after a date) of a lexicon, compiled once."""
    verbs = lex.raw.get("reporting_verbs", [])
    if not verbs:
        return None
    window = int(lex.raw.get("speech_window", 30))
    alt = "|".join(re.escape(v) for v in verbs)
    return (
        window,
        re.compile(rf"\b(?:{alt})\s+(?:\w+\s+)?(?:on\s+|late\s+|early\s+)?$"),
        re.compile(rf"^[\s,]*(?:\w+\s+){{0,4}}?(?:{alt})\b"),
    )


def _is_reporting_date(sentence: str, hit: DateHit, lex: Lexicon) -> bool:
    patterns = _reporting_patterns(lex)
    if patterns is None:
        return False
    window, verb_before, verb_after = patterns
    before = sentence[max(0, hit.start - window) : hit.start].lower()
    after = sentence[hit.end : hit.end + window].lower()
    return bool(verb_before.search(before)) or bool(verb_after.match(after))


def _choose_places(matches: list[PlaceMatch], doc_countries: dict[str, int]) -> list[Place]:
    """One resolved place per match, candidates ranked by the document's countries."""
    chosen: list[Place] = []
    for m in matches:
        best = m.candidates[0]
        if len(m.candidates) > 1 and doc_countries:
            in_doc = [c for c in m.candidates if c.country_code in doc_countries]
            if in_doc:
                best = in_doc[0]
        chosen.append(best)
    return chosen


def _most_specific(places: list[Place]) -> list[Place]:
    """Collapse a sentence's places to the distinct, most specific places it names."""
    if not places:
        return []
    ordered = sorted(places, key=lambda p: _PRECISION_RANK[p.precision])
    kept: list[Place] = []
    for p in ordered:
        if any(
            places_compatible(p, k) and _PRECISION_RANK[k.precision] <= _PRECISION_RANK[p.precision]
            for k in kept
        ):
            continue
        kept.append(p)
    # a coarse place that contains a kept finer place is redundant; distinct fine places remain
    fine = [k for k in kept if k.precision in ("site", "town")]
    if fine:
        kept = fine + [
            k
            for k in kept
            if k.precision not in ("site", "town") and not any(places_compatible(k, f) for f in fine)
        ]
    return kept


def _merge_into(target: _Candidate, other: _Candidate) -> None:
    a, b = target.reading, other.reading
    sub = a.sub_event_type
    rank_a, rank_b = _SUB_RANK.get(sub, 0), _SUB_RANK.get(b.sub_event_type, 0)
    if rank_b > rank_a and (
        rank_a <= _SUB_RANK["Armed clash"] or b.sub_event_type == "Suicide bomb" or a.strength < b.strength
    ):
        sub = b.sub_event_type

    def pick(x: int | None, y: int | None) -> int | None:
        return x if x is not None else y

    actor1 = a.actor1 if a.actor1 not in (None, UNIDENTIFIED) else (b.actor1 or a.actor1)
    target.reading = replace(
        a,
        sub_event_type=sub,
        weapon=a.weapon if a.weapon and a.sub_event_type == sub else (b.weapon or a.weapon),
        strength=max(a.strength, b.strength),
        count=pick(a.count, b.count),
        fatalities=pick(a.fatalities, b.fatalities),
        injured=pick(a.injured, b.injured),
        intercepted=True if (a.intercepted or b.intercepted) else None,
        impact=a.impact or b.impact,
        hedged=a.hedged and b.hedged,
        claimed_by=a.claimed_by or b.claimed_by,
        actor1=actor1,
        actor2=a.actor2 or b.actor2,
    )
    if target.value is None or (
        other.value is not None
        and other.own_date
        and _DATE_RANK[other.precision] < _DATE_RANK[target.precision]
    ):
        target.value, target.precision = other.value, other.precision
    if other.places and (
        not target.places
        or _PRECISION_RANK[other.places[0].precision] < _PRECISION_RANK[target.places[0].precision]
    ):
        target.places = other.places
    if target.reading.generic and not other.reading.generic:
        target.reading = replace(target.reading, generic=False)
    target.spans.extend(other.spans)
    target.merged += 1


def _same_event(a: _Candidate, b: _Candidate) -> bool:
    if a.value is not None and b.value is not None:
        if a.precision == "day" and b.precision == "day" and a.value != b.value:
            return False
        if abs((a.value - b.value).days) > (31 if "month" in (a.precision, b.precision) else 7):
            return False
    pa = a.places[0] if a.places else None
    pb = b.places[0] if b.places else None
    if not places_compatible(pa, pb):
        return False
    ta, tb = EVENT_TYPE_OF[a.reading.sub_event_type], EVENT_TYPE_OF[b.reading.sub_event_type]
    if DISRUPTED in (a.reading.sub_event_type, b.reading.sub_event_type):
        return True
    wa, wb = a.reading.weapon_class, b.reading.weapon_class
    if (
        wa
        and wb
        and wa != wb
        and {wa, wb} & {"drone", "artillery", "rocket", "ied", "suicide"}
        and not ({wa, wb} <= {"drone", "airstrike"} or {wa, wb} <= {"rocket", "missile", "artillery"})
    ):
        return False  # "shelled the city" and "shot down 30 drones" are two stories
    if a.reading.generic or b.reading.generic or not (b.own_date or b.own_place):
        return True  # a generic or follow-up sentence may tell the same attack in other words
    return ta == tb or min(a.reading.strength, b.reading.strength) == 1


_MIN_SEGMENT_WORDS = 8


def language_segments(text: str, lang: str) -> list[tuple[int, int, str]]:
    """Stretches of ``text`` in one language: a report in one language quoting a paragraph in
    another is read with each paragraph's own lexicon. Short paragraphs keep ``lang``."""
    from sitroom import language as language_stage

    if "\n" not in text.strip():
        return [(0, len(text), lang)]
    segments: list[tuple[int, int, str]] = []
    for start, end in language_stage.paragraph_spans(text):
        own = lang
        # (a short paragraph keeps ``lang`` whatever its language: it is not detected)
        if len(text[start:end].split()) >= _MIN_SEGMENT_WORDS:
            found = language_stage.detect_short(text[start:end])
            if found and found != lang and lexicon_for(found) is not None:
                own = found
        if segments and segments[-1][2] == own:
            segments[-1] = (segments[-1][0], end, own)
        else:
            segments.append((segments[-1][1] if segments else 0, end, own))
    if not segments:
        return [(0, len(text), lang)]
    segments[-1] = (segments[-1][0], len(text), segments[-1][2])
    return segments


@cache
def _lexicon_actors(lex: Lexicon) -> ActorDictionary:
    """The actor dictionary with the lexicon's own aliases (built and looked up once per lexicon)."""
    return actor_dictionary(tuple(sorted(lex.raw.get("actors", {}).items())))


_DEMONYMS: tuple[Gazetteer, Callable[[str], str | None]] | None = None


def _demonym_lookup(gaz: Gazetteer) -> Callable[[str], str | None]:
    """``gaz.demonym`` remembering its answers (a pure lookup in the gazetteer's tables, asked
    for the same few words in every report); kept for the last gazetteer used."""
    global _DEMONYMS
    if _DEMONYMS is None or _DEMONYMS[0] is not gaz:
        _DEMONYMS = (gaz, lru_cache(maxsize=1 << 16)(gaz.demonym))
    return _DEMONYMS[1]


def _shifted(m: Mention, offset: int) -> Mention:
    spans = tuple(replace(sp, start=sp.start + offset, end=sp.end + offset) for sp in m.spans)
    return replace(m, start=m.start + offset, end=m.end + offset, spans=spans)


def extract_document(
    doc: Document,
    *,
    language: str | None = None,
    gazetteer: Gazetteer | None = None,
    actors: ActorDictionary | None = None,
) -> list[Mention]:
    """Every attack ``doc`` reports, as mentions with provenance."""
    if not may_hold_trigger(fold_letters(doc.text)):
        return []  # no trigger word of any language: no sentence of it can report an attack
    lang = (language or doc.language or "en").lower()
    segments = language_segments(doc.text, lang)
    if len(segments) == 1:
        return _extract(doc, segments[0][2], gazetteer, actors)
    mentions: list[Mention] = []
    for start, end, seg_lang in segments:
        part = replace(doc, text=doc.text[start:end], language=seg_lang)
        mentions.extend(_shifted(m, start) for m in _extract(part, seg_lang, gazetteer, actors))
    if mentions and not any(m.role == "main" for m in mentions):
        mentions[0] = replace(mentions[0], role="main")
    return mentions


def _extract(
    doc: Document, lang: str, gazetteer: Gazetteer | None, actors: ActorDictionary | None
) -> list[Mention]:
    lex = lexicon_for(lang)
    if lex is None:
        return []
    gaz = gazetteer or default_gazetteer()
    act = actors or _lexicon_actors(lex)
    text = fold_letters(doc.text)  # same length: offsets stay those of doc.text
    published = doc.published_date
    boiler = _boilerplate_ranges(text, lex)
    datelines = _dateline_ranges(text)
    corrections = [(m.start(), m.end()) for m in lex.corrections.finditer(text)]
    sentences = split_sentences(text)
    demonyms = _demonym_lookup(gaz)
    # a report that calls the blast an attack (or a bomb) elsewhere: its "explosion" is one
    attack_context = not non_event_scan(lex).search(text) and any(
        cls == "attack" or (cls in ("ied", "suicide") and not lex.is_weak(m.group(0).lower()))
        for m, cls in lex.triggers_in(text)
    )
    # read every sentence first: a text in which none reports an attack yields nothing, and
    # needs no places or dates (the readings are kept for the pass below)
    readings: dict[tuple[int, int], SentenceReading | None] = {}
    for sent in sentences:
        if _inside(sent.start, boiler) or any(sent.start <= a < sent.end for a, _ in corrections):
            continue
        for clause_start, clause_end, assume in _clauses(sent, lex):
            readings[(clause_start, clause_end)] = read_sentence(
                text[clause_start:clause_end],
                lex,
                act,
                demonyms,
                assume_violent=assume,
                attack_context=attack_context,
            )
    if all(r is None for r in readings.values()):
        return []
    matches = [
        m for m in gaz.scan(text, lang) if not _inside(m.start, datelines) and not _inside(m.start, boiler)
    ]
    if lex.place_aliases is not None:
        taken = [(m.start, m.start + len(m.surface)) for m in matches]
        for pm in lex.place_aliases.finditer(text):
            if any(not (pm.end() <= a or pm.start() >= b) for a, b in taken):
                continue
            name = lex.place_name(pm.group(0))
            found = gaz.lookup(name) if name else []
            if found:
                matches.append(PlaceMatch(pm.start(), pm.end(), pm.group(0), tuple(found)))
        matches.sort(key=lambda m: m.start)
    actor_ranges = [(h.start, h.end) for h in act.find(text)]
    # In Arabic script a country adjective can fold like a place's name ("روسية", Russian, like
    # "روسيا", Russia; "تركية", Turkish): where the lexicon reads the word as an adjective and no
    # preposition of place comes before it ("في سورية", in Syria), it says who attacked, not
    # where: no place, and no country of the story.
    adjectives = {
        (d.start(), d.end())
        for d in lex.demonyms_in(text, 0, len(text))
        if any("\u0600" <= ch <= "\u06ff" for ch in d.group(0))
    }
    matches = [
        m
        for m in matches
        if (m.start, m.start + len(m.surface)) not in adjectives
        or lex.is_locative(text[max(0, m.start - 60) : m.start])
    ]
    doc_countries: dict[str, int] = {}
    for m in matches:
        top = m.candidates[0]
        multi = len(re.findall(r"\w+", m.surface)) > 1
        if top.country_code and (
            top.precision in ("country", "admin1") or (multi and len(m.candidates) == 1)
        ):
            doc_countries[top.country_code] = doc_countries.get(top.country_code, 0) + 1
    year_hint = None
    if published is None:
        years = [int(y) for y in re.findall(r"\b(20[0-3]\d|19[5-9]\d)\b", text)]
        year_hint = max(years) if years else None

    date_words = {w.strip("*") for w in (*lex.months, *lex.weekdays)}
    starts = [s.start for s in sentences]

    def sentence_start(pos: int) -> int:
        i = bisect_right(starts, pos) - 1
        return starts[i] if i >= 0 else 0

    def placed(m: PlaceMatch) -> bool:
        """Is this name the place of something, not an adjective, a brand or a stray word?"""
        top = m.candidates[0]
        end = m.start + len(m.surface)
        if m.surface.lower().rstrip(".") in date_words:
            return False
        if _inside(m.start, actor_ranges) and not (
            # "in Israel": a country that is also an actor's name is the place after "in"
            top.precision == "country" and lex.is_inside(text[max(0, m.start - 40) : m.start])
        ):
            return False
        if top.precision == "country" and lex.is_attributive(text[end : end + 20]):
            return False
        single = len(re.findall(r"\w+", m.surface)) == 1
        if not (top.precision == "country" or single):
            return True
        return bool(
            lex.is_locative(text[max(0, m.start - 60, sentence_start(m.start)) : m.start])
            or lex.passive_after.match(text[end : end + 30].lstrip(" ,"))
        )

    basic = [m for m in matches if placed(m)]

    def homonym(m: PlaceMatch) -> bool:
        """A one-word town abroad, in a report about other countries, is more often a homonym
        (a capital city is not)."""
        top = m.candidates[0]
        if not (len(re.findall(r"\w+", m.surface)) == 1 and top.precision == "town" and doc_countries):
            return False
        if not lex.locative:
            return False  # a language whose place names carry case endings: no such evidence
        if any(c.country_code in doc_countries for c in m.candidates):
            return False
        home = gaz.country(top.country_code) if top.country_code else None
        distance = place_km(top, home) if home is not None else None
        return distance is None or distance > 10

    place_matches = [m for m in basic if not homonym(m)]
    focus: dict[str, int] = {}
    for m in place_matches:
        code = m.candidates[0].country_code
        if code:
            focus[code] = focus.get(code, 0) + 1
    cands: list[_Candidate] = []
    narrative: date | None = published
    paragraph_places: dict[int, list[Place]] = {}
    for sent in sentences:
        if _inside(sent.start, boiler):
            continue
        headline = _is_headline(sent, text)
        hits = [
            h
            for h in find_dates(sent.text, lex, published, year_hint=year_hint)
            if not h.excluded and h.kind != "year" and not _inside(sent.start + h.start, datelines)
        ]
        if any(sent.start <= a < sent.end for a, _ in corrections):
            # "A previous version of this story mistakenly said ...": what it retracts is not an
            # event, but its date sets the scene for the corrected sentence that follows
            days = [h.value for h in hits if h.value is not None and h.precision == "day"]
            narrative = days[-1] if days else narrative
            continue
        reporting = [h for h in hits if _is_reporting_date(sent.text, h, lex)]
        event_hits = [h for h in hits if h not in reporting]
        resolved: list[tuple[date | None, DatePrecision]] = []
        for h in event_hits or reporting:
            if h.kind == "context":
                # "earlier that day" leans on a date named in the same sentence, else on the story's
                anchor = next((x for x in hits if x.kind != "context" and x.value is not None), None)
                if anchor is not None and anchor.value is not None:
                    resolved.append((anchor.value + timedelta(days=h.offset), anchor.precision))
                else:
                    resolved.append((narrative + timedelta(days=h.offset) if narrative else None, "day"))
            elif h.value is not None:
                resolved.append((h.value, h.precision))
        resolved = list(dict.fromkeys(resolved))
        own_date = bool(event_hits) and bool(resolved)
        for clause_start, clause_end, _assume in _clauses(sent, lex):
            smatches = [
                m
                for m in place_matches
                if clause_start <= m.start < clause_end
                and not lex.origin.search(text[max(sent.start, m.start - 22) : m.start + len(m.surface)])
            ]
            splaces = _most_specific(_choose_places(smatches, doc_countries))
            if splaces:
                paragraph_places.setdefault(sent.paragraph, []).extend(
                    p for p in splaces if p.precision != "country"
                )
            reading = readings[(clause_start, clause_end)]
            if reading is None:
                continue
            if reading.aggregate and not any(h.precision == "day" for h in event_hits):
                continue  # "dozens of attacks since October", "killed 4,000 in attacks that began in 2023"
            dates = resolved or ([(narrative, "day")] if narrative else [(None, "day")])
            own_place = bool(splaces) and not headline
            places = splaces or paragraph_places.get(sent.paragraph, [])[-1:]
            spans = [Span("evidence", sent.start, sent.end, sent.text)]
            for fld, a, b in reading.spans:
                spans.append(
                    Span(fld, clause_start + a, clause_start + b, text[clause_start + a : clause_start + b])
                )
            for h in event_hits:
                spans.append(
                    Span("event_date", sent.start + h.start, sent.start + h.end, sent.text[h.start : h.end])
                )
            for m in smatches:
                spans.append(Span("location", m.start, m.end, m.surface))
            # "strikes in Sanaa and Hodeidah": one event per distinct place below country level
            local = [p for p in places if p.precision != "country"]
            groups = [[p] for p in local] if len(local) > 1 else [places[:1]]
            if len(groups) == len(dates) > 1:
                pairs = list(
                    zip(dates, groups, strict=True)
                )  # "a week after X in A, and two weeks after Y in B"
            else:
                pairs = [(d, g) for d in dates for g in groups]
            for (value, precision), group in pairs:
                cands.append(
                    _Candidate(
                        sent,
                        reading,
                        value,
                        precision,
                        own_date and not headline,
                        list(group),
                        own_place,
                        list(spans),
                    )
                )
        day_values = [v for v, p in resolved if v is not None and p == "day"]
        if day_values and own_date:
            narrative = day_values[-1]

    # merge readings of one attack: first the readings with a date or a place of their own,
    # then the others, which may only enrich an existing mention
    merged: list[_Candidate] = []
    weak: list[_Candidate] = []
    for c in cands:
        if not c.own_date and not c.own_place:
            weak.append(c)
            continue
        target = None
        for prev in reversed(merged):
            if prev.sentence is c.sentence:
                continue
            if _same_event(prev, c) and (not c.own_date or not prev.own_date or prev.value == c.value):
                target = prev
                break
        if target is not None:
            _merge_into(target, c)
        else:
            merged.append(c)
    for c in weak:
        target = None
        for prev in reversed([x for x in merged if x.sentence.start <= c.sentence.start] or merged):
            if _same_event(prev, c):
                target = prev
                break
        if target is not None:
            _merge_into(target, c)
        elif not merged and c.reading.strength >= 2 and not _is_headline(c.sentence, text):
            merged.append(c)

    mentions: list[Mention] = []
    for c in merged:
        r = c.reading
        place = c.places[0] if c.places else None
        fallback = max(focus, key=lambda k: focus[k]) if focus else None
        if place is None and fallback:
            place = gaz.country(fallback)
        if place is not None and not place.country_code:
            # a sea: coded to the country of the attacking group, else the report's focus
            code = act.country_of(r.actor1) or fallback
            if code:
                place = replace(place, country_code=code, country=gaz.country_name(code))
        role: Role = "main"
        if published is not None and c.value is not None and c.value < published - timedelta(days=2):
            role = "background"
        actor1 = r.actor1
        if r.sub_event_type == DISRUPTED and actor1 is None:
            actor1 = UNIDENTIFIED
        mentions.append(
            Mention(
                doc_id=doc.id,
                role=role,
                event_type=EVENT_TYPE_OF[r.sub_event_type],
                sub_event_type=r.sub_event_type,
                evidence=c.sentence.text,
                start=c.sentence.start,
                end=c.sentence.end,
                event_date=c.value,
                date_precision=c.precision,
                place=place,
                actor1=actor1,
                actor2=r.actor2,
                weapon=r.weapon,
                count=r.count,
                fatalities=r.fatalities,
                injured=r.injured,
                intercepted=r.intercepted,
                claimed_by=r.claimed_by,
                hedged=r.hedged,
                language=lang,
                spans=tuple(c.spans),
            )
        )
    if mentions and not any(m.role == "main" for m in mentions):
        mentions[0] = replace(mentions[0], role="main")
    if text is not doc.text:  # letters were folded: quote the original text
        original = doc.text
        mentions = [
            replace(
                m,
                evidence=original[m.start : m.end],
                spans=tuple(replace(sp, text=original[sp.start : sp.end]) for sp in m.spans),
            )
            for m in mentions
        ]
    return mentions
