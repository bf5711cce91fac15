"""The accounts' pages: signing in and out, accepting an invitation, and the admin's
organizations and users (inviting, deactivating, resetting a second factor). The second
factor's own pages (the code step, the security page) are ``security``'s.

An invitation that cannot be accepted (unknown, used or expired) says so at once, instead
of a form that would only refuse after a password is typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from accord.errors import AccordError, BadRequest, Conflict, NotFound, RateLimited, Unauthorized
from accord.server.accounts import protection, second_factor
from accord.server.accounts import security_pages as security
from accord.server.accounts import service as accounts
from accord.server.accounts.alerts import Sender
from accord.server.accounts.models import (
    Invitation,
    Organization,
    OrganizationKind,
    SignInStage,
    User,
)
from accord.server.auth.guard import limit_per_address
from accord.server.auth.roles import Role
from accord.server.auth.sessions import SESSION_COOKIE, clear_session_cookie, set_session_cookie
from accord.server.db.base import utc_now
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.portal.admin_section import AdminSection
from accord.server.portal.routing import PageRoute, portal, see_other
from accord.server.portal.viewer import Viewer, check_form, safe_next
from accord.server.problems import status_for

router = APIRouter(route_class=PageRoute, include_in_schema=False)
router.include_router(security.router)  # the second factor's pages (``security``)

Csrf = Annotated[str, Form(max_length=200)]


# Signing in and out


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, session: SessionDep, next: str = "/") -> Response:
    # A sign-in half done goes on where it stopped: the code, or setting up the factor.
    found = accounts.stage_of(session, request.cookies.get(SESSION_COOKIE, ""))
    if found is not None and found[0] != SignInStage.SIGNED_IN:
        return see_other(security.next_step(found[0], safe_next(next)))
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
        token = accounts.log_in(
            session, email, password, sender=Sender.of(request, runtime.settings)
        )
    except (Unauthorized, RateLimited) as error:
        session.commit()  # a wrong password counts towards the lockout all the same
        return portal().render(
            request, "login.html", viewer=None, status=status_for(error), next=safe_next(next),
            error=error.detail, email=email,
        )  # fmt: skip
    found = accounts.stage_of(session, token)
    assert found is not None  # noqa: S101 - the session was made just now
    stage, user = found
    target = security.landing(user, next)
    if stage != SignInStage.SIGNED_IN:
        target = security.next_step(stage, target)
    response = see_other(target)
    set_session_cookie(response, token)
    return response


@router.post("/logout")
def logout(
    request: Request, session: SessionDep, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    check_form(request, csrf_token)
    accounts.log_out(session, request.cookies.get(SESSION_COOKIE, ""))
    response = see_other("/login")
    clear_session_cookie(response)
    return response


# Invitations


@router.get("/invitations/{token}", response_class=HTMLResponse)
def invitation_form(request: Request, token: str, session: SessionDep) -> Response:
    try:
        accounts.open_invitation(session, token)
    except AccordError as error:
        return _invitation(
            request, token, status=status_for(error), error=error.detail, usable=False
        )
    return _invitation(request, token)


@router.post("/invitations/{token}", response_class=HTMLResponse)
def accept_invitation(
    request: Request,
    token: str,
    session: SessionDep,
    password: Annotated[str, Form(max_length=4096)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        accounts.accept_invitation(session, token, password, display_name=display_name)
    except AccordError as error:
        return _invitation(
            request, token, status=status_for(error), error=error.detail,
            display_name=display_name,
        )  # fmt: skip
    return see_other("/login?flash=account_ready")


def _invitation(
    request: Request,
    token: str,
    *,
    status: int = 200,
    error: str | None = None,
    display_name: str = "",
    usable: bool = True,
) -> Response:
    return portal().render(
        request, "invitation.html", viewer=None, status=status, token=token, error=error,
        display_name=display_name, usable=usable,
    )  # fmt: skip


# The admin's organizations


def _organizations(session: Session) -> Mapping[str, Any]:
    members = func.count(User.id)
    rows = session.execute(
        select(Organization, members)
        .outerjoin(User, User.organization_id == Organization.id)
        .group_by(Organization.id)
        .order_by(Organization.name)
    ).all()
    return {"organizations": [(org, int(n)) for org, n in rows], "kinds": list(OrganizationKind)}


ORGANIZATIONS = AdminSection(
    "/admin/organizations", "admin_organizations.html", _organizations,
    done={"organization": "The organization was created."},
)  # fmt: skip


@router.get("/admin/organizations", response_class=HTMLResponse)
def organizations(request: Request, session: SessionDep, done: str = "") -> Response:
    return ORGANIZATIONS.show(request, session, done)


@router.post("/admin/organizations", response_class=HTMLResponse)
def create_organization(
    request: Request,
    *,
    session: SessionDep,
    csrf_token: Csrf = "",
    name: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    def create(_: Viewer) -> None:
        if not name.strip():
            raise BadRequest("name: an organization needs a name")
        accounts.create_organization(session, name.strip(), kind)

    return ORGANIZATIONS.change(
        request, session, csrf_token, create, done="organization",
        form={"name": name, "kind": kind},
    )  # fmt: skip


# The admin's users and invitations


def _users(session: Session) -> Mapping[str, Any]:
    members = session.execute(
        select(User, Organization.name)
        .join(Organization, Organization.id == User.organization_id)
        .order_by(Organization.name, User.email)
    ).all()
    waiting = session.execute(
        select(Invitation, Organization.name)
        .join(Organization, Organization.id == Invitation.organization_id)
        .where(Invitation.accepted_at.is_(None), Invitation.expires_at > utc_now())
        .order_by(Invitation.expires_at)
    ).all()
    return {
        "invitation": None, "users": members, "waiting": waiting, "roles": list(Role),
        "with_factor": second_factor.users_with_factor(session),
        "organizations": session.scalars(select(Organization).order_by(Organization.name)).all(),
    }  # fmt: skip


USERS = AdminSection(
    "/admin/users", "admin_users.html", _users,
    done={
        "activated": "The user may sign in again.",
        "deactivated": "The user is signed out and cannot sign in.",
        "factor_reset": "The second factor is reset: the user is signed out and sets up a "
        "new authenticator at the next sign-in.",
    },
)  # fmt: skip


@router.get("/admin/users", response_class=HTMLResponse)
def users(request: Request, session: SessionDep, done: str = "") -> Response:
    return USERS.show(request, session, done)


@router.post("/admin/users/{user_id}/active", response_class=HTMLResponse)
def set_user_active(
    request: Request,
    user_id: int,
    session: SessionDep,
    csrf_token: Csrf = "",
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Deactivate a user (their sessions end at once) or let them in again."""
    found = USERS.admin(request, session, csrf_token)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user has the id {user_id}")
    if user.id == found.user.id:
        raise Conflict("you cannot deactivate your own account: ask another admin")
    accounts.set_active(session, user, active=active == "yes")
    return see_other(f"/admin/users?done={'activated' if active == 'yes' else 'deactivated'}")


