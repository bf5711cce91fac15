"""Rate limits: a minute's allowance per key, refilling; bounded however many clients."""

from __future__ import annotations

from accord.server.auth.state import MAX_BUCKETS, TokenBuckets


def test_a_key_gets_its_allowance_then_waits() -> None:
    buckets = TokenBuckets()
    assert [buckets.take("a", 3) for _ in range(3)] == [0.0] * 3
    assert 0 < buckets.take("a", 3) <= 20  # one token every 20 s
    assert buckets.take("b", 3) == 0.0  # other keys are not affected


def test_memory_stays_bounded_whatever_the_number_of_clients() -> None:
    buckets = TokenBuckets()
    for client in range(MAX_BUCKETS + 10):
        buckets.take(f"login:{client}", 10)
    assert len(buckets) <= MAX_BUCKETS + 1
