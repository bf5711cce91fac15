"""Signing in and out over HTTP: a session cookie for browsers, with a CSRF token for
every change they ask for.

The cookie (``accord_session``) is HttpOnly, Secure and SameSite=Strict; a request that
changes something must also send the session's CSRF token in ``X-CSRF-Token`` (forms: a
hidden ``csrf_token`` field, checked by the pages). ``signed_in(*roles)`` is the
dependency routes use to admit a user by role.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from accord.errors import NotSignedIn, Unauthorized
from accord.server.accounts import service as accounts
from accord.server.accounts.models import Role, User
from accord.server.auth.guard import limit_per_address
from accord.server.auth.roles import role_refusal
from accord.server.deps import RuntimeDep, SessionDep

router = APIRouter(tags=["accounts"])

SESSION_COOKIE = "accord_session"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LogIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=320)
    password: str = Field(max_length=1000)


class Accept(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Above passwords.MAX_LENGTH, so that the service's rule, in words, answers.
    password: str = Field(max_length=4096)
    display_name: str = Field(default="", max_length=200)


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "organization_id": user.organization_id,
    }


@router.post("/v1/session", summary="Sign in: a session cookie and its CSRF token")
def log_in(
    body: LogIn, request: Request, response: Response, runtime: RuntimeDep, session: SessionDep
) -> dict[str, Any]:
    limit_per_address(
        request, runtime, purpose="login", what="sign-in attempts",
        per_minute=runtime.settings.login_attempts_per_minute,
    )  # fmt: skip
    try:
        token = accounts.log_in(session, body.email, body.password)
    except Unauthorized:
        session.commit()  # the wrong password counts towards the lockout all the same
        raise
    user = accounts.session_user(session, token)
    assert user is not None  # noqa: S101 - the session was made just now
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        secure=True,
        samesite="strict",
    )
    return {"user": user_json(user), "csrf_token": accounts.csrf_token(token)}


@router.delete("/v1/session", status_code=204, summary="Sign out")
def log_out(request: Request, session: SessionDep) -> Response:
    token = _session_token(request)
    accounts.check_csrf(token, request.headers.get(CSRF_HEADER))
    accounts.log_out(session, token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, httponly=True, secure=True, samesite="strict")
    return response


@router.post("/v1/invitations/{token}", status_code=201, summary="Accept an invitation")
def accept(token: str, body: Accept, session: SessionDep) -> dict[str, Any]:
    user = accounts.accept_invitation(session, token, body.password, display_name=body.display_name)
    return {"user": user_json(user)}


def signed_in(*roles: Role) -> Callable[..., Awaitable[User]]:
    """A dependency admitting a signed-in user in one of ``roles`` (any role if none);
    changes must carry the session's CSRF token."""

    async def check(request: Request, session: SessionDep) -> User:
        token = _session_token(request)
        user = await run_in_threadpool(_user_of, session, token)
        if roles and user.role not in roles:
            raise role_refusal(roles, user.role, "do this")
        if request.method not in _SAFE_METHODS:
            accounts.check_csrf(token, request.headers.get(CSRF_HEADER))
        session.info["actor"] = f"user:{user.email}"  # for the audit log
        return user

    return check


async def optional_user(request: Request, session: Session) -> User | None:
    """The signed-in user if the request carries a session cookie (its CSRF token checked
    for changes), None if it carries none: for endpoints open to everyone."""
    if not request.cookies.get(SESSION_COOKIE):
        return None
    return await signed_in()(request, session)


def _user_of(session: Session, token: str) -> User:
    user = accounts.session_user(session, token)
    if user is None:
        raise NotSignedIn("the session has ended: sign in again")
    return user


def _session_token(request: Request) -> str:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotSignedIn("sign in first")
    return token


@router.get("/v1/me", summary="Who is signed in")
async def me(request: Request, session: SessionDep) -> dict[str, Any]:
    user = await run_in_threadpool(_user_of, session, _session_token(request))
    return {"user": user_json(user)}
