"""The webhooks' channel of the outbox: each message POSTed, signed, to its webhook, with
its ``Idempotency-Key``, and every try written to the delivery log."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import Select
from sqlalchemy.orm import Session

from accord.provenance.sealing import unseal_secret
from accord.server.db.base import utc_now
from accord.server.outbox.engine import Channel, Due, Outcome, Queue, Verdict
from accord.server.outbox.http import HttpClient
from accord.server.webhooks.models import DeliveryAttempt, MessageStatus, OutboxMessage, Webhook
from accord.server.webhooks.signing import SIGNATURE_HEADER, sign

#: Tries before a message is set aside as dead (about a day and a half of backoff).
MAX_ATTEMPTS = 12
_TIMEOUT_SECONDS = 10.0
_HTTP_OK_RANGE = range(200, 300)

WEBHOOK_QUEUE = Queue(
    name="webhooks",
    table=OutboxMessage,
    sent=MessageStatus.DELIVERED,
    dead=MessageStatus.DEAD,
    max_attempts=MAX_ATTEMPTS,
    actor="system:outbox",
)


@dataclass(frozen=True, slots=True)
class Message:
    """What delivering a message needs: where, the secret to sign with, and the body."""

    url: str
    sealed_secret: bytes
    event: str
    payload: dict[str, Any]
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class Exchange:
    """What one try saw: the receiver's HTTP status (None when none came) and how long."""

    status_code: int | None
    duration_ms: int


class WebhookChannel(Channel[OutboxMessage, Message, Exchange]):
    queue = WEBHOOK_QUEUE
    send_time = timedelta(seconds=2 * _TIMEOUT_SECONDS)
    thread_name = "accord-outbox"
    logger_name = "accord.webhooks"
    round_failed = "outbox delivery round failed"

    def __init__(self, master_key: str, client: httpx.Client | None = None) -> None:
        self._master_key = master_key
        self._http = HttpClient(_TIMEOUT_SECONDS, client)

    def due(self, query: Select[OutboxMessage]) -> Select[OutboxMessage]:
        # A paused webhook's messages wait, pending; one kept without a webhook is dead.
        return query.join(Webhook, Webhook.id == OutboxMessage.webhook_id).where(
            Webhook.enabled.is_(True)
        )

    def read(self, session: Session, row: OutboxMessage) -> Message:
        webhook = session.get(Webhook, row.webhook_id)
        assert webhook is not None  # noqa: S101 - joined in ``due``
        return Message(
            webhook.url, webhook.sealed_secret, row.event, row.payload, row.idempotency_key
        )

    def send(self, batch: Sequence[Due[Message]]) -> Mapping[int, Outcome[Exchange]]:
        return {due.id: self._post(due.id, due.item) for due in batch}

    def _post(self, message_id: int, message: Message) -> Outcome[Exchange]:
        body = json.dumps(
            {"id": message_id, "event": message.event, "data": message.payload},
            separators=(",", ":"),
            sort_keys=True,
        ).encode()
        secret = unseal_secret(message.sealed_secret, self._master_key)
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": message.idempotency_key,
            "X-Accord-Event": message.event,
            SIGNATURE_HEADER: sign(secret, int(time.time()), body),
        }
        started = time.perf_counter()
        status_code: int | None = None
        error = ""
        try:
            status_code = (
                self._http.get().post(message.url, content=body, headers=headers).status_code
            )
            if status_code not in _HTTP_OK_RANGE:
                error = f"the receiver answered HTTP {status_code}"
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__}: {failure}"
        exchange = Exchange(status_code, round((time.perf_counter() - started) * 1000))
        return Outcome(Verdict.RETRY if error else Verdict.SENT, error, exchange)

    def recorded(self, session: Session, row: OutboxMessage, outcome: Outcome[Exchange]) -> None:
        session.add(
            DeliveryAttempt(
                message_id=row.id,
                status_code=outcome.detail.status_code,
                error=outcome.reason,
                duration_ms=outcome.detail.duration_ms,
            )
        )
        if outcome.verdict == Verdict.SENT:
            row.delivered_at = utc_now()

    def close(self) -> None:
        self._http.close()
