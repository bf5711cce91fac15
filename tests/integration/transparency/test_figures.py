"""A period's figures, from a history made through the real flows: notices filed and
triaged, a case decided, a copy found later decided automatically, appeals heard."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.server.elections.service import add_election
from accord.server.measures.models import AccountMeasure
from accord.server.settings import Settings
from accord.server.statements.schemas import Category
from accord.server.transparency.period import Period
from accord.server.transparency.schemas import Durations, figures_json
from accord.server.transparency.service import (
    default_period,
    figures_for,
    period_between,
    period_choices,
)
from tests.integration.notice_action import Staff, runtime_of
from tests.integration.transparency.history import START, Clock, History, statements_in_db

BRUSSELS = ZoneInfo("Europe/Brussels")
ELECTIONS = str(Category.NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS)


@pytest.fixture
def history(
    client: TestClient,
    db_session: Session,
    staff: Staff,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[History, Clock]:
    clock = Clock(monkeypatch, START)
    return History(runtime_of(client), db_session, staff, tmp_path), clock


def _story(history: History, clock: Clock) -> None:
    """3 March 2031, 08:00 UTC (09:00 in Brussels) onwards."""
    history.notice("public", content=1, copy=0)
    clock.advance(hours=2)
    history.notice("trusted_flagger", content=1, copy=0)
    clock.advance(hours=4)  # the first notice waited 6 hours, the flagger's 4
    history.decide(1, "remove", "illegal")
    clock.advance(days=1)
    history.notice("partner", content=1, copy=1)  # decided at once, automatically
    clock.now = clock.now.replace(hour=23, minute=30)  # 4 March 23:30 UTC: 5 March locally
    history.notice("public", content=2, copy=0)
    clock.advance(hours=3)
    history.decide(2, "no_action")
    clock.advance(hours=1)
    history.appeal_as_uploader(1, copy=1)  # against the automated decision
    history.appeal_as_uploader(1, copy=0)  # against the reviewer's
    history.appeal_as_notifier(history.notices[3])  # against no action
    clock.advance(hours=5)
    history.decide_appeal(1, reverse=True)  # the copy falls with it: the first is moot
    clock.advance(hours=1)
    history.decide_appeal(2, reverse=False)


def test_figures_of_a_history(
    history: tuple[History, Clock], db_session: Session, settings: Settings
) -> None:
    made, clock = history
    _story(made, clock)
    period = period_between(date(2031, 3, 1), date(2031, 3, 31), BRUSSELS)
    figures = figures_for(db_session, settings, period)

    total = figures.notices_total
    assert (total.received, total.from_trusted_flaggers) == (4, 1)
    assert (total.items, total.items_from_trusted_flaggers) == (3, 1)
    # Hours to action: 6, 4, 0 (the copy decided as it came) and 3.
    assert total.time_to_action == Durations(count=4, median_hours=3.5, p90_hours=5.4)
    assert total.time_to_action_trusted_flaggers == Durations(1, 4.0, 4.0)
    # The reviewer's statement answered notices on a case a trusted flagger reported; the
    # copy decided automatically is an own-initiative measure, not an action on a notice.
    assert (total.actions_law, total.actions_terms) == (1, 0)
    assert total.actions_law_trusted_flaggers == 1
    assert list(figures.notices) == [ELECTIONS]
    assert figures.notices[ELECTIONS] == total
    assert figures.notices_by_reason == {"deceptive_ai_content": 4}
    assert figures.notices_by_notifier == {"partner": 1, "public": 2, "trusted_flagger": 1}

    assert figures.statements_issued == 2 == statements_in_db(db_session, period.start, period.end)
    removed = figures.actions["illegal"][ELECTIONS]
    assert (removed.total, removed.solely_automated, removed.removal) == (2, 1, 2)
    own = figures.own_initiative["illegal"][ELECTIONS]
    assert (own.total, own.solely_automated, own.removal) == (1, 1, 1)
    assert list(figures.own_initiative) == ["illegal"]

    appeals = figures.appeals
    assert appeals.received == 3
    assert appeals.by_appellant == {"notifier": 1, "uploader": 2}
    assert appeals.by_action == {"no_action": 1, "remove": 2}
    assert (appeals.upheld, appeals.reversed, appeals.moot, appeals.still_open) == (1, 1, 1, 0)
    assert appeals.time_to_decision == Durations(2, 5.5, 5.9)

    automation = figures.automation
    assert (automation.decisions, automation.decisions_automated) == (3, 1)
    assert automation.decisions_by_reviewers == 2
    # The reversal counts once, against the reviewer's decision appealed; the automated
    # copy fell with it, and its own appeal closed as moot.
    assert (automation.reviewer_appeals_decided, automation.reviewer_appeals_reversed) == (2, 1)
    assert (automation.automated_appeals_decided, automation.automated_appeals_reversed) == (0, 0)
    assert automation.reviewer_reversal_rate == 0.5
    assert automation.automated_reversal_rate is None
    warnings = db_session.scalar(
        select(func.count(AccountMeasure.id)).where(AccountMeasure.kind == "warning")
    )
    assert figures.suspensions.warnings == warnings

    days = {day.day: (day.notices, day.actions) for day in figures.daily}
    assert len(days) == 31
    assert days[date(2031, 3, 3)] == (2, 1)
    assert days[date(2031, 3, 4)] == (1, 1)
    assert days[date(2031, 3, 5)] == (1, 0)  # 23:30 UTC is after midnight in Brussels
    assert sum(n for n, _ in days.values()) == 4


def test_a_period_counts_only_its_own_days(
    history: tuple[History, Clock], db_session: Session, settings: Settings
) -> None:
    made, clock = history
    _story(made, clock)
    # 4 March in Brussels: the automated copy; the notice at 23:30 UTC belongs to 5 March.
    day = period_between(date(2031, 3, 4), date(2031, 3, 4), BRUSSELS)
    figures = figures_for(db_session, settings, day)
    assert figures.notices_total.received == 1
    assert figures.notices_by_notifier == {"partner": 1}
    assert figures.statements_issued == 1
    assert figures.actions["illegal"][ELECTIONS].solely_automated == 1
    assert (figures.automation.decisions_automated, figures.automation.decisions) == (1, 1)
    in_utc = period_between(date(2031, 3, 4), date(2031, 3, 4), ZoneInfo("UTC"))
    assert figures_for(db_session, settings, in_utc).notices_total.received == 2
    nothing = figures_for(
        db_session, settings, period_between(date(2031, 2, 1), date(2031, 2, 28), BRUSSELS)
    )
    assert (nothing.notices_total.received, nothing.statements_issued) == (0, 0)
    assert nothing.notices == {}
    assert nothing.notices_total.time_to_action == Durations()
    assert [d.notices for d in nothing.daily] == [0] * 28


def test_the_figures_as_json(
    history: tuple[History, Clock], db_session: Session, settings: Settings
) -> None:
    made, clock = history
    _story(made, clock)
    period = period_between(date(2031, 3, 1), date(2031, 3, 31), BRUSSELS)
    body = figures_json(figures_for(db_session, settings, period))
    assert body["period"]["reporting_period"] == "2031-03-01/2031-03-31"
    assert body["period"]["zone"] == "Europe/Brussels"
    assert body["period"]["start"] == "2031-02-28T23:00:00+00:00"
    assert body["notices_total"]["time_to_action"] == {
        "count": 4,
        "median_hours": 3.5,
        "p90_hours": 5.4,
    }
    assert body["daily"][2] == {"day": "2031-03-03", "notices": 2, "actions": 1}
    assert body["automation"]["reviewer_reversal_rate"] == 0.5
    assert body["automation"]["automated_reversal_rate"] is None
    assert body["actions"]["illegal"][ELECTIONS]["removal"] == 2


def test_the_periods_to_choose_from(db_session: Session, settings: Settings) -> None:
    for name, polling in (
        ("Regional 2027", date(2027, 5, 16)),
        ("General 2026", date(2026, 12, 6)),
    ):
        add_election(db_session, name, polling, ["BE"], allow_past=True)
    # Two elections on one polling day have one period, offered once under both names.
    add_election(db_session, "Municipal 2027", date(2027, 5, 16), ["BE"], allow_past=True)
    brussels = settings.model_copy(update={"time_zone": "Europe/Brussels"})
    today = date(2027, 1, 15)
    assert default_period(brussels, today) == Period(
        date(2026, 12, 1), date(2026, 12, 31), BRUSSELS, "December 2026"
    )
    choices = period_choices(db_session, brussels, today)
    assert [choice.label for choice in choices] == [
        "December 2026",
        "Municipal 2027 and Regional 2027",
        "General 2026",
    ]
    assert choices[1].first == date(2027, 5, 16) - timedelta(weeks=6)
    assert choices[2].last == date(2026, 12, 6) + timedelta(weeks=2)
    assert all(choice.zone == BRUSSELS for choice in choices)
