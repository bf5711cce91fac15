"""The figures cache: fresh figures from memory, stale ones counted again, one count at a
time per period, a bounded number of periods, and one cache per app."""

from __future__ import annotations

import threading
from datetime import date
from types import SimpleNamespace
from typing import Any, cast
from zoneinfo import ZoneInfo

from accord.server.transparency.cache import FiguresCache, figures_cache
from accord.server.transparency.period import Period
from accord.server.transparency.schemas import Figures

ZONE = ZoneInfo("Europe/Brussels")
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30), ZONE, "November 2026")


#: Longest a test waits for another thread: far beyond need, short enough to fail fast.
WAIT_SECONDS = 10


class Counter:
    """Stands in for the query layer: counts its calls, returns a token per call; with a
    ``gate``, each call waits until the test opens it."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.calls = 0
        self.gate = gate
        self._lock = threading.Lock()

    def __call__(self) -> Figures:
        with self._lock:
            self.calls += 1
            made = self.calls
        if self.gate is not None:
            assert self.gate.wait(WAIT_SECONDS)
        return cast("Figures", ("figures", made))


def recounts_done() -> None:
    """Wait for the cache's background recounts to end."""
    for thread in threading.enumerate():
        if thread.name == "accord-transparency-recount":
            thread.join(WAIT_SECONDS)
            assert not thread.is_alive()


def test_fresh_figures_come_from_memory_and_stale_ones_are_counted_again() -> None:
    now = [100.0]
    cache = FiguresCache(300, clock=lambda: now[0])
    count = Counter()
    first = cache.get(NOVEMBER, count)
    now[0] += 299
    assert cache.get(NOVEMBER, count) is first
    assert count.calls == 1
    # The same days in the same zone, named otherwise, are the same figures.
    renamed = Period(NOVEMBER.first, NOVEMBER.last, ZONE, "1 to 30 November")
    assert cache.get(renamed, count) is first
    # Another zone counts other days.
    assert cache.get(Period(NOVEMBER.first, NOVEMBER.last, ZoneInfo("UTC")), count) != first
    now[0] += 2
    assert cache.get(NOVEMBER, count) != first
    assert count.calls == 3


def test_no_seconds_means_no_cache() -> None:
    cache, count = FiguresCache(0), Counter()
    cache.get(NOVEMBER, count)
    cache.get(NOVEMBER, count)
    assert count.calls == 2


def test_visitors_of_one_period_wait_for_one_count() -> None:
    gate = threading.Event()
    cache, count = FiguresCache(300), Counter(gate)
    answers: list[Any] = []
    threads = [
        threading.Thread(target=lambda: answers.append(cache.get(NOVEMBER, count)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    gate.set()  # the first count ends only once every visitor has come
    for thread in threads:
        thread.join(WAIT_SECONDS)
    assert count.calls == 1
    assert answers == [("figures", 1)] * 8


def test_the_least_recent_period_goes_first() -> None:
    cache, count = FiguresCache(300, size=2), Counter()
    december = Period(date(2026, 12, 1), date(2026, 12, 31), ZONE)
    october = Period(date(2026, 10, 1), date(2026, 10, 31), ZONE)
    cache.get(NOVEMBER, count)
    cache.get(december, count)
    cache.get(NOVEMBER, count)  # now the most recent
    cache.get(october, count)  # pushes December out
    assert count.calls == 3
    cache.get(NOVEMBER, count)
    assert count.calls == 3
    cache.get(december, count)
    assert count.calls == 4


def test_each_app_has_its_own_cache_made_on_first_use() -> None:
    one, other = SimpleNamespace(), SimpleNamespace()
    cache = figures_cache(one, 60)
    assert figures_cache(one, 60) is cache
    assert figures_cache(other, 60) is not cache
    assert cache.seconds == 60


def test_stale_figures_are_served_while_they_are_counted_again_in_the_background() -> None:
    now = [100.0]
    cache = FiguresCache(300, clock=lambda: now[0])
    count = Counter()
    gate = threading.Event()
    recount = Counter(gate)

    first = cache.get(NOVEMBER, count, recount=recount)
    now[0] += 301
    # Stale, at once: the recount is still held at its gate.
    assert cache.get(NOVEMBER, count, recount=recount) is first
    assert cache.get(NOVEMBER, count, recount=recount) is first
    gate.set()
    recounts_done()
    recounted = cache.get(NOVEMBER, count, recount=recount)
    assert recounted is not first
    assert cache.get(NOVEMBER, count, recount=recount) is recounted
    assert (count.calls, recount.calls) == (1, 1)  # one count, then one recount


def test_a_failed_recount_keeps_the_stale_figures() -> None:
    now = [100.0]
    cache = FiguresCache(300, clock=lambda: now[0])
    first = cache.get(NOVEMBER, Counter())
    now[0] += 301
    failures: list[int] = []

    def failing() -> Figures:
        failures.append(1)
        raise RuntimeError("the database went away")

    assert cache.get(NOVEMBER, Counter(), recount=failing) is first
    recounts_done()
    assert failures == [1]
    assert cache.get(NOVEMBER, Counter(), recount=failing) is first
