"""Elections, which set how urgent a case is; admins register them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from accord.server.accounts.models import Role, User
from accord.server.accounts.router import signed_in
from accord.server.deps import SessionDep
from accord.server.elections.models import Election
from accord.server.elections.service import add_election, list_elections

router = APIRouter(prefix="/v1/elections", tags=["elections"])
Admin = Annotated[User, Depends(signed_in(Role.ADMIN))]
Anyone = Annotated[User, Depends(signed_in())]


class ElectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200)
    polling_date: date
    territories: list[str] = Field(default=[], max_length=40)
    #: Record an election already held (refused otherwise, as a likely mistyped year).
    allow_past: bool = False


def election_json(election: Election) -> dict[str, Any]:
    return {
        "name": election.name,
        "polling_date": election.polling_date.isoformat(),
        "territories": election.countries,
        # What its statements of reasons name: the EU/EEA ones (empty: the instance's own).
        "statement_territories": election.territories,
    }


@router.get("", summary="Elections, soonest first")
def elections(_user: Anyone, session: SessionDep) -> dict[str, Any]:
    return {"elections": [election_json(e) for e in list_elections(session)]}


@router.post("", status_code=201, summary="Register an election")
def create(body: ElectionIn, _user: Admin, session: SessionDep) -> dict[str, Any]:
    election = add_election(
        session, body.name, body.polling_date, body.territories, allow_past=body.allow_past
    )
    return election_json(election)
