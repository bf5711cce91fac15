"""A reviewer tells an exchange's publisher, from the case page in a real browser, that
its entry matched content it should not have: a real ``accord serve`` whose bank holds
an entry fetched from another organisation, a notice about a picture that matches it,
triage in the background, and the opinion queued for the publisher."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from sqlalchemy import select

from accord.server.accounts import service as accounts
from accord.server.banks import service as banks
from accord.server.banks.schemas import Marking
from accord.server.db.engine import make_engine, make_session_factory
from accord.server.exchanges.models import Exchange, ExchangeMessage
from accord.server.settings import Settings
from tests.authenticator import Authenticator, enrol
from tests.e2e.instance import new_instance, sign_in
from tests.integration.banks.test_banks_api import BRIDGE_PDQ
from tests.integration.serving import closed_port, serve

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "correct horse battery staple"  # noqa: S105 - test accounts'
REVIEWER = "reviewer@platform.example"
PHONES: dict[str, Authenticator] = {}
PUBLISHER = "Electoral Commission of Ruritania"
SCREENS = Path("/tmp/exchange-opinion-screens")
NOTE = "A press photo of the real bridge; the fake only reused its background."


def set_up(data: Path, publisher_port: int) -> tuple[Settings, str]:
    """A reviewer, and the bank FROM_RURITANIA with one entry fetched through the
    exchange ``ruritania`` (whose publisher answers nothing: nothing leaves the machine);
    the entry's remote indicator id."""
    remote_id = f"indicator--{uuid.uuid4()}"
    with new_instance(data) as (settings, session):
        platform = accounts.create_organization(session, "VideoShare", "platform")
        reviewer = accounts.create_user(session, platform, REVIEWER, "reviewer", PASSWORD)
        PHONES[REVIEWER] = enrol(session, reviewer, settings.master_key.get_secret_value())
        bank = banks.create_bank(session, "FROM_RURITANIA", marking=Marking.AMBER)
        entry = banks.add_entry(session, bank, {"pdq": BRIDGE_PDQ}, banks.EntryFields())
        # As a fetch leaves it (``banks.service.apply_remote_indicators``).
        entry.remote_id = remote_id
        entry.origin = {
            "exchange": "ruritania",
            "owner": PUBLISHER,
            "marking": "TLP:AMBER",
            "modified": "2026-12-01T10:00:00.000Z",
        }
        session.add(
            Exchange(
                name="ruritania",
                api_root=f"http://127.0.0.1:{publisher_port}/taxii2/accord/",
                collection_id=str(uuid.uuid4()),
                collection_title="DEEPFAKES",
                bank_id=bank.id,
            )
        )
    return settings, remote_id


def report(base: str, picture: Path) -> None:
    sent = httpx.post(
        f"{base}/v1/notices",
        data={
            "reason": "deceptive_ai_content",
            "explanation": "A fake picture of the candidate on a bridge she never visited.",
            "good_faith": "true",
            "notifier_name": "A. Voter",
            "notifier_email": "voter@example.org",
        },
        files={"file": (picture.name, picture.read_bytes(), "image/jpeg")},
    )
    assert sent.status_code == 201, sent.text


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page whose console errors fail the test."""
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    opened = context.new_page()

    def collect(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    opened.on("console", collect)
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert errors == []


def shot(page: Page, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    page.wait_for_load_state("networkidle")  # the case's picture too
    page.screenshot(path=path, full_page=True)
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, SCREENS / path.name)


def opinions(settings: Settings) -> list[ExchangeMessage]:
    engine = make_engine(settings.effective_database_url)
    try:
        with make_session_factory(engine)() as session:
            query = select(ExchangeMessage).where(ExchangeMessage.object_type == "opinion")
            return list(session.scalars(query))
    finally:
        engine.dispose()


def test_a_reviewer_tells_the_publisher_a_shared_entry_was_a_false_positive(
    page: Page, tmp_path: Path, corpus: Path
) -> None:
    data = tmp_path / "data"
    with closed_port() as publisher_port:
        settings, remote_id = set_up(data, publisher_port)
        with serve(data, triage_poll_seconds="0.2") as served:
            base = served.base
            report(base, corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg")
            sign_in(page, base, REVIEWER, PASSWORD, PHONES[REVIEWER])
            expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
            for _ in range(100):  # triage runs in the background
                if page.locator("#queue-rows tr a").count():
                    break
                page.wait_for_timeout(100)
                page.reload()
            page.locator("#queue-rows tr a").first.click()
            shared = page.locator(".exchange-match")
            expect(shared).to_contain_text(
                f"From the exchange ruritania, published by {PUBLISHER}, TLP:AMBER."
            )
            expect(shared.get_by_role("group", name="Tell the publisher")).to_be_visible()
            shot(page, tmp_path, "01-case-with-an-exchange-match")
            page.get_by_label("Note for the publisher (optional)").fill(NOTE)
            page.get_by_role("button", name="Not a match (false positive)").click()
            expect(page.locator("#done")).to_have_text("Sent to the publisher's queue.")
            shot(page, tmp_path, "02-sent-to-the-publishers-queue")
        (opinion,) = opinions(settings)
        body = json.loads(opinion.body)
        assert (body["opinion"], body["object_refs"]) == ("strongly-disagree", [remote_id])
        assert body["explanation"] == NOTE
