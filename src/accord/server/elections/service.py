"""Register elections and tell how many days are left before the next vote."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.errors import BadRequest, Conflict
from accord.server.elections.countries import country_codes
from accord.server.elections.models import Election


def add_election(
    session: Session, name: str, polling_date: date, territories: Sequence[str] = ()
) -> Election:
    """Register an election held in ``territories``: ISO 3166-1 alpha-2 codes, any country."""
    name = name.strip()
    if not name:
        raise BadRequest("an election needs a name")
    if session.scalar(select(Election.id).where(Election.name == name)) is not None:
        raise Conflict(f"an election named {name!r} exists already")
    election = Election(name=name, polling_date=polling_date, countries=country_codes(territories))
    session.add(election)
    session.flush()
    return election


def list_elections(session: Session) -> list[Election]:
    """Soonest first; on one polling day, by name (so every database lists them alike)."""
    return list(session.scalars(select(Election).order_by(Election.polling_date, Election.name)))


def next_election(session: Session, today: date, name: str | None = None) -> Election | None:
    """The election called ``name`` if it is still ahead, else the soonest one ahead."""
    ahead = select(Election).where(Election.polling_date >= today)
    if name:
        named = session.scalar(ahead.where(Election.name == name))
        if named is not None:
            return named
    return session.scalar(ahead.order_by(Election.polling_date, Election.name).limit(1))
