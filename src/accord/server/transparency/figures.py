"""The one query layer: every transparency figure of a period, read through the other
domains' services, so the report's sheets, the public page and the API cannot disagree.

It counts in the database wherever a count will do (``GROUP BY``), days included: a
``CASE`` over the UTC moments the period's local days start maps each timestamp to its
day (``day_of``), so the database need not know the time zone. Only the times to action
come out one by one, as one array of seconds per category and kind of notifier (kept as
``array('d')``). A million notices, a million decisions and their statements take about 8 s and
200 MB (PostgreSQL, two cores; ``benchmarks/transparency.py``).

Medians and 90th percentiles are computed one way everywhere (``durations``):
``statistics.median``, and the 90th percentile as ``statistics.quantiles(n=10,
method="inclusive")[-1]`` (linear interpolation between the closest ranks; the one value
when there is one), both in hours, rounded to 2 decimals.
"""

from __future__ import annotations

import statistics
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Final

from sqlalchemy import (
    ColumnElement,
    Integer,
    SQLColumnExpression,
    case,
    func,
    literal_column,
    select,
)

from accord.server.appeals.schemas import AppealStatus
from accord.server.appeals.service import appeals_decided, appeals_received
from accord.server.decisions.schemas import Action, Ground
from accord.server.decisions.service import (
    DayOf,
    StatementTally,
    decision_tallies,
    seconds_to_first_decision,
    statement_tallies,
)
from accord.server.guard.service import figures as generation_gate_figures
from accord.server.measures.schemas import MeasureKind, SubjectKind
from accord.server.measures.service import imposed_counts
from accord.server.notices.schemas import NotifierKind
from accord.server.notices.service import (
    assessed_automatically,
    items_named,
    received_tallies,
    triaged_query,
)
from accord.server.transparency.schemas import (
    AppealFigures,
    AutomationFigures,
    Day,
    Durations,
    Figures,
    NoticeFigures,
    RestrictionFigures,
    SuspensionFigures,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from accord.server.settings import Settings
    from accord.server.transparency.period import Period

_HOUR = 3600.0
#: ``source_type`` of statements issued on a notice (Art. 16), and on a trusted flagger's.
SOURCE_NOTICE = "SOURCE_ARTICLE_16"
SOURCE_TRUSTED_FLAGGER = "SOURCE_TRUSTED_FLAGGER"
ACCOUNT_SUSPENDED = "DECISION_ACCOUNT_SUSPENDED"
ACCOUNT_TERMINATED = "DECISION_ACCOUNT_TERMINATED"


def collect_figures(session: Session, settings: Settings, period: Period) -> Figures:  # noqa: ARG001
    """Every figure of ``period``: notices by ``received_at``, statements (actions) and
    measures by ``created_at``, decisions by ``decided_at``, appeals by ``received_at`` (and,
    for the accuracy of automated means, by ``decided_at``); days in the period's zone."""
    with room_to_count(session):
        return _figures(session, period)


def _figures(session: Session, period: Period) -> Figures:
    start, end = period.start, period.end
    day = day_of(period.day_starts)
    notices, by_reason, by_notifier, notices_per_day = _notices(session, period, day)
    tallies = statement_tallies(session, start, end, day=day)
    actions_per_day: Counter[int] = Counter()
    for tally in tallies:
        actions_per_day[tally.day] += tally.statements
    _add_actions_on_notices(notices, tallies)
    items = items_named(session, start, end)
    by_category = {
        category: _notice_figures(
            counts,
            items.by_category.get(category, 0),
            items.by_category_trusted_flaggers.get(category, 0),
        )
        for category, counts in sorted(notices.items())
    }
    total = _notice_figures(
        _NoticeCounts.merged(notices.values()), items.total, items.total_trusted_flaggers
    )
    automated, by_reviewers = decision_tallies(session, start, end)
    return Figures(
        period=period,
        notices=by_category,
        notices_total=total,
        notices_by_reason=dict(sorted(by_reason.items())),
        notices_by_notifier=dict(sorted(by_notifier.items())),
        own_initiative=_restrictions(t for t in tallies if not _on_notice(t)),
        actions=_restrictions(tallies),
        statements_issued=sum(tally.statements for tally in tallies),
        appeals=_appeals(session, period),
        suspensions=_suspensions(imposed_counts(session, start, end)),
        automation=_automation(
            session,
            period,
            notices_assessed=assessed_automatically(session, start, end),
            automated=automated,
            by_reviewers=by_reviewers,
        ),
        daily=[
            Day(date_, notices=notices_per_day[index], actions=actions_per_day[index])
            for index, date_ in enumerate(period.days)
        ],
        generation_gate=generation_gate_figures(session, start, end),
    )


def durations(hours: Iterable[float]) -> Durations:
    """Median and 90th percentile of ``hours``, computed as the module says."""
    values = sorted(hours)
    if not values:
        return Durations()
    p90 = (
        values[0]
        if len(values) == 1
        else statistics.quantiles(values, n=10, method="inclusive")[-1]
    )
    return Durations(
        count=len(values),
        median_hours=round(statistics.median(values), 2),
        p90_hours=round(p90, 2),
    )


class _NoticeCounts:
    """One category's notices while they are read: counts and the hours to action."""

    __slots__ = (
        "actions",
        "actions_trusted",
        "hours",
        "hours_trusted",
        "received",
        "trusted",
    )

    def __init__(self) -> None:
        self.received = 0
        self.trusted = 0
        self.hours = array("d")
        self.hours_trusted = array("d")
        #: Statements issued on notices, by ground.
        self.actions: Counter[str] = Counter()
        self.actions_trusted: Counter[str] = Counter()

    @classmethod
    def merged(cls, parts: Iterable[_NoticeCounts]) -> _NoticeCounts:
        whole = cls()
        for part in parts:
            whole.received += part.received
            whole.trusted += part.trusted
            whole.hours.extend(part.hours)
            whole.hours_trusted.extend(part.hours_trusted)
            whole.actions.update(part.actions)
            whole.actions_trusted.update(part.actions_trusted)
        return whole


#: PostgreSQL's settings while a report counts (its defaults: 4 MB per sort or hash, and
#: queries compiled when they look costly).
_COUNTING: Final = {"work_mem": "128MB", "jit": "off"}


@contextmanager
def room_to_count(session: Session, *, sorting: bool = True) -> Iterator[None]:
    """Lets PostgreSQL count a report's millions of rows in memory, without compiling its
    queries (JIT), and without sorting them if not ``sorting``; as before afterwards.

    It cannot know how few groups a ``GROUP BY`` over JSON values and days makes (a few
    thousand out of a million rows): with 4 MB it sorts them all on disk, and with more it
    may still sort where a hash table is twice as fast. Compiling costs more than it saves
    on queries of a few seconds. If the block fails, the settings stay until the
    transaction (or savepoint) is rolled back: they change speed, never a result."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    wanted = {**_COUNTING, **({} if sorting else {"enable_sort": "off"})}
    before = {
        name: session.execute(select(func.current_setting(name))).scalar_one() for name in wanted
    }
    for name, value in wanted.items():
        session.execute(select(func.set_config(name, value, True)))
    yield
    for name, value in before.items():
        session.execute(select(func.set_config(name, value, True)))


def day_of(starts: Sequence[datetime]) -> DayOf:
    """A function mapping a timestamp column to the index of its day, in SQL: ``starts``
    are the days' first moments (ascending, UTC). A balanced tree of ``CASE``: a handful of
    comparisons per row even for a year of days. A moment before the first start counts
    on the first day, one after the last on the last (as ``Period.day_finder``)."""
    borders = list(starts)

    def index_of(column: SQLColumnExpression[datetime]) -> ColumnElement[int]:
        def between(low: int, high: int) -> ColumnElement[int]:
            if low == high:
                return literal_column(str(low), Integer)
            middle = (low + high + 1) // 2
            return case(
                (column < borders[middle], between(low, middle - 1)),
                else_=between(middle, high),
            )

        return between(0, max(len(borders) - 1, 0))

    return index_of


def _notices(
    session: Session, period: Period, day: DayOf
) -> tuple[dict[str, _NoticeCounts], Counter[str], Counter[str], Counter[int]]:
    """The period's notices counted by category, reason, notifier and day (in the database),
    and the times to action (the hours from each notice to the first decision on its case
    at or after it arrived), streamed."""
    by_category: dict[str, _NoticeCounts] = defaultdict(_NoticeCounts)
    by_reason: Counter[str] = Counter()
    by_notifier: Counter[str] = Counter()
    by_day: Counter[int] = Counter()
    for tally in received_tallies(session, period.start, period.end, day=day):
        counts = by_category[tally.category]
        counts.received += tally.notices
        if tally.notifier_kind == NotifierKind.TRUSTED_FLAGGER:
            counts.trusted += tally.notices
        by_reason[tally.reason] += tally.notices
        by_notifier[tally.notifier_kind] += tally.notices
        by_day[tally.day] += tally.notices
    timed = seconds_to_first_decision(session, triaged_query(period.start, period.end))
    for (category, trusted), seconds in timed.items():
        counts = by_category[category]
        hours = array("d", [value / _HOUR for value in seconds])
        counts.hours.extend(hours)
        if trusted:
            counts.hours_trusted.extend(hours)
    return dict(by_category), by_reason, by_notifier, by_day


def _on_notice(tally: StatementTally) -> bool:
    return tally.source_type in (SOURCE_NOTICE, SOURCE_TRUSTED_FLAGGER)


def _add_actions_on_notices(
    notices: dict[str, _NoticeCounts], tallies: Iterable[StatementTally]
) -> None:
    """Statements issued on notices count as the notices' actions, under the category the
    decision gave (a category with actions but no notice in the period still gets a row)."""
    for tally in tallies:
        if not _on_notice(tally):
            continue
        counts = notices.setdefault(tally.category, _NoticeCounts())
        counts.actions[tally.ground] += tally.statements
        if tally.source_type == SOURCE_TRUSTED_FLAGGER:
            counts.actions_trusted[tally.ground] += tally.statements


def _notice_figures(counts: _NoticeCounts, items: int, items_trusted: int) -> NoticeFigures:
    return NoticeFigures(
        received=counts.received,
        from_trusted_flaggers=counts.trusted,
        items=items,
        items_from_trusted_flaggers=items_trusted,
        time_to_action=durations(counts.hours),
        time_to_action_trusted_flaggers=durations(counts.hours_trusted),
        actions_law=counts.actions[Ground.ILLEGAL],
        actions_terms=counts.actions[Ground.INCOMPATIBLE],
        actions_law_trusted_flaggers=counts.actions_trusted[Ground.ILLEGAL],
        actions_terms_trusted_flaggers=counts.actions_trusted[Ground.INCOMPATIBLE],
    )


#: Which field of ``RestrictionFigures`` each action's statement counts in.
_VISIBILITY_FIELD: dict[str, str] = {
    Action.REMOVE: "removal",
    Action.DISABLE: "disable",
    Action.DEMOTE: "demoted",
    Action.LABEL_AI_GENERATED: "labelled",
    Action.LABEL_ALTERED: "labelled",
}
_ACCOUNT_FIELD: dict[str, str] = {
    ACCOUNT_SUSPENDED: "account_suspension",
    ACCOUNT_TERMINATED: "account_termination",
}


def _restrictions(tallies: Iterable[StatementTally]) -> dict[str, dict[str, RestrictionFigures]]:
    """Statements by ground, then category, then what they restricted."""
    counts: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for tally in tallies:
        counter = counts[tally.ground][tally.category]
        counter["total"] += tally.statements
        if tally.automated:
            counter["solely_automated"] += tally.statements
        if tally.action in _VISIBILITY_FIELD:
            counter[_VISIBILITY_FIELD[tally.action]] += tally.statements
        if tally.decision_account in _ACCOUNT_FIELD:
            counter[_ACCOUNT_FIELD[tally.decision_account]] += tally.statements
    return {
        ground: {
            category: RestrictionFigures(**counter)
            for category, counter in sorted(by_category.items())
        }
        for ground, by_category in sorted(counts.items())
    }


def _appeals(session: Session, period: Period) -> AppealFigures:
    by_status: Counter[str] = Counter()
    by_appellant: Counter[str] = Counter()
    by_action: Counter[str] = Counter()
    hours = array("d")
    late = 0
    for row in appeals_received(session, period.start, period.end):
        by_status[row.status] += 1
        by_appellant[row.appellant_kind] += 1
        by_action[row.action] += 1
        if row.status in (AppealStatus.UPHELD, AppealStatus.REVERSED) and row.decided_at:
            hours.append((row.decided_at - row.received_at).total_seconds() / _HOUR)
            late += row.decided_at > row.due_at
    return AppealFigures(
        received=sum(by_status.values()),
        by_appellant=dict(sorted(by_appellant.items())),
        by_action=dict(sorted(by_action.items())),
        upheld=by_status[AppealStatus.UPHELD],
        reversed=by_status[AppealStatus.REVERSED],
        moot=by_status[AppealStatus.MOOT],
        still_open=by_status[AppealStatus.OPEN],
        decided_after_deadline=late,
        time_to_decision=durations(hours),
    )


def _suspensions(counts: dict[tuple[str, str], int]) -> SuspensionFigures:
    return SuspensionFigures(
        warnings=sum(n for (_subject, kind), n in counts.items() if kind == MeasureKind.WARNING),
        uploaders_suspended=counts.get((SubjectKind.UPLOADER, MeasureKind.SUSPENSION), 0),
        uploaders_terminated=counts.get((SubjectKind.UPLOADER, MeasureKind.TERMINATION), 0),
        notifiers_suspended=counts.get((SubjectKind.NOTIFIER, MeasureKind.SUSPENSION), 0),
        notifiers_terminated=counts.get((SubjectKind.NOTIFIER, MeasureKind.TERMINATION), 0),
    )


def _automation(
    session: Session, period: Period, *, notices_assessed: int, automated: int, by_reviewers: int
) -> AutomationFigures:
    decided: Counter[bool] = Counter()
    reversed_: Counter[bool] = Counter()
    for row in appeals_decided(session, period.start, period.end):
        decided[bool(row.automated)] += 1
        reversed_[bool(row.automated)] += row.status == AppealStatus.REVERSED
    return AutomationFigures(
        notices_assessed_automatically=notices_assessed,
        decisions=automated + by_reviewers,
        decisions_automated=automated,
        decisions_by_reviewers=by_reviewers,
        automated_appeals_decided=decided[True],
        automated_appeals_reversed=reversed_[True],
        reviewer_appeals_decided=decided[False],
        reviewer_appeals_reversed=reversed_[False],
    )
