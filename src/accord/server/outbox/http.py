"""The HTTP client of a channel that sends over HTTP."""

from __future__ import annotations

import httpx


class HttpClient:
    """The client a caller gave (and closes), or one made on first use, so that a process
    that never sends holds no connection pool, and closed with the channel."""

    def __init__(self, timeout_seconds: float, given: httpx.Client | None = None) -> None:
        self._timeout_seconds = timeout_seconds
        self._client = given
        self._own = given is None

    def get(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=self._timeout_seconds, follow_redirects=False)
        return self._client

    def close(self) -> None:
        if self._own and self._client is not None:
            self._client.close()
            self._client = None
