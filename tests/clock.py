"""Tests that count days: keep them off the UTC midnight they would straddle."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from accord.server.db.base import utc_now

#: Longer than a slow test on a busy machine takes.
MARGIN = timedelta(minutes=2)


def clear_of_midnight(
    *,
    now: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Return at once if the UTC day has ``MARGIN`` left; else wait for the next day.

    A test that sets a date "two days from today" and has the server count the days later
    reads 1 if midnight passes in between: rare, and a failure nobody can reproduce.
    """
    current = now()
    midnight = datetime.combine(current.date() + timedelta(days=1), datetime.min.time(), UTC)
    if midnight - current < MARGIN:
        sleep((midnight - current).total_seconds() + 1)
