"""What screening needs to know of this instance, read per request: its protected people,
its elections and its policy. The tables are small (tens of people, a few elections), and
reading them each time means a person or election added is screened for at once."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from accord.claims.context import Context, Election, Person, Policy
from accord.claims.verdicts import Verdict
from accord.server.elections.service import list_elections
from accord.server.persons.service import list_people
from accord.server.settings import Settings


def guard_context(session: Session, settings: Settings, today: date) -> Context:
    people = tuple(
        Person(
            id=row.id,
            name=row.name,
            role=row.role,
            constituency=row.constituency,
            aliases=tuple(row.aliases or ()),
            election=row.election,
        )
        for row, _faces in list_people(session)
    )
    elections = tuple(
        Election(name=row.name, polling_date=row.polling_date, countries=tuple(row.countries))
        for row in list_elections(session)
    )
    policy = Policy(caricature=Verdict(settings.guard_caricature))
    return Context(people=people, elections=elections, today=today, policy=policy)
