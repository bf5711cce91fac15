"""The database finds each moment's local day (``figures.day_of``) as ``Period.day_finder``
does in Python, on both databases: at every midnight, a microsecond either side, across
the changes to and from summer time, and outside the period."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from accord.server.db.base import UtcDateTime
from accord.server.transparency.figures import day_of
from accord.server.transparency.period import Period, period_between

TICK = timedelta(microseconds=1)


def _moments(period: Period) -> list[datetime]:
    moments = [period.start - timedelta(days=3), period.end + timedelta(hours=30)]
    starts = period.day_starts
    # A year's every day would take a while, one query each: every 20th, and the last.
    for start in [*starts[::20], starts[-1]] if len(starts) > 40 else starts:
        moments.extend((start - TICK, start, start + TICK, start + timedelta(hours=13)))
    return moments


@pytest.mark.parametrize(
    ("first", "last", "zone"),
    [
        (date(2031, 3, 25), date(2031, 4, 3), "Europe/Brussels"),  # summer time begins
        (date(2031, 10, 28), date(2031, 11, 5), "America/New_York"),  # and ends
        (date(2031, 1, 1), date(2031, 12, 31), "Asia/Kolkata"),  # a year; half-hour offset
        (date(2031, 5, 4), date(2031, 5, 4), "UTC"),  # one day
    ],
)
def test_the_database_finds_the_days_the_period_finds(
    db_session: Session, first: date, last: date, zone: str
) -> None:
    period = period_between(first, last, ZoneInfo(zone))
    day = day_of(period.day_starts)
    finder = period.day_finder()
    moments = _moments(period)
    found = [
        db_session.execute(select(day(literal(moment, UtcDateTime())))).scalar_one()
        for moment in moments
    ]
    assert [period.days[index] for index in found] == [finder(moment) for moment in moments]
    assert found[0] == 0
    assert found[1] == len(period.days) - 1
    assert found[2:4] == [0, 0]  # the period's first moment, and a microsecond before it
    assert moments[3] == period.start.astimezone(UTC)
