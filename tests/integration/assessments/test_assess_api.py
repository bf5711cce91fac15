"""``POST /v1/assess`` on a real instance: its banks, its registry, its issuers."""

from __future__ import annotations

import base64
import io
import wave
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
from fastapi.testclient import TestClient
from numpy.typing import NDArray
from PIL import Image
from sqlalchemy.orm import Session

from accord.provenance.signing import SourceType
from accord.server.banks import service as banks
from accord.server.banks.models import BankKind
from accord.server.persons import service as persons
from accord.signals.hashing import hash_file
from tests import edits
from tests.factories import encode_h264
from tests.integration.conftest import SignAsEc

MASTER = "the master key of this test instance"


def assess(client: TestClient, name: str, content: bytes, **params: str) -> dict[str, Any]:
    response = client.post("/v1/assess", files={"file": (name, content)}, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def jpeg(image: Image.Image, quality: int = 80) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def test_copies_of_a_signed_photo_altered_or_not(
    client: TestClient, sign_as_ec: SignAsEc, corpus: Path
) -> None:
    record, signed = sign_as_ec(
        corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg", "Bridge", SourceType.CAMERA
    )
    with Image.open(io.BytesIO(signed.data)) as opened:
        picture = opened.convert("RGB")
    donor = edits.load_photo(corpus / "c2pa" / "C.jpg")
    altered = picture.copy()
    altered.paste(donor.crop((100, 100, 260, 220)), (600, 300))

    intact = assess(client, "signed.jpg", signed.data)
    assert intact["band"] == "verified_authentic"
    stripped = assess(client, "stripped.jpg", jpeg(picture))
    assert stripped["band"] == "likely_authentic"
    assert "banks.unaltered_authentic" in stripped["deciding"]
    fake = assess(client, "fake.jpg", jpeg(altered), figures="true")
    assert fake["band"] == "altered_from_authentic"
    [finding] = [f for f in fake["findings"] if f["code"] == "banks.altered_authentic"]
    assert finding["details"]["reference"] == record.id
    left, top, width, height = finding["details"]["regions"][0]["box"]
    # The region overlaps the pasted patch (600, 300, 160 x 120).
    assert max(left, 600) < min(left + width, 760)
    assert max(top, 300) < min(top + height, 420)
    [figure] = finding["figures"]
    assert base64.b64decode(figure["png_base64"]).startswith(b"\x89PNG")
    assert fake["input"]["name"] == "fake.jpg"
    assert fake["tools"]["producers"]["banks"] == "2"


def test_a_file_in_a_deceptive_bank_is_confirmed_deceptive(
    client: TestClient, db_session: Session, corpus: Path
) -> None:
    photo = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    bank = banks.create_bank(db_session, "FAKES", kind=BankKind.DECEPTIVE)
    signals = {s.type: s.value for s in hash_file(photo).signals if s.type in ("sha256", "pdq")}
    banks.add_entry(db_session, bank, signals, banks.EntryFields(case_reference="case-7"))
    client.app.state.runtime.indexes.dirty = True  # type: ignore[attr-defined]
    answer = assess(client, "repost.jpg", jpeg(edits.load_photo(photo), 70))
    assert answer["band"] == "confirmed_deceptive"
    assert answer["deciding"] == ["banks.deceptive"]


def test_a_partner_s_confirmation_is_credited_to_the_partner(
    client: TestClient, db_session: Session, corpus: Path
) -> None:
    photo = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    bank = banks.create_bank(db_session, "FROM_EC", kind=BankKind.DECEPTIVE)
    signals = {s.type: s.value for s in hash_file(photo).signals if s.type == "pdq"}
    entry = banks.add_entry(db_session, bank, signals, banks.EntryFields())
    entry.remote_id = "indicator--6f1d6c64-5f8e-4b1a-9d57-3c2b1a0e9f88"
    entry.origin = {"exchange": "EC", "owner": "Electoral Commission", "marking": "TLP:GREEN"}
    db_session.flush()
    client.app.state.runtime.indexes.dirty = True  # type: ignore[attr-defined]
    answer = assess(client, "repost.jpg", jpeg(edits.load_photo(photo), 70))
    assert answer["band"] == "confirmed_deceptive"
    said = [f["explanation"] for f in answer["findings"] if f["code"] == "banks.deceptive"]
    assert len(said) == 1
    assert "Electoral Commission, through the exchange EC, confirmed it deceptive" in said[0]
    assert "reviewers" not in said[0]


def test_corpus_credentials_and_bad_uploads(client: TestClient, corpus: Path) -> None:
    folder = corpus / "c2pa"
    bands = {
        name: assess(client, name, (folder / name).read_bytes())["band"]
        for name in ("C.jpg", "XCA.jpg", "no_manifest.jpg")
    }
    assert bands == {
        "C.jpg": "likely_ai_generated",
        "XCA.jpg": "altered_from_authentic",
        "no_manifest.jpg": "no_evidence_either_way",
    }
    for name, content, status in (
        ("empty.jpg", b"", 422),
        ("notes.txt", b"just words, not media", 415),
        ("bomb.mp4", (folder / "nested_moov_1000.mp4").read_bytes(), 422),
    ):
        response = client.post("/v1/assess", files={"file": (name, content)})
        assert response.status_code == status, (name, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


def test_an_altered_copy_of_a_signed_recording_shows_where_the_sound_changed(
    client: TestClient, sign_as_ec: SignAsEc, corpus: Path, tmp_path: Path
) -> None:
    _, signed = sign_as_ec(corpus / "c2pa" / "sample1.wav", "Press conference", SourceType.CAMERA)
    with wave.open(io.BytesIO(signed.data)) as recording:
        params, rate = recording.getparams(), recording.getframerate()
        samples = np.frombuffer(recording.readframes(recording.getnframes()), "<i2").copy()
    channels = params.nchannels
    start, end = 12 * rate * channels, 15 * rate * channels
    noise = np.random.default_rng(0).normal(0, samples.std(), end - start)
    samples[start:end] = noise.astype("<i2")  # three seconds of other sound
    altered = io.BytesIO()
    with wave.open(altered, "wb") as out:
        out.setparams(params)
        out.writeframes(samples.tobytes())

    answer = assess(client, "altered.wav", altered.getvalue())
    assert answer["band"] == "altered_from_authentic"
    [finding] = [f for f in answer["findings"] if f["code"] == "banks.altered_authentic_sound"]
    [(first, last)] = finding["details"]["differing_seconds"]
    assert 11.0 < first < 13.0
    assert 14.0 < last < 16.0
    intact = assess(client, "copy.wav", signed.data)
    assert intact["band"] == "verified_authentic"


def test_an_altered_copy_of_an_authentic_video_shows_where_the_picture_changed(
    client: TestClient, db_session: Session, corpus: Path, tmp_path: Path
) -> None:
    def frames(name: str, count: int) -> list[NDArray[np.uint8]]:
        with av.open(str(corpus / "video" / name)) as container:
            decoded = (f.to_ndarray(format="rgb24") for f in container.decode(video=0))
            picked = [pixels for index, pixels in enumerate(decoded) if index % 3 == 0]
        return [np.ascontiguousarray(cv2.resize(p, (320, 180))) for p in picked[:count]]

    clip = frames("doorknob-hd-no-bar.mp4", 80)  # 8 s at 10 frames per second
    other = frames("chair-orig-22-sd-bar.mp4", 20)
    original = encode_h264(tmp_path / "original.mp4", clip, fps=10)
    altered = encode_h264(tmp_path / "altered.mp4", [*clip[:30], *other, *clip[50:]], fps=10)
    bank = banks.create_bank(db_session, "NEWSREEL", kind=BankKind.AUTHENTIC)
    signals = {s.type: s.value for s in hash_file(original).signals if s.type == "vpdq"}
    banks.add_entry(db_session, bank, signals, banks.EntryFields(case_reference="reel-1"))
    client.app.state.runtime.indexes.dirty = True  # type: ignore[attr-defined]

    answer = assess(client, "altered.mp4", altered.read_bytes())
    assert answer["band"] == "altered_from_authentic"
    [finding] = [f for f in answer["findings"] if f["code"] == "banks.altered_authentic_picture"]
    [(first, last)] = finding["details"]["differing_seconds"]
    assert 2.5 <= first <= 3.5
    assert 4.5 <= last <= 5.5
    same = assess(client, "copy.mp4", original.read_bytes())
    assert "banks.same_picture_as_authentic" in same["deciding"]


def test_protected_people_registered_here_are_recognised(
    client: TestClient, db_session: Session, faces: Path
) -> None:
    obama = persons.register_person(db_session, "Barack Obama", role="candidate")
    persons.record_consent(db_session, obama, "cli:registrar")  # Art. 9 consent
    persons.add_reference_photo(db_session, obama, faces / "obama.jpg")
    db_session.commit()
    answer = assess(client, "obama3.jpg", (faces / "obama3.jpg").read_bytes())
    assert [(p["person_id"], p["role"]) for p in answer["protected_people"]] == [
        (obama.id, "candidate")
    ]
    assert answer["priority_review"] is True
    assert "Barack Obama" in answer["summary"]
