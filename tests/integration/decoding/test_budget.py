"""One decoding memory budget per process, shared by every route that decodes uploads.

Regression for the probe that found memory unbounded across requests: an 80-megapixel
PNG of a few hundred KB decodes to about 1.5 GB, and neither ``/v1/hash`` (bounded per
core only) nor ``/v1/assess``, ``/v1/credentials/verify`` and ``/verify`` (not bounded
at all) counted it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx
import numpy as np
from fastapi.testclient import TestClient
from PIL import Image

from accord.media.cost import decode_cost
from accord.media.file import open_media
from accord.server.decoding import DecodeBudget
from tests.integration.notice_action import runtime_of

#: Routes that decode an uploaded file, each sent the file as a multipart "file".
DECODING_ROUTES = ("/v1/hash", "/v1/assess", "/v1/credentials/verify", "/verify")


def gradient_png(path: Path, width: int, height: int) -> Path:
    """A picture that compresses well and decodes to ``width`` x ``height`` RGB pixels."""
    ramp = np.linspace(0, 255, width, dtype=np.float32)[None, :] + np.zeros((height, 1))
    shade = ramp.astype(np.uint8)
    Image.fromarray(np.stack([shade, shade[:, ::-1], shade // 2], axis=2)).save(path)
    return path


def post(client: TestClient, route: str, path: Path) -> Any:
    return client.post(route, files={"file": (path.name, path.read_bytes())})


def test_a_file_costing_more_than_the_budget_is_refused_as_too_large(
    client_with: Callable[..., TestClient], tmp_path: Path
) -> None:
    bomb = tmp_path / "bomb.png"
    Image.new("L", (10_000, 8_000), 90).save(bomb, compress_level=9)  # 80 MP in ~100 KB
    client = client_with(decode_memory_bytes=1_000_000_000)
    for route in ("/v1/hash", "/v1/assess"):
        refused = post(client, route, bomb)
        assert refused.status_code == 413, refused.text
        assert refused.json()["code"] == "media.too_large"
        assert "bytes of memory" in refused.json()["detail"]
    assert runtime_of(client).admissions.budget.high_water == 0  # nothing was decoded
    small = gradient_png(tmp_path / "small.png", 320, 240)
    assert post(client, "/v1/hash", small).status_code == 200  # and it keeps serving


def test_past_the_budget_every_decoding_route_answers_503_with_retry_after(
    client_with: Callable[..., TestClient], tmp_path: Path
) -> None:
    picture = gradient_png(tmp_path / "picture.png", 320, 240)
    client = client_with(decode_wait_seconds=0)
    budget = runtime_of(client).admissions.budget
    budget.acquire(budget.total, None, 1.0)  # another request's decoding holds it all
    try:
        for route in DECODING_ROUTES:
            busy = post(client, route, picture)
            assert busy.status_code == 503, (route, busy.text)
            assert busy.headers["retry-after"] == "1"
            if route != "/verify":  # the public page answers an error page, not JSON
                assert busy.json()["code"] == "server.busy"
    finally:
        budget.release(budget.total)
    for route in DECODING_ROUTES:
        assert post(client, route, picture).status_code == 200, route
    assert 0 < budget.high_water <= budget.total


def test_concurrent_uploads_wait_for_memory_and_never_pass_the_budget(
    client_with: Callable[..., TestClient], tmp_path: Path
) -> None:
    picture = gradient_png(tmp_path / "picture.png", 1600, 1200)
    cost = decode_cost(open_media(picture))
    # Room for one such decoding at a time, not two; four slots in the pictures lane.
    client = client_with(
        decode_memory_bytes=cost * 3 // 2, decode_wait_seconds=120, hash_concurrency=4
    )
    budget = runtime_of(client).admissions.budget
    held = budget.total - cost + 1  # until released, none of the four fits
    budget.acquire(held, None, 1.0)
    statuses = asyncio.run(_post_while_held(client, picture.read_bytes(), budget, held, count=4))
    assert statuses == [200] * 4  # each waited its turn; none was refused
    assert budget.high_water <= budget.total
    assert budget.in_use == 0


async def _post_while_held(
    client: TestClient, body: bytes, budget: DecodeBudget, held: int, *, count: int
) -> list[int]:
    transport = httpx.ASGITransport(app=client.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://accord") as http:
        posts = [
            asyncio.ensure_future(http.post("/v1/hash", files={"file": ("p.png", body)}))
            for _ in range(count)
        ]
        waiting = await anyio.to_thread.run_sync(budget.wait_for_waiting, count, 60.0)
        budget.release(held)
        responses = await asyncio.gather(*posts)
    assert waiting, "the uploads never waited for memory"
    return [response.status_code for response in responses]
