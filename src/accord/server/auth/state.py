"""Per-process state of API key checks: who called, a key cache and token buckets."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from accord.server.auth.keys import Scope

#: Seconds a checked key is trusted without a database read; also how long a revocation
#: can take to reach a busy process.
KEY_CACHE_SECONDS = 5.0
#: Keys remembered at most; a flood of bad keys cannot grow the cache past this.
KEY_CACHE_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: an API key's name and scopes, or anonymous when keys are optional."""

    key_name: str | None
    scopes: frozenset[str]
    rate_limit_per_minute: int | None
    #: The platform a ``platform``-scoped key acts for.
    platform: str | None = None


ANONYMOUS = Caller(None, frozenset(scope.value for scope in Scope), None)


#: Buckets kept at most; past that they all start afresh.
MAX_BUCKETS = 100_000


class TokenBuckets:
    """Per-key token buckets: a minute's allowance that refills continuously."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str, per_minute: int) -> float:
        """Spend one token; returns 0 on success, else the seconds until one is available."""
        now = time.monotonic()
        rate = per_minute / 60.0
        with self._lock:
            if len(self._buckets) > MAX_BUCKETS and key not in self._buckets:
                self._buckets.clear()  # bounded memory, whatever the number of clients
            tokens, stamp = self._buckets.get(key, (float(per_minute), now))
            tokens = min(float(per_minute), tokens + (now - stamp) * rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return (1.0 - tokens) / rate
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0


class KeyCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Caller | None]] = {}

    def get(self, digest: str) -> tuple[bool, Caller | None]:
        with self._lock:
            found = self._entries.get(digest)
        if found is None or found[0] < time.monotonic():
            return False, None
        return True, found[1]

    def put(self, digest: str, caller: Caller | None) -> None:
        with self._lock:
            if len(self._entries) > KEY_CACHE_SIZE:
                self._entries.clear()
            self._entries[digest] = (time.monotonic() + KEY_CACHE_SECONDS, caller)


@dataclass(frozen=True)
class Guard:
    """The per-process state of API key checks."""

    keys: KeyCache
    buckets: TokenBuckets

    @classmethod
    def build(cls) -> Guard:
        return cls(KeyCache(), TokenBuckets())
