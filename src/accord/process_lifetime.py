"""Child processes that end with their parent, however the parent ends.

A parent killed with SIGKILL cannot stop its children: server workers left running keep
serving on the inherited socket, and decode workers keep their memory. Each child asks the
kernel to signal it when its parent dies.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

#: prctl(2): ask for a signal when the parent dies (Linux only).
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel send this process SIGTERM when its parent dies, and send it now if
    ``parent_pid`` died before asking (this process was then given another parent)."""
    if not sys.platform.startswith("linux"):
        return  # no PR_SET_PDEATHSIG elsewhere; the parent's own stop still ends workers
    libc = ctypes.CDLL(None, use_errno=True)
    # The signal comes when the thread that started this process ends: start children
    # from a thread that lives as long as the parent (uvicorn's main thread, or the
    # single-threaded forkserver that starts decode workers).
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"prctl(PR_SET_PDEATHSIG): {os.strerror(number)}")
    if os.getppid() != parent_pid:
        os.kill(os.getpid(), signal.SIGTERM)
