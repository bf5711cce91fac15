"""Signing in and out over HTTP: a session cookie for browsers, with a CSRF token for
every change they ask for (``auth.sessions`` checks both on every other route)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from accord.errors import Unauthorized
from accord.server.accounts import protection
from accord.server.accounts import service as accounts
from accord.server.accounts.alerts import Sender
from accord.server.accounts.models import SignInStage
from accord.server.accounts.schemas import Accept, LogIn, user_json
from accord.server.auth.guard import limit_per_address
from accord.server.auth.sessions import (
    CSRF_HEADER,
    clear_session_cookie,
    session_token,
    set_session_cookie,
    user_of,
)
from accord.server.db.base import utc_now
from accord.server.deps import RuntimeDep, SessionDep

router = APIRouter(tags=["accounts"])


@router.post(
    "/v1/session",
    summary="Sign in: a session cookie and its CSRF token",
    description=(
        "One request: the email, the password and, for an account with a second factor, "
        "`code` (the authenticator app's six digits, or a recovery code). Without it such "
        "an account is answered 401 `auth.second_factor_required`; a wrong code is 401 "
        "`auth.wrong_code` and counts in the lockout like a wrong password. "
        "`second_factor.enrolment_required` true: the role needs a second factor and the "
        "account has none; the session may only set one up at `/account/security`, and "
        "every other call with it is 403 `auth.second_factor_enrolment_required`. After "
        "a recovery code, `recovery_codes_left` says how many remain."
    ),
)
def log_in(
    body: LogIn, request: Request, response: Response, runtime: RuntimeDep, session: SessionDep
) -> dict[str, Any]:
    limit_per_address(
        request, runtime, purpose="login", what="sign-in attempts",
        per_minute=runtime.settings.login_attempts_per_minute,
    )  # fmt: skip
    try:
        token, use = protection.log_in_with_code(
            session, body.email, body.password, body.code,
            sender=Sender.of(request, runtime.settings), now=utc_now(),
        )  # fmt: skip
    except Unauthorized:
        session.commit()  # the wrong password or code counts towards the lockout all the same
        raise
    found = accounts.stage_of(session, token)
    assert found is not None  # noqa: S101 - the session was made just now
    stage, user = found
    set_session_cookie(response, token)
    answer: dict[str, Any] = {
        "user": user_json(user),
        "csrf_token": accounts.csrf_token(token),
        "second_factor": {
            "enrolled": use is not None,
            "enrolment_required": stage == SignInStage.ENROL,
        },
    }
    if use is not None and use.recovery:
        answer["recovery_codes_left"] = use.recovery_codes_left
    return answer


@router.delete("/v1/session", status_code=204, summary="Sign out")
def log_out(request: Request, session: SessionDep) -> Response:
    token = session_token(request)
    accounts.check_csrf(token, request.headers.get(CSRF_HEADER))
    accounts.log_out(session, token)
    response = Response(status_code=204)
    clear_session_cookie(response)
    return response


@router.post("/v1/invitations/{token}", status_code=201, summary="Accept an invitation")
def accept(token: str, body: Accept, session: SessionDep) -> dict[str, Any]:
    user = accounts.accept_invitation(session, token, body.password, display_name=body.display_name)
    return {"user": user_json(user)}


@router.get("/v1/me", summary="Who is signed in")
async def me(request: Request, session: SessionDep) -> dict[str, Any]:
    user = await run_in_threadpool(user_of, session, session_token(request))
    return {"user": user_json(user)}
