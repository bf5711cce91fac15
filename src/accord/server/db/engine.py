"""Engines and sessions, built from settings by ``create_app`` (never at import)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str) -> Engine:
    # A database error's message would otherwise quote the statement's values (a notice's
    # notifier, email and explanation), and so would every log of it.
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # WAL lets readers and a writer work at once; foreign keys are off by default in SQLite.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose every change is audited (``accord.server.audit.service``)."""
    from accord.server.audit.service import install_audit_trail  # noqa: PLC0415

    install_audit_trail()
    return sessionmaker(bind=engine, expire_on_commit=False)
