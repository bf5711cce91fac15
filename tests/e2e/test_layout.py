"""The portal's layout at a desktop's 1200 px: the admin's header on one line, identifiers
never split, the acknowledgement's tracking number and code apart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from accord.server.accounts import service as accounts
from tests.authenticator import Authenticator, enrol
from tests.e2e.instance import new_instance, sign_in
from tests.integration.serving import serve

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's
ADMIN = "admin@ec.example"
PHONES: dict[str, Authenticator] = {}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("layout") / "data"
    with new_instance(data) as (settings, session):
        ec = accounts.create_organization(session, "EC", "election_authority")
        admin = accounts.create_user(session, ec, ADMIN, "admin", PASSWORD)
        PHONES[ADMIN] = enrol(session, admin, settings.master_key.get_secret_value())
    with serve(data) as served:
        yield served.base


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # Past the policy only to place test markup on a real page, styled by portal.css.
    context = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=True)
    yield context.new_page()
    context.close()


def test_the_admin_header_holds_one_line(page: Page, base: str) -> None:
    sign_in(page, base, ADMIN, PASSWORD, PHONES[ADMIN])
    sign_out = page.get_by_role("button", name="Sign out").bounding_box()
    brand = page.locator(".brand").bounding_box()
    assert sign_out is not None
    assert brand is not None
    assert sign_out["y"] < brand["y"] + brand["height"], "Sign out wrapped to a second line"


def test_identifiers_stay_whole_and_secrets_apart(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.evaluate(
        """() => {
          document.querySelector("main").innerHTML = `
            <table><tbody><tr><td id="narrow" data-label="Case">
              <a href="/review/cases/C-PW3JHFF9">C-PW3JHFF9</a></td></tr></tbody></table>
            <div class="card"><dl class="facts">
              <dt>Tracking number</dt><dd><span class="secret" id="one">N-2026-WMWYTC5J</span></dd>
              <dt>Code to follow it</dt><dd><span class="secret" id="two">r4D4JEOt6VKn</span></dd>
            </dl></div>`;
          document.querySelector("#narrow").style.width = "3em";
          document.querySelector("table").style.width = "3em";
        }"""
    )
    lines = page.evaluate("() => document.querySelector('#narrow a').getClientRects().length")
    assert lines == 1, "the case reference was split over lines"
    one, two = page.locator("#one").bounding_box(), page.locator("#two").bounding_box()
    assert one is not None
    assert two is not None
    assert one["y"] + one["height"] <= two["y"], "the tracking number and the code overlap"
