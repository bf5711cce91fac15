"""Two partners calling an entry a false positive at the same moment: the bank's limit is
reached whichever transaction commits first (each must count the other's opinion).

The transactions commit, so they run in a database of this module's own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from accord.server.audit.models import AuditEntry
from accord.server.banks import service
from accord.server.banks.models import SharedObject
from accord.server.banks.schemas import EntryFields
from accord.server.db.base import utc_now
from accord.server.db.engine import make_session_factory
from accord.sharing import stix
from accord.sharing.stix import Verdict
from tests.integration.databases import own_engine_beside

#: How long the second partner may take to reach its wait; far more than it needs.
DEADLINE_SECONDS = 30.0


@pytest.fixture(scope="module")
def own_engine(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated database beside the shared one, on the same backend."""
    with own_engine_beside(database_url, tmp_path_factory.mktemp("opinions"), "opinions") as engine:
        yield engine


def _say(session: Session, partner: str, indicator: str) -> None:
    bank = service.get_bank(session, "DOUBTED")
    body = stix.opinion(
        indicator, Verdict.FALSE_POSITIVE, author=partner, note="", created=utc_now()
    )
    service.record_opinion(session, bank, partner, stix.read_opinion(body))


def _waiting_on_a_lock(engine: Engine) -> bool:
    """Whether a transaction of this database waits for a lock another one holds."""
    with engine.connect() as connection:
        waiting = connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
    return bool(waiting)


def test_two_partners_at_once_reach_the_limit(own_engine: Engine) -> None:
    sessions: sessionmaker[Session] = make_session_factory(own_engine)
    with sessions() as session:
        bank = service.create_bank(
            session, "DOUBTED", owner="Electoral Commission", shared=True, false_positive_limit=2
        )
        entry_id = service.add_entry(session, bank, {"pdq": "ab" * 32}, EntryFields()).id
        indicator = service.entry_indicators(session, [entry_id])[entry_id]
        session.commit()

    def second_partner() -> None:
        with sessions() as session:
            _say(session, "Platform B", indicator)
            session.commit()

    with ThreadPoolExecutor(max_workers=1) as pool, sessions() as first:
        _say(first, "Platform A", indicator)  # one of two: below the limit, not committed
        other = pool.submit(second_partner)
        if own_engine.dialect.name == "postgresql":
            # Let the second count while the first is still open: it must wait for it
            # rather than count one opinion and miss the limit. (SQLite lets one writer
            # in at a time, so there the second waits whatever it does.)
            deadline = time.monotonic() + DEADLINE_SECONDS
            while not other.done() and not _waiting_on_a_lock(own_engine):
                assert time.monotonic() < deadline, "the second partner neither waited nor ended"
                time.sleep(0.01)
        first.commit()
        other.result(DEADLINE_SECONDS)  # its error, if it failed

    with sessions() as session:
        entry = service.get_entry(session, service.get_bank(session, "DOUBTED"), entry_id)
        assert not entry.enabled
        assert session.scalars(
            select(SharedObject.revoked).where(SharedObject.stix_id == indicator)
        ).one()
        why = session.scalars(
            select(AuditEntry.after).where(
                AuditEntry.action == "disable", AuditEntry.row_id == str(entry_id)
            )
        ).one()
        assert why == {
            "reason": "false_positive_limit", "limit": 2, "partners": ["Platform A", "Platform B"],
        }  # fmt: skip
