"""Statements of reasons for the DSA Transparency Database: queued in the transaction of
their decision (when ``ACCORD_TDB_API_URL`` is set), sent after by the outbox engine
(``api`` is their channel), and what the TDB answered, for the CSV."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.server.outbox.engine import OutboxStats, counts, run_due
from accord.server.settings import Settings
from accord.server.statements.service import Publication
from accord.server.tdb.api import TDB_QUEUE, TdbChannel
from accord.server.tdb.models import Submission, SubmissionStatus

if TYPE_CHECKING:
    from accord.server.decisions.models import ItemAction

__all__ = [
    "TdbChannel",
    "backlog",
    "outbox_counts",
    "publications",
    "queue_statement",
    "submission_counts",
    "submit_due",
]


def publications(session: Session) -> dict[str, Publication]:
    """What the TDB answered for each statement it stored, by puid (for the CSV)."""
    rows = session.execute(
        select(Submission.puid, Submission.uuid, Submission.published_at).where(
            Submission.status == SubmissionStatus.SUBMITTED,
            Submission.uuid.is_not(None),
            Submission.published_at.is_not(None),
        )
    )
    return {
        puid: Publication(uuid, published) for puid, uuid, published in rows if uuid and published
    }


def queue_statement(session: Session, settings: Settings, item_action: ItemAction) -> None:
    """Queue a statement for the TDB, when one is configured."""
    if settings.tdb_api_url is None or item_action.puid is None:
        return
    session.add(Submission(item_action_id=item_action.id, puid=item_action.puid))
    session.flush()


def submit_due(sessions: sessionmaker[Session], settings: Settings, client: httpx.Client) -> int:
    """Send every statement due now; how many were tried."""
    return run_due(sessions, TdbChannel(settings, client))


def submission_counts(session: Session) -> dict[str, int]:
    """How many statements are in each state (pending, submitted, refused)."""
    query = select(Submission.status, func.count()).group_by(Submission.status)
    return dict(session.execute(query).all())


def outbox_counts(session: Session) -> OutboxStats:
    """How many statements wait, were stored, or were refused (for metrics)."""
    return counts(session, TDB_QUEUE)


def backlog(session: Session) -> tuple[int, datetime | None]:
    """How many statements wait to be sent, and when the oldest was queued (for metrics)."""
    query = select(func.count(), func.min(Submission.created_at)).where(
        Submission.status == SubmissionStatus.PENDING
    )
    count, oldest = session.execute(query).one()
    return count, oldest
