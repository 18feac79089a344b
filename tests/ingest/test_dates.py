"""Publication-date helpers: ISO/RFC timestamps, dates in words, datelines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from sitroom.ingest.dates import find_dateline, parse_date_text, parse_timestamp, to_naive_utc


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-07-17", datetime(2024, 7, 17)),
        ("2024-07-17T10:15:00", datetime(2024, 7, 17, 10, 15)),
        ("2024-07-17T10:15:00Z", datetime(2024, 7, 17, 10, 15)),
        ("2024-07-17T10:15:00.250+05:30", datetime(2024, 7, 17, 4, 45, 0, 250000)),
        ("2022-03-14T21:40:00+0300", datetime(2022, 3, 14, 18, 40)),
        ("Tue, 14 Mar 2023 08:30:00 +0200", datetime(2023, 3, 14, 6, 30)),
        ("  2024-07-17  ", datetime(2024, 7, 17)),
        ("", None),
        ("July 17", None),
        ("2024-02-30", None),
        ("1066-10-14", None),  # outside the plausible range
        ("2024-07", None),  # no day: not guessed
    ],
)
def test_parse_timestamp(value: str, expected: datetime | None) -> None:
    assert parse_timestamp(value) == expected


def test_to_naive_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert to_naive_utc(datetime(2024, 1, 1, 1, 0, tzinfo=plus_two)) == datetime(2023, 12, 31, 23, 0)
    assert to_naive_utc(datetime(2024, 1, 1, 1, 0, tzinfo=UTC)) == datetime(2024, 1, 1, 1, 0)
    assert to_naive_utc(datetime(2024, 1, 1, 1, 0)) == datetime(2024, 1, 1, 1, 0)


@pytest.mark.parametrize(
    ("value", "languages", "expected"),
    [
        ("5 June 2021", ("en",), datetime(2021, 6, 5)),
        ("June 5, 2021", ("en",), datetime(2021, 6, 5)),
        ("Dec. 3, 2023", ("en",), datetime(2023, 12, 3)),
        ("5 juin 2021", ("fr",), datetime(2021, 6, 5)),
        ("5. Juni 2021", ("de",), datetime(2021, 6, 5)),
        ("٥ حزيران ٢٠٢١", ("ar",), datetime(2021, 6, 5)),  # Arabic-Indic digits
        ("June 5", ("en",), None),  # no year
        ("June 2021", ("en",), None),  # no day
        ("Tuesday", ("en",), None),
        ("5 June 2021", ("ckb",), datetime(2021, 6, 5)),  # English is always tried
    ],
)
def test_parse_date_text(value: str, languages: tuple[str, ...], expected: datetime | None) -> None:
    assert parse_date_text(value, languages) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("BAGHDAD, June 7, 2021 (Reuters) - Two rockets hit.", datetime(2021, 6, 7)),
        ("ERBIL, Iraq, 7 June 2021 (AFP) — Drones were downed.", datetime(2021, 6, 7)),
        ("June 7, 2021 — Two drones were shot down.", datetime(2021, 6, 7)),
        ("7 June 2021: Two drones were shot down.", datetime(2021, 6, 7)),
        ("2021-06-07 - Two drones were shot down.", datetime(2021, 6, 7)),
        ("Monday, June 7, 2021", datetime(2021, 6, 7)),
        ("BAGHDAD, June 7 (Reuters) - Two rockets hit in 2021.", None),
        ("On June 7, 2021, two rockets hit the base.", None),
        ("Two rockets hit the base - officials", None),
        ("", None),
    ],
)
def test_find_dateline(line: str, expected: datetime | None) -> None:
    assert find_dateline(line) == expected
