"""The outbox engine, whatever the channel: due rows claimed with a lease that lapses,
retries with a backoff that doubles up to a cap, rows set aside after too many attempts
or given up at once, replay, counts, and two claimers never holding the same row.

The rows are emails (a real outbox table) sent by a scripted channel, in a database of
this module's own: the claims commit, so they must not meet other tests' rows.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta

import pytest
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from accord.server.db.base import utc_now
from accord.server.db.engine import make_session_factory
from accord.server.mail.models import MailMessage
from accord.server.outbox.engine import (
    FIRST_BACKOFF,
    MAX_BACKOFF,
    Channel,
    Due,
    Outcome,
    Queue,
    Verdict,
    backoff,
    counts,
    listed,
    requeue,
    run_due,
)
from accord.server.outbox.lease import Lease
from tests.integration.databases import own_engine_beside

MAX_ATTEMPTS = 3
QUEUE = Queue(
    name="test",
    table=MailMessage,
    sent="sent",
    dead="dead",
    max_attempts=MAX_ATTEMPTS,
    actor="system:test",
)


class Scripted(Channel[MailMessage, str, None]):
    """Answers each send as told (then "sent"), and remembers what it was asked to send."""

    queue = QUEUE
    send_time = timedelta(seconds=30)

    def __init__(self, *answers: Verdict, crash: bool = False) -> None:
        self.answers = list(answers)
        self.crash = crash
        self.sent: list[str] = []
        self._lock = threading.Lock()

    def read(self, session: Session, row: MailMessage) -> str:
        return row.subject

    def send(self, batch: Sequence[Due[str]]) -> Mapping[int, Outcome[None]]:
        if self.crash:
            msg = "the worker died mid-send"
            raise RuntimeError(msg)
        outcomes = {}
        for due in batch:
            with self._lock:
                self.sent.append(due.item)
                verdict = self.answers.pop(0) if self.answers else Verdict.SENT
            reason = "" if verdict == Verdict.SENT else f"told to {verdict}"
            outcomes[due.id] = Outcome(verdict, reason, None)
        return outcomes


@pytest.fixture(scope="module")
def own_engine(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated database beside the shared one, on the same backend."""
    with own_engine_beside(database_url, tmp_path_factory.mktemp("outbox"), "outbox") as engine:
        yield engine


@pytest.fixture
def sessions(own_engine: Engine) -> sessionmaker[Session]:
    made = make_session_factory(own_engine)
    with made() as session:
        session.execute(delete(MailMessage))
        session.commit()
    return made


def queued(sessions: sessionmaker[Session], count: int) -> list[int]:
    with sessions() as session:
        rows = [
            MailMessage(recipient="a@b.example", subject=f"#{n}", body="") for n in range(count)
        ]
        session.add_all(rows)
        session.commit()
        return [row.id for row in rows]


def rows(sessions: sessionmaker[Session]) -> list[MailMessage]:
    with sessions() as session:
        return listed(session, QUEUE)


def make_due(sessions: sessionmaker[Session]) -> None:
    """Let the backoff, or a claim, lapse."""
    with sessions() as session:
        session.execute(update(MailMessage).values(next_attempt_at=utc_now()))
        session.commit()


def test_the_backoff_doubles_from_ten_seconds_up_to_six_hours() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [FIRST_BACKOFF * k for k in (1, 2, 4, 8)]
    assert backoff(12) == timedelta(seconds=10 * 2**11) < MAX_BACKOFF
    assert backoff(13) == MAX_BACKOFF == timedelta(hours=6)
    assert backoff(10_000) == MAX_BACKOFF  # no overflow however long it failed


def test_due_rows_are_sent_once_in_order(sessions: sessionmaker[Session]) -> None:
    queued(sessions, 7)  # more than one claim's worth
    channel = Scripted()
    assert run_due(sessions, channel) == 7
    assert channel.sent == [f"#{n}" for n in range(7)]
    assert run_due(sessions, channel) == 0
    assert {(row.status, row.attempts, row.last_error) for row in rows(sessions)} == {
        ("sent", 1, "")
    }


def test_a_failure_is_retried_after_the_backoff(sessions: sessionmaker[Session]) -> None:
    queued(sessions, 1)
    channel = Scripted(Verdict.RETRY)
    failed_after = utc_now()
    run_due(sessions, channel)
    [waiting] = rows(sessions)
    assert (waiting.status, waiting.attempts, waiting.last_error) == ("pending", 1, "told to retry")
    assert failed_after + backoff(1) <= waiting.next_attempt_at <= utc_now() + backoff(1)
    assert run_due(sessions, channel) == 0  # not due yet
    make_due(sessions)
    assert run_due(sessions, channel) == 1
    [sent] = rows(sessions)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 2, "")


