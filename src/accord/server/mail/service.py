"""Queue emails in the caller's transaction; the outbox engine sends them over SMTP
(``smtp`` is their channel), with retries.

Nothing is queued when no SMTP server is configured (``ACCORD_SMTP_HOST``): notifiers then
follow their notices on the status page only. A message is sent at least once: a server
killed between the SMTP server's acceptance and the recording of it sends it again.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.server.mail.models import MailMessage
from accord.server.mail.smtp import MAIL_QUEUE, MAX_ATTEMPTS, MailChannel
from accord.server.outbox.engine import OutboxStats, counts, run_due
from accord.server.settings import Settings

__all__ = ["MAX_ATTEMPTS", "MailChannel", "outbox_counts", "queue_mail", "send_due"]


def outbox_counts(session: Session) -> OutboxStats:
    """How many emails wait, were sent, or were given up (for metrics)."""
    return counts(session, MAIL_QUEUE)


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


def send_due(sessions: sessionmaker[Session], settings: Settings) -> int:
    """Send every email due now; how many were tried."""
    return run_due(sessions, MailChannel(settings))


def erase_recipient(session: Session, address: str) -> int:
    """Delete every email to ``address`` (sent or not): an erasure of its owner."""
    wanted = address.strip().lower()
    messages = session.scalars(
        select(MailMessage).where(func.lower(MailMessage.recipient) == wanted)
    ).all()
    for message in messages:
        session.delete(message)
    session.flush()
    return len(messages)
