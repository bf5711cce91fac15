"""Page routes answer errors as pages: an HTML page with the error, its status code, and a
way on; never problem+json, which a browser would show as raw text."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from accord.errors import AccordError
from accord.server.portal.layout import Portal
from accord.server.portal.viewer import Redirect, optional_viewer, redirect
from accord.server.problems import status_for


@functools.cache
def portal() -> Portal:
    return Portal()


class PageRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except Redirect as signal:
                return redirect(signal)
            except AccordError as error:
                return error_page(request, error)

        return page_handler


class Wording(Protocol):
    """What ``error.html`` shows: an ``AccordError``, or words for an HTTP error."""

    @property
    def title(self) -> str: ...
    @property
    def detail(self) -> str: ...


def error_page(
    request: Request, error: Wording, *, status: int | None = None, look_up_viewer: bool = True
) -> Response:
    """The error page, at ``status`` (for an ``AccordError``, its own by default)."""
    if status is None:
        status = status_for(error) if isinstance(error, AccordError) else 500
    viewer = None
    if look_up_viewer:
        with request.app.state.runtime.sessions() as session:
            viewer = optional_viewer(request, session)
    return portal().render(request, "error.html", viewer=viewer, status=status, error=error)


def see_other(location: str) -> Response:
    """After a form post that changed something: go and look at the result (PRG)."""
    return redirect(Redirect(location))
