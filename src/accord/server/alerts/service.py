"""Alerts that reach people: conditions are checked (``evaluate``), each becomes an
incident once, and every subscribed recipient is told once when it opens and once when
it clears: by mail (the mail outbox) or as a signed webhook event (the webhook outbox).

The messages are written in the transaction that opens or resolves the incident, so an
incident recorded is an incident told, and one rolled back told nobody. Several processes
may evaluate at once: a partial unique index lets one incident per condition and subject
be open, so the process that loses the race tells nobody; resolving locks the row first,
so only one process sends the "resolved" message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accord.errors import BadRequest, Conflict, NotFound
from accord.server.alerts import conditions
from accord.server.alerts.conditions import Condition
from accord.server.alerts.messages import event_data, opened_mail, resolved_mail
from accord.server.alerts.models import AlertKind, AlertRecipient, Incident, RecipientKind
from accord.server.alerts.readings import IndexReading
from accord.server.audit.service import history_of
from accord.server.mail import service as mail
from accord.server.outbox.engine import OutboxStats
from accord.server.settings import Settings
from accord.server.webhooks import service as webhooks

if TYPE_CHECKING:
    from accord.server.audit.models import AuditEntry

__all__ = [
    "AlertKind",
    "Evaluation",
    "IndexReading",
    "add_recipient",
    "evaluate",
    "list_incidents",
    "list_recipients",
    "outbox_counts",
    "recipient_history",
    "remove_recipient",
]

logger = logging.getLogger("accord.alerts")

#: Who the audit log says opened and resolved incidents.
ACTOR = "system:alerts"


@dataclass(slots=True)
class Evaluation:
    """What one evaluation changed: incidents opened and resolved by this caller."""

    opened: list[Incident] = field(default_factory=list)
    resolved: list[Incident] = field(default_factory=list)


# -- recipients ------------------------------------------------------------------------


def add_recipient(
    session: Session,
    address: str,
    events: Iterable[str] = (),
    *,
    created_by: str,
    master_key: str,
) -> tuple[AlertRecipient, str | None]:
    """A recipient of the ``events`` (``AlertKind`` values; every kind when none): an email
    address, or an http(s) URL that gets signed webhook events, with the secret to check
    them, returned once (None for an email address)."""
    kinds = _kinds(events)
    kind, cleaned = _address(address)
    taken = select(AlertRecipient.id).where(
        AlertRecipient.address == cleaned, AlertRecipient.active.is_(True)
    )
    if session.scalar(taken) is not None:
        raise Conflict(f"{cleaned} receives alerts already")
    recipient = AlertRecipient(
        kind=kind, address=cleaned, events=kinds, created_by=created_by, active=True
    )
    session.add(recipient)
    session.flush()
    if kind == RecipientKind.EMAIL:
        return recipient, None
    webhook, secret = webhooks.add_alert_webhook(
        session, _webhook_name(recipient), cleaned, master_key
    )
    recipient.webhook_id = webhook.id
    session.flush()
    return recipient, secret


def remove_recipient(session: Session, recipient_id: int) -> AlertRecipient:
    """Tell ``recipient_id`` nothing more. Kept, inactive, for the audit trail; what was
    queued for it still goes."""
    recipient = session.get(AlertRecipient, recipient_id)
    if recipient is None or not recipient.active:
        raise NotFound(f"no alert recipient has the id {recipient_id}")
    recipient.active = False
    session.flush()
    return recipient


def list_recipients(session: Session) -> list[AlertRecipient]:
    """The active recipients, oldest first."""
    query = select(AlertRecipient).where(AlertRecipient.active.is_(True))
    return list(session.scalars(query.order_by(AlertRecipient.id)))


def recipient_history(session: Session) -> list[AuditEntry]:
    """Every change to the recipients, removed ones included, oldest first."""
    ids = [str(row) for row in session.scalars(select(AlertRecipient.id))]
    return history_of(session, {AlertRecipient.__tablename__: ids})


def _kinds(events: Iterable[str]) -> list[str]:
    wanted = [event.strip().lower() for event in events if event.strip()]
    known = [kind.value for kind in AlertKind]
    unknown = [event for event in wanted if event not in known]
    if unknown:
        raise BadRequest(f"unknown alert event {unknown[0]!r}: one of {', '.join(known)}")
    return [kind for kind in known if kind in wanted] if wanted else known


def _address(address: str) -> tuple[RecipientKind, str]:
    cleaned = address.strip()
    if cleaned.startswith(("https://", "http://")):
        host = cleaned.split("://", 1)[1].split("/", 1)[0]
        if not host or any(character.isspace() for character in cleaned):
            raise BadRequest(f"{address!r} is not a URL")
        return RecipientKind.WEBHOOK, cleaned
    local, _, domain = cleaned.partition("@")
    if not local or "." not in domain or any(character.isspace() for character in cleaned):
        raise BadRequest(f"{address!r} is neither an email address nor an http(s) URL")
    return RecipientKind.EMAIL, cleaned.lower()


# -- incidents -------------------------------------------------------------------------


def outbox_counts(session: Session) -> list[OutboxStats]:
    """Every outbox's waiting and dead letters (for the metrics, which show them all)."""
    return [read(session) for read in conditions.OUTBOX_COUNTS]


