"""A per-client-address rate limit for the public page, which has no API key to count by."""

from __future__ import annotations

import ipaddress
import threading

from accord.server.auth.state import TokenBuckets

#: Buckets are started afresh after this many checks, so a flood from many addresses
#: cannot grow memory without bound; each client then gets one fresh minute's allowance.
MAX_CLIENTS = 100_000


class ClientLimiter:
    """The API keys' token buckets, keyed by client address instead of key."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._lock = threading.Lock()
        self._buckets = TokenBuckets()
        self._taken = 0

    def take(self, client: str | None) -> float:
        """Spend one check; 0 when allowed, else the seconds until the next one is."""
        with self._lock:
            self._taken += 1
            if self._taken > MAX_CLIENTS:
                self._buckets, self._taken = TokenBuckets(), 1
            buckets = self._buckets
        return buckets.take(client_key(client), self.per_minute)


def client_key(host: str | None) -> str:
    """An IPv6 client can use a whole /64, so that is what one bucket covers."""
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
