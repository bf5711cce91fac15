"""A fresh accord instance on disk for a browser test to serve: migrated, then set up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.orm import Session

from accord.server.db.engine import make_engine, make_session_factory
from accord.server.db.migrate import upgrade
from accord.server.settings import Settings


@contextmanager
def new_instance(data: Path) -> Iterator[tuple[Settings, Session]]:
    """The settings of an instance in ``data`` and a session to set it up, committed when
    the block ends (then ``serve(data)`` runs it)."""
    settings = Settings(data_dir=data)
    data.mkdir(parents=True)
    upgrade(settings.effective_database_url)
    engine = make_engine(settings.effective_database_url)
    try:
        with make_session_factory(engine)() as session:
            yield settings, session
            session.commit()
    finally:
        engine.dispose()
