"""The helper that keeps day-counting tests off midnight."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.clock import clear_of_midnight


@pytest.mark.parametrize(
    ("now", "slept"),
    [
        (datetime(2026, 12, 6, 12, 0, tzinfo=UTC), []),
        (datetime(2026, 12, 6, 23, 57, 59, tzinfo=UTC), []),
        (datetime(2026, 12, 6, 23, 59, 30, tzinfo=UTC), [31.0]),
    ],
)
def test_it_waits_only_near_midnight(now: datetime, slept: list[float]) -> None:
    sleeps: list[float] = []
    clear_of_midnight(now=lambda: now, sleep=sleeps.append)
    assert sleeps == slept
