"""Add the Verify page to an app: its routes, its static files and its state."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from accord.server.rates import RateLimiter
from accord.server.settings import Settings
from accord.server.verify_page import pages
from accord.server.verify_page.rendering import STATIC_DIR, VerifyPage


def mount_verify_page(app: FastAPI, settings: Settings, limits: RateLimiter) -> VerifyPage:
    """The page's state is per app; its rate limit counts in the node's shared ``limits``."""
    page = VerifyPage(settings, limits)
    app.state.verify_page = page
    app.include_router(pages.router)
    app.mount("/verify/static", StaticFiles(directory=STATIC_DIR), name="verify_static")
    return page
