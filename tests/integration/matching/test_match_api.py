"""``POST /v1/match`` on real media: edits, orientations, videos, audio excerpts, bank rules."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import subprocess
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from accord.signals.keypoints import MIN_INLIERS
from tests.edits import in_phone, load_photo, overlay
from tests.integration.banks.test_banks_api import BRIDGE_PDQ, make_bank

BRIDGE = Path("pdq") / "bridge-mods"
LABELME = Path("pdq") / "reg-test-input" / "labelme-subset"


def bank_file(client: TestClient, bank: str, path: Path, **fields: object) -> int:
    with path.open("rb") as handle:
        response = client.post(
            f"/v1/banks/{bank}/entries/file",
            files={"file": (path.name, handle)},
            data={"fields": json.dumps(fields)},
        )
    assert response.status_code == 201, response.text
    entry_id: int = response.json()["id"]
    return entry_id


def match_file(client: TestClient, path: Path, **options: object) -> dict[str, Any]:
    with path.open("rb") as handle:
        response = client.post(
            "/v1/match",
            files={"file": (path.name, handle)},
            data={"options": json.dumps(options)} if options else None,
        )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def match_signals(client: TestClient, **body: object) -> dict[str, Any]:
    response = client.post("/v1/match", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def entries_of(result: dict[str, Any]) -> set[int]:
    return {match["entry_id"] for match in result["matches"]}


def test_bridge_edits_match_the_original_and_unrelated_photos_do_not(
    client: TestClient, corpus: Path
) -> None:
    make_bank(client)
    original = bank_file(
        client, "DEEPFAKES", corpus / BRIDGE / "aaa-orig.jpg", case_reference="C-7"
    )
    for edit in sorted((corpus / BRIDGE).glob("*.jpg")):
        result = match_file(client, edit)
        assert entries_of(result) == {original}, edit.name
        best = result["matches"][0]
        assert best["bank"] == "DEEPFAKES"
        assert best["entry"]["case_reference"] == "C-7"
        assert best["distance"] <= 31
    for photo in sorted((corpus / LABELME).glob("*.jpg"))[:12]:
        assert match_file(client, photo, second_stage=False)["matches"] == [], photo.name


def test_rotated_and_flipped_copies_match_through_dihedral_lookup(
    client: TestClient, corpus: Path
) -> None:
    make_bank(client)
    dihedral = corpus / "pdq" / "reg-test-input" / "dih"
    pictures = sorted(dihedral.iterdir())
    original = bank_file(client, "DEEPFAKES", pictures[0])
    for picture in pictures[1:]:
        result = match_file(client, picture, second_stage=False)
        assert entries_of(result) == {original}, picture.name
        assert "orientation" in result["matches"][0]["detail"]


def test_signals_in_and_exact_hash_match(client: TestClient) -> None:
    make_bank(client)
    client.post("/v1/banks/DEEPFAKES/entries", json={"signals": {"pdq": BRIDGE_PDQ}})
    near = BRIDGE_PDQ[:-2] + "00"
    result = match_signals(client, signals={"pdq": near})
    assert result["matched"] is True
    assert result["matches"][0]["distance"] > 0
    assert match_signals(client, signals={"pdq": "0" * 64})["matched"] is False


def test_a_file_sent_as_the_body_matches_like_a_form_upload(
    client: TestClient, corpus: Path
) -> None:
    make_bank(client)
    original = bank_file(client, "DEEPFAKES", corpus / BRIDGE / "aaa-orig.jpg")
    edit = corpus / BRIDGE / "high-contrast.jpg"
    response = client.post(
        "/v1/match",
        content=edit.read_bytes(),
        headers={"content-type": "image/jpeg"},
        params={"options": json.dumps({"second_stage": False})},
    )
    assert response.status_code == 200, response.text
    assert entries_of(response.json()) == {original}
    assert response.json()["signals"] == match_file(client, edit)["signals"]


def test_a_server_with_lookups_waiting_asks_clients_to_reconnect(
    client_with: Callable[..., TestClient], corpus: Path
) -> None:
    # Connections stay with the worker process that accepted them; one that has more
    # than it can serve sheds them, so that clients reconnect to a less busy one.
    app = client_with(hash_concurrency=1).app
    photo = (corpus / BRIDGE / "aaa-orig.jpg").read_bytes()

    async def post_at_once(count: int) -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://accord") as http:
            posts = (
                http.post("/v1/match", content=photo, headers={"content-type": "image/jpeg"})
                for _ in range(count)
            )
            return await asyncio.gather(*posts)

    responses = asyncio.run(post_at_once(4))
    assert [response.status_code for response in responses] == [200] * 4
    closing = [response.headers.get("connection") == "close" for response in responses]
    assert closing[0]  # three more were waiting when the first was answered
    assert not closing[-1]  # nobody was left waiting for the last


def test_md5_is_computed_and_matched_only_when_a_bank_holds_md5(
    client: TestClient, corpus: Path
) -> None:
    make_bank(client)
    photo = corpus / BRIDGE / "aaa-orig.jpg"
    client.post("/v1/banks/DEEPFAKES/entries", json={"signals": {"pdq": BRIDGE_PDQ}})
    signals = match_file(client, photo)["signals"]
    assert "sha256" in signals
    assert "md5" not in signals  # no bank holds an MD5 yet
    md5 = hashlib.md5(photo.read_bytes()).hexdigest()  # noqa: S324 - a partner's format
    partner = client.post("/v1/banks/DEEPFAKES/entries", json={"signals": {"md5": md5}})
    assert partner.status_code == 201, partner.text
    result = match_file(client, photo)
    assert result["signals"]["md5"] == md5
    assert partner.json()["id"] in entries_of(result)


def test_allow_bank_suppresses_deceptive_matches(client: TestClient) -> None:
    make_bank(client, "DEEPFAKES")
    make_bank(client, "KNOWN_SATIRE", kind="allow")
    for bank in ("DEEPFAKES", "KNOWN_SATIRE"):
        client.post(f"/v1/banks/{bank}/entries", json={"signals": {"pdq": BRIDGE_PDQ}})
    result = match_signals(client, signals={"pdq": BRIDGE_PDQ})
    assert [match["bank"] for match in result["matches"]] == ["KNOWN_SATIRE"]
    assert [match["bank"] for match in result["suppressed"]] == ["DEEPFAKES"]


def test_per_bank_thresholds(client: TestClient) -> None:
    make_bank(client, "STRICT", thresholds={"pdq": 2})
    make_bank(client, "LOOSE", thresholds={"pdq": 40})
    for bank in ("STRICT", "LOOSE"):
        client.post(f"/v1/banks/{bank}/entries", json={"signals": {"pdq": BRIDGE_PDQ}})
    # Flip 8 bits: within LOOSE's 40 and the default 31, beyond STRICT's 2.
    flipped = f"{int(BRIDGE_PDQ, 16) ^ 0xFF:064x}"
    result = match_signals(client, signals={"pdq": flipped})
    assert [match["bank"] for match in result["matches"]] == ["LOOSE"]
    client.patch("/v1/banks/STRICT", json={"thresholds": {"pdq": 8}})
    result = match_signals(client, signals={"pdq": flipped})
    assert {match["bank"] for match in result["matches"]} == {"LOOSE", "STRICT"}


def test_crops_screenshots_and_overlays_are_found_by_the_second_stage(
    client: TestClient, corpus: Path, tmp_path: Path
) -> None:
    make_bank(client)
    photos = [corpus / BRIDGE / "aaa-orig.jpg", corpus / "c2pa" / "CA.jpg"]
    entries = [bank_file(client, "DEEPFAKES", photo) for photo in photos]
    rng = np.random.default_rng(11)
    for photo, entry in zip(photos, entries, strict=True):
        picture = load_photo(photo)
        cropped = picture.crop(
            (
                round(0.15 * picture.width),
                round(0.15 * picture.height),
                round(0.85 * picture.width),
                round(0.85 * picture.height),
            )
        )
        copies = {"crop": cropped, "screenshot": in_phone(picture, rng, dark=True)}
        copies["overlay"] = overlay(picture, rng)
        for family, copy in copies.items():
            path = tmp_path / f"{photo.stem}-{family}.jpg"
            copy.save(path, quality=90)  # large JPEGs are decoded reduced for lookups
            result = match_file(client, path)
            assert result["second_stage_ran"], (photo.name, family)
            assert entries_of(result) == {entry}, (photo.name, family)
            found = result["matches"][0]
            assert (found["stage"], found["signal_type"]) == ("second", "orb")
            assert found["detail"]["inliers"] >= MIN_INLIERS
    # The same copies are PDQ misses: without the second stage nothing is found.
    assert match_file(client, tmp_path / "aaa-orig-crop.jpg", second_stage=False)["matches"] == []
    for photo in sorted((corpus / LABELME).glob("*.jpg"))[:12]:
        assert match_file(client, photo)["matches"] == [], photo.name


def test_disabled_banks_and_entries_do_not_match(client: TestClient) -> None:
    make_bank(client)
    entry = client.post(
        "/v1/banks/DEEPFAKES/entries", json={"signals": {"pdq": BRIDGE_PDQ}}
    ).json()["id"]
    query = {"signals": {"pdq": BRIDGE_PDQ}}
    assert match_signals(client, **query)["matched"]

    client.patch(f"/v1/banks/DEEPFAKES/entries/{entry}", json={"enabled": False})
    assert not match_signals(client, **query)["matched"]
    client.patch(
        f"/v1/banks/DEEPFAKES/entries/{entry}",
        json={"enabled": True, "disabled_until": "2099-01-01T00:00:00Z"},
    )
    assert not match_signals(client, **query)["matched"]
    client.patch(
        f"/v1/banks/DEEPFAKES/entries/{entry}", json={"disabled_until": "2001-01-01T00:00:00Z"}
    )
    assert match_signals(client, **query)["matched"]

    client.patch("/v1/banks/DEEPFAKES", json={"enabled": False})
    assert not match_signals(client, **query)["matched"]
    client.patch("/v1/banks/DEEPFAKES", json={"enabled": True, "enabled_ratio": 0.0})
    assert not match_signals(client, **query)["matched"]
    assert match_signals(client, **query, bypass_coinflip=True)["matched"]
    assert not match_signals(client, **query, banks=["OTHER"])["matched"]


def test_deleted_entries_leave_the_index(client: TestClient) -> None:
    make_bank(client)
    entry = client.post(
        "/v1/banks/DEEPFAKES/entries", json={"signals": {"pdq": BRIDGE_PDQ}}
    ).json()["id"]
    assert match_signals(client, signals={"pdq": BRIDGE_PDQ})["matched"]
    client.delete(f"/v1/banks/DEEPFAKES/entries/{entry}")
    assert not match_signals(client, signals={"pdq": BRIDGE_PDQ})["matched"]


def test_video_groups_match_within_and_not_across(client: TestClient, corpus: Path) -> None:
    videos = corpus / "video"
    make_bank(client)
    chair = bank_file(client, "DEEPFAKES", videos / "chair-orig-22-sd-bar.mp4")
    pattern = bank_file(client, "DEEPFAKES", videos / "pattern-hd-no-bar.mp4")
    expected = {"chair-19-sd-bar.mp4": chair, "pattern-longer-no-bar.mp4": pattern}
    for name, entry in expected.items():
        result = match_file(client, videos / name)
        assert entries_of(result) == {entry}, name
        detail = result["matches"][0]["detail"]
        assert max(detail["query_percent"], detail["target_percent"]) >= 50
    assert match_file(client, videos / "doorknob-hd-no-bar.mp4")["matches"] == []


def _speech(folder: Path, text: str) -> tuple[np.ndarray[Any, np.dtype[np.int16]], int]:
    exe = shutil.which("espeak-ng")
    assert exe is not None, "espeak-ng is required (make test installs it)"
    out = folder / f"{abs(hash(text))}.wav"
    subprocess.run([exe, "-w", str(out), text], check=True, capture_output=True)
    with wave.open(str(out), "rb") as handle:
        rate = handle.getframerate()
        return np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2"), rate


def _write_wav(path: Path, samples: np.ndarray[Any, np.dtype[np.int16]], rate: int) -> Path:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(samples.astype("<i2").tobytes())
    return path


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    folder = tmp_path_factory.mktemp("audio")
    sentences = [
        "The polling stations open at seven in the morning and close at eight at night.",
        "Every registered voter may bring one companion to help them read the ballot.",
        "Results from the northern district are expected shortly after midnight.",
        "Observers from three organisations watched the count in the capital city.",
    ]
    parts = [_speech(folder, sentence) for sentence in sentences]
    rate = parts[0][1]
    speech = np.concatenate([samples for samples, _ in parts])
    other, _ = _speech(folder, "Bananas and oranges are on sale at the market by the station.")
    files = {
        "speech": _write_wav(folder / "speech.wav", speech, rate),
        "excerpt": _write_wav(folder / "excerpt.wav", speech[rate * 6 : rate * 14], rate),
        "other": _write_wav(folder / "other.wav", other, rate),
    }
    return files.__getitem__


def test_audio_excerpt_matches_with_its_offset(
    client: TestClient, recordings: Callable[[str], Path]
) -> None:
    make_bank(client)
    entry = bank_file(client, "DEEPFAKES", recordings("speech"))
    result = match_file(client, recordings("excerpt"))
    assert entries_of(result) == {entry}
    audio = next(m for m in result["matches"] if m["signal_type"] == "audio")
    assert audio["detail"]["offset_seconds"] == pytest.approx(6.0, abs=0.05)
    assert match_file(client, recordings("other"))["matches"] == []


def test_bad_match_requests_get_problems(client: TestClient) -> None:
    cases: list[dict[str, Any]] = [
        {"content": b"plain", "headers": {"content-type": "text/plain"}},
        {"content": b"{not json", "headers": {"content-type": "application/json"}},
        {"json": {"signals": {"pdq": "nope"}}},
        {"json": {"signals": {"unknown": "x"}}},
        {"json": {"signals": {}}},
        {"files": {"other": ("x", b"y")}},
        {"files": {"file": ("x.bin", b"\x00" * 100)}},
        {"content": b"\x00" * 100, "headers": {"content-type": "image/jpeg"}},
        {"content": b"", "headers": {"content-type": "application/octet-stream"}},
        {
            "content": b"x",
            "headers": {"content-type": "image/png"},
            "params": {"options": "{not json"},
        },
    ]
    for case in cases:
        response = client.post("/v1/match", **case)
        assert 400 <= response.status_code < 500, (case, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
