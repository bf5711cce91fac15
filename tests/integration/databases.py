"""A database of a test's own beside the session's shared one, on the same backend: for
tests that need several connections of their own (concurrent transactions)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import Engine

from accord.server.db.engine import make_engine
from accord.server.db.migrate import upgrade

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def own_engine_beside(database_url: str, folder: Path, label: str) -> Iterator[Engine]:
    """A migrated database named after ``label``, dropped when the block ends."""
    if database_url.startswith("sqlite"):
        url, name = f"sqlite:///{folder / f'{label}.db'}", None
    else:
        name = f"{database_url.rsplit('/', 1)[1]}_{label}"
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
        url = f"{database_url.rsplit('/', 1)[0]}/{name}"
    upgrade(url)
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        if name is not None:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(*statements: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as admin:
        for statement in statements:
            admin.execute(statement)
