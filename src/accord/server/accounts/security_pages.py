"""The second factor's pages: the sign-in's code step (``/login/code``) and the account's
security page (``/account/security``): setting up an authenticator app from a QR code,
the recovery codes (shown once), new ones, and replacing or turning off the factor.

A session that may only set up a factor (its role needs one) reaches the security page
and nothing else: every other page sends it back here through ``/login``. A refused code
or password shows the page again with the reason, and still counts in the lockout (the
request commits before answering).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from accord.errors import AccountLocked, NotSignedIn, RateLimited, Unauthorized
from accord.server.accounts import protection, second_factor
from accord.server.accounts import service as accounts
from accord.server.accounts.alerts import Sender
from accord.server.accounts.models import SignInStage, User
from accord.server.auth.roles import Role
from accord.server.auth.sessions import SESSION_COOKIE, clear_session_cookie, set_session_cookie
from accord.server.db.base import utc_now
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.portal.routing import PageRoute, portal, see_other
from accord.server.portal.viewer import HOME_BY_ROLE, Viewer, check_form, safe_next
from accord.server.problems import status_for

if TYPE_CHECKING:
    from accord.server.runtime import Runtime

router = APIRouter(route_class=PageRoute, include_in_schema=False)

SECURITY_PAGE = "/account/security"
Csrf = Annotated[str, Form(max_length=200)]
Code = Annotated[str, Form(max_length=64)]
Next = Annotated[str, Form(max_length=2000)]
#: What the security page says after a change: fixed words picked by a key.
_DONE = {
    "removed": "The second factor is turned off.",
    "replace": "The old authenticator is removed: set up the new one below.",
}


def landing(user: User, next: str) -> str:
    """Where a sign-in ends: ``next`` if it is a path here, else the role's home."""
    home = HOME_BY_ROLE.get(Role(user.role), "/report")
    target = safe_next(next, home)
    return home if target == "/" else target


def next_step(stage: SignInStage, target: str) -> str:
    """Where a half-done sign-in goes on, to end at ``target``."""
    step = "/login/code" if stage == SignInStage.CODE else SECURITY_PAGE
    return f"{step}?next={quote(target, safe='/')}"


# The sign-in's second step


@router.get("/login/code", response_class=HTMLResponse)
def code_form(request: Request, session: SessionDep, next: str = "/") -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    found = accounts.stage_of(session, token)
    if found is None or found[0] != SignInStage.CODE:
        return see_other(f"/login?next={quote(safe_next(next), safe='/')}")
    return _code_page(request, token, next)


@router.post("/login/code", response_class=HTMLResponse)
def enter_code(
    request: Request,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    csrf_token: Csrf = "",
    code: Code = "",
    next: Next = "/",
) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    check_form(request, csrf_token)
    # Not limited per address like passwords: only a right password reaches this step,
    # and the account's lockout stops guessing codes.
    try:
        signed, use = protection.finish_with_code(
            session, token, code, sender=Sender.of(request, runtime.settings), now=utc_now()
        )
    except NotSignedIn:
        return see_other(f"/login?next={quote(safe_next(next), safe='/')}")
    except AccountLocked as error:
        # Locked: the half-done sign-in ends; the sign-in page says why and for how long.
        accounts.log_out(session, token)
        session.commit()
        response: Response = portal().render(
            request, "login.html", viewer=None, status=status_for(error), next=safe_next(next),
            error=error.detail,
        )  # fmt: skip
        clear_session_cookie(response)
        return response
    except (Unauthorized, RateLimited) as error:
        session.commit()  # the wrong code counts towards the lockout all the same
        return _code_page(request, token, next, error=error.detail, status=status_for(error))
    user = accounts.session_user(session, signed)
    assert user is not None  # noqa: S101 - signed in just now
    target = landing(user, next)
    if use.recovery:
        target = f"{SECURITY_PAGE}?recovery_used=1&next={quote(target, safe='/')}"
    response = see_other(target)
    set_session_cookie(response, signed)
    return response


def _code_page(
    request: Request, token: str, next: str, *, error: str | None = None, status: int = 200
) -> Response:
    return portal().render(
        request, "login_code.html", viewer=None, status=status, error=error,
        csrf=accounts.csrf_token(token), next=safe_next(next),
    )  # fmt: skip


# The security page


@router.get(SECURITY_PAGE, response_class=HTMLResponse)
def security_page(
    request: Request,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    next: str = "",
    done: str = "",
    recovery_used: str = "",
) -> Response:
    found = _holder(request, session)
    if isinstance(found, Response):
        return found
    return _page(
        request, session, runtime, found, next=next, done=_DONE.get(done),
        recovery_used=recovery_used == "1",
    )  # fmt: skip


