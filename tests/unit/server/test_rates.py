"""Rate limits shared by the processes of one node: token buckets in a mapped file."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from accord.server.rates import PROBES, SharedBuckets, client_key

#: The most one take may cost on a busy test machine (it measures about 5 µs).
MAX_TAKE_SECONDS = 200e-6


@pytest.fixture
def buckets(tmp_path: Path) -> Iterator[SharedBuckets]:
    shared = SharedBuckets(tmp_path / "rate-limits")
    yield shared
    shared.close()


def test_a_key_gets_its_allowance_then_waits(buckets: SharedBuckets) -> None:
    assert [buckets.take("a", 3) for _ in range(3)] == [0.0] * 3
    assert 0 < buckets.take("a", 3) <= 20  # one token every 20 s
    assert buckets.take("b", 3) == 0.0  # other keys are not affected


def test_two_openers_of_one_file_share_the_allowance(tmp_path: Path) -> None:
    first, second = SharedBuckets(tmp_path / "limits"), SharedBuckets(tmp_path / "limits")
    try:
        assert [first.take("login:198.51.100.1", 4) for _ in range(2)] == [0.0, 0.0]
        assert [second.take("login:198.51.100.1", 4) for _ in range(2)] == [0.0, 0.0]
        assert first.take("login:198.51.100.1", 4) > 0
        assert second.take("login:198.51.100.1", 4) > 0
    finally:
        first.close()
        second.close()


def _spend(path: Path, times: int, allowed: multiprocessing.Queue[int]) -> None:
    shared = SharedBuckets(path)
    allowed.put(sum(shared.take("verify:203.0.113.7", 30) == 0.0 for _ in range(times)))
    shared.close()


def test_processes_racing_for_one_key_get_exactly_its_allowance(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    allowed: multiprocessing.Queue[int] = context.Queue()
    workers = [
        context.Process(target=_spend, args=(tmp_path / "limits", 25, allowed)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    counts = [allowed.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    # 100 takes within far less than the 2 s one token takes to come back.
    assert sum(counts) == 30


def test_the_allowance_refills_with_time(
    buckets: SharedBuckets, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1_000_000.0]
    monkeypatch.setattr("accord.server.rates.time.time", lambda: now[0])
    assert [buckets.take("k", 60) for _ in range(60)] == [0.0] * 60
    assert buckets.take("k", 60) == pytest.approx(1.0)
    now[0] += 1.0
    assert buckets.take("k", 60) == 0.0
    now[0] -= 30  # a clock set back: no tokens from it, nor a failure
    assert buckets.take("k", 60) > 0


def test_a_crowded_neighbourhood_reuses_the_stalest_bucket(tmp_path: Path) -> None:
    small = SharedBuckets(tmp_path / "small", slots=PROBES)  # every key shares the probes
    try:
        for key in range(PROBES):
            assert small.take(f"k{key}", 1) == 0.0
        assert small.take("another", 1) == 0.0  # takes the stalest slot (k0's)
        assert small.take("k1", 1) > 0  # the rest keep their counts
        assert small.take("k0", 1) == 0.0  # forgotten: a fresh allowance
    finally:
        small.close()


def test_a_take_costs_microseconds(
    buckets: SharedBuckets, record_property: Callable[[str, object], None]
) -> None:
    takes = 20_000
    started = time.perf_counter()
    for number in range(takes):
        buckets.take(f"login:10.0.{number % 250}.{number % 7}", 10)
    per_take = (time.perf_counter() - started) / takes
    record_property("take_microseconds", round(per_take * 1e6, 1))
    assert per_take < MAX_TAKE_SECONDS


def test_client_keys_group_an_ipv6_network() -> None:
    assert client_key("203.0.113.9") == "203.0.113.9"
    assert client_key("::ffff:203.0.113.9") == "203.0.113.9"
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::2")
    assert client_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("testclient") == "testclient"
    assert client_key(None) == "unknown"
