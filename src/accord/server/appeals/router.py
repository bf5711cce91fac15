"""Appeals over HTTP: an uploader appeals with the token their platform passed on; senior
reviewers list and decide appeals. (A notifier appeals from their notice:
``POST /v1/notices/{tracking_number}/appeal``.)"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from accord.server.accounts.models import Role, User
from accord.server.accounts.router import signed_in
from accord.server.appeals.service import (
    appeal_as_uploader,
    decide_appeal,
    find_appeal,
    open_appeals,
)
from accord.server.auth.guard import limit_per_address
from accord.server.deps import ServicesDep, SessionDep
from accord.server.notices.router import appeal_json

router = APIRouter(prefix="/v1/appeals", tags=["appeals"])
Reader = Annotated[User, Depends(signed_in(Role.SENIOR_REVIEWER, Role.ADMIN, Role.AUDITOR))]
Senior = Annotated[User, Depends(signed_in(Role.SENIOR_REVIEWER))]
_MAX_LIST = 500


class UploaderAppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(max_length=200)
    reason: str = Field(max_length=5000)
    #: Where to send the outcome; the platform hears it in any case.
    contact_email: str = Field(default="", max_length=320)


class AppealDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["upheld", "reversed"]
    reasons: str = Field(max_length=5000)


@router.post("", status_code=201, summary="Appeal a decision on your content")
def appeal(
    body: UploaderAppealIn, request: Request, services: ServicesDep, session: SessionDep
) -> dict[str, Any]:
    limit_per_address(
        request, services, purpose="appeal", what="appeals",
        per_minute=services.settings.notices_per_minute_per_address,
    )  # fmt: skip
    filed = appeal_as_uploader(
        services, session, body.token, body.reason, contact_email=body.contact_email
    )
    return appeal_json(filed)


@router.get("", summary="Open appeals, the closest deadline first")
def list_open(
    _user: Reader, session: SessionDep, limit: Annotated[int, Query(ge=1, le=_MAX_LIST)] = 100
) -> dict[str, Any]:
    return {"appeals": [appeal_json(found) for found in open_appeals(session, limit)]}


@router.post("/{reference}/decision", summary="Uphold or reverse the decision appealed")
def decide(
    reference: str,
    body: AppealDecisionIn,
    user: Senior,
    services: ServicesDep,
    session: SessionDep,
) -> dict[str, Any]:
    found = find_appeal(session, reference)
    decided = decide_appeal(
        services,
        session,
        found,
        user,
        reverse_decision=body.outcome == "reversed",
        reasons=body.reasons,
    )
    return appeal_json(decided)
