"""A platform without a webhook (issue 18): its messages are kept, dead, with the reason;
its uploaders' appeal codes stay retrievable by the platform's API key and by reviewers,
who are warned before and after deciding."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.errors import BadRequest, Conflict
from accord.server.auth.keys import create_key
from accord.server.cases.models import Case
from accord.server.decisions.models import ItemAction
from accord.server.notices.models import Notice
from accord.server.tokens import token_digest
from accord.server.webhooks.models import MessageStatus
from accord.server.webhooks.service import add_webhook, replay, set_enabled
from tests.integration.cases.test_cases_api import REMOVE
from tests.integration.notice_action import (
    Staff,
    messages,
    runtime_of,
    send_notice,
    sign_in,
    sign_out,
    triage,
)
from tests.integration.notices.test_notices_api import bridge
from tests.integration.portal.test_portal_pages import page_sign_in

#: A platform the instance has no webhook for.
UNHOOKED = "othertube"


def unhooked_case(client: TestClient, db_session: Session, corpus: Path) -> Case:
    sign_out(client)
    sent = send_notice(
        client, media=bridge(corpus), platform=UNHOOKED, platform_content_id="o-1",
        uploader="uploader-1",
    )  # fmt: skip
    assert sent.status_code == 201, sent.text
    triage(client)
    notice = db_session.scalar(select(Notice))
    assert notice is not None
    case = db_session.get(Case, notice.case_id)
    assert case is not None
    return case


def decided(client: TestClient, db_session: Session, staff: Staff, corpus: Path) -> Case:
    case = unhooked_case(client, db_session, corpus)
    headers = sign_in(client, staff.reviewer)
    answer = client.post(f"/v1/cases/{case.reference}/decision", json=REMOVE, headers=headers)
    assert answer.status_code == 201, answer.text
    assert answer.json()["platforms_without_webhook"] == [UNHOOKED]
    sign_out(client)
    return case


def test_a_message_for_a_platform_without_webhook_is_kept_dead_with_the_reason(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    decided(client, db_session, staff, corpus)
    (removal,) = messages(db_session, "content.")
    assert removal.webhook_id is None
    assert removal.platform == UNHOOKED
    assert removal.status == MessageStatus.DEAD
    assert removal.last_error == f"no webhook configured for platform {UNHOOKED!r}"
    assert removal.payload["appeal"]["token"]
    (warning,) = messages(db_session, "account.")  # the uploader's strike is not lost either
    assert warning.status == MessageStatus.DEAD
    # Admins see it among the undelivered messages.
    page_sign_in(client, staff.admin.email)
    page = client.get("/admin/webhooks")
    assert f"no webhook configured for platform &#39;{UNHOOKED}&#39;" in page.text


def test_a_message_kept_without_webhook_goes_to_the_webhook_added_later(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    decided(client, db_session, staff, corpus)
    removal = messages(db_session, "content.")[0]
    with pytest.raises(Conflict, match="no webhook configured"):
        replay(db_session, removal.id)
    master_key = runtime_of(client).settings.master_key.get_secret_value()
    webhook, _ = add_webhook(
        db_session, "othertube", "https://othertube.example/hook", master_key, platform=UNHOOKED
    )
    replay(db_session, removal.id)
    assert (removal.webhook_id, removal.status) == (webhook.id, MessageStatus.PENDING)


def test_the_platform_fetches_its_appeal_codes_with_its_api_key(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    decided(client, db_session, staff, corpus)
    _, key = create_key(db_session, "appeals-2027", ["platform"], platform=UNHOOKED.upper())
    _, other_key = create_key(db_session, "videoshare", ["platform"], platform="videoshare")
    _, matcher = create_key(db_session, "matcher", ["match"])
    db_session.commit()
    assert client.get("/v1/appeals/codes").status_code == 401  # codes are secrets
    refused = client.get("/v1/appeals/codes", headers={"Authorization": f"Bearer {matcher}"})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    others = client.get("/v1/appeals/codes", headers={"Authorization": f"Bearer {other_key}"})
    assert others.json()["codes"] == []
    answer = client.get(
        "/v1/appeals/codes",
        params={"platform_content_id": "o-1"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["platform"] == UNHOOKED
    (code,) = answer.json()["codes"]
    assert code["item"] == {"url": "", "platform_content_id": "o-1", "uploader": "uploader-1"}
    assert code["action"] == "remove"
    token = code["appeal"]["token"]
    assert token == messages(db_session, "content.")[0].payload["appeal"]["token"]
    stored = db_session.scalar(select(ItemAction).where(ItemAction.puid == code["puid"]))
    assert stored is not None
    assert stored.appeal_token_sha256 == token_digest(token)
    assert stored.appeal_token_sealed is not None
    assert token.encode() not in stored.appeal_token_sealed  # sealed, not kept in clear
    later = client.get(
        "/v1/appeals/codes",
        params={"since": "2999-01-01T00:00:00"},  # no zone: read as UTC
        headers={"Authorization": f"Bearer {key}"},
    )
    assert (later.status_code, later.json()["codes"]) == (200, [])
    filed = client.post(
        "/v1/appeals", json={"token": token, "reason": "This is satire, clearly labelled."}
    )
    assert filed.status_code == 201, filed.text


def test_reviewers_are_warned_and_given_the_codes_on_the_case_page(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    case = unhooked_case(client, db_session, corpus)
    csrf = page_sign_in(client, staff.reviewer.email)
    before = client.get(f"/review/cases/{case.reference}")
    assert f"No webhook is configured for {UNHOOKED}" in before.text
    assert "will not reach that platform" in before.text
    decision = {"csrf_token": csrf} | REMOVE
    after = client.post(f"/review/cases/{case.reference}/decision", data=decision)
    assert after.status_code == 200, after.text
    assert str(after.url).endswith("?done=decided")
    assert 'id="done">The decision is recorded.' in after.text
    assert "was not told of the decision" in after.text
    token = messages(db_session, "content.")[0].payload["appeal"]["token"]
    assert f'<code class="appeal-code">{token}</code>' in after.text
    # The case page links a page to read; that page links the API's JSON.
    page_link = re.search(rf'href="(/review/cases/{case.reference}/statements/[^"]+)"', after.text)
    assert page_link is not None
    readable = client.get(page_link[1])
    assert readable.status_code == 200
    assert readable.headers["content-type"].startswith("text/html")
    assert "Content incompatible with terms and conditions" in readable.text
    statement_link = re.search(
        rf'href="(/v1/cases/{case.reference}/statements/[^"]+)"', readable.text
    )
    assert statement_link is not None
    statement = client.get(statement_link[1])
    assert statement.status_code == 200
    assert statement.json()["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    api = client.get(f"/v1/cases/{case.reference}").json()
    assert api["platforms_without_webhook"] == [UNHOOKED]
    assert api["decisions"][0]["copies"][0]["appeal_code"] == token
    # Auditors read the case, not the codes: those are for whoever passes them on.
    page_sign_in(client, staff.auditor.email)
    assert token not in client.get(f"/review/cases/{case.reference}").text
    copy = client.get(f"/v1/cases/{case.reference}").json()["decisions"][0]["copies"][0]
    assert copy["appeal_code"] is None  # the key is always there; its value is not theirs


def test_a_paused_webhook_keeps_its_messages_waiting(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    set_enabled(db_session, "videoshare", enabled=False)
    sign_out(client)
    send_notice(client, media=bridge(corpus), platform="videoshare", platform_content_id="v-1")
    triage(client)
    case = db_session.scalar(select(Case))
    assert case is not None
    headers = sign_in(client, staff.reviewer)
    answer = client.post(f"/v1/cases/{case.reference}/decision", json=REMOVE, headers=headers)
    assert answer.json()["platforms_without_webhook"] == []
    (removal,) = messages(db_session, "content.")
    assert removal.webhook_id is not None
    assert removal.status == MessageStatus.PENDING  # sent once the webhook is resumed


def test_a_platform_key_names_its_platform(db_session: Session) -> None:
    with pytest.raises(BadRequest, match="must name its platform"):
        create_key(db_session, "nameless", ["platform"])
    with pytest.raises(BadRequest, match="only a key with the 'platform' scope"):
        create_key(db_session, "matcher", ["match"], platform="videoshare")
