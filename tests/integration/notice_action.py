"""Shared by the notice-and-action tests: staff in every role, signing in as one of them,
sending notices, and a platform's webhook."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.accounts import service as accounts
from accord.server.accounts.models import User
from accord.server.auth.roles import Role
from accord.server.auth.sessions import CSRF_HEADER
from accord.server.persons import service as persons
from accord.server.persons.models import ProtectedPersonRow
from accord.server.runtime import Runtime
from accord.server.triage.service import triage_pending
from accord.server.webhooks.models import OutboxMessage
from accord.server.webhooks.service import add_webhook
from tests.authenticator import code_for

PASSWORD = "correct horse battery staple"  # noqa: S105 - test accounts'
PLATFORM = "videoshare"


@dataclass(frozen=True)
class Staff:
    reviewer: User
    second_reviewer: User
    senior: User
    admin: User
    auditor: User
    candidate: User
    representative: User
    jane: ProtectedPersonRow


def hire(db_session: Session, master_key: str = "a test instance's master key") -> Staff:
    """An election authority's staff, a campaign with a verified candidate (Jane Doe) and
    her representative, and a webhook for the platform ``videoshare``."""
    authority = accounts.create_organization(db_session, "Commission", "election_authority")
    campaign = accounts.create_organization(db_session, "Doe campaign", "campaign")

    def user(email: str, role: Role, organization: Any = authority) -> User:
        return accounts.create_user(db_session, organization, email, role, PASSWORD)

    staff = Staff(
        reviewer=user("reviewer@ec.example", Role.REVIEWER),
        second_reviewer=user("reviewer2@ec.example", Role.REVIEWER),
        senior=user("senior@ec.example", Role.SENIOR_REVIEWER),
        admin=user("admin@ec.example", Role.ADMIN),
        auditor=user("auditor@ec.example", Role.AUDITOR),
        candidate=user("jane@doe.example", Role.PROTECTED_PERSON, campaign),
        representative=user("staff@doe.example", Role.REPRESENTATIVE, campaign),
        jane=persons.register_person(db_session, "Jane Doe", role="candidate for mayor"),
    )
    persons.link_account(db_session, staff.jane, staff.candidate)
    persons.authorize_representative(db_session, staff.jane, staff.representative)
    persons.verify_identity(db_session, staff.jane, staff.admin)
    add_webhook(
        db_session, "videoshare", "https://videoshare.example/hook", master_key, platform=PLATFORM
    )
    db_session.commit()
    return staff


def sign_in(client: TestClient, user: User) -> dict[str, str]:
    """Sign ``client`` in as ``user`` (with their authenticator's code, set up first where
    their role needs one); the CSRF header its changes need."""
    client.base_url = client.base_url.copy_with(scheme="https")  # Secure cookies come back
    client.cookies.clear()
    runtime = runtime_of(client)
    with runtime.sessions() as session:
        code = code_for(session, user, runtime.settings.master_key.get_secret_value())
    credentials = {"email": user.email, "password": PASSWORD}
    answer = client.post("/v1/session", json=credentials | ({"code": code} if code else {}))
    assert answer.status_code == 200, answer.text
    return {CSRF_HEADER: answer.json()["csrf_token"]}


def sign_out(client: TestClient) -> None:
    client.cookies.clear()


def send_notice(
    client: TestClient, *, media: Path | None = None, headers: Any = None, **fields: object
) -> Any:
    form: dict[str, Any] = {
        "reason": "deceptive_ai_content",
        "explanation": "A fake video of the candidate conceding the election.",
        "good_faith": "true",
        "notifier_name": "A. Voter",
        "notifier_email": "voter@example.org",
    } | {name: str(value) for name, value in fields.items()}
    files = None
    if media is not None:
        files = {"file": (media.name, media.read_bytes(), "application/octet-stream")}
    return client.post("/v1/notices", data=form, files=files, headers=headers or {})


def runtime_of(client: TestClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def triage(client: TestClient) -> int:
    return triage_pending(runtime_of(client))


def messages(db_session: Session, event_prefix: str = "") -> list[OutboxMessage]:
    return [
        message
        for message in db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        if message.event.startswith(event_prefix)
    ]
