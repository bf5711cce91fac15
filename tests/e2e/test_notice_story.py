"""The whole notice-and-action story in a real browser against a real ``accord serve``:
a candidate reports a deepfake of herself, triage files it, a reviewer removes it, the
platform's webhook gets the signed removal, a re-encoded re-upload is caught by the bank,
the uploader appeals, a senior reviewer reverses, and the restore reaches the platform."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from accord.server.accounts import service as accounts
from accord.server.persons import service as persons
from accord.server.webhooks.service import add_webhook
from tests.authenticator import Authenticator, enrol
from tests.e2e.instance import new_instance
from tests.e2e.instance import sign_in as sign_in_as
from tests.edits import encoded, load_photo, scaled
from tests.integration.serving import serve
from tests.webhook_receiver import receiving

PASSWORD = "correct horse battery staple"  # noqa: S105 - test accounts'
SCREENS = Path("/tmp/notice-screens")
#: The authenticators of the staff whose role needs one, by email.
PHONES: dict[str, Authenticator] = {}
PEOPLE = {
    "admin@ec.example": ("EC", "admin"),
    "reviewer@ec.example": ("EC", "reviewer"),
    "senior@ec.example": ("EC", "senior_reviewer"),
    "jane@doe.example": ("Doe campaign", "protected_person"),
}


def set_up(data: Path, hook: str) -> bytes:
    """An election authority, a verified candidate with her account, reviewers, and the
    platform's webhook; the webhook's secret."""
    with new_instance(data) as (settings, session):
        organizations = {
            "EC": accounts.create_organization(session, "EC", "election_authority"),
            "Doe campaign": accounts.create_organization(session, "Doe campaign", "campaign"),
        }
        users = {
            email: accounts.create_user(session, organizations[org], email, role, PASSWORD)
            for email, (org, role) in PEOPLE.items()
        }
        master_key = settings.master_key.get_secret_value()
        for user in users.values():
            if accounts.needs_second_factor(user):
                PHONES[user.email] = enrol(session, user, master_key)
        jane = persons.register_person(session, "Jane Doe", role="candidate for mayor")
        persons.link_account(session, jane, users["jane@doe.example"])
        persons.verify_identity(session, jane, users["admin@ec.example"])
        _, secret = add_webhook(session, "videoshare", hook, master_key, platform="videoshare")
    return secret.encode()


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
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
    sign_in_as(page, base, email, PASSWORD, PHONES.get(email))


def report_as_candidate(page: Page, base: str, deepfake: Path, shots: Path) -> str:
    """Jane reports a deepfake of herself; the tracking number she is given."""
    sign_in(page, base, "jane@doe.example")
    page.goto(f"{base}/report")
    shot(page, shots, "01-report-form")
    expect(page.get_by_label("It is a deepfake of me")).to_be_checked()
    page.get_by_label("The file").set_input_files(deepfake)
    page.get_by_label("Platform", exact=True).fill("videoshare")
    page.get_by_label("The platform's id for it").fill("v-1")
    page.get_by_label("Why is it deceptive?").fill(
        "I never stood on that bridge; the picture is fabricated."
    )
    page.get_by_label("I believe, in good faith").check()
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", name="Thank you: your report is received")).to_be_visible()
    shot(page, shots, "02-acknowledged")
    return page.locator("#tracking-number").inner_text()


def wait_until_in_review(page: Page, base: str, tracking: str, shots: Path) -> None:
    """Triage runs in the background; her reports page shows when it has."""
    page.goto(f"{base}/my/notices")
    for _ in range(100):
        if "Being reviewed" in page.locator("main").inner_text():
            break
        page.wait_for_timeout(100)
        page.reload()
    expect(page.get_by_role("row", name=tracking)).to_contain_text("Being reviewed")
    shot(page, shots, "03-my-reports")


def remove_as_reviewer(page: Page, base: str, shots: Path) -> None:
    """The reviewer finds Jane's case first in the queue, claims it and removes it."""
    sign_in(page, base, "reviewer@ec.example")
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    first = page.locator("#queue-rows tr").first
    expect(first).to_contain_text("Jane Doe")
    shot(page, shots, "04-queue")
    first.get_by_role("link").click()
    page.get_by_role("button", name="Claim this case").click()
    shot(page, shots, "05-case")
    page.get_by_label("Remove").check()
    page.get_by_label("The clause or the law").fill(
        "Terms 4.2: deceptive synthetic media about elections"
    )
    page.get_by_label("Facts and reasons").fill(
        "The candidate was never there; the picture is fabricated."
    )
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#case-status")).to_have_text("Decided")
    expect(page.locator("#done")).to_have_text("The decision is recorded.")
    shot(page, shots, "06-decided")


