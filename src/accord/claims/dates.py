"""Dates in a prompt, in the ways the four languages write them: "13 October", "October
13th", "13 oktober", "13 octobre", "13. Oktober" (folded to "13 oktober"), "13/10",
"13-10-2024", "2024-10-13", a weekday with or without a date ("Monday 11 October",
"on Monday"), the nth weekday of a month ("the second Sunday of October", "am zweiten Sonntag
im Oktober"), and days counted from today ("tomorrow", "next Sunday", "dimanche prochain").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from accord.claims import lexicon
from accord.claims.matching import Span, any_of
from accord.claims.text import Text

#: Days in a week.
_WEEK = 7


@cache
def _not_a_date() -> re.Pattern[str]:
    """What follows a number that is not a date after all ("3.5 million", "13.10 euro")."""
    return re.compile(r" (?:%|percent|procent|pour cent|prozent|million\w*|miljoen\w*|euro)")


@dataclass(frozen=True, slots=True)
class Mention:
    """A date as the prompt gives it: a day of a month (year and weekday when said), a
    weekday alone, the ``ordinal``-th weekday of a month (-1: the last), or a day counted
    from today (``resolved``)."""

    span: Span
    day: int | None = None
    month: int | None = None
    year: int | None = None
    weekday: int | None = None
    resolved: date | None = None
    ordinal: int | None = None


def mentions(text: Text, today: date) -> list[Mention]:
    """Every date mentioned, in order, none overlapping another."""
    found: list[Mention] = []
    taken: list[Span] = []
    for kind, pattern in _patterns():
        for match in pattern.finditer(text.folded):
            span = Span(match.start(), match.end())
            if any(span.start < other.end and other.start < span.end for other in taken):
                continue
            mention = _read(kind, match, span, today)
            if mention is not None:
                found.append(mention)
                taken.append(span)
    return sorted(found, key=lambda mention: mention.span.start)


def fits(mention: Mention, polling_days: tuple[date, ...]) -> date | None:
    """The polling day ``mention`` names, or None when it names none of them (or names a
    weekday the day does not fall on)."""
    for day in polling_days:
        if mention.ordinal is not None:
            if (
                mention.month == day.month
                and mention.year in (None, day.year)
                and mention.weekday == day.weekday()
                and mention.ordinal in (_ordinal(day), _last(day))
            ):
                return day
        elif mention.resolved is not None:
            if mention.resolved == day:
                return day
        elif mention.day is None:
            if mention.weekday == day.weekday():
                return day
        elif (
            mention.day == day.day
            and mention.month in (None, day.month)
            and mention.year in (None, day.year)
            and mention.weekday in (None, day.weekday())
        ):
            return day
    return None


def _ordinal(day: date) -> int:
    """Which of its weekday in the month ``day`` is: 1 for the first Sunday."""
    return (day.day - 1) // _WEEK + 1


def _last(day: date) -> int | None:
    """-1 when ``day`` is the last of its weekday in the month, else None."""
    return -1 if (day + timedelta(days=_WEEK)).month != day.month else None


def _read(kind: str, match: re.Match[str], span: Span, today: date) -> Mention | None:
    groups = match.groupdict()
    weekday = _weekday(groups.get("weekday") or groups.get("weekday2"))
    if weekday is None and kind not in ("relative", "weekday"):
        weekday, span = _weekday_before(match.string, span)
    if kind == "relative":
        return _relative(match.group(0), weekday, span, today)
    if kind == "weekday":
        return Mention(span=span, weekday=weekday)
    if kind == "ordinal":
        return Mention(
            span=span,
            month=_month(groups["month_name"]),
            year=_year(groups.get("year")),
            weekday=weekday,
            ordinal=next(n for n, names in lexicon.ORDINALS.items() if groups["ordinal"] in names),
        )
    if kind == "numeric" and _not_a_date().match(match.string, match.end()):
        return None
    day = int(groups["day"])
    month = _month(groups.get("month_name")) or int(groups.get("month") or 0) or None
    year = _year(groups.get("year"))
    if not 1 <= day <= 31 or (month is not None and not 1 <= month <= 12):  # noqa: PLR2004
        return None
    return Mention(span=span, day=day, month=month, year=year, weekday=weekday)


def _weekday_before(folded: str, span: Span) -> tuple[int | None, Span]:
    """The weekday just before a date ("Monday 11 October", "dimanche le 13"), if any, and
    the span grown to take it in."""
    before = folded[max(0, span.start - 16) : span.start].split()
    for back in (1, 2):
        if len(before) >= back and (weekday := _weekday_or_none(before[-back])) is not None:
            start = span.start - len(" ".join(before[-back:])) - 1
            return weekday, Span(start, span.end)
    return None, span


def _weekday_or_none(word: str) -> int | None:
    return next((day for day, names in lexicon.WEEKDAYS.items() if word in names), None)


def _relative(words: str, weekday: int | None, span: Span, today: date) -> Mention:
    if weekday is None:
        ahead = 1 if any(word in words.split() for word in lexicon.TOMORROW) else 0
        return Mention(span=span, resolved=today + timedelta(days=ahead))
    # "next Sunday", "ce dimanche": the first such day after today.
    ahead = (weekday - today.weekday()) % _WEEK or _WEEK
    return Mention(span=span, weekday=weekday, resolved=today + timedelta(days=ahead))


def _weekday(name: str | None) -> int | None:
    if name is None:
        return None
    return next(number for number, names in lexicon.WEEKDAYS.items() if name in names)


def _month(name: str | None) -> int | None:
    if name is None:
        return None
    return next(number for number, names in lexicon.MONTHS.items() if name in names)


def _year(digits: str | None) -> int | None:
    if not digits:
        return None
    year = int(digits)
    return year + 2000 if year < 100 else year  # noqa: PLR2004 -- "13/10/24"


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    months = any_of(name for names in lexicon.MONTHS.values() for name in names)
    weekdays = any_of(name for names in lexicon.WEEKDAYS.values() for name in names)
    suffix = r"(?:st|nd|rd|th|e|er|de|ste|eme)?"
    year = r"(?: (?P<year>\d{4}))?"
    nexts = any_of(lexicon.NEXT)
    # "today" is left out: a poster made ahead for polling day says "vote today".
    days = any_of(lexicon.TOMORROW)
    ordinals = any_of(name for names in lexicon.ORDINALS.values() for name in names)
    table = (
        (
            "ordinal",
            rf"\b(?P<ordinal>{ordinals}) (?P<weekday>{weekdays}) (?:{any_of(lexicon.OF_MONTH)}) "
            rf"(?P<month_name>{months})\b{year}",
        ),
        ("iso", r"\b(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b"),
        (
            "numeric",
            r"\b(?P<day>\d{1,2})[./-](?P<month>\d{1,2})(?:[./-](?P<year>\d{2,4}))?\b",
        ),
        ("day_month", rf"\b(?P<day>\d{{1,2}}){suffix} (?:of )?(?P<month_name>{months})\b{year}"),
        (
            "month_day",
            rf"\b(?P<month_name>{months}) (?:the )?(?P<day>\d{{1,2}}){suffix}\b"
            rf"(?: ?(?P<year>\d{{4}}))?",
        ),
        (
            "day_only",
            r"\b(?:on the|the|op de|le|den) (?P<day>\d{1,2})(?:st|nd|rd|th|e|de|ste|er|eme)\b",
        ),
        (
            "relative",
            rf"\b(?:{nexts} (?P<weekday>{weekdays})"
            rf"|(?P<weekday2>{weekdays}) (?:prochaine?|qui vient)"
            rf"|(?<!guten )(?<!goede ){days})\b",
        ),
        ("weekday", rf"\b(?P<weekday>{weekdays})s?\b"),
    )
    return tuple((kind, re.compile(pattern)) for kind, pattern in table)
