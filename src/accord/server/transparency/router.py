"""``GET /v1/transparency``: the notice-and-action figures of a period, for the DSA
transparency report."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query

from accord.errors import BadRequest
from accord.server.auth.roles import Role
from accord.server.auth.sessions import signed_in
from accord.server.deps import SessionDep
from accord.server.transparency.service import transparency_report

if TYPE_CHECKING:
    from accord.server.accounts.models import User

router = APIRouter(prefix="/v1/transparency", tags=["transparency"])
Reader = Annotated["User", Depends(signed_in(Role.ADMIN, Role.AUDITOR))]


@router.get("", summary="Notices, actions, appeals and suspensions of a period")
def report(
    _user: Reader,
    session: SessionDep,
    start: Annotated[date, Query(alias="from", description="First day, YYYY-MM-DD")],
    end: Annotated[date, Query(alias="to", description="Last day, YYYY-MM-DD (included)")],
) -> dict[str, Any]:
    if end < start:
        raise BadRequest("to: the last day comes on or after the first")
    first = datetime.combine(start, time(), UTC)
    after_last = datetime.combine(end + timedelta(days=1), time(), UTC)
    return transparency_report(session, first, after_last)
