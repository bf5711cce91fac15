"""A background thread that delivers the outbox's due messages every few seconds."""

from __future__ import annotations

import logging

import httpx
from sqlalchemy.orm import Session, sessionmaker

from accord.server.background import BackgroundLoop
from accord.server.webhooks.outbox import deliver_due

logger = logging.getLogger("accord.webhooks")

_TIMEOUT_SECONDS = 10.0


class Deliverer(BackgroundLoop):
    def __init__(
        self, sessions: sessionmaker[Session], master_key: str, *, interval_seconds: float
    ) -> None:
        super().__init__("accord-outbox", interval_seconds)
        self._sessions = sessions
        self._master_key = master_key
        #: Made by the first round, so that processes that never deliver hold none.
        self._client: httpx.Client | None = None

    def stop(self) -> None:
        super().stop()
        if self._client is not None:
            self._client.close()

    def step(self) -> None:
        if self._client is None:
            self._client = httpx.Client(timeout=_TIMEOUT_SECONDS, follow_redirects=False)
        try:
            deliver_due(self._sessions, self._master_key, self._client)
        except Exception:  # a bad round must not end deliveries for good
            logger.exception("outbox delivery round failed")
