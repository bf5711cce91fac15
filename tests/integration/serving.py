"""Start real ``accord serve`` processes for tests."""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

#: A liveness bound: a machine busy with other test runs can take this long.
STARTUP_SECONDS = 60.0


#: Starts before giving up, when other processes keep taking the port chosen.
PORT_TRIES = 5
#: What ``accord serve`` (or uvicorn) says when the port was taken after it was chosen.
_PORT_TAKEN = ("address is already in use", "address already in use")
#: Put on ``lines`` when the process's stderr ends (every real line ends with a newline).
_ENDED = ""


def free_port() -> int:
    """A port free now: another process may take it before it is bound (see ``serve``)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def closed_port() -> Iterator[int]:
    """A local port nothing listens on, for the block's duration: it is bound without
    listening, so connecting is refused and no other process can take it meanwhile."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        port: int = holder.getsockname()[1]
        yield port


@dataclass(frozen=True)
class Served:
    base: str
    pid: int
    #: Every stderr line so far, and the ones not yet consumed.
    log: list[str]
    lines: queue.Queue[str]


@contextmanager
def serve(data_dir: Path, *, arguments: Sequence[str] = (), **settings: str) -> Iterator[Served]:
    """An ``accord serve`` process on a free port, stopped when the block ends; ``arguments``
    are added to its command line (``--workers 2``).

    The port is chosen free, then handed to the server; if another process (a parallel
    test, another developer's run) binds it in between, the server exits saying so and is
    started again on another port, instead of the test failing by chance.
    """
    env = {
        **os.environ,
        "ACCORD_DATA_DIR": str(data_dir),
        "ACCORD_LOG_FORMAT": "json",
        "ACCORD_HASH_CONCURRENCY": "2",
        **{f"ACCORD_{name.upper()}": value for name, value in settings.items()},
    }
    for _ in range(PORT_TRIES):
        started = _start(env, arguments)
        if started is not None:
            break
    else:
        pytest.fail(f"accord serve found its port taken {PORT_TRIES} times")
    process, pump, served = started
    try:
        yield served
    finally:
        process.terminate()
        process.wait(timeout=10)
        pump.join(timeout=10)  # closing stderr under a pump still reading it raises there
        assert process.stderr is not None
        process.stderr.close()


def _start(
    env: dict[str, str], arguments: Sequence[str] = ()
) -> tuple[subprocess.Popen[str], threading.Thread, Served] | None:
    """The running process, the thread reading its log, and how to reach it; None if its
    port was taken first."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "accord", "serve", "--port", str(port), *arguments],
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
        lines.put(_ENDED)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        # Logged once the socket is bound ("Application startup complete" comes earlier).
        while "Uvicorn running on" not in (
            line := lines.get(timeout=max(0.0, deadline - time.monotonic()))
        ):
            if line == _ENDED:
                process.wait(timeout=10)
                reader.join(timeout=10)
                assert process.stderr is not None
                process.stderr.close()
                if any(taken in entry.lower() for entry in log for taken in _PORT_TAKEN):
                    return None
                pytest.fail("accord serve stopped:\n" + "".join(log))
    except queue.Empty:
        process.kill()
        process.wait(timeout=10)  # no zombie, nor a ResourceWarning failing another test
        pytest.fail("accord serve did not start:\n" + "".join(log))
    return process, reader, Served(f"http://127.0.0.1:{port}", process.pid, log, lines)
