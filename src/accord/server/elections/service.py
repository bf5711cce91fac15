"""Register elections and tell how many days are left before the next vote."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.errors import BadRequest, Conflict
from accord.server.elections.models import Election
from accord.server.statements.schema import TERRITORIAL_SCOPE


def add_election(
    session: Session, name: str, polling_date: date, territories: Sequence[str] = ()
) -> Election:
    name = name.strip()
    if not name:
        raise BadRequest("an election needs a name")
    if session.scalar(select(Election.id).where(Election.name == name)) is not None:
        raise Conflict(f"an election named {name!r} exists already")
    codes = sorted({code.strip().upper() for code in territories if code.strip()})
    unknown = [code for code in codes if code not in TERRITORIAL_SCOPE]
    if unknown:
        raise BadRequest(f"not EEA country codes: {', '.join(unknown)}")
    election = Election(name=name, polling_date=polling_date, territories=codes)
    session.add(election)
    session.flush()
    return election


def list_elections(session: Session) -> list[Election]:
    return list(session.scalars(select(Election).order_by(Election.polling_date)))


def next_election(session: Session, today: date, name: str | None = None) -> Election | None:
    """The election called ``name`` if it is still ahead, else the soonest one ahead."""
    ahead = select(Election).where(Election.polling_date >= today)
    if name:
        named = session.scalar(ahead.where(Election.name == name))
        if named is not None:
            return named
    return session.scalar(ahead.order_by(Election.polling_date).limit(1))
