"""How HMA 2.x speaks, for both its routers: errors as ``{"message": ...}`` (422 as a bare
error list), and JSON bodies refused as Flask refuses them."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from accord.errors import AccordError, BadRequest
from accord.server.problems import status_for


class HmaStatus(AccordError):
    """An HMA error with a status the accord error tree does not map (415, 403 on names)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


class HmaRoute(APIRoute):
    """Errors as HMA sends them: ``{"message": ...}``, and 422 with a bare error list."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def hma_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except HmaStatus as error:
                return hma_error(error.status, error.detail)
            except AccordError as error:
                return hma_error(status_for(error), error.detail)
            except RequestValidationError as error:
                return JSONResponse(jsonable_errors(error), status_code=422)

        return hma_handler


def jsonable_errors(error: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"type": item.get("type"), "loc": list(item.get("loc", ())), "msg": item.get("msg")}
        for item in error.errors()
    ]


def hma_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status)


async def json_object(request: Request) -> dict[str, Any]:
    """The request's JSON object body, refused with Flask's words and statuses."""
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise HmaStatus(
            415,
            "Did not attempt to load JSON data because the request Content-Type was not "
            "'application/json'.",
        )
    try:
        body = json.loads(await request.body())
    except json.JSONDecodeError as error:
        raise BadRequest(f"The request body is not JSON: {error}") from None
    if not isinstance(body, dict):
        raise BadRequest("Request input was not a dict")
    return body
