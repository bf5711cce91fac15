"""Render the portal's pages: who is signed in, their CSRF token, and the security headers.

Pages are plain HTML forms that post and redirect (so they work without script); htmx
refreshes the queue and swaps small parts in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, StrictUndefined
from sqlalchemy.orm import Session
from starlette.requests import Request

from accord import __version__
from accord.errors import NotSignedIn
from accord.server.accounts import service as accounts
from accord.server.accounts.models import Role, User
from accord.server.accounts.router import SESSION_COOKIE
from accord.server.auth.roles import role_refusal
from accord.server.page_security import HTMX_CONFIG, SECURITY_HEADERS

STATIC_DIR = Path(__file__).parent / "static"
#: Messages a redirect may ask the next page to show (``?flash=KEY``): a fixed list, so
#: a link cannot put words of its own on the site.
FLASHES = {"account_ready": "Your account is ready: sign in"}
REVIEWERS = (Role.REVIEWER, Role.SENIOR_REVIEWER)
READERS = (Role.REVIEWER, Role.SENIOR_REVIEWER, Role.ADMIN, Role.AUDITOR)


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


class Portal:
    def __init__(self) -> None:
        self._templates = Environment(
            loader=PackageLoader("accord.server.portal", "templates"),
            autoescape=True,  # notices and file names are hostile input
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(
        self,
        request: Request,
        template: str,
        *,
        viewer: Viewer | None,
        status: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        html = self._templates.get_template(template).render(
            viewer=viewer,
            path=request.url.path,
            flash=FLASHES.get(request.query_params.get("flash", "")),
            version=__version__,
            htmx_config=HTMX_CONFIG,
            **context,
        )
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def fragment(self, template: str, **context: Any) -> str:
        return self._templates.get_template(template).render(**context)
