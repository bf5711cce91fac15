"""What is wrong right now, read through the owning domains' services: one ``Condition``
per subject (a case, an outbox channel, a process, the TDB queue)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from accord.server.alerts.models import AlertKind
from accord.server.alerts.readings import IndexReading
from accord.server.cases import service as cases
from accord.server.exchanges import service as exchanges
from accord.server.mail import service as mail
from accord.server.settings import Settings
from accord.server.tdb import service as tdb
from accord.server.webhooks import service as webhooks

#: Every outbox's counts: dead letters open incidents, and the metrics show them all.
OUTBOX_COUNTS = (
    mail.outbox_counts,
    webhooks.outbox_counts,
    exchanges.outbox_counts,
    tdb.outbox_counts,
)
#: How long a statement of reasons may wait for the TDB before someone is told.
TDB_MAX_WAIT = timedelta(days=1)
#: Where an admin sees each outbox's dead letters.
_DEAD_LETTERS_AT = {"webhooks": "/admin/webhooks#dead"}


@dataclass(frozen=True, slots=True)
class Condition:
    kind: AlertKind
    key: str
    #: One line, no personal data: it goes into mails and webhook events.
    summary: str
    link: str
    since: datetime


def sla_breaches(session: Session, now: datetime) -> list[Condition]:
    return [
        Condition(
            AlertKind.SLA_BREACH,
            case.reference,
            f"case {case.reference} is past its review deadline "
            f"({case.due_at:%Y-%m-%d %H:%M} UTC, priority {case.priority})",
            f"/review/cases/{case.reference}",
            case.due_at,
        )
        for case in cases.breached_cases(session, now)
    ]


def dead_letters(session: Session, now: datetime) -> list[Condition]:
    found = []
    for read in OUTBOX_COUNTS:
        stats = read(session)
        if stats.dead:
            found.append(
                Condition(
                    AlertKind.DEAD_LETTERS,
                    stats.queue,
                    f"the {stats.queue} outbox has {stats.dead} dead letter(s): messages "
                    "given up after their last try",
                    _DEAD_LETTERS_AT.get(stats.queue, "/admin/alerts"),
                    now,  # a count has no start: the incident opens when it is seen
                )
            )
    return found


def tdb_backlog(session: Session, now: datetime) -> list[Condition]:
    waiting, oldest = tdb.backlog(session)
    if oldest is None or now - oldest <= TDB_MAX_WAIT:
        return []
    hours = int((now - oldest).total_seconds() // 3600)
    return [
        Condition(
            AlertKind.TDB_BACKLOG,
            "tdb",
            f"{waiting} statement(s) of reasons wait for the DSA Transparency Database, "
            f"the oldest for {hours} hours",
            "/admin/alerts",
            oldest,
        )
    ]


def index_stale(reading: IndexReading, settings: Settings, now: datetime) -> list[Condition]:
    """The readiness check's threshold (``index_max_stale_seconds``): a process past it
    answers lookups from banks as they were."""
    age = reading.seconds_since_sync
    if age <= settings.index_max_stale_seconds:
        return []
    return [
        Condition(
            AlertKind.INDEX_STALE,
            reading.process,
            f"the bank indices of {reading.process} have not synced for {int(age)} s",
            "/readyz",
            now - timedelta(seconds=age),
        )
    ]
