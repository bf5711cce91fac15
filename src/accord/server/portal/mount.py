"""Add the portal's pages and static files to an app."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from accord.server.portal import admin, public, review
from accord.server.portal.pages import STATIC_DIR


def mount_portal(app: FastAPI) -> None:
    app.include_router(public.router)
    app.include_router(review.router)
    app.include_router(admin.router)
    app.mount("/portal/static", StaticFiles(directory=STATIC_DIR), name="portal_static")
