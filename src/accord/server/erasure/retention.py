"""Personal data kept only as long as the settings allow (``ACCORD_RETENTION_*``), erased
once a day by a background job that logs how much it erased, and nothing else, in the
audit log."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from accord.server.background import BackgroundLoop
from accord.server.erasure.scrubbing import drop_freed_pages
from accord.server.settings import Settings

logger = logging.getLogger(__name__)
#: Once a day, and when the server starts.
RETENTION_INTERVAL_SECONDS = 24 * 3600.0
#: The audit log's "table" for the job's reports.
RETENTION_EVENT = "retention"
#: The job's advisory lock on PostgreSQL ("RETE").
_RETENTION_LOCK = 0x52455445


def enforce_retention(session: Session, settings: Settings, now: datetime) -> dict[str, int]:
    """Erase what is past its retention at ``now``; how many of each kind, as also
    recorded in the audit log."""
    if session.get_bind().dialect.name == "postgresql":
        # Every node runs the job: the others wait for this round, then find nothing.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _RETENTION_LOCK})
    appeal_window = timedelta(days=settings.appeal_window_days)
    notifier_days = timedelta(days=settings.retention_notifier_days)
    contacts, appellants, emails = _erase_contacts(
        session, decided=now - appeal_window - notifier_days, appealed=now - notifier_days
    )
    uploaders, pseudonyms = _erase_uploaders(
        session, now, appeal_window, timedelta(days=settings.retention_uploader_days)
    )
    uploads = _delete_kept_uploads(
        settings.verify_keep_uploads_dir,
        now - timedelta(days=settings.retention_verify_uploads_days),
    )
    erased = {
        "notifier_contacts": contacts,
        "appellant_contacts": appellants,
        "emails": emails,
        "uploader_accounts": uploaders,
        "pseudonymised_subjects": pseudonyms,
        "verify_uploads": uploads,
    }
    if any(erased.values()):  # a round that erased nothing writes nothing, locks nothing
        from accord.server.audit.service import record  # noqa: PLC0415

        record(session, "retention", RETENTION_EVENT, now.date().isoformat(), after=erased)
    return erased


def _erase_contacts(
    session: Session, *, decided: datetime, appealed: datetime
) -> tuple[int, int, int]:
    """Notifiers' contact data of cases decided before ``decided`` and appellants' of
    appeals closed before ``appealed``; then the emails to, and the audit log's keys of,
    the addresses nothing names any more. How many notifiers', appellants' and emails."""
    # Imported here: the services it calls import the runtime, which starts this job.
    from accord.server.appeals import service as appeals  # noqa: PLC0415
    from accord.server.audit.schemas import email_subject  # noqa: PLC0415
    from accord.server.audit.service import forget  # noqa: PLC0415
    from accord.server.mail.service import erase_recipient  # noqa: PLC0415
    from accord.server.notices import service as notices  # noqa: PLC0415

    contacts, freed = notices.erase_expired_contacts(session, decided)
    appellants = appeals.erase_expired_contacts(session, appealed)
    emails = 0
    for address in sorted(freed | appellants):
        if notices.names_address(session, address) or appeals.names_address(session, address):
            continue
        emails += erase_recipient(session, address)
        forget(session, email_subject(address) or "")
    return contacts, len(appellants), emails


def _erase_uploaders(
    session: Session, now: datetime, appeal_window: timedelta, retention: timedelta
) -> tuple[int, int]:
    """Uploaders' accounts on copies, notices and sent messages of cases closed for the
    appeal window and ``retention``, and in strikes and measures ``retention`` after they
    lapsed; the audit log's key of an account nothing names any more is destroyed. How
    many accounts were blanked, and how many subjects given a pseudonym."""
    from accord.server.audit.schemas import uploader_subject  # noqa: PLC0415
    from accord.server.audit.service import forget  # noqa: PLC0415
    from accord.server.cases import service as cases  # noqa: PLC0415
    from accord.server.measures import service as measures  # noqa: PLC0415
    from accord.server.notices import service as notices  # noqa: PLC0415
    from accord.server.webhooks.service import erase_expired_accounts  # noqa: PLC0415

    closed = now - appeal_window - retention
    blanked = (
        cases.erase_expired_uploaders(session, closed)
        | notices.erase_expired_uploaders(session, closed)
        | erase_expired_accounts(session, closed)
    )
    renamed = measures.pseudonymise_lapsed(session, now - retention)
    lapsed = {
        tuple(subject.split(":", 1))
        for kind, subject in renamed
        if kind == "uploader" and ":" in subject
    }
    for platform, account in sorted(blanked | lapsed):
        if not (
            cases.names_uploader(session, platform, account)
            or notices.names_uploader(session, platform, account)
            or measures.names_subject(session, "uploader", f"{platform}:{account}")
        ):
            forget(session, uploader_subject(platform, account) or "")
    return len(blanked), len(renamed)


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
