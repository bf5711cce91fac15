"""The Verify page in a real browser against a real ``accord serve``: htmx swaps in the
card, the form works without JavaScript, and nothing breaks the page's security policy.

Screenshots of every state land in the test's folder and in ``/tmp/verify-screens`` for
a person to look at.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.integration.serving import serve

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

MASTER_KEY = "the master key of this browser test instance"
SCREENS = Path("/tmp/verify-screens")


@dataclass(frozen=True)
class Site:
    base: str
    record_id: str
    signed: Path
    stripped: Path
    #: A picture this instance's issuer signed as made by generative AI.
    generated: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Iterator[Site]:
    """A served instance with one issuer and a photo it signed, plus a stripped copy."""
    data = tmp_path_factory.mktemp("site")
    folder = tmp_path_factory.mktemp("files")
    settings = {"master_key": MASTER_KEY, "verify_rate_limit_per_minute": "1000"}
    with serve(data / "data", **settings) as served:
        env = {**os.environ, "ACCORD_DATA_DIR": str(data / "data"), "ACCORD_MASTER_KEY": MASTER_KEY}
        issuer = ["ec", "--organization", "Electoral Commission", "--country", "GB"]
        subprocess.run(
            [sys.executable, "-m", "accord", "issuer", "create", *issuer],
            env=env,
            check=True,
            capture_output=True,
        )
        signed = sign(served.base, corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg", folder)
        generated = sign(
            served.base,
            corpus / "pdq" / "reg-test-input" / "labelme-subset" / "q0122.jpg",
            folder,
            source_type="trainedAlgorithmicMedia",
            title="Street scene (AI-generated)",
        )
        copy = io.BytesIO()
        with Image.open(signed[1]) as picture:
            picture.resize((picture.width // 2, picture.height // 2)).save(copy, "JPEG", quality=70)
        stripped = folder / "bridge-from-a-platform.jpg"
        stripped.write_bytes(copy.getvalue())
        yield Site(served.base, signed[0], signed[1], stripped, generated[1])


def sign(
    base: str,
    photo: Path,
    folder: Path,
    *,
    source_type: str = "digitalCapture",
    title: str = "Bridge",
) -> tuple[str, Path]:
    """``photo`` signed by the instance's issuer: its record id and the signed copy."""
    response = httpx.post(
        f"{base}/v1/credentials/sign",
        files={"file": (photo.name, photo.read_bytes())},
        data={"issuer": "ec", "source_type": source_type, "title": title},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    signed = folder / f"signed-{photo.name}"
    signed.write_bytes(response.content)
    return response.headers["x-accord-record"], signed


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page that fails the test on any console error (a blocked script or style, ...)."""
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    opened = context.new_page()
    errors: list[str] = []

    def collect(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    opened.on("console", collect)
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    # A 4xx answer the page shows on purpose is logged as a failed load; nothing else.
    assert [e for e in errors if "status of 4" not in e] == []


def screenshot(page: Page, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, SCREENS / path.name)


def test_a_chosen_file_gets_its_card_without_a_page_load(
    page: Page, site: Site, tmp_path: Path
) -> None:
    page.goto(f"{site.base}/verify")
    expect(page.get_by_role("heading", name="Where does this file come from?")).to_be_visible()
    screenshot(page, tmp_path, "form")
    page.evaluate("window.notReloaded = true")
    # Choosing the file sends it: no button press needed once JavaScript runs.
    page.set_input_files("#file", site.signed)
    card = page.locator("#result article")
    expect(card).to_have_attribute("data-state", "trusted")
    expect(card.locator(".badge")).to_have_text("Trusted")
    expect(card).to_contain_text("Electoral Commission")
    expect(card).to_contain_text("Captured by a camera or recorder")
    expect(card).to_contain_text("What this does not prove")
    expect(page.locator("#card-title")).to_be_focused()
    assert page.evaluate("window.notReloaded") is True
    assert page.url == f"{site.base}/verify"
    screenshot(page, tmp_path, "trusted")


def test_a_chosen_file_is_sent_once_even_if_the_button_is_pressed(page: Page, site: Site) -> None:
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(f"{site.base}/verify")
    page.set_input_files("#file", site.signed)
    expect(page.locator("#result article")).to_have_attribute("data-state", "trusted")
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".sent-note")).to_contain_text("This file was just checked")
    page.wait_for_timeout(300)  # time for a second request to leave, were there one
    assert posts == [f"{site.base}/verify"]  # one check, one count against the rate limit


def test_a_dropped_stripped_copy_shows_the_original_thumbnail(
    page: Page, site: Site, tmp_path: Path
) -> None:
    page.goto(f"{site.base}/verify")
    transfer = page.evaluate_handle(
        """(bytes) => {
            const transfer = new DataTransfer();
            const file = new File([new Uint8Array(bytes)], "from-a-platform.jpg",
                                  {type: "image/jpeg"});
            transfer.items.add(file);
            return transfer;
        }""",
        list(site.stripped.read_bytes()),
    )
    page.dispatch_event("#drop-zone", "dragenter", {"dataTransfer": transfer})
    expect(page.locator("#drop-zone")).to_have_class("drop dragging")
    page.dispatch_event("#drop-zone", "drop", {"dataTransfer": transfer})
    card = page.locator("#result article")
    expect(card).to_have_attribute("data-state", "none")
    expect(card).to_contain_text("Looks like a file signed here")
    expect(card).to_contain_text("“Bridge”")
    thumbnail = card.locator(".original img")
    expect(thumbnail).to_have_attribute("src", f"/verify/originals/{site.record_id}/thumbnail")
    # Property checks, not wait_for_function: the page's CSP forbids the eval it polls with.
    expect(thumbnail).to_have_js_property("complete", True)
    expect(thumbnail).not_to_have_js_property("naturalWidth", 0)
    screenshot(page, tmp_path, "match")


def test_every_state_has_its_badge(page: Page, site: Site, corpus: Path, tmp_path: Path) -> None:
    folder = corpus / "c2pa"
    page.goto(f"{site.base}/verify")
    page.set_input_files("#file", site.generated)
    expect(page.locator("#result article")).to_have_attribute("data-state", "trusted")
    expect(page.locator(".chip.origin-ai")).to_have_text("Made by generative AI")
    screenshot(page, tmp_path, "trusted-ai")
    states = {
        "valid": (folder / "C.jpg", "Valid but unknown signer"),
        "invalid": (folder / "XCA.jpg", "Invalid"),
        "remote": (folder / "cloud.jpg", "Not checked"),
        "none": (folder / "no_manifest.jpg", "No credentials"),
    }
    page.goto(f"{site.base}/verify")
    for state, (path, label) in states.items():
        page.set_input_files("#file", path)
        card = page.locator("#result article")
        expect(card).to_have_attribute("data-state", state)
        expect(card.locator(".badge")).to_have_text(label)
        screenshot(page, tmp_path, state)
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(site.signed.read_bytes()[:5000])
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.set_input_files("#file", truncated)
    assert answer.value.status == 422
    alert = page.locator("#result [role=alert]")
    expect(alert).to_contain_text("Corrupt or truncated media")
    screenshot(page, tmp_path, "error")


def test_a_file_over_the_limit_is_refused_before_it_is_sent(page: Page, site: Site) -> None:
    page.goto(f"{site.base}/verify")
    page.evaluate("document.getElementById('verify-form').dataset.maxBytes = '1000'")
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.method))
    page.set_input_files("#file", site.signed)
    expect(page.locator("#result [role=alert]")).to_contain_text("File too large")
    assert "POST" not in sent


def test_the_form_works_without_javascript(browser: Browser, site: Site, tmp_path: Path) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(f"{site.base}/verify")
        page.set_input_files("#file", site.signed)
        with page.expect_navigation():
            page.get_by_role("button", name="Check the file").click()
        card = page.locator("#result article")
        expect(card).to_have_attribute("data-state", "trusted")
        expect(card).to_contain_text("Electoral Commission")
        expect(page).to_have_title("Trusted: signed-aaa-orig.jpg · Verify a file · accord")
        screenshot(page, tmp_path, "trusted-no-js-narrow")
    finally:
        context.close()
