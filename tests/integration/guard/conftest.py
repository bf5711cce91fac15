"""The generation gate's tests: a protected person and an election to screen against, and
prompts the real gate blocks and allows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from accord.claims.screen import screen_prompt
from accord.claims.verdicts import Screening
from accord.server.db.base import utc_now
from accord.server.elections.service import add_election
from accord.server.guard.schemas import UserStatus
from accord.server.guard.service import Screen, screen_prompt_for
from accord.server.persons.service import register_person
from accord.server.settings import Settings

ELECTION = "Belgian local elections"
#: A request for a realistic picture of the registered candidate: blocked by the rules.
BLOCKED = "a photorealistic photo of Jan Peeters stuffing a ballot box"
#: Ordinary election content.
ALLOWED = "a cheerful poster of a ballot box with the words 'every vote counts'"


@pytest.fixture
def registered(db_session: Session) -> None:
    """Jan Peeters, candidate for mayor of Ghent, and the election he stands in."""
    add_election(db_session, ELECTION, utc_now().date() + timedelta(days=40), ["BE"])
    register_person(
        db_session, "Jan Peeters", role="candidate for mayor", election=ELECTION,
        constituency="Ghent", aliases=["J. Peeters"],
    )  # fmt: skip


#: The gate the tests screen with: the real one.
SCREEN: Screen = screen_prompt


@dataclass(frozen=True, slots=True)
class Asked:
    """A ``GuardAnswer`` for a user (never a trial): its ``user_status`` is always there."""

    screening: Screening
    user_status: UserStatus
    decision_id: int


def ask(
    session: Session,
    settings: Settings,
    prompt: str,
    user: str = "u1",
    *,
    now: datetime | None = None,
    client: str = "test",
) -> Asked:
    answer = screen_prompt_for(
        session, settings, prompt=prompt, tool="image", user=user, language="en",
        client=client, screen=SCREEN, now=now or utc_now(),
    )  # fmt: skip
    assert answer.user_status is not None
    return Asked(answer.screening, answer.user_status, answer.decision_id)
