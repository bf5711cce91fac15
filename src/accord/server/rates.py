"""Rate limits that every process of one node shares: token buckets in one small file
that each process maps into memory, changed under a file lock.

Per-process buckets would give each address its allowance once per worker (``accord
serve --workers 4``: four times its sign-in attempts). The database could hold them too,
but each API request would then write to it and wait behind its long writes; a mapped file
costs a few microseconds and needs no service. Several nodes share their limits through
Redis when ``ACCORD_REDIS_URL`` is set (``rates_redis``), with these buckets as each
node's fallback; without it, each node counts alone.
"""

from __future__ import annotations

import fcntl
import hashlib
import ipaddress
import mmap
import os
import struct
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from accord.server.settings import Settings

#: A bucket: the key's 8-byte digest (0: free), its tokens, and when they were counted.
_SLOT = struct.Struct("<Qdd")
#: Buckets in the file (3 MiB): far more than the clients active within one minute.
SLOTS = 1 << 17
#: Neighbouring slots a key may take; past that, the stalest bucket among them is reused.
PROBES = 8
#: A bucket untouched this long is full again, so reusing its slot forgets nothing.
REFILL_SECONDS = 60.0


class RateLimiter(Protocol):
    """Token buckets by key: a minute's allowance that refills continuously."""

    def take(self, key: str, per_minute: int) -> float:
        """Spend one token of ``key``; 0 when allowed, else the seconds until one is."""
        ...

    def close(self) -> None:
        """Let go of what it holds (a file, a connection)."""
        ...


class SharedBuckets:
    """Token buckets in a file mapped by every process that opens ``path``.

    ``fcntl.flock`` keeps the processes apart, a thread lock the threads of one process
    (they share the file's lock). Time is the wall clock, the one all processes agree on;
    a clock set back only makes a bucket wait for its refill from the new time.
    """

    def __init__(self, path: Path, *, slots: int = SLOTS) -> None:
        self.path = path
        self._slots = slots
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        size = slots * _SLOT.size
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                # Only ever grown: another process may have it mapped. Buckets left by
                # an earlier run are still right (wall-clock stamps), so a restart keeps them.
                if os.fstat(self._fd).st_size < size:
                    os.ftruncate(self._fd, size)
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            self._map = mmap.mmap(self._fd, size)
        except BaseException:
            os.close(self._fd)
            raise

    def take(self, key: str, per_minute: int) -> float:
        digest = _digest(key)
        rate = per_minute / REFILL_SECONDS
        first = digest % self._slots
        with self._lock:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                now = time.time()
                offset = self._slot_of(digest, first, now)
                found, tokens, stamp = _SLOT.unpack_from(self._map, offset)
                if found != digest:
                    tokens, stamp = float(per_minute), now
                tokens = min(float(per_minute), tokens + max(0.0, now - stamp) * rate)
                wait = 0.0
                if tokens < 1.0:
                    wait = (1.0 - tokens) / rate
                else:
                    tokens -= 1.0
                _SLOT.pack_into(self._map, offset, digest, tokens, now)
                return wait
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _slot_of(self, digest: int, first: int, now: float) -> int:
        """The offset of ``digest``'s bucket, else of a free or the stalest slot near it
        (a free one, or one full again, is reused without forgetting anything)."""
        spare, spare_stamp = -1, float("inf")
        for step in range(PROBES):
            offset = ((first + step) % self._slots) * _SLOT.size
            found, _tokens, stamp = _SLOT.unpack_from(self._map, offset)
            if found == digest:
                return offset
            stamp = -1.0 if found == 0 or now - stamp >= REFILL_SECONDS else stamp
            if stamp < spare_stamp:
                spare, spare_stamp = offset, stamp
        return spare

    def close(self) -> None:
        with self._lock:
            if not self._map.closed:
                self._map.close()
                os.close(self._fd)


def open_rate_limiter(settings: Settings) -> RateLimiter:
    """The buckets the node counts in: its file, shared with the other nodes through Redis
    when ``settings.redis_url`` is set (the file then counts while Redis does not answer).
    Raises ``AccordError`` when no Redis answers at that URL now."""
    buckets = SharedBuckets(settings.rate_limits_file)
    if not settings.redis_url:
        return buckets
    # Imported here: a node without Redis never loads its client.
    from accord.server.rates_redis import RedisBuckets  # noqa: PLC0415

    try:
        return RedisBuckets.connect(settings.redis_url, buckets)
    except BaseException:
        buckets.close()
        raise


def _digest(key: str) -> int:
    # Never 0, which marks a free slot.
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest()) or 1


def client_key(host: str | None) -> str:
    """A client address as a rate limit counts it: an IPv6 client can use a whole /64,
    so that is what one bucket covers."""
    if host is None:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
