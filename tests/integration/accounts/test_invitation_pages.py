"""The invitation page tells at once when a link cannot be used, and accepting one ends on
the sign-in page saying the account is ready."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.server.accounts import service as accounts
from accord.server.auth.roles import Role

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's
UNUSABLE = "The invitation is unknown, used or expired: ask for a new one."


def test_an_unusable_invitation_says_so_without_a_form(
    client: TestClient, db_session: Session
) -> None:
    commission = accounts.create_organization(db_session, "Commission", "election_authority")
    token = accounts.invite(db_session, commission, "grace@example.org", Role.REVIEWER)
    db_session.commit()
    form = client.get(f"/invitations/{token}")
    assert form.status_code == 200
    assert 'type="password"' in form.text
    accepted = client.post(
        f"/invitations/{token}", data={"password": PASSWORD}, follow_redirects=False
    )
    assert accepted.status_code == 303
    assert accepted.headers["location"] == "/login?flash=account_ready"
    login = client.get(accepted.headers["location"])
    assert "Your account is ready: sign in." in login.text
    assert "Your account is ready" not in client.get("/login?flash=anything+I+like").text
    for used_or_garbage in (token, "garbage"):
        page = client.get(f"/invitations/{used_or_garbage}")
        assert page.status_code == 404
        assert UNUSABLE in page.text
        assert 'type="password"' not in page.text


def test_invitation_links_start_with_the_public_url() -> None:
    assert accounts.invitation_link("t0k", "https://accord.example.org") == (
        "https://accord.example.org/invitations/t0k"
    )
    assert accounts.invitation_link("t0k", "http://testserver/") == (
        "http://testserver/invitations/t0k"
    )
    assert accounts.invitation_link("t0k", None) == "/invitations/t0k"