@router.post("/admin/users/{user_id}/second-factor", response_class=HTMLResponse)
def reset_second_factor(
    request: Request,
    user_id: int,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    csrf_token: Csrf = "",
) -> Response:
    """Reset a user's second factor (a lost phone): they are signed out everywhere and set
    up a new one at their next sign-in; they are told by mail, and the audit log keeps who
    did it."""
    found = USERS.admin(request, session, csrf_token)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user has the id {user_id}")
    protection.reset(
        session, user, by=found.user, sender=Sender.of(request, runtime.settings), now=utc_now()
    )
    return see_other("/admin/users?done=factor_reset")


@router.post("/admin/users", response_class=HTMLResponse)
def invite_user(
    request: Request,
    *,
    session: SessionDep,
    csrf_token: Csrf = "",
    organization: Annotated[str, Form(max_length=20)] = "",
    email: Annotated[str, Form(max_length=320)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    def invite(found: Viewer) -> Mapping[str, Any]:
        joining = _organization(session, organization)
        token = accounts.invite(session, joining, email, role, invited_by=found.user.id)
        # Shown on this answer only: the database keeps the token's digest, so no page can
        # show it again (and a redirect would have to carry it in the address).
        public_url = request.app.state.runtime.settings.public_url or str(request.base_url)
        invitation = {
            "email": email.strip().lower(),
            "role": role,
            "organization": joining.name,
            "link": accounts.invitation_link(token, public_url),
        }
        return {"invitation": invitation}

    return USERS.change_and_show(
        request, session, csrf_token, invite,
        form={"organization": organization, "email": email, "role": role},
    )  # fmt: skip


def _organization(session: Session, raw: str) -> Organization:
    """The organization a form's select named by its id."""
    if not raw.isdigit():
        raise BadRequest("organization: choose the organization they join")
    found = session.get(Organization, int(raw))
    if found is None:
        raise NotFound(f"no organization has the id {raw}")
    return found
