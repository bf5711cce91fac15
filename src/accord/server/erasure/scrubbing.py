"""Erased bytes gone from the database's files too, not only from its rows."""

from __future__ import annotations

from sqlalchemy import Engine


def drop_freed_pages(engine: Engine) -> None:
    """Make the database forget erased bytes for good, after the erasure committed.

    SQLite leaves a deleted or overwritten row's bytes in free pages and in its
    write-ahead log: ``VACUUM`` rewrites the file without them, and a truncating
    checkpoint empties the log. PostgreSQL's dead row versions are autovacuum's (they
    are never in ``pg_dump``'s backups); see the README.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM")
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
