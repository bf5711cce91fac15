"""Untrusted decoding in the server's decode workers: a stuck decode answers
``media.decode_timeout`` and the next request is served; the workers die with the server."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from accord.server.runtime import Runtime
from tests.integration.hashing.test_hash_api import assert_problem, upload
from tests.integration.serving import serve
from tests.unit.signals.test_sandbox import ended_within

#: About a second to hash: far beyond the tiny timeout below.
LONG_VIDEO = Path("video") / "pattern-longer-no-bar.mp4"
#: A liveness bound, on a machine busy with other test runs.
SLOW_MACHINE_SECONDS = 30.0


def runtime_of(client: TestClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


@pytest.mark.parametrize("route", ["/v1/hash", "/v1/match"])
def test_a_stuck_decode_answers_decode_timeout_and_the_next_is_served(
    client_with: Callable[..., TestClient], corpus: Path, route: str
) -> None:
    client = client_with(decode_workers=1, decode_timeout_seconds=0.05)
    with (corpus / LONG_VIDEO).open("rb") as video:
        response = client.post(route, files={"file": ("long.mp4", video)})
    body = assert_problem(response, 422, "media.decode_timeout")
    assert "0.05 seconds" in body["detail"]
    decoder = runtime_of(client).decoder
    assert decoder is not None
    assert decoder.pids() == []  # the stuck worker was killed

    photo = upload(client, corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg")  # in process
    assert photo.status_code == 200, photo.text
    decoder.timeout_seconds = SLOW_MACHINE_SECONDS
    again = upload(client, corpus / "c2pa" / "video1.mp4")  # in a new worker
    assert again.status_code == 200, again.text
    assert {"vpdq", "audio"} <= set(again.json()["signals"])
    assert len(decoder.pids()) == 1


def test_no_decode_workers_hashes_in_process(
    client_with: Callable[..., TestClient], corpus: Path
) -> None:
    client = client_with(decode_workers=0, decode_timeout_seconds=0.05)
    assert runtime_of(client).decoder is None
    response = upload(client, corpus / "c2pa" / "video1.mp4")
    assert response.status_code == 200, response.text


def descendants(root: int) -> set[int]:
    """Every process under ``root``: the forkserver and the decode workers it forked."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # ended meanwhile
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found: set[int] = set()
    waiting = [root]
    while waiting:
        for child in children.get(waiting.pop(), []):
            found.add(child)
            waiting.append(child)
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_killing_the_server_ends_its_decode_workers(tmp_path: Path, corpus: Path) -> None:
    with serve(tmp_path, decode_workers="2") as served:
        with (corpus / "c2pa" / "video1.mp4").open("rb") as video:
            response = httpx.post(
                f"{served.base}/v1/hash",
                files={"file": ("video1.mp4", video)},
                timeout=SLOW_MACHINE_SECONDS,
            )
        assert response.status_code == 200, response.text
        under = descendants(served.pid)
        assert len(under) >= 2  # multiprocessing's forkserver, and a worker it forked

        os.kill(served.pid, signal.SIGKILL)
        orphans = [pid for pid in under if not ended_within(pid, SLOW_MACHINE_SECONDS)]
        for pid in orphans:  # ended here, so a failure leaves nothing behind
            os.kill(pid, signal.SIGKILL)
        assert not orphans, "decode workers outlived the server"
