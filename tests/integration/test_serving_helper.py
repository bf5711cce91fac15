"""The helper that starts ``accord serve`` for tests survives a port taken under its feet."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration import serving


def test_a_port_taken_after_it_was_chosen_means_another_try(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as squatter:
        # What a parallel test does now and then: bind the port between choice and use.
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        ports: Iterator[int] = iter([taken, serving.free_port()])
        monkeypatch.setattr(serving, "free_port", lambda: next(ports))
        with serving.serve(tmp_path) as served:
            assert not served.base.endswith(f":{taken}")
            assert httpx.get(f"{served.base}/healthz").status_code == 200


def test_a_port_held_closed_refuses_connections() -> None:
    with serving.closed_port() as port, pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
