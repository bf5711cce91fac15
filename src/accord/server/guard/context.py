"""What screening needs to know of this instance, read per request: its protected people,
its elections and its policy. The tables are small (tens of people, a few elections), and
reading them each time means a person or election added is screened for at once."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from accord.claims.context import Context, Policy
from accord.claims.verdicts import Verdict
from accord.server.elections.service import elections_to_screen
from accord.server.persons.service import people_to_screen
from accord.server.settings import Settings


def guard_context(session: Session, settings: Settings, today: date) -> Context:
    policy = Policy(caricature=Verdict(settings.guard_caricature))
    return Context(
        people=people_to_screen(session),
        elections=elections_to_screen(session),
        today=today,
        policy=policy,
    )
