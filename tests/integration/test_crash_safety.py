"""Kill the server at the worst moment: every acknowledged notice, decision and pending
delivery is still there after a restart, and the platform acts once on each action."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from accord.server.accounts.router import CSRF_HEADER, SESSION_COOKIE
from accord.server.notices.router import NOTICE_TOKEN_HEADER
from accord.server.webhooks.signing import SIGNATURE_HEADER, verify_signature
from tests.integration.serving import free_port, serve

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's
#: Settings of a server that would triage and deliver only in an hour: killed first.
SLOW = {"triage_poll_seconds": "3600", "outbox_poll_seconds": "3600"}
FAST = {"triage_poll_seconds": "0.2", "outbox_poll_seconds": "0.2"}


class Receiver:
    """A platform's webhook endpoint: checks signatures, acts once per idempotency key."""

    def __init__(self) -> None:
        self.secret = b""
        self.deliveries: list[tuple[str, dict[str, Any]]] = []
        self.acted: dict[str, str] = {}
        self.bad_signatures = 0

    def handle(self, headers: Any, body: bytes) -> None:
        if not verify_signature(self.secret, headers[SIGNATURE_HEADER], body, now=int(time.time())):
            self.bad_signatures += 1
            return
        message = json.loads(body)
        self.deliveries.append((headers["Idempotency-Key"], message))
        self.acted.setdefault(headers["Idempotency-Key"], message["event"])


@contextmanager
def receiving() -> Iterator[tuple[Receiver, str]]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            receiver.handle(self.headers, body)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield receiver, f"http://127.0.0.1:{port}/hook"
    finally:
        server.shutdown()
        server.server_close()


def accord(data_dir: Path, *arguments: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "accord", *arguments],
        env={**os.environ, "ACCORD_DATA_DIR": str(data_dir)},
        input=stdin, text=True, capture_output=True, check=True,
    )  # fmt: skip
    return done.stdout


def wait_for(condition: Any, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_acknowledged_work_survives_kill_9_and_is_delivered_once(
    tmp_path: Path, corpus: Path
) -> None:
    data = tmp_path / "data"
    accord(data, "org", "create", "EC", "--kind", "election_authority")
    accord(
        data,
        "user",
        "create",
        "ada@ec.example",
        "--org",
        "EC",
        "--role",
        "reviewer",
        stdin=PASSWORD + "\n",
    )
    media = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    with receiving() as (receiver, hook):
        added = accord(data, "webhook", "add", "videoshare", hook, "--platform", "videoshare")
        receiver.secret = added.rsplit(": ", 1)[1].strip().encode()
        # 1. A notice is acknowledged; the server dies before triaging it.
        with serve(data, **SLOW) as served:
            sent = httpx.post(
                f"{served.base}/v1/notices",
                data={
                    "reason": "deceptive_ai_content",
                    "explanation": "A fake video of the candidate conceding.",
                    "good_faith": "true",
                    "notifier_name": "A. Voter",
                    "notifier_email": "voter@example.org",
                    "platform": "videoshare",
                    "platform_content_id": "v-1",
                },
                files={"file": (media.name, media.read_bytes(), "image/jpeg")},
            )
            assert sent.status_code == 201, sent.text
            os.kill(served.pid, signal.SIGKILL)
        receipt = sent.json()
        status_path = f"/v1/notices/{receipt['tracking_number']}"
        token = {NOTICE_TOKEN_HEADER: receipt["status_token"]}
        # 2. After a restart the notice is triaged; a decision is acknowledged, and the
        #    server dies before delivering it.
        with serve(data, **(FAST | {"outbox_poll_seconds": "3600"})) as served:
            wait_for(
                lambda: (
                    httpx.get(served.base + status_path, headers=token).json()["status"]
                    == "in_review"
                )
            )
            case = httpx.get(served.base + status_path, headers=token).json()["case"]
            signed = httpx.post(
                f"{served.base}/v1/session", json={"email": "ada@ec.example", "password": PASSWORD}
            )
            session = {
                "Cookie": f"{SESSION_COOKIE}={signed.cookies[SESSION_COOKIE]}",
                CSRF_HEADER: signed.json()["csrf_token"],
            }
            decided = httpx.post(
                f"{served.base}/v1/cases/{case}/decision",
                headers=session,
                json={
                    "action": "remove",
                    "ground_text": "Terms 4.2: deceptive synthetic media about elections",
                    "explanation": "The candidate never said this; the face is swapped.",
                },
            )
            assert decided.status_code == 201, decided.text
            os.kill(served.pid, signal.SIGKILL)
        assert receiver.deliveries == []
        # 3. After another restart the removal reaches the platform, signed, once.
        with serve(data, **FAST) as served:
            wait_for(lambda: "content.remove" in receiver.acted.values())
            assert (
                httpx.get(served.base + status_path, headers=token).json()["decision"]["action"]
                == "remove"
            )
        assert receiver.bad_signatures == 0
        # At least once on the wire, once in effect: a repeat carries the same key.
        assert list(receiver.acted.values()) == ["content.remove"]
