"""No page of accord loads anything from another origin, and /docs renders offline.

A real ``accord serve`` is visited in headless Chromium: every HTML page, as a visitor
and as each role that sees it, plus error pages. Every request the browser makes is
recorded; one to any origin but the server's fails the test, and so does any console
error (a script or style the Content-Security-Policy blocked shows as one).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.routing import APIRoute
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, expect

from accord.server.accounts import service as accounts
from accord.server.portal.mount import PAGES
from accord.server.verify_page import pages as verify_pages
from tests.authenticator import Authenticator, enrol
from tests.e2e.instance import new_instance
from tests.e2e.instance import sign_in as sign_in_as
from tests.integration.serving import serve

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "correct horse battery staple"  # noqa: S105 - test accounts'
SCREENS = Path("/tmp/same-origin-screens")
#: The authenticators of the users whose role needs one, by email.
PHONES: dict[str, Authenticator] = {}
#: Pages anyone may open.
PUBLIC = (
    "/", "/login", "/login/code", "/report", "/track", "/appeal", "/verify", "/docs",
    "/transparency",
)  # fmt: skip
#: The pages each role is shown, signed in.
BY_ROLE = {
    "admin": (
        "/admin", "/admin/organizations", "/admin/users", "/admin/people",
        "/admin/elections", "/admin/banks", "/admin/webhooks", "/admin/policy",
        "/admin/guard", "/admin/alerts", "/admin/erasures", "/review", "/review/appeals",
        "/account/security",
    ),
    "reviewer": ("/review",),
    "senior_reviewer": ("/review", "/review/appeals"),
    "auditor": ("/review", "/review/appeals"),
    "protected_person": ("/my/notices", "/report"),
    "representative": ("/my/notices", "/account/security"),
}  # fmt: skip
#: Error pages: (role signed in or None, path, status).
ERRORS = (
    (None, "/invitations/not-a-token", 404),  # a page saying the link is not valid
    ("protected_person", "/notices/AC-0000-0000", 404),
    ("reviewer", "/admin", 403),
    ("protected_person", "/review", 403),
    ("reviewer", f"/review/cases/{'0' * 12}", 404),
)


@dataclass
class Visit:
    """What one browser page asked for, and what went wrong."""

    base: str
    elsewhere: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def record(self, request: Request) -> None:
        if urlsplit(request.url).scheme in ("data", "blob", "about"):
            return  # in the document itself: no request leaves the browser
        if _origin(request.url) != _origin(self.base):
            self.elsewhere.append(request.url)

    def console(self, message: ConsoleMessage) -> None:
        # A 4xx page shown on purpose is logged as a failed load; anything else fails.
        if message.type == "error" and "status of 4" not in message.text:
            self.errors.append(message.text)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def email_of(role: str) -> str:
    return f"{role.replace('_', '-')}@ec.example"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("same-origin") / "data"
    _set_up(data)
    with serve(data) as served:
        yield served.base


def _set_up(data: Path) -> None:
    """One user of every role, with an authenticator where the role needs one."""
    with new_instance(data) as (settings, session):
        ec = accounts.create_organization(session, "EC", "election_authority")
        for role in BY_ROLE:
            user = accounts.create_user(session, ec, email_of(role), role, PASSWORD)
            if accounts.needs_second_factor(user):
                PHONES[user.email] = enrol(session, user, settings.master_key.get_secret_value())


def watch(page: Page, base: str) -> Visit:
    seen = Visit(base)
    page.on("request", seen.record)
    page.on("console", seen.console)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    return seen


@pytest.fixture
def visit(browser: Browser, base: str) -> Iterator[tuple[Page, Visit]]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    seen = watch(page, base)
    yield page, seen
    context.close()
    assert seen.elsewhere == [], "requests to other origins"
    assert seen.errors == [], "console errors (a blocked script or style?)"


def sign_in(page: Page, base: str, role: str) -> None:
    email = email_of(role)
    sign_in_as(page, base, email, PASSWORD, PHONES.get(email))


def open_page(page: Page, url: str, status: int = 200) -> None:
    response = page.goto(url, wait_until="networkidle")
    assert response is not None, url
    assert response.status == status, url
    assert response.headers["content-type"].startswith("text/html"), url
    assert "content-security-policy" in response.headers, url


def screenshot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / f"{name}.png", full_page=True)


def test_the_lists_cover_every_page_without_a_parameter() -> None:
    """A new page must be added here, so it is visited too."""
    pages = {
        route.path
        for router in (*PAGES, verify_pages.router)
        for route in router.routes
        if isinstance(route, APIRoute) and "GET" in (route.methods or ()) and "{" not in route.path
    }
    visited = set(PUBLIC) | {path for paths in BY_ROLE.values() for path in paths}
    assert pages - visited == set()


def test_public_pages_load_only_from_this_origin(
    visit: tuple[Page, Visit], base: str, corpus: Path
) -> None:
    page, _ = visit
    for path in PUBLIC:
        open_page(page, f"{base}{path}")
        screenshot(page, f"public{path.replace('/', '-') or '-home'}")
    # A checked file's card, with its htmx swap and icons.
    page.goto(f"{base}/verify")
    page.locator("#file").set_input_files(corpus / "c2pa" / "C.jpg")
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("article.card")).to_be_visible()
    page.wait_for_load_state("networkidle")


def test_every_roles_pages_load_only_from_this_origin(browser: Browser, base: str) -> None:
    for role, paths in BY_ROLE.items():
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        page = context.new_page()
        seen = watch(page, base)
        try:
            sign_in(page, base, role)
            for path in paths:
                open_page(page, f"{base}{path}")
            screenshot(page, f"role-{role}")
        finally:
            context.close()
        assert (role, seen.elsewhere, seen.errors) == (role, [], [])


def test_error_pages_load_only_from_this_origin_and_say_who_may(
    visit: tuple[Page, Visit], base: str
) -> None:
    page, _ = visit
    for role, path, status in ERRORS:
        page.context.clear_cookies()
        if role is not None:
            sign_in(page, base, role)
        open_page(page, f"{base}{path}", status)
        screenshot(page, f"error-{status}{path.replace('/', '-')}")
    page.context.clear_cookies()
    sign_in(page, base, "reviewer")
    open_page(page, f"{base}/admin", 403)
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(
        "Only administrators may open this page; you are signed in as a reviewer."
    )


def test_the_api_docs_render_offline(visit: tuple[Page, Visit], base: str) -> None:
    page, seen = visit
    open_page(page, f"{base}/docs")
    expect(page.locator(".information-container .title")).to_contain_text("accord")
    operations = page.locator(".opblock-summary-path")
    expect(operations.first).to_be_visible()
    assert operations.count() > 20
    expect(page.locator(".opblock-summary-path", has_text="/v1/credentials/verify")).to_be_visible()
    screenshot(page, "docs")
    # "Try it out" calls the API from the page, within the page's policy.
    page.locator(".opblock-summary-path", has_text="/healthz").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    answered = page.locator(".live-responses-table tbody .response-col_status").first
    expect(answered).to_have_text("200")
    screenshot(page, "docs-tried")
    assert seen.elsewhere == []
