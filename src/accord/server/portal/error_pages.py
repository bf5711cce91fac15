"""Browsers get pages for errors outside the portal's routes too: an unknown address or a
crash answers the portal's error page, not problem+json shown as raw text.

An API path (any first segment the OpenAPI schema lists: ``/v1``, ``/h``, ``/m``, ...)
and a client that does not prefer HTML still get problem+json from ``problems``.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from accord.server import problems
from accord.server.portal.routing import error_page

_HTML = frozenset({"text/html", "application/xhtml+xml"})
_JSON = frozenset({"application/json", problems.PROBLEM_JSON})


@dataclass(frozen=True, slots=True)
class PageError:
    """What ``error.html`` shows: a title and a sentence."""

    title: str
    detail: str


CRASH = PageError("Something went wrong on our side", "it was logged; please try again later")


def install_error_pages(app: FastAPI) -> None:
    """Replace ``problems``' handlers of HTTP errors and crashes with ones that answer a
    page when a browser asks for one (and delegate to them otherwise)."""

    async def http_error(request: Request, error: Exception) -> Response:
        answer = await problems.http_error(request, error)
        if not wants_page(request):
            return answer
        assert isinstance(error, StarletteHTTPException)  # noqa: S101 - registered for it
        words = (
            PageError("Not found", f"there is no page at {request.url.path}")
            if error.status_code == HTTPStatus.NOT_FOUND
            else PageError(str(error.detail), str(error.detail).lower())
        )
        return error_page(request, words, status=error.status_code)

    async def crash(request: Request, error: Exception) -> Response:
        answer = await problems.unexpected_error(request, error)  # logs it
        if not wants_page(request):
            return answer
        # No viewer: the database may be what failed.
        return error_page(request, CRASH, status=500, look_up_viewer=False)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, crash)


def wants_page(request: Request) -> bool:
    """Not an API path, and the client prefers HTML to JSON (a browser's navigation)."""
    first = "/" + request.url.path.split("/", 2)[1]
    return first not in _api_prefixes(request.app) and prefers_html(
        request.headers.get("accept", "")
    )


def prefers_html(accept: str) -> bool:
    """Whether an Accept header ranks HTML at least as high as JSON (``*/*`` does not)."""
    html = json = 0.0
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media.lower() in _HTML:
            html = max(html, quality)
        elif media.lower() in _JSON:
            json = max(json, quality)
    return html > 0 and html >= json


def _api_prefixes(app: FastAPI) -> frozenset[str]:
    # The schema is built once and cached by FastAPI; the API is what it lists.
    return frozenset("/" + path.split("/", 2)[1] for path in app.openapi()["paths"])
