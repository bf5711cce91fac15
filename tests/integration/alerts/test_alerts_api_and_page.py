"""``/v1/alerts`` and ``/admin/alerts``: admins manage the recipients and see the incidents
and the audit trail of each change; others are refused."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.server.alerts.service import evaluate
from accord.server.cases.models import Case
from accord.server.db.base import utc_now
from tests.integration.notice_action import Staff, runtime_of, sign_in


def test_admins_add_list_and_remove_recipients_and_see_incidents(
    client: TestClient, db_session: Session, staff: Staff
) -> None:
    headers = sign_in(client, staff.admin)
    refused = client.post("/v1/alerts/recipients", json={"address": "nope"}, headers=headers)
    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/problem+json"
    assert "neither an email address nor an http(s) URL" in refused.json()["detail"]
    added = client.post(
        "/v1/alerts/recipients",
        json={"address": "https://pager.example/hook", "events": ["sla_breach"]},
        headers=headers,
    )
    assert added.status_code == 201, added.text
    assert added.json()["created_by"] == staff.admin.email
    assert len(added.json()["secret"]) == 64
    listed = client.get("/v1/alerts/recipients", headers=headers).json()["recipients"]
    assert [r["address"] for r in listed] == ["https://pager.example/hook"]
    assert "secret" not in listed[0]

    db_session.add(Case(reference="C-LATE01", due_at=utc_now() - timedelta(hours=2)))
    db_session.flush()
    evaluate(db_session, runtime_of(client).settings, utc_now())
    incidents = client.get("/v1/alerts/incidents", headers=headers).json()["incidents"]
    assert [(i["kind"], i["key"], i["resolved_at"]) for i in incidents] == [
        ("sla_breach", "C-LATE01", None)
    ]
    page = client.get("/admin/alerts")
    assert page.status_code == 200
    assert "https://pager.example/hook" in page.text
    assert "C-LATE01 is past its review deadline" in page.text
    assert f"user:{staff.admin.email}" in page.text  # the audit trail names who added it

    recipient = listed[0]["id"]
    assert client.delete(f"/v1/alerts/recipients/{recipient}", headers=headers).status_code == 204
    assert client.get("/v1/alerts/recipients", headers=headers).json()["recipients"] == []
    gone = client.delete(f"/v1/alerts/recipients/{recipient}", headers=headers)
    assert gone.status_code == 404
    assert "(removed)" in client.get("/admin/alerts").text


def test_only_admins_manage_alerts(client: TestClient, staff: Staff) -> None:
    assert client.get("/v1/alerts/incidents").status_code == 401
    headers = sign_in(client, staff.reviewer)
    assert client.get("/v1/alerts/recipients", headers=headers).status_code == 403
    assert client.get("/admin/alerts").status_code == 403
