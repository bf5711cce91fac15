"""Rate limits that every node shares: token buckets in Redis, each taken from by one
Lua script, so a take is atomic however many nodes and processes take at once.

The script reads Redis' own clock (``TIME``), never the caller's: nodes whose clocks
differ still count one bucket alike. A bucket expires once it would be full again, so
forgetting it loses nothing and Redis holds only the clients of the last minute.

Redis is a help, not a part the API may fail by: when it stops answering, each node
counts in its own file buckets (``rates.SharedBuckets``: the limits are then per node),
logs it once, asks Redis again every ``RETRY_SECONDS``, and goes back to it once it
answers. A client is never refused, nor answered 500, because of Redis.
"""

from __future__ import annotations

import logging
import threading
import time

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from accord.errors import AccordError
from accord.server.rates import REFILL_SECONDS, RateLimiter

logger = logging.getLogger("accord.rates")

#: Where the buckets' keys start (the database is the URL's: ``redis://host:port/db``).
KEY_PREFIX = "accord:rate:"
#: How long a take waits for Redis before the node counts it alone: on one network Redis
#: answers in a millisecond, and a request must not wait long on a limit.
TIMEOUT_SECONDS = 0.25
#: While Redis does not answer, how often one take asks it again.
RETRY_SECONDS = 1.0

#: KEYS[1]: the bucket. ARGV[1]: its allowance, ARGV[2]: the seconds it takes to refill.
#: Returns the seconds until a token is free (0: one was taken), as a string: Redis
#: would cut a number to an integer.
TAKE_SCRIPT = """
if redis.replicate_commands then redis.replicate_commands() end
local allowance = tonumber(ARGV[1])
local rate = allowance / tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local held = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(held[1]), tonumber(held[2])
if tokens == nil or at == nil then
  tokens, at = allowance, now
end
tokens = math.min(allowance, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens < 1 then
  wait = (1 - tokens) / rate
else
  tokens = tokens - 1
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens),
           'at', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((allowance - tokens) / rate * 1000) + 1)
return string.format('%.6f', wait)
"""


class RedisBuckets:
    """Token buckets in Redis, shared by every node that uses the same database; the
    node's own ``fallback`` buckets count while Redis does not answer."""

    def __init__(
        self,
        client: redis.Redis,
        fallback: RateLimiter,
        *,
        prefix: str = KEY_PREFIX,
        refill_seconds: float = REFILL_SECONDS,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self._client = client
        self._script = client.register_script(TAKE_SCRIPT)
        self.fallback = fallback
        self.prefix = prefix
        self._refill = refill_seconds
        self._retry = retry_seconds
        self._lock = threading.Lock()
        #: When Redis may be asked again (monotonic); None while it answers.
        self._asking_at: float | None = None

    @classmethod
    def connect(
        cls, url: str, fallback: RateLimiter, *, retry_seconds: float = RETRY_SECONDS
    ) -> RedisBuckets:
        """Buckets in the Redis at ``url``; raises ``AccordError`` (one line) if the URL
        is not Redis' or no Redis answers there now."""
        return cls(answering_client(url), fallback, retry_seconds=retry_seconds)

    @property
    def answering(self) -> bool:
        """Whether Redis answered the last take (else the fallback counts)."""
        return self._asking_at is None

    def take(self, key: str, per_minute: int) -> float:
        if not self._should_ask():
            return self.fallback.take(key, per_minute)
        try:
            wait = float(self._script(keys=[self.prefix + key], args=[per_minute, self._refill]))
        except redis.RedisError as error:
            self._lost(error)
            return self.fallback.take(key, per_minute)
        self._found()
        return wait

    def _should_ask(self) -> bool:
        """Whether to ask Redis now: always while it answers; during an outage, one take
        every ``retry_seconds`` (the others go on counting in the fallback meanwhile)."""
        asking_at = self._asking_at
        if asking_at is None:
            return True
        now = time.monotonic()
        if now < asking_at:
            return False
        with self._lock:
            if self._asking_at != asking_at:  # another take asks, or Redis answered
                return self._asking_at is None
            self._asking_at = now + self._retry
            return True

    def _lost(self, error: redis.RedisError) -> None:
        with self._lock:
            first = self._asking_at is None
            self._asking_at = time.monotonic() + self._retry
        if first:
            logger.warning(
                "Redis does not answer (%s): this node counts rate limits alone until it does",
                error,
            )

    def _found(self) -> None:
        if self._asking_at is None:
            return
        with self._lock:
            back = self._asking_at is not None
            self._asking_at = None
        if back:
            logger.warning("Redis answers again: rate limits are shared by the nodes again")

    def close(self) -> None:
        self._client.close()
        self.fallback.close()


def answering_client(url: str) -> redis.Redis:
    """A client of the Redis at ``url``, which has just answered; raises ``AccordError``
    (one line) if the URL is not Redis' or no Redis answers there now."""
    try:
        client = redis.Redis.from_url(
            url,
            socket_timeout=TIMEOUT_SECONDS,
            socket_connect_timeout=TIMEOUT_SECONDS,
            # One try: a take that fails counts in the fallback at once.
            retry=Retry(NoBackoff(), 0),
        )
    except ValueError as error:
        raise AccordError(f"ACCORD_REDIS_URL is not a Redis URL: {error}") from None
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        raise AccordError(
            f"no Redis answers at ACCORD_REDIS_URL {_shown(url)} ({error}); start it, "
            "or leave ACCORD_REDIS_URL empty to count rate limits per node"
        ) from None
    return client


def check_redis(url: str) -> None:
    """Raise ``AccordError`` (one line) unless a Redis answers at ``url`` now: for
    ``accord serve`` to refuse to start before its workers do."""
    answering_client(url).close()


def _shown(url: str) -> str:
    """``url`` without its password, for a message."""
    scheme, separator, rest = url.partition("://")
    credentials, at, place = rest.rpartition("@")
    if not separator or not at:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{place}" if ":" in credentials else url
