"""The exchanges' channel of the outbox: each opinion or sighting POSTed to its
publisher's collection as a TAXII envelope, with the exchange's key.

A 202 whose status counts no failure is sent. A refusal (a 4xx other than 429, or a
status that lists the object as failed) is given up at once, with the publisher's reason:
sending it again would be refused again. Anything else (429, 5xx, no answer) is retried
with backoff. Sending is at least once: the publisher keeps an object id once, so a
repeat is harmless.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import Select
from sqlalchemy.orm import Session

from accord.errors import AccordError, StixError
from accord.provenance.sealing import unseal_secret
from accord.server.db.base import utc_now
from accord.server.exchanges.envelope import check_media_type, one_line, resource
from accord.server.exchanges.models import Exchange, ExchangeMessage, ExchangeMessageStatus
from accord.server.exchanges.taxii_client import objects_url, status_reason, transport_error
from accord.server.outbox.engine import Channel, Due, Outcome, Queue, Verdict
from accord.server.outbox.http import HttpClient
from accord.sharing import stix

#: Tries before a message is set aside as dead (about a day and a half of backoff).
MAX_ATTEMPTS = 12
_TIMEOUT_SECONDS = 30.0
_ANSWER_BYTES = 64 * 1024
_ACCEPTED = range(200, 300)
_TOO_MANY = 429
_CLIENT_ERRORS = range(400, 500)

EXCHANGE_QUEUE = Queue(
    name="exchanges",
    table=ExchangeMessage,
    sent=ExchangeMessageStatus.SENT,
    dead=ExchangeMessageStatus.DEAD,
    max_attempts=MAX_ATTEMPTS,
    actor="system:exchanges",
)


@dataclass(frozen=True, slots=True)
class Posting:
    """What posting a message needs: where, with which key, and the object."""

    url: str
    sealed_api_key: bytes | None
    body: str


class ExchangeChannel(Channel[ExchangeMessage, Posting, int | None]):
    """Detail: the publisher's HTTP status (None when none came)."""

    queue = EXCHANGE_QUEUE
    send_time = timedelta(seconds=2 * _TIMEOUT_SECONDS)
    thread_name = "accord-exchanges-outbox"
    logger_name = "accord.exchanges"
    round_failed = "exchange write-back round failed"

    def __init__(
        self, master_key: str, client: httpx.Client | None = None, *, only: int | None = None
    ) -> None:
        self._master_key = master_key
        self._http = HttpClient(_TIMEOUT_SECONDS, client)
        #: Send this one message only (a command sending what it just queued).
        self._only = only
        #: Keys unsealed so far: unsealing takes a tenth of a second (scrypt), and one
        #: exchange may have many sightings to send.
        self._keys: dict[bytes, str] = {}

    def due(self, query: Select[ExchangeMessage]) -> Select[ExchangeMessage]:
        if self._only is not None:
            query = query.where(ExchangeMessage.id == self._only)
        return query

    def read(self, session: Session, row: ExchangeMessage) -> Posting:
        exchange = session.get(Exchange, row.exchange_id)
        assert exchange is not None  # noqa: S101 - messages go with their exchange
        url = objects_url(exchange.api_root, exchange.collection_id)
        return Posting(url, exchange.sealed_api_key, row.body)

    def send(self, batch: Sequence[Due[Posting]]) -> Mapping[int, Outcome[int | None]]:
        return {due.id: self._post(due.item) for due in batch}

    def _post(self, posting: Posting) -> Outcome[int | None]:
        headers = {"Accept": stix.TAXII_MEDIA_TYPE, "Content-Type": stix.TAXII_MEDIA_TYPE}
        try:
            sealed = posting.sealed_api_key
            if sealed:
                if sealed not in self._keys:
                    self._keys[sealed] = unseal_secret(sealed, self._master_key).decode()
                headers["Authorization"] = f"Bearer {self._keys[sealed]}"
        except AccordError as error:
            return Outcome(Verdict.GIVE_UP, error.detail, None)
        envelope = f'{{"objects":[{posting.body}]}}'.encode()
        try:
            with self._http.get().stream(
                "POST", posting.url, content=envelope, headers=headers
            ) as response:
                raw = b""
                for chunk in response.iter_bytes():
                    raw += chunk
                    if len(raw) >= _ANSWER_BYTES:
                        break
                return _judged(posting.url, response, raw[:_ANSWER_BYTES])
        except httpx.HTTPError as failure:
            reason = transport_error(posting.url, failure, _TIMEOUT_SECONDS).detail
            return Outcome(Verdict.RETRY, reason, None)

    def recorded(
        self,
        session: Session,  # noqa: ARG002
        row: ExchangeMessage,
        outcome: Outcome[int | None],
    ) -> None:
        if outcome.verdict == Verdict.SENT:
            row.sent_at = utc_now()

    def close(self) -> None:
        self._http.close()


def _judged(url: str, response: httpx.Response, raw: bytes) -> Outcome[int | None]:
    status = response.status_code
    if status in _ACCEPTED:
        failed = _failure(url, response, raw)
        if failed:
            return Outcome(Verdict.GIVE_UP, f"the publisher refused it: {failed}", status)
        return Outcome(Verdict.SENT, "", status)
    reason = f"{url} answered HTTP {status}"
    said = status_reason(status, raw)
    reason += f": {said}" if said else ""
    if status in _CLIENT_ERRORS and status != _TOO_MANY:
        return Outcome(Verdict.GIVE_UP, reason, status)
    return Outcome(Verdict.RETRY, reason, status)


def _failure(url: str, response: httpx.Response, raw: bytes) -> str:
    """Why the status resource a publisher answered lists the object as failed, or ""."""
    try:
        check_media_type(response.headers.get("content-type"), url)
        status = resource(raw, url)
    except StixError:
        return ""  # accepted without a readable status: nothing says it failed
    failures: Any = status.get("failures")
    count = status.get("failure_count")
    if not failures and not (isinstance(count, int) and count > 0):
        return ""
    first = failures[0] if isinstance(failures, list) and failures else {}
    message = first.get("message") if isinstance(first, dict) else None
    return one_line(message or "the status counts a failure", 300)
