"""The alerts API, for admins: who is told of incidents, and the incidents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query

from accord.server.alerts.schemas import NewRecipient, incident_json, recipient_json
from accord.server.alerts.service import (
    add_recipient,
    list_incidents,
    list_recipients,
    remove_recipient,
)
from accord.server.auth.roles import Role
from accord.server.auth.sessions import signed_in
from accord.server.deps import RuntimeDep, SessionDep

if TYPE_CHECKING:
    from accord.server.accounts.models import User

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])
Admin = Annotated["User", Depends(signed_in(Role.ADMIN))]
_MAX_INCIDENTS = 1000


@router.get("/recipients", summary="Who is told of incidents")
def recipients(_user: Admin, session: SessionDep) -> dict[str, Any]:
    return {"recipients": [recipient_json(r) for r in list_recipients(session)]}


@router.post("/recipients", status_code=201, summary="Tell an address of incidents")
def add(
    body: NewRecipient, user: Admin, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """An email address gets mails; a URL gets signed webhook events, and the ``secret``
    to check them, in this answer only."""
    recipient, secret = add_recipient(
        session, body.address, body.events, created_by=user.email,
        master_key=runtime.settings.master_key.get_secret_value(),
    )  # fmt: skip
    return recipient_json(recipient) | {"secret": secret}


@router.delete("/recipients/{recipient_id}", status_code=204, summary="Tell it nothing more")
def remove(recipient_id: int, _user: Admin, session: SessionDep) -> None:
    remove_recipient(session, recipient_id)


@router.get("/incidents", summary="Open incidents, then the latest resolved ones")
def incidents(
    _user: Admin,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=_MAX_INCIDENTS)] = 100,
) -> dict[str, Any]:
    return {"incidents": [incident_json(i) for i in list_incidents(session, limit=limit)]}
