"""Appeals over HTTP: an uploader appeals with the token their platform passed on; a
platform fetches those tokens with its API key; senior reviewers list and decide appeals.
(A notifier appeals from their notice: ``POST /v1/notices/{tracking_number}/appeal``.)"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from accord.errors import Unauthorized
from accord.server.appeals.schemas import (
    AppealDecisionIn,
    UploaderAppealIn,
    appeal_json,
    code_json,
)
from accord.server.appeals.service import (
    appeal_as_uploader,
    decide_appeal,
    find_appeal,
    open_appeals,
)
from accord.server.auth.guard import limit_per_address, require
from accord.server.auth.keys import Scope
from accord.server.auth.roles import Role
from accord.server.auth.sessions import signed_in
from accord.server.auth.state import Caller
from accord.server.decisions.schemas import MAX_CODES
from accord.server.decisions.service import codes_for_platform
from accord.server.deps import RuntimeDep, SessionDep

if TYPE_CHECKING:
    from accord.server.accounts.models import User

router = APIRouter(prefix="/v1/appeals", tags=["appeals"])
Reader = Annotated["User", Depends(signed_in(Role.SENIOR_REVIEWER, Role.ADMIN, Role.AUDITOR))]
Senior = Annotated["User", Depends(signed_in(Role.SENIOR_REVIEWER))]
PlatformCaller = Annotated[Caller, Depends(require(Scope.PLATFORM))]
_MAX_LIST = 500


@router.post("", status_code=201, summary="Appeal a decision on your content")
def appeal(
    body: UploaderAppealIn, request: Request, runtime: RuntimeDep, session: SessionDep
) -> dict[str, Any]:
    limit_per_address(
        request, runtime, purpose="appeal", what="appeals",
        per_minute=runtime.settings.notices_per_minute_per_address,
    )  # fmt: skip
    filed = appeal_as_uploader(
        runtime.settings, session, body.token, body.reason, contact_email=body.contact_email
    )
    return appeal_json(filed)


@router.get("/codes", summary="Your platform's appeal codes, to pass on to uploaders")
def platform_codes(
    caller: PlatformCaller,
    runtime: RuntimeDep,
    session: SessionDep,
    *,
    platform_content_id: Annotated[str, Query(max_length=500)] = "",
    since: Annotated[datetime | None, Query(description="Acted on at or after")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_CODES)] = 100,
) -> dict[str, Any]:
    """The codes of the platform's restricted copies, newest first: the same ones its
    webhook carries, for a platform with none or a message it missed."""
    platform = platform_of(caller)
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)  # a time without a zone is read as UTC
    codes = codes_for_platform(
        runtime.settings, session, platform,
        platform_content_id=platform_content_id, since=since, limit=limit,
    )  # fmt: skip
    return {"platform": platform, "codes": [code_json(runtime.settings, code) for code in codes]}


def platform_of(caller: Caller) -> str:
    """The platform a key acts for. Without a key (an instance that does not require
    them) no platform is known, and codes are secrets."""
    if caller.platform is None:
        raise Unauthorized("send your platform's API key as 'Authorization: Bearer <key>'")
    return caller.platform


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
    runtime: RuntimeDep,
    session: SessionDep,
) -> dict[str, Any]:
    found = find_appeal(session, reference)
    decided = decide_appeal(
        runtime,
        session,
        found,
        user,
        reverse_decision=body.outcome == "reversed",
        reasons=body.reasons,
    )
    return appeal_json(decided)
