"""Render the Verify page and its fragments, with the headers every one of them carries."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.requests import Request

from accord import __version__
from accord.server.page_security import HTMX_CONFIG, SECURITY_HEADERS
from accord.server.rates import RateLimiter
from accord.server.settings import Settings
from accord.server.verify_page.card import Card
from accord.server.verify_page.throttle import ClientLimiter

STATIC_DIR = Path(__file__).parent / "static"


@dataclass(frozen=True, slots=True)
class PageError:
    status: int
    title: str
    detail: str
    #: What the reader can do about it.
    hint: str | None = None


class VerifyPage:
    """Templates, limits and the rate limiter of one app's Verify page."""

    def __init__(self, settings: Settings, limits: RateLimiter) -> None:
        self.max_bytes = settings.verify_upload_limit
        self.max_size = _size(self.max_bytes)
        self.keep_dir = settings.verify_keep_uploads_dir
        self.limiter = ClientLimiter(limits, settings.verify_rate_limit_per_minute)
        self._templates = Environment(
            loader=PackageLoader("accord.server.verify_page", "templates"),
            autoescape=True,  # file names and manifest strings are hostile input
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._templates.filters["capitalize_first"] = _capitalize_first

    def too_large(self) -> PageError:
        detail = f"This page checks files up to {self.max_size}; this one is larger."
        return PageError(413, "File too large", detail)

    def render(
        self,
        request: Request,
        *,
        card: Card | None = None,
        error: PageError | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> HTMLResponse:
        """The whole page, or only the result to htmx, which swaps it into the page."""
        root = request.scope.get("root_path", "")
        fragment = request.headers.get("hx-request") == "true" and not request.headers.get(
            "hx-history-restore-request"
        )
        template = self._templates.get_template("result.html" if fragment else "page.html")
        html = template.render(
            card=card,
            error=error,
            root=root,
            version=__version__,
            max_bytes=self.max_bytes,
            max_size=self.max_size,
            keeps_uploads=self.keep_dir is not None,
            htmx_config=HTMX_CONFIG,
        )
        return HTMLResponse(
            html, status_code=status, headers={**SECURITY_HEADERS, **(headers or {})}
        )


def _capitalize_first(text: str) -> str:
    """Jinja's ``capitalize`` lowers the rest too, which would spoil names like C2PA."""
    return text[:1].upper() + text[1:]


def _size(count: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return f"{count} bytes"
