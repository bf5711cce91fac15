"""``POST /v1/match`` with a file as the body, answered before FastAPI routes the request.

This is how platforms send each upload, so it is the request accord answers most. FastAPI's
routing (every route is tried in turn) and dependency resolution cost about a tenth of
the work of hashing and matching a 1-megapixel JPEG; this middleware skips them and does
what they would have done: the API key check and the same handler, ``match_body``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from accord.errors import AccordError
from accord.server.auth.guard import admit
from accord.server.auth.keys import Scope as KeyScope
from accord.server.matching.answers import RAW_FILE_TYPES, match_body
from accord.server.problems import accord_error_response

MATCH_PATH = "/v1/match"


class RawUploadMatching:
    """Pure ASGI middleware: answers ``POST /v1/match`` with a raw body; passes the rest on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != MATCH_PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        if not request.headers.get("content-type", "").startswith(RAW_FILE_TYPES):
            await self.app(scope, receive, send)
            return
        runtime = request.app.state.runtime  # as the routes' dependency reads it
        try:
            await admit(request, runtime, KeyScope.MATCH)
            response = await match_body(request, runtime)
        except AccordError as error:
            response = accord_error_response(request, error)
        await response(scope, receive, send)
