"""``sign_media``: created and edited media, small thumbnails, fingerprints, timestamps."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import c2pa
import pytest
from PIL import Image

import accord
from accord.errors import CredentialError
from accord.media.file import open_media
from accord.provenance.certificates import IssuerName, SigningChain, issue_chain
from accord.provenance.signing import (
    THUMBNAIL_LONG_EDGE,
    SignRequest,
    SourceType,
    sign_media,
)
from accord.provenance.verification import CredentialState, verify_file

BRIDGE = Path("pdq") / "bridge-mods"
PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


@pytest.fixture(scope="module")
def chain() -> SigningChain:
    return issue_chain(IssuerName("Electoral Commission", "EC signing", "GB"))


def root_of(chain: SigningChain) -> str:
    return (chain.root_pem() or b"").decode()


def test_a_camera_photo_is_signed_trusted_with_its_fingerprint(
    chain: SigningChain, corpus: Path, tmp_path: Path
) -> None:
    photo = open_media(corpus / BRIDGE / "aaa-orig.jpg")
    request = SignRequest("Bridge", SourceType.CAMERA, "Electoral Commission", None, {"pdq": PDQ})
    signed = sign_media(photo, chain, request)
    assert signed.timestamped is False
    assert len(signed.manifest_store) < 40_000  # a 256-px thumbnail, not c2pa's 1024 px
    path = tmp_path / "signed.jpg"
    path.write_bytes(signed.data)
    result = verify_file(path, anchors=[root_of(chain)])
    assert result.state is CredentialState.TRUSTED
    assert result.credential is not None
    assert result.credential.actions == ("c2pa.created",)
    assert result.credential.source_types == ("digitalCapture",)
    assert result.credential.title == "Bridge"

    context = c2pa.Context.from_dict({"verify": {"remote_manifest_fetch": False}})
    with c2pa.Reader("image/jpeg", io.BytesIO(signed.data), context=context) as reader:
        store = json.loads(reader.json())
        active = store["manifests"][store["active_manifest"]]
        thumbnail = io.BytesIO()
        reader.resource_to_stream(active["thumbnail"]["identifier"], thumbnail)
    labels = {assertion["label"]: assertion["data"] for assertion in active["assertions"]}
    assert labels["stds.schema-org.CreativeWork"]["author"][0]["name"] == "Electoral Commission"
    binding = labels["c2pa.soft-binding"]
    assert binding["alg"] == "org.accord.pdq.1"
    assert base64.b64decode(binding["blocks"][0]["value"]).decode() == PDQ
    with Image.open(thumbnail) as small:
        assert max(small.size) <= THUMBNAIL_LONG_EDGE


def test_an_edit_records_its_original_as_parent(
    chain: SigningChain, corpus: Path, tmp_path: Path
) -> None:
    original = tmp_path / "original.jpg"
    first = SignRequest("Bridge", SourceType.CAMERA, "EC")
    original.write_bytes(
        sign_media(open_media(corpus / BRIDGE / "aaa-orig.jpg"), chain, first).data
    )
    edit = SignRequest("Bridge, brighter", SourceType.HUMAN_EDITS, "EC", open_media(original))
    edited = tmp_path / "edited.jpg"
    edited.write_bytes(
        sign_media(open_media(corpus / BRIDGE / "high-contrast.jpg"), chain, edit).data
    )
    result = verify_file(edited, anchors=[root_of(chain)])
    assert result.state is CredentialState.TRUSTED
    assert result.credential is not None
    assert result.credential.actions == ("c2pa.opened", "c2pa.edited")
    [parent] = result.credential.ingredients
    assert (parent.title, parent.relationship, parent.had_credentials) == (
        "original.jpg",
        "parentOf",
        True,
    )
    assert "edited by a person" in result.headline


@pytest.mark.parametrize("name", ["sample1.wav", "sample1.mp3", "video1_no_manifest.mp4"])
def test_audio_and_video_are_signed(
    chain: SigningChain, corpus: Path, tmp_path: Path, name: str
) -> None:
    media = open_media(corpus / "c2pa" / name)
    path = tmp_path / name
    path.write_bytes(sign_media(media, chain, SignRequest(name, SourceType.CAMERA, "EC")).data)
    assert verify_file(path, anchors=[root_of(chain)]).state is CredentialState.TRUSTED


def test_an_unreachable_timestamp_authority_fails_unless_allowed(
    chain: SigningChain, corpus: Path
) -> None:
    photo = open_media(corpus / BRIDGE / "aaa-orig.jpg")
    request = SignRequest("Bridge", SourceType.AI_GENERATED, "EC")
    nowhere = "http://127.0.0.1:9/"  # the discard port: nothing answers
    with pytest.raises(CredentialError, match="cannot be reached; nothing was signed"):
        sign_media(photo, chain, request, tsa_url=nowhere)
    signed = sign_media(photo, chain, request, tsa_url=nowhere, allow_without_timestamp=True)
    assert signed.timestamped is False
    assert signed.data.startswith(b"\xff\xd8")


def test_the_public_sign_and_verify_calls(corpus: Path, tmp_path: Path) -> None:
    chain = accord.issue_chain(accord.IssuerName("Newsroom", "Newsroom signing"))
    signed = accord.sign(
        corpus / BRIDGE / "aaa-orig.jpg", chain, author="Newsroom", source_type="digitalCapture"
    )
    assert signed.mime == "image/jpeg"
    path = tmp_path / "signed.jpg"
    path.write_bytes(signed.data)
    result = accord.verify(path, anchors=[root_of(chain)])
    assert result.state is accord.CredentialState.TRUSTED
    assert result.credential is not None
    assert result.credential.title == "aaa-orig.jpg"
