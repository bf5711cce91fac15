"""Notices over HTTP: anyone may send one (a form post with an optional file); a partner
sends with an API key holding ``notify``; a protected person or their representative
signs in first. Each notice gets a tracking number and a token to follow it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Form, Header, Request, UploadFile
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from accord.claims.statements import MAX_TEXT_CHARS
from accord.errors import Forbidden, NotFound
from accord.server.appeals.schemas import appeal_json
from accord.server.appeals.service import appeal_as_notifier
from accord.server.auth.guard import admit, limit_per_address, presented_key
from accord.server.auth.keys import Scope
from accord.server.auth.sessions import optional_user
from accord.server.db.base import MAX_INTEGER
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.notices.schemas import NoticeDraft, Notifier, acknowledgement
from accord.server.notices.service import find_notice, may_read_notice, notice_for_token, receive
from accord.server.notices.status import notice_view
from accord.server.runtime import Runtime

if TYPE_CHECKING:
    from accord.server.accounts.models import User
    from accord.server.notices.models import Notice

router = APIRouter(prefix="/v1/notices", tags=["notices"])

NOTICE_TOKEN_HEADER = "X-Notice-Token"  # noqa: S105 - a header name, not a secret


@router.post("", status_code=201, summary="Report deceptive content (DSA Art. 16 notice)")
async def send_notice(
    request: Request,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    reason: Annotated[
        str, Form(description="deepfake_of_me, deceptive_ai_content or voting_misinformation")
    ],
    explanation: Annotated[str, Form(max_length=5000)],
    good_faith: Annotated[bool, Form(description="The notice is accurate and made in good faith")],
    file: UploadFile | None = None,
    person: Annotated[str, Form(max_length=32)] = "",
    url: Annotated[str, Form(max_length=2000)] = "",
    platform: Annotated[str, Form(max_length=100)] = "",
    platform_content_id: Annotated[str, Form(max_length=500)] = "",
    uploader: Annotated[str, Form(max_length=500)] = "",
    reach: Annotated[int, Form(ge=0, le=MAX_INTEGER)] = 0,
    text: Annotated[
        str, Form(max_length=MAX_TEXT_CHARS, description="The post's text or caption, if any")
    ] = "",
    notifier_name: Annotated[str, Form(max_length=200)] = "",
    notifier_email: Annotated[str, Form(max_length=320)] = "",
) -> dict[str, Any]:
    notifier = await _notifier(request, runtime, session, notifier_name, notifier_email)
    draft = NoticeDraft(
        reason=reason,
        explanation=explanation,
        good_faith=good_faith,
        person_id=person or None,
        url=url,
        platform=platform,
        platform_content_id=platform_content_id,
        uploader=uploader,
        reach=reach,
        media_name=(file.filename or "") if file is not None else "",
        text=text,
    )
    upload = file.file if file is not None and file.filename else None
    notice, token = await run_in_threadpool(
        receive, session, runtime.settings, runtime.blobs, draft, notifier, upload=upload
    )
    return {
        "tracking_number": notice.tracking_number,
        "status_token": token,
        "status": notice.status,
        "received_at": notice.received_at.isoformat(),
        "acknowledgement": acknowledgement(notice),
    }


async def _notifier(
    request: Request, runtime: Runtime, session: Session, name: str, email: str
) -> Notifier:
    user = await optional_user(request, session)
    if user is not None:
        return Notifier(user=user)
    if presented_key(request) is not None:
        caller = await admit(request, runtime, Scope.NOTIFY)
        if caller.key_name:
            trusted = Scope.TRUSTED_FLAGGER.value in caller.scopes
            return Notifier(key_name=caller.key_name, trusted_flagger=trusted)
    limit_per_address(
        request, runtime, purpose="notice", what="notices",
        per_minute=runtime.settings.notices_per_minute_per_address,
    )  # fmt: skip
    return Notifier(name=name, email=email)


@router.get("/{tracking_number}", summary="A notice's status, decision and appeals")
async def notice_status(
    tracking_number: str,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    token: Annotated[str | None, Header(alias=NOTICE_TOKEN_HEADER)] = None,
) -> dict[str, Any]:
    notice = await _readable_notice(request, session, tracking_number, token=token)
    own = bool(token) or await _sent_by_caller(request, session, notice)
    return await run_in_threadpool(notice_view, runtime.settings, session, notice, own=own)


@router.post("/{tracking_number}/appeal", status_code=201, summary="Appeal the decision")
async def appeal(
    tracking_number: str,
    request: Request,
    *,
    session: SessionDep,
    runtime: RuntimeDep,
    reason: Annotated[str, Form(max_length=5000)],
    token: Annotated[str | None, Header(alias=NOTICE_TOKEN_HEADER)] = None,
) -> dict[str, Any]:
    notice = await _readable_notice(request, session, tracking_number, token=token, own=True)
    filed = await run_in_threadpool(appeal_as_notifier, runtime.settings, session, notice, reason)
    return appeal_json(filed)


async def _readable_notice(
    request: Request,
    session: Session,
    tracking_number: str,
    token: str | None,
    *,
    own: bool = False,
) -> Notice:
    """The notice, for its status token or a signed-in user allowed to read it (``own``:
    only its notifier)."""
    if token:
        return await run_in_threadpool(notice_for_token, session, tracking_number, token)
    user: User | None = await optional_user(request, session)
    if user is None:
        raise NotFound(f"send the notice's token in {NOTICE_TOKEN_HEADER}, or sign in")
    notice = await run_in_threadpool(find_notice, session, tracking_number)
    allowed = (
        notice.notifier_user_id == user.id
        if own
        else await run_in_threadpool(may_read_notice, session, user, notice)
    )
    if not allowed:
        raise Forbidden(f"notice {notice.tracking_number} is not yours")
    return notice


async def _sent_by_caller(request: Request, session: Session, notice: Notice) -> bool:
    user: User | None = await optional_user(request, session)
    return user is not None and notice.notifier_user_id == user.id
