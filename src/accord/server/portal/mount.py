"""Add the portal's pages and static files to an app."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from accord.server.portal import admin, invitations, public, review
from accord.server.portal.error_pages import install_error_pages
from accord.server.portal.pages import STATIC_DIR


def mount_portal(app: FastAPI) -> None:
    """The pages, their files, and error pages for browsers (after ``problems``' handlers,
    which these replace and fall back on)."""
    # Before ``public``, whose older invitation routes these replace.
    app.include_router(invitations.router)
    app.include_router(public.router)
    app.include_router(review.router)
    app.include_router(admin.router)
    app.mount("/portal/static", StaticFiles(directory=STATIC_DIR), name="portal_static")
    install_error_pages(app)
