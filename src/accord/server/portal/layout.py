"""Render the portal's pages in its one layout: the templates, the flash messages a
redirect may ask for, and the security headers.

Pages are plain HTML forms that post and redirect (so they work without script); htmx
refreshes the queue and swaps small parts in place. Every domain's pages render through
this one Jinja environment, so they share ``base.html`` and its static files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.requests import Request

from accord import __version__
from accord.server.page_security import HTMX_CONFIG, SECURITY_HEADERS
from accord.server.portal.viewer import Viewer

STATIC_DIR = Path(__file__).parent / "static"
#: Messages a redirect may ask the next page to show (``?flash=KEY``): a fixed list, so
#: a link cannot put words of its own on the site.
FLASHES = {"account_ready": "Your account is ready: sign in"}


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
