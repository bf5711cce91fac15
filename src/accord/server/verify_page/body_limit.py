"""A readable 413 page for uploads to the Verify page that say they are too large.

The app-wide ``BodySizeLimit`` answers such a request with JSON before any route runs;
this runs first, and only for the page's form posts.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from accord.server.verify_page.rendering import VerifyPage

#: Room for the multipart framing around the file.
FORM_OVERHEAD_BYTES = 64 * 1024


class PageBodyLimit:
    """Pure ASGI middleware: a declared Content-Length over the page's limit is refused
    before a byte is read. Bodies without one are cut off where they are spooled."""

    def __init__(self, app: ASGIApp, page: VerifyPage) -> None:
        self.app = app
        self.page = page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._oversized(scope):
            await self.app(scope, receive, send)
            return
        response = self.page.render(
            Request(scope), error=self.page.too_large(), status=413, headers={"Connection": "close"}
        )
        await response(scope, receive, send)

    def _oversized(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "POST":
            return False
        if scope["path"] != f"{scope.get('root_path', '')}/verify":
            return False
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is None or not declared.isdigit():
            return False
        return int(declared) > self.page.max_bytes + FORM_OVERHEAD_BYTES
