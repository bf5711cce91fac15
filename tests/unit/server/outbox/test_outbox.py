"""The webhook outbox: written with the change, delivered signed, retried with backoff,
set aside when it keeps failing, replayed by an admin, and never lost."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from accord.errors import Conflict, CredentialError
from accord.provenance.sealing import seal_secret, unseal_secret
from accord.server.db.base import utc_now
from accord.server.db.engine import make_engine, make_session_factory
from accord.server.outbox.engine import backoff
from accord.server.webhooks.models import DeliveryAttempt, MessageStatus, OutboxMessage
from accord.server.webhooks.service import (
    MAX_ATTEMPTS,
    add_webhook,
    deliver_due,
    enqueue,
    enqueue_for_platform,
    replay,
)
from accord.server.webhooks.signing import SIGNATURE_HEADER, sign, verify_signature

MASTER_KEY = "the outbox tests' master key"


class Receiver:
    """A platform's webhook endpoint on loopback: it records requests and answers with
    the statuses it is told, then 200."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver()
    yield started
    started.close()


def webhook_with_message(sessions: sessionmaker[Session], url: str) -> tuple[str, int]:
    with sessions() as session, session.begin():
        _, secret = add_webhook(session, "platform", url, MASTER_KEY)
        message = enqueue(session, "platform", "decision.remove", {"content_id": "abc"})
        return secret, message.id


def deliver(sessions: sessionmaker[Session]) -> int:
    with httpx.Client(timeout=5) as client:
        return deliver_due(sessions, MASTER_KEY, client)


def message(sessions: sessionmaker[Session], message_id: int) -> OutboxMessage:
    with sessions() as session:
        found = session.get(OutboxMessage, message_id)
        assert found is not None
        return found


def make_due(sessions: sessionmaker[Session]) -> None:
    """Let the backoff pass."""
    with sessions() as session, session.begin():
        session.execute(update(OutboxMessage).values(next_attempt_at=utc_now()))


def test_a_message_is_delivered_once_signed_with_its_idempotency_key(
    sessions: sessionmaker[Session], receiver: Receiver
) -> None:
    secret, message_id = webhook_with_message(sessions, receiver.url)
    assert deliver(sessions) == 1
    assert deliver(sessions) == 0  # delivered: not sent again
    [(headers, body)] = receiver.requests
    assert verify_signature(secret.encode(), headers[SIGNATURE_HEADER], body, now=int(time.time()))
    assert json.loads(body) == {
        "id": message_id,
        "event": "decision.remove",
        "data": {"content_id": "abc"},
    }
    sent = message(sessions, message_id)
    assert headers["Idempotency-Key"] == sent.idempotency_key
    assert (sent.status, sent.attempts) == (MessageStatus.DELIVERED, 1)


def test_failures_are_retried_with_backoff_under_the_same_key(
    sessions: sessionmaker[Session], receiver: Receiver
) -> None:
    _, message_id = webhook_with_message(sessions, receiver.url)
    receiver.answers = [500, 503]
    failed_after = utc_now()
    deliver(sessions)
    waiting = message(sessions, message_id)
    assert (waiting.status, waiting.attempts) == (MessageStatus.PENDING, 1)
    assert "HTTP 500" in waiting.last_error
    # Bounds, not a slack: however long the failure took on a busy machine.
    assert failed_after + backoff(1) <= waiting.next_attempt_at <= utc_now() + backoff(1)
    assert deliver(sessions) == 0  # not due yet
    for _ in range(2):
        make_due(sessions)
        deliver(sessions)
    assert message(sessions, message_id).status == MessageStatus.DELIVERED
    assert len({headers["Idempotency-Key"] for headers, _ in receiver.requests}) == 1
    with sessions() as session:
        # In the order they were made: without ORDER BY a database may answer in any order.
        query = select(DeliveryAttempt.status_code).order_by(DeliveryAttempt.id)
        attempts = session.scalars(query).all()
    assert attempts == [500, 503, 200]


def test_a_message_that_keeps_failing_is_set_aside_and_can_be_replayed(
    sessions: sessionmaker[Session], receiver: Receiver
) -> None:
    _, message_id = webhook_with_message(sessions, receiver.url)
    receiver.answers = [500] * MAX_ATTEMPTS
    for _ in range(MAX_ATTEMPTS + 2):
        make_due(sessions)
        deliver(sessions)
    dead = message(sessions, message_id)
    assert (dead.status, dead.attempts) == (MessageStatus.DEAD, MAX_ATTEMPTS)
    with sessions() as session, session.begin():
        replay(session, message_id)
    deliver(sessions)
    assert message(sessions, message_id).status == MessageStatus.DELIVERED


