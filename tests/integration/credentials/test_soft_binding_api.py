"""The C2PA Soft Binding Resolution API: by binding, by content, manifests, algorithms."""

from __future__ import annotations

import base64
import io
from dataclasses import replace
from pathlib import Path

import c2pa
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pydantic import SecretStr
from sqlalchemy.orm import Session

from accord.provenance.certificates import IssuerName
from accord.provenance.signing import SourceType
from accord.server.credentials.models import ProvenanceRecord
from accord.server.credentials.service import Signing, revoke_record, sign_for_issuer
from accord.server.issuers.service import create_issuer
from accord.signals.pdq import pdq_of_pixels
from tests import edits

MASTER = "the master key of this test instance"
#: The PDQ of the bridge photo; its signed copy carries a watermark, a bit or two away.
BRIDGE_PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


@pytest.fixture
def signed(client: TestClient, db_session: Session, corpus: Path) -> tuple[ProvenanceRecord, bytes]:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    settings = runtime.settings.model_copy(update={"master_key": SecretStr(MASTER)})
    create_issuer(db_session, "ec", IssuerName("Electoral Commission", "EC"), MASTER)
    record, result = sign_for_issuer(
        replace(runtime, settings=settings),
        db_session,
        corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg",
        Signing("ec", SourceType.CAMERA, "Bridge"),
    )
    return record, result.data


def binding(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def signed_pdq(data: bytes) -> str:
    with Image.open(io.BytesIO(data)) as picture:
        value, _ = pdq_of_pixels(np.asarray(picture.convert("RGB")))
    return value


def test_supported_algorithms(client: TestClient) -> None:
    body = client.get("/services/supportedAlgorithms").json()
    assert body["watermarks"] == [{"alg": "org.accord.watermark.1"}]
    assert {"alg": "org.accord.pdq.1"} in body["fingerprints"]


def test_by_binding_get_and_post(
    client: TestClient, signed: tuple[ProvenanceRecord, bytes]
) -> None:
    record, data = signed
    exact = signed_pdq(data)
    near = f"{int(exact, 16) ^ 0xF:064x}"  # 4 bits away
    response = client.get(
        "/matches/byBinding", params={"alg": "org.accord.pdq.1", "value": binding(near)}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "matches": [{"manifestId": record.manifest_label, "similarityScore": 98}]
    }
    posted = client.post(
        "/matches/byBinding", json={"alg": "org.accord.pdq.1", "value": binding(exact)}
    )
    assert posted.json()["matches"][0]["similarityScore"] == 100
    far = client.get(
        "/matches/byBinding", params={"alg": "org.accord.pdq.1", "value": binding("0" * 64)}
    )
    assert far.json() == {"matches": []}


def test_by_content_then_the_manifest_validates_the_stripped_copy(
    client: TestClient, signed: tuple[ProvenanceRecord, bytes]
) -> None:
    record, data = signed
    copy = io.BytesIO()
    with Image.open(io.BytesIO(data)) as picture:
        picture.save(copy, "JPEG", quality=85)  # stripped and re-encoded
    response = client.post(
        "/matches/byContent", content=copy.getvalue(), headers={"content-type": "image/jpeg"}
    )
    assert response.status_code == 200, response.text
    [match] = response.json()["matches"]
    assert match["manifestId"] == record.manifest_label
    manifest = client.get(f"/manifests/{match['manifestId']}")
    assert manifest.headers["content-type"] == "application/c2pa"
    # The manifest travels without the file: checked against the original bytes, it holds;
    # against the re-encoded copy, the content no longer matches what was signed.
    context = c2pa.Context.from_dict({"verify": {"remote_manifest_fetch": False}})
    with c2pa.Reader("image/jpeg", io.BytesIO(data), manifest.content, context=context) as reader:
        assert reader.get_validation_state() in ("Valid", "Trusted")
    with c2pa.Reader(
        "image/jpeg", io.BytesIO(copy.getvalue()), manifest.content, context=context
    ) as reader:
        assert reader.get_validation_state() == "Invalid"


def test_the_watermark_binds_a_cropped_copy_to_its_manifest(
    client: TestClient, signed: tuple[ProvenanceRecord, bytes]
) -> None:
    record, data = signed
    value = base64.b64encode(bytes.fromhex(record.id[:16])).decode()
    by_value = client.get(
        "/matches/byBinding", params={"alg": "org.accord.watermark.1", "value": value}
    )
    assert by_value.json() == {
        "matches": [{"manifestId": record.manifest_label, "similarityScore": 100}]
    }
    copy = io.BytesIO()
    with Image.open(io.BytesIO(data)) as picture:
        edits.cropped(picture, 0.1).save(copy, "JPEG", quality=75)
    by_content = client.post(
        "/matches/byContent",
        params={"alg": "org.accord.watermark.1"},
        content=copy.getvalue(),
        headers={"content-type": "image/jpeg"},
    )
    assert by_content.status_code == 200, by_content.text
    assert by_content.json()["matches"] == [
        {"manifestId": record.manifest_label, "similarityScore": 100}
    ]
    for bad in ("not base64!", base64.b64encode(b"short").decode()):
        refused = client.get(
            "/matches/byBinding", params={"alg": "org.accord.watermark.1", "value": bad}
        )
        assert refused.status_code == 400, refused.text
    unknown = base64.b64encode(b"\0" * 8).decode()
    none = client.get(
        "/matches/byBinding", params={"alg": "org.accord.watermark.1", "value": unknown}
    )
    assert none.json() == {"matches": []}


def test_bad_queries_and_revoked_records(
    client: TestClient, db_session: Session, signed: tuple[ProvenanceRecord, bytes]
) -> None:
    record, data = signed
    for params in (
        {"alg": "com.example.unknown", "value": binding(BRIDGE_PDQ)},
        {"alg": "org.accord.pdq.1", "value": "not base64!"},
        {"alg": "org.accord.pdq.1", "value": binding("not a pdq hash")},
    ):
        response = client.get("/matches/byBinding", params=params)
        assert response.status_code == 400, (params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    text = client.post("/matches/byContent", content=b"x", headers={"content-type": "chemical/x"})
    assert text.status_code == 415
    assert client.get("/manifests/urn:c2pa:nothing").status_code == 404
    revoke_record(db_session, record.id, "issued in error")
    assert client.get(f"/manifests/{record.manifest_label}").status_code == 404
    gone = client.get(
        "/matches/byBinding",
        params={"alg": "org.accord.pdq.1", "value": binding(signed_pdq(data))},
    )
    assert gone.json() == {"matches": []}
