"""The whole notice-and-action story in a real browser against a real ``accord serve``:
a candidate reports a deepfake of herself, triage files it, a reviewer removes it, the
platform's webhook gets the signed removal, a re-encoded re-upload is caught by the bank,
the uploader appeals, a senior reviewer reverses, and the restore reaches the platform."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from accord.server.accounts import service as accounts
from accord.server.db.engine import make_engine, make_session_factory
from accord.server.db.migrate import upgrade
from accord.server.persons import service as persons
from accord.server.settings import Settings
from accord.server.webhooks.outbox import add_webhook
from tests.edits import encoded, load_photo, scaled
from tests.integration.serving import serve
from tests.webhook_receiver import receiving

PASSWORD = "correct horse battery staple"  # noqa: S105 - test accounts'
SCREENS = Path("/tmp/notice-screens")
PEOPLE = {
    "admin@ec.example": ("EC", "admin"),
    "reviewer@ec.example": ("EC", "reviewer"),
    "senior@ec.example": ("EC", "senior_reviewer"),
    "jane@doe.example": ("Doe campaign", "protected_person"),
}


def set_up(data: Path, hook: str) -> bytes:
    """An election authority, a verified candidate with her account, reviewers, and the
    platform's webhook; the webhook's secret."""
    settings = Settings(data_dir=data)
    data.mkdir(parents=True)
    upgrade(settings.effective_database_url)
    engine = make_engine(settings.effective_database_url)
    try:
        with make_session_factory(engine)() as session:
            organizations = {
                "EC": accounts.create_organization(session, "EC", "election_authority"),
                "Doe campaign": accounts.create_organization(session, "Doe campaign", "campaign"),
            }
            users = {
                email: accounts.create_user(session, organizations[org], email, role, PASSWORD)
                for email, (org, role) in PEOPLE.items()
            }
            jane = persons.register_person(session, "Jane Doe", role="candidate for mayor")
            persons.link_account(session, jane, users["jane@doe.example"])
            persons.verify_identity(session, jane, users["admin@ec.example"])
            master_key = settings.master_key.get_secret_value()
            _, secret = add_webhook(session, "videoshare", hook, master_key, platform="videoshare")
            session.commit()
    finally:
        engine.dispose()
    return secret.encode()


@pytest.fixture
def open_page(browser: Browser) -> Iterator[object]:
    """Pages of their own (one per person: separate cookies); any console error fails."""
    errors: list[str] = []
    contexts = []

    def new_page(width: int = 1100) -> Page:
        context = browser.new_context(viewport={"width": width, "height": 900})
        contexts.append(context)
        page = context.new_page()

        def collect(message: ConsoleMessage) -> None:
            if message.type == "error":
                errors.append(message.text)

        page.on("console", collect)
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield new_page
    for context in contexts:
        context.close()
    assert [e for e in errors if "status of 4" not in e] == []


def shot(page: Page, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, SCREENS / path.name)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_candidate_report_goes_from_notice_to_removal_to_reversal(
    open_page: object, tmp_path: Path, corpus: Path
) -> None:
    new_page = open_page
    assert callable(new_page)
    deepfake = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    copy = tmp_path / "reupload.jpg"
    encoded(scaled(load_photo(deepfake), 0.6), "JPEG", 55).save(copy, quality=95)
    data = tmp_path / "data"
    fast = {"triage_poll_seconds": "0.2", "outbox_poll_seconds": "0.2"}
    with receiving() as (receiver, hook):
        receiver.secret = set_up(data, hook)
        with serve(data, **fast) as served:
            base = served.base
            # 1. The candidate reports a deepfake of herself.
            jane = new_page()
            sign_in(jane, base, "jane@doe.example")
            jane.goto(f"{base}/report")
            shot(jane, tmp_path, "01-report-form")
            expect(jane.get_by_label("It is a deepfake of me")).to_be_checked()
            jane.get_by_label("The file").set_input_files(deepfake)
            jane.get_by_label("Platform", exact=True).fill("videoshare")
            jane.get_by_label("The platform's id for it").fill("v-1")
            jane.get_by_label("Why is it deceptive?").fill("I never stood on that bridge; the picture is fabricated.")
            jane.get_by_label("I believe, in good faith").check()
            jane.get_by_role("button", name="Send the report").click()
            expect(jane.get_by_role("heading", name="Thank you: your report is received")).to_be_visible()
            tracking = jane.locator("#tracking-number").inner_text()
            shot(jane, tmp_path, "02-acknowledged")
            # 2. Triage files it; her reports page shows it under review.
            jane.goto(f"{base}/my/notices")
            for _ in range(100):
                if "in review" in jane.locator("main").inner_text():
                    break
                jane.wait_for_timeout(100)
                jane.reload()
            expect(jane.get_by_role("row", name=tracking)).to_contain_text("in review")
            shot(jane, tmp_path, "03-my-reports")
            # 3. A reviewer finds it first in the queue, claims it and removes it.
            reviewer = new_page()
            sign_in(reviewer, base, "reviewer@ec.example")
            expect(reviewer.get_by_role("heading", name="Review queue")).to_be_visible()
            first = reviewer.locator("#queue-rows tr").first
            expect(first).to_contain_text("Jane Doe")
            shot(reviewer, tmp_path, "04-queue")
            first.get_by_role("link").click()
            reviewer.get_by_role("button", name="Claim this case").click()
            shot(reviewer, tmp_path, "05-case")
            reviewer.get_by_label("Remove").check()
            reviewer.get_by_label("The clause or the law").fill("Terms 4.2: deceptive synthetic media about elections")
            reviewer.get_by_label("Facts and reasons").fill("The candidate was never there; the picture is fabricated.")
            reviewer.get_by_role("button", name="Record the decision").click()
            expect(reviewer.locator("#case-status")).to_have_text("decided")
            shot(reviewer, tmp_path, "06-decided")
            # 4. The platform receives the signed removal, with the statement of reasons.
            removal = receiver.wait_for("content.remove")
            assert removal["item"]["platform_content_id"] == "v-1"
            assert removal["statement_of_reasons"]["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
            assert receiver.bad_signatures == 0
            # 5. A re-encoded re-upload is caught by the bank.
            matched = httpx.post(f"{base}/v1/match", content=copy.read_bytes(), headers={"Content-Type": "image/jpeg"})
            assert "ACCORD_DECEPTIVE" in {match["bank"] for match in matched.json()["matches"]}
            # 6. The candidate sees the decision.
            jane.goto(f"{base}/notices/{tracking}")
            expect(jane.locator("#decision")).to_contain_text("Removed")
            shot(jane, tmp_path, "07-candidate-sees-decision")
            # 7. The uploader appeals with the code the platform passed on.
            uploader = new_page(width=390)  # on a phone
            uploader.goto(f"{base}/appeal?token={removal['appeal']['token']}")
            uploader.get_by_label("Why is the decision wrong?").fill("This is a parody account; the caption says so.")
            shot(uploader, tmp_path, "08-appeal-phone")
            uploader.get_by_role("button", name="Send the appeal").click()
            expect(uploader.get_by_role("status")).to_contain_text("is received")
            shot(uploader, tmp_path, "09-appeal-received-phone")
            # 8. A senior reviewer reverses; the platform is told to restore.
            senior = new_page()
            sign_in(senior, base, "senior@ec.example")
            senior.goto(f"{base}/review/appeals")
            shot(senior, tmp_path, "10-appeals")
            senior.locator("tbody tr").first.get_by_role("link").first.click()
            senior.get_by_label("Reverse it").check()
            senior.get_by_label("Reasons").fill("The account is a declared parody; the caption says so.")
            shot(senior, tmp_path, "11-appeal-case")
            senior.get_by_role("button", name="Record the outcome").click()
            expect(senior.locator("#appeal-status")).to_have_text("reversed")
            restore = receiver.wait_for("content.restore")
            assert restore["puid"] == removal["puid"]
            assert receiver.wait_for("appeal.decided")["outcome"] == "reversed"
            matched = httpx.post(f"{base}/v1/match", content=copy.read_bytes(), headers={"Content-Type": "image/jpeg"})
            assert "ACCORD_DECEPTIVE" not in {match["bank"] for match in matched.json()["matches"]}
            assert receiver.bad_signatures == 0