def test_an_unreachable_receiver_is_an_error_not_a_crash(sessions: sessionmaker[Session]) -> None:
    closed = Receiver()
    url = closed.url
    closed.close()
    _, message_id = webhook_with_message(sessions, url)
    assert deliver(sessions) == 1
    waiting = message(sessions, message_id)
    assert waiting.status == MessageStatus.PENDING
    assert "ConnectError" in waiting.last_error


def test_messages_live_and_die_with_their_transaction(
    sessions: sessionmaker[Session], receiver: Receiver, database_url: str
) -> None:
    webhook_with_message(sessions, receiver.url)
    with sessions() as session, session.begin():
        enqueue(session, "platform", "decision.label", {})
        session.rollback()  # the decision failed: its message goes with it
    # A new process (the old one was killed before delivering) finds the message.
    restarted = make_session_factory(make_engine(database_url))
    assert deliver(restarted) == 1
    assert [json.loads(body)["event"] for _, body in receiver.requests] == ["decision.remove"]


def test_signatures_refuse_changed_bodies_old_times_and_other_secrets() -> None:
    secret, body, now = b"s" * 32, b'{"a":1}', int(time.time())
    header = sign(secret, now, body)
    assert verify_signature(secret, header, body, now=now)
    assert not verify_signature(secret, header, b'{"a":2}', now=now)
    assert not verify_signature(b"t" * 32, header, body, now=now)
    assert not verify_signature(secret, header, body, now=now + 3600)
    assert not verify_signature(secret, "garbage", body, now=now)


def test_secrets_are_sealed_under_the_master_key() -> None:
    sealed = seal_secret(b"hmac secret", MASTER_KEY)
    assert b"hmac secret" not in sealed
    assert unseal_secret(sealed, MASTER_KEY) == b"hmac secret"
    with pytest.raises(CredentialError, match="does not open"):
        unseal_secret(sealed, "another master key entirely")


def dead_label_then_unlabel(sessions: sessionmaker[Session], url: str) -> tuple[int, int]:
    """A label and the unlabel that reversed it, for the same copy, both set aside."""
    item = {"platform": "videoshare", "platform_content_id": "v-1", "url": "", "uploader": "u"}
    payload = {"case": "C-1", "item": item, "media_sha256": "ab" * 32}
    with sessions() as session, session.begin():
        add_webhook(session, "platform", url, MASTER_KEY)
        label = enqueue(session, "platform", "content.label_ai_generated", payload)
        unlabel = enqueue(session, "platform", "content.unlabel", payload | {"reversed": True})
        other = enqueue(session, "platform", "content.remove", payload | {"item": item | {
            "platform_content_id": "v-2"}})  # fmt: skip
        for each in (label, unlabel, other):
            each.status = MessageStatus.DEAD
        return label.id, unlabel.id


def test_replaying_an_older_message_sends_the_later_dead_ones_for_that_content_after_it(
    sessions: sessionmaker[Session], receiver: Receiver
) -> None:
    label_id, unlabel_id = dead_label_then_unlabel(sessions, receiver.url)
    with sessions() as session, session.begin():
        replay(session, label_id)
    assert message(sessions, unlabel_id).status == MessageStatus.PENDING  # went with it
    deliver(sessions)
    events = [json.loads(body)["event"] for _, body in receiver.requests]
    # The unlabel last, so the label it reversed stays reversed; the other copy stays dead.
    assert events == ["content.label_ai_generated", "content.unlabel"]


def test_an_older_message_is_not_replayed_after_a_later_one_was_sent(
    sessions: sessionmaker[Session], receiver: Receiver
) -> None:
    label_id, unlabel_id = dead_label_then_unlabel(sessions, receiver.url)
    with sessions() as session, session.begin():
        replay(session, unlabel_id)
    deliver(sessions)
    with sessions() as session, session.begin(), pytest.raises(Conflict) as refused:
        replay(session, label_id)
    assert f"message {unlabel_id} (content.unlabel)" in refused.value.detail
    assert message(sessions, label_id).status == MessageStatus.DEAD


def test_a_message_kept_without_webhook_is_not_replayed_after_a_later_one_was_sent(
    sessions: sessionmaker[Session], receiver: Receiver
) -> None:
    item = {"platform": "p", "platform_content_id": "v-1", "url": "", "uploader": "u"}
    payload = {"case": "C-1", "item": item, "media_sha256": "ab" * 32}
    with sessions() as session, session.begin():
        (label,) = enqueue_for_platform(session, "p", "content.label_ai_generated", payload)
        add_webhook(session, "p-hook", receiver.url, MASTER_KEY, platform="p")
        enqueue_for_platform(session, "p", "content.unlabel", payload)
        label_id = label.id
    deliver(sessions)
    with sessions() as session, session.begin(), pytest.raises(Conflict, match=r"content\.unlabel"):
        replay(session, label_id)  # the label would undo the unlabel the new webhook got
    assert message(sessions, label_id).status == MessageStatus.DEAD
