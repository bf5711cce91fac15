"""Dates as the four languages write them, checked against the registered polling day."""

from __future__ import annotations

from datetime import date

import pytest

from accord.claims.dates import fits, mentions
from accord.claims.text import prepare

TODAY = date(2024, 9, 1)  # a Sunday
POLLING = (date(2024, 10, 13),)  # a Sunday


@pytest.mark.parametrize(
    "prompt",
    [
        "vote on 13 October",
        "vote on October 13th",
        "stemmen op 13 oktober",
        "voter le 13 octobre",
        "wählen am 13. Oktober",
        "vote 13/10",
        "vote 13-10-2024",
        "vote 2024-10-13",
        "vote on Sunday 13 October",
        "dimanche 13 octobre",
        "vote on Sunday",
    ],
)
def test_the_polling_day_fits(prompt: str) -> None:
    found = mentions(prepare(prompt), TODAY)
    assert found
    assert all(fits(mention, POLLING) == POLLING[0] for mention in found)


@pytest.mark.parametrize(
    "prompt",
    [
        "vote on 14 October",
        "moved to Monday 11 October",
        "stemmen op 12 oktober",
        "voter le 14 octobre",
        "wählen am 14. Oktober",
        "vote 14/10",
        "vote 13/10/2023",
        "vote on Monday 13 October",  # the weekday does not fit the date
        "vote on Monday",
        "vote next Sunday",  # 8 September, counted from today
        "lundi prochain",
        "vote tomorrow",
    ],
)
def test_another_day_does_not_fit(prompt: str) -> None:
    found = mentions(prepare(prompt), TODAY)
    assert found
    assert any(fits(mention, POLLING) is None for mention in found)


@pytest.mark.parametrize("prompt", ["3.5 million voters", "a cat", "at 10:00", "guten Morgen"])
def test_no_date_is_read_into_other_numbers(prompt: str) -> None:
    assert mentions(prepare(prompt), TODAY) == []


@pytest.mark.parametrize(
    "prompt",
    [
        "vote on the second Sunday of October",
        "vote on the 2nd Sunday in October 2024",
        "stem op de tweede zondag van oktober",
        "de 2e zondag van oktober",
        "votez le deuxième dimanche d'octobre",
        "le 2ème dimanche du mois d'octobre",
        "wählen am zweiten Sonntag im Oktober",
        "am 2. Sonntag im Oktober",
    ],
)
def test_an_ordinal_weekday_of_the_month_is_the_polling_day(prompt: str) -> None:
    found = mentions(prepare(prompt), TODAY)
    assert len(found) == 1
    assert fits(found[0], POLLING) == POLLING[0]


@pytest.mark.parametrize(
    "prompt",
    [
        "vote on the first Sunday of October",
        "vote on the last Sunday of October",  # 27 October 2024
        "vote on the second Sunday of October 2023",
        "stem op de laatste zondag van oktober",
        "de eerste zondag van november",
        "votez le dernier dimanche d'octobre",
        "le premier dimanche de novembre",
        "wählen am letzten Sonntag im Oktober",
        "am dritten Sonntag im Oktober",
        "vote on the second Monday of October",
    ],
)
def test_another_ordinal_weekday_does_not_fit(prompt: str) -> None:
    found = mentions(prepare(prompt), TODAY)
    assert len(found) == 1
    assert found[0].ordinal is not None
    assert fits(found[0], POLLING) is None


def test_the_last_weekday_of_a_month_fits_when_it_is_the_polling_day() -> None:
    (found,) = mentions(prepare("vote on the last Sunday of October"), TODAY)
    assert fits(found, (date(2024, 10, 27),)) == date(2024, 10, 27)
