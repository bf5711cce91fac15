"""The retention job erases notifiers' contact data and the Verify page's kept uploads
once past their retention, leaves younger ones, and logs only counts."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from accord.server.audit import service as audit
from accord.server.erasure.retention import enforce_retention, last_run
from accord.server.notices.models import Notice
from accord.server.notices.schemas import NoticeDraft, Notifier
from accord.server.notices.service import submit_notice
from accord.server.settings import Settings
from accord.server.storage.blobs import FolderBlobStore


def _notice(session: Session, settings: Settings, email: str, received_at: datetime) -> Notice:
    draft = NoticeDraft(
        reason="deceptive_ai_content", explanation=f"Seen by {email}", good_faith=True,
        url="https://videoshare.example/v/1",
    )  # fmt: skip
    notifier = Notifier(name=email.split("@", maxsplit=1)[0], email=email)
    notice, _ = submit_notice(session, FolderBlobStore(settings.blob_dir), draft, notifier)
    notice.received_at = received_at
    session.flush()
    return notice


def test_expired_data_is_erased_and_young_data_kept(
    db_session: Session, settings: Settings, tmp_path: Path
) -> None:
    audit.install_audit_trail()  # as every session of the server has it
    kept_dir = tmp_path / "kept"
    kept_dir.mkdir()
    settings = settings.model_copy(update={"verify_keep_uploads_dir": kept_dir})
    now = datetime.now(UTC)
    # Past the appeal window and the retention after it, with a day to spare each way.
    keep_for = timedelta(days=settings.appeal_window_days + settings.retention_notifier_days)
    old = _notice(db_session, settings, "old.notifier@mail.example", now - keep_for - timedelta(1))
    young = _notice(db_session, settings, "young@mail.example", now - keep_for + timedelta(1))
    stale, fresh = kept_dir / ("a" * 64), kept_dir / ("b" * 64)
    stale.write_bytes(b"an old upload")
    fresh.write_bytes(b"a new upload")
    long_ago = (now - timedelta(days=settings.retention_verify_uploads_days + 1)).timestamp()
    os.utime(stale, (long_ago, long_ago))

    erased = enforce_retention(db_session, settings, now)

    assert erased == {
        "notifier_contacts": 1, "appellant_contacts": 0, "emails": 0, "uploader_accounts": 0,
        "pseudonymised_subjects": 0, "verify_uploads": 1,
    }  # fmt: skip
    assert (old.notifier_name, old.notifier_email, old.explanation) == ("", "", "")
    assert old.url == "https://videoshare.example/v/1"  # what was reported stays
    assert young.notifier_email == "young@mail.example"
    assert (stale.exists(), fresh.exists()) == (False, True)
    ran = last_run(db_session)
    assert ran is not None
    assert ran[1] == erased
    readable = str(audit.newest(db_session, 50))
    assert "old.notifier@mail.example" not in readable  # its key is gone with the data
    assert "young@mail.example" in readable
    assert audit.verify(db_session).intact


def test_a_round_with_nothing_to_erase_writes_nothing(
    db_session: Session, settings: Settings
) -> None:
    audit.install_audit_trail()
    now = datetime.now(UTC)
    before = audit.verify(db_session).entries
    assert not any(enforce_retention(db_session, settings, now).values())
    assert audit.verify(db_session).entries == before  # the server's start locks nothing
