"""A background thread per channel that sends its due rows every few seconds."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from accord.server.background import BackgroundLoop
from accord.server.outbox.engine import Channel, run_due


class OutboxLoop(BackgroundLoop):
    def __init__(
        self,
        sessions: sessionmaker[Session],
        channel: Channel[Any, Any, Any],
        *,
        interval_seconds: float,
    ) -> None:
        super().__init__(channel.thread_name, interval_seconds)
        self._sessions = sessions
        self.channel = channel

    def stop(self) -> None:
        super().stop()
        self.channel.close()

    def step(self) -> None:
        if not self.channel.active:
            return
        try:
            run_due(self._sessions, self.channel)
        except Exception:  # a bad round must not end the sending for good
            logging.getLogger(self.channel.logger_name).exception(self.channel.round_failed)
