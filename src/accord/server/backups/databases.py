"""The database's part of a backup: a consistent snapshot taken while the service writes,
and its restore, for SQLite (its online backup API) and PostgreSQL (``pg_dump``)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from accord.errors import BackupError
from accord.server.audit.service import entry_count
from accord.server.backups.manifest import DatabaseKind
from accord.server.db.engine import make_engine

#: Seconds SQLite waits for a lock, as the service's own connections do.
_SQLITE_TIMEOUT = 30.0


def kind_of(database_url: str) -> DatabaseKind:
    backend = make_url(database_url).get_backend_name()
    if backend == "sqlite":
        return "sqlite"
    if backend == "postgresql":
        return "postgresql"
    msg = f"backups know SQLite and PostgreSQL, not {backend}"
    raise BackupError(msg)


def dump(database_url: str, target: Path) -> str | None:
    """Write a snapshot of the database to ``target``; return its migration revision."""
    if kind_of(database_url) == "sqlite":
        return _dump_sqlite(_sqlite_file(database_url), target)
    program = _tool("pg_dump")
    # Read before the dump: ``pg_dump`` cannot say, and migrations do not run meanwhile.
    revision = _revision_of(database_url)
    _run(program, "--format=custom", f"--file={target}", database_url=database_url)
    return revision


def load(database_url: str, source: Path) -> None:
    """Replace the database's contents with the snapshot ``source`` (``dump``'s)."""
    if kind_of(database_url) == "sqlite":
        _load_sqlite(source, _sqlite_file(database_url))
        return
    # One transaction: a restore that fails half-way leaves the database as it was.
    _run(
        _tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
        "--single-transaction", "--exit-on-error", str(source), database_url=database_url,
    )  # fmt: skip


def audit_entries(database_url: str) -> int:
    """How many audit log entries the database holds: 0 for a new (or missing) one. Every
    change the service makes is audited, so none means it holds nothing worth keeping."""
    if kind_of(database_url) == "sqlite" and not _sqlite_file(database_url).is_file():
        return 0  # connecting would create it
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return entry_count(connection)
    except DBAPIError as error:
        raise _unreachable(error) from None
    finally:
        engine.dispose()


def _unreachable(error: DBAPIError) -> BackupError:
    reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
    return BackupError(f"the database cannot be opened: {reason}")


# -- SQLite ---------------------------------------------------------------------------------


def _sqlite_file(database_url: str) -> Path:
    name = make_url(database_url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        msg = "only a SQLite database in a file (sqlite:///PATH) can be backed up or restored"
        raise BackupError(msg)
    return Path(name)


def _dump_sqlite(source: Path, target: Path) -> str | None:
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    with (
        closing(sqlite3.connect(source, timeout=_SQLITE_TIMEOUT)) as live,
        closing(sqlite3.connect(target)) as copy,
    ):
        # In one step (all pages): one read transaction, so one consistent state, while
        # the service's writers go on (WAL lets a reader and a writer work at once).
        live.backup(copy)
        # The copy inherits WAL mode; a rollback journal keeps it one self-contained file.
        copy.execute("PRAGMA journal_mode=DELETE")
        revision = _sqlite_revision(copy)
    _fsync(target)
    return revision


def _sqlite_revision(connection: sqlite3.Connection) -> str | None:
    try:
        rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.OperationalError:  # never migrated
        return None
    return ",".join(sorted(str(row[0]) for row in rows)) or None


def _load_sqlite(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(source, staging)
    _fsync(staging)
    # The old database's write-ahead log and shared memory would be read as the new one's.
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    staging.replace(target)


def _fsync(path: Path) -> None:
    with path.open("rb") as file:
        os.fsync(file.fileno())


# -- PostgreSQL -----------------------------------------------------------------------------


def _revision_of(database_url: str) -> str | None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            versions = connection.scalars(text("SELECT version_num FROM alembic_version"))
            return ",".join(sorted(versions)) or None
    except DBAPIError as error:
        raise _unreachable(error) from None
    finally:
        engine.dispose()


def _tool(name: str) -> Path:
    found = shutil.which(name)
    if found is None:
        msg = (
            f"{name} is not installed: install PostgreSQL's client tools (postgresql-client), "
            "of the server's major version or newer"
        )
        raise BackupError(msg)
    return Path(found)


def _run(program: Path, *arguments: str, database_url: str) -> None:
    """Run ``pg_dump`` or ``pg_restore`` on the database; the password goes in the
    environment, not on a command line every user of the machine can read."""
    url = make_url(database_url)
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    # libpq reads the address without SQLAlchemy's driver name ("+psycopg").
    address = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    done = subprocess.run(
        [program, f"--dbname={address}", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit status {done.returncode}"
        raise BackupError(f"{program.name} failed: {reason}")
