"""The figures add up, whatever happened: random histories of notices (from every kind of
notifier, trusted flaggers included), reviewers' decisions of every action on both grounds,
copies decided automatically, notices found manifestly unfounded, appeals upheld and
reversed, made through the real services on both databases, then checked against each
other, against the database, and across a period split in two."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.errors import AccordError
from accord.server.appeals.models import Appeal
from accord.server.decisions.models import Action, Decision, Ground
from accord.server.measures.models import AccountMeasure
from accord.server.notices.models import Notice
from accord.server.settings import Settings
from accord.server.transparency.schemas import Figures
from accord.server.transparency.service import figures_for, period_between
from tests.integration.notice_action import Staff, runtime_of
from tests.integration.transparency.history import KINDS, Clock, History, statements_in_db

BRUSSELS = ZoneInfo("Europe/Brussels")
#: A little before the month, so some of the history falls outside it.
BEGINNING = datetime(2031, 2, 27, 20, 0, tzinfo=UTC)
MONTH = period_between(date(2031, 3, 1), date(2031, 3, 31), BRUSSELS)
HALVES = (
    period_between(date(2031, 3, 1), date(2031, 3, 15), BRUSSELS),
    period_between(date(2031, 3, 16), date(2031, 3, 31), BRUSSELS),
)
KIND = st.sampled_from(KINDS)
GROUND = st.sampled_from(list(Ground))
#: Any action; or no action, the notices found manifestly unfounded (their notifiers get
#: a strike; only a decision to take no action can find that).
DECISION = st.one_of(
    st.tuples(st.sampled_from(list(Action)), GROUND, st.just(False)),
    st.tuples(st.sampled_from(list(Action)), GROUND, st.just(False)),
    st.tuples(st.just(Action.NO_ACTION), GROUND, st.just(True)),
)
#: One piece of content's story: notices about some of its copies, perhaps a reviewer's
#: decision (perhaps finding the notices manifestly unfounded), notices about more copies
#: (a new one is decided automatically when the decision restricts), appeals by uploaders
#: and notifiers with their outcome (None: still open), and a decision again if a
#: notifier's successful appeal reopened the case.
STORY = st.fixed_dictionaries(
    {
        "before": st.lists(st.tuples(KIND, st.integers(0, 2)), min_size=1, max_size=3),
        "decision": st.one_of(st.none(), DECISION, DECISION),
        "after": st.lists(st.tuples(KIND, st.integers(0, 3)), max_size=3),
        "appeals": st.lists(
            st.tuples(st.sampled_from(["uploader", "notifier"]), st.none() | st.booleans()),
            min_size=1,
            max_size=3,
        ),
        "again": st.none() | DECISION,
    }
)
#: Hours between the phases: up to a month in all, so histories cross the halves' border
#: and the month's ends.
WAITS = st.lists(st.integers(0, 150), min_size=5, max_size=5)


@pytest.fixture
def made(
    client: TestClient,
    db_session: Session,
    staff: Staff,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[History, Clock]:
    runtime = runtime_of(client)
    # Two manifestly unfounded notices suspend their notifier: short histories get there.
    strict = runtime.settings.model_copy(update={"strike_suspension_at": 2})
    history = History(replace(runtime, settings=strict), db_session, staff, tmp_path)
    return history, Clock(monkeypatch, BEGINNING)


@hypothesis_settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(stories=st.lists(STORY, min_size=1, max_size=4), waits=WAITS)
def test_the_figures_add_up(
    made: tuple[History, Clock],
    db_session: Session,
    settings: Settings,
    stories: list[dict[str, Any]],
    waits: list[int],
) -> None:
    history, clock = made
    clock.now = BEGINNING
    history.notices.clear()
    history.appeals.clear()
    history.cases.clear()
    example = db_session.begin_nested()  # each example starts from the same empty history
    try:
        _play(history, clock, stories, waits)
        whole = figures_for(db_session, settings, MONTH)
        _tell_what_happened(whole)
        _check_within(whole)
        _check_against_the_database(db_session, whole)
        halves = [figures_for(db_session, settings, half) for half in HALVES]
        for half in halves:
            _check_within(half)
        _check_halves_make_the_whole(whole, halves)
    finally:
        example.rollback()


def _tell_what_happened(figures: Figures) -> None:
    """What the examples covered (``pytest --hypothesis-show-statistics``)."""
    for what, happened in (
        ("statements", figures.statements_issued),
        ("automated decisions", figures.automation.decisions_automated),
        ("appeals upheld", figures.appeals.upheld),
        ("appeals reversed", figures.appeals.reversed),
        ("appeals moot", figures.appeals.moot),
        ("automated decisions' appeals decided", figures.automation.automated_appeals_decided),
        ("notifiers suspended", figures.suspensions.notifiers_suspended),
        ("uploaders warned", figures.suspensions.warnings),
        ("trusted flaggers' actions", figures.notices_total.actions_law_trusted_flaggers),
    ):
        event(f"{what}: {'some' if happened else 'none'}")


def _play(history: History, clock: Clock, stories: list[dict[str, Any]], waits: list[int]) -> None:
    """The stories, phase by phase, side by side: content ``n`` is story ``n``'s."""
    step = _Steps(history, clock)
    for content, story in enumerate(stories):
        for kind, copy in story["before"]:
            step(history.notice, kind, content, copy)
    clock.advance(hours=waits[0])
    for content, story in enumerate(stories):
        if story["decision"] is not None:
            action, ground, unfounded = story["decision"]
            step(history.decide, content, action, ground, unfounded=unfounded)
    clock.advance(hours=waits[1])
    for content, story in enumerate(stories):
        for kind, copy in story["after"]:
            step(history.notice, kind, content, copy)
    clock.advance(hours=waits[2])
    verdicts = [
        verdict
        for content, story in enumerate(stories)
        for verdict in _appeal(step, content, story)
    ]
    clock.advance(hours=waits[3])
    for number, reverse in verdicts:
        step(history.decide_appeal, number, reverse=reverse)
    clock.advance(hours=waits[4])
    for content, story in enumerate(stories):
        if story["again"] is not None:
            action, ground, unfounded = story["again"]
            step(history.decide, content, action, ground, unfounded=unfounded)


