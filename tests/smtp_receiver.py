"""A minimal SMTP server for tests: it accepts every message and keeps it, so tests check
what accord sends without a mail system (no TLS, no authentication)."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage


class _Session(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        self._reply("220 test SMTP ready")
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self._reply("250 test")
            elif command.startswith(("MAIL FROM", "RCPT TO", "RSET", "NOOP")):
                self._reply("250 OK")
            elif command == "DATA":
                self._reply("354 go on")
                self._read_message()
                self._reply("250 queued")
            elif command == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("502 not implemented")

    def _read_message(self) -> None:
        lines = []
        while (line := self.rfile.readline()) not in {b".\r\n", b".\n", b""}:
            lines.append(line[1:] if line.startswith(b"..") else line)  # dot-unstuffing
        parsed = message_from_bytes(b"".join(lines), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.server.received.append(parsed)

    def _reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    received: list[EmailMessage]


@contextmanager
def smtp_server() -> Iterator[tuple[int, list[EmailMessage]]]:
    """The port of a running SMTP server and the list its messages arrive in."""
    # Port 0: the kernel's pick as the server binds (a port found free beforehand may be
    # taken by another process before it binds).
    server = _Server(("127.0.0.1", 0), _Session)
    port: int = server.server_address[1]
    server.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield port, server.received
    finally:
        server.shutdown()
        server.server_close()
