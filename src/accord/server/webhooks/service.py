"""Webhooks, and the transactional outbox of messages for them: messages for platforms'
webhooks are written in the same transaction as the change that causes them, then
delivered, retried and logged by the outbox engine (``delivery`` is their channel).

Delivery is at least once: a server killed after the receiver answered but before the
answer was recorded sends the message again, with the same ``Idempotency-Key``, so the
receiver acts once. A message that keeps failing is retried with exponential backoff up to
``MAX_ATTEMPTS`` times, then set aside as dead, for an admin to replay.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import ColumnElement, Text, and_, cast, or_, select
from sqlalchemy.orm import Session, sessionmaker

from accord.errors import Conflict, NotFound
from accord.provenance.sealing import seal_secret
from accord.server.outbox.engine import OutboxStats, counts, listed, requeue, run_due
from accord.server.webhooks.delivery import MAX_ATTEMPTS, WEBHOOK_QUEUE, WebhookChannel
from accord.server.webhooks.models import MessageStatus, OutboxMessage, Webhook

__all__ = [
    "ALERTS_AUDIENCE",
    "ALERT_OPENED",
    "ALERT_RESOLVED",
    "MAX_ATTEMPTS",
    "MessageStatus",
    "WebhookChannel",
    "add_alert_webhook",
    "add_webhook",
    "deliver_due",
    "enqueue",
    "enqueue_for_platform",
    "later_about_same",
    "list_messages",
    "list_webhooks",
    "no_webhook_reason",
    "outbox_counts",
    "platforms_without_webhook",
    "replay",
    "set_enabled",
    "webhooks_for",
]

logger = logging.getLogger("accord.webhooks")

_SECRET_BYTES = 32

#: Operational alerts (``alerts``): an incident opened, and the same one cleared.
ALERT_OPENED = "alert.opened"
ALERT_RESOLVED = "alert.resolved"
#: The ``platform`` of alert recipients' webhooks: upper case, so never a platform's key
#: (``notices.service.platform_key`` lower-cases them) and no content action reaches them.
ALERTS_AUDIENCE = "Alerts"


def add_webhook(
    session: Session, name: str, url: str, master_key: str, *, platform: str = ""
) -> tuple[Webhook, str]:
    """A webhook and its new HMAC secret (hex), which is shown once and kept sealed.
    ``platform`` limits the content actions it receives to that platform's content."""
    if not url.startswith(("https://", "http://")):
        msg = f"a webhook URL must be http(s): {url!r}"
        raise Conflict(msg)
    if session.scalar(select(Webhook.id).where(Webhook.name == name)) is not None:
        raise Conflict(f"a webhook named {name!r} exists already")
    secret = secrets.token_hex(_SECRET_BYTES)
    webhook = Webhook(
        name=name,
        url=url,
        platform=platform.strip().lower(),
        sealed_secret=seal_secret(secret.encode(), master_key),
    )
    session.add(webhook)
    session.flush()
    return webhook, secret


def add_alert_webhook(
    session: Session, name: str, url: str, master_key: str
) -> tuple[Webhook, str]:
    """A webhook for alert events only (``ALERT_OPENED``, ``ALERT_RESOLVED``), and its secret."""
    webhook, secret = add_webhook(session, name, url, master_key)
    webhook.platform = ALERTS_AUDIENCE
    session.flush()
    return webhook, secret


def set_enabled(session: Session, name: str, *, enabled: bool) -> Webhook:
    """Pause a webhook (its messages wait, pending) or resume it."""
    webhook = session.scalar(select(Webhook).where(Webhook.name == name))
    if webhook is None:
        raise NotFound(f"no webhook is named {name!r}")
    webhook.enabled = enabled
    session.flush()
    return webhook


def list_webhooks(session: Session) -> list[Webhook]:
    """Every webhook, by name."""
    return list(session.scalars(select(Webhook).order_by(Webhook.name)))


