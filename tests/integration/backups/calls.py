"""What the backup tests do through the service's API, as its users would."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from accord.server.notices.router import NOTICE_TOKEN_HEADER

#: Photos of different scenes: each matches its own bank entry.
LABELME = Path("pdq") / "reg-test-input" / "labelme-subset"


def bank_file(api: TestClient, path: Path) -> int:
    with path.open("rb") as handle:
        response = api.post("/v1/banks/FAKES/entries/file", files={"file": (path.name, handle)})
    assert response.status_code == 201, response.text
    entry_id: int = response.json()["id"]
    return entry_id


def file_notice(api: TestClient, path: Path, number: int) -> tuple[str, str]:
    """A notice from the public about ``path``: its tracking number and status token."""
    response = api.post(
        "/v1/notices",
        data={
            "reason": "deceptive_ai_content",
            "explanation": f"A fake picture of the candidate, number {number}.",
            "good_faith": "true",
            "notifier_name": "A. Voter",
            "notifier_email": "voter@example.org",
        },
        files={"file": (path.name, path.read_bytes(), "image/jpeg")},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return body["tracking_number"], body["status_token"]


def tracked(api: TestClient, tracking_number: str, token: str) -> dict[str, object]:
    response = api.get(f"/v1/notices/{tracking_number}", headers={NOTICE_TOKEN_HEADER: token})
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def matched_entries(api: TestClient, path: Path) -> set[int]:
    with path.open("rb") as handle:
        response = api.post(
            "/v1/match",
            files={"file": (path.name, handle)},
            data={"options": json.dumps({"second_stage": False})},
        )
    assert response.status_code == 200, response.text
    return {match["entry_id"] for match in response.json()["matches"]}
