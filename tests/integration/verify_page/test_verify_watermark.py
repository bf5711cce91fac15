"""The watermark of files signed here, read beside their credentials: the API and the
Verify page say what it names and whether the credentials declare the same one."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from accord.media.file import open_media
from accord.provenance.signing import SignRequest, SourceType, sign_media
from accord.server.issuers.service import get_issuer, signing_chain
from tests import edits
from tests.integration.conftest import SIGNING_MASTER_KEY, SignAsEc

HTMX = {"HX-Request": "true"}


@pytest.fixture
def photo(corpus: Path) -> Path:
    return corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"


def verify(client: TestClient, name: str, content: bytes) -> dict[str, Any]:
    response = client.post("/v1/credentials/verify", files={"file": (name, content)})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def card(client: TestClient, name: str, content: bytes) -> str:
    response = client.post("/verify", files={"file": (name, content)}, headers=HTMX)
    assert response.status_code == 200, response.text
    return response.text


def test_a_file_signed_here_shows_the_watermark_its_credentials_declare(
    client: TestClient, sign_as_ec: SignAsEc, photo: Path
) -> None:
    record, signed = sign_as_ec(photo, "Bridge", SourceType.CAMERA)
    result = verify(client, "bridge.jpg", signed.data)
    assert result["state"] == "trusted"
    mark = result["watermark"]
    assert mark is not None, "the watermark of an intact file was not read"
    assert (mark["found"], mark["payload"], mark["record_id"]) == (
        True,
        record.watermark,
        record.id,
    )
    assert (mark["declared"], mark["agreement"]) == (record.watermark, "agrees")
    assert mark["record"]["issuer"] == "Electoral Commission"
    assert mark["record"]["title"] == "Bridge"
    assert mark["record"]["manifest"] == record.manifest_label
    assert f"names record {record.id}" in mark["summary"]
    assert "declare the same watermark" in mark["summary"]
    declared = base64.b64encode(bytes.fromhex(record.id[:16])).decode()
    binding = {"algorithm": "org.accord.watermark.1", "value": declared}
    assert binding in result["credential"]["soft_bindings"]

    html = card(client, "bridge.jpg", signed.data)
    assert "An invisible watermark added" in html  # the edits list, as before
    assert "No accord watermark was found" not in html  # ...no longer contradicted
    assert 'data-agreement="agrees"' in html
    assert f"names record {record.id}: “Bridge”, signed by Electoral Commission" in html
    assert "The Content Credentials declare the same watermark." in html


def test_an_edit_keeps_its_originals_mark_and_names_it_as_ingredient(
    client: TestClient, sign_as_ec: SignAsEc, photo: Path, tmp_path: Path
) -> None:
    original, signed = sign_as_ec(photo, "Bridge", SourceType.CAMERA)
    cropped = tmp_path / "cropped.jpg"
    with Image.open(io.BytesIO(signed.data)) as picture:
        edits.cropped(picture, 0.1).save(cropped, quality=90)
    _, crop = sign_as_ec(cropped, "Bridge, cropped", SourceType.HUMAN_EDITS)
    mark = verify(client, "crop.jpg", crop.data)["watermark"]
    assert (mark["record_id"], mark["declared"], mark["agreement"]) == (
        original.id,
        None,
        "original",
    )
    assert "name that record's file as the original" in mark["summary"]


def test_a_stripped_copy_names_its_record_without_credentials_to_compare(
    client: TestClient, sign_as_ec: SignAsEc, photo: Path
) -> None:
    record, signed = sign_as_ec(photo, "Bridge", SourceType.CAMERA)
    copy = io.BytesIO()
    with Image.open(io.BytesIO(signed.data)) as picture:
        picture.save(copy, "JPEG", quality=80)  # Pillow keeps no C2PA segment
    result = verify(client, "copy.jpg", copy.getvalue())
    assert result["state"] == "none"
    mark = result["watermark"]
    assert (mark["record_id"], mark["declared"], mark["agreement"]) == (
        record.id,
        None,
        "no_credentials",
    )
    assert [original["record_id"] for original in result["originals"]] == [record.id]


def test_credentials_declaring_another_watermark_are_called_out(
    client: TestClient, sign_as_ec: SignAsEc, photo: Path, db_session: Session, tmp_path: Path
) -> None:
    """A marked picture re-signed with credentials that declare some other mark: both are
    intact on their own, but they do not belong together."""
    record, signed = sign_as_ec(photo, "Bridge", SourceType.CAMERA)
    pixels = tmp_path / "pixels.jpg"
    with Image.open(io.BytesIO(signed.data)) as picture:
        picture.save(pixels, "JPEG", quality=95)
    chain = signing_chain(get_issuer(db_session, "ec"), SIGNING_MASTER_KEY)
    other = 0x0123456789ABCDEF
    request = SignRequest("Bridge", SourceType.CAMERA, "Electoral Commission", watermark=other)
    resigned = sign_media(open_media(pixels), chain, request)
    result = verify(client, "resigned.jpg", resigned.data)
    assert result["state"] == "trusted"
    mark = result["watermark"]
    assert (mark["record_id"], mark["declared"], mark["agreement"]) == (
        record.id,
        f"{other:016x}",
        "differs",
    )
    assert "do not belong together" in mark["summary"]
    assert "watermark is not the one its credentials declare" in result["headline"]
    html = card(client, "resigned.jpg", resigned.data)
    assert 'data-agreement="differs"' in html
    assert "mark-bad" in html


def test_an_unmarked_file_says_no_watermark_was_found(client: TestClient, corpus: Path) -> None:
    data = (corpus / "c2pa" / "C.jpg").read_bytes()
    result = verify(client, "C.jpg", data)
    assert (result["state"], result["watermark"]) == ("valid", None)
    assert "No accord watermark was found in this file." in card(client, "C.jpg", data)
