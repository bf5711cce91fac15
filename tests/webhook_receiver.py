"""A platform's webhook endpoint for tests: a real HTTP server that checks accord's
signatures and acts once per idempotency key."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from accord.server.webhooks.signing import SIGNATURE_HEADER, verify_signature


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

    def wait_for(self, event: str, seconds: float = 60.0) -> dict[str, Any]:
        """The data of the first delivered message of ``event``, once it arrives."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for _, message in list(self.deliveries):
                if message["event"] == event:
                    data: dict[str, Any] = message["data"]
                    return data
            time.sleep(0.1)
        raise AssertionError(f"no {event} message arrived; got {list(self.acted.values())}")


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

    # Port 0: the kernel's pick as the server binds (a port found free beforehand may be
    # taken by another process before it binds).
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield receiver, f"http://127.0.0.1:{port}/hook"
    finally:
        server.shutdown()
        server.server_close()
