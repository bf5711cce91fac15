"""Serve on a socket bound before anything else, as ``uvicorn.run`` would on its own.

Binding first makes a busy port one plain line before the banner, not a JSON log line
after it, and tells the banner which port the system chose when asked for port 0.
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import os
import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from accord.cli.local import fail
from accord.process_lifetime import die_with_parent
from accord.server.logs import configure_logging

_BIND_PROBLEMS = {
    errno.EADDRINUSE: (
        "the address is already in use (another accord or program is running there; use --port)"
    ),
    errno.EACCES: "permission denied (ports below 1024 need privileges; use --port)",
    errno.EADDRNOTAVAIL: "this machine has no such address (use --host)",
}


class WorkerConfig(uvicorn.Config):
    """uvicorn's configuration, for the worker processes of ``accord serve --workers N``:
    each worker logs as a single process does, and dies with the parent that started it.

    Workers are spawned, not forked, so they start without the parent's log handlers: the
    request lines (INFO) would vanish and errors reach stderr as bare tracebacks. uvicorn
    calls ``configure_logging`` first thing in each worker, so accord's setup goes there.

    A parent killed with SIGKILL cannot stop its workers: left running, they keep serving
    on the inherited socket, and a restart on the same port fails (address in use).
    ``load`` runs first thing in each worker's server (never in the parent), so it is where
    a worker asks the kernel for SIGTERM (uvicorn's graceful stop) when its parent dies.
    """

    def __init__(self, *args: Any, log_setup: tuple[str, str], **kwargs: Any) -> None:
        #: accord's log level and format (``configure_logging``); set before uvicorn's own
        #: ``__init__``, which configures logging once already.
        self.log_setup = log_setup
        super().__init__(*args, **kwargs)
        #: The process that starts the workers (this one); pickled into each of them.
        self.parent_pid = os.getpid()

    def configure_logging(self) -> None:
        super().configure_logging()
        configure_logging(*self.log_setup)

    def load(self) -> None:
        if os.getpid() != self.parent_pid:
            die_with_parent(self.parent_pid)
        super().load()


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach ``host`` (a name other than localhost may
    resolve anywhere, so it counts as reachable from outside)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listen(host: str, port: int) -> socket.socket:
    """A socket bound as uvicorn binds one, or one plain line saying why it cannot be."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family=family)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
    try:
        listener.bind((host, port))
    except (OSError, OverflowError) as error:
        listener.close()
        raise fail(f"cannot listen on {host}:{port}: {_bind_problem(error)}") from None
    return listener


def serve(config: uvicorn.Config, listener: socket.socket) -> bool:
    """Run uvicorn's server, or its workers, on ``listener``; whether it started."""
    if config.workers > 1:
        listener.set_inheritable(True)
        _say_listening(config)  # where uvicorn.run says it for its workers: once bound
        Multiprocess(config, sockets=[listener]).run()
        return True
    server = _Server(config)
    server.run(sockets=[listener])
    return server.started


class _Server(uvicorn.Server):
    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            _say_listening(self.config)


def _say_listening(config: uvicorn.Config) -> None:
    # uvicorn writes this line only for a socket it bound itself; people and tools (our
    # tests among them) wait for it.
    logging.getLogger("uvicorn.error").info(
        "Uvicorn running on http://%s:%d (Press CTRL+C to quit)", config.host, config.port
    )


def _bind_problem(error: OSError | OverflowError) -> str:
    if isinstance(error, OverflowError):
        return "a port is a number from 0 to 65535"
    if isinstance(error, socket.gaierror):
        return "no such host name (use --host)"
    return _BIND_PROBLEMS.get(error.errno or 0, (error.strerror or str(error)).lower())
