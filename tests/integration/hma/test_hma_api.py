"""HMA 2.x endpoints answer with HMA's shapes, so an HMA client works unchanged."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from tests.integration.banks.test_banks_api import BRIDGE_PDQ

MD5 = "d41d8cd98f00b204e9800998ecf8427e"


def test_status_endpoints(client: TestClient) -> None:
    # The client runs the app's lifespan: the index syncer loads the (empty) indices.
    deadline = time.monotonic() + 60  # a liveness bound: a busy machine loads slowly
    while client.get("/status").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    response = client.get("/status")
    assert (response.status_code, response.text) == (200, "I-AM-ALIVE")
    assert client.get("/status/live").status_code == 200


def test_status_before_the_first_sync(client_with: Callable[..., TestClient]) -> None:
    response = client_with().get("/status")  # no lifespan, so nothing has synced
    assert (response.status_code, response.text) == (503, "INDEX-NOT-LOADED")
    assert client_with().get("/status/live").status_code == 200


def test_bank_endpoints(client: TestClient) -> None:
    assert client.get("/c/banks").json() == []
    created = client.post("/c/banks", json={"name": "MY_BANK"})
    assert created.status_code == 201
    assert created.json() == {"matching_enabled_ratio": 1.0, "name": "MY_BANK"}
    # HMA's quirk: ``enabled`` only counts when ``enabled_ratio`` is sent as null.
    assert client.post("/c/banks", json={"name": "QUIRK", "enabled": False}).json() == {
        "matching_enabled_ratio": 1.0,
        "name": "QUIRK",
    }
    assert (
        client.post(
            "/c/banks", json={"name": "OFF", "enabled_ratio": None, "enabled": False}
        ).json()["matching_enabled_ratio"]
        == 0.0
    )
    assert client.post("/c/banks", json={"name": "MY_BANK"}).json() == {
        "message": "Bank already exists"
    }
    bad = client.post("/c/banks", json={"name": "my_bank"})
    assert (bad.status_code, bad.json()) == (
        400,
        {"message": "Bank names must be UPPER_WITH_UNDERSCORE"},
    )
    assert client.post("/c/banks", json={}).status_code == 422
    assert client.post("/c/banks", content=b"x").status_code == 415

    assert client.get("/c/bank/MY_BANK").json() == {
        "matching_enabled_ratio": 1.0,
        "name": "MY_BANK",
    }
    missing = client.get("/c/bank/NOPE")
    assert (missing.status_code, missing.json()) == (404, {"message": "bank 'NOPE' not found"})
    renamed = client.put("/c/bank/MY_BANK", json={"name": "RENAMED", "enabled": False})
    assert renamed.json() == {"matching_enabled_ratio": 0.0, "name": "RENAMED"}
    assert client.put("/c/bank/RENAMED", json={"name": "QUIRK"}).status_code == 403
    assert client.delete("/c/bank/RENAMED").json() == {"message": "Done"}
    assert client.delete("/c/bank/RENAMED").json() == {"message": "Done"}


def test_content_endpoints(client: TestClient, corpus: Path) -> None:
    client.post("/c/banks", json={"name": "B"})
    photo = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    with photo.open("rb") as handle:
        added = client.post(
            "/c/bank/B/content",
            files={"photo": ("aaa-orig.jpg", handle, "image/jpeg")},
            data={
                "metadata": json.dumps({"content_id": "abc", "json": {"k": 1}}),
                "note": "first",
            },
        )
    assert added.status_code == 200, added.text
    content_id = added.json()["id"]
    assert added.json() == {"id": content_id, "signals": {"pdq": BRIDGE_PDQ}}

    got = client.get(f"/c/bank/B/content/{content_id}?include_signals=true").json()
    assert got == {
        "bank": {"matching_enabled_ratio": 1.0, "name": "B"},
        "disable_until_ts": 1,
        "id": content_id,
        "metadata": {"collab": None, "content_id": "abc", "content_uri": None, "json": {"k": 1}},
        "note": "first",
        "original_media_uri": None,
        "signals": {"pdq": BRIDGE_PDQ},
    }
    put = client.put(f"/c/bank/B/content/{content_id}", json={"disable_until_ts": 0})
    assert put.json()["disable_until_ts"] == 0
    future = int(time.time()) + 3600
    put = client.put(f"/c/bank/B/content/{content_id}", json={"disable_until_ts": future})
    assert put.json()["disable_until_ts"] == future
    too_far = client.put(f"/c/bank/B/content/{content_id}", json={"disable_until_ts": 2**40})
    assert too_far.json() == {"message": "disable_until_ts must be less than 5 years in the future"}

    raw = client.post("/c/bank/B/signal", json={"pdq": BRIDGE_PDQ, "video_md5": MD5.upper()})
    assert raw.status_code == 200
    assert raw.json()["signals"] == {"pdq": BRIDGE_PDQ, "video_md5": MD5}
    assert client.post("/c/bank/B/signal", json={"nope": "x"}).json() == {
        "message": "No such signal type nope"
    }
    assert client.post("/c/bank/B/signal", json={}).json() == {"message": "No signals given"}
    assert client.post("/c/bank/B/content").json() == {
        "message": "Neither `url` nor multipart file upload was received"
    }
    assert client.delete(f"/c/bank/B/content/{content_id}").json() == {"deleted": 1}
    assert client.delete(f"/c/bank/B/content/{content_id}").json() == {"deleted": 0}
    assert client.get(f"/c/bank/B/content/{content_id}").status_code == 404


def test_lookup_endpoints(client: TestClient, corpus: Path) -> None:
    client.post("/c/banks", json={"name": "B"})
    client.post("/c/banks", json={"name": "OFF"})
    content_id = client.post("/c/bank/B/signal", json={"pdq": BRIDGE_PDQ}).json()["id"]
    off_id = client.post("/c/bank/OFF/signal", json={"pdq": BRIDGE_PDQ}).json()["id"]
    client.put("/c/bank/OFF", json={"enabled": False})

    found = client.get(f"/m/lookup?signal_type=pdq&signal={BRIDGE_PDQ}")
    assert found.json() == {"B": [{"bank_content_id": content_id, "distance": "0"}]}
    assert client.get("/m/lookup?signal_type=pdq&signal=" + "0" * 64).json() == {}
    assert client.get("/m/lookup?signal_type=nope&signal=x").json() == {
        "message": "No such SignalType 'nope'"
    }
    assert client.get("/m/lookup").status_code == 400

    raw = client.get(f"/m/raw_lookup?signal_type=pdq&signal={BRIDGE_PDQ}").json()
    assert sorted(raw["matches"]) == sorted([content_id, off_id])
    with_distance = client.get(
        f"/m/raw_lookup?signal_type=pdq&signal={BRIDGE_PDQ}&include_distance=true"
    ).json()
    assert {"bank_content_id": content_id, "distance": "0"} in with_distance["matches"]

    photo = corpus / "pdq" / "bridge-mods" / "blur-a-little.jpg"
    with photo.open("rb") as handle:
        posted = client.post("/m/lookup", files={"photo": handle})
    assert posted.status_code == 200, posted.text
    assert list(posted.json()["pdq"]) == ["B"]
    assert posted.json()["pdq"]["B"][0]["bank_content_id"] == content_id

    status = client.get("/m/index/status").json()
    assert status["pdq"]["present"] is True
    assert status["pdq"]["size"] == 2
    assert set(status["pdq"]) == {"built_to", "present", "size"}
    assert client.get("/m/index/status?signal_type=nope").status_code == 400


def test_compare(client: TestClient) -> None:
    flipped = f"{int(BRIDGE_PDQ, 16) ^ 0x1FF:064x}"
    answer = client.post("/m/compare", json={"pdq": [BRIDGE_PDQ, flipped]}).json()
    assert answer == {"pdq": [True, {"distance": 9}]}
    assert client.post("/m/compare", json={"pdq": [BRIDGE_PDQ]}).json() == {
        "message": "Comparison hash list length must be exactly 2"
    }
    assert client.post("/m/compare", json=[1]).json() == {"message": "Request input was not a dict"}
    assert client.post("/m/compare", json={"pdq": "x"}).status_code == 400
