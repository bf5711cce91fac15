"""Lanes: heavy work never starves picture lookups.

Regression for the probe in which four clients uploading long videos cut ``/v1/match`` on
1-megapixel JPEGs from 181 to 30 requests per second: videos and pictures waited in one
line. Each kind now waits in its own lane, with its own slots; the figures under that mix
come from ``benchmarks/match_http.py --mix video``.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import anyio.to_thread
import httpx
from fastapi.testclient import TestClient
from PIL import Image

from accord.server.decoding import Lane, LaneGate
from tests.integration.notice_action import runtime_of

VIDEO = Path("c2pa") / "video1.mp4"
PHOTO = Path("pdq") / "bridge-mods" / "aaa-orig.jpg"


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_picture_lookup_is_answered_while_a_video_waits_for_the_heavy_lane(
    client_with: Callable[..., TestClient], corpus: Path
) -> None:
    client = client_with(heavy_lane_concurrency=1, hash_concurrency=1)
    heavy = runtime_of(client).admissions.gates[Lane.HEAVY]
    heavy.acquire(None, 1.0)  # another video's decoding holds the only slot
    bodies = ((corpus / VIDEO).read_bytes(), (corpus / PHOTO).read_bytes())
    video, picture = asyncio.run(_match_both(client, bodies, heavy))
    assert picture.status_code == 200, picture.text
    assert picture.json()["signals"]["sha256"] == sha256_of(corpus / PHOTO)
    assert video.status_code == 200, video.text
    assert video.json()["signals"]["sha256"] == sha256_of(corpus / VIDEO)


async def _match_both(
    client: TestClient, bodies: tuple[bytes, bytes], heavy: LaneGate
) -> tuple[httpx.Response, httpx.Response]:
    video_body, picture_body = bodies
    transport = httpx.ASGITransport(app=client.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://accord") as http:
        video = asyncio.ensure_future(
            http.post(
                "/v1/match",
                content=video_body,
                headers={"content-type": "video/mp4"},
            )
        )
        waiting = await anyio.to_thread.run_sync(heavy.wait_for_waiting, 1, 60.0)
        assert waiting, "the video never waited for its lane"
        # The one picture slot and the picture line are free: the lookup goes ahead.
        picture = await http.post(
            "/v1/match",
            content=picture_body,
            headers={"content-type": "image/jpeg"},
        )
        assert not video.done()
        heavy.release()
        return await video, picture


def test_when_the_heavy_lane_is_full_a_video_gets_503_and_a_picture_does_not(
    client_with: Callable[..., TestClient], corpus: Path
) -> None:
    client = client_with(heavy_lane_concurrency=1, decode_wait_seconds=0)
    heavy = runtime_of(client).admissions.gates[Lane.HEAVY]
    heavy.acquire(None, 1.0)
    try:
        video = client.post("/v1/hash", files={"file": ("v.mp4", (corpus / VIDEO).read_bytes())})
        photo = client.post("/v1/hash", files={"file": ("p.jpg", (corpus / PHOTO).read_bytes())})
    finally:
        heavy.release()
    assert video.status_code == 503, video.text
    assert video.json()["code"] == "server.busy"
    assert "heavy lane" in video.json()["detail"]
    assert photo.status_code == 200, photo.text


def test_with_one_shared_lane_as_before_a_video_holds_up_pictures(
    client_with: Callable[..., TestClient], corpus: Path
) -> None:
    client = client_with(decode_shared_lane=True, hash_concurrency=1, decode_wait_seconds=0)
    shared = runtime_of(client).admissions.gates[Lane.PICTURES]
    shared.acquire(None, 1.0)  # a video's decoding, in the one lane
    try:
        photo = client.post("/v1/hash", files={"file": ("p.jpg", (corpus / PHOTO).read_bytes())})
    finally:
        shared.release()
    assert photo.status_code == 503, photo.text
    assert "pictures lane" in photo.json()["detail"]


def test_a_huge_picture_waits_in_the_heavy_lane_not_with_small_ones(
    client_with: Callable[..., TestClient], corpus: Path
) -> None:
    """The probe's 80-megapixel PNGs took the pictures lane's slots and small lookups
    waited seconds behind them; a picture over ``sandbox_image_pixels`` is heavy."""
    client = client_with(
        heavy_lane_concurrency=1, decode_wait_seconds=0, sandbox_image_pixels=2_000_000
    )
    huge = io.BytesIO()  # 3 MP, over the 2 MP limit; the photo has 1.6 MP
    Image.new("RGB", (2000, 1500), (90, 120, 150)).save(huge, "PNG")
    heavy = runtime_of(client).admissions.gates[Lane.HEAVY]
    heavy.acquire(None, 1.0)
    try:
        answers = {
            route: (
                client.post(route, files={"file": ("huge.png", huge.getvalue())}),
                client.post(route, files={"file": ("p.jpg", (corpus / PHOTO).read_bytes())}),
            )
            for route in ("/v1/hash", "/v1/match")
        }
    finally:
        heavy.release()
    for route, (big, small) in answers.items():
        assert big.status_code == 503, (route, big.text)
        assert "heavy lane" in big.json()["detail"], route
        assert small.status_code == 200, (route, small.text)
