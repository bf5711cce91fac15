"""A background thread that delivers the outbox's due messages every few seconds."""

from __future__ import annotations

import logging
import threading

import httpx
from sqlalchemy.orm import Session, sessionmaker

from accord.server.webhooks.outbox import deliver_due

logger = logging.getLogger("accord.webhooks")


class Deliverer:
    def __init__(
        self, sessions: sessionmaker[Session], master_key: str, *, interval_seconds: float
    ) -> None:
        self._sessions = sessions
        self._master_key = master_key
        self._interval = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="accord-outbox", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        with httpx.Client(timeout=10.0, follow_redirects=False) as client:
            while not self._stop.is_set():
                try:
                    deliver_due(self._sessions, self._master_key, client)
                except Exception:  # a bad round must not end deliveries for good
                    logger.exception("outbox delivery round failed")
                self._stop.wait(self._interval)
