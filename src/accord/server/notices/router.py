"""Notices over HTTP: anyone may send one (a form post with an optional file); a partner
sends with an API key holding ``notify``; a protected person or their representative
signs in first. Each notice gets a tracking number and a token to follow it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Header, Request, UploadFile
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from accord.errors import Forbidden, NotFound
from accord.server.accounts.models import User
from accord.server.accounts.router import optional_user
from accord.server.appeals.models import Appeal
from accord.server.appeals.service import appeal_as_notifier
from accord.server.auth.guard import admit, limit_per_address, presented_key
from accord.server.auth.keys import Scope
from accord.server.cases.models import Case
from accord.server.decisions.models import REVERSAL_EFFECTS, Decision
from accord.server.decisions.service import appeal_deadline, latest_decision_for_notice
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.notices.models import Notice
from accord.server.notices.notifications import tell_received
from accord.server.notices.service import (
    NoticeDraft,
    Notifier,
    acknowledgement,
    find_notice,
    may_read_notice,
    notice_for_token,
    submit_notice,
)
from accord.server.runtime import Runtime
from accord.server.uploads import spooled_to_disk

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
    reach: Annotated[int, Form(ge=0)] = 0,
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
    )
    notice, token = await run_in_threadpool(receive, runtime, session, draft, notifier, file)
    return {
        "tracking_number": notice.tracking_number,
        "status_token": token,
        "status": notice.status,
        "received_at": notice.received_at.isoformat(),
        "acknowledgement": acknowledgement(notice),
    }


def receive(
    runtime: Runtime,
    session: Session,
    draft: NoticeDraft,
    notifier: Notifier,
    file: UploadFile | None,
) -> tuple[Notice, str]:
    """Store a notice and its file, and queue its acknowledgement by email."""
    settings = runtime.settings
    if file is None or not file.filename:
        notice, token = submit_notice(session, runtime.blobs, draft, notifier)
    else:
        with spooled_to_disk(
            file.file, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
        ) as path:
            notice, token = submit_notice(session, runtime.blobs, draft, notifier, path)
    tell_received(session, settings, notice)
    return notice, token


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
    return await run_in_threadpool(notice_json, runtime, session, notice, own=own)


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
    filed = await run_in_threadpool(appeal_as_notifier, runtime, session, notice, reason)
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


def notice_json(
    runtime: Runtime, session: Session, notice: Notice, *, own: bool = True
) -> dict[str, Any]:
    """What a notifier sees: their notice, the decision that applies to it with its
    reasons, their appeals. Not ``own`` (a protected person reading a notice someone else
    sent about them): nothing of the notifier's, neither their file's name nor appeals."""
    case = session.get(Case, notice.case_id) if notice.case_id else None
    # Reversed or not: a notifier is told the decision was undone, not that none exists.
    decision = latest_decision_for_notice(session, notice)
    appeals = session.scalars(
        select(Appeal).where(Appeal.notice_id == notice.id).order_by(Appeal.id)
    )
    return {
        "tracking_number": notice.tracking_number,
        "status": notice.status,
        "reason": notice.reason,
        "received_at": notice.received_at.isoformat(),
        "url": notice.url,
        "platform": notice.platform,
        "platform_content_id": notice.platform_content_id,
        "file": (notice.media_name or None) if own else None,
        "case": case.reference if case is not None else None,
        "decision": decision_json(runtime, decision) if decision is not None else None,
        "appeals": [appeal_json(filed) for filed in appeals] if own else [],
        "yours": own,
    }


def decision_json(runtime: Runtime, decision: Decision) -> dict[str, Any]:
    return {
        "id": decision.id,
        "action": decision.action,
        "ground": decision.ground,
        "ground_text": decision.ground_text,
        "ground_url": decision.ground_url,
        "explanation": decision.explanation,
        "decided_at": decision.decided_at.isoformat(),
        "automated_decision": decision.automated_decision,
        "automated_detection": decision.automated_detection,
        "automated_means": automated_means(decision),
        "reversed_at": decision.reversed_at.isoformat() if decision.reversed_at else None,
        "reversal": reversal_json(decision),
        "appeal_until": appeal_deadline(runtime, decision).isoformat(),
    }


def reversal_json(decision: Decision) -> dict[str, Any] | None:
    """When an appeal reversed ``decision``, and what that did, in words; None if not."""
    if decision.reversed_at is None:
        return None
    return {
        "at": decision.reversed_at.isoformat(),
        "effect": REVERSAL_EFFECTS.get(decision.action, "its consequences are undone"),
    }


def automated_means(decision: Decision) -> str:
    """How automated means were used in taking ``decision``, in plain words (DSA Art.
    17(3)(c)), as its statement of reasons says."""
    if decision.reviewer_id is None:
        return (
            "Automated means were used: this copy was recognised automatically as a match "
            "of content a reviewer had decided on, and that decision was applied to it "
            "automatically, without a new review."
        )
    return (
        "A reviewer took this decision; no automated means took it, and the content was "
        "reported in a notice, not detected by automated means."
    )


def appeal_json(appeal: Appeal) -> dict[str, Any]:
    return {
        "reference": appeal.reference,
        "status": appeal.status,
        "appellant": appeal.appellant_kind,
        "reason": appeal.reason,
        "received_at": appeal.received_at.isoformat(),
        "due_at": appeal.due_at.isoformat(),
        "reasons": appeal.reasons,
        "decided_at": appeal.decided_at.isoformat() if appeal.decided_at else None,
    }
