"""A stand-in for the DSA Transparency Database's submission API, for tests: it checks
the token and each statement (with accord's copy of the TDB's rules), stores them by puid,
and answers as the TDB does (201 with uuids, 422 refusing a whole batch, 302 for a known
puid)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from accord.errors import BadRequest
from accord.server.statements.schemas import StatementOfReasons

TOKEN = "tdb-test-token"  # noqa: S105 - the fake's own


@dataclass
class FakeTdb:
    url: str
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: puids it refuses as if invalid, and how many next requests fail with 500.
    refuse: set[str] = field(default_factory=set)
    fail_next: int = 0
    batches: list[int] = field(default_factory=list)

    def check(self, statement: dict[str, Any]) -> str | None:
        """Why the TDB would refuse ``statement``, or None."""
        try:
            StatementOfReasons.from_json(statement)
        except BadRequest as error:
            return error.detail
        puid = statement["puid"]
        if puid in self.refuse:
            return f"the puid {puid} is refused by this test"
        if puid in self.stored:
            return "The identifier given is not unique within this platform."
        return None

    def store(self, statement: dict[str, Any]) -> dict[str, Any]:
        receipt = statement | {"uuid": str(uuid.uuid4()), "created_at": "2026-12-01T04:00:00+00:00"}
        self.stored[statement["puid"]] = receipt
        return receipt


@contextmanager
def fake_tdb() -> Iterator[FakeTdb]:
    tdb = FakeTdb("")  # its url once the server has bound a port

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if not self._admitted():
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.path.endswith("/statements"):
                statements = body["statements"]
                tdb.batches.append(len(statements))
                problems = {i: tdb.check(s) for i, s in enumerate(statements)}
                if any(problems.values()):
                    errors = {f"statements.{i}": [p] for i, p in problems.items() if p}
                    self._answer(422, {"message": "invalid", "errors": errors})
                    return
                self._answer(201, {"statements": [tdb.store(s) for s in statements]})
                return
            problem = tdb.check(body)
            if problem:
                self._answer(422, {"message": problem, "errors": {"puid": [problem]}})
                return
            self._answer(201, tdb.store(body))

        def do_GET(self) -> None:
            if not self._admitted():
                return
            puid = self.path.rsplit("/", 1)[-1]
            if puid in tdb.stored:
                self._answer(302, {"message": "statement of reason found"})
            else:
                self._answer(404, {"message": "statement of reason not found"})

        def _admitted(self) -> bool:
            if tdb.fail_next > 0:
                tdb.fail_next -= 1
                self._answer(500, {"message": "server error"})
                return False
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._answer(401, {"message": "Unauthenticated."})
                return False
            return True

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: object) -> None:
            pass

    # Port 0: the kernel's pick as the server binds (a port found free beforehand may be
    # taken by another process before it binds).
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tdb.url = f"http://127.0.0.1:{server.server_address[1]}/api/v1"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield tdb
    finally:
        server.shutdown()
        server.server_close()
