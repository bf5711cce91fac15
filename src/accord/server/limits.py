"""Refuse request bodies over the upload limit while they stream in, before parsing."""

from __future__ import annotations

import html
import json
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.errors import PayloadTooLarge
from accord.server.page_security import SECURITY_HEADERS
from accord.server.problems import PROBLEM_JSON, problem_type

#: The status of every answer to a body over its limit.
_TOO_LARGE = 413


class BodySizeLimit:
    """Pure ASGI middleware: a 413 problem as soon as a body passes ``max_bytes``.

    A declared Content-Length over the limit is refused before any byte is read; a body
    without one (chunked) is counted as it arrives and cut off at the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return

        async def refuse(send: Send) -> None:
            await self._refuse(scope, send)

        error = PayloadTooLarge(self._detail())
        await run_within(
            self.app, scope, receive, send, max_bytes=self.max_bytes, error=error, refuse=refuse
        )

    def _detail(self) -> str:
        return f"the request body is over the {self.max_bytes}-byte upload limit"

    async def _refuse(self, scope: Scope, send: Send) -> None:
        if _wants_a_page(scope):
            await self._refuse_page(send)
            return
        body = json.dumps(
            {
                "type": problem_type(PayloadTooLarge.code),
                "title": PayloadTooLarge.title,
                "status": 413,
                "detail": self._detail(),
                "code": PayloadTooLarge.code,
                "instance": scope.get("path", ""),
            }
        ).encode()
        headers = [(b"content-type", PROBLEM_JSON.encode()), (b"connection", b"close")]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _refuse_page(self, send: Send) -> None:
        """A form on one of the pages posted too much: a page saying so, not JSON."""
        body = (
            "<!doctype html><html lang=en><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width, initial-scale=1'>"
            "<title>File too large · accord</title><h1>File too large</h1>"
            f"<p>{html.escape(self._detail().capitalize())}. Go back and choose a smaller "
            "file.</p>"
        ).encode()
        headers = [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"connection", b"close"),
            *((name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def run_within(
    app: ASGIApp,
    scope: Scope,
    receive: Receive,
    send: Send,
    *,
    max_bytes: int,
    error: PayloadTooLarge,
    refuse: Callable[[Send], Awaitable[None]],
) -> None:
    """Run ``app`` with its request body counted as it streams in (a chunked body declares
    no length): the read that passes ``max_bytes`` raises ``error`` instead of handing the
    bytes over, so no parser or spool gets more than the limit.

    A parser may turn that error into its own answer (FastAPI's form parsing answers 400
    "There was an error parsing the body"); whatever the app answers after it, the client
    gets a 413: the app's own 413 as it is (a page's), else ``refuse``'s. The connection
    is closed after it, rather than the rest of the body read.
    """
    received = 0
    tripped = started = replaced = False

    async def counting_receive() -> Message:
        nonlocal received, tripped
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > max_bytes:
                tripped = True
                raise error
        return message

    async def answering_send(message: Message) -> None:
        nonlocal started, replaced
        if replaced:
            return  # the rest of an answer already replaced by the 413
        if message["type"] == "http.response.start":
            started = True
            if tripped and message["status"] != _TOO_LARGE:
                replaced = True
                await refuse(send)
                return
            if tripped:
                message = {**message, "headers": [*message["headers"], (b"connection", b"close")]}
        await send(message)

    try:
        await app(scope, counting_receive, answering_send)
    except Exception:
        if not tripped:
            raise
        if not started:  # the error left the app unanswered
            await refuse(send)


def _wants_a_page(scope: Scope) -> bool:
    """A browser's form post to a page (not the API)."""
    accept = dict(scope.get("headers", [])).get(b"accept", b"")
    return not str(scope.get("path", "")).startswith("/v1/") and b"text/html" in accept
