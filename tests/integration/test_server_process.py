"""A real ``accord serve`` process: starts on the embedded defaults, survives hostile files."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.serving import Served, serve

MAX_PEAK_BYTES = 500 * 1024 * 1024


def cpu_seconds(pid: int) -> float:
    """The CPU time a process has used: its own work, however busy the machine is (a wall
    clock also counts the waits other processes cause)."""
    after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    user, system = int(after_name[11]), int(after_name[12])  # utime and stime, in ticks
    return (user + system) / os.sysconf("SC_CLK_TCK")


def peak_rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM in /proc status")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serve(tmp_path_factory.mktemp("served")) as served:
        yield served


def test_prints_the_urls(server: Served) -> None:
    assert any(f"accord is serving on {server.base}" in line for line in server.log)
    assert any(f"API docs: {server.base}/docs" in line for line in server.log)


def test_ready_on_embedded_defaults(server: Served) -> None:
    assert httpx.get(f"{server.base}/readyz").json()["status"] == "ready"


def test_hostile_files_do_not_hurt_the_server(
    server: Served, hostile_files: dict[str, Any], corpus: Path
) -> None:
    with httpx.Client(base_url=server.base, timeout=10) as client:
        for name, hostile in hostile_files.items():
            started = cpu_seconds(server.pid)
            response = client.post("/v1/hash", files={"file": (name, hostile.path.read_bytes())})
            assert cpu_seconds(server.pid) - started < 2.0, name
            assert response.json()["code"] == hostile.code, name
        photo = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
        good = client.post("/v1/hash", files={"file": (photo.name, photo.read_bytes())})
        assert good.status_code == 200
        assert client.get("/healthz").status_code == 200
    assert peak_rss_bytes(server.pid) < MAX_PEAK_BYTES


def test_logs_are_json_with_request_context(server: Served) -> None:
    request_id = httpx.get(f"{server.base}/healthz?probe=1").headers["x-request-id"]
    while True:  # the log line is written after the response; wait for it
        line = server.lines.get(timeout=10)
        entry = json.loads(line) if line.startswith("{") else {}
        if entry.get("request_id") == request_id:
            break
    assert entry["logger"] == "accord.request"
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/healthz", 200)
    assert entry["duration_ms"] >= 0


def test_wrong_passwords_count_towards_the_lockout(tmp_path: Path) -> None:
    # The answer to a wrong password is an error, yet the count it raises must be kept.
    environment = {**os.environ, "ACCORD_DATA_DIR": str(tmp_path)}
    accord = [sys.executable, "-m", "accord"]
    subprocess.run(
        [*accord, "org", "create", "EC", "--kind", "election_authority"],
        env=environment, check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        [*accord, "user", "create", "ada@example.org", "--org", "EC", "--role", "reviewer"],
        input="correct horse battery staple\n", text=True,
        env=environment, check=True, capture_output=True,
    )  # fmt: skip
    with serve(tmp_path) as served:
        wrong = {"email": "ada@example.org", "password": "not the password"}
        codes = [httpx.post(f"{served.base}/v1/session", json=wrong).status_code for _ in range(6)]
        assert codes == [401] * 5 + [429]


def test_a_trusted_proxy_names_the_client_for_rate_limits(tmp_path: Path) -> None:
    settings = {"trusted_proxies": '["127.0.0.1"]', "login_attempts_per_minute": "2"}
    with serve(tmp_path, **settings) as served:
        wrong = {"email": "nobody@example.org", "password": "a guess"}

        def attempt(client: str) -> int:
            headers = {"X-Forwarded-For": client}
            return httpx.post(f"{served.base}/v1/session", json=wrong, headers=headers).status_code

        assert [attempt("203.0.113.7") for _ in range(3)] == [401, 401, 429]
        assert attempt("198.51.100.9") == 401  # another client behind the same proxy


def test_a_busy_port_fails_in_one_plain_line(tmp_path: Path) -> None:
    # Before, the banner said "serving" and a JSON log line said errno 98, exit status 3.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "accord", "serve", "--port", str(port)],
            env={**os.environ, "ACCORD_DATA_DIR": str(tmp_path)},
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"accord: error: cannot listen on 127.0.0.1:{port}: the address is already in use "
        "(another accord or program is running there; use --port)\n"
    )
