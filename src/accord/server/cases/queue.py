"""The review queue's policy: how urgent each case is and its deadline (``service``
applies it to cases).

Priority is a sum a reviewer can read back (``priority_reasons``):

- a protected person is involved (they reported it, or their face is in it): +40;
- what triage found: confirmed deceptive +30, altered from an authentic original +25,
  likely AI-generated +20, no evidence either way +10;
- days to the election: 2 or fewer +30, a week or fewer +20, a month or fewer +10;
- reach the notifiers reported: +5 per power of ten, at most +20;
- a trusted flagger sent a notice: +10;
- it says something false about voting, or speaks as an election authority it is not
  (a strong claim triage found in its sound or its text): +20; it may (only moderate
  claims: the classifier's read, or words around it that may undo it): +10;
- a robocall: a protected person's voice or face says that claim: +30, and never less
  than urgent, whatever else adds up.

The deadline (SLA) follows the priority: ``sla_hours_urgent`` from 70, ``..._priority``
from 40, ``..._standard`` below.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from accord.claims.verdicts import claim_words
from accord.server.db.base import utc_now
from accord.server.settings import Settings

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
#: A false claim about voting, or an impersonation of an election authority, found in it:
#: strong (a rule's) or only moderate (to check).
CLAIM_POINTS = 20
MODERATE_CLAIM_POINTS = 10
#: That claim said in a protected person's voice or by their face: the 2024 robocall.
ROBOCALL_POINTS = 30
URGENT = 70
PRIORITY = 40
#: A deadline this close counts as "due soon" in the queue.
DUE_SOON = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class SlaHours:
    urgent: float
    priority: float
    standard: float

    @classmethod
    def of(cls, settings: Settings) -> SlaHours:
        return cls(
            settings.sla_hours_urgent, settings.sla_hours_priority, settings.sla_hours_standard
        )

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
    claims: Collection[Mapping[str, Any]] = (),
    robocall: bool = False,
) -> tuple[int, list[str]]:
    """The case's points and why; ``claims`` are those triage found in it (as an
    assessment lists them: category, strength, ...), ``robocall`` whether a protected
    person's voice or face says one."""
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
    if claims:
        strong = [claim for claim in claims if claim.get("strength") == "strong"]
        extra = CLAIM_POINTS if strong else MODERATE_CLAIM_POINTS
        points += extra
        reasons.append(f"{_claimed(strong or claims, 'says' if strong else 'may say')} (+{extra})")
    if robocall:
        points += ROBOCALL_POINTS
        reasons.append(f"a protected person's voice or face says it (+{ROBOCALL_POINTS})")
        if points < URGENT:  # a robocall is urgent even far from an election
            reasons.append(f"a robocall is always urgent (+{URGENT - points})")
            points = URGENT
    return points, reasons


def _claimed(claims: Collection[Mapping[str, Any]], says: str) -> str:
    """What ``claims`` say, each category once, in the order found."""
    categories = dict.fromkeys(str(claim.get("category", "")) for claim in claims)
    words = (f"it {says} {claim_words(category).says}" for category in categories)
    return " and ".join(dict.fromkeys(words))


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
