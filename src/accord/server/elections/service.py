"""Register elections and tell how many days are left before the next vote."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.claims.context import Election as ClaimsElection
from accord.errors import BadRequest, Conflict
from accord.server.countries import country_codes
from accord.server.db.base import utc_now
from accord.server.elections.models import Election


def add_election(
    session: Session,
    name: str,
    polling_date: date,
    territories: Sequence[str] = (),
    *,
    allow_past: bool = False,
) -> Election:
    """Register an election held in ``territories``: ISO 3166-1 alpha-2 codes, any country.

    A polling day already gone is refused unless ``allow_past``: such an election never
    makes a case more urgent, so it is nearly always a mistyped year."""
    name = name.strip()
    if not name:
        raise BadRequest("an election needs a name")
    if polling_date < utc_now().date() and not allow_past:
        msg = (
            f"the polling day {polling_date:%Y-%m-%d} is in the past, so the election would "
            "never make a case more urgent: check the year, or say that it has been held "
            "already to record it"
        )
        raise BadRequest(msg)
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


def check_election_name(session: Session, name: str) -> str:
    """``name`` (stripped) if it is blank or an election's, refused otherwise, naming the
    elections there are: a mistyped name would silently never raise a case's urgency."""
    name = name.strip()
    if not name or session.scalar(select(Election.id).where(Election.name == name)):
        return name
    known = ", ".join(repr(election.name) for election in list_elections(session))
    msg = f"no election is named {name!r}; " + (
        f"the elections are {known}" if known else "add the election first"
    )
    raise BadRequest(msg)


def count_ahead(session: Session, today: date) -> int:
    """How many elections have not been held yet (polling on ``today`` or later)."""
    ahead = select(func.count(Election.id)).where(Election.polling_date >= today)
    return int(session.scalar(ahead) or 0)


def elections_to_screen(session: Session) -> tuple[ClaimsElection, ...]:
    """Every election as the claims rules read them (one plain query)."""
    rows = session.execute(
        select(Election.name, Election.polling_date, Election.countries).order_by(
            Election.polling_date, Election.name
        )
    )
    return tuple(
        ClaimsElection(name=row.name, polling_date=row.polling_date, countries=tuple(row.countries))
        for row in rows
    )