def test_a_row_is_set_aside_after_its_last_attempt_and_replayed(
    sessions: sessionmaker[Session],
) -> None:
    [row_id] = queued(sessions, 1)
    channel = Scripted(*[Verdict.RETRY] * MAX_ATTEMPTS)
    for _ in range(MAX_ATTEMPTS + 2):
        make_due(sessions)
        run_due(sessions, channel)
    [dead] = rows(sessions)
    assert (dead.status, dead.attempts, dead.last_error) == ("dead", MAX_ATTEMPTS, "told to retry")
    assert len(channel.sent) == MAX_ATTEMPTS
    with sessions() as session:
        replayed = session.get(MailMessage, row_id)
        assert replayed is not None
        requeue(replayed)
        session.commit()
    [pending] = rows(sessions)
    assert (pending.status, pending.attempts) == ("pending", 0)
    assert run_due(sessions, channel) == 1
    assert rows(sessions)[0].status == "sent"


def test_a_row_given_up_is_set_aside_at_once(sessions: sessionmaker[Session]) -> None:
    queued(sessions, 2)
    run_due(sessions, Scripted(Verdict.GIVE_UP))
    assert [(row.status, row.attempts, row.last_error) for row in rows(sessions)] == [
        ("dead", 1, "told to give_up"),
        ("sent", 1, ""),
    ]
    make_due(sessions)
    assert run_due(sessions, Scripted()) == 0  # dead is dead, until replayed


def test_counts_tell_what_waits_what_went_and_what_was_set_aside(
    sessions: sessionmaker[Session],
) -> None:
    queued(sessions, 4)
    run_due(sessions, Scripted(Verdict.GIVE_UP, Verdict.RETRY))
    with sessions() as session:
        stats = counts(session, QUEUE)
    assert (stats.queue, stats.pending, stats.sent, stats.dead) == ("test", 1, 2, 1)


def test_a_claim_holds_its_rows_until_it_lapses(sessions: sessionmaker[Session]) -> None:
    ids = queued(sessions, 3)
    lease = Lease(MailMessage.next_attempt_at, timedelta(minutes=1))
    query = select(MailMessage).order_by(MailMessage.id)
    with sessions() as session:
        claimed_at = utc_now()
        first = lease.claim(session, query, limit=2)
        session.commit()
    assert [row.id for row in first] == ids[:2]
    # Held for as long as the work on one claim may take.
    assert first[0].next_attempt_at >= claimed_at + lease.length
    with sessions() as session:
        assert [row.id for row in lease.claim(session, query, limit=10)] == ids[2:]
        assert lease.claim(session, query, limit=10) == []
        session.commit()
    make_due(sessions)  # the claims lapse: their workers died
    with sessions() as session:
        assert [row.id for row in lease.claim(session, query, limit=10)] == ids


def test_a_crashed_workers_rows_are_sent_once_its_claim_lapses(
    sessions: sessionmaker[Session],
) -> None:
    queued(sessions, 2)
    with pytest.raises(RuntimeError, match="died"):
        run_due(sessions, Scripted(crash=True))
    assert {(row.status, row.attempts) for row in rows(sessions)} == {("pending", 0)}
    # Only what the dead worker was sending is held; the rest was never claimed.
    held = [row.next_attempt_at > utc_now() for row in rows(sessions)]
    assert held == [True, False]
    survivor = Scripted()
    assert run_due(sessions, survivor) == 1
    make_due(sessions)
    assert run_due(sessions, survivor) == 1
    assert survivor.sent == ["#1", "#0"]


def test_two_claimers_never_hold_the_same_row(sessions: sessionmaker[Session]) -> None:
    ids = queued(sessions, 6)
    lease = Lease(MailMessage.next_attempt_at, timedelta(minutes=1))
    query = select(MailMessage).order_by(MailMessage.id)
    second: list[int] = []

    def claim_meanwhile() -> None:
        with sessions() as other:
            second.extend(row.id for row in lease.claim(other, query, limit=10))
            other.commit()

    with sessions() as one:
        first = [row.id for row in lease.claim(one, query, limit=2)]
        # The other claims while this claim is open: PostgreSQL skips the rows it locked;
        # SQLite has the other wait for the write lock, then finds them held.
        meanwhile = threading.Thread(target=claim_meanwhile)
        meanwhile.start()
        meanwhile.join(timeout=0.5)
        one.commit()
    meanwhile.join(timeout=60)
    assert first == ids[:2]
    assert second == ids[2:]


def test_workers_running_at_once_send_each_row_once(sessions: sessionmaker[Session]) -> None:
    queued(sessions, 30)
    channel = Scripted()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            run_due(sessions, channel)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    assert sorted(channel.sent, key=lambda s: int(s[1:])) == [f"#{n}" for n in range(30)]
    assert {row.status for row in rows(sessions)} == {"sent"}