@router.post(f"{SECURITY_PAGE}/enrol", response_class=HTMLResponse)
def enrol(
    request: Request,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    csrf_token: Csrf = "",
    code: Code = "",
    next: Next = "",
) -> Response:
    """Confirm the authenticator with its first code; the recovery codes, shown once."""
    found = _holder(request, session)
    if isinstance(found, Response):
        return found
    check_form(request, csrf_token)
    token = request.cookies.get(SESSION_COOKIE, "")
    try:
        token, codes = protection.finish_enrolment(
            session, token, code, sender=Sender.of(request, runtime.settings), now=utc_now()
        )
    except Unauthorized as error:
        return _page(
            request, session, runtime, found, next=next, error=error.detail,
            status=status_for(error),
        )  # fmt: skip
    response = _codes_page(request, found.user, token, codes, next)
    set_session_cookie(response, token)
    return response


@router.post(f"{SECURITY_PAGE}/recovery-codes", response_class=HTMLResponse)
def renew_codes(
    request: Request,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    csrf_token: Csrf = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    code: Code = "",
) -> Response:
    """New recovery codes, on the password and a current code."""
    found = _holder(request, session, SignInStage.SIGNED_IN)
    if isinstance(found, Response):
        return found
    check_form(request, csrf_token)
    try:
        codes = protection.renew_recovery_codes(
            session, found.user, password, code, sender=Sender.of(request, runtime.settings),
            now=utc_now(),
        )  # fmt: skip
    except (Unauthorized, RateLimited) as error:
        session.commit()  # the wrong password or code counts towards the lockout
        return _page(request, session, runtime, found, error=error.detail, status=status_for(error))
    return _codes_page(request, found.user, request.cookies.get(SESSION_COOKIE, ""), codes, "")


@router.post(f"{SECURITY_PAGE}/remove", response_class=HTMLResponse)
def remove(
    request: Request,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    csrf_token: Csrf = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    code: Code = "",
) -> Response:
    """Turn the factor off, or (for a role that needs one) replace it."""
    found = _holder(request, session, SignInStage.SIGNED_IN)
    if isinstance(found, Response):
        return found
    check_form(request, csrf_token)
    try:
        token = protection.remove_own(
            session, request.cookies.get(SESSION_COOKIE, ""), password, code,
            sender=Sender.of(request, runtime.settings), now=utc_now(),
        )  # fmt: skip
    except (Unauthorized, RateLimited) as error:
        session.commit()  # the wrong password or code counts towards the lockout
        return _page(request, session, runtime, found, error=error.detail, status=status_for(error))
    replacing = accounts.needs_second_factor(found.user)
    response = see_other(f"{SECURITY_PAGE}?done={'replace' if replacing else 'removed'}")
    set_session_cookie(response, token)
    return response


def _holder(
    request: Request, session: Session, stage: SignInStage | None = None
) -> Viewer | Response:
    """Who holds this page: a signed-in user, or one who may only set up a factor (or
    only ``stage``); a visitor is sent to sign in first."""
    token = request.cookies.get(SESSION_COOKIE, "")
    found = accounts.stage_of(session, token)
    allowed = (stage,) if stage else (SignInStage.SIGNED_IN, SignInStage.ENROL)
    if found is None or found[0] not in allowed:
        if found is not None and found[0] == SignInStage.CODE:
            return see_other(next_step(SignInStage.CODE, SECURITY_PAGE))
        return see_other(f"/login?next={quote(SECURITY_PAGE, safe='/')}")
    session.info["actor"] = f"user:{found[1].email}"  # for the audit log
    return Viewer(found[1], accounts.csrf_token(token))


def _page(
    request: Request,
    session: Session,
    runtime: Runtime,
    found: Viewer,
    *,
    next: str = "",
    done: str | None = None,
    error: str | None = None,
    status: int = 200,
    recovery_used: bool = False,
) -> Response:
    user = found.user
    context: dict[str, Any] = {
        "enrolled": second_factor.confirmed(session, user) is not None,
        "required": accounts.needs_second_factor(user),
        "only_setup": accounts.session_user(session, request.cookies.get(SESSION_COOKIE, ""))
        is None,
    }
    if context["enrolled"]:
        context["recovery_left"] = second_factor.recovery_codes_left(session, user)
    else:
        master_key = runtime.settings.master_key.get_secret_value()
        enrolment = second_factor.begin_enrolment(session, user, master_key)
        context["secret"] = " ".join(
            enrolment.secret[index : index + 4] for index in range(0, len(enrolment.secret), 4)
        )
        context["uri"] = enrolment.uri
        context["qr_svg"] = segno.make(enrolment.uri, error="m").svg_inline(
            scale=5, dark="#000", light="#fff", title="QR code for the authenticator app"
        )
    return portal().render(
        request, "account_security.html", viewer=found, status=status, error=error, done=done,
        next=safe_next(next, ""), recovery_used=recovery_used, **context,
    )  # fmt: skip


def _codes_page(request: Request, user: User, token: str, codes: list[str], next: str) -> Response:
    return portal().render(
        request, "recovery_codes.html", viewer=Viewer(user, accounts.csrf_token(token)),
        codes=codes, next=landing(user, next),
    )  # fmt: skip
