"""The notices' pages: report content (anyone, or a protected person signed in), follow a
report with its tracking number and token, a notice's page with its decision and the
notifier's appeal, and a protected person's list of the notices about them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from accord.claims.statements import MAX_TEXT_CHARS
from accord.errors import AccordError, Forbidden, InvalidFields
from accord.server.appeals.service import appeal_as_notifier
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.notices.models import Notice, NoticeReason
from accord.server.notices.schemas import NoticeDraft, Notifier, acknowledgement
from accord.server.notices.service import (
    find_notice,
    may_read_notice,
    notice_for_token,
    notices_about,
    receive,
)
from accord.server.notices.status import notice_view
from accord.server.persons.service import people_reported_for
from accord.server.portal.routing import PageRoute, portal, see_other
from accord.server.portal.viewer import (
    Viewer,
    check_form,
    limit_visitor,
    optional_viewer,
    viewer,
)
from accord.server.portal.words import WORDS
from accord.server.problems import status_for
from accord.server.runtime import Runtime

if TYPE_CHECKING:
    from accord.server.persons.models import ProtectedPersonRow

router = APIRouter(route_class=PageRoute, include_in_schema=False)
#: Rows "My reports" lists at most.
_MY_NOTICES = 200


def _people_for(session: Session, found: Viewer | None) -> list[ProtectedPersonRow]:
    """The protected people the signed-in user may report deepfakes of, if any."""
    return [] if found is None else people_reported_for(session, found.user)


@router.get("/report", response_class=HTMLResponse)
def report_form(request: Request, session: SessionDep) -> Response:
    found = optional_viewer(request, session)
    return portal().render(
        request, "report.html", viewer=found, people=_people_for(session, found), errors=[],
        form={}, reasons=list(NoticeReason), words=WORDS, text_limit=MAX_TEXT_CHARS,
    )  # fmt: skip


@router.post("/report", response_class=HTMLResponse)
def report(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    *,
    reason: Annotated[str, Form(max_length=40)] = "",
    explanation: Annotated[str, Form(max_length=5000)] = "",
    good_faith: Annotated[str, Form(max_length=10)] = "",
    person: Annotated[str, Form(max_length=32)] = "",
    url: Annotated[str, Form(max_length=2000)] = "",
    platform: Annotated[str, Form(max_length=100)] = "",
    platform_content_id: Annotated[str, Form(max_length=500)] = "",
    text: Annotated[str, Form(max_length=MAX_TEXT_CHARS)] = "",
    notifier_name: Annotated[str, Form(max_length=200)] = "",
    notifier_email: Annotated[str, Form(max_length=320)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    file: UploadFile | None = None,
) -> Response:
    found = optional_viewer(request, session)
    form = {
        "reason": reason, "explanation": explanation, "person": person, "url": url,
        "platform": platform, "platform_content_id": platform_content_id, "text": text,
        "notifier_name": notifier_name, "notifier_email": notifier_email,
        "good_faith": good_faith == "yes",
    }  # fmt: skip
    draft = NoticeDraft(
        reason=reason,
        explanation=explanation,
        good_faith=good_faith == "yes",
        person_id=person or None,
        url=url,
        platform=platform,
        platform_content_id=platform_content_id,
        media_name=(file.filename or "") if file is not None else "",
        text=text,
    )
    try:
        if found is not None:
            check_form(request, csrf_token)
            notifier = Notifier(user=found.user)
        else:
            limit_visitor(request, runtime)
            notifier = Notifier(name=notifier_name, email=notifier_email)
        upload = file.file if file is not None and file.filename else None
        notice, token = receive(
            session, runtime.settings, runtime.blobs, draft, notifier, upload=upload
        )
    except AccordError as error:
        session.rollback()
        # Every field's problem at once, not the first.
        problems = error.problems if isinstance(error, InvalidFields) else [error.detail]
        return portal().render(
            request, "report.html", viewer=found, people=_people_for(session, found),
            errors=problems, form=form, reasons=list(NoticeReason),
            status=status_for(error), words=WORDS, text_limit=MAX_TEXT_CHARS,
        )  # fmt: skip
    # Not a redirect: the acknowledgement shows the status code once, and a redirect
    # would have to carry that secret in an address, where logs keep it.
    return portal().render(
        request, "acknowledged.html", viewer=found, status=201, notice=notice, token=token,
        acknowledgement=acknowledgement(notice),
    )  # fmt: skip


@router.get("/track", response_class=HTMLResponse)
def track_form(request: Request, session: SessionDep) -> Response:
    return portal().render(
        request, "track.html", viewer=optional_viewer(request, session), error=None, tracking=""
    )


@router.post("/track", response_class=HTMLResponse)
def track(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    tracking_number: Annotated[str, Form(max_length=40)] = "",
    token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The notifier's status page, opened with the tracking number and its token (a form
    post, so the token stays out of addresses and logs)."""
    found = optional_viewer(request, session)
    try:
        notice = notice_for_token(session, tracking_number, token)
    except AccordError as error:
        return portal().render(
            request, "track.html", viewer=found, error=error.detail, tracking=tracking_number,
            status=status_for(error),
        )  # fmt: skip
    return _status_page(request, runtime, session, notice, token=token)


