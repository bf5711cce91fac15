"""State of API key checks: who called, a key cache (per process) and the rate limits
(shared by the node's processes, ``accord.server.rates``)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from accord.server.auth.keys import Scope
from accord.server.rates import RateLimiter

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
    """The state of API key checks: keys cached here, limits counted with the other
    processes (per key, and per address for callers without one)."""

    keys: KeyCache
    buckets: RateLimiter

    @classmethod
    def build(cls, buckets: RateLimiter) -> Guard:
        return cls(KeyCache(), buckets)
