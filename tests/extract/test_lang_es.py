"""Spanish lexicon: sentences written for these tests in the style of Spanish wire copy."""

from datetime import date

import pytest

from sitroom.extract.actors import actor_dictionary
from sitroom.extract.dates import find_dates
from sitroom.extract.lexicon import lexicon_for
from sitroom.extract.sentence import read_sentence

LEX = lexicon_for("es")
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
            "Un ataque con drones rusos contra Járkov mató a cuatro personas e hirió a otras doce.",
            "Air/drone strike",
            4,
            12,
            None,
            "Russian forces",
        ),
        (
            "Los misiles rusos alcanzaron un edificio residencial en Dnipró; tres muertos y 25 heridos.",
            "Shelling/artillery/missile attack",
            3,
            25,
            None,
            "Russian forces",
        ),
        (
            "La aviación israelí bombardeó una casa en Gaza, matando a siete miembros de una familia.",
            "Air/drone strike",
            7,
            None,
            None,
            "Israeli forces",
        ),
        (
            "Las defensas antiaéreas derribaron durante la noche 30 drones ucranianos sin causar víctimas.",
            "Disrupted weapons use",
            0,
            0,
            True,
            "Ukrainian forces",
        ),
        (
            "Los hutíes lanzaron dos misiles contra un buque mercante en el mar Rojo.",
            "Shelling/artillery/missile attack",
            None,
            None,
            None,
            "Houthis",
        ),
        (
            "Al menos nueve militares murieron en una emboscada yihadista en el norte de Malí.",
            "Armed clash",
            9,
            None,
            None,
            "Unidentified armed group",
        ),
        (
            "Un coche bomba estalló junto a un cuartel de la policía, y Al Shabab reivindicó el atentado.",
            "Remote explosive/landmine/IED",
            None,
            None,
            None,
            "al-Shabaab",
        ),
        (
            "Un terrorista suicida se inmoló en una mezquita, causando la muerte de 11 fieles.",
            "Suicide bomb",
            11,
            None,
            None,
            "Unidentified armed group",
        ),
        (
            "Hombres armados abrieron fuego contra los vecinos de una aldea y asesinaron a ocho civiles.",
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
    r = read("Dos civiles ucranianos murieron por el ataque de un dron en la región de Sumy.")
    assert r is not None and r.actor1 == "Unidentified armed group" and r.fatalities == 2


@pytest.mark.parametrize(
    "sentence",
    [
        "Los sindicatos convocaron una huelga general para el próximo jueves.",
        "El delantero marcó de un disparo a puerta en el último minuto del partido de liga.",
        "Corea del Norte realizó el lunes una prueba de misiles balísticos de corto alcance.",
        "Un ciberataque dejó sin servicio los ordenadores del ayuntamiento durante dos días.",
        "Dos operarios murieron en la explosión accidental de una bombona de gas.",
        "La película recrea el bombardeo de la ciudad durante la Guerra Civil española.",
    ],
)
def test_non_events(sentence: str) -> None:
    assert read(sentence) is None


def test_yesterday() -> None:
    assert dates("Un dron impactó ayer contra una gasolinera.") == [(date(2024, 7, 16), "day")]


def test_weekday() -> None:
    assert dates("La base fue atacada el martes.") == [(date(2024, 7, 16), "day")]
    assert dates("El pasado miércoles cayeron varios cohetes.") == [(date(2024, 7, 10), "day")]


def test_day_and_month_name() -> None:
    assert dates("El ataque ocurrió el 23 de febrero.") == [(date(2024, 2, 23), "day")]
    assert dates("El ataque ocurrió el 3 de marzo de 2023.") == [(date(2023, 3, 3), "day")]
    # the weekday before a full date defers to the date
    assert dates("El ataque ocurrió el domingo 7 de julio.") == [(date(2024, 7, 7), "day")]


def test_overnight_and_last_night() -> None:
    assert dates("Los drones atacaron la ciudad durante la noche.") == [(WED, "day")]
    assert dates("Se oyeron explosiones anoche en la capital.") == [(date(2024, 7, 16), "day")]


def test_last_week() -> None:
    assert dates("La semana pasada fueron secuestrados tres periodistas.") == [(date(2024, 7, 10), "week")]


def test_month_parts() -> None:
    assert dates("A principios de junio se intensificaron los combates.") == [(date(2024, 6, 1), "month")]
    assert dates("El ataque fue en abril de 2023.") == [(date(2023, 4, 15), "month")]
    assert dates("Santo Domingo amaneció en calma.") == []


def test_boundaries_are_not_event_dates() -> None:
    assert dates("Los combates continúan desde el lunes.") == []
    assert dates("A partir del martes los convoyes irán escoltados.") == []