def _appeal(step: _Steps, content: int, story: dict[str, Any]) -> list[tuple[int, bool]]:
    """The story's appeals; which of them to decide, and how."""
    history = step.history
    verdicts = []
    for number, (appellant, verdict) in enumerate(story["appeals"]):
        filed = len(history.appeals)
        if appellant == "uploader":
            step(history.appeal_as_uploader, content)
        else:
            case_id = _case_id(history, content)
            mine = [notice for notice in history.notices if notice.case_id == case_id]
            if mine:
                step(history.appeal_as_notifier, mine[number % len(mine)])
        if verdict is not None and len(history.appeals) > filed:
            verdicts.append((filed, verdict))
    return verdicts


def _case_id(history: History, content: int) -> int | None:
    case = history.cases.get(content)
    return None if case is None else case.id


class _Steps:
    """Takes one step, a few minutes after the last; one the system refuses (a decided
    case decided again, an appeal of what was reversed already, a suspended notifier's
    notice) leaves no trace."""

    def __init__(self, history: History, clock: Clock) -> None:
        self.history, self.clock = history, clock

    def __call__(self, step: Callable[..., object], *args: Any, **kwargs: Any) -> None:
        self.clock.advance(minutes=17)
        savepoint = self.history.session.begin_nested()
        try:
            step(*args, **kwargs)
        except (AccordError, KeyError, LookupError):
            savepoint.rollback()
        else:
            savepoint.commit()


def _check_within(figures: Figures) -> None:
    total = figures.notices_total
    by_category = figures.notices.values()
    assert total.received == sum(n.received for n in by_category)
    assert total.received == sum(figures.notices_by_reason.values())
    assert total.received == sum(figures.notices_by_notifier.values())
    assert total.received == sum(day.notices for day in figures.daily)
    assert total.from_trusted_flaggers == sum(n.from_trusted_flaggers for n in by_category)
    assert total.from_trusted_flaggers == figures.notices_by_notifier.get("trusted_flagger", 0)
    assert total.items <= total.received
    assert total.items_from_trusted_flaggers <= total.from_trusted_flaggers
    assert total.time_to_action.count <= total.received
    assert total.time_to_action_trusted_flaggers.count <= total.from_trusted_flaggers
    for durations in (total.time_to_action, total.time_to_action_trusted_flaggers):
        if durations.count:
            assert durations.median_hours is not None
            assert durations.p90_hours is not None
            assert 0 <= durations.median_hours <= durations.p90_hours

    # Actions on notices plus own-initiative measures are the statements issued.
    on_notices = total.actions_law + total.actions_terms
    assert on_notices == sum(n.actions_law + n.actions_terms for n in by_category)
    own = sum(r.total for grounds in figures.own_initiative.values() for r in grounds.values())
    assert on_notices + own == figures.statements_issued
    actions = [r for grounds in figures.actions.values() for r in grounds.values()]
    assert sum(r.total for r in actions) == figures.statements_issued
    assert sum(day.actions for day in figures.daily) == figures.statements_issued
    law = sum(r.total for r in figures.actions.get(Ground.ILLEGAL, {}).values())
    assert law == total.actions_law + sum(
        r.total for r in figures.own_initiative.get(Ground.ILLEGAL, {}).values()
    )
    assert total.actions_law_trusted_flaggers <= total.actions_law
    assert total.actions_terms_trusted_flaggers <= total.actions_terms
    for restriction in actions:
        visibility = (
            restriction.removal + restriction.disable + restriction.demoted + restriction.labelled
        )
        assert visibility == restriction.total  # every statement restricts visibility once
        assert restriction.solely_automated <= restriction.total
        assert restriction.account_suspension + restriction.account_termination <= restriction.total

    appeals = figures.appeals
    decided = appeals.upheld + appeals.reversed
    assert decided + appeals.moot + appeals.still_open == appeals.received
    assert sum(appeals.by_appellant.values()) == appeals.received
    assert sum(appeals.by_action.values()) == appeals.received
    assert appeals.time_to_decision.count == decided
    assert appeals.decided_after_deadline <= decided

    automation = figures.automation
    assert (
        automation.decisions == automation.decisions_automated + automation.decisions_by_reviewers
    )
    assert automation.automated_appeals_reversed <= automation.automated_appeals_decided
    assert automation.reviewer_appeals_reversed <= automation.reviewer_appeals_decided
    assert [day.day for day in figures.daily] == figures.period.days