def appeal_as_uploader(page: Page, base: str, token: str, shots: Path) -> None:
    page.goto(f"{base}/appeal?token={token}")
    page.get_by_label("Why is the decision wrong?").fill(
        "This is a parody account; the caption says so."
    )
    shot(page, shots, "08-appeal-phone")
    page.get_by_role("button", name="Send the appeal").click()
    expect(page.get_by_role("status")).to_contain_text("is received")
    shot(page, shots, "09-appeal-received-phone")


def reverse_as_senior(page: Page, base: str, shots: Path) -> None:
    sign_in(page, base, "senior@ec.example")
    page.goto(f"{base}/review/appeals")
    shot(page, shots, "10-appeals")
    page.locator("tbody tr").first.get_by_role("link").first.click()
    page.get_by_label("Reverse it").check()
    page.get_by_label("Reasons").fill("The account is a declared parody; the caption says so.")
    shot(page, shots, "11-appeal-case")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.locator("#appeal-status")).to_have_text("Reversed: the decision is undone")


def banks_matching(base: str, path: Path) -> set[str]:
    answer = httpx.post(
        f"{base}/v1/match", content=path.read_bytes(), headers={"Content-Type": "image/jpeg"}
    )
    return {match["bank"] for match in answer.json()["matches"]}


def test_a_candidate_report_goes_from_notice_to_removal_to_reversal(
    open_page: Callable[..., Page], tmp_path: Path, corpus: Path
) -> None:
    deepfake = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    copy = tmp_path / "reupload.jpg"
    encoded(scaled(load_photo(deepfake), 0.6), "JPEG", 55).save(copy, quality=95)
    data = tmp_path / "data"
    fast = {"triage_poll_seconds": "0.2", "outbox_poll_seconds": "0.2"}
    with receiving() as (receiver, hook):
        receiver.secret = set_up(data, hook)
        with serve(data, **fast) as served:
            base = served.base
            jane = open_page()
            tracking = report_as_candidate(jane, base, deepfake, tmp_path)
            wait_until_in_review(jane, base, tracking, tmp_path)
            remove_as_reviewer(open_page(), base, tmp_path)
            # The platform receives the signed removal, with the statement of reasons.
            removal = receiver.wait_for("content.remove")
            assert removal["item"]["platform_content_id"] == "v-1"
            visibility = removal["statement_of_reasons"]["decision_visibility"]
            assert visibility == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
            # A re-encoded re-upload is caught by the bank.
            assert "ACCORD_DECEPTIVE" in banks_matching(base, copy)
            jane.goto(f"{base}/notices/{tracking}")
            expect(jane.locator("#decision")).to_contain_text("Removed")
            shot(jane, tmp_path, "07-candidate-sees-decision")
            # The uploader, on a phone, appeals with the code the platform passed on.
            appeal_as_uploader(open_page(width=390), base, removal["appeal"]["token"], tmp_path)
            reverse_as_senior(open_page(), base, tmp_path)
            restore = receiver.wait_for("content.restore")
            assert restore["puid"] == removal["puid"]
            assert receiver.wait_for("appeal.decided")["outcome"] == "reversed"
            assert "ACCORD_DECEPTIVE" not in banks_matching(base, copy)
            assert receiver.bad_signatures == 0
