"""Account protection on a real database: staff roles set up an authenticator before
anything else, sign-ins take its code once, wrong codes lock like wrong passwords,
recovery codes work once, changes need the password and a code, an admin's reset is
audited, and every such event (and a new device) is mailed through the outbox."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.accounts import lockout, totp
from accord.server.accounts import service as accounts
from accord.server.accounts.models import RecoveryCode, SecondFactor, User
from accord.server.audit.models import AuditEntry
from accord.server.auth.roles import Role
from accord.server.mail.models import MailMessage
from tests.authenticator import Authenticator, enrol
from tests.integration.notice_action import PASSWORD, runtime_of
from tests.integration.portal.test_portal_pages import csrf_of

FIREFOX = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}


def staff(db_session: Session, role: Role = Role.REVIEWER, email: str = "rev@ec.example") -> User:
    commission = accounts.create_organization(db_session, "Commission", "election_authority")
    user = accounts.create_user(db_session, commission, email, role, PASSWORD)
    db_session.commit()
    return user


def mailing(client_with: Callable[..., TestClient]) -> TestClient:
    """A client of an instance that mails (the outbox is not sent: its rows are read)."""
    client = client_with(smtp_host="mail.invalid", login_attempts_per_minute=1000)
    client.base_url = client.base_url.copy_with(scheme="https")  # Secure cookies come back
    return client


def phone_of(client: TestClient, db_session: Session, user: User) -> Authenticator:
    master_key = runtime_of(client).settings.master_key.get_secret_value()
    phone = enrol(db_session, user, master_key)
    db_session.commit()
    return phone


def log_in(client: TestClient, user: User, code: str | None = None, **headers: str) -> Any:
    body = {"email": user.email, "password": PASSWORD} | ({"code": code} if code else {})
    return client.post("/v1/session", json=body, headers=headers)


def mails(db_session: Session, user: User) -> list[str]:
    query = select(MailMessage.subject).where(MailMessage.recipient == user.email)
    return list(db_session.scalars(query.order_by(MailMessage.id)))


def test_a_reviewer_sets_up_an_authenticator_before_anything_else(
    client_with: Callable[..., TestClient], db_session: Session
) -> None:
    client = mailing(client_with)
    user = staff(db_session)
    signed = log_in(client, user)
    assert signed.status_code == 200, signed.text
    assert signed.json()["second_factor"] == {"enrolled": False, "enrolment_required": True}
    refused = client.get("/v1/me")
    assert refused.status_code == 403
    assert refused.json()["code"] == "auth.second_factor_enrolment_required"
    assert "/account/security" in refused.json()["detail"]

    # Every page leads to the security page, which shows the secret as a QR code and text.
    page = client.get("/review")
    assert page.url.path == "/account/security"
    assert "Your role needs a second factor" in page.text
    assert "<svg" in page.text
    assert "QR code for the authenticator app" in page.text
    found = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.text)
    assert found is not None
    secret = found.group(1).replace(" ", "")
    assert client.get("/account/security").text.count(found.group(1)) == 1  # the same again

    wrong = client.post(
        "/account/security/enrol", data={"csrf_token": csrf_of(page.text), "code": "000000"}
    )
    assert wrong.status_code == 401
    assert "does not match" in wrong.text
    code = totp.totp(totp.secret_bytes(secret), time.time())
    form = {"csrf_token": csrf_of(page.text), "code": code, "next": "/review"}
    shown = client.post("/account/security/enrol", data=form)
    assert shown.status_code == 200, shown.text
    codes = re.findall(r'<li><span class="secret">([a-z2-7-]+)</span>', shown.text)
    assert len(codes) == 10
    assert 'href="/review"' in shown.text
    assert client.get("/v1/me").status_code == 200  # signed in now, with a new session
    assert client.get("/review").url.path == "/review"

    # At rest: the secret sealed, the recovery codes as digests only, neither audited.
    db_session.expire_all()
    factor = db_session.get(SecondFactor, user.id)
    assert factor is not None
    assert factor.confirmed_at is not None
    assert secret.encode() not in factor.sealed_secret
    stored = set(db_session.scalars(select(RecoveryCode.secret_sha256)))
    assert len(stored) == 10
    assert not stored & set(codes)
    audited = " ".join(
        str((entry.before, entry.after))
        for entry in db_session.scalars(select(AuditEntry)).all()
        if entry.table in {"second_factors", "recovery_codes"}
    )
    assert audited
    assert "sealed_secret" not in audited
    assert "secret_sha256" not in audited
    assert secret not in audited
    assert mails(db_session, user) == [
        "Your accord account's second factor: an authenticator app was set up",
        "New sign-in to your accord account",
    ]


def test_a_code_signs_in_once_and_wrong_codes_lock_like_wrong_passwords(
    client_with: Callable[..., TestClient], db_session: Session
) -> None:
    client = mailing(client_with)
    user = staff(db_session, Role.ADMIN, "admin@ec.example")
    phone = phone_of(client, db_session, user)

    missing = log_in(client, user)
    assert missing.status_code == 401
    assert missing.json()["code"] == "auth.second_factor_required"
    wrong = log_in(client, user, "123456" if phone.code_at(time.time()) != "123456" else "654321")
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "auth.wrong_code"
    code = phone.code()
    signed = log_in(client, user, code)
    assert signed.status_code == 200, signed.text
    assert signed.json()["second_factor"] == {"enrolled": True, "enrolment_required": False}
    assert client.get("/v1/me").json()["user"]["email"] == user.email
    replayed = log_in(client, user, code)
    assert replayed.status_code == 401
    assert replayed.json()["code"] == "auth.wrong_code"

    for _ in range(lockout.MAX_FAILED_LOGINS - 1):  # the replay was the first failure
        assert log_in(client, user, "not a code").status_code == 401
    locked = log_in(client, user, phone.code())
    assert locked.status_code == 429
    assert locked.json()["code"] == "auth.account_locked"


def test_a_recovery_code_works_once_and_says_how_many_are_left(
    client_with: Callable[..., TestClient], db_session: Session
) -> None:
    client = mailing(client_with)
    user = staff(db_session, Role.SENIOR_REVIEWER, "senior@ec.example")
    phone = phone_of(client, db_session, user)
    recovery = phone.recovery_codes[3]
    typed = recovery.upper().replace("-", " ")  # as people type what they printed
    first = log_in(client, user, typed)
    assert first.status_code == 200, first.text
    assert first.json()["recovery_codes_left"] == 9
    again = log_in(client, user, recovery)
    assert again.status_code == 401
    assert "a recovery code was used to sign in (9 left)" in " ".join(mails(db_session, user))
    used = db_session.scalars(select(AuditEntry).where(AuditEntry.table == "recovery_codes"))
    assert any(entry.reason == "a recovery code was used" for entry in used)


def test_the_code_page_signs_in_and_a_recovery_code_leads_to_the_security_page(
    client_with: Callable[..., TestClient], db_session: Session
) -> None:
    client = mailing(client_with)
    user = staff(db_session)
    phone = phone_of(client, db_session, user)
    form = {"email": user.email, "password": PASSWORD, "next": "/review"}
    step = client.post("/login", data=form)
    assert step.url.path == "/login/code"
    assert client.get("/v1/me").status_code == 401  # half signed in is not signed in
    assert client.get("/review").url.path == "/login/code"
    wrong = client.post(
        "/login/code", data={"csrf_token": csrf_of(step.text), "code": "x", "next": "/review"}
    )
    assert wrong.status_code == 401
    assert "wrong or was used already" in wrong.text
    done = client.post(
        "/login/code",
        data={"csrf_token": csrf_of(step.text), "code": phone.code(), "next": "/review"},
    )
    assert done.url.path == "/review"

    client.cookies.clear()
    step = client.post("/login", data=form)
    recovered = client.post(
        "/login/code",
        data={"csrf_token": csrf_of(step.text), "code": phone.recovery_codes[0], "next": "/review"},
    )
    assert recovered.url.path == "/account/security"
    assert "You signed in with a recovery code: 9 are left" in recovered.text


def test_replacing_the_factor_needs_the_password_and_a_code(
    client_with: Callable[..., TestClient], db_session: Session
) -> None:
    client = mailing(client_with)
    user = staff(db_session)
    phone = phone_of(client, db_session, user)
    assert log_in(client, user, phone.code()).status_code == 200
    page = client.get("/account/security")
    assert "You have 10 unused recovery codes" in page.text
    csrf = csrf_of(page.text)
    wrong = client.post(
        "/account/security/remove",
        data={"csrf_token": csrf, "password": "not the password!!", "code": phone.code()},
    )
    assert wrong.status_code == 401
    assert db_session.get(SecondFactor, user.id) is not None
    replaced = client.post(
        "/account/security/remove",
        data={"csrf_token": csrf, "password": PASSWORD, "code": phone.recovery_codes[0]},
    )
    assert replaced.url.path == "/account/security"
    assert "set up the new one below" in replaced.text
    assert client.get("/v1/me").status_code == 403  # a reviewer needs one: set it up first
    db_session.expire_all()
    assert db_session.get(SecondFactor, user.id) is not None  # the new one, unconfirmed
    assert db_session.get(SecondFactor, user.id).confirmed_at is None  # type: ignore[union-attr]
    assert any("to be replaced" in subject for subject in mails(db_session, user))


def test_an_auditor_may_turn_the_factor_off(
    client_with: Callable[..., TestClient], db_session: Session
) -> None:
    client = mailing(client_with)
    user = staff(db_session, Role.AUDITOR, "auditor@ec.example")
    assert log_in(client, user).json()["second_factor"]["enrolment_required"] is False
    phone = phone_of(client, db_session, user)
    client.cookies.clear()
    assert log_in(client, user, phone.code()).status_code == 200
    csrf = csrf_of(client.get("/account/security").text)
    off = client.post(
        "/account/security/remove",
        data={"csrf_token": csrf, "password": PASSWORD, "code": phone.code()},
    )
    assert "The second factor is turned off" in off.text
    client.cookies.clear()
    assert log_in(client, user).json()["second_factor"]["enrolled"] is False


def test_an_admin_resets_a_lost_factor_audited_and_the_user_is_signed_out(
    client_with: Callable[..., TestClient], db_session: Session
) -> None:
    client = mailing(client_with)
    admin = staff(db_session, Role.ADMIN, "admin@ec.example")
    reviewer = accounts.create_user(
        db_session, accounts.find_organization(db_session, "Commission"), "rev@ec.example",
        Role.REVIEWER, PASSWORD,
    )  # fmt: skip
    admins_phone = phone_of(client, db_session, admin)
    reviewers_phone = phone_of(client, db_session, reviewer)
    other = mailing(client_with)
    assert log_in(other, reviewer, reviewers_phone.code()).status_code == 200

    assert log_in(client, admin, admins_phone.code()).status_code == 200
    listing = client.get("/admin/users")
    assert f"Reset the second factor of {reviewer.email}" in listing.text
    reset = client.post(
        f"/admin/users/{reviewer.id}/second-factor", data={"csrf_token": csrf_of(listing.text)}
    )
    assert "The second factor is reset" in reset.text
    assert other.get("/v1/me").status_code == 401  # signed out everywhere
    db_session.expire_all()
    assert db_session.get(SecondFactor, reviewer.id) is None
    entries = db_session.scalars(
        select(AuditEntry).where(
            AuditEntry.table == "second_factors", AuditEntry.action == "delete"
        )
    ).all()
    assert [(e.actor, e.reason) for e in entries] == [
        (f"user:{admin.email}", f"second factor reset by {admin.email}")
    ]
    assert any(
        f"reset by the administrator {admin.email}" in s for s in mails(db_session, reviewer)
    )
    assert log_in(other, reviewer).json()["second_factor"]["enrolment_required"] is True


def test_a_new_device_is_mailed_once(
    client_with: Callable[..., TestClient], db_session: Session
) -> None:
    client = mailing(client_with)
    user = staff(db_session, Role.PROTECTED_PERSON, "jane@doe.example")
    for _ in range(2):
        assert log_in(client, user).status_code == 200
    assert log_in(client, user, **FIREFOX).status_code == 200
    alerts = [s for s in mails(db_session, user) if s == "New sign-in to your accord account"]
    assert len(alerts) == 2  # the first device, then Firefox; not the second sign-in
    body = db_session.scalars(
        select(MailMessage.body).where(MailMessage.recipient == user.email)
    ).all()[-1]
    assert "Firefox/128.0" in body
    assert "Address: testclient" in body
    assert "If this was not you" in body
