"""Pages for everyone: sign in and out, report content, follow a report, appeal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from starlette.responses import Response

from accord.errors import (
    AccordError,
    BadRequest,
    Forbidden,
    InvalidFields,
    RateLimited,
    Unauthorized,
)
from accord.server.accounts import service as accounts
from accord.server.accounts.models import Role
from accord.server.accounts.router import SESSION_COOKIE
from accord.server.appeals.service import (
    action_for_token,
    appeal_as_notifier,
    appeal_as_uploader,
    appeals_of,
)
from accord.server.auth.guard import limit_per_address
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.notices.models import Notice, NoticeReason
from accord.server.notices.router import appeal_json, decision_json, notice_json, receive
from accord.server.notices.service import (
    NoticeDraft,
    Notifier,
    acknowledgement,
    find_notice,
    may_read_notice,
    notice_for_token,
    notices_about,
)
from accord.server.persons.models import ProtectedPersonRow
from accord.server.persons.service import may_report_for
from accord.server.portal.pages import check_form, optional_viewer, safe_next, viewer
from accord.server.portal.routing import PageRoute, portal, see_other
from accord.server.portal.words import WORDS
from accord.server.problems import status_for
from accord.server.runtime import Runtime

router = APIRouter(route_class=PageRoute, include_in_schema=False)
#: Rows "My reports" lists at most.
_MY_NOTICES = 200
_HOME_BY_ROLE = {
    Role.REVIEWER: "/review",
    Role.SENIOR_REVIEWER: "/review",
    Role.ADMIN: "/admin",
    Role.AUDITOR: "/review",
    Role.PROTECTED_PERSON: "/my/notices",
    Role.REPRESENTATIVE: "/my/notices",
}


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> Response:
    found = optional_viewer(request, session)
    if found is not None:
        return see_other(_HOME_BY_ROLE.get(Role(found.role), "/report"))
    return portal().render(request, "home.html", viewer=None)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    return portal().render(request, "login.html", viewer=None, next=safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    try:
        limit_per_address(
            request, runtime, purpose="login", what="sign-in attempts",
            per_minute=runtime.settings.login_attempts_per_minute,
        )  # fmt: skip
        token = accounts.log_in(session, email, password)
    except (Unauthorized, RateLimited) as error:
        session.commit()  # a wrong password counts towards the lockout all the same
        return portal().render(
            request, "login.html", viewer=None, status=status_for(error), next=safe_next(next),
            error=error.detail, email=email,
        )  # fmt: skip
    user = accounts.session_user(session, token)
    target = safe_next(next, _HOME_BY_ROLE.get(Role(user.role), "/") if user else "/")
    if target == "/" and user is not None:
        target = _HOME_BY_ROLE.get(Role(user.role), "/report")
    response = see_other(target)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        secure=True,
        samesite="strict",
    )
    return response


@router.post("/logout")
def logout(
    request: Request, session: SessionDep, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    check_form(request, csrf_token)
    accounts.log_out(session, request.cookies.get(SESSION_COOKIE, ""))
    response = see_other("/login")
    response.delete_cookie(SESSION_COOKIE, httponly=True, secure=True, samesite="strict")
    return response


def _people_for(session: SessionDep, found: object) -> list[ProtectedPersonRow]:
    """The protected people the signed-in user may report deepfakes of, if any."""
    user = getattr(found, "user", None)
    if user is None or user.role not in {Role.PROTECTED_PERSON, Role.REPRESENTATIVE}:
        return []
    people = session.scalars(select(ProtectedPersonRow).order_by(ProtectedPersonRow.name))
    return [person for person in people if may_report_for(session, user, person)]


@router.get("/report", response_class=HTMLResponse)
def report_form(request: Request, session: SessionDep) -> Response:
    found = optional_viewer(request, session)
    return portal().render(
        request, "report.html", viewer=found, people=_people_for(session, found), errors=[],
        form={}, reasons=list(NoticeReason), words=WORDS,
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
    notifier_name: Annotated[str, Form(max_length=200)] = "",
    notifier_email: Annotated[str, Form(max_length=320)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    file: UploadFile | None = None,
) -> Response:
    found = optional_viewer(request, session)
    form = {
        "reason": reason, "explanation": explanation, "person": person, "url": url,
        "platform": platform, "platform_content_id": platform_content_id,
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
    )
    try:
        if found is not None:
            check_form(request, csrf_token)
            notifier = Notifier(user=found.user)
        else:
            _limit_public(request, runtime)
            notifier = Notifier(name=notifier_name, email=notifier_email)
        notice, token = receive(runtime, session, draft, notifier, file)
    except AccordError as error:
        session.rollback()
        # Every field's problem at once, not the first.
        problems = error.problems if isinstance(error, InvalidFields) else [error.detail]
        return portal().render(
            request, "report.html", viewer=found, people=_people_for(session, found),
            errors=problems, form=form, reasons=list(NoticeReason),
            status=status_for(error), words=WORDS,
        )  # fmt: skip
    # Not a redirect: the acknowledgement shows the status code once, and a redirect
    # would have to carry that secret in an address, where logs keep it.
    return portal().render(
        request, "acknowledged.html", viewer=found, status=201, notice=notice, token=token,
        acknowledgement=acknowledgement(notice),
    )  # fmt: skip


def _limit_public(request: Request, runtime: Runtime) -> None:
    limit_per_address(
        request, runtime, purpose="notice", what="reports",
        per_minute=runtime.settings.notices_per_minute_per_address,
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
    session: SessionDep,
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
    shown = notice_json(runtime, session, notice, own=own)
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
        appeal_as_notifier(runtime, session, notice, reason)
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


@router.get("/appeal", response_class=HTMLResponse)
def appeal_form(
    request: Request, runtime: RuntimeDep, session: SessionDep, token: str = ""
) -> Response:
    """The uploader's status page, which their platform links them to with the code from
    the action: what was decided about their content and why, and their appeal. Without
    a code it asks for one, to show the decision before any appeal."""
    return _appeal_page(request, runtime, session, token=token)


@router.post("/appeal", response_class=HTMLResponse)
def appeal(
    request: Request,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    token: Annotated[str, Form(max_length=200)] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
    contact_email: Annotated[str, Form(max_length=320)] = "",
) -> Response:
    try:
        _limit_public(request, runtime)
        if not token:
            raise BadRequest("token: paste the appeal code your platform gave you")
        filed = appeal_as_uploader(runtime, session, token, reason, contact_email=contact_email)
    except AccordError as error:
        session.rollback()
        return _appeal_page(
            request, runtime, session, token=token, error=error.detail,
            status=status_for(error), reason=reason, contact_email=contact_email,
        )  # fmt: skip
    # The answer to the post, not a redirect: the appeal code must stay out of addresses
    # that logs keep; a resent post is refused (an appeal is waiting already).
    return _appeal_page(
        request, runtime, session, token=token, status=201, filed=True,
        told_at=filed.contact_email if runtime.settings.smtp_host is not None else "",
    )  # fmt: skip


def _appeal_page(
    request: Request,
    runtime: Runtime,
    session: SessionDep,
    *,
    token: str,
    error: str | None = None,
    status: int = 200,
    reason: str = "",
    contact_email: str = "",
    filed: bool = False,
    told_at: str = "",
) -> Response:
    """``filed``: the appeal was just received; ``told_at``: the address the appellant
    gave to hear the outcome ("" when they gave none)."""
    decision, appeals = None, []
    if token:
        try:
            item_action, found = action_for_token(session, token)
            decision, appeals = decision_json(runtime, found), appeals_of(session, item_action)
        except AccordError as unknown:
            error, status = unknown.detail, status_for(unknown)
    return portal().render(
        request, "appeal.html", viewer=optional_viewer(request, session), status=status,
        token=token, error=error, reason=reason, contact_email=contact_email,
        decision=decision, filed=filed,
        told_at=told_at, appeals=[appeal_json(filed_appeal) for filed_appeal in appeals],
        asks_email=runtime.settings.smtp_host is not None,  # no mail, no address to ask
        words=WORDS,
    )  # fmt: skip


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
