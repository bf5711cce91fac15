"""A background thread that sends the queued emails every few seconds."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from accord.server.background import BackgroundLoop
from accord.server.mail.outbox import send_due
from accord.server.settings import Settings

logger = logging.getLogger("accord.mail")


class Mailer(BackgroundLoop):
    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        super().__init__("accord-mail", settings.outbox_poll_seconds)
        self._sessions = sessions
        self._settings = settings

    def step(self) -> None:
        if self._settings.smtp_host is None:
            return
        try:
            send_due(self._sessions, self._settings)
        except Exception:  # a bad round must not end the sending for good
            logger.exception("mail round failed")
