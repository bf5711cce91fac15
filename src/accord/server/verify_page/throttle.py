"""A per-client-address rate limit for the public page, which has no API key to count by."""

from __future__ import annotations

from accord.server.rates import RateLimiter, client_key


class ClientLimiter:
    """The node's shared rate limits, counted by client address (``rates.client_key``)."""

    def __init__(self, limits: RateLimiter, per_minute: int) -> None:
        self.per_minute = per_minute
        self._limits = limits

    def take(self, client: str | None) -> float:
        """Spend one check; 0 when allowed, else the seconds until the next one is."""
        return self._limits.take(f"verify:{client_key(client)}", self.per_minute)
