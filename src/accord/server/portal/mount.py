"""Add the portal's pages and static files to an app: every domain's pages, in the one
layout ``portal`` keeps."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from accord.server.accounts import pages as accounts
from accord.server.alerts import pages as alerts
from accord.server.appeals import pages as appeals
from accord.server.banks import pages as banks
from accord.server.cases import pages as cases
from accord.server.decisions import pages as decisions
from accord.server.elections import pages as elections
from accord.server.erasure import pages as erasure
from accord.server.guard import pages as guard
from accord.server.notices import pages as notices
from accord.server.persons import pages as persons
from accord.server.portal import home
from accord.server.portal.error_pages import install_error_pages
from accord.server.portal.layout import STATIC_DIR
from accord.server.transparency import pages as transparency
from accord.server.webhooks import pages as webhooks

#: Every domain's pages. No address matches routes of two of them, so their order
#: decides nothing (``tests/e2e/test_same_origin.py`` lists every page they serve).
PAGES = (
    accounts.router,
    home.router,
    notices.router,
    appeals.router,
    cases.router,
    persons.router,
    elections.router,
    webhooks.router,
    alerts.router,
    erasure.router,
    banks.router,
    decisions.router,
    guard.router,
    transparency.router,
)


def mount_portal(app: FastAPI) -> None:
    """The pages, their files, and error pages for browsers (after ``problems``' handlers,
    which these replace and fall back on)."""
    for pages in PAGES:
        app.include_router(pages)
    app.mount("/portal/static", StaticFiles(directory=STATIC_DIR), name="portal_static")
    install_error_pages(app)
