"""The mail channel of the outbox: each email handed to the SMTP server on its own."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy.orm import Session

from accord.server.db.base import utc_now
from accord.server.mail.models import MailMessage
from accord.server.outbox.engine import Channel, Due, Outcome, Queue, Verdict
from accord.server.settings import Settings

#: Tries before an email is set aside as dead.
MAX_ATTEMPTS = 12
_TIMEOUT_SECONDS = 20.0

MAIL_QUEUE = Queue(
    name="mail",
    table=MailMessage,
    sent="sent",
    dead="dead",
    max_attempts=MAX_ATTEMPTS,
    actor="system:mail",
)


@dataclass(frozen=True, slots=True)
class Email:
    recipient: str
    subject: str
    body: str


class MailChannel(Channel[MailMessage, Email, None]):
    queue = MAIL_QUEUE
    send_time = timedelta(seconds=2 * _TIMEOUT_SECONDS)
    thread_name = "accord-mail"
    logger_name = "accord.mail"
    round_failed = "mail round failed"

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @property
    def active(self) -> bool:
        return self._settings.smtp_host is not None

    def read(self, session: Session, row: MailMessage) -> Email:  # noqa: ARG002
        return Email(row.recipient, row.subject, row.body)

    def send(self, batch: Sequence[Due[Email]]) -> Mapping[int, Outcome[None]]:
        return {due.id: self._send_one(due.id, due.item) for due in batch}

    def _send_one(self, message_id: int, email: Email) -> Outcome[None]:
        try:
            self._deliver(message_id, email)
        except (OSError, smtplib.SMTPException) as failure:
            return Outcome(Verdict.RETRY, f"{type(failure).__name__}: {failure}", None)
        return Outcome(Verdict.SENT, "", None)

    def _deliver(self, message_id: int, email: Email) -> None:
        settings = self._settings
        assert settings.smtp_host is not None  # noqa: S101 - only queued when configured
        message = EmailMessage()
        message["From"] = settings.mail_from
        message["To"] = email.recipient
        message["Subject"] = email.subject
        # The same id on every attempt, so a mail system can drop a repeat.
        message["Message-ID"] = make_msgid(idstring=f"accord-{message_id}", domain="accord")
        message.set_content(email.body)
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=_TIMEOUT_SECONDS) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
            smtp.send_message(message)

    def recorded(self, session: Session, row: MailMessage, outcome: Outcome[None]) -> None:  # noqa: ARG002
        if outcome.verdict == Verdict.SENT:
            row.sent_at = utc_now()
