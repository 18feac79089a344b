"""Portuguese lexicon: sentences written for these tests (European and Brazilian usage)."""

from datetime import date

import pytest

from sitroom.extract.actors import actor_dictionary
from sitroom.extract.dates import find_dates
from sitroom.extract.lexicon import lexicon_for
from sitroom.extract.sentence import read_sentence

LEX = lexicon_for("pt")
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
            "Um ataque de drones russos contra Kharkiv matou quatro pessoas e feriu outras doze.",
            "Air/drone strike",
            4,
            12,
            None,
            "Russian forces",
        ),
        (
            "Mísseis russos atingiram um prédio residencial em Dnipro, deixando três mortos e 25 feridos.",
            "Shelling/artillery/missile attack",
            3,
            25,
            None,
            "Russian forces",
        ),
        (
            "A aviação israelense bombardeou uma casa em Gaza, matando sete membros da mesma família.",
            "Air/drone strike",
            7,
            None,
            None,
            "Israeli forces",
        ),
        (
            "A defesa antiaérea abateu durante a noite 30 drones ucranianos, sem causar vítimas.",
            "Disrupted weapons use",
            0,
            0,
            True,
            "Ukrainian forces",
        ),
        (
            "Os houthis dispararam dois mísseis contra um navio mercante no mar Vermelho.",
            "Shelling/artillery/missile attack",
            None,
            None,
            None,
            "Houthis",
        ),
        (
            "Pelo menos nove militares morreram numa emboscada de jihadistas no norte do Mali.",
            "Armed clash",
            9,
            None,
            None,
            "Unidentified armed group",
        ),
        (
            "Um carro-bomba explodiu junto a um quartel da polícia e o Al-Shabab reivindicou o atentado.",
            "Remote explosive/landmine/IED",
            None,
            None,
            None,
            "al-Shabaab",
        ),
        (
            "Um homem-bomba fez-se explodir numa mesquita, provocando a morte de 11 fiéis.",
            "Suicide bomb",
            11,
            None,
            None,
            "Unidentified armed group",
        ),
        (
            "Homens armados abriram fogo contra moradores de uma aldeia, matando oito civis.",
            "Attack",
            8,
            None,
            None,
            "Unidentified armed group",
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


def test_a_countrys_civilians_killed_are_not_the_attacker() -> None:
    r = read("Dois civis ucranianos morreram no ataque de um drone na região de Sumy.")
    assert r is not None and r.actor1 == "Unidentified armed group" and r.fatalities == 2


@pytest.mark.parametrize(
    "sentence",
    [
        "Os sindicatos convocaram uma greve geral para a próxima quinta-feira.",
        "O avançado marcou com um remate de fora da área no jogo de domingo.",
        "A Coreia do Norte realizou um teste de míssil balístico na segunda-feira.",
        "Um ataque hacker deixou fora do ar os sistemas da prefeitura durante dois dias.",
        "Dois operários morreram na explosão acidental de um botijão de gás.",
        "Cem drones iluminados formaram figuras no céu num espetáculo de drones.",
    ],
)
def test_non_events(sentence: str) -> None:
    assert read(sentence) is None


def test_yesterday() -> None:
    assert dates("Um drone atingiu ontem um posto de gasolina.") == [(date(2024, 7, 16), "day")]


def test_weekday() -> None:
    assert dates("A base foi atacada na terça-feira.") == [(date(2024, 7, 16), "day")]
    assert dates("Na última quarta-feira caíram vários foguetes.") == [(date(2024, 7, 10), "day")]
    assert dates("O tiroteio ocorreu nesta sexta (12).") == [(date(2024, 7, 12), "day")]


def test_day_and_month_name() -> None:
    assert dates("O ataque ocorreu a 23 de fevereiro.") == [(date(2024, 2, 23), "day")]
    assert dates("O ataque ocorreu em 3 de março de 2023.") == [(date(2023, 3, 3), "day")]


def test_overnight_and_last_night() -> None:
    assert dates("Os drones atacaram a cidade durante a noite.") == [(WED, "day")]
    assert dates("Ouviram-se explosões ontem à noite na capital.") == [(date(2024, 7, 16), "day")]


def test_last_week() -> None:
    assert dates("Na semana passada foram sequestrados três jornalistas.") == [(date(2024, 7, 10), "week")]


def test_month_parts() -> None:
    assert dates("Em meados de junho os combates intensificaram-se.") == [(date(2024, 6, 15), "month")]
    assert dates("O ataque foi em abril de 2023.") == [(date(2023, 4, 15), "month")]


def test_boundaries_are_not_event_dates() -> None:
    assert dates("Os combates continuam desde segunda-feira.") == []
    assert dates("A partir de terça-feira os comboios serão escoltados.") == []
