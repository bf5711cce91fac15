"""``POST /v1/credentials/verify``: states, this instance's issuers trusted, bad input."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import c2pa
import numpy as np
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from accord.provenance.certificates import IssuerName
from accord.provenance.signing import SourceType
from accord.server.issuers.service import create_issuer, signing_chain
from accord.signals.watermark import read_watermark
from tests import edits
from tests.integration.conftest import SignAsEc
from tests.unit.provenance.test_certificates import sign

MASTER = "the master key of this test instance"


def manifest_json(data: bytes) -> str:
    context = c2pa.Context.from_dict({"verify": {"remote_manifest_fetch": False}})
    with c2pa.Reader("image/jpeg", io.BytesIO(data), context=context) as reader:
        text: str = reader.json()
    return text


def verify(client: TestClient, name: str, content: bytes) -> dict[str, Any]:
    response = client.post("/v1/credentials/verify", files={"file": (name, content)})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_states_and_reasons_for_corpus_files(client: TestClient, corpus: Path) -> None:
    folder = corpus / "c2pa"
    states = {
        name: verify(client, name, (folder / name).read_bytes())["state"]
        for name in ("C.jpg", "XCA.jpg", "cloud.jpg", "no_manifest.jpg", "video1.mp4")
    }
    bmp = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(bmp, "BMP")
    cannot = verify(client, "x.bmp", bmp.getvalue())
    assert (cannot["state"], cannot["headline"]) == (
        "none",
        "BMP files cannot carry Content Credentials.",
    )
    assert states == {
        "C.jpg": "valid",
        "XCA.jpg": "invalid",
        "cloud.jpg": "remote",
        "no_manifest.jpg": "none",
        "video1.mp4": "valid",
    }
    changed = verify(client, "XCA.jpg", (folder / "XCA.jpg").read_bytes())
    assert "assertion.dataHash.mismatch" in {problem["code"] for problem in changed["problems"]}
    assert changed["limits"].startswith("Content Credentials show who signed a file")


def test_this_instances_issuers_are_trusted(
    client: TestClient, db_session: Session, corpus: Path, tmp_path: Path
) -> None:
    issuer = create_issuer(db_session, "ec", IssuerName("Electoral Commission", "EC"), MASTER)
    signed = sign(signing_chain(issuer, MASTER), corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg")
    result = verify(client, "signed.jpg", signed)
    assert result["state"] == "trusted"
    assert result["credential"]["signer"] == "Electoral Commission"


def test_bad_uploads_get_problems(
    client: TestClient, client_with: Callable[..., TestClient], corpus: Path
) -> None:
    for name, content in (
        ("bomb.wav", (corpus / "c2pa" / "riff_bomb_1000.wav").read_bytes()),
        ("empty.jpg", b""),
        ("text.txt", b"just words, not media"),
    ):
        response = client.post("/v1/credentials/verify", files={"file": (name, content)})
        assert 400 <= response.status_code < 500, (name, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert client.post("/v1/credentials/verify").status_code == 422
    small = client_with(max_upload_bytes=1000)
    big = (corpus / "c2pa" / "C.jpg").read_bytes()
    response = small.post("/v1/credentials/verify", files={"file": ("C.jpg", big)})
    assert response.status_code == 413


def test_a_stripped_copy_is_traced_to_its_original(
    client: TestClient, sign_as_ec: SignAsEc, corpus: Path, tmp_path: Path
) -> None:
    photo = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    record, signed = sign_as_ec(photo, "Bridge", SourceType.CAMERA)
    copy = io.BytesIO()
    with Image.open(io.BytesIO(signed.data)) as picture:
        picture.resize((picture.width // 2, picture.height // 2)).save(copy, "JPEG", quality=75)
    result = verify(client, "copy.jpg", copy.getvalue())
    assert result["state"] == "none"
    assert [original["record_id"] for original in result["originals"]] == [record.id]
    assert "“Bridge”, signed by Electoral Commission" in result["headline"]
    intact = verify(client, "signed.jpg", signed.data)
    assert (intact["state"], intact["originals"]) == ("trusted", [])


def test_a_signed_picture_carries_its_records_watermark(
    client: TestClient, sign_as_ec: SignAsEc, corpus: Path
) -> None:
    """The mark names the record in copies no fingerprint finds: cropped and turned."""
    photo = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    record, signed = sign_as_ec(photo, "Bridge", SourceType.CAMERA)
    assert record.watermark == record.id[:16]
    with Image.open(io.BytesIO(signed.data)) as picture:
        reading = read_watermark(np.asarray(picture.convert("RGB")))
        copy = io.BytesIO()
        edits.turned(edits.cropped(picture, 0.1), 2.0).save(copy, "JPEG", quality=70)
    assert reading is not None
    assert reading.payload_hex == record.watermark
    manifest = json.loads(manifest_json(signed.data))
    active = manifest["manifests"][manifest["active_manifest"]]
    actions = next(a for a in active["assertions"] if a["label"].startswith("c2pa.actions"))
    assert "c2pa.watermarked" in [action["action"] for action in actions["data"]["actions"]]
    bindings = [a["data"] for a in active["assertions"] if a["label"] == "c2pa.soft-binding"]
    value = base64.b64encode(bytes.fromhex(record.id[:16])).decode()
    assert {"alg": "org.accord.watermark.1", "blocks": [{"scope": {}, "value": value}]} in bindings

    result = verify(client, "copy.jpg", copy.getvalue())
    assert result["state"] == "none"
    assert result["watermark"]["record_id"] == record.id
    assert record.id in [original["record_id"] for original in result["originals"]]
    assert "signed by Electoral Commission" in result["headline"]


def test_an_edit_of_a_file_signed_here_names_it_as_its_parent(
    client: TestClient, sign_as_ec: SignAsEc, corpus: Path, tmp_path: Path
) -> None:
    bridge = corpus / "pdq" / "bridge-mods"
    original, signed = sign_as_ec(bridge / "aaa-orig.jpg", "Bridge", SourceType.CAMERA)
    # An edit made from the unsigned original: the registry finds it by its fingerprint.
    brighter, _ = sign_as_ec(
        bridge / "high-contrast.jpg", "Bridge, more contrast", SourceType.HUMAN_EDITS
    )
    # A crop of the signed picture: its watermark names the original, and it keeps it.
    cropped = tmp_path / "cropped.jpg"
    with Image.open(io.BytesIO(signed.data)) as picture:
        edits.cropped(picture, 0.1).save(cropped, quality=90)
    crop, crop_signed = sign_as_ec(cropped, "Bridge, cropped", SourceType.HUMAN_EDITS)
    assert (brighter.parent_id, crop.parent_id) == (original.id, original.id)
    assert crop.watermark is None
    manifest = json.loads(manifest_json(crop_signed.data))
    active = manifest["manifests"][manifest["active_manifest"]]
    [ingredient] = active["ingredients"]
    assert (ingredient["relationship"], ingredient["active_manifest"]) == (
        "parentOf",
        original.manifest_label,
    )
    actions = next(a for a in active["assertions"] if a["label"].startswith("c2pa.actions"))
    assert [a["action"] for a in actions["data"]["actions"]] == ["c2pa.opened", "c2pa.edited"]
    shown = verify(client, "crop.jpg", crop_signed.data)
    assert shown["state"] == "trusted"
    assert shown["credential"]["ingredients"][0]["title"] == "Bridge"
    again, _ = sign_as_ec(bridge / "aaa-orig.jpg", "Again", SourceType.CAMERA)
    assert again.parent_id is None  # the same bytes signed twice: not an edit


def test_tracing_a_file_accord_cannot_decode_keeps_its_verification(
    client: TestClient, corpus: Path
) -> None:
    result = verify(client, "dashinit.mp4", (corpus / "c2pa" / "dashinit.mp4").read_bytes())
    assert (result["state"], result["originals"], result["watermark"]) == ("invalid", [], None)


def test_sign_over_http_returns_the_signed_copy(
    client: TestClient, db_session: Session, corpus: Path
) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    create_issuer(
        db_session, "ec", IssuerName("Electoral Commission", "EC"),
        runtime.settings.master_key.get_secret_value(),
    )  # fmt: skip
    photo = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    response = client.post(
        "/v1/credentials/sign",
        files={"file": ("bridge photo.jpg", photo.read_bytes())},
        data={"issuer": "ec", "source_type": "trainedAlgorithmicMedia", "title": "Bridge"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["x-accord-timestamped"] == "false"
    # Named as ``accord sign`` names it.
    assert 'filename="bridge_photo.signed.jpg"' in response.headers["content-disposition"]
    record = response.headers["x-accord-record"]
    assert response.headers["x-accord-watermark"] == record[:16]
    assert "x-accord-parent" not in response.headers
    result = verify(client, "signed.jpg", response.content)
    assert result["state"] == "trusted"
    assert result["credential"]["source_types"] == ["trainedAlgorithmicMedia"]
    assert result["credential"]["title"] == "Bridge"
    copy = io.BytesIO()
    with Image.open(io.BytesIO(response.content)) as picture:
        picture.save(copy, "JPEG", quality=80)
    assert [o["record_id"] for o in verify(client, "c.jpg", copy.getvalue())["originals"]] == [
        record
    ]

    for data, status in (
        ({"issuer": "nobody"}, 404),
        ({"issuer": "ec", "source_type": "painting"}, 400),
        ({}, 422),
    ):
        refused = client.post(
            "/v1/credentials/sign", files={"file": ("p.jpg", photo.read_bytes())}, data=data
        )
        assert refused.status_code == status, (data, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
    bmp = io.BytesIO()
    Image.new("RGB", (32, 32)).save(bmp, "BMP")
    refused = client.post(
        "/v1/credentials/sign", files={"file": ("x.bmp", bmp.getvalue())}, data={"issuer": "ec"}
    )
    assert (refused.status_code, refused.json()["detail"]) == (415, "c2pa cannot sign bmp files")
    bomb = (corpus / "c2pa" / "nested_moov_1000.mp4").read_bytes()
    refused = client.post(
        "/v1/credentials/sign", files={"file": ("x.mp4", bomb)}, data={"issuer": "ec"}
    )
    assert refused.status_code == 422
