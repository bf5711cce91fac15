"""The portal's pages over HTTP: every page answers HTML with the security headers, forms
need their CSRF token, errors come back as pages, and each role sees its own pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.accounts import service as accounts
from accord.server.cases.models import Case
from accord.server.page_security import CONTENT_SECURITY_POLICY
from tests.authenticator import code_for
from tests.integration.notice_action import (
    PASSWORD,
    Staff,
    messages,
    runtime_of,
    sign_out,
    triage,
)
from tests.integration.notices.test_notices_api import bridge


def page_sign_in(client: TestClient, email: str) -> str:
    """Sign in through the login page (and its code step, the authenticator set up first
    where the role needs one); the CSRF token its forms carry."""
    client.base_url = client.base_url.copy_with(scheme="https")
    client.cookies.clear()
    runtime = runtime_of(client)
    with runtime.sessions() as session:
        user = accounts.find_user(session, email)
        code = code_for(session, user, runtime.settings.master_key.get_secret_value())
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "next": "/"})
    if code is not None:
        assert answer.url.path == "/login/code", answer.text
        form = {"csrf_token": csrf_of(answer.text), "code": code, "next": "/"}
        answer = client.post("/login/code", data=form)
    assert answer.status_code == 200, answer.text  # followed the redirect
    return csrf_of(answer.text)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)


def report(client: TestClient, media: Path, **fields: str) -> Any:
    form = {
        "reason": "deceptive_ai_content",
        "explanation": "A fake picture of the candidate at a rally that never happened.",
        "good_faith": "yes",
        "notifier_name": "A. Voter",
        "notifier_email": "voter@example.org",
        "url": "https://videoshare.example/v/1",
    } | fields
    files = {"file": (media.name, media.read_bytes(), "image/jpeg")}
    return client.post("/report", data=form, files=files)


def test_public_pages_answer_html_with_the_security_headers(client: TestClient) -> None:
    for path in ("/", "/login", "/report", "/track", "/appeal"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "<label" in page.text or path == "/"


def test_anyone_reports_and_follows_the_report_on_pages(client: TestClient, corpus: Path) -> None:
    sent = report(client, bridge(corpus))
    assert sent.status_code == 201, sent.text
    tracking = re.search(r'id="tracking-number">([^<]+)<', sent.text)
    token = re.search(r'id="status-token">([^<]+)<', sent.text)
    assert tracking is not None
    assert token is not None
    shown = client.post("/track", data={"tracking_number": tracking[1], "token": token[1]})
    assert shown.status_code == 200
    assert "Received" in shown.text
    wrong = client.post("/track", data={"tracking_number": tracking[1], "token": "guess"})
    assert wrong.status_code == 404
    assert 'role="alert"' in wrong.text


def test_a_bad_report_shows_the_form_again_with_the_reason(
    client: TestClient, corpus: Path
) -> None:
    refused = report(client, bridge(corpus), good_faith="")
    assert refused.status_code == 400
    assert "good faith" in refused.text
    assert "A fake picture of the candidate" in refused.text  # what they wrote is kept


def test_review_pages_send_visitors_to_sign_in_and_refuse_other_roles(
    client: TestClient, staff: Staff
) -> None:
    sign_out(client)
    visitor = client.get("/review", follow_redirects=False)
    assert visitor.status_code == 303
    assert visitor.headers["location"] == "/login?next=/review"
    page_sign_in(client, staff.candidate.email)
    refused = client.get("/review")
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")


def test_a_reviewer_decides_on_the_case_page_and_a_senior_hears_the_appeal(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    report(client, bridge(corpus), platform="videoshare", platform_content_id="v-1")
    triage(client)
    case = db_session.scalar(select(Case))
    assert case is not None
    csrf = page_sign_in(client, staff.reviewer.email)
    queue = client.get("/review")
    assert case.reference in queue.text
    rows = client.get("/review", headers={"HX-Request": "true"})
    assert "<html" not in rows.text  # htmx gets the rows only
    assert case.reference in rows.text
    page = client.get(f"/review/cases/{case.reference}")
    assert "What triage found" in page.text
    picture = client.get(f"/review/cases/{case.reference}/picture")
    assert picture.headers["content-type"] == "image/jpeg"
    decision = {
        "csrf_token": csrf,
        "action": "remove",
        "ground": "incompatible",
        "ground_text": "Terms 4.2: deceptive synthetic media",
        "explanation": "The rally never took place; the picture is generated.",
    }
    forged = client.post(
        f"/review/cases/{case.reference}/decision", data=decision | {"csrf_token": "0" * 64}
    )
    assert forged.status_code == 401
    missing = client.post(
        f"/review/cases/{case.reference}/decision", data=decision | {"ground_text": ""}
    )
    assert missing.status_code == 400
    assert "name the terms clause or the law" in missing.text
    decided = client.post(f"/review/cases/{case.reference}/decision", data=decision)
    assert decided.status_code == 200, decided.text
    assert "reversed on appeal" not in decided.text
    assert [m.event for m in messages(db_session, "content.")] == ["content.remove"]
    token = messages(db_session, "content.")[0].payload["appeal"]["token"]
    sign_out(client)
    status = client.get("/appeal", params={"token": token})  # the uploader's status page
    assert "Removed" in status.text
    assert "The rally never took place" in status.text
    assert client.get("/appeal", params={"token": "forged"}).status_code == 404
    filed = client.post(
        "/appeal",
        data={"token": token, "reason": "It is satire, and says so.", "contact_email": "u@x.org"},
    )
    assert filed.status_code == 201
    assert "Your appeal is received" in filed.text
    reference = re.search(r"(A-[0-9A-Z]{8}) · <span", filed.text)
    assert reference is not None
    csrf = page_sign_in(client, staff.senior.email)
    assert reference[1] in client.get("/review/appeals").text
    outcome = {
        "csrf_token": csrf,
        "outcome": "reversed",
        "reasons": "Labelled as satire throughout.",
    }
    heard = client.post(f"/review/appeals/{reference[1]}/decision", data=outcome)
    assert heard.status_code == 200
    assert 'id="appeal-status">Reversed: the decision is undone<' in heard.text
    assert [m.event for m in messages(db_session, "content.")] == [
        "content.remove",
        "content.restore",
    ]


def test_a_form_posting_too_much_gets_a_page_and_the_api_a_problem(
    client_with: Callable[..., TestClient], corpus: Path
) -> None:
    client = client_with(max_upload_bytes=1000)
    page = client.post(
        "/report",
        files={"file": ("big.jpg", bridge(corpus).read_bytes(), "image/jpeg")},
        headers={"Accept": "text/html"},
    )
    assert page.status_code == 413
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "File too large" in page.text
    api = client.post(
        "/v1/notices",
        files={"file": ("big.jpg", bridge(corpus).read_bytes(), "image/jpeg")},
        headers={"Accept": "text/html"},
    )
    assert api.status_code == 413
    assert api.headers["content-type"] == "application/problem+json"
