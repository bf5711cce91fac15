"""Two blocked prompts of one user at the same moment, each the one that reaches the
limit: the user gets one ban, not two. The transactions commit, so they run in a database
of this module's own."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.server.db.base import utc_now
from accord.server.db.engine import make_session_factory
from accord.server.elections.service import add_election
from accord.server.guard.models import GuardBan
from accord.server.persons.service import register_person
from accord.server.settings import Settings
from tests.integration.databases import own_engine_beside
from tests.integration.guard.conftest import BLOCKED, ELECTION, ask


@pytest.fixture(scope="module")
def own_engine(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with own_engine_beside(database_url, tmp_path_factory.mktemp("bans"), "bans") as engine:
        yield engine


def test_two_blocks_at_once_make_one_ban(own_engine: Engine, settings: Settings) -> None:
    sessions: sessionmaker[Session] = make_session_factory(own_engine)
    with sessions() as session:
        add_election(session, ELECTION, utc_now().date(), ["BE"])
        register_person(session, "Jan Peeters", election=ELECTION)
        ask(session, settings, BLOCKED, user="racer")
        ask(session, settings, BLOCKED, user="racer")
        session.commit()

    def second() -> bool:
        with sessions() as session:
            banned = ask(session, settings, BLOCKED, user="racer").user_status.banned
            session.commit()
            return banned

    with ThreadPoolExecutor(max_workers=1) as pool, sessions() as first:
        assert ask(first, settings, BLOCKED, user="racer").user_status.banned
        other = pool.submit(second)  # waits for the first's write lock
        first.commit()
        assert other.result(60)

    with sessions() as session:
        bans = session.scalar(select(func.count(GuardBan.id)).where(GuardBan.user == "racer"))
        assert bans == 1
