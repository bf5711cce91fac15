"""The Verify page's own upload limit, with a readable 413 page.

The app-wide ``BodySizeLimit`` holds bodies to the API's limit (512 MiB) and answers JSON;
this runs first, and only for the page's form posts, which it holds to the page's smaller
limit (``ACCORD_VERIFY_MAX_UPLOAD_BYTES``) as they stream in.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from accord.errors import PayloadTooLarge
from accord.server.limits import run_within
from accord.server.verify_page.rendering import VerifyPage

#: Room for the multipart framing around the file.
FORM_OVERHEAD_BYTES = 64 * 1024


class PageBodyLimit:
    """Pure ASGI middleware: a declared Content-Length over the page's limit is refused
    before a byte is read; a body without one (chunked) is counted as it arrives and cut
    off at the limit, before the form parser spools more of it to disk."""

    def __init__(self, app: ASGIApp, page: VerifyPage) -> None:
        self.app = app
        self.page = page
        self.max_bytes = page.max_bytes + FORM_OVERHEAD_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._is_page_upload(scope):
            await self.app(scope, receive, send)
            return

        async def refuse(send: Send) -> None:
            response = self.page.render(
                Request(scope),
                error=self.page.too_large(),
                status=413,
                headers={"Connection": "close"},
            )
            await response(scope, receive, send)

        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await refuse(send)
            return
        error = PayloadTooLarge(f"the upload is over the {self.page.max_bytes}-byte limit")
        await run_within(
            self.app, scope, receive, send, max_bytes=self.max_bytes, error=error, refuse=refuse
        )

    def _is_page_upload(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "POST":
            return False
        return bool(scope["path"] == f"{scope.get('root_path', '')}/verify")
