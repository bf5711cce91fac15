"""``accord serve --workers N``: the workers die with their parent, however it dies."""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.serving import serve

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's"
)

#: The issue's bar is "within a few seconds"; a busy machine delays a graceful stop.
GONE_SECONDS = 10.0


def workers_of(parent: int) -> list[int]:
    """The worker processes ``parent`` spawned (not multiprocessing's resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:  # ended meanwhile
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


def running(pid: int) -> bool:
    """Whether ``pid`` still runs; a zombie (ended, not yet reaped by whoever adopted it)
    holds no socket and counts as ended."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_killing_the_parent_ends_its_workers_and_frees_the_port(tmp_path: Path) -> None:
    with serve(tmp_path, arguments=("--workers", "2")) as served:
        port = int(served.base.rsplit(":", 1)[1])
        deadline = time.monotonic() + 60
        while len(workers := workers_of(served.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(workers) == 2
        answers = 0
        while answers < 4 and time.monotonic() < deadline:  # the workers serve
            try:
                answers += httpx.get(f"{served.base}/healthz", timeout=30).status_code == 200
            except httpx.ConnectError:  # the socket listens once a worker has started
                time.sleep(0.2)
        assert answers == 4

        os.kill(served.pid, signal.SIGKILL)
        deadline = time.monotonic() + GONE_SECONDS
        while any(running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        orphans = [pid for pid in workers if running(pid)]
        for pid in orphans:  # ended here, so a failure leaves no server behind
            os.kill(pid, signal.SIGKILL)
        assert not orphans, "workers outlived their parent"

        # A restart binds the port as accord serve does; orphans listening on it would
        # make this fail with "address in use".
        with socket.socket() as again:
            again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            again.bind(("127.0.0.1", port))
            again.listen()
