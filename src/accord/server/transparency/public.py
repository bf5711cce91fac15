"""What the public transparency page shows and ``GET /v1/transparency/public`` returns: a
period's figures with no personal data and no small counts.

Only counts, medians and shares leave here: never a name, an address, a subject, a key or a
case reference. A count from 1 to ``min_count - 1`` is published as the words "fewer than
N" (0 stays 0: nothing happened, nobody to single out), and a median or a share over fewer
than ``min_count`` cases is left out (``None``). The regulator's files keep every count
exact; this view is for everyone.

The page's tables (``tables``) are built from the view, and its figures CSV
(``tables_csv``) from the tables, so the page, its charts, its CSV and the API show one set
of numbers.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Final

from accord.errors import BadRequest
from accord.server.decisions.schemas import GROUND_LABELS, Ground
from accord.server.notices.schemas import REASON_SHORT, NoticeReason
from accord.server.statements.schemas import LABELS
from accord.server.transparency.period import Period, period_between

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from accord.server.transparency.schemas import Figures, RestrictionFigures

#: Longer periods are drawn week by week: a year of days is too thin to read.
DAYS_DRAWN_BY_DAY: Final = 92
#: What each restriction is called, in the order the templates list them.
RESTRICTIONS: Final = (
    ("removal", "Removed"),
    ("disable", "Access disabled"),
    ("demoted", "Demoted (shown less)"),
    ("labelled", "Labelled"),
    ("account_suspension", "Account suspended"),
    ("account_termination", "Account terminated"),
)
#: An appeal's outcome, in words; ``open``: not decided yet.
OUTCOMES: Final = (
    ("upheld", "Upheld: the decision stands"),
    ("reversed", "Reversed: the decision was undone"),
    ("moot", "Closed: already reversed on another appeal"),
    ("open", "Waiting for a decision"),
)
SUSPENSIONS: Final = (
    ("warnings", "Warnings before a suspension"),
    ("uploaders_suspended", "Uploaders suspended for manifestly illegal content"),
    ("uploaders_terminated", "Uploaders' accounts terminated"),
    ("notifiers_suspended", "Notifiers suspended for manifestly unfounded notices"),
    ("notifiers_terminated", "Notifiers no longer heard"),
)

Count = int | str
#: A figure left out (too few cases), as the page writes it.
MISSING: Final = "\u2013"
#: ``YYYY-MM-DD``: ``date.fromisoformat`` also takes ``20261101``.
_ISO_DAY: Final = 10
Cell = int | float | str | None


def masked(count: int, min_count: int) -> Count:
    """A count as published: exact from ``min_count`` up, and 0; else words."""
    return f"fewer than {min_count}" if 0 < count < min_count else count


def public_view(
    figures: Figures, min_count: int, *, choices: Sequence[Period] = ()
) -> dict[str, Any]:
    """The period's public figures (JSON-ready), with the periods a reader may choose."""

    def hide(count: int) -> Count:
        return masked(count, min_count)

    period = figures.period
    restrictions = _restrictions(figures.actions)
    by_category: dict[str, int] = defaultdict(int)
    by_ground: dict[str, int] = defaultdict(int)
    automated = 0
    for ground, categories in figures.actions.items():
        for category, numbers in categories.items():
            by_category[category] += numbers.total
            by_ground[ground] += numbers.total
            automated += numbers.solely_automated
    acted_on = figures.notices_total.time_to_action
    appeals = figures.appeals
    decided_appeals = appeals.time_to_decision
    automation = figures.automation
    return {
        "period": _period_json(period),
        "min_count": min_count,
        "notices": {
            "received": hide(figures.notices_total.received),
            "from_trusted_flaggers": hide(figures.notices_total.from_trusted_flaggers),
            "by_reason": [
                {
                    "key": reason.value,
                    "label": REASON_SHORT[reason],
                    "count": hide(figures.notices_by_reason.get(reason, 0)),
                }
                for reason in NoticeReason
            ],
        },
        "actions": {
            "total": hide(figures.statements_issued),
            "solely_automated": hide(automated),
            "by_category": [
                {"key": key, "label": LABELS.get(key, key), "count": hide(count)}
                for key, count in sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0]))
                if count
            ],
            "by_ground": [
                {
                    "key": ground.value,
                    "label": GROUND_LABELS[ground],
                    "count": hide(by_ground.get(ground, 0)),
                }
                for ground in Ground
            ],
            "by_restriction": [
                {"key": key, "label": label, "count": hide(restrictions[key])}
                for key, label in RESTRICTIONS
            ],
        },
        "over_time": _over_time(figures, hide),
        "time_to_action": {
            "notices_acted_on": hide(acted_on.count),
            "median_hours": _hours(acted_on.median_hours, acted_on.count, min_count),
            "p90_hours": _hours(acted_on.p90_hours, acted_on.count, min_count),
        },
        "appeals": {
            "received": hide(appeals.received),
            "upheld": hide(appeals.upheld),
            "reversed": hide(appeals.reversed),
            "moot": hide(appeals.moot),
            "open": hide(appeals.still_open),
            "median_hours": _hours(decided_appeals.median_hours, decided_appeals.count, min_count),
        },
        "suspensions": {key: hide(getattr(figures.suspensions, key)) for key, _ in SUSPENSIONS},
        "automation": {
            "decisions": hide(automation.decisions),
            "automated": hide(automation.decisions_automated),
            "automated_percent": _share(
                automation.decisions_automated, automation.decisions, min_count
            ),
        },
        "choices": [_period_json(choice) for choice in choices],
    }


