"""One loop for every outbox: claim the due rows with a lease, hand them to the channel,
and keep the books (attempts, backoff, sent, dead), whatever the channel sends.

Sending is at least once: a worker killed after the receiver took a row but before the
answer was recorded sends it again once its claim lapses, so channels send something a
receiver can recognise (an idempotency key, a message id, a puid). A row that keeps
failing is retried with exponential backoff (``backoff``), up to the queue's
``max_attempts``, then set aside as dead, for an admin to see and replay (``requeue``).
A channel may also give a row up at once (the receiver refused it for good).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.server.db.base import utc_now
from accord.server.metrics.instruments import observe_delivery
from accord.server.outbox.lease import Lease
from accord.server.outbox.models import PENDING, Queued

#: The wait after the first failure; each further failure doubles it, up to ``MAX_BACKOFF``.
FIRST_BACKOFF = timedelta(seconds=10)
MAX_BACKOFF = timedelta(hours=6)

_Row = TypeVar("_Row", bound=Queued)
_Due = TypeVar("_Due")
_Detail = TypeVar("_Detail")


def backoff(attempts: int) -> timedelta:
    """The wait after ``attempts`` failures: 10 s, 20 s, 40 s... at most 6 hours."""
    return min(FIRST_BACKOFF * (1 << min(attempts - 1, 30)), MAX_BACKOFF)


@dataclass(frozen=True, slots=True)
class Queue(Generic[_Row]):
    """An outbox table and its bookkeeping: what its sent and dead rows are called, and
    how often a row is tried before it is set aside."""

    #: Its name in counts and logs, e.g. ``webhooks``.
    name: str
    table: type[_Row]
    sent: str
    dead: str
    #: None: retried until it is sent or given up.
    max_attempts: int | None
    #: Who the audit log says claimed and recorded its rows.
    actor: str


class Verdict(StrEnum):
    SENT = "sent"
    #: It failed this time: try again after the backoff (or set it aside, out of attempts).
    RETRY = "retry"
    #: It can never be sent as it is: set it aside now.
    GIVE_UP = "give_up"


@dataclass(frozen=True, slots=True)
class Outcome(Generic[_Detail]):
    """How one send of one row went; ``reason`` becomes its ``last_error``, ``detail`` is
    what the channel learnt besides (an HTTP status, a receipt)."""

    verdict: Verdict
    reason: str
    detail: _Detail


@dataclass(frozen=True, slots=True)
class Due(Generic[_Due]):
    """A claimed row's id and what sending it needs, read while claiming it."""

    id: int
    item: _Due


class Channel(ABC, Generic[_Row, _Due, _Detail]):
    """How one kind of outbox sends: which rows are due, what sending them needs, the
    sending itself, and what besides the verdict it writes down."""

    queue: Queue[_Row]
    #: How long one send may take at most: a claim holds its rows that long.
    send_time: timedelta
    #: Rows one send carries (a batch API takes several); each claim takes one send's worth,
    #: in id order, so a crashed worker's rows are free again after one ``send_time``.
    send_size: int = 1
    #: The background thread's name, its logger's, and what it logs when a round fails.
    thread_name: str = "accord-outbox"
    logger_name: str = "accord.outbox"
    round_failed: str = "outbox round failed"

    @property
    def active(self) -> bool:
        """Whether there is anywhere to send to (a channel may be off by configuration)."""
        return True

    def due(self, query: Select[_Row]) -> Select[_Row]:
        """Narrow the pending rows (say, to those of receivers not paused)."""
        return query

    @abstractmethod
    def read(self, session: Session, row: _Row) -> _Due:
        """What sending ``row`` needs, read while it is claimed."""

    @abstractmethod
    def send(self, batch: Sequence[Due[_Due]]) -> Mapping[int, Outcome[_Detail]]:
        """Send ``batch`` (``send_size`` rows at most); an outcome per row id. A row left
        out is left alone: it is sent again when its claim lapses."""

    def recorded(self, session: Session, row: _Row, outcome: Outcome[_Detail]) -> None:
        """Write down what the outcome means to this channel, beside the engine's books."""

    def close(self) -> None:
        """Release what sending held (a connection pool)."""


@dataclass(frozen=True, slots=True)
class OutboxStats:
    """How many rows of a queue wait, were sent, or were set aside: for metrics."""

    queue: str
    pending: int
    sent: int
    dead: int


def run_due(sessions: sessionmaker[Session], channel: Channel[_Row, _Due, _Detail]) -> int:
    """Send every row due now, one claimed batch at a time; how many were tried."""
    tried = 0
    while claimed := _claim(sessions, channel):
        _record(sessions, channel, channel.send(claimed))
        tried += len(claimed)
    return tried


def _claim(
    sessions: sessionmaker[Session], channel: Channel[_Row, _Due, _Detail]
) -> list[Due[_Due]]:
    table = channel.queue.table
    lease = Lease(table.next_attempt_at, channel.send_time)
    pending = select(table).where(table.status == PENDING).order_by(table.id)
    with sessions() as session:
        session.info["actor"] = channel.queue.actor
        rows = lease.claim(session, channel.due(pending), limit=channel.send_size)
        claimed = [Due(row.id, channel.read(session, row)) for row in rows]
        session.commit()
    return claimed


def _record(
    sessions: sessionmaker[Session],
    channel: Channel[_Row, _Due, _Detail],
    outcomes: Mapping[int, Outcome[_Detail]],
) -> None:
    queue = channel.queue
    with sessions() as session:
        session.info["actor"] = queue.actor
        for row_id, outcome in outcomes.items():
            row = session.get(queue.table, row_id)
            if row is not None:
                _book(queue, row, outcome)
                channel.recorded(session, row, outcome)
        session.commit()


def _book(queue: Queue[_Row], row: _Row, outcome: Outcome[_Detail]) -> None:
    row.attempts += 1
    row.last_error = outcome.reason
    out_of_attempts = queue.max_attempts is not None and row.attempts >= queue.max_attempts
    if outcome.verdict == Verdict.SENT:
        row.status = queue.sent
        # Every channel's table records when its row was queued.
        observe_delivery(queue.name, getattr(row, "created_at", None))
    elif outcome.verdict == Verdict.GIVE_UP or out_of_attempts:
        row.status = queue.dead
    else:
        row.next_attempt_at = utc_now() + backoff(row.attempts)


def requeue(row: Queued) -> None:
    """Send a row again, from a fresh count of attempts (a replay)."""
    row.status = PENDING
    row.attempts = 0
    row.next_attempt_at = utc_now()


def listed(session: Session, queue: Queue[_Row], status: str | None = None) -> list[_Row]:
    """A queue's rows, oldest first, only those with ``status`` when given."""
    query = select(queue.table).order_by(queue.table.id)
    if status is not None:
        query = query.where(queue.table.status == status)
    return list(session.scalars(query))


def counts(session: Session, queue: Queue[_Row]) -> OutboxStats:
    table = queue.table
    query = select(table.status, func.count()).group_by(table.status)
    by_status = dict(session.execute(query).all())
    return OutboxStats(
        queue=queue.name,
        pending=by_status.get(PENDING, 0),
        sent=by_status.get(queue.sent, 0),
        dead=by_status.get(queue.dead, 0),
    )
