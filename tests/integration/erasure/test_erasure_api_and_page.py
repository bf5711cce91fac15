"""``/v1/erasures``, ``/v1/retention`` and ``/admin/erasures``: admins erase a notifier's or
a protected person's data (and the database's files forget it once the answer is sent),
admins and auditors read the requests with their audit trails; others are refused.

The instance's requests commit, as a running server's do: the scrub after an erasure
needs the erasure committed, which the rolled-back test database never is."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from accord.server.accounts.models import User
from accord.server.app import create_app
from accord.server.db.base import utc_now
from accord.server.erasure.retention import enforce_retention
from accord.server.notices.models import Notice
from accord.server.persons.models import ProtectedPersonRow
from accord.server.settings import Settings
from tests.authenticator import enrol
from tests.integration.databases import own_engine_beside
from tests.integration.erasure.scan import files_holding
from tests.integration.notice_action import Staff, hire, send_notice, sign_in
from tests.integration.portal.test_portal_pages import page_sign_in

MASTER_KEY = "the master key of an instance that erases over HTTP"
EMAIL = "erin.erasable@mail.example"
NAME = "Erin Erasable-Notifier"
OTHER_EMAIL = "kim.kept@mail.example"
PROBLEM = "application/problem+json"


@dataclass(frozen=True)
class Instance:
    app: FastAPI
    staff: Staff
    engine: Engine
    settings: Settings

    def visitor(self) -> TestClient:
        return TestClient(self.app, raise_server_exceptions=False)

    def api_user(self, user: User) -> tuple[TestClient, dict[str, str]]:
        """A client signed in as ``user`` for the API, and the CSRF header of its changes.
        One per user and test: each sign-in takes the next of only two codes accepted."""
        client = self.visitor()
        return client, sign_in(client, user)

    def page_user(self, user: User) -> tuple[TestClient, str]:
        """A client signed in as ``user`` on the login page, and its forms' CSRF token."""
        client = self.visitor()
        return client, page_sign_in(client, user.email)


@pytest.fixture
def instance(database_url: str, tmp_path: Path) -> Iterator[Instance]:
    with own_engine_beside(database_url, tmp_path, "erasure_http") as engine:
        settings = Settings(
            env="test",
            data_dir=tmp_path / "data",
            database_url=engine.url.render_as_string(hide_password=False),
            master_key=SecretStr(MASTER_KEY),
            auto_migrate=False,
            hash_concurrency=2,
            smtp_host="mail.invalid",  # acknowledgements are queued (never sent here)
        )
        app = create_app(settings)
        try:
            with Session(engine, expire_on_commit=False) as session:
                staff = hire(session, MASTER_KEY)
                # Committed here: signing in (``code_for``) would enrol them in a session
                # that is never committed, this instance's not being the test's own.
                for user in (staff.admin, staff.reviewer):
                    enrol(session, user, MASTER_KEY)
                session.commit()
            yield Instance(app, staff, engine, settings)
        finally:
            app.state.runtime.close()