def enqueue(
    session: Session, webhook_name: str, event: str, payload: dict[str, Any], *, platform: str = ""
) -> OutboxMessage:
    """Write a message for ``webhook_name`` in the caller's transaction."""
    webhook = session.scalar(select(Webhook).where(Webhook.name == webhook_name))
    if webhook is None:
        raise NotFound(f"no webhook is named {webhook_name!r}")
    return _write(session, webhook, event, payload, platform=platform)


def enqueue_for_platform(
    session: Session, platform: str, event: str, payload: dict[str, Any]
) -> list[OutboxMessage]:
    """Write a message for every webhook of ``platform`` or of every platform (a paused
    one's wait, pending). With no webhook at all, the message is kept dead with the reason,
    for an admin to see and send once one is added: it is never dropped."""
    webhooks = webhooks_for(session, platform)
    if not webhooks:
        return [_undeliverable(session, platform, event, payload)]
    return [_write(session, webhook, event, payload, platform=platform) for webhook in webhooks]


def webhooks_for(session: Session, platform: str) -> list[Webhook]:
    """The webhooks that hear about ``platform``'s content, paused ones included."""
    return list(
        session.scalars(
            select(Webhook).where(Webhook.platform.in_(["", platform])).order_by(Webhook.id)
        )
    )


def platforms_without_webhook(session: Session, platforms: Iterable[str]) -> list[str]:
    """Those of ``platforms`` that no webhook would tell about their content, sorted."""
    wanted = set(platforms)
    configured = set(
        session.scalars(select(Webhook.platform).where(Webhook.platform.in_([*wanted, ""])))
    )
    if "" in configured:
        return []
    return sorted(wanted - configured)


def no_webhook_reason(platform: str) -> str:
    where = f"platform {platform!r}" if platform else "content with no platform named"
    return f"no webhook configured for {where}"


def _write(
    session: Session, webhook: Webhook, event: str, payload: dict[str, Any], *, platform: str
) -> OutboxMessage:
    return _add(session, OutboxMessage(webhook_id=webhook.id), event, payload, platform)


def _undeliverable(
    session: Session, platform: str, event: str, payload: dict[str, Any]
) -> OutboxMessage:
    reason = no_webhook_reason(platform)
    logger.warning("outbox: %s is kept undelivered: %s", event, reason)
    kept = OutboxMessage(webhook_id=None, status=MessageStatus.DEAD, last_error=reason)
    return _add(session, kept, event, payload, platform)


def _add(
    session: Session, message: OutboxMessage, event: str, payload: dict[str, Any], platform: str
) -> OutboxMessage:
    message.platform, message.event, message.payload = platform, event, payload
    message.idempotency_key = secrets.token_hex(16)
    session.add(message)
    session.flush()
    return message


def replay(session: Session, message_id: int) -> OutboxMessage:
    """Send a dead (or delivered) message again, from a fresh count of attempts. One kept
    for want of a webhook goes to the webhooks its platform has now.

    Messages about one piece of content (or one account) keep their order: the later dead
    ones are sent again with it, after it; an older one is refused when a later one was
    sent already (a label replayed after its unlabel would restrict the content again)."""
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(f"no outbox message has the id {message_id}")
    later = later_about_same(session, message)
    sent = [other for other in later if other.status != MessageStatus.DEAD]
    if sent:
        raise Conflict(
            f"message {message.id} ({message.event}) is older than message {sent[0].id} "
            f"({sent[0].event}) about the same {_subject_word(message)}, which is "
            f"{sent[0].status} already: sending it now would undo what that one did"
        )
    for each in [message, *later]:  # oldest first: delivery goes in id order
        _resend(session, each)
    session.flush()
    return message


