"""The stretch of days a transparency report covers, counted in the elections' time zone.

A report covers whole days, from its first to its last (included), as the instance's
``ACCORD_TIME_ZONE`` counts them: the report of 1 to 30 November in Brussels starts at
23:00 UTC on 31 October. The public page offers the last full month and each registered
election's period (six weeks before its polling day to two weeks after).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from accord.errors import BadRequest

#: An election's period: campaigns heat up in the last weeks, and claims about the result
#: follow the vote.
ELECTION_WEEKS_BEFORE: Final = 6
ELECTION_WEEKS_AFTER: Final = 2
#: The longest period one report covers (a leap year and a day's slack).
MAX_DAYS: Final = 367


@dataclass(frozen=True, slots=True)
class Period:
    first: date
    #: Included.
    last: date
    zone: ZoneInfo
    #: How a person names it, e.g. "November 2026" or "Regional elections 2027".
    label: str = ""

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise BadRequest("to: the last day comes on or after the first")
        if (self.last - self.first).days + 1 > MAX_DAYS:
            raise BadRequest(f"a report covers at most {MAX_DAYS} days")

    @property
    def start(self) -> datetime:
        """The first moment of the first day, in UTC."""
        return _midnight(self.first, self.zone)

    @property
    def end(self) -> datetime:
        """The first moment after the last day, in UTC (excluded)."""
        return _midnight(self.last + timedelta(days=1), self.zone)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def reporting_period(self) -> str:
        """As the harmonised templates write it: ``YYYY-MM-DD/YYYY-MM-DD``."""
        return f"{self.first:%Y-%m-%d}/{self.last:%Y-%m-%d}"

    @property
    def slug(self) -> str:
        """For file names and URLs: ``2026-11-01_2026-11-30``."""
        return f"{self.first:%Y-%m-%d}_{self.last:%Y-%m-%d}"

    @property
    def day_starts(self) -> list[datetime]:
        """The first moment of each day, in UTC: the borders to count by day in SQL."""
        return [_midnight(day, self.zone) for day in self.days]

    def day_finder(self) -> DayFinder:
        return DayFinder(self)


class DayFinder:
    """The local day of a UTC moment within a period, by bisecting the days' UTC starts:
    one comparison per moment instead of a time zone conversion (reports read millions)."""

    def __init__(self, period: Period) -> None:
        self._days = period.days
        self._starts = period.day_starts

    def __call__(self, moment: datetime) -> date:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        index = bisect.bisect_right(self._starts, moment) - 1
        return self._days[max(0, min(index, len(self._days) - 1))]


def period_between(first: date, last: date, zone: ZoneInfo) -> Period:
    """A period a person chose; refused in one line when it runs backwards or is too long."""
    label = f"{first:%-d %B %Y} to {last:%-d %B %Y}"
    return Period(first, last, zone, label)


def last_full_month(today: date, zone: ZoneInfo) -> Period:
    """The calendar month before ``today``'s."""
    last = today.replace(day=1) - timedelta(days=1)
    return Period(last.replace(day=1), last, zone, f"{last:%B %Y}")


def election_period(name: str, polling_date: date, zone: ZoneInfo) -> Period:
    first = polling_date - timedelta(weeks=ELECTION_WEEKS_BEFORE)
    last = polling_date + timedelta(weeks=ELECTION_WEEKS_AFTER)
    return Period(first, last, zone, name)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone).astimezone(UTC)
