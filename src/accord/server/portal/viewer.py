"""Who is looking at a page: the signed-in user and their CSRF token, sending visitors to
sign in, and refusing roles a page is not for. Every domain's pages use it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.requests import Request

from accord.errors import NotSignedIn
from accord.server.accounts import service as accounts
from accord.server.auth.guard import limit_per_address
from accord.server.auth.roles import Role, role_refusal
from accord.server.auth.sessions import SESSION_COOKIE
from accord.server.page_security import SECURITY_HEADERS
from accord.server.runtime import Runtime

if TYPE_CHECKING:
    from accord.server.accounts.models import User

REVIEWERS = (Role.REVIEWER, Role.SENIOR_REVIEWER)
READERS = (Role.REVIEWER, Role.SENIOR_REVIEWER, Role.ADMIN, Role.AUDITOR)
#: Where each role lands on the home page and after signing in.
HOME_BY_ROLE = {
    Role.REVIEWER: "/review",
    Role.SENIOR_REVIEWER: "/review",
    Role.ADMIN: "/admin",
    Role.AUDITOR: "/review",
    Role.PROTECTED_PERSON: "/my/notices",
    Role.REPRESENTATIVE: "/my/notices",
}


@dataclass(frozen=True, slots=True)
class Viewer:
    """A signed-in user and the CSRF token their forms carry."""

    user: User
    csrf: str

    @property
    def role(self) -> str:
        return self.user.role


class Redirect(Exception):
    """Answer with a redirect (303): to the sign-in page, or after a form post."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def redirect(exception: Redirect) -> RedirectResponse:
    return RedirectResponse(exception.location, status_code=303, headers=SECURITY_HEADERS)


def viewer(request: Request, session: Session, *roles: str) -> Viewer:
    """The signed-in user, if their role is one of ``roles`` (any role if none); a visitor
    is sent to sign in first, and comes back here after."""
    found = optional_viewer(request, session)
    if found is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise Redirect(f"/login?next={quote(target, safe='/')}")
    if roles and found.role not in roles:
        raise role_refusal(roles, found.role)
    return found


def optional_viewer(request: Request, session: Session) -> Viewer | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    user = accounts.session_user(session, token)
    if user is None:
        return None
    session.info["actor"] = f"user:{user.email}"  # for the audit log
    return Viewer(user, accounts.csrf_token(token))


def check_form(request: Request, form_token: object) -> None:
    """A form that changes something must carry the session's CSRF token."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotSignedIn("sign in first")
    accounts.check_csrf(token, form_token if isinstance(form_token, str) else None)


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only a path on this site: never ``//elsewhere`` or ``https://elsewhere``."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback


def limit_visitor(request: Request, runtime: Runtime) -> None:
    """A visitor's reports and appeals count together against one limit per address."""
    limit_per_address(
        request, runtime, purpose="notice", what="reports",
        per_minute=runtime.settings.notices_per_minute_per_address,
    )  # fmt: skip