def later_about_same(session: Session, message: OutboxMessage) -> list[OutboxMessage]:
    """The messages after ``message`` for the same receiver about the same content or
    account, oldest first; none for a message about neither."""
    subject = _subject(message)
    if subject is None:
        return []
    if message.webhook_id is None:
        # Kept without a webhook, it goes to the platform's webhooks now: what they were
        # sent since is later than it too.
        receivers = [webhook.id for webhook in webhooks_for(session, message.platform)]
        same_receiver = or_(
            OutboxMessage.webhook_id.is_(None), OutboxMessage.webhook_id.in_(receivers)
        )
    else:
        same_receiver = OutboxMessage.webhook_id == message.webhook_id
    candidates = session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.id > message.id,
            OutboxMessage.platform == message.platform,
            same_receiver,
        )
        .order_by(OutboxMessage.id)
    )
    return [other for other in candidates if _subject(other) == subject]


def _subject(message: OutboxMessage) -> tuple[str, ...] | None:
    """What a message acts on, where the order of messages matters: a copy of content
    (``content.*``) or an account (``account.*``)."""
    payload = message.payload
    if message.event.startswith("content.") and isinstance(payload.get("item"), dict):
        item = payload["item"]
        where = str(item.get("platform_content_id") or item.get("url") or "")
        return ("content", message.platform, where, str(payload.get("media_sha256") or ""))
    if message.event.startswith("account.") and payload.get("account"):
        return ("account", message.platform, str(payload["account"]))
    return None


def _subject_word(message: OutboxMessage) -> str:
    return "account" if message.event.startswith("account.") else "content"


def _resend(session: Session, message: OutboxMessage) -> None:
    if message.webhook_id is None:
        _route(session, message)
    requeue(message)


def _route(session: Session, message: OutboxMessage) -> None:
    """Give a message kept without a webhook to its platform's first webhook, and a copy
    to each other one, as ``enqueue_for_platform`` would have."""
    webhooks = webhooks_for(session, message.platform)
    if not webhooks:
        raise Conflict(f"{no_webhook_reason(message.platform)} yet: add one, then send it again")
    first, *others = webhooks
    message.webhook_id = first.id
    for webhook in others:
        _write(session, webhook, message.event, message.payload, platform=message.platform)


def deliver_due(sessions: sessionmaker[Session], master_key: str, client: httpx.Client) -> int:
    """Deliver every message due now, one batch at a time; how many were tried."""
    return run_due(sessions, WebhookChannel(master_key, client))


def list_messages(session: Session, status: str | None = None) -> list[OutboxMessage]:
    """The outbox's messages, oldest first; only those with ``status`` when given."""
    return listed(session, WEBHOOK_QUEUE, status)


def outbox_counts(session: Session) -> OutboxStats:
    """How many messages wait, were delivered, or were set aside."""
    return counts(session, WEBHOOK_QUEUE)


def erase_expired_accounts(session: Session, cutoff: datetime) -> set[tuple[str, str]]:
    """Blank the uploader's account in messages sent (or given up) that were written
    before ``cutoff``; the (platform, account) pairs blanked."""
    messages = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.status.in_([MessageStatus.DELIVERED, MessageStatus.DEAD]),
            OutboxMessage.created_at < cutoff,
            # A cheap first sieve on the JSON's text (those blanked before read ``""``);
            # what follows decides.
            or_(*(_names_account(key) for key in ("account", "uploader"))),
        )
    )
    blanked: set[tuple[str, str]] = set()
    for message in messages:
        payload = dict(message.payload or {})
        item = dict(payload.get("item") or {})
        account = str(payload.get("account") or item.get("uploader") or "")
        if not account:
            continue
        if payload.get("account"):
            payload["account"] = ""
        if item.get("uploader"):
            payload["item"] = item | {"uploader": ""}
        message.payload = payload  # a new dict: the JSON column sees the change
        blanked.add((message.platform, account))
    session.flush()
    return blanked


def _names_account(key: str) -> ColumnElement[bool]:
    text = cast(OutboxMessage.payload, Text)
    return and_(text.contains(f'"{key}": "'), ~text.contains(f'"{key}": ""'))