def _check_against_the_database(session: Session, figures: Figures) -> None:
    start, end = figures.period.start, figures.period.end

    def count(model: Any, column: Any, *where: Any) -> int:
        query = select(func.count(model.id)).where(column >= start, column < end, *where)
        return int(session.scalar(query) or 0)

    assert figures.statements_issued == statements_in_db(session, start, end)
    assert figures.notices_total.received == count(Notice, Notice.received_at)
    assert figures.automation.decisions == count(Decision, Decision.decided_at)
    automated = count(Decision, Decision.decided_at, Decision.reviewer_id.is_(None))
    assert figures.automation.decisions_automated == automated
    assert figures.appeals.received == count(Appeal, Appeal.received_at)
    # Each appeal counts once, against the decision it contested: the automated copies a
    # reversal undid with it are not counted as reversed again.
    automation = figures.automation
    reversed_ = count(Appeal, Appeal.decided_at, Appeal.status == "reversed")
    assert automation.automated_appeals_reversed + automation.reviewer_appeals_reversed == reversed_
    upheld = count(Appeal, Appeal.decided_at, Appeal.status == "upheld")
    assert automation.automated_appeals_decided + automation.reviewer_appeals_decided == (
        reversed_ + upheld
    )
    assert count(Decision, Decision.reversed_at) >= reversed_
    measures = Counter(
        (subject_kind, kind)
        for subject_kind, kind in session.execute(
            select(AccountMeasure.subject_kind, AccountMeasure.kind).where(
                AccountMeasure.created_at >= start, AccountMeasure.created_at < end
            )
        )
    )
    suspensions = figures.suspensions
    assert suspensions.warnings == sum(n for (_, kind), n in measures.items() if kind == "warning")
    assert suspensions.uploaders_suspended == measures[("uploader", "suspension")]
    assert suspensions.notifiers_suspended == measures[("notifier", "suspension")]
    assert suspensions.notifiers_terminated == measures[("notifier", "termination")]


def _check_halves_make_the_whole(whole: Figures, halves: list[Figures]) -> None:
    def added(read: Callable[[Figures], Any]) -> Any:
        return read(halves[0]) + read(halves[1])

    assert added(lambda f: f.daily) == whole.daily
    assert added(lambda f: Counter(f.notices_by_reason)) == Counter(whole.notices_by_reason)
    assert added(lambda f: Counter(f.notices_by_notifier)) == Counter(whole.notices_by_notifier)
    counts: tuple[Callable[[Figures], int], ...] = (
        lambda f: f.notices_total.received,
        lambda f: f.notices_total.from_trusted_flaggers,
        lambda f: f.notices_total.actions_law,
        lambda f: f.notices_total.actions_terms,
        lambda f: f.notices_total.time_to_action.count,
        lambda f: f.statements_issued,
        lambda f: f.appeals.received,
        lambda f: f.appeals.upheld,
        lambda f: f.appeals.reversed,
        lambda f: f.appeals.moot,
        lambda f: f.suspensions.warnings,
        lambda f: f.suspensions.notifiers_suspended,
        lambda f: f.automation.decisions,
        lambda f: f.automation.decisions_automated,
        lambda f: f.automation.automated_appeals_decided,
        lambda f: f.automation.reviewer_appeals_reversed,
        lambda f: f.automation.notices_assessed_automatically,
    )
    for read in counts:
        assert added(read) == read(whole)
    for ground, categories in whole.actions.items():
        for category, restriction in categories.items():
            parts = [f.actions.get(ground, {}).get(category) for f in halves]
            assert sum(part.total for part in parts if part is not None) == restriction.total
            assert sum(p.solely_automated for p in parts if p is not None) == (
                restriction.solely_automated
            )
    assert whole.period.end - whole.period.start == sum(
        (half.period.end - half.period.start for half in halves), timedelta()
    )
