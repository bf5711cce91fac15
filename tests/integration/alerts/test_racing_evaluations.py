"""Several processes evaluate the alerts at once: one incident opens, one message goes."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import Session

from accord.server.alerts.models import AlertRecipient, Incident
from accord.server.alerts.service import Evaluation, add_recipient, evaluate
from accord.server.cases.models import Case
from accord.server.db.base import utc_now
from accord.server.mail.models import MailMessage
from accord.server.settings import Settings

_WAIT_SECONDS = 30.0


def _waiting_on_a_lock(engine: Engine) -> bool:
    with engine.connect() as watcher:
        query = text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return bool(watcher.scalar(query))


# PostgreSQL only: SQLite lets one writer in at a time, so there is no race to lose.
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True, scope="session")
def test_two_racing_evaluations_open_one_incident_and_send_one_mail(
    engine: Engine, settings: Settings
) -> None:
    mailing = settings.model_copy(update={"smtp_host": "127.0.0.1"})
    now = utc_now()
    with Session(engine) as setup:
        add_recipient(
            setup, "race@example.org", ["sla_breach"], created_by="test", master_key="k" * 32
        )
        setup.add(Case(reference="C-RACE01", due_at=now - timedelta(hours=1)))
        setup.commit()
    first, second = Session(engine), Session(engine)
    results: list[Evaluation] = []
    try:
        # The first opens the incident and holds its transaction open...
        assert len(evaluate(first, mailing, now).opened) == 1
        # ... while the second, which saw no incident open, tries to open it too.
        racer = threading.Thread(target=lambda: results.append(evaluate(second, mailing, now)))
        racer.start()
        deadline = time.monotonic() + _WAIT_SECONDS
        while not _waiting_on_a_lock(engine):
            assert time.monotonic() < deadline, "the second evaluation never waited"
            time.sleep(0.05)  # polling the server's own view of the wait, not a guess
        first.commit()
        racer.join(timeout=_WAIT_SECONDS)
        assert not racer.is_alive()
        second.commit()
        assert results[0].opened == []
        with Session(engine) as check:
            incidents = check.scalars(select(Incident).where(Incident.key == "C-RACE01")).all()
            mails = check.scalars(
                select(MailMessage).where(MailMessage.recipient == "race@example.org")
            ).all()
            assert len(incidents) == 1
            assert len(mails) == 1
    finally:
        first.close()
        second.close()
        with Session(engine) as cleanup:  # these rows were committed: take them away
            cleanup.execute(delete(Incident).where(Incident.key == "C-RACE01"))
            cleanup.execute(delete(MailMessage).where(MailMessage.recipient == "race@example.org"))
            cleanup.execute(
                delete(AlertRecipient).where(AlertRecipient.address == "race@example.org")
            )
            cleanup.execute(delete(Case).where(Case.reference == "C-RACE01"))
            cleanup.commit()
