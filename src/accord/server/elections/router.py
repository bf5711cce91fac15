"""Elections, which set how urgent a case is; admins register them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends

from accord.server.auth.roles import Role
from accord.server.auth.sessions import signed_in
from accord.server.deps import SessionDep
from accord.server.elections.schemas import ElectionIn, election_json
from accord.server.elections.service import add_election, list_elections

if TYPE_CHECKING:
    from accord.server.accounts.models import User

router = APIRouter(prefix="/v1/elections", tags=["elections"])
Admin = Annotated["User", Depends(signed_in(Role.ADMIN))]
Anyone = Annotated["User", Depends(signed_in())]


@router.get("", summary="Elections, soonest first")
def elections(_user: Anyone, session: SessionDep) -> dict[str, Any]:
    return {"elections": [election_json(e) for e in list_elections(session)]}


@router.post("", status_code=201, summary="Register an election")
def create(body: ElectionIn, _user: Admin, session: SessionDep) -> dict[str, Any]:
    election = add_election(
        session, body.name, body.polling_date, body.territories, allow_past=body.allow_past
    )
    return election_json(election)
