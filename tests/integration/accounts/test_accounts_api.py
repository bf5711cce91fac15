"""Signing in over HTTP: a Secure, HttpOnly, SameSite=Strict cookie; CSRF on changes;
lockout; invitations; roles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.accounts import service as accounts
from accord.server.accounts.models import User
from accord.server.auth.roles import Role
from accord.server.auth.sessions import CSRF_HEADER, SESSION_COOKIE, signed_in
from tests.authenticator import code_for
from tests.integration.notice_action import runtime_of

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's
Reviewer = Annotated[User, Depends(signed_in(Role.REVIEWER, Role.SENIOR_REVIEWER))]


def register(db_session: Session, role: Role = Role.REVIEWER) -> User:
    commission = accounts.create_organization(db_session, "Commission", "election_authority")
    user = accounts.create_user(db_session, commission, f"{role}@example.org", role, PASSWORD)
    db_session.commit()
    return user


def https(client: TestClient) -> TestClient:
    client.base_url = client.base_url.copy_with(scheme="https")  # Secure cookies come back
    return client


def log_in(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    """Sign in over the API, with the authenticator's code where the role needs one (set
    up first, ``tests.authenticator``)."""
    body = {"email": email, "password": password}
    runtime = runtime_of(client)
    with runtime.sessions() as session:
        user = session.scalar(select(User).where(User.email == email))
        code = user and code_for(session, user, runtime.settings.master_key.get_secret_value())
    return client.post("/v1/session", json=body | ({"code": code} if code else {}))


def test_sign_in_use_and_sign_out(client: TestClient, db_session: Session) -> None:
    user = register(db_session)
    https(client)
    signed = log_in(client, user.email)
    assert signed.status_code == 200, signed.text
    cookie = signed.headers["set-cookie"].lower()
    for flag in ("httponly", "secure", "samesite=strict", "max-age=43200"):
        assert flag in cookie
    csrf = signed.json()["csrf_token"]
    assert client.get("/v1/me").json()["user"]["email"] == user.email
    refused = client.delete("/v1/session")  # no CSRF token
    assert refused.status_code == 401
    assert "CSRF" in refused.json()["detail"]
    assert client.delete("/v1/session", headers={CSRF_HEADER: csrf}).status_code == 204
    assert client.get("/v1/me").status_code == 401


def test_wrong_passwords_lock_the_account_over_http(
    client: TestClient, db_session: Session
) -> None:
    user = register(db_session)
    https(client)
    codes = [log_in(client, user.email, "wrong password!!").status_code for _ in range(5)]
    assert codes == [401] * 5
    locked = log_in(client, user.email)
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert locked.json()["code"] == "auth.account_locked"
    assert log_in(client, "nobody@example.org").json()["detail"] == (
        "the email or the password is wrong"
    )


def test_an_invitation_is_accepted_once(client: TestClient, db_session: Session) -> None:
    commission = accounts.create_organization(db_session, "Commission", "election_authority")
    token = accounts.invite(db_session, commission, "grace@example.org", Role.SENIOR_REVIEWER)
    db_session.commit()
    body = {"password": PASSWORD, "display_name": "Grace"}
    accepted = client.post(f"/v1/invitations/{token}", json=body)
    assert accepted.status_code == 201
    assert accepted.json()["user"]["role"] == "senior_reviewer"
    assert client.post(f"/v1/invitations/{token}", json=body).status_code == 404
    https(client)
    assert log_in(client, "grace@example.org").status_code == 200


def test_routes_admit_users_by_role_and_changes_need_csrf(
    client: TestClient, db_session: Session
) -> None:
    app = client.app
    assert isinstance(app, FastAPI)

    @app.post("/test/review")
    def review(user: Reviewer) -> str:
        return user.email

    reviewer = register(db_session)
    https(client)
    assert client.post("/test/review").status_code == 401  # not signed in
    csrf = log_in(client, reviewer.email).json()["csrf_token"]
    assert client.post("/test/review").status_code == 401  # no CSRF token
    assert client.post("/test/review", headers={CSRF_HEADER: csrf}).json() == reviewer.email
    auditor = accounts.create_user(
        db_session,
        accounts.find_organization(db_session, "Commission"),
        "auditor@example.org",
        Role.AUDITOR,
        PASSWORD,
    )
    db_session.commit()
    client.cookies.clear()
    csrf = log_in(client, auditor.email).json()["csrf_token"]
    forbidden = client.post("/test/review", headers={CSRF_HEADER: csrf})
    assert forbidden.status_code == 403
    assert SESSION_COOKIE in client.cookies


def test_auditors_read_and_check_the_audit_log(client: TestClient, db_session: Session) -> None:
    auditor = register(db_session, Role.AUDITOR)
    reviewer = accounts.create_user(
        db_session,
        accounts.find_organization(db_session, "Commission"),
        "reviewer@example.org",
        Role.REVIEWER,
        PASSWORD,
    )
    db_session.commit()
    https(client)
    assert client.get("/v1/audit").status_code == 401
    log_in(client, reviewer.email)
    assert client.get("/v1/audit").status_code == 403
    client.cookies.clear()
    log_in(client, auditor.email)
    listed = client.get("/v1/audit").json()["entries"]
    assert {entry["table"] for entry in listed} >= {"organizations", "users"}
    assert len(client.get("/v1/audit", params={"limit": 2}).json()["entries"]) == 2
    checked = client.get("/v1/audit/verify").json()
    assert checked["intact"] is True
    assert checked["entries"] >= len(listed)
    assert client.get("/v1/audit", params={"limit": 0}).status_code == 422


def test_one_client_cannot_guess_passwords_across_many_accounts(
    client_with: Callable[..., TestClient], db_session: Session
) -> None:
    client = https(client_with(login_attempts_per_minute=3))
    user = register(db_session)
    guesses = [log_in(client, f"user{index}@example.org", "guess") for index in range(3)]
    assert [guess.status_code for guess in guesses] == [401] * 3
    limited = log_in(client, user.email)  # even the right password waits now
    assert limited.status_code == 429
    assert limited.json()["code"] == "auth.rate_limited"
    assert int(limited.headers["retry-after"]) >= 1
