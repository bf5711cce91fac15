"""The bank API: banks, entries from signals and files, bulk import and export."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from fastapi.testclient import TestClient

BRIDGE_PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
OTHER_PDQ = "0" * 64


def make_bank(client: TestClient, name: str = "DEEPFAKES", **fields: object) -> dict[str, object]:
    response = client.post("/v1/banks", json={"name": name, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_bank_lifecycle(client: TestClient) -> None:
    created = make_bank(
        client,
        kind="allow",
        owner="Electoral Commission",
        marking="TLP:GREEN",
        thresholds={"pdq": 20},
        enabled_ratio=0.5,
    )
    assert created["kind"] == "allow"
    assert created["thresholds"] == {"pdq": 20.0}
    assert created["entries"] == 0
    assert [bank["name"] for bank in client.get("/v1/banks").json()] == ["DEEPFAKES"]

    changed = client.patch("/v1/banks/DEEPFAKES", json={"name": "BENIGN", "enabled": False})
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "BENIGN"
    assert changed.json()["enabled"] is False
    assert client.get("/v1/banks/DEEPFAKES").status_code == 404
    assert client.delete("/v1/banks/BENIGN").status_code == 204
    assert client.get("/v1/banks").json() == []


def test_bank_errors_are_problems(client: TestClient) -> None:
    bad_name = client.post("/v1/banks", json={"name": "lower case"})
    assert bad_name.status_code == 400
    assert bad_name.headers["content-type"].startswith("application/problem+json")
    make_bank(client)
    duplicate = client.post("/v1/banks", json={"name": "DEEPFAKES"})
    assert duplicate.status_code == 409
    unknown_type = client.post("/v1/banks", json={"name": "X", "thresholds": {"nope": 3}})
    assert unknown_type.status_code == 400
    bad_ratio = client.post("/v1/banks", json={"name": "Y", "enabled_ratio": 2})
    assert bad_ratio.status_code == 422
    assert client.get("/v1/banks/MISSING").json()["code"] == "request.not_found"


def test_entry_from_signals(client: TestClient) -> None:
    make_bank(client)
    response = client.post(
        "/v1/banks/DEEPFAKES/entries",
        json={
            "signals": {"pdq": BRIDGE_PDQ.upper()},
            "labels": ["deepfake", "candidate-a"],
            "case_reference": "CASE-1",
            "platform_content_id": "post/123",
            "metadata": {"reach": 1200},
        },
    )
    assert response.status_code == 201, response.text
    entry = response.json()
    assert entry["signals"] == {"pdq": BRIDGE_PDQ}  # normalised
    assert entry["labels"] == ["deepfake", "candidate-a"]
    assert entry["source"] == "api"
    fetched = client.get(f"/v1/banks/DEEPFAKES/entries/{entry['id']}").json()
    assert fetched == entry
    disabled = client.patch(
        f"/v1/banks/DEEPFAKES/entries/{entry['id']}",
        json={"disabled_until": "2030-01-01T00:00:00Z", "note": "under appeal"},
    )
    assert disabled.json()["disabled_until"].startswith("2030-01-01")
    assert disabled.json()["note"] == "under appeal"
    assert client.delete(f"/v1/banks/DEEPFAKES/entries/{entry['id']}").status_code == 204
    assert client.get(f"/v1/banks/DEEPFAKES/entries/{entry['id']}").status_code == 404


def test_invalid_signals_are_refused(client: TestClient) -> None:
    make_bank(client)
    for signals in ({"pdq": "xyz"}, {"unknown": "abc"}, {}):
        response = client.post("/v1/banks/DEEPFAKES/entries", json={"signals": signals})
        assert response.status_code in {400, 422}, signals
    assert client.get("/v1/banks/DEEPFAKES").json()["entries"] == 0


def test_entry_from_file_keeps_reliable_signals(client: TestClient, corpus: Path) -> None:
    make_bank(client)
    with (corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg").open("rb") as handle:
        response = client.post(
            "/v1/banks/DEEPFAKES/entries/file",
            files={"file": ("aaa-orig.jpg", handle, "image/jpeg")},
            data={"fields": json.dumps({"labels": ["bridge"], "note": "seed"})},
        )
    assert response.status_code == 201, response.text
    entry = response.json()
    assert entry["signals"]["pdq"] == BRIDGE_PDQ
    assert {"sha256", "md5", "pdq"} <= set(entry["signals"])
    assert entry["metadata"]["filename"] == "aaa-orig.jpg"
    assert entry["source"] == "upload"


def test_flat_picture_banks_no_weak_pdq(client: TestClient, corpus: Path) -> None:
    make_bank(client)
    flat = corpus / "pdq" / "reg-test-input" / "labelme-subset" / "q0003.jpg"
    with flat.open("rb") as handle:
        response = client.post("/v1/banks/DEEPFAKES/entries/file", files={"file": handle})
    assert response.status_code == 201, response.text
    assert "pdq" not in response.json()["signals"]


def test_import_reports_bad_lines_and_keeps_good_ones(client: TestClient) -> None:
    make_bank(client)
    lines = [
        json.dumps({"signals": {"pdq": BRIDGE_PDQ}, "labels": ["a"]}),
        "not json",
        json.dumps({"signals": {"pdq": "zz"}}),
        json.dumps({"signals": {"md5": "d41d8cd98f00b204e9800998ecf8427e"}, "note": "n"}),
    ]
    response = client.post(
        "/v1/banks/DEEPFAKES/import",
        files={"file": ("bank.jsonl", "\n".join(lines).encode())},
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["added"] == 2
    assert report["rejected"] == 2
    assert [error["line"] for error in report["errors"]] == [2, 3]


def test_export_and_reimport_in_every_format(client: TestClient) -> None:
    make_bank(client)
    client.post(
        "/v1/banks/DEEPFAKES/entries",
        json={"signals": {"pdq": BRIDGE_PDQ, "md5": "d41d8cd98f00b204e9800998ecf8427e"}},
    )
    client.post(
        "/v1/banks/DEEPFAKES/entries", json={"signals": {"pdq": OTHER_PDQ}, "labels": ["x"]}
    )
    for file_format in ("jsonl", "csv", "hma"):
        exported = client.get(f"/v1/banks/DEEPFAKES/export?format={file_format}")
        assert exported.status_code == 200
        name = f"COPY_{file_format.upper()}"
        make_bank(client, name)
        imported = client.post(
            f"/v1/banks/{name}/import?format={file_format}",
            files={"file": ("export", exported.content)},
        ).json()
        # The HMA format has one signal per line, so each signal is one entry there.
        assert imported == {
            "added": 3 if file_format == "hma" else 2,
            "rejected": 0,
            "errors": [],
        }
    rows = list(
        csv.DictReader(io.StringIO(client.get("/v1/banks/DEEPFAKES/export?format=csv").text))
    )
    assert {row["signal_type"] for row in rows} == {"pdq", "md5"}
    hma = client.get("/v1/banks/DEEPFAKES/export?format=hma").text.splitlines()
    assert f"pdq {BRIDGE_PDQ}" in hma
    assert "video_md5 d41d8cd98f00b204e9800998ecf8427e" in hma


def test_threatexchange_dataset_csv_imports(client: TestClient) -> None:
    make_bank(client)
    text = (
        "signal_type,signal_str,collab,category,tags\r\n"
        f"pdq,{BRIDGE_PDQ},TX,TRUE_POSITIVE,deepfake election\r\n"
    )
    report = client.post(
        "/v1/banks/DEEPFAKES/import?format=csv", files={"file": ("tx.csv", text.encode())}
    ).json()
    assert report["added"] == 1
    entry = client.get("/v1/banks/DEEPFAKES/entries").json()[0]
    assert entry["labels"] == ["deepfake", "election"]


def test_import_refuses_non_utf8(client: TestClient) -> None:
    make_bank(client)
    response = client.post(
        "/v1/banks/DEEPFAKES/import?format=hma", files={"file": ("x", b"pdq \xff\xfe\n")}
    )
    assert response.status_code == 400
    assert "UTF-8" in response.json()["detail"]
