from datetime import date

import pytest

from sitroom.extract.dates import find_dates
from sitroom.extract.lexicon import lexicon_for

LEX = lexicon_for("en")
WED = date(2024, 7, 17)  # a Wednesday


def resolve(sentence: str, published: date | None = WED) -> list[tuple[str, date | None, str]]:
    assert LEX is not None
    return [
        (sentence[h.start : h.end], h.value, h.precision)
        for h in find_dates(sentence, LEX, published)
        if not h.excluded and h.kind != "context"
    ]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The rockets landed on Tuesday night.", date(2024, 7, 16)),
        ("Shortly after midnight on Sunday a drone hit the base.", date(2024, 7, 14)),
        ("It happened on Wednesday.", WED),  # same weekday as publication: that day
        ("It happened last Wednesday.", date(2024, 7, 10)),
        ("A strike yesterday killed two.", date(2024, 7, 16)),
        ("The depot was hit on July 3.", date(2024, 7, 3)),
        ("The depot was hit on 3 July.", date(2024, 7, 3)),
    ],
)
def test_day_precision(sentence: str, expected: date) -> None:
    found = resolve(sentence)
    assert [(v, p) for _, v, p in found] == [(expected, "day")]


def test_abbreviated_month_with_dot_is_read_whole() -> None:
    found = resolve("Strikes followed on Oct. 26, Nov. 8, and Nov. 12.", date(2023, 12, 4))
    assert [v for _, v, _ in found] == [date(2023, 10, 26), date(2023, 11, 8), date(2023, 11, 12)]


def test_year_is_inferred_backwards_never_in_the_future() -> None:
    found = resolve("The convoy was ambushed on Dec. 28.", date(2024, 1, 5))
    assert found[0][1] == date(2023, 12, 28)


def test_month_expressions_have_month_precision() -> None:
    assert resolve("The airport was targeted in April.")[0][1:] == (date(2024, 4, 15), "month")
    assert resolve("Three soldiers died at the end of January.")[0][1:] == (date(2024, 1, 31), "month")
    assert resolve("In early April the talks stalled.")[0][1:] == (date(2024, 4, 1), "month")


def test_the_verb_may_is_not_a_month() -> None:
    assert resolve("The militia may attack again.") == []


def test_since_marks_a_boundary_not_an_event_date() -> None:
    assert LEX is not None
    hits = find_dates("There have been dozens of attacks since Oct. 17.", LEX, WED)
    assert [h.excluded for h in hits] == [True]


def test_relative_week_and_following_day() -> None:
    assert LEX is not None
    assert resolve("Shelling last week damaged homes.")[0][1:] == (date(2024, 7, 10), "week")
    ctx = [
        h
        for h in find_dates("Another pair of strikes came the following day.", LEX, WED)
        if h.kind == "context"
    ]
    assert ctx[0].offset == 1


def test_no_publication_date_leaves_relative_dates_unresolved() -> None:
    found = resolve("The rockets landed on Tuesday.", None)
    assert found == [("on Tuesday", None, "day")]


def test_impossible_dates_are_dropped() -> None:
    assert resolve("The attack on February 30 was reported.", date(2024, 3, 10)) == []


def test_dates_after_publication_are_dropped() -> None:
    assert resolve("A delegation will visit on July 24, 2024.") == []
    # without a year, a later month-day is read as last year's
    assert resolve("Talks were held on July 24.")[0][1] == date(2023, 7, 24)
