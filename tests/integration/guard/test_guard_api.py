"""``/v1/guard``: screening over HTTP with a ``guard`` key, bans, appeals, bad input as
problem+json, and the admin page that lifts bans."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.auth.keys import create_key
from accord.server.guard.models import GuardBan, GuardDecision
from tests.integration.guard.conftest import ALLOWED, BLOCKED
from tests.integration.notice_action import Staff
from tests.integration.portal.test_portal_pages import page_sign_in

pytestmark = pytest.mark.usefixtures("registered")


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def gate(client_with: Callable[..., TestClient], db_session: Session) -> tuple[TestClient, str]:
    _, key = create_key(db_session, "imagegen", ["guard"])
    return client_with(require_api_keys=True), key


def test_scope_guard_is_required(gate: tuple[TestClient, str], db_session: Session) -> None:
    client, _ = gate
    body = {"prompt": ALLOWED, "tool": "image", "user": "u1"}
    assert client.post("/v1/guard/prompt", json=body).status_code == 401
    _, matcher = create_key(db_session, "matcher", ["match"])
    refused = client.post("/v1/guard/prompt", json=body, headers=bearer(matcher))
    assert refused.status_code == 403
    assert "guard" in refused.json()["detail"]
    assert client.get("/v1/guard/users/u1", headers=bearer(matcher)).status_code == 403
    assert client.post("/v1/guard/appeals", json={}, headers=bearer(matcher)).status_code == 403


def test_blocks_ban_and_the_ban_is_appealed(
    gate: tuple[TestClient, str], db_session: Session
) -> None:
    client, key = gate
    allowed = client.post(
        "/v1/guard/prompt", json={"prompt": ALLOWED, "tool": "image", "user": "u1"},
        headers=bearer(key),
    )  # fmt: skip
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["verdict"] == "allow"
    for _ in range(3):
        answer = client.post(
            "/v1/guard/prompt", json={"prompt": BLOCKED, "tool": "image", "user": "u1"},
            headers=bearer(key),
        ).json()  # fmt: skip
        assert answer["verdict"] == "block"
        assert answer["reasons"][0]["category"] == "protected_person"
    assert answer["user_status"]["banned"] is True
    assert answer["user_status"]["until"]
    kept = db_session.get(GuardDecision, answer["decision_id"])
    assert kept is not None
    assert kept.client == "imagegen"
    status = client.get("/v1/guard/users/u1", headers=bearer(key)).json()
    assert status["banned"] is True
    assert status["strikes"] == 3
    appealed = client.post(
        "/v1/guard/appeals", json={"user": "u1", "statement": "a test of our own filter"},
        headers=bearer(key),
    )  # fmt: skip
    assert appealed.status_code == 201
    assert appealed.json()["status"] == "pending"
    again = client.post(
        "/v1/guard/appeals", json={"user": "u1", "statement": "again"}, headers=bearer(key)
    )
    assert again.status_code == 409
    not_banned = client.post(
        "/v1/guard/appeals", json={"user": "u2", "statement": "x"}, headers=bearer(key)
    )
    assert not_banned.status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"prompt": "", "tool": "image", "user": "u1"}, 400, "empty"),
        ({"prompt": "   ", "tool": "image", "user": "u1"}, 400, "empty"),
        ({"prompt": "x" * 100_000, "tool": "image", "user": "u1"}, 413, "10,000"),
        ({"prompt": "a cat", "tool": "hologram", "user": "u1"}, 400, "image, voice, video, text"),
        ({"prompt": "a cat", "tool": "image", "user": "u1", "language": "es"}, 400, "en, nl"),
        ({"prompt": "a cat", "tool": "image"}, 422, "user"),
        ({"prompt": "a cat", "tool": "image", "user": ""}, 422, "user"),
        ({"prompt": "a cat", "tool": "image", "user": "u1", "extra": 1}, 422, "extra"),
    ],
)
def test_bad_input_is_refused_clearly(
    gate: tuple[TestClient, str], db_session: Session, body: dict[str, object], status: int,
    words: str,
) -> None:  # fmt: skip
    client, key = gate
    answer = client.post("/v1/guard/prompt", json=body, headers=bearer(key))
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert words in answer.json()["detail"]
    assert db_session.scalars(select(GuardDecision)).first() is None  # nothing kept


def test_the_admin_page_shows_blocks_and_lifts_a_ban(
    client: TestClient, db_session: Session, staff: Staff
) -> None:
    for _ in range(3):
        client.post("/v1/guard/prompt", json={"prompt": BLOCKED, "tool": "image", "user": "u9"})
    csrf = page_sign_in(client, staff.admin.email)
    page = client.get("/admin/guard")
    assert page.status_code == 200
    assert "Generation gate" in page.text
    assert "u9" in page.text
    assert 'name="client" value="api"' in page.text  # the row names whose user it is
    assert "protected person" in page.text
    assert 'href="/admin/guard"' in page.text
    refused = client.post(
        "/admin/guard/unban", data={"csrf_token": csrf, "user": "u9", "reason": ""}
    )
    assert refused.status_code == 400
    assert "reason" in refused.text
    forged = client.post("/admin/guard/unban", data={"user": "u9", "reason": "forged"})
    assert forged.status_code == 401  # no CSRF token: refused
    lifted = client.post(
        "/admin/guard/unban",
        data={"csrf_token": csrf, "client": "api", "user": "u9", "reason": "our own red team"},
        follow_redirects=False,
    )
    assert lifted.status_code == 303
    assert lifted.headers["location"] == "/admin/guard?done=unbanned"
    ban = db_session.scalars(select(GuardBan).where(GuardBan.user == "u9")).one()
    assert (ban.lifted_by, ban.lift_reason) == (staff.admin.email, "our own red team")
    assert re.search(r"No one is banned", client.get("/admin/guard").text)


def test_a_keys_users_are_its_own(gate: tuple[TestClient, str], db_session: Session) -> None:
    client, key = gate
    _, other = create_key(db_session, "voicegen", ["guard"])
    for _ in range(3):
        client.post(
            "/v1/guard/prompt", json={"prompt": BLOCKED, "tool": "image", "user": "sam"},
            headers=bearer(key),
        )  # fmt: skip
    assert client.get("/v1/guard/users/sam", headers=bearer(key)).json()["banned"] is True
    theirs = client.get("/v1/guard/users/sam", headers=bearer(other)).json()
    assert (theirs["banned"], theirs["strikes"]) == (False, 0)
    answer = client.post(
        "/v1/guard/prompt", json={"prompt": ALLOWED, "tool": "image", "user": "sam"},
        headers=bearer(other),
    ).json()  # fmt: skip
    assert answer["verdict"] == "allow"
    appeal = {"user": "sam", "statement": "not me"}
    assert client.post("/v1/guard/appeals", json=appeal, headers=bearer(other)).status_code == 404
    assert client.post("/v1/guard/appeals", json=appeal, headers=bearer(key)).status_code == 201
    blank = client.get("/v1/guard/users/%20", headers=bearer(key))
    assert blank.status_code == 400


def test_the_admin_page_counts_banned_refusals_and_lists_decided_appeals(
    client: TestClient, db_session: Session, staff: Staff
) -> None:
    for _ in range(5):  # three blocks, then two refusals of a banned user
        client.post("/v1/guard/prompt", json={"prompt": BLOCKED, "tool": "image", "user": "u9"})
    appealed = client.post("/v1/guard/appeals", json={"user": "u9", "statement": "sorry"})
    csrf = page_sign_in(client, staff.admin.email)
    decided = client.post(
        f"/admin/guard/appeals/{appealed.json()['id']}",
        data={"csrf_token": csrf, "decision": "reject", "reason": "deliberate abuse"},
        follow_redirects=False,
    )
    assert decided.status_code == 303
    page = client.get("/admin/guard").text
    blocks = page.split('id="blocks"')[1]
    assert blocks.count('data-label="Time"') == 3  # the refusals are not listed ...
    assert "user banned" not in blocks
    assert "2 in the last 24 hours" in blocks  # ... but counted
    assert "rejected by" in page
    assert "deliberate abuse" in page


def test_a_form_body_is_told_to_be_json(gate: tuple[TestClient, str]) -> None:
    client, key = gate
    # What `curl -d '{...}'` sends: the JSON as a form, without a JSON content type.
    body = '{"prompt": "a cat", "tool": "image", "user": "u1"}'
    headers = {**bearer(key), "Content-Type": "application/x-www-form-urlencoded"}
    answer = client.post("/v1/guard/prompt", content=body, headers=headers)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert "Content-Type: application/json" in answer.json()["detail"]
    assert "application/x-www-form-urlencoded" in answer.json()["detail"]
