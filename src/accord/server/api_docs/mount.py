"""``/docs``: Swagger UI from files vendored in this package, so the page works offline and
asks no other origin for anything (FastAPI's own page loads it from a CDN).

``vendored.json`` pins the copied files (version and SHA-256); their licences are served
beside them. ReDoc is not offered: one documentation page is enough, and it is one
vendored bundle fewer to keep current.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, StrictUndefined

from accord import __version__
from accord.server.page_security import DOCS_SECURITY_HEADERS

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("accord.server.api_docs", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
    )


@cache
def swagger_version() -> str:
    """The vendored Swagger UI's version, which also busts browsers' caches on updates."""
    manifest = json.loads((HERE / "vendored.json").read_text(encoding="utf-8"))
    return str(manifest["version"])


def mount_api_docs(app: FastAPI) -> None:
    """Serve ``/docs`` and its files; the app must be made with ``docs_url=None``."""

    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        html = (
            _templates()
            .get_template("docs.html")
            .render(
                title=app.title,
                root=root,
                openapi_url=f"{root}{app.openapi_url}",
                version=__version__,
                swagger_version=swagger_version(),
            )
        )
        return HTMLResponse(html, headers=DOCS_SECURITY_HEADERS)

    app.add_api_route("/docs", docs, methods=["GET"], include_in_schema=False)
    app.mount("/docs/static", StaticFiles(directory=STATIC_DIR), name="docs_static")