def _period_json(period: Period) -> dict[str, str]:
    return {
        "first": period.first.isoformat(),
        "last": period.last.isoformat(),
        "label": period.label,
        "slug": period.slug,
        "time_zone": period.zone.key,
    }


def _restrictions(actions: dict[str, dict[str, RestrictionFigures]]) -> dict[str, int]:
    totals = dict.fromkeys((key for key, _ in RESTRICTIONS), 0)
    for categories in actions.values():
        for numbers in categories.values():
            for key in totals:
                totals[key] += getattr(numbers, key)
    return totals


def _over_time(figures: Figures, hide: Any) -> dict[str, Any]:
    """Notices and actions per day, or per ISO week (Monday first) for a long period; a
    week is summed from exact days before it is masked."""
    days = figures.daily
    if len(days) <= DAYS_DRAWN_BY_DAY:
        rows = [
            {"first": day.day.isoformat(), "last": day.day.isoformat(),
             "label": f"{day.day:%-d %b}", "notices": hide(day.notices),
             "actions": hide(day.actions)}
            for day in days
        ]  # fmt: skip
        return {"unit": "day", "rows": rows}
    weeks: dict[date, list[int]] = {}
    ends: dict[date, date] = {}
    for day in days:
        monday = day.day - timedelta(days=day.day.weekday())
        sums = weeks.setdefault(monday, [0, 0])
        sums[0] += day.notices
        sums[1] += day.actions
        ends[monday] = day.day
    rows = [
        {"first": max(monday, figures.period.first).isoformat(),
         "last": ends[monday].isoformat(), "label": f"week of {monday:%-d %b}",
         "notices": hide(sums[0]), "actions": hide(sums[1])}
        for monday, sums in weeks.items()
    ]  # fmt: skip
    return {"unit": "week", "rows": rows}


def _hours(hours: float | None, count: int, min_count: int) -> float | None:
    if hours is None or count < min_count:
        return None
    return round(hours, 1)


def _share(part: int, whole: int, min_count: int) -> float | None:
    """A percentage, only where neither count would be masked (else it gives it away)."""
    if whole < min_count or 0 < part < min_count:
        return None
    return round(100 * part / whole, 1)


