"""The pages that belong to no one domain: the home page, which sends each role where
its work is, and the admin's overview, which counts what every admin section holds
(accounts, protected people, elections, webhooks) and links to each."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from accord.server.accounts import service as accounts
from accord.server.auth.roles import Role
from accord.server.db.base import utc_now
from accord.server.deps import SessionDep
from accord.server.elections import service as elections
from accord.server.persons import service as persons
from accord.server.portal.routing import PageRoute, portal, see_other
from accord.server.portal.viewer import HOME_BY_ROLE, optional_viewer, viewer
from accord.server.webhooks import service as webhooks

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> Response:
    found = optional_viewer(request, session)
    if found is not None:
        return see_other(HOME_BY_ROLE.get(Role(found.role), "/report"))
    return portal().render(request, "home.html", viewer=None)


@router.get("/admin", response_class=HTMLResponse)
def overview(request: Request, session: SessionDep) -> Response:
    found = viewer(request, session, Role.ADMIN)
    people, unverified = persons.count_people(session)
    counts = {
        "organizations": accounts.count_organizations(session),
        "users": accounts.count_active_users(session),
        "people": people,
        "unverified": unverified,
        "elections": elections.count_ahead(session, utc_now().date()),
        "webhooks": len(webhooks.list_webhooks(session)),
        "dead": webhooks.outbox_counts(session).dead,
    }
    return portal().render(request, "admin_overview.html", viewer=found, counts=counts)
