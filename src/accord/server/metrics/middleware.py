"""Count and time every request by its route template, never its raw path: one series per
route, however many cases, notices or random addresses are asked for."""

from __future__ import annotations

import json
import time

from fastapi import FastAPI
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.server.metrics.instruments import instruments

#: The route of a request no route answered (a 404, a refusal before routing).
UNMATCHED = "unmatched"
#: Every other method is counted under this one name.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_PROBLEM_JSON = b"application/problem+json"
#: What a request whose handler raised is answered with (``problems.unexpected_error``).
_UNEXPECTED = "server.internal"


class RequestMetrics:
    """Pure ASGI middleware: a count, a duration and, for a problem answer, its code."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        #: The API's paths without parameters, for requests answered before routing (a raw
        #: ``POST /v1/match``, a body too large); read on the first such request.
        self._plain_paths: frozenset[str] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        answer = _Answer()

        async def send_watched(message: Message) -> None:
            answer.watch(message)
            if answer.complete and not answer.counted:
                # Counted before the client reads the end: whoever got an answer finds it
                # counted by the next scrape.
                self._count(scope, answer)
            await send(message)

        in_progress = instruments().in_progress
        in_progress.inc()
        try:
            await self.app(scope, receive, send_watched)
        except ClientDisconnect:
            answer.status = answer.status or 499  # as the request log says it
            raise
        except Exception:
            if not answer.status:  # answered outside, as a 500 problem
                answer.status, answer.code = 500, _UNEXPECTED
            raise
        finally:
            in_progress.dec()
            if not answer.counted:
                self._count(scope, answer)

    def _count(self, scope: Scope, answer: _Answer) -> None:
        answer.counted = True
        counted = instruments()
        method = scope["method"] if scope["method"] in _METHODS else "OTHER"
        route = self._route(scope)
        status = f"{(answer.status or 500) // 100}xx"
        counted.requests.labels(method=method, route=route, status=status).inc()
        elapsed = time.perf_counter() - answer.started
        counted.request_seconds.labels(method=method, route=route).observe(elapsed)
        if answer.code:
            counted.problems.labels(code=answer.code).inc()

    def _route(self, scope: Scope) -> str:
        route = scope.get("route")
        template = getattr(route, "path_format", None)
        if isinstance(template, str):
            return template
        if self._plain_paths is None:
            # The API's own list of its paths (made once, and kept for /docs too): FastAPI
            # nests included routers, and their routes are not listed anywhere else.
            app = scope.get("app")
            paths = app.openapi()["paths"] if isinstance(app, FastAPI) else {}
            self._plain_paths = frozenset(path for path in paths if "{" not in path)
        return scope["path"] if scope["path"] in self._plain_paths else UNMATCHED


class _Answer:
    """A response as it is sent: its status, and its problem's ``code`` when it is one."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.status = 0
        self.code = ""
        #: Whether its last part is being sent, and whether it was counted.
        self.complete = False
        self.counted = False
        self._problem: list[bytes] | None = None

    def watch(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            headers = dict(message.get("headers", []))
            if headers.get(b"content-type", b"").startswith(_PROBLEM_JSON):
                self._problem = []  # a few hundred bytes: read for its code
        elif message["type"] == "http.response.body":
            self.complete = not message.get("more_body", False)
            if self._problem is not None:
                self._problem.append(message.get("body", b""))
                if self.complete:
                    self.code = _problem_code(b"".join(self._problem))


def _problem_code(body: bytes) -> str:
    try:
        code = json.loads(body).get("code")
    except (ValueError, AttributeError):
        return "unreadable"
    return code if isinstance(code, str) else "unreadable"
