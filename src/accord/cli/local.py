"""The service's parts, opened in the CLI's own process against the configured database."""

from __future__ import annotations

import getpass
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import typer

from accord.errors import AccordError

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from accord.server.runtime import Runtime
    from accord.server.settings import Settings


def load_settings() -> Settings:
    try:
        from pydantic import ValidationError  # noqa: PLC0415
        from pydantic_settings import SettingsError  # noqa: PLC0415

        from accord.server.settings import Settings, settings_problems  # noqa: PLC0415
    except ImportError:
        raise fail("the server is not installed: pip install 'accord[server]'") from None
    try:
        return Settings()
    except (ValidationError, SettingsError) as error:
        for line in settings_problems(error):
            typer.echo(f"accord: error: {line}", err=True)
        raise typer.Exit(code=1) from None


def fail(message: str) -> typer.Exit:
    """Print one readable error line and give the exit to raise."""
    typer.echo(f"accord: error: {message}", err=True)
    return typer.Exit(code=1)


class HasSessions(Protocol):
    @property
    def sessions(self) -> sessionmaker[Session]: ...


@dataclass(frozen=True)
class LocalDatabase:
    """The settings and database sessions alone, without the runtime's indexes, mail and
    webhooks: enough for commands that only read and write rows."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]


@contextmanager
def local_database() -> Iterator[LocalDatabase]:
    """Sessions on the configured database, migrated first if the settings say so and it
    is behind. A third of the time of ``local_runtime``: no numpy, faiss or Alembic."""
    from accord.server.db.engine import make_engine, make_session_factory  # noqa: PLC0415

    settings = load_settings()
    _check_trust_anchors(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    try:
        if settings.auto_migrate and not _at_head(engine):
            _upgrade(settings.effective_database_url)
        yield LocalDatabase(settings, engine, make_session_factory(engine))
    finally:
        engine.dispose()


def _check_trust_anchors(settings: Settings) -> None:
    """A broken trust anchor file is reported by every command, as the service's start
    reports it, not only by those that verify; none configured costs nothing."""
    if not settings.trust_anchor_files:
        return
    from accord.provenance.certificates import read_trust_anchors  # noqa: PLC0415

    try:
        read_trust_anchors(settings.trust_anchor_files)
    except AccordError as error:
        raise fail(error.detail) from None


@contextmanager
def local_runtime() -> Iterator[Runtime]:
    """The runtime on the configured database, migrated first if the settings say so."""
    from accord.server.runtime import Runtime  # noqa: PLC0415

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.auto_migrate:
        _upgrade(settings.effective_database_url)
    try:
        runtime = Runtime.build(settings)
    except AccordError as error:  # e.g. a trust anchor file that is not PEM
        raise fail(error.detail) from None
    try:
        yield runtime
    finally:
        runtime.close()


def _upgrade(database_url: str) -> None:
    from accord.server.db import migrate  # noqa: PLC0415

    migrate.upgrade(database_url)


def _at_head(engine: Engine) -> bool:
    """Whether every migration is applied, told without importing Alembic (a tenth of a
    second): the database's revisions against the migration files' heads."""
    from sqlalchemy import text  # noqa: PLC0415
    from sqlalchemy.exc import DBAPIError  # noqa: PLC0415

    heads = migration_heads()
    try:
        with engine.connect() as connection:
            applied = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
    except DBAPIError:  # no such table: a new database
        return False
    return bool(heads) and applied == heads


#: ``revision = "ae1af6750091"`` and ``down_revision = ("a", "b")`` in a migration file.
_REVISION = re.compile(r"^(down_)?revision\b[^=\n]*=(.*)$", re.MULTILINE)
_REVISION_ID = re.compile(r"[\"']([0-9A-Za-z_]+)[\"']")


def migration_heads() -> set[str]:
    """The revisions no other migration file builds on; empty if a file cannot be read
    this way (the caller then lets Alembic decide)."""
    import accord.server.db  # noqa: PLC0415

    folder = Path(accord.server.db.__file__).with_name("migrations") / "versions"
    revisions: set[str] = set()
    built_on: set[str] = set()
    for path in folder.glob("*.py"):
        found = {
            down: _REVISION_ID.findall(value)
            for down, value in _REVISION.findall(path.read_text(encoding="utf-8"))
        }
        if len(found.get("", [])) != 1:
            return set()
        revisions.update(found[""])
        built_on.update(found.get("down_", []))
    return revisions - built_on


@contextmanager
def local_runtime_trusting(anchors: list[Path] | None) -> Iterator[Runtime]:
    """``local_runtime``, trusting the PEM files ``anchors`` (``--anchors``) too."""
    from dataclasses import replace  # noqa: PLC0415

    from accord.provenance.certificates import read_trust_anchors  # noqa: PLC0415

    try:
        extra = read_trust_anchors(anchors or [])
    except AccordError as error:
        raise fail(error.detail) from None
    with local_runtime() as opened:
        yield replace(opened, trust_anchors=(*opened.trust_anchors, *extra))


@contextmanager
def transaction(opened: HasSessions) -> Iterator[Session]:
    """A session committed when the block ends normally, rolled back otherwise; the audit
    log names the user who ran the command."""
    with opened.sessions() as session, session.begin():
        session.info["actor"] = _command_line_actor()
        yield session


def _command_line_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in this environment
        return "cli"


def warm_indexes(runtime: Runtime) -> None:
    """Bring the indices up to date; keep a snapshot if that took many changes."""
    from accord.server.matching.service import keep_snapshot  # noqa: PLC0415

    with transaction(runtime) as session:
        applied = runtime.indexes.sync(session)
    if applied >= runtime.settings.index_snapshot_after_changes:
        keep_snapshot(runtime.indexes, runtime.settings.index_dir)
