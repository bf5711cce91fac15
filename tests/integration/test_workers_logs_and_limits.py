"""``accord serve --workers 2`` logs as one process does, keeps personal data out of its
logs, and counts each address's limits once for the whole node, not once per worker."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx

from tests.integration.serving import Served, serve

WORKERS = ("--workers", "2")
#: Long enough for a busy machine to start both workers, or to triage once.
WAIT_SECONDS = 60.0
#: A notifier who must never appear in the logs.
NOTIFIER = {
    "notifier_name": "Annemarie Verhoeven-Quist",
    "notifier_email": "annemarie.quist@voters.example",
    "explanation": "This clip of my speech at the Zwolle rally was altered to say otherwise",
    "uploader": "uploader-handle-8841",
}


def both_workers_started(served: Served) -> None:
    """Wait until each worker says it started, so requests can reach either."""
    deadline = time.monotonic() + WAIT_SECONDS
    while sum("Application startup complete" in line for line in served.log) < 2:
        assert time.monotonic() < deadline, "".join(served.log)
        time.sleep(0.1)


def entries(served: Served) -> list[dict[str, Any]]:
    """The log's JSON records; any other line fails the test (the format was ignored)."""
    records = []
    for line in served.log:
        if line.startswith(("accord is serving on", "API docs:")):
            continue  # the banner, for a person
        assert line.startswith("{"), f"not a JSON log line: {line!r}"
        records.append(json.loads(line))
    return records


def logged(served: Served, wanted: dict[str, Any]) -> dict[str, Any]:
    """The first record with ``wanted``'s fields, once a worker has written it."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        for entry in entries(served):
            if all(entry.get(key) == value for key, value in wanted.items()):
                return entry
        assert time.monotonic() < deadline, f"never logged {wanted}:\n{''.join(served.log)}"
        time.sleep(0.2)


def refuse_inserts(database: Path, table: str) -> None:
    """From now on the server's database refuses new rows of ``table`` (a failing job)."""
    with sqlite3.connect(database) as connection:
        connection.execute(
            f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )


def send_notice(served: Served, number: int) -> httpx.Response:
    return httpx.post(
        f"{served.base}/v1/notices",
        data={
            "reason": "deceptive_ai_content",
            "good_faith": "true",
            "url": f"https://video.example/watch/{number}",
            **NOTIFIER,
        },
        timeout=30,
    )


def test_workers_log_requests_and_errors_as_json_without_personal_data(tmp_path: Path) -> None:
    with serve(tmp_path, arguments=WORKERS, triage_poll_seconds="0.2") as served:
        both_workers_started(served)
        request_ids = {
            httpx.get(f"{served.base}/healthz", timeout=30).headers["x-request-id"]
            for _ in range(6)
        }
        for request_id in request_ids:  # every worker's request lines, none lost
            line = logged(served, {"request_id": request_id})
            assert (line["logger"], line["path"], line["status"]) == (
                "accord.request",
                "/healthz",
                200,
            )

        # A background job that fails: triage cannot open a case for the notice.
        refuse_inserts(tmp_path / "accord.db", "cases")
        assert send_notice(served, 1).status_code == 201
        failed = logged(served, {"message": "triage round failed"})
        assert failed["level"] == "error"
        assert "Traceback (most recent call last)" in failed["exception"]
        assert "refused by the test" in failed["exception"]

        # A notice that fails as it is stored: the error's SQL must not carry its values.
        refuse_inserts(tmp_path / "accord.db", "notices")
        assert send_notice(served, 2).status_code == 500
        unhandled = logged(served, {"message": "unhandled error", "path": "/v1/notices"})
        assert "refused by the test" in unhandled["exception"]
        assert "INSERT INTO notices" in unhandled["exception"]

    log = "".join(served.log)
    for value in NOTIFIER.values():
        assert value not in log
    assert "@voters.example" not in log


def test_an_address_gets_its_limits_once_for_all_workers(tmp_path: Path) -> None:
    per_minute = 3
    settings = {
        "login_attempts_per_minute": str(per_minute),
        "verify_rate_limit_per_minute": str(per_minute),
    }
    with serve(tmp_path, arguments=WORKERS, **settings) as served:
        both_workers_started(served)
        wrong = {"email": "nobody@example.org", "password": "a guess"}
        # A new connection each time, so the workers take turns answering.
        sign_ins = [
            httpx.post(f"{served.base}/v1/session", json=wrong, timeout=30).status_code
            for _ in range(per_minute + 7)
        ]
        assert sign_ins == [401] * per_minute + [429] * 7
        checks = [
            httpx.post(
                f"{served.base}/verify", files={"file": ("x.bin", b"not media")}, timeout=30
            ).status_code
            for _ in range(per_minute + 7)
        ]
        assert 429 not in checks[:per_minute]
        assert checks[per_minute:] == [429] * 7
