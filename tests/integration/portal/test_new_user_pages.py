"""What a new user meets first: the invitation (password rules said before and after) and
the report form (who must say who they are, and why, before they send it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.server.accounts import passwords
from accord.server.accounts import service as accounts
from accord.server.auth.roles import Role
from tests.integration.notice_action import hire, runtime_of
from tests.integration.notices.test_notices_api import bridge
from tests.integration.portal.test_portal_pages import page_sign_in, report

GOOD = "correct horse battery staple"  # a test account's password


def invitation(db_session: Session, email: str = "alice.smith@example.org") -> str:
    commission = accounts.create_organization(db_session, "Commission", "election_authority")
    token = accounts.invite(db_session, commission, email, Role.REVIEWER)
    db_session.commit()
    return token


@pytest.mark.parametrize(
    ("password", "detail"),
    [
        ("too short", "a password must be at least 15 characters long; this one has 9"),
        ("alice in wonderland", "a password must not contain 'alice', from your email address"),
        ("1q2w3e4r5t6y7u8i", "this password is among the "),
    ],
)
def test_the_api_says_which_password_rule_was_broken(
    client: TestClient, db_session: Session, password: str, detail: str
) -> None:
    token = invitation(db_session)
    refused = client.post(f"/v1/invitations/{token}", json={"password": password})
    assert refused.status_code == 400
    assert detail in refused.json()["detail"]
    too_long = client.post(f"/v1/invitations/{token}", json={"password": "x" * 2000})
    assert too_long.json()["detail"] == "a password must be at most 256 characters long"
    # A refused password leaves the invitation usable.
    accepted = client.post(f"/v1/invitations/{token}", json={"password": GOOD})
    assert accepted.status_code == 201, accepted.text


def test_the_invitation_page_states_the_rules_and_a_refusal_keeps_the_link(
    client: TestClient, db_session: Session
) -> None:
    token = invitation(db_session)
    form = client.get(f"/invitations/{token}").text
    field = re.search(r'<input id="password"[^>]*>', form)
    assert field is not None
    assert f'minlength="{passwords.MIN_LENGTH}"' in field[0]
    assert f'maxlength="{passwords.MAX_LENGTH}"' in field[0]
    assert f"At least {passwords.MIN_LENGTH} characters" in form
    refused = client.post(
        f"/invitations/{token}", data={"password": "smithsonian museum", "display_name": "A Smith"}
    )
    assert refused.status_code == 400
    assert "A password must not contain &#39;smith&#39;, from your email address" in refused.text
    assert 'value="A Smith"' in refused.text  # what was typed is kept
    # The page's request is committed even when it shows a refusal: the link must survive it.
    joined = client.post(
        f"/invitations/{token}", data={"password": GOOD, "display_name": "A Smith"},
        follow_redirects=False,
    )  # fmt: skip
    assert joined.status_code == 303, joined.text


def test_the_report_form_says_who_must_give_a_name_and_why_before_sending(
    client: TestClient,
) -> None:
    page = client.get("/report").text
    for name in ("notifier_name", "notifier_email", "explanation", "good_faith"):
        field = re.search(rf'<(?:input|textarea)[^>]*\bid="{name}"[^>]*>', page)
        assert field is not None, name
        assert " required" in field[0], name
    assert "Art. 16" in page
    assert page.count('class="required"') >= 3  # visible marks, not only the browser's check
    assert 'aria-describedby="who-why"' in page
    assert 'id="who-why"' in page


def test_a_report_without_a_name_gets_a_readable_answer_and_keeps_the_input(
    client: TestClient, corpus: Path
) -> None:
    refused = report(client, bridge(corpus), notifier_name="", notifier_email="not an address")
    assert refused.status_code == 400
    alert = re.search(
        r'<div class="alert error" role="alert" id="report-error">([^<]+)<', refused.text
    )
    assert alert is not None
    assert "DSA Art. 16" in alert[1]
    assert 'value="not an address"' in refused.text
    assert "A fake picture of the candidate" in refused.text


def test_the_admin_who_invites_is_told_what_the_invitee_must_choose(
    client: TestClient, db_session: Session
) -> None:
    staff = hire(db_session, runtime_of(client).settings.master_key.get_secret_value())
    csrf = page_sign_in(client, staff.admin.email)
    invited = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf, "organization": str(staff.admin.organization_id),
            "email": "new@ec.example", "role": "reviewer",
        },
    )  # fmt: skip
    assert invited.status_code == 201, invited.text
    assert f"a password of at least {passwords.MIN_LENGTH} characters" in invited.text
