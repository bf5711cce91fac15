"""An administrator protects their account in a real browser against a real ``accord
serve``: sent to the security page right after the password, they scan (here: read) the
key, turn the authenticator on with its code, keep the recovery codes shown once, and
from then on sign in with the password and the app's code.

``ACCORD_SCREENSHOTS=1`` also saves the security page as
``docs/images/second-factor.png``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from accord.server.accounts import service as accounts
from accord.server.accounts import totp
from tests.e2e.instance import new_instance
from tests.integration.serving import serve

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's
ADMIN = "admin@ec.example"
PICTURE = Path(__file__).resolve().parents[2] / "docs" / "images" / "second-factor.png"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("second-factor") / "data"
    with new_instance(data) as (_, session):
        ec = accounts.create_organization(session, "EC", "election_authority")
        accounts.create_user(session, ec, ADMIN, "admin", PASSWORD)
    with serve(data) as served:
        yield served.base


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    errors: list[str] = []
    opened = context.new_page()
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert [e for e in errors if "status of 4" not in e] == []


def password_step(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_admin_turns_on_an_authenticator_then_signs_in_with_it(page: Page, base: str) -> None:
    password_step(page, base)
    expect(page.get_by_role("heading", name="Account security")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Your role needs a second factor")
    expect(page.locator("#qr-code svg")).to_be_visible()
    # Nothing else opens before the authenticator is on.
    page.goto(f"{base}/admin")
    expect(page.get_by_role("heading", name="Account security")).to_be_visible()
    if os.environ.get("ACCORD_SCREENSHOTS"):
        PICTURE.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=PICTURE, full_page=True)

    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    key = totp.secret_bytes(secret)
    enrolled_at = totp.step_at(time.time())
    page.get_by_label("Code from the app").fill(totp.hotp(key, enrolled_at))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page).to_have_url(f"{base}/admin")
    page.get_by_role("button", name="Sign out").click()

    password_step(page, base)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    # The code the enrolment used is refused; the app's next one is taken.
    page.get_by_label("Code").fill(totp.hotp(key, enrolled_at))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("wrong or was used already")
    page.get_by_label("Code").fill(totp.hotp(key, enrolled_at + 1))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{base}/admin")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
