"""Start real ``accord serve`` processes for tests."""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

STARTUP_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Served:
    base: str
    pid: int
    #: Every stderr line so far, and the ones not yet consumed.
    log: list[str]
    lines: queue.Queue[str]


@contextmanager
def serve(data_dir: Path, **settings: str) -> Iterator[Served]:
    """An ``accord serve`` process on a free port, stopped when the block ends."""
    port = free_port()
    env = {
        **os.environ,
        "ACCORD_DATA_DIR": str(data_dir),
        "ACCORD_LOG_FORMAT": "json",
        "ACCORD_HASH_CONCURRENCY": "2",
        **{f"ACCORD_{name.upper()}": value for name, value in settings.items()},
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "accord", "serve", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    log: list[str] = []

    def pump() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)
            log.append(line)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        # Logged once the socket is bound ("Application startup complete" comes earlier).
        while "Uvicorn running on" not in lines.get(timeout=max(0.0, deadline - time.monotonic())):
            pass
    except queue.Empty:
        process.kill()
        pytest.fail("accord serve did not start:\n" + "".join(log))
    try:
        yield Served(f"http://127.0.0.1:{port}", process.pid, log, lines)
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stderr is not None
        process.stderr.close()