@router.get("/notices/{tracking_number}", response_class=HTMLResponse)
def notice_page(
    request: Request,
    tracking_number: str,
    runtime: RuntimeDep,
    session: SessionDep,
    done: str = "",
) -> Response:
    found = viewer(request, session)
    notice = find_notice(session, tracking_number)
    if not may_read_notice(session, found.user, notice):
        raise Forbidden(f"notice {notice.tracking_number} is not yours")
    # ``done`` is only a flag for the confirmation: the appeal itself is on the page.
    return _status_page(request, runtime, session, notice, token="", appealed=done == "appealed")


def _status_page(
    request: Request,
    runtime: Runtime,
    session: Session,
    notice: Notice,
    *,
    token: str,
    error: str | None = None,
    status: int = 200,
    appealed: bool = False,
) -> Response:
    """``appealed``: the notifier's appeal was just received, for its confirmation."""
    found = optional_viewer(request, session)
    own = bool(token) or (found is not None and notice.notifier_user_id == found.user.id)
    shown = notice_view(runtime.settings, session, notice, own=own)
    waiting = any(appeal["status"] == "open" for appeal in shown["appeals"])
    decision = shown["decision"]
    return portal().render(
        request, "notice.html", viewer=found, status=status, notice=shown, token=token,
        may_appeal=own and decision is not None and not decision["reversed_at"] and not waiting,
        error=error, appealed=appealed, words=WORDS,
    )  # fmt: skip


@router.post("/notices/{tracking_number}/appeal", response_class=HTMLResponse)
def notifier_appeal(
    request: Request,
    tracking_number: str,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    reason: Annotated[str, Form(max_length=5000)] = "",
    token: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if token:
        notice = notice_for_token(session, tracking_number, token)
    else:
        found = viewer(request, session)
        check_form(request, csrf_token)
        notice = find_notice(session, tracking_number)
        if notice.notifier_user_id != found.user.id:
            raise Forbidden(f"notice {notice.tracking_number} is not yours to appeal")
    try:
        appeal_as_notifier(runtime.settings, session, notice, reason)
    except AccordError as error:
        session.rollback()
        return _status_page(
            request, runtime, session, notice, token=token, error=error.detail,
            status=status_for(error),
        )  # fmt: skip
    if not token:  # signed in: post, redirect, get; a refresh sends nothing again
        return see_other(f"/notices/{notice.tracking_number}?done=appealed")
    # With a status code the page stays the post's answer: a redirect would carry the
    # code in the address. A resent post is refused (an appeal is waiting already).
    return _status_page(request, runtime, session, notice, token=token, status=201, appealed=True)


@router.get("/my/notices", response_class=HTMLResponse)
def my_notices(request: Request, session: SessionDep) -> Response:
    """A protected person's (or representative's) notices: those they sent and every
    notice whose case is about them, newest first; of others' notices, nothing that says
    who sent them."""
    found = viewer(request, session)
    people = [person.id for person in _people_for(session, found)]
    sent = session.scalars(
        select(Notice)
        .where(Notice.notifier_user_id == found.user.id)
        .order_by(Notice.id.desc())
        .limit(_MY_NOTICES)
    ).all()
    about = notices_about(session, people, _MY_NOTICES)
    notices = sorted({n.id: n for n in [*sent, *about]}.values(), key=lambda n: -n.id)
    rows = [_my_notice_row(notice, found.user.id) for notice in notices[:_MY_NOTICES]]
    return portal().render(request, "my_notices.html", viewer=found, notices=rows, words=WORDS)


def _my_notice_row(notice: Notice, user_id: int) -> dict[str, object]:
    mine = notice.notifier_user_id == user_id
    where = notice.url or notice.platform_content_id
    if not where and notice.media_sha256 is not None:
        where = notice.media_name if mine else "a file"
    return {
        "tracking_number": notice.tracking_number,
        "received_at": notice.received_at,
        "where": where,
        "status": notice.status,
        "mine": mine,
    }
