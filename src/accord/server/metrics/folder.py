"""The folder where every worker of ``accord serve`` keeps its metric values
(prometheus_client's multiprocess mode), so that a scrape answered by any worker counts
the requests of all of them.

prometheus_client reads ``PROMETHEUS_MULTIPROC_DIR`` once, when it is first imported, so
``accord serve`` sets it before any worker starts (they inherit it) and before this
process imports it (with one worker, this process serves). This module never imports it
at its top for that reason.
"""

from __future__ import annotations

import os
from pathlib import Path

#: prometheus_client's own variable: where each process writes its values.
MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
#: The folder's name under the data directory.
FOLDER_NAME = "metrics"


def prepare_folder(data_dir: Path) -> Path:
    """Empty ``data_dir/metrics`` (values left by an earlier run would be counted again)
    and have this process and the workers it starts write their values there."""
    folder = data_dir / FOLDER_NAME
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink(missing_ok=True)
    os.environ[MULTIPROCESS_VARIABLE] = str(folder)
    return folder


def shared_folder() -> Path | None:
    """The folder this process's values go to, or None when it counts alone (tests, a
    server started another way than ``accord serve``)."""
    named = os.environ.get(MULTIPROCESS_VARIABLE)
    return Path(named) if named else None


def forget_dead_workers(folder: Path) -> list[int]:
    """Drop the live gauges of workers that have ended (uvicorn replaces a worker that
    died; its requests in progress ended with it); their counters stay counted. The
    worker ids that were dropped."""
    from prometheus_client import multiprocess  # noqa: PLC0415 - see the module's words

    dead = sorted({pid for pid in _live_gauge_writers(folder) if not _running(pid)})
    for pid in dead:
        # prometheus_client leaves this function's types out.
        multiprocess.mark_process_dead(pid, str(folder))  # type: ignore[no-untyped-call]
    return dead


def _live_gauge_writers(folder: Path) -> set[int]:
    # prometheus_client names them gauge_live<mode>_<pid>.db.
    pids = set()
    for path in folder.glob("gauge_live*_*.db"):
        number = path.stem.rsplit("_", 1)[1]
        if number.isdigit():
            pids.add(int(number))
    return pids


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process has that id now
        return True
    return True
