"""The queue's priority and deadlines, and the strike ladder of DSA Art. 23."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.cases.models import Case
from accord.server.cases.queue import SlaHours, SlaState, priority, sla_state
from accord.server.db.base import utc_now
from accord.server.decisions.models import Decision
from accord.server.measures.models import MeasureKind, Strike, SubjectKind
from accord.server.measures.service import StrikePolicy, active_points, add_strike, undo_strikes

POLICY = StrikePolicy(
    weights={"remove": 3, "label_ai_generated": 1},
    unfounded_notice_weight=1,
    expiry=timedelta(days=365),
    warning_at=1,
    suspension_at=3,
    termination_at=6,
    suspension=timedelta(days=30),
)


def test_priority_adds_up_what_makes_a_case_urgent() -> None:
    points, reasons = priority(
        protected_person=True,
        band="altered_from_authentic",
        days_to_election=1,
        reach=1_000_000,
        trusted_flagger=True,
    )
    assert points == 40 + 25 + 30 + 20 + 10
    assert len(reasons) == 5
    assert priority(
        protected_person=False, band="likely_authentic", days_to_election=90, reach=0,
        trusted_flagger=False,
    ) == (0, [])  # fmt: skip
    middle, _ = priority(
        protected_person=False, band="likely_ai_generated", days_to_election=6, reach=99,
        trusted_flagger=False,
    )  # fmt: skip
    assert middle == 20 + 20 + 10


def test_deadlines_follow_priority_and_are_flagged_as_they_near() -> None:
    hours = SlaHours(urgent=4, priority=24, standard=72)
    assert hours.for_priority(70) == timedelta(hours=4)
    assert hours.for_priority(69) == timedelta(hours=24)
    assert hours.for_priority(39) == timedelta(hours=72)
    now = utc_now()
    assert sla_state(now + timedelta(hours=3), now) is SlaState.ON_TIME
    assert sla_state(now + timedelta(hours=1), now) is SlaState.DUE_SOON
    assert sla_state(now - timedelta(seconds=1), now) is SlaState.BREACHED


def _decision(session: Session, reference: str) -> Decision:
    case = Case(reference=reference, due_at=utc_now())
    session.add(case)
    session.flush()
    decision = Decision(case_id=case.id, action="remove", explanation="deceptive")
    session.add(decision)
    session.flush()
    return decision


def _strike(session: Session, reference: str, weight: int = 3) -> MeasureKind | None:
    measure = add_strike(
        session,
        POLICY,
        subject_kind=SubjectKind.UPLOADER,
        subject="videoshare:acct-7",
        decision=_decision(session, reference),
        weight=weight,
    )
    return None if measure is None else MeasureKind(measure.kind)


def test_a_suspension_needs_a_warning_first_and_termination_a_suspension(
    session: Session,
) -> None:
    assert _strike(session, "C-1", weight=10) is MeasureKind.WARNING  # grave, but warned first
    assert _strike(session, "C-2", weight=1) is MeasureKind.SUSPENSION
    assert _strike(session, "C-3", weight=1) is MeasureKind.TERMINATION
    assert _strike(session, "C-4", weight=1) is None  # nothing beyond termination


def test_small_strikes_add_up_to_each_rung(session: Session) -> None:
    assert _strike(session, "C-1", weight=1) is MeasureKind.WARNING
    assert _strike(session, "C-2", weight=1) is None
    assert _strike(session, "C-3", weight=1) is MeasureKind.SUSPENSION  # 3 points
    assert _strike(session, "C-4", weight=2) is None  # 5 < 6
    assert _strike(session, "C-5", weight=1) is MeasureKind.TERMINATION


def test_expired_strikes_no_longer_count(session: Session) -> None:
    _strike(session, "C-1")
    for strike in session.scalars(select(Strike)):
        strike.expires_at = utc_now() - timedelta(seconds=1)
    assert active_points(session, SubjectKind.UPLOADER, "videoshare:acct-7") == 0


def test_undoing_a_decision_removes_its_strikes_and_lifts_its_measures(
    session: Session,
) -> None:
    decision = _decision(session, "C-1")
    measure = add_strike(
        session, POLICY, subject_kind=SubjectKind.UPLOADER, subject="videoshare:acct-7",
        decision=decision, weight=3,
    )  # fmt: skip
    assert measure is not None
    assert [lifted.id for lifted in undo_strikes(session, decision)] == [measure.id]
    assert active_points(session, SubjectKind.UPLOADER, "videoshare:acct-7") == 0
    # With the warning lifted, the next strike warns again rather than suspends.
    assert _strike(session, "C-2") is MeasureKind.WARNING
