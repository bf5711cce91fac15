"""Messages kept for want of a webhook are not called "given up on after every retry":
they were never attempted, and the admin pages say so."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.server.accounts import service as accounts
from accord.server.auth.roles import Role
from accord.server.webhooks.models import MessageStatus, OutboxMessage
from tests.integration.notice_action import PASSWORD
from tests.integration.portal.test_portal_pages import page_sign_in


def test_a_message_without_webhook_reads_never_attempted(
    client: TestClient, db_session: Session
) -> None:
    commission = accounts.create_organization(db_session, "Commission", "election_authority")
    accounts.create_user(db_session, commission, "admin@ec.example", Role.ADMIN, PASSWORD)
    db_session.add(
        OutboxMessage(
            webhook_id=None, platform="othertube", event="decision.remove", payload={},
            idempotency_key="k" * 32, status=MessageStatus.DEAD,
            last_error="no webhook for the platform othertube",
        )
    )  # fmt: skip
    db_session.commit()
    page_sign_in(client, "admin@ec.example")
    overview = client.get("/admin").text
    assert "could not be delivered" not in overview
    assert "1 message has not reached its platform" in overview
    assert "never sent because the platform has no webhook" in overview
    webhooks = client.get("/admin/webhooks").text
    assert "never attempted because the platform had no webhook" in webhooks
    assert '<td data-label="Attempts"><span class="muted">never: no webhook</span></td>' in (
        webhooks
    )
