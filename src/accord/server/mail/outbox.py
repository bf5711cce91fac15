"""Queue emails in the caller's transaction and send them over SMTP, with retries.

Nothing is queued when no SMTP server is configured (``ACCORD_SMTP_HOST``): notifiers then
follow their notices on the status page only. A message is sent at least once: a server
killed between the SMTP server's acceptance and the recording of it sends it again.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord.server.db.base import utc_now
from accord.server.mail.models import MailMessage
from accord.server.settings import Settings
from accord.server.webhooks.outbox import backoff

MAX_ATTEMPTS = 12
BATCH = 50
_TIMEOUT_SECONDS = 20.0
_LEASE = timedelta(seconds=2 * _TIMEOUT_SECONDS)


def queue_mail(
    session: Session, settings: Settings, recipient: str, subject: str, body: str
) -> MailMessage | None:
    """An email for ``recipient``, sent once the caller commits; None when mail is off or
    there is nobody to write to."""
    if settings.smtp_host is None or "@" not in recipient:
        return None
    message = MailMessage(recipient=recipient.strip(), subject=subject[:300], body=body)
    session.add(message)
    session.flush()
    return message


@dataclass(frozen=True, slots=True)
class _Due:
    message_id: int
    recipient: str
    subject: str
    body: str


def send_due(sessions: sessionmaker[Session], settings: Settings) -> int:
    """Send every email due now; how many were tried."""
    tried = 0
    while due := _claim(sessions):
        for message in due:
            _send(sessions, settings, message)
        tried += len(due)
    return tried


def _claim(sessions: sessionmaker[Session]) -> list[_Due]:
    with sessions() as session:
        rows = session.scalars(
            select(MailMessage)
            .where(MailMessage.status == "pending", MailMessage.next_attempt_at <= utc_now())
            .order_by(MailMessage.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            row.next_attempt_at = utc_now() + _LEASE  # another process leaves it alone
        due = [_Due(row.id, row.recipient, row.subject, row.body) for row in rows]
        session.commit()
        return due


def _send(sessions: sessionmaker[Session], settings: Settings, due: _Due) -> None:
    error = ""
    try:
        _deliver(settings, due)
    except (OSError, smtplib.SMTPException) as failure:
        error = f"{type(failure).__name__}: {failure}"
    with sessions() as session:
        session.info["actor"] = "system:mail"
        message = session.get(MailMessage, due.message_id)
        if message is not None:
            message.attempts += 1
            message.last_error = error
            if not error:
                message.status, message.sent_at = "sent", utc_now()
            elif message.attempts >= MAX_ATTEMPTS:
                message.status = "dead"
            else:
                message.next_attempt_at = utc_now() + backoff(message.attempts)
        session.commit()


def _deliver(settings: Settings, due: _Due) -> None:
    assert settings.smtp_host is not None  # noqa: S101 - only queued when configured
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = due.recipient
    email["Subject"] = due.subject
    # The same id on every attempt, so a mail system can drop a repeat.
    email["Message-ID"] = make_msgid(idstring=f"accord-{due.message_id}", domain="accord")
    email.set_content(due.body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=_TIMEOUT_SECONDS) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(email)
