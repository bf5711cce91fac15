"""Kill the server at the worst moment: every acknowledged notice, decision and pending
delivery is still there after a restart, and the platform acts once on each action."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from accord.server.auth.sessions import CSRF_HEADER, SESSION_COOKIE
from accord.server.notices.router import NOTICE_TOKEN_HEADER
from tests.authenticator import enrol_in
from tests.integration.serving import serve
from tests.webhook_receiver import receiving

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's
#: Settings of a server that would triage and deliver only in an hour: killed first.
SLOW = {"triage_poll_seconds": "3600", "outbox_poll_seconds": "3600"}
FAST = {"triage_poll_seconds": "0.2", "outbox_poll_seconds": "0.2"}


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
    phone = enrol_in(data, "ada@ec.example")["ada@ec.example"]  # reviewers need one
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
            credentials = {"email": "ada@ec.example", "password": PASSWORD, "code": phone.code()}
            signed = httpx.post(f"{served.base}/v1/session", json=credentials)
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
