"""The server's background check of the alert conditions, every ``ACCORD_ALERT_CHECK_SECONDS``."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from accord.server.alerts.readings import IndexReading, this_process
from accord.server.background import BackgroundLoop
from accord.server.db.base import utc_now
from accord.server.settings import Settings

logger = logging.getLogger("accord.alerts")

#: Seconds since this process's indices last synced; None before the first sync.
IndexAge = Callable[[Session], float | None]


class AlertLoop(BackgroundLoop):
    """Evaluates the conditions in every process: the database's once per incident
    whichever process sees them first, and each process its own indices."""

    def __init__(
        self, sessions: sessionmaker[Session], settings: Settings, index_age: IndexAge
    ) -> None:
        super().__init__("accord-alerts", settings.alert_check_seconds)
        self._sessions = sessions
        self._settings = settings
        self._index_age = index_age
        self._started = time.monotonic()

    def step(self) -> None:
        # Imported here: the domains' services it reads import the runtime, which holds
        # this loop.
        from accord.server.alerts.service import evaluate  # noqa: PLC0415

        try:
            with self._sessions() as session:
                evaluate(session, self._settings, utc_now(), index=self._reading(session))
                session.commit()
        except Exception:  # a bad round must not end the checking for good
            logger.exception("alert check failed")

    def _reading(self, session: Session) -> IndexReading:
        age = self._index_age(session)
        # Never synced: as stale as the process is old.
        seconds = time.monotonic() - self._started if age is None else age
        return IndexReading(this_process(), seconds)