def sqlite_files(engine: Engine) -> list[Path]:
    """SQLite's database file and its write-ahead log; nothing for PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return []
    database = Path(str(engine.url.database))
    return [path for path in (database, Path(f"{database}-wal")) if path.exists()]


def notifiers(engine: Engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.execute(
            select(Notice.notifier_name, Notice.notifier_email).order_by(Notice.id)
        )
        return [(name, email) for name, email in rows]


def test_an_admin_erases_a_notifier_and_auditors_read_the_request_and_its_trail(
    instance: Instance,
) -> None:
    staff, engine = instance.staff, instance.engine
    public = instance.visitor()
    for email, name in ((EMAIL, NAME), (EMAIL, NAME), (OTHER_EMAIL, "Kim Kept")):
        sent = send_notice(
            public, notifier_email=email, notifier_name=name, url="https://videoshare.example/v/1"
        )
        assert sent.status_code == 201, sent.text
    needles = (EMAIL.encode(), NAME.encode())
    files = sqlite_files(engine)
    assert bool(files_holding(files, needles)) == bool(files)  # the scan can fail (SQLite)

    admin, headers = instance.api_user(staff.admin)
    erased = admin.post(
        "/v1/erasures",
        json={"kind": "notifier", "subject": EMAIL.upper(), "note": "Art. 17 request of 3 May"},
        headers=headers,
    )
    assert erased.status_code == 201, erased.text
    answer = erased.json()
    assert answer["erased"] == {"notices": 2, "emails": 2, "appeals": 0, "measures": 0}
    assert any(reason.startswith("the statements of reasons") for reason in answer["kept"])
    assert answer["requested_by"] == f"user:{staff.admin.email}"
    assert {entry["table"] for entry in answer["trail"]} >= {"notices", "mail_messages"}
    assert EMAIL not in erased.text

    assert notifiers(engine) == [("", ""), ("", ""), ("Kim Kept", OTHER_EMAIL)]
    # Scrubbed once the answer was sent: SQLite's files hold the erased bytes no more.
    assert files_holding(sqlite_files(engine), needles) == set()

    auditor, auditor_headers = instance.api_user(staff.auditor)
    listed = auditor.get("/v1/erasures", headers=auditor_headers)
    assert listed.status_code == 200, listed.text
    [request] = listed.json()["erasures"]
    assert (request["id"], request["kind"], request["about"]) == (answer["id"], "notifier", "")
    assert request["note"] == "Art. 17 request of 3 May"
    assert request["trail"] == answer["trail"]
    assert all(entry["reason"] == f"erasure request #{answer['id']}" for entry in request["trail"])

    again = admin.post("/v1/erasures", json={"kind": "notifier", "subject": EMAIL}, headers=headers)
    assert again.status_code == 404
    assert again.headers["content-type"] == PROBLEM
    assert again.json()["detail"] == "accord keeps no personal data about this address"


def test_only_admins_erase_and_bad_requests_are_refused_with_a_problem(
    instance: Instance,
) -> None:
    staff = instance.staff
    body = {"kind": "person", "subject": staff.jane.id}
    assert instance.visitor().get("/v1/erasures").status_code == 401
    reviewer, headers = instance.api_user(staff.reviewer)
    for refused in (
        reviewer.post("/v1/erasures", json=body, headers=headers),
        reviewer.get("/v1/erasures", headers=headers),
        reviewer.get("/v1/retention", headers=headers),
    ):
        assert refused.status_code == 403
        assert refused.headers["content-type"] == PROBLEM
    auditor, headers = instance.api_user(staff.auditor)
    assert auditor.post("/v1/erasures", json=body, headers=headers).status_code == 403
    assert auditor.get("/v1/erasures", headers=headers).json() == {"erasures": []}

    admin, headers = instance.api_user(staff.admin)
    for wrong, status, words in (
        ({"kind": "everyone", "subject": "x"}, 422, "kind"),
        ({"kind": "person", "subject": "Nobody Known"}, 404, "no protected person"),
        ({"kind": "notifier", "subject": "not-an-address"}, 400, "not an email address"),
    ):
        answer = admin.post("/v1/erasures", json=wrong, headers=headers)
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"] == PROBLEM
        assert words in answer.json()["detail"]
    # Nothing refused was recorded, and Jane is still protected.
    assert admin.get("/v1/erasures").json() == {"erasures": []}
    with Session(instance.engine) as session:
        assert session.get(ProtectedPersonRow, staff.jane.id) is not None


def test_the_page_erases_a_person_once_confirmed_and_shows_the_trail_and_retention(
    instance: Instance,
) -> None:
    staff, engine = instance.staff, instance.engine
    reviewer, _ = instance.page_user(staff.reviewer)
    refused = reviewer.get("/admin/erasures")
    assert refused.status_code == 403
    assert "Only administrators may open this page" in refused.text

    admin, csrf = instance.page_user(staff.admin)
    page = admin.get("/admin/erasures")
    assert page.status_code == 200
    assert 'action="/admin/erasures/notifier"' in page.text
    assert f'<option value="{staff.jane.id}">Jane Doe, candidate for mayor' in page.text
    assert 'id="retention-rules"' in page.text
    assert "<code>ACCORD_RETENTION_NOTIFIER_DAYS</code>" in page.text
    assert "No erasure requests yet." in page.text

    files = sqlite_files(engine)
    assert bool(files_holding(files, [b"Jane Doe"])) == bool(files)  # the scan can fail
    form = {"csrf_token": csrf, "person": staff.jane.id, "note": "her request of 3 May"}
    unconfirmed = admin.post("/admin/erasures/person", data=form)
    assert unconfirmed.status_code == 400
    assert "Tick the box confirming that the erasure cannot be undone" in unconfirmed.text
    forged = admin.post("/admin/erasures/person", data=form | {"csrf_token": "0" * 64})
    assert forged.status_code == 401
    assert "CSRF token is missing" in forged.text
    with Session(engine) as session:
        assert session.get(ProtectedPersonRow, staff.jane.id) is not None

    done = admin.post("/admin/erasures/person", data=form | {"confirm": "yes"})
    assert done.status_code == 200, done.text  # followed the redirect back to the page
    assert "Erased. The request is listed first below" in done.text
    assert "<summary>Audit trail (" in done.text
    assert "1 people" in done.text
    assert "her request of 3 May" in done.text
    assert "No protected people are registered." in done.text
    with Session(engine) as session:
        assert session.get(ProtectedPersonRow, staff.jane.id) is None
    assert files_holding(sqlite_files(engine), [b"Jane Doe"]) == set()

    # The daily job's last run, as the page and the API show it.
    send_notice(instance.visitor(), url="https://videoshare.example/v/2")
    with Session(engine) as session:
        far = utc_now() + timedelta(days=instance.settings.appeal_window_days + 31)
        assert enforce_retention(session, instance.settings, far)["notifier_contacts"] == 1
        session.commit()
    retention = admin.get("/v1/retention").json()  # the page's session signs API calls too
    rules = {rule["setting"]: rule for rule in retention["rules"]}
    assert rules["ACCORD_RETENTION_NOTIFIER_DAYS"]["last_run_erased"] == 1
    assert rules["ACCORD_RETENTION_NOTIFIER_DAYS"]["days"] == 30
    assert rules["ACCORD_GUARD_RETENTION_DAYS"]["last_run_erased"] is None
    assert retention["last_run"]["erased"]["notifier_contacts"] == 1
    assert "It last erased something on" in admin.get("/admin/erasures").text
