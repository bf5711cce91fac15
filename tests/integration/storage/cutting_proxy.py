"""A TCP proxy on loopback that forwards to a real server until it has sent a number of
bytes upstream, then cuts every connection and refuses new ones: the store going down in
the middle of a write, at a point the test chooses."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field


@dataclass
class CuttingProxy:
    upstream: tuple[str, int]
    #: Bytes forwarded upstream (all connections together) before the cut.
    cut_after: int
    listener: socket.socket = field(default_factory=socket.socket)
    sent: int = 0
    cut: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _sockets: list[socket.socket] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        host, port = self.listener.getsockname()
        return f"http://{host}:{port}"

    def serve(self) -> None:
        while not self.cut.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:  # the listener was closed: the cut
                return
            server = socket.create_connection(self.upstream)
            with self._lock:
                self._sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, upstream: bool) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                if upstream:
                    with self._lock:
                        self.sent += len(data)
                        over = self.sent > self.cut_after
                    if over:
                        self.close()
                        return
                target.sendall(data)

    def close(self) -> None:
        self.cut.set()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for each in [self.listener, *sockets]:
            with suppress(OSError):
                each.shutdown(socket.SHUT_RDWR)
            each.close()


@contextmanager
def cutting_proxy(upstream: str, cut_after: int) -> Iterator[CuttingProxy]:
    """A proxy to ``upstream`` (``http://host:port``) that cuts after ``cut_after`` bytes."""
    host, port = upstream.removeprefix("http://").rsplit(":", 1)
    proxy = CuttingProxy((host, int(port)), cut_after)
    proxy.listener.bind(("127.0.0.1", 0))
    proxy.listener.listen()
    thread = threading.Thread(target=proxy.serve, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.close()
        thread.join(timeout=5)
