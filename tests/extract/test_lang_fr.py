"""French lexicon: sentences written for these tests in the style of French wire copy."""

from datetime import date

import pytest

from sitroom.extract.actors import actor_dictionary
from sitroom.extract.dates import find_dates
from sitroom.extract.lexicon import lexicon_for
from sitroom.extract.sentence import read_sentence

LEX = lexicon_for("fr")
assert LEX is not None
ACTORS = actor_dictionary(tuple(sorted(LEX.raw.get("actors", {}).items())))
WED = date(2024, 7, 17)  # a Wednesday


def read(sentence: str):
    assert LEX is not None
    return read_sentence(sentence, LEX, ACTORS, lambda word: None)


def dates(sentence: str, published: date = WED) -> list[tuple[date | None, str]]:
    assert LEX is not None
    return [(h.value, h.precision) for h in find_dates(sentence, LEX, published) if not h.excluded]


@pytest.mark.parametrize(
    ("sentence", "sub_event_type", "fatalities", "injured", "intercepted", "actor1"),
    [
        (
            "Cinq soldats ont été tués samedi dans l'attaque d'un poste de l'armée près de Ménaka par des hommes armés.",
            "Armed clash",
            5,
            None,
            None,
            "Unidentified armed group",
        ),
        (
            "Une frappe de drone russe a tué trois civils et blessé sept autres à Kherson.",
            "Air/drone strike",
            3,
            7,
            None,
            "Russian forces",
        ),
        (
            "L'armée israélienne a mené un raid aérien sur la ville de Tyr, faisant deux morts.",
            "Air/drone strike",
            2,
            None,
            None,
            "Israeli forces",
        ),
        (
            "La défense antiaérienne a abattu douze drones lancés par la Russie, sans faire de victimes.",
            "Disrupted weapons use",
            0,
            0,
            True,
            "Russian forces",
        ),
        (
            "Le Hezbollah a tiré des roquettes sur une caserne du nord d'Israël.",
            "Shelling/artillery/missile attack",
            None,
            None,
            None,
            "Hezbollah",
        ),
        (
            "Un engin explosif improvisé a explosé au passage d'une patrouille, tuant un soldat.",
            "Remote explosive/landmine/IED",
            1,
            None,
            None,
            "Unidentified armed group",
        ),
        (
            "Un kamikaze s'est fait exploser à l'entrée d'un marché, faisant 14 morts et une vingtaine de blessés.",
            "Suicide bomb",
            14,
            20,
            None,
            "Unidentified armed group",
        ),
        (
            "Des hommes armés ont ouvert le feu sur des fidèles à la sortie de la mosquée, tuant six personnes.",
            "Attack",
            6,
            None,
            None,
            "Unidentified armed group",
        ),
        (
            "Le JNIM a revendiqué l'embuscade tendue à un convoi de la gendarmerie, dans laquelle quatre gendarmes ont péri.",
            "Armed clash",
            4,
            None,
            None,
            "JNIM",
        ),
    ],
)
def test_attack_sentences(sentence, sub_event_type, fatalities, injured, intercepted, actor1) -> None:
    r = read(sentence)
    assert r is not None
    assert (r.sub_event_type, r.fatalities, r.injured, r.intercepted, r.actor1) == (
        sub_event_type,
        fatalities,
        injured,
        intercepted,
        actor1,
    )


def test_a_countrys_soldiers_killed_are_not_the_attacker() -> None:
    r = read("Deux soldats américains ont été tués lors d'une attaque de drone contre leur base en Syrie.")
    assert r is not None and r.sub_event_type == "Air/drone strike"
    assert r.actor1 == "Unidentified armed group" and r.fatalities == 2


def test_a_groups_own_toll_is_not_a_fatality_figure() -> None:
    r = read("Le groupe affirme avoir tué 150 militaires lors de l'assaut contre la caserne.")
    assert r is None or r.fatalities is None


@pytest.mark.parametrize(
    "sentence",
    [
        "Les syndicats appellent à une grève générale jeudi contre la réforme des retraites.",
        "L'attaquant a ouvert le score d'une frappe du gauche en fin de première mi-temps.",
        "Pyongyang a procédé mardi à un essai de missile balistique qui est tombé en mer.",
        "Une cyberattaque a paralysé le réseau informatique de l'hôpital pendant trois jours.",
        "La fusée Ariane 6 a décollé de Kourou avec deux satellites à son bord.",
        "Deux ouvriers ont été tués dans l'explosion accidentelle d'une citerne de gaz.",
        "Ce film de guerre raconte le bombardement d'un village par l'aviation en 1944.",
    ],
)
def test_non_events(sentence: str) -> None:
    assert read(sentence) is None


def test_yesterday() -> None:
    assert dates("Le dépôt a été frappé hier par un missile.") == [(date(2024, 7, 16), "day")]


def test_weekday() -> None:
    assert dates("Le convoi a été pris en embuscade mardi.") == [(date(2024, 7, 16), "day")]
    assert dates("L'attaque a eu lieu ce dimanche.") == [(date(2024, 7, 14), "day")]


def test_day_and_month_name() -> None:
    assert dates("Le camp a été attaqué le 23 février.") == [(date(2024, 2, 23), "day")]
    # the weekday before a full date defers to the date
    assert dates("Le camp a été attaqué ce dimanche 7 juillet.") == [(date(2024, 7, 7), "day")]


def test_overnight_and_last_night() -> None:
    assert dates("Des drones ont visé la ville pendant la nuit.") == [(WED, "day")]
    assert dates("Des explosions ont été entendues hier soir.") == [(date(2024, 7, 16), "day")]
    # "la nuit de samedi à dimanche" is the night ending on Sunday
    assert dates("Kiev a été visée dans la nuit de samedi à dimanche.") == [(date(2024, 7, 14), "day")]


def test_last_week() -> None:
    assert dates("La semaine dernière, trois civils ont été enlevés.") == [(date(2024, 7, 10), "week")]


def test_month_only_after_an_introducing_word() -> None:
    assert dates("Les combats ont repris en avril.") == [(date(2024, 4, 15), "month")]
    assert dates("Début mars, la base a été visée.") == [(date(2024, 3, 1), "month")]
    assert dates("Il a mars en tête.") == []


def test_boundaries_are_not_event_dates() -> None:
    assert dates("Les combats durent depuis lundi.") == []
    assert dates("À partir de mardi, les convois seront escortés.") == []
