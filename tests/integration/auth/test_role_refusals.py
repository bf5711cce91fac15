"""A signed-in person refused for their role reads who may, in words; an API key refused
for its scope still reads about its scope."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.server.auth.keys import create_key
from tests.integration.notice_action import Staff
from tests.integration.portal.test_portal_pages import page_sign_in


def test_a_reviewer_opening_the_admin_pages_reads_who_may(client: TestClient, staff: Staff) -> None:
    page_sign_in(client, staff.reviewer.email)
    refused = client.get("/admin")
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    html = refused.text
    assert "API key" not in html
    assert "<h1>Not allowed</h1>" in html
    assert "Only administrators may open this page; you are signed in as a reviewer." in html
    page_sign_in(client, staff.candidate.email)
    queue = client.get("/review")
    assert queue.status_code == 403
    assert "you are signed in as a protected person" in queue.text
    readers = "reviewers, senior reviewers, administrators and auditors"
    assert f"Only {readers} may open this page" in queue.text


def test_the_api_says_not_allowed_to_people_and_names_the_scope_to_keys(
    client: TestClient,
    client_with: Callable[..., TestClient],
    staff: Staff,
    db_session: Session,
) -> None:
    page_sign_in(client, staff.reviewer.email)
    refused = client.get("/v1/transparency", params={"from": "2026-01-01", "to": "2026-01-31"})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert (problem["code"], problem["title"]) == ("auth.forbidden", "Not allowed")
    assert problem["detail"] == (
        "only administrators and auditors may do this; you are signed in as a reviewer"
    )

    keyed = client_with(require_api_keys=True)
    _, matcher = create_key(db_session, "platform", ["match"])
    scoped = keyed.post("/v1/banks", json={"name": "B"}, headers={"X-API-Key": matcher})
    assert scoped.status_code == 403
    problem = scoped.json()
    assert (problem["code"], problem["title"]) == ("auth.forbidden", "API key lacks a scope")
    assert problem["detail"] == "the API key 'platform' lacks the 'curate' scope"
