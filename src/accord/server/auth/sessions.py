"""Who is signed in: the session cookie browsers carry, with a CSRF token for every change
they ask for.

The cookie (``accord_session``) is HttpOnly, Secure and SameSite=Strict; a request that
changes something must also send the session's CSRF token in ``X-CSRF-Token`` (forms: a
hidden ``csrf_token`` field, checked by the pages). ``signed_in(*roles)`` is the
dependency every domain's routes use to admit a user by role, so it lives here, with the
API key check, not in one domain's router. A session half-way through signing in (its
second factor's code awaited, or one to set up first) is nobody's: 401, or 403
``auth.second_factor_enrolment_required``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from fastapi import Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from accord.errors import EnrolmentRequired, NotSignedIn
from accord.server.accounts import service as accounts
from accord.server.accounts.models import SignInStage
from accord.server.auth.roles import Role, role_refusal
from accord.server.deps import SessionDep

if TYPE_CHECKING:
    from accord.server.accounts.models import User

SESSION_COOKIE = "accord_session"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def signed_in(*roles: Role) -> Callable[..., Awaitable[User]]:
    """A dependency admitting a signed-in user in one of ``roles`` (any role if none);
    changes must carry the session's CSRF token."""

    async def check(request: Request, session: SessionDep) -> User:
        token = session_token(request)
        user = await run_in_threadpool(user_of, session, token)
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


def user_of(session: Session, token: str) -> User:
    """The user of a live, fully signed-in session token; refused if the session has
    ended, still waits for its second factor's code, or may only set one up."""
    user = accounts.session_user(session, token)
    if user is not None:
        return user
    found = accounts.stage_of(session, token)
    if found is not None and found[0] == SignInStage.ENROL:
        raise EnrolmentRequired(
            "your role needs a second factor: set up an authenticator app at "
            "/account/security before anything else"
        )
    if found is not None and found[0] == SignInStage.CODE:
        raise NotSignedIn("finish signing in: enter the code your authenticator app shows")
    raise NotSignedIn("the session has ended: sign in again")


def session_token(request: Request) -> str:
    """The session token the request's cookie carries; refused without one."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotSignedIn("sign in first")
    return token


def set_session_cookie(response: Response, token: str) -> None:
    """The browser keeps the session for its lifetime, over HTTPS only, out of scripts'
    reach, and sends it to this site alone."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        secure=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, httponly=True, secure=True, samesite="strict")
