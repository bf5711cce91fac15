"""The server's background fetch of every exchange, every ``ACCORD_EXCHANGE_POLL_SECONDS``."""

from __future__ import annotations

import logging

import httpx
from sqlalchemy.orm import Session, sessionmaker

from accord.server.background import BackgroundLoop
from accord.server.exchanges.fetch import fetch_all
from accord.server.exchanges.schemas import FetchLimits

logger = logging.getLogger("accord.exchanges")


class ExchangePoller(BackgroundLoop):
    """Fetches every exchange in turn; a failed fetch is logged (and kept in its
    ``last_error``) and the next round tries again from its checkpoint."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        master_key: str,
        limits: FetchLimits,
        interval_seconds: float,
    ) -> None:
        super().__init__("accord-exchanges", interval_seconds)
        self._sessions = sessions
        self._master_key = master_key
        self._limits = limits
        self._http: httpx.Client | None = None

    def step(self) -> None:
        try:
            if self._http is None:  # made on first use, in the loop's own thread
                self._http = httpx.Client(follow_redirects=False)
            fetch_all(self._sessions, self._http, master_key=self._master_key, limits=self._limits)
        except Exception:  # a bad round must not end the fetching for good
            logger.exception("exchange fetch round failed")

    def stop(self) -> None:
        super().stop()
        if self._http is not None:
            self._http.close()
            self._http = None
