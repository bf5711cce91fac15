"""``POST /v1/credentials/verify``: states, this instance's issuers trusted, bad input."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image
from pydantic import SecretStr
from sqlalchemy.orm import Session

from accord.provenance.certificates import IssuerName
from accord.provenance.signing import SourceType
from accord.server.credentials.service import Signing, sign_for_issuer
from accord.server.issuers.service import create_issuer, signing_chain
from tests.unit.provenance.test_certificates import sign

MASTER = "the master key of this test instance"


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
    client: TestClient, db_session: Session, corpus: Path, tmp_path: Path
) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    services = replace(
        services, settings=services.settings.model_copy(update={"master_key": SecretStr(MASTER)})
    )
    create_issuer(db_session, "ec", IssuerName("Electoral Commission", "EC"), MASTER)
    photo = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    record, signed = sign_for_issuer(
        services, db_session, photo, Signing("ec", SourceType.CAMERA, "Bridge")
    )
    copy = io.BytesIO()
    with Image.open(io.BytesIO(signed.data)) as picture:
        picture.resize((picture.width // 2, picture.height // 2)).save(copy, "JPEG", quality=75)
    result = verify(client, "copy.jpg", copy.getvalue())
    assert result["state"] == "none"
    assert [original["record_id"] for original in result["originals"]] == [record.id]
    assert "“Bridge”, signed by Electoral Commission" in result["headline"]
    intact = verify(client, "signed.jpg", signed.data)
    assert (intact["state"], intact["originals"]) == ("trusted", [])


def test_sign_over_http_returns_the_signed_copy(
    client: TestClient, db_session: Session, corpus: Path
) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    create_issuer(
        db_session, "ec", IssuerName("Electoral Commission", "EC"),
        services.settings.master_key.get_secret_value(),
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
    assert 'filename="signed-bridge_photo.jpg"' in response.headers["content-disposition"]
    record = response.headers["x-accord-record"]
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
        ({"issuer": "ec", "source_type": "painting"}, 422),
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