def list_incidents(session: Session, *, limit: int = 100) -> list[Incident]:
    """The open incidents, then the latest resolved ones, newest first; ``limit`` in all."""
    query = select(Incident).order_by(Incident.resolved_at.is_not(None), Incident.id.desc())
    return list(session.scalars(query.limit(limit)))


def evaluate(
    session: Session, settings: Settings, now: datetime, *, index: IndexReading | None = None
) -> Evaluation:
    """Open an incident for each condition that holds and has none open, resolve each open
    one whose condition cleared, queueing the messages; the caller commits. ``index``:
    this process's indices, when the caller holds some (the CLI does not)."""
    session.info["actor"] = ACTOR
    holding = {(c.kind.value, c.key): c for c in _conditions(session, settings, now, index)}
    done = Evaluation()
    open_now = session.scalars(select(Incident).where(Incident.resolved_at.is_(None))).all()
    for incident in open_now:
        if (incident.kind, incident.key) not in holding and _judged(incident, index):
            resolved = _resolve(session, settings, incident.id, now)
            if resolved is not None:
                done.resolved.append(resolved)
    already = {(incident.kind, incident.key) for incident in open_now}
    for subject, condition in sorted(holding.items()):  # one order: no lock waits in a ring
        if subject not in already:
            opened = _open(session, settings, condition, now)
            if opened is not None:
                done.opened.append(opened)
    return done


def _conditions(
    session: Session, settings: Settings, now: datetime, index: IndexReading | None
) -> list[Condition]:
    found = [
        *conditions.sla_breaches(session, now),
        *conditions.dead_letters(session, now),
        *conditions.tdb_backlog(session, now),
    ]
    if index is not None:
        found += conditions.index_stale(index, settings, now)
    return found


def _judged(incident: Incident, index: IndexReading | None) -> bool:
    """Whether this evaluation saw the incident's subject: a process sees only its own
    indices."""
    if incident.kind != AlertKind.INDEX_STALE:
        return True
    return index is not None and incident.key == index.process


def _open(
    session: Session, settings: Settings, condition: Condition, now: datetime
) -> Incident | None:
    incident = Incident(
        kind=condition.kind.value, key=condition.key, summary=condition.summary,
        link=condition.link, since=condition.since, opened_at=now,
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(incident)
            session.flush()
    except IntegrityError:
        logger.info("alerts: %s %s was opened by another process", condition.kind, condition.key)
        return None
    if _tell(session, settings, incident, opened=True):
        incident.notified_at = now
    session.flush()
    logger.warning("alert: %s", incident.summary)
    return incident


def _resolve(
    session: Session, settings: Settings, incident_id: int, now: datetime
) -> Incident | None:
    # Locked, and read again: a process that resolved it meanwhile has told already.
    incident = session.scalar(
        select(Incident)
        .where(Incident.id == incident_id, Incident.resolved_at.is_(None))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if incident is None:
        return None
    incident.resolved_at = now
    if _tell(session, settings, incident, opened=False):
        incident.resolved_notified_at = now
    session.flush()
    logger.info("alert cleared: %s", incident.summary)
    return incident


def _tell(session: Session, settings: Settings, incident: Incident, *, opened: bool) -> bool:
    """Queue the message that ``incident`` opened (or cleared) for every active recipient of
    its kind; whether any message was queued."""
    subject, body = (opened_mail if opened else resolved_mail)(incident, settings)
    event = webhooks.ALERT_OPENED if opened else webhooks.ALERT_RESOLVED
    told = False
    for recipient in _subscribed(session, incident.kind):
        if recipient.kind == RecipientKind.EMAIL:
            told |= mail.queue_mail(session, settings, recipient.address, subject, body) is not None
            continue
        if recipient.webhook_id is not None:
            data = event_data(incident, settings)
            audience = webhooks.ALERTS_AUDIENCE
            webhooks.enqueue(session, _webhook_name(recipient), event, data, platform=audience)
            told = True
    return told


def _webhook_name(recipient: AlertRecipient) -> str:
    return f"alerts-{recipient.id}"


def _subscribed(session: Session, kind: str) -> Sequence[AlertRecipient]:
    recipients = list_recipients(session)
    return [recipient for recipient in recipients if kind in recipient.events]
