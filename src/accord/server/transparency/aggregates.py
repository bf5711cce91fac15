"""The statements of reasons accord issued, counted as the DSA Transparency Database's daily
aggregates CSV counts what it received, so the two can be set side by side.

The TDB's file is made by ``app/Console/Commands/AggregatesFreeze.php`` of the Commission's
``digital-services-act/transparency-database`` (snapshot 69e80a0b): it writes one row per
distinct combination of the attributes below, with ``platform_name`` and ``total``, in the
order of an Elasticsearch composite aggregation (each attribute ascending, missing values
first), through PHP's ``fputcsv``. ``app/Models/Statement.php`` (``toSearchableArray``) and
``app/Services/StatementElasticIndexerService.php`` fill the attributes:

- ``decision_visibility_single`` and ``content_type_single``: the array's values joined by
  ``__`` in the order submitted (``implode('__', ...)``; an empty array gives an empty cell);
- ``automated_detection``: indexed as a boolean (``=== 'Yes'``), written as ``1`` or ``0``
  (``StatementElasticAggregationService::processAggregateQuery`` casts it to int);
- a field the statement leaves out (``decision_account``, ``decision_monetary``, ...): a
  missing bucket, ``null``, an empty cell;
- ``received_date``: the day of ``created_at`` in UTC, ``Y-m-d``.

The database counts the statements by UTC day and by the JSON values the attributes are
made of (a million statements never leave it one by one); the attributes are made from
those values here, as ``aggregate`` makes them from whole statements, and groups whose
values give the same attributes (a missing array and an empty one) are added up.

That TDB snapshot also groups by ``source_type`` (a column after ``received_date``); this file
keeps the twelve columns of accord's report (issue 19): to compare with a TDB file that has
``source_type``, add up its rows over that column.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from accord.server.decisions.service import statement_groups
from accord.server.transparency.figures import day_of, room_to_count

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from accord.server.settings import Settings
    from accord.server.transparency.period import Period

COLUMNS: Final = (
    "automated_decision",
    "automated_detection",
    "category",
    "content_type_single",
    "decision_account",
    "decision_ground",
    "decision_monetary",
    "decision_provision",
    "decision_visibility_single",
    "received_date",
    "platform_name",
    "total",
)
#: ``platform_name`` when the instance names no service (``ACCORD_DSA_SERVICE_NAME``).
DEFAULT_PLATFORM: Final = "accord"

# The attributes a row is grouped by, as the TDB names them, in its sort order.
_KEYS: Final = COLUMNS[:-2]
# The statement's fields the attributes are made of.
_FIELDS: Final = (
    "automated_decision",
    "automated_detection",
    "category",
    "content_type",
    "decision_account",
    "decision_ground",
    "decision_monetary",
    "decision_provision",
    "decision_visibility",
)
# PHP's fputcsv encloses a field holding any of these (delimiter, enclosure, escape, blanks).
_ENCLOSE: Final = frozenset(',"\\\n\r\t ')
# OWASP's CSV injection list: a spreadsheet runs a cell starting with these as a formula.
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


class Aggregate(NamedTuple):
    """One row of the aggregates file: the attributes, in ``COLUMNS`` order, and the count."""

    attributes: tuple[str, ...]
    total: int


def aggregate(
    statements: Iterable[tuple[datetime, Mapping[str, Any]]],
) -> list[Aggregate]:
    """(created_at, statement JSON) pairs counted by their attributes, day by day, in the order
    of the TDB's daily files laid end to end: by ``received_date``, then as the TDB sorts."""
    return aggregate_counted(
        (_utc_day(created_at), statement, 1) for created_at, statement in statements
    )


def aggregate_counted(groups: Iterable[tuple[date, Mapping[str, Any], int]]) -> list[Aggregate]:
    """As ``aggregate``, from statements already counted: (UTC day of issue, the fields of
    the statements, how many)."""
    counts: Counter[tuple[str, ...]] = Counter()
    for day, statement, count in groups:
        counts[_attributes(day, statement)] += count
    received_date = _KEYS.index("received_date")
    return [
        Aggregate(attributes, total)
        for attributes, total in sorted(
            counts.items(), key=lambda item: (item[0][received_date], item[0])
        )
    ]


def aggregates_text(rows: Iterable[Aggregate], platform_name: str) -> str:
    """The rows as the TDB's CSV: its header, ``platform_name`` on every row, fputcsv's
    quoting, ``\\n`` line ends."""
    lines = [_line(COLUMNS)]
    lines.extend(_line((*row.attributes, platform_name, str(row.total))) for row in rows)
    return "".join(lines)


def aggregates_csv(session: Session, settings: Settings, period: Period) -> str:
    """The aggregates CSV of the statements issued on the period's days.

    The days are UTC days, as the TDB counts its own (``received_date`` is the UTC day a
    statement was issued): for an instance whose time zone is not UTC, the file runs from
    midnight UTC of the period's first day to midnight UTC after its last, a few hours apart
    from the local days the report's sheets count. The TDB's ``received_date`` is the day it
    received the statement, which may be later than the day accord issued it."""
    days = period.days
    starts = [datetime.combine(day, time(), UTC) for day in days]
    end = datetime.combine(period.last + timedelta(days=1), time(), UTC)
    # Hashed: the groups are few, but PostgreSQL expects as many as statements.
    with room_to_count(session, sorting=False):
        groups = statement_groups(session, starts[0], end, day=day_of(starts), keys=_FIELDS)
    rows = aggregate_counted(
        (days[group.day], group.attributes, group.statements) for group in groups
    )
    return aggregates_text(rows, settings.dsa_service_name or DEFAULT_PLATFORM)


def _utc_day(moment: datetime) -> date:
    if moment.tzinfo is None:  # SQLite gives naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).date()


def _attributes(day: date, statement: Mapping[str, Any]) -> tuple[str, ...]:
    detection = statement.get("automated_detection")
    values = {
        "automated_decision": _text(statement.get("automated_decision")),
        "automated_detection": {"Yes": "1", "No": "0"}.get(str(detection), ""),
        "category": _text(statement.get("category")),
        "content_type_single": "__".join(statement.get("content_type") or ()),
        "decision_account": _text(statement.get("decision_account")),
        "decision_ground": _text(statement.get("decision_ground")),
        "decision_monetary": _text(statement.get("decision_monetary")),
        "decision_provision": _text(statement.get("decision_provision")),
        "decision_visibility_single": "__".join(statement.get("decision_visibility") or ()),
        "received_date": day.isoformat(),
    }
    return tuple(values[key] for key in _KEYS)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _line(fields: Iterable[str]) -> str:
    return ",".join(_field(field) for field in fields) + "\n"


def _field(text: str) -> str:
    if text.startswith(_FORMULA_STARTS):
        text = f"'{text}"
    if _ENCLOSE.intersection(text):
        return '"' + text.replace('"', '""') + '"'
    return text
