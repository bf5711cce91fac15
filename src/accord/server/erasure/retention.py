"""Personal data kept only as long as the settings allow (``ACCORD_RETENTION_*``), erased
once a day by a background job that logs how much it erased, and nothing else, in the
audit log."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from accord.server.background import BackgroundLoop
from accord.server.erasure.scrubbing import drop_freed_pages
from accord.server.settings import Settings

logger = logging.getLogger(__name__)
#: Once a day, and when the server starts.
RETENTION_INTERVAL_SECONDS = 24 * 3600.0
#: The audit log's "table" for the job's reports.
RETENTION_EVENT = "retention"


def enforce_retention(session: Session, settings: Settings, now: datetime) -> dict[str, int]:
    """Erase what is past its retention at ``now``; how many of each kind, as also
    recorded in the audit log."""
    # Imported here: the services it calls import the runtime, which starts this job.
    from accord.server.audit.schemas import email_subject  # noqa: PLC0415
    from accord.server.audit.service import forget, record  # noqa: PLC0415
    from accord.server.mail.service import erase_recipient  # noqa: PLC0415
    from accord.server.notices.service import erase_expired_contacts  # noqa: PLC0415

    cutoff = now - timedelta(days=settings.appeal_window_days + settings.retention_notifier_days)
    contacts, addresses = erase_expired_contacts(session, cutoff)
    emails = 0
    for address in sorted(addresses):  # no notice holds them any more: nor does anything
        emails += erase_recipient(session, address)
        forget(session, email_subject(address) or "")
    uploads = _delete_kept_uploads(
        settings.verify_keep_uploads_dir,
        now - timedelta(days=settings.retention_verify_uploads_days),
    )
    erased = {"notifier_contacts": contacts, "emails": emails, "verify_uploads": uploads}
    if any(erased.values()):  # a round that erased nothing writes nothing, locks nothing
        record(session, "retention", RETENTION_EVENT, now.date().isoformat(), after=erased)
    return erased


def last_run(session: Session) -> tuple[str, dict[str, Any]] | None:
    """When the job last erased anything, and what, from its audit entry."""
    from accord.server.audit.service import newest_event  # noqa: PLC0415

    entry = newest_event(session, RETENTION_EVENT)
    if entry is None:
        return None
    return entry.at.isoformat(), dict(entry.after or {})


def _delete_kept_uploads(folder: Path | None, cutoff: datetime) -> int:
    """Delete the Verify page's kept copies written before ``cutoff``."""
    if folder is None or not folder.is_dir():
        return 0
    deleted = 0
    for path in folder.iterdir():
        if path.is_file() and datetime.fromtimestamp(path.stat().st_mtime, UTC) < cutoff:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


class RetentionJob(BackgroundLoop):
    """Enforces the retention settings once a day (and when the server starts)."""

    def __init__(self, sessions: sessionmaker[Session], engine: Engine, settings: Settings) -> None:
        super().__init__("accord-retention", RETENTION_INTERVAL_SECONDS)
        self._sessions = sessions
        self._engine = engine
        self._settings = settings

    def step(self) -> None:
        try:
            with self._sessions() as session:
                session.info["actor"] = "retention"
                erased = enforce_retention(session, self._settings, datetime.now(UTC))
                session.commit()
            if any(erased.values()):
                drop_freed_pages(self._engine)
                logger.info("retention: erased %s", erased)
        except Exception:  # a bad round must not end the erasing for good
            logger.exception("retention round failed")
