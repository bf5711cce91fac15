"""The review queue: how urgent each case is, its deadline, and who works on it.

Priority is a sum a reviewer can read back (``priority_reasons``):

- a protected person is involved (they reported it, or their face is in it): +40;
- what triage found: confirmed deceptive +30, altered from an authentic original +25,
  likely AI-generated +20, no evidence either way +10;
- days to the election: 2 or fewer +30, a week or fewer +20, a month or fewer +10;
- reach the notifiers reported: +5 per power of ten, at most +20;
- a trusted flagger sent a notice: +10.

The deadline (SLA) follows the priority: ``sla_hours_urgent`` from 70, ``..._priority``
from 40, ``..._standard`` below.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import case as when
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.errors import Conflict, Forbidden, NotFound
from accord.server.accounts.models import Role, User
from accord.server.cases.models import Case, CaseItem, CaseStatus
from accord.server.db.base import utc_now

PROTECTED_PERSON_POINTS = 40
TRUSTED_FLAGGER_POINTS = 10
MAX_REACH_POINTS = 20
REACH_POINTS_PER_DECADE = 5
BAND_POINTS = {
    "confirmed_deceptive": 30,
    "altered_from_authentic": 25,
    "likely_ai_generated": 20,
    "no_evidence_either_way": 10,
}
#: (days to the election at most, points), nearest first.
ELECTION_POINTS = ((2, 30), (7, 20), (30, 10))
URGENT = 70
PRIORITY = 40
#: A deadline this close counts as "due soon" in the queue.
DUE_SOON = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class SlaHours:
    urgent: float
    priority: float
    standard: float

    def for_priority(self, points: int) -> timedelta:
        hours = (
            self.urgent if points >= URGENT else self.priority if points >= PRIORITY
            else self.standard
        )  # fmt: skip
        return timedelta(hours=hours)


def priority(
    *,
    protected_person: bool,
    band: str,
    days_to_election: int | None,
    reach: int,
    trusted_flagger: bool,
) -> tuple[int, list[str]]:
    points, reasons = 0, []
    if protected_person:
        points += PROTECTED_PERSON_POINTS
        reasons.append(f"a protected person is involved (+{PROTECTED_PERSON_POINTS})")
    if band in BAND_POINTS:
        points += BAND_POINTS[band]
        reasons.append(f"triage found {band.replace('_', ' ')} (+{BAND_POINTS[band]})")
    if days_to_election is not None:
        for within, extra in ELECTION_POINTS:
            if days_to_election <= within:
                points += extra
                away = f"{days_to_election} day{'s' if days_to_election != 1 else ''}"
                reasons.append(f"the election is {away} away (+{extra})")
                break
    if reach > 0:
        extra = min(MAX_REACH_POINTS, round(REACH_POINTS_PER_DECADE * math.log10(1 + reach)))
        points += extra
        reasons.append(f"seen about {reach} times (+{extra})")
    if trusted_flagger:
        points += TRUSTED_FLAGGER_POINTS
        reasons.append(f"a trusted flagger reported it (+{TRUSTED_FLAGGER_POINTS})")
    return points, reasons


class SlaState(StrEnum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    BREACHED = "breached"


SLA_LABELS: dict[str, str] = {
    SlaState.ON_TIME: "On time",
    SlaState.DUE_SOON: "Due soon",
    SlaState.BREACHED: "Overdue",
}


def sla_state(due_at: datetime, now: datetime | None = None) -> SlaState:
    left = due_at - (now or utc_now())
    if left <= timedelta(0):
        return SlaState.BREACHED
    return SlaState.DUE_SOON if left <= DUE_SOON else SlaState.ON_TIME


def open_queue(session: Session, *, assignee_id: int | None = None, limit: int = 100) -> list[Case]:
    """Open cases, most urgent first: breached deadlines, then priority, then deadline."""
    query = select(Case).where(Case.status == CaseStatus.OPEN)
    if assignee_id is not None:
        query = query.where(Case.assignee_id == assignee_id)
    breached = when((Case.due_at <= utc_now(), 0), else_=1)
    return list(
        session.scalars(
            query.order_by(breached, Case.priority.desc(), Case.due_at, Case.id).limit(limit)
        )
    )


def find_case(session: Session, reference: str) -> Case:
    found = session.scalar(select(Case).where(Case.reference == reference.strip().upper()))
    if found is None:
        raise NotFound(f"no case has the reference {reference!r}")
    return found


def case_items(session: Session, case: Case) -> list[CaseItem]:
    return list(
        session.scalars(select(CaseItem).where(CaseItem.case_id == case.id).order_by(CaseItem.id))
    )


def claim(session: Session, case: Case, reviewer: User) -> None:
    """Take an open case; one reviewer at a time (a senior reviewer may reassign)."""
    _check_open(case)
    if case.assignee_id not in {None, reviewer.id}:
        raise Conflict(f"case {case.reference} is assigned to someone else already")
    case.assignee_id = reviewer.id
    session.flush()


def assign(session: Session, case: Case, assignee: User, by: User) -> None:
    if by.role not in {Role.SENIOR_REVIEWER, Role.ADMIN}:
        raise Forbidden("only a senior reviewer or an admin assigns cases to others")
    if assignee.role not in {Role.REVIEWER, Role.SENIOR_REVIEWER} or not assignee.active:
        raise Conflict(f"{assignee.email} is not an active reviewer")
    _check_open(case)
    case.assignee_id = assignee.id
    session.flush()


def release(session: Session, case: Case, reviewer: User) -> None:
    if case.assignee_id != reviewer.id:
        raise Conflict(f"case {case.reference} is not yours to release")
    case.assignee_id = None
    session.flush()


def breached_unwarned(session: Session) -> list[Case]:
    """Open cases past their deadline that no warning was raised for yet."""
    return list(
        session.scalars(
            select(Case).where(
                Case.status == CaseStatus.OPEN,
                Case.due_at <= utc_now(),
                Case.breach_warned_at.is_(None),
            )
        )
    )


def _check_open(case: Case) -> None:
    if case.status != CaseStatus.OPEN:
        raise Conflict(f"case {case.reference} is {case.status}, not open")
