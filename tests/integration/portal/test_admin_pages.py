"""The admin's pages over HTTP: only admins get them, every change needs the form's CSRF
token, a refused change shows the form again with the reason, and secrets (invitation
links, webhook secrets) are shown once."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.server.accounts import service as accounts
from accord.server.accounts.models import Organization, User
from accord.server.auth.roles import Role
from accord.server.elections.models import Election
from accord.server.persons.models import (
    ProtectedPersonRow,
    ReferenceFace,
    ReferenceVoice,
    Representative,
)
from accord.server.webhooks.models import MessageStatus, Webhook
from accord.server.webhooks.service import MAX_ATTEMPTS, enqueue
from tests.integration.notice_action import PASSWORD, Staff, runtime_of, sign_out
from tests.integration.portal.test_portal_pages import page_sign_in
from tests.speech import SENTENCES, require_voice_model, speak

PAGES = (
    "/admin", "/admin/organizations", "/admin/users", "/admin/people", "/admin/elections",
    "/admin/webhooks", "/admin/policy", "/admin/guard", "/admin/alerts", "/admin/erasures",
)  # fmt: skip


def admin_signed_in(client: TestClient, staff: Staff) -> str:
    return page_sign_in(client, staff.admin.email)


def count(db_session: Session, model: Any) -> int:
    return int(db_session.scalar(select(func.count()).select_from(model)) or 0)


def person_named(db_session: Session, name: str) -> ProtectedPersonRow | None:
    return db_session.scalar(select(ProtectedPersonRow).where(ProtectedPersonRow.name == name))


def test_admin_pages_send_visitors_to_sign_in_and_refuse_other_roles(
    client: TestClient, staff: Staff
) -> None:
    sign_out(client)
    visitor = client.get("/admin/people", follow_redirects=False)
    assert visitor.status_code == 303
    assert visitor.headers["location"] == "/login?next=/admin/people"
    for user in (staff.reviewer, staff.candidate):
        csrf = page_sign_in(client, user.email)
        for path in PAGES:
            refused = client.get(path)
            assert refused.status_code == 403, (user.email, path)
            assert refused.headers["content-type"].startswith("text/html")
            assert "Only administrators may open this page" in refused.text
        posted = client.post("/admin/organizations", data={"csrf_token": csrf, "name": "X"})
        assert posted.status_code == 403
    admin_signed_in(client, staff)
    for path in PAGES:
        page = client.get(path)
        assert page.status_code == 200, path
        assert page.headers["content-type"].startswith("text/html")
        assert '<nav aria-label="Admin pages">' in page.text


def test_an_admin_creates_an_organization_and_invites_a_user_by_a_link_shown_once(
    client: TestClient, db_session: Session, staff: Staff
) -> None:
    csrf = admin_signed_in(client, staff)
    created = client.post(
        "/admin/organizations",
        data={"csrf_token": csrf, "name": "FactCheck EU", "kind": "fact_checker"},
        follow_redirects=False,
    )
    assert created.status_code == 303
    assert created.headers["location"] == "/admin/organizations?done=organization"
    listed = client.get(created.headers["location"])
    assert "FactCheck EU" in listed.text
    assert "The organization was created." in listed.text
    organization = accounts.find_organization(db_session, "FactCheck EU")
    again = client.post(
        "/admin/organizations",
        data={"csrf_token": csrf, "name": "FactCheck EU", "kind": "fact_checker"},
    )
    assert again.status_code == 409
    assert "An organization named &#39;FactCheck EU&#39; exists already" in again.text

    invited = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf, "organization": str(organization.id),
            "email": "Checker@FactCheck.example", "role": "auditor",
        },
    )  # fmt: skip
    assert invited.status_code == 201
    link = re.search(r'id="invitation-link">https?://[^/]+/invitations/([\w-]+)<', invited.text)
    assert link is not None, invited.text
    token = link[1]
    users_page = client.get("/admin/users")
    assert token not in users_page.text  # shown once
    assert "checker@factcheck.example" in users_page.text  # waiting to be accepted

    sign_out(client)
    assert client.get(f"/invitations/{token}").status_code == 200
    accepted = client.post(
        f"/invitations/{token}", data={"password": PASSWORD, "display_name": "Checker"},
        follow_redirects=False,
    )  # fmt: skip
    assert accepted.status_code == 303
    user = accounts.find_user(db_session, "checker@factcheck.example")
    assert (user.role, user.organization_id) == (Role.AUDITOR, organization.id)
    admin_signed_in(client, staff)
    row = re.search(r"checker@factcheck.example.*?</tr>", client.get("/admin/users").text, re.S)
    assert row is not None
    assert "FactCheck EU" in row[0]
    assert "never" in row[0]


def test_an_admin_registers_a_person_with_a_photo_verifies_them_and_names_who_speaks_for_them(
    client: TestClient, db_session: Session, staff: Staff, faces: Path
) -> None:
    csrf = admin_signed_in(client, staff)
    photo = faces / "obama.jpg"
    registered = client.post(
        "/admin/people",
        data={
            "csrf_token": csrf, "name": "Barack Obama", "role": "candidate for president",
            "aliases": "Obama, B. Obama", "consent": "yes",
        },
        files={"photos": (photo.name, photo.read_bytes(), "image/jpeg")},
    )  # fmt: skip
    assert registered.status_code == 200
    assert "The protected person was registered." in registered.text
    person = person_named(db_session, "Barack Obama")
    assert person is not None
    assert person.aliases == ["Obama", "B. Obama"]
    faces_of = select(func.count(ReferenceFace.id)).where(ReferenceFace.person_id == person.id)
    assert db_session.scalar(faces_of) == 1
    assert "not verified" in registered.text
    assert person.biometric_consent_by == f"user:{staff.admin.email}"

    second = faces / "obama2.jpg"
    added = client.post(
        "/admin/people/photos",
        data={"csrf_token": csrf, "person": person.id},
        files={"photo": (second.name, second.read_bytes(), "image/jpeg")},
    )
    assert "The reference photo was added." in added.text
    assert db_session.scalar(faces_of) == 2

    verified = client.post("/admin/people/verify", data={"csrf_token": csrf, "person": person.id})
    assert "The person&#39;s identity is recorded as verified." in verified.text
    assert person.verified_by == staff.admin.id
    assert person.verified_at is not None

    form = {"csrf_token": csrf, "person": person.id, "user": str(staff.representative.id)}
    authorized = client.post("/admin/people/representatives", data=form)
    assert "The representative may now report for the person." in authorized.text
    current = select(Representative).where(
        Representative.person_id == person.id, Representative.revoked_at.is_(None)
    )
    assert [r.user_id for r in db_session.scalars(current)] == [staff.representative.id]
    row = re.search(r"<strong>Barack Obama</strong>.*?</tr>", authorized.text, re.S)
    assert row is not None
    assert "staff@doe.example" in row[0]
    assert "verified" in row[0]
    revoked = client.post("/admin/people/representatives/revoke", data=form)
    assert "The representative may no longer report for the person." in revoked.text
    assert db_session.scalars(current).all() == []

    wrong_role = client.post(
        "/admin/people/account",
        data={"csrf_token": csrf, "person": person.id, "user": str(staff.reviewer.id)},
    )
    assert wrong_role.status_code == 409
    assert "Reviewer@ec.example is a reviewer, not a protected person" in wrong_role.text
    assert person.user_id is None
    linked = client.post(
        "/admin/people/account",
        data={"csrf_token": csrf, "person": person.id, "user": str(staff.candidate.id)},
    )
    assert "The account may now report for the person." in linked.text
    assert person.user_id == staff.candidate.id


def test_only_an_election_authoritys_admin_verifies_a_person(
    client: TestClient, db_session: Session, staff: Staff
) -> None:
    platform = accounts.create_organization(db_session, "VideoShare", "platform")
    accounts.create_user(db_session, platform, "admin@videoshare.example", Role.ADMIN, PASSWORD)
    person = ProtectedPersonRow(id="00aa00aa00aa00aa", name="Richard Roe", aliases=[])
    db_session.add(person)
    db_session.commit()
    csrf = page_sign_in(client, "admin@videoshare.example")
    refused = client.post("/admin/people/verify", data={"csrf_token": csrf, "person": person.id})
    assert refused.status_code == 403
    assert "Only an election authority&#39;s admin can verify a protected person" in refused.text
    assert 'role="alert"' in refused.text
    assert person.verified_at is None


def test_an_admin_adds_an_election_and_a_webhook_and_sends_a_dead_message_again(
    client: TestClient, db_session: Session, staff: Staff
) -> None:
    csrf = admin_signed_in(client, staff)
    added = client.post(
        "/admin/elections",
        data={
            "csrf_token": csrf, "name": "Dublin local 2029", "polling_date": "2029-05-24",
            "territories": "ie, de",
        },
    )  # fmt: skip
    assert "The election was added." in added.text
    election = db_session.scalar(select(Election).where(Election.name == "Dublin local 2029"))
    assert election is not None
    assert election.territories == ["DE", "IE"]
    assert "2029-05-24" in added.text

    hooked = client.post(
        "/admin/webhooks",
        data={
            "csrf_token": csrf, "name": "clipstream", "url": "https://clips.example/hook",
            "platform": "ClipStream",
        },
    )  # fmt: skip
    assert hooked.status_code == 201
    secret = re.search(r'id="webhook-secret">([0-9a-f]{64})<', hooked.text)
    assert secret is not None
    webhook = db_session.scalar(select(Webhook).where(Webhook.name == "clipstream"))
    assert webhook is not None
    assert webhook.platform == "clipstream"
    assert secret[1] not in client.get("/admin/webhooks").text  # shown once

    message = enqueue(db_session, "videoshare", "decision.remove", {"case": "C-1"})
    message.status, message.attempts = MessageStatus.DEAD, MAX_ATTEMPTS
    message.last_error = "the receiver answered HTTP 503"
    db_session.commit()
    listed = client.get("/admin/webhooks")
    assert "the receiver answered HTTP 503" in listed.text
    assert f"/admin/webhooks/messages/{message.id}/replay" in listed.text
    replayed = client.post(
        f"/admin/webhooks/messages/{message.id}/replay", data={"csrf_token": csrf}
    )
    assert replayed.status_code == 200
    assert "The message will be sent again" in replayed.text
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 0)
    assert f"/admin/webhooks/messages/{message.id}/replay" not in replayed.text
    unknown = client.post("/admin/webhooks/messages/999999/replay", data={"csrf_token": csrf})
    assert unknown.status_code == 404
    assert "No outbox message has the id 999999" in unknown.text


def test_the_policy_page_shows_the_review_settings_in_force(
    client: TestClient, staff: Staff
) -> None:
    admin_signed_in(client, staff)
    page = client.get("/admin/policy")
    text = page.text.replace("<wbr>", "")  # break points for a phone's width
    settings = runtime_of(client).settings
    assert "ACCORD_*" in text
    for variable in ("ACCORD_SLA_HOURS_URGENT", "ACCORD_STRIKE_WEIGHTS", "ACCORD_SUSPENSION_DAYS"):
        assert variable in text
    assert f"{settings.appeal_window_days} days" in text
    assert f"{settings.sla_hours_urgent:g} hours" in text
    assert "label “AI-generated” 1" in text


def test_changes_without_the_forms_csrf_token_are_refused_and_change_nothing(
    client: TestClient, db_session: Session, staff: Staff
) -> None:
    csrf = admin_signed_in(client, staff)
    organizations, people = count(db_session, Organization), count(db_session, ProtectedPersonRow)
    posts: list[tuple[str, dict[str, str]]] = [
        ("/admin/organizations", {"name": "Forged", "kind": "partner"}),
        ("/admin/users", {"organization": "1", "email": "x@forged.example", "role": "admin"}),
        ("/admin/people", {"name": "Forged Person"}),
        ("/admin/people/verify", {"person": staff.jane.id}),
        ("/admin/elections", {"name": "Forged", "polling_date": "2030-01-01"}),
        ("/admin/webhooks", {"name": "forged", "url": "https://forged.example/"}),
        ("/admin/webhooks/messages/1/replay", {}),
    ]
    for path, form in posts:
        for token in ("", "0" * 64):
            refused = client.post(path, data=(form | {"csrf_token": token}) if token else form)
            assert refused.status_code == 401, path
            assert "CSRF token is missing" in refused.text
    assert (count(db_session, Organization), count(db_session, ProtectedPersonRow)) == (
        organizations, people,
    )  # fmt: skip
    assert db_session.scalar(select(User.id).where(User.email == "x@forged.example")) is None
    assert db_session.scalar(select(Election.id).where(Election.name == "Forged")) is None
    assert db_session.scalar(select(Webhook.id).where(Webhook.name == "forged")) is None
    assert csrf  # the right token works: the other tests


def test_a_refused_change_shows_the_form_again_with_the_reason_and_the_input(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    csrf = admin_signed_in(client, staff)
    election = {
        "csrf_token": csrf, "name": "Midterms", "polling_date": "2030-11-05",
        "territories": "IE, UK",
    }  # fmt: skip
    outside = client.post("/admin/elections", data=election)
    assert outside.status_code == 400
    assert "Not ISO 3166-1 country codes: UK (for United Kingdom write GB)." in outside.text
    assert 'role="alert"' in outside.text
    assert 'value="Midterms"' in outside.text
    assert 'value="IE, UK"' in outside.text
    undated = client.post("/admin/elections", data=election | {"polling_date": "soon"})
    assert undated.status_code == 400
    assert "Polling day: not a date (YYYY-MM-DD): &#39;soon&#39;" in undated.text
    assert db_session.scalar(select(Election.id).where(Election.name == "Midterms")) is None

    no_face = corpus / "pdq" / "misc-images" / "c.png"
    refused = client.post(
        "/admin/people",
        data={"csrf_token": csrf, "name": "Nobody", "role": "returning officer", "consent": "yes"},
        files={"photos": (no_face.name, no_face.read_bytes(), "image/png")},
    )
    assert refused.status_code == 422
    assert "C.png: a reference photo must show one face clearly; found no face" in refused.text
    assert 'value="Nobody"' in refused.text
    assert person_named(db_session, "Nobody") is None  # with every photo or not at all

    unnamed = client.post("/admin/people", data={"csrf_token": csrf, "name": " "})
    assert unnamed.status_code == 400
    assert "Name: a protected person needs a name" in unnamed.text
    photo_less = client.post(
        "/admin/people/photos", data={"csrf_token": csrf, "person": staff.jane.id}
    )
    assert photo_less.status_code == 400
    assert "Photo: choose a photo that shows their face" in photo_less.text

    bad_hook = client.post(
        "/admin/webhooks",
        data={"csrf_token": csrf, "name": "ftp", "url": "ftp://files.example/"},
    )
    assert bad_hook.status_code == 409
    assert "A webhook URL must be http(s): &#39;ftp://files.example/&#39;" in bad_hook.text
    assert 'value="ftp://files.example/"' in bad_hook.text
    invitation = {
        "csrf_token": csrf, "organization": str(staff.admin.organization_id),
        "email": "new@ec.example", "role": "king",
    }  # fmt: skip
    bad_role = client.post("/admin/users", data=invitation)
    assert bad_role.status_code == 400
    assert "A role is one of protected_person" in bad_role.text
    assert 'value="new@ec.example"' in bad_role.text
    taken = client.post("/admin/users", data=invitation | {"email": staff.reviewer.email})
    assert taken.status_code == 409
    assert "Reviewer@ec.example has an account already" in taken.text


def test_an_admin_adds_a_reference_recording_of_a_persons_voice(
    client: TestClient, db_session: Session, staff: Staff, tmp_path: Path
) -> None:
    require_voice_model()
    csrf = admin_signed_in(client, staff)
    speech = speak(tmp_path, "speech", "en+m7", SENTENCES[0])
    short = speak(tmp_path, "hello", "en+m7", "Vote.")

    def upload(clip: Path) -> Any:
        return client.post(
            "/admin/people/voices",
            data={"csrf_token": csrf, "person": staff.jane.id, "consent": "yes"},
            files={"recording": (clip.name, clip.read_bytes(), "audio/wav")},
        )

    refused = upload(short)
    assert refused.status_code == 422
    assert "hello.wav" in refused.text.lower()  # the alert capitalises its first letter
    assert upload(speech).status_code == 200
    page = client.get("/admin/people")
    assert "0 face(s), 1 voice(s)" in page.text
    assert count(db_session, ReferenceVoice) == 1


def test_an_admin_deactivates_a_user_and_pauses_a_webhook(
    client: TestClient, db_session: Session, staff: Staff
) -> None:
    reviewer = TestClient(client.app, base_url="https://testserver")
    assert page_sign_in(reviewer, staff.reviewer.email)
    assert reviewer.get("/v1/me").status_code == 200
    csrf = admin_signed_in(client, staff)
    off = client.post(
        f"/admin/users/{staff.reviewer.id}/active", data={"csrf_token": csrf, "active": "no"}
    )
    assert off.status_code == 200
    assert "cannot sign in" in off.text
    assert reviewer.get("/v1/me").status_code == 401  # signed out at once
    self_off = client.post(
        f"/admin/users/{staff.admin.id}/active", data={"csrf_token": csrf, "active": "no"}
    )
    assert self_off.status_code == 409
    on = client.post(
        f"/admin/users/{staff.reviewer.id}/active", data={"csrf_token": csrf, "active": "yes"}
    )
    assert on.status_code == 200
    db_session.refresh(staff.reviewer)
    assert staff.reviewer.active
    paused = client.post(
        "/admin/webhooks/videoshare/enabled", data={"csrf_token": csrf, "enabled": "no"}
    )
    assert paused.status_code == 200
    webhook = db_session.scalar(select(Webhook).where(Webhook.name == "videoshare"))
    assert webhook is not None
    db_session.refresh(webhook)
    assert webhook.enabled is False
    missing = client.post("/admin/webhooks/nosuch/enabled", data={"csrf_token": csrf})
    assert missing.status_code == 404