# -- The page's tables -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    #: Stable across languages: a day, a category key, a figure's name.
    key: str
    label: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Table:
    id: str
    caption: str
    #: The row labels' heading, then one per cell.
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def tables(view: dict[str, Any]) -> list[Table]:
    """Every table the page shows, in its order (each chart has one beneath it)."""
    notices, actions, appeals = view["notices"], view["actions"], view["appeals"]
    speed, automation = view["time_to_action"], view["automation"]
    over_time = view["over_time"]
    unit = "Day" if over_time["unit"] == "day" else "Week"

    def listed(rows: list[dict[str, Any]]) -> tuple[Row, ...]:
        return tuple(Row(row["key"], row["label"], (row["count"],)) for row in rows)

    return [
        Table("key-figures", "The period in numbers", ("Figure", "Value"), (
            Row("notices_received", "Notices received", (notices["received"],)),
            Row("notices_from_trusted_flaggers", "… of them from trusted flaggers",
                (notices["from_trusted_flaggers"],)),
            Row("actions_taken", "Actions taken (statements of reasons)", (actions["total"],)),
            Row("actions_solely_automated", "… of them decided by automated means alone",
                (actions["solely_automated"],)),
            Row("median_hours_to_action", "Median time to action (hours)",
                (speed["median_hours"],)),
            Row("p90_hours_to_action", "90% of notices acted on within (hours)",
                (speed["p90_hours"],)),
            Row("decisions", "Decisions taken", (automation["decisions"],)),
            Row("decisions_automated", "… of them by automated means alone",
                (automation["automated"],)),
            Row("automated_percent", "Share of decisions taken by automated means alone (%)",
                (automation["automated_percent"],)),
        )),
        Table("over-time", f"Notices received and actions taken, by {unit.lower()}",
              (unit, "Notices received", "Actions taken"),
              tuple(Row(row["first"], row["label"], (row["notices"], row["actions"]))
                    for row in over_time["rows"])),
        Table("by-reason", "Notices received, by what they reported", ("Reported as", "Notices"),
              listed(notices["by_reason"])),
        Table("by-category", "Actions taken, by category", ("Category", "Actions"),
              listed(actions["by_category"])),
        Table("by-ground", "Actions taken, by ground", ("Ground", "Actions"),
              listed(actions["by_ground"])),
        Table("by-restriction", "Actions taken, by what was restricted", ("Restriction", "Actions"),
              listed(actions["by_restriction"])),
        Table("appeals", "Appeals received, by outcome", ("Outcome", "Appeals"),
              (*(Row(key, label, (appeals[key],)) for key, label in OUTCOMES),
               Row("received", "Received in all", (appeals["received"],)),
               Row("median_hours", "Median time to decide (hours)",
                   (appeals["median_hours"],)))),
        Table("suspensions", "Suspensions (DSA Art. 23)", ("Measure", "Accounts"),
              tuple(Row(key, label, (view["suspensions"][key],)) for key, label in SUSPENSIONS)),
    ]  # fmt: skip


def cell_text(cell: Cell) -> str:
    """How the page writes a cell: thousands separated, hours to one decimal, a missing
    figure as a dash."""
    if cell is None:
        return MISSING
    if isinstance(cell, bool):  # never expected; keeps "True" out of a number column
        return str(cell)
    if isinstance(cell, int):
        return f"{cell:,}"
    if isinstance(cell, float):
        return f"{cell:,.1f}"
    return cell


def tables_csv(view: dict[str, Any]) -> str:
    """The page's tables as one CSV, one cell a line: ``table, row, label, column, value``
    (a missing figure empty, small counts in words as on the page)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("table", "row", "label", "column", "value"))
    for table in tables(view):
        for row in table.rows:
            for column, cell in zip(table.columns[1:], row.cells, strict=True):
                value = "" if cell is None else f"{cell:.1f}" if isinstance(cell, float) else cell
                writer.writerow((table.id, row.key, row.label, column, value))
    return out.getvalue()


def masked_totals(aggregates: str, min_count: int) -> str:
    """The Transparency Database's aggregates CSV with each small ``total`` (its last
    column, a bare number) in words; everything else byte for byte."""
    lines = aggregates.splitlines(keepends=True)
    out = lines[:1]
    for line in lines[1:]:
        rest, _, total = line.rstrip("\n").rpartition(",")
        out.append(f"{rest},{masked(int(total), min_count)}\n" if total.isdigit() else line)
    return "".join(out)


# -- Which period a reader asked for ------------------------------------------------------


def chosen_period(
    choices: Sequence[Period],
    zone: ZoneInfo,
    *,
    period: str | None,
    start: str | None,
    end: str | None,
) -> Period:
    """The period of a query: ``period`` (one of ``choices``, by its slug), or ``from`` and
    ``to`` (both), or else the first choice (the default). Refused in one line otherwise."""
    period, start, end = period or None, start or None, end or None
    if (start is None) != (end is None):
        raise BadRequest("from and to go together: give both days, or neither")
    if start is not None and end is not None:
        if period is not None:
            raise BadRequest("choose a listed period or your own days, not both")
        custom = period_between(_day("from", start), _day("to", end), zone)
        # The days of a listed period keep its name.
        return next((c for c in choices if c.slug == custom.slug), custom)
    if period is None:
        return choices[0]
    for choice in choices:
        if choice.slug == period:
            return choice
    raise BadRequest("period: not one of the periods offered; choose one from the list")


def period_of_slug(choices: Sequence[Period], zone: ZoneInfo, slug: str) -> Period:
    """A download's period, named by its slug (``2026-11-01_2026-11-30``): a listed one
    keeps its name."""
    for choice in choices:
        if choice.slug == slug:
            return choice
    first, separator, last = slug.partition("_")
    if not separator:
        raise BadRequest("a download is named by its first and last day: FIRST_LAST")
    return period_between(_day("first day", first), _day("last day", last), zone)


def _day(name: str, value: str) -> date:
    try:
        if len(value) != _ISO_DAY:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name}: a day as YYYY-MM-DD") from None
