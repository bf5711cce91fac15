"""What a process reads of itself for the alerts: how current its bank indices are."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IndexReading:
    """How long since this process's indices reached the banks' feeds."""

    process: str
    seconds_since_sync: float


def this_process() -> str:
    """The key of this process's index incidents: each process holds its own indices."""
    return f"{socket.gethostname()} pid {os.getpid()}"
