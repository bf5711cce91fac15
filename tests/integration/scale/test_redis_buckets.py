"""``RedisBuckets`` against a real Redis: the Lua token bucket's allowance, refill and
expiry, its atomicity under many threads, and the node's own buckets while Redis is away."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from accord.errors import AccordError
from accord.server.rates import SharedBuckets
from accord.server.rates_redis import KEY_PREFIX, RedisBuckets
from tests.integration.scale.conftest import RedisServer, redis_database
from tests.integration.serving import closed_port


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_database() as url:
        yield url


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    found = redis.Redis.from_url(redis_url)
    yield found
    found.close()


def buckets_on(
    client: redis.Redis, folder: Path, *, refill_seconds: float = 60.0, retry: float = 1.0
) -> RedisBuckets:
    """Buckets under a key prefix of the test's own."""
    prefix = f"{KEY_PREFIX}test-{secrets.token_hex(4)}:"
    fallback = SharedBuckets(folder / "rate-limits", slots=64)
    return RedisBuckets(
        client, fallback, prefix=prefix, refill_seconds=refill_seconds, retry_seconds=retry
    )


def test_a_minute_allowance_then_the_wait_for_the_next_token(
    client: redis.Redis, tmp_path: Path
) -> None:
    buckets = buckets_on(client, tmp_path)
    assert [buckets.take("key:a", 3) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = buckets.take("key:a", 3)
    assert 19.0 < wait <= 20.0  # a token every 20 s
    assert buckets.take("key:b", 3) == 0.0  # another key, another bucket
    state = client.hgetall(buckets.prefix + "key:a")
    assert float(state[b"tokens"]) < 1.0


def test_tokens_come_back_with_time_and_a_full_bucket_is_forgotten(
    client: redis.Redis, tmp_path: Path
) -> None:
    # A refill in 1 s instead of a minute: 10 tokens a second.
    buckets = buckets_on(client, tmp_path, refill_seconds=1.0)
    assert all(buckets.take("login:192.0.2.1", 10) == 0.0 for _ in range(10))
    wait = buckets.take("login:192.0.2.1", 10)
    assert 0.0 < wait <= 0.1
    time.sleep(wait + 0.02)  # the time the bucket named
    assert buckets.take("login:192.0.2.1", 10) == 0.0
    # It expires once it would be full again: 1 s at most from now.
    key = buckets.prefix + "login:192.0.2.1"
    assert 0 < client.pttl(key) <= 1001
    deadline = time.monotonic() + 10
    while client.exists(key):
        assert time.monotonic() < deadline, "a full bucket stayed in Redis"
        time.sleep(0.05)


def test_many_threads_taking_from_one_key_never_exceed_the_allowance(
    client: redis.Redis, tmp_path: Path
) -> None:
    # A refill of an hour: within the test, at most a fraction of a token comes back.
    allowance, threads, takes = 100, 16, 25
    nodes = [buckets_on(client, tmp_path, refill_seconds=3600.0) for _ in range(2)]
    nodes[1].prefix = nodes[0].prefix  # two nodes, one Redis
    allowed = []
    start = threading.Barrier(threads)

    def take(number: int) -> None:
        start.wait()
        node = nodes[number % 2]
        mine = [node.take("key:shared", allowance) == 0.0 for _ in range(takes)]
        allowed.extend(mine)

    workers = [threading.Thread(target=take, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(allowed) == threads * takes
    assert sum(allowed) == allowance


def test_no_redis_at_start_is_one_readable_error(tmp_path: Path) -> None:
    fallback = SharedBuckets(tmp_path / "rate-limits", slots=64)
    with closed_port() as port, pytest.raises(AccordError) as raised:
        RedisBuckets.connect(f"redis://127.0.0.1:{port}/0", fallback)
    assert f"no Redis answers at ACCORD_REDIS_URL redis://127.0.0.1:{port}/0" in str(raised.value)
    with pytest.raises(AccordError, match="not a Redis URL"):
        RedisBuckets.connect("http://127.0.0.1:6379", fallback)
    fallback.close()


def test_while_redis_is_away_the_node_counts_alone_then_shares_again(
    redis_server: RedisServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="accord.rates")
    fallback = SharedBuckets(tmp_path / "rate-limits", slots=64)
    # Redis asked again every 0.2 s, sooner than a node does.
    buckets = RedisBuckets.connect(redis_server.url, fallback, retry_seconds=0.2)
    assert [buckets.take("key:k", 2) for _ in range(2)] == [0.0, 0.0]
    assert buckets.take("key:k", 2) > 0

    redis_server.stop()
    started = time.monotonic()
    # The node's own buckets count now: a full allowance there, then a wait.
    answers = [buckets.take("key:k", 2) for _ in range(3)]
    assert time.monotonic() - started < 2.0  # refused at once, not after timeouts
    assert answers[:2] == [0.0, 0.0]
    assert answers[2] > 0
    assert fallback.take("key:k", 2) > 0  # it was the fallback that counted

    redis_server.start()  # empty, on the same port
    deadline = time.monotonic() + 10
    while not buckets.answering:
        assert time.monotonic() < deadline, "never went back to Redis"
        buckets.take("key:other", 100)
        time.sleep(0.05)
    assert buckets.take("key:k", 2) == 0.0  # Redis' bucket: the new server has none spent
    shared = redis.Redis.from_url(redis_server.url)
    assert shared.exists(buckets.prefix + "key:k")
    shared.close()
    buckets.close()
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 2, warnings  # once when lost, once when back
    assert warnings[0].startswith("Redis does not answer")
    assert warnings[1].startswith("Redis answers again")
