"""Read one sentence: is it an attack, of what kind, with which figures, actors and weapon.

Everything language-specific comes from the lexicon; this module holds the logic that is
the same in every language: precedence of event types (ACLED's hierarchy), interception
versus impact, casualty figures (lowest reliable reading), claims apart from blame.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from sitroom.extract.actors import UNIDENTIFIED, ActorDictionary
from sitroom.extract.lexicon import Lexicon, non_event_scan, phrase_regex, phrase_scans
from sitroom.extract.text import fold_letters

__all__ = ["SentenceReading", "read_sentence"]

AIR = "Air/drone strike"
SHELLING = "Shelling/artillery/missile attack"
IED = "Remote explosive/landmine/IED"
SUICIDE = "Suicide bomb"
GRENADE = "Grenade"
CLASH = "Armed clash"
ATTACK = "Attack"
ABDUCTION = "Abduction/forced disappearance"
DISRUPTED = "Disrupted weapons use"

EVENT_TYPE_OF = {
    AIR: "Explosions/Remote violence",
    SHELLING: "Explosions/Remote violence",
    IED: "Explosions/Remote violence",
    SUICIDE: "Explosions/Remote violence",
    GRENADE: "Explosions/Remote violence",
    CLASH: "Battles",
    ATTACK: "Violence against civilians",
    ABDUCTION: "Violence against civilians",
    DISRUPTED: "Strategic developments",
}

#: states whose "missile strikes" are delivered from the air (coded Air/drone strike)
_AIR_POWERS = {"US", "IL", "TR", "GB", "SA", "FR"}
_MAX_PLAUSIBLE = 20000  # casualty figures above this are misreadings ("1,000,000")


@dataclass(frozen=True, slots=True)
class SentenceReading:
    sub_event_type: str
    weapon: str | None
    strength: int  # 2: a weapon or violence word; 1: only a generic attack word
    trigger_start: int
    count: int | None = None
    fatalities: int | None = None
    injured: int | None = None
    intercepted: bool | None = None
    impact: bool = False
    hedged: bool = False
    claimed_by: str | None = None
    actor1: str | None = None
    actor2: str | None = None
    attacker_country: str | None = None
    aggregate: bool = False
    weapon_class: str | None = None
    generic: bool = False  # the type rests only on generic words ("attack", "killed")
    spans: tuple[tuple[str, int, int], ...] = field(default=())

    @property
    def event_type(self) -> str:
        return EVENT_TYPE_OF[self.sub_event_type]


def _first(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    return pattern.search(text)


def _casualties(text: str, lex: Lexicon, spans: list[tuple[str, int, int]]) -> tuple[int | None, int | None]:
    scans = phrase_scans(lex)  # (for yes/no questions only)
    found: dict[str, int] = {}
    for fld, pattern, fixed in lex.casualty:
        if fld in found:
            continue
        for m in pattern.finditer(text):
            if fld == "fatalities" and lex.claimed_toll.search(text[max(0, m.start() - 40) : m.start()]):
                continue  # a group's claimed toll is not a fatality figure
            value = fixed if fixed is not None else lex.to_number(m["n"])
            if value is None or value > _MAX_PLAUSIBLE:
                continue
            found[fld] = value
            spans.append((fld, m.start(), m.end()))
            break
    fatalities, injured = found.get("fatalities"), found.get("injured")
    zero = _first(lex.zero_casualties, text)
    if zero:
        if injured is None:
            injured = 0
            spans.append(("injured", zero.start(), zero.end()))
        if fatalities is None and (scans["zero_fatalities"].search(text) or injured == 0):
            fatalities = 0
            spans.append(("fatalities", zero.start(), zero.end()))
    return fatalities, injured


@cache
def _count_pattern(lex: Lexicon) -> re.Pattern[str]:
    """A figure before a weapon noun ("12 drones"), built once per lexicon."""
    weapon_nouns = phrase_regex(list(lex.raw.get("count_nouns", _WEAPON_NOUNS)))
    return re.compile(
        rf"{lex.number.pattern}\s+(?:[\w-]+\s+){{0,2}}?(?:{weapon_nouns.pattern})", re.IGNORECASE
    )


def _count(text: str, lex: Lexicon) -> int | None:
    for m in _count_pattern(lex).finditer(text):
        value = lex.to_number(m["n"])
        if value is not None and 0 < value < 1000:
            return value
    return None


_WEAPON_NOUNS = (
    "drone*",
    "uav*",
    "missile*",
    "rocket*",
    "projectile*",
    "shell",
    "shells",
    "mortar*",
    "bomb",
    "bombs",
    "grenade*",
    "shahed*",
)


def _demonym_near(
    text: str, pos: int, lex: Lexicon, demonym: Callable[[str], str | None]
) -> tuple[str | None, int, int]:
    """A country adjective next to a trigger: 'Russian drone', 'drone russe', 'مسيرة إسرائيلية'."""
    if lex.demonyms is not None:
        lo, hi = max(0, pos - 40), min(len(text), pos + 40)
        near = sorted(lex.demonyms_in(text, lo, hi), key=lambda m: abs(m.start() - pos))
        for m in near:
            code = lex.demonym_code(m.group(0))
            if code:
                return code, m.start(), m.end()
    window = text[max(0, pos - 40) : pos]
    words = re.findall(r"[\w.'’-]+", window)
    for word in reversed(words[-3:]):
        clean = word.strip(".’'").replace("’s", "").replace("'s", "")
        base = clean.split("-")[0]
        for candidate in (clean, base):
            code = demonym(candidate) if candidate[:1].isupper() else None
            if code:
                start = max(0, pos - 40) + window.rfind(word)
                return code, start, start + len(word)
    return None, -1, -1


def _is_explosion(lex: Lexicon, surface: str) -> bool:
    return surface in lex.raw.get("explosion_words", ())


def read_sentence(
    text: str,
    lex: Lexicon,
    actors: ActorDictionary,
    demonyms: Callable[[str], str | None],
    *,
    assume_violent: bool = False,
    attack_context: bool = False,
) -> SentenceReading | None:
    """The attack a sentence reports, or None when it reports none."""
    text = fold_letters(text)  # same length: spans stay offsets into the caller's text
    triggers = lex.triggers_in(text)
    if not triggers:
        return None
    scans = phrase_scans(lex)  # (for yes/no questions only)
    if non_event_scan(lex).search(text):
        return None
    classes: dict[str, int] = {}
    strong: set[str] = set()
    surfaces: list[str] = []
    for m, cls in triggers:
        classes.setdefault(cls, m.start())
        surface = m.group(0).lower()
        surfaces.append(surface)
        if cls != "attack" and not lex.is_weak(surface):
            strong.add(cls)
    lower = text.lower()
    violence = scans["violence"].search(text) is not None
    fatalities_injured_spans: list[tuple[str, int, int]] = []
    fatalities, injured = _casualties(text, lex, fatalities_injured_spans)
    has_casualties = bool(fatalities) or bool(injured)
    intercept = lex.interception.search(text)
    hypothetical = scans["hypothetical"].search(text)
    if hypothetical and not has_casualties and not scans["past_violence"].search(text):
        return None
    if not (violence or has_casualties or intercept or assume_violent):
        return None
    if not strong and not (
        has_casualties or intercept or assume_violent or scans["generic_attack"].search(text)
    ):
        return None

    spans: list[tuple[str, int, int]] = list(fatalities_injured_spans)
    hits = actors.find(text)
    attacker_code, attacker_pos, attacker_end = (None, -1, -1)
    first_trigger = min(classes.values())
    for m, _cls in triggers:
        code, pos, end = _demonym_near(text, m.start(), lex, demonyms)
        if code:
            attacker_code, attacker_pos, attacker_end = code, pos, end
            break

    # sub-event type by ACLED's precedence
    generic = False
    impact = bool(scans["impact"].search(text)) or has_casualties
    intercepted: bool | None = True if intercept else None
    weapon_class: str | None = None
    air_state = attacker_code in _AIR_POWERS or any(
        h.kind == "state" and h.country in _AIR_POWERS and h.start < first_trigger + 40 for h in hits
    )
    aircraft = scans["aircraft"].search(text) is not None
    if "suicide" in strong:
        sub, weapon_class = SUICIDE, "suicide"
    elif "drone" in classes:
        sub, weapon_class = AIR, "drone"
    elif "airstrike" in strong or aircraft:
        sub, weapon_class = AIR, "airstrike"
    elif (
        "missile" in classes
        and (air_state or scans["strike_words"].search(text))
        and not scans["launch_words"].search(text)
    ):
        sub, weapon_class = AIR, "missile"
    elif "missile" in classes or "rocket" in classes or "artillery" in classes:
        weapon_class = "missile" if "missile" in classes else "rocket" if "rocket" in classes else "artillery"
        sub = SHELLING
    elif "ied" in strong:
        sub, weapon_class = IED, "ied"
    elif "grenade" in classes:
        sub, weapon_class = GRENADE, "grenade"
    elif "clash" in strong:
        sub, weapon_class = CLASH, "clash"
    elif "abduction" in classes:
        sub, weapon_class = ABDUCTION, None
    elif "gunfire" in strong:
        civ = scans["civilian"].search(text) is not None
        sub, weapon_class = (ATTACK if civ else CLASH), "gunfire"
    elif "airstrike" in classes and (air_state or scans["strike_words"].search(text)):
        sub, weapon_class = AIR, "airstrike"
    elif "ied" in classes and (
        any(not _is_explosion(lex, x) for x in surfaces if lex.is_weak(x))
        or scans["generic_attack"].search(text)
        or hits
        or attack_context
    ):
        # a bare "blast" or "explosion" is an accident until something says it was an attack
        sub, weapon_class = IED, "ied"
    elif "clash" in classes or "attack" in classes or "gunfire" in classes:
        # an attack word needs victims, or a military target ("attacked an army post")
        if not has_casualties and not scans["military_target"].search(text):
            return None
        generic = True
        mil = scans["military_target"].search(text) is not None
        civ = scans["civilian"].search(text) is not None
        if civ and not mil:
            sub, weapon_class = ATTACK, None
        else:
            sub, weapon_class = CLASH, "gunfire" if "gunfire" in classes or "clash" in classes else None
    else:
        return None
    strength = 2 if strong or has_casualties else 1

    if intercept and weapon_class in ("drone", "missile", "rocket"):
        negated = lex.no_impact.search(text)
        other = [
            m for m in lex.impact.finditer(text) if not (intercept.start() <= m.start() < intercept.end())
        ]
        real_impact = [
            m for m in other if not negated or not (negated.start() <= m.start() <= negated.end() + 10)
        ]
        if not real_impact and not has_casualties:
            sub = DISRUPTED
        impact = bool(real_impact) or has_casualties

    weapon = lex.weapon_labels.get(weapon_class or "", None)
    for surface in surfaces:
        refined = lex.weapon_refinements.get(surface)
        if refined:
            weapon = refined
            break
    if weapon is None:
        for key, label in lex.weapon_refinements.items():
            if key in lower:
                weapon = label
                break

    # actors: attacker by adjective, by "by X", or as the subject before the trigger
    actor1: str | None = None
    actor2: str | None = None
    if attacker_code:
        actor1 = actors.forces_of(attacker_code)
        if actor1 is None:
            actor1 = f"Military forces of {attacker_code}"
        spans.append(("actor1", attacker_pos, attacker_end))
    for h in hits:
        if (
            actor1 is None
            and h.start < first_trigger + 60
            and lex.attacker_after.search(text[h.end : h.end + 60])
        ):
            actor1 = h.name
            spans.append(("actor1", h.start, h.end))
    for h in hits:
        if (
            actor1 is None
            and h.start > first_trigger
            and lex.agent_before.search(text[max(0, h.start - 30) : h.start])
            and (
                lex.violence.search(text, max(0, h.start - 35), h.start)
                or lex.trigger_any.search(text, max(0, h.start - 35), h.start)
            )
        ):
            actor1 = h.name
            spans.append(("actor1", h.start, h.end))
    for h in hits:
        if h.name == actor1:
            continue
        if lex.target_before.search(text[max(0, h.start - 30) : h.start]):
            actor2 = h.name
            spans.append(("actor2", h.start, h.end))
            break
    if (
        actor2 is None
        and scans["civilian"].search(text)
        and sub in (AIR, SHELLING, IED, SUICIDE, ATTACK, GRENADE)
        and not scans["armed_people"].search(text)
    ):
        actor2 = "Civilians"
    claimed_by: str | None = None
    claim = lex.claims.search(text)
    if claim and not scans["no_claim"].search(text):
        subject = [h for h in hits if h.end <= claim.start()]
        if subject:
            claimed_by = subject[-1].name
            spans.append(("claimed_by", subject[-1].start, subject[-1].end))
            if actor1 is None:
                actor1 = claimed_by
    if actor1 is None:
        actor1 = UNIDENTIFIED if sub != DISRUPTED else None
    count = _count(text, lex)
    hedged = scans["hedges"].search(text) is not None
    aggregate = bool(lex.aggregate.search(text))
    return SentenceReading(
        sub_event_type=sub,
        weapon=weapon,
        strength=strength,
        trigger_start=first_trigger,
        count=count,
        fatalities=fatalities,
        injured=injured,
        intercepted=intercepted,
        impact=impact,
        hedged=hedged,
        claimed_by=claimed_by,
        actor1=actor1,
        actor2=actor2,
        attacker_country=attacker_code,
        aggregate=aggregate,
        weapon_class=weapon_class,
        generic=generic,
        spans=tuple(spans),
    )
