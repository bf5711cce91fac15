"""A report's period: whole local days in the elections' time zone, and the day of a moment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.errors import BadRequest
from accord.server.transparency.figures import durations
from accord.server.transparency.period import (
    MAX_DAYS,
    Period,
    election_period,
    last_full_month,
    period_between,
)
from accord.server.transparency.schemas import Durations

BRUSSELS = ZoneInfo("Europe/Brussels")
KATHMANDU = ZoneInfo("Asia/Kathmandu")  # +05:45: days that start off the hour


def test_a_month_in_brussels_starts_the_evening_before_in_utc() -> None:
    period = period_between(date(2026, 11, 1), date(2026, 11, 30), BRUSSELS)
    assert period.start == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    assert len(period.days) == 30
    assert period.reporting_period == "2026-11-01/2026-11-30"
    assert period.slug == "2026-11-01_2026-11-30"
    assert period.label == "1 November 2026 to 30 November 2026"


def test_a_period_across_the_change_to_summer_time_is_an_hour_short() -> None:
    period = period_between(date(2026, 3, 29), date(2026, 3, 29), BRUSSELS)
    assert period.end - period.start == timedelta(hours=23)
    autumn = period_between(date(2026, 10, 25), date(2026, 10, 25), BRUSSELS)
    assert autumn.end - autumn.start == timedelta(hours=25)


def test_the_last_full_month() -> None:
    assert last_full_month(date(2027, 1, 15), BRUSSELS) == Period(
        date(2026, 12, 1), date(2026, 12, 31), BRUSSELS, "December 2026"
    )
    march = last_full_month(date(2028, 3, 1), BRUSSELS)  # a leap year's February
    assert (march.first, march.last, march.label) == (
        date(2028, 2, 1),
        date(2028, 2, 29),
        "February 2028",
    )


def test_an_election_period_runs_six_weeks_before_to_two_weeks_after() -> None:
    period = election_period("General 2026", date(2026, 12, 6), BRUSSELS)
    assert (period.first, period.last, period.label) == (
        date(2026, 10, 25),
        date(2026, 12, 20),
        "General 2026",
    )


def test_periods_that_run_backwards_or_too_long_are_refused() -> None:
    with pytest.raises(BadRequest, match="on or after the first"):
        period_between(date(2026, 5, 2), date(2026, 5, 1), BRUSSELS)
    with pytest.raises(BadRequest, match=f"at most {MAX_DAYS} days"):
        period_between(date(2026, 1, 1), date(2027, 1, 3), BRUSSELS)
    assert len(period_between(date(2028, 1, 1), date(2028, 12, 31), BRUSSELS).days) == 366


@given(
    zone=st.sampled_from([BRUSSELS, KATHMANDU, ZoneInfo("America/New_York"), ZoneInfo("UTC")]),
    first=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    length=st.integers(min_value=1, max_value=60),
    seconds=st.floats(min_value=0, max_value=1),
)
def test_the_day_finder_agrees_with_the_time_zone(
    zone: ZoneInfo, first: date, length: int, seconds: float
) -> None:
    period = period_between(first, first + timedelta(days=length - 1), zone)
    moment = period.start + (period.end - period.start) * seconds
    if moment >= period.end:
        moment = period.end - timedelta(microseconds=1)
    assert period.day_finder()(moment) == moment.astimezone(zone).date()
    assert period.day_finder()(period.start) == first
    assert period.day_finder()(period.end - timedelta(microseconds=1)) == period.last


def test_durations_median_and_90th_percentile() -> None:
    assert durations([]) == Durations()
    assert durations([2.0]) == Durations(1, 2.0, 2.0)
    assert durations([6.0, 4.0, 0.0, 3.0]) == Durations(4, 3.5, 5.4)
    assert durations(float(n) for n in range(1, 11)) == Durations(10, 5.5, 9.1)
    assert durations([1 / 3, 2 / 3]) == Durations(2, 0.5, 0.63)
