"""The service's parts, opened in the CLI's own process against the configured database."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from accord.errors import AccordError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from accord.server.services import Services
    from accord.server.settings import Settings


def load_settings() -> Settings:
    try:
        from accord.server.settings import Settings  # noqa: PLC0415
    except ImportError:
        raise fail("the server is not installed: pip install 'accord[server]'") from None
    try:
        return Settings()
    except ValueError as error:
        raise fail(f"invalid settings: {error}") from None


def fail(message: str) -> typer.Exit:
    """Print one readable error line and give the exit to raise."""
    typer.echo(f"accord: error: {message}", err=True)
    return typer.Exit(code=1)


@contextmanager
def local_services() -> Iterator[Services]:
    """Services on the configured database, migrated first if the settings say so."""
    from accord.server.db.migrate import upgrade  # noqa: PLC0415
    from accord.server.services import Services  # noqa: PLC0415

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.auto_migrate:
        upgrade(settings.effective_database_url)
    try:
        services = Services.build(settings)
    except AccordError as error:  # e.g. a trust anchor file that is not PEM
        raise fail(error.detail) from None
    try:
        yield services
    finally:
        services.close()


@contextmanager
def local_services_trusting(anchors: list[Path] | None) -> Iterator[Services]:
    """``local_services``, trusting the PEM files ``anchors`` (``--anchors``) too."""
    from dataclasses import replace  # noqa: PLC0415

    from accord.provenance.certificates import read_trust_anchors  # noqa: PLC0415

    try:
        extra = read_trust_anchors(anchors or [])
    except AccordError as error:
        raise fail(error.detail) from None
    with local_services() as opened:
        yield replace(opened, trust_anchors=(*opened.trust_anchors, *extra))


@contextmanager
def transaction(services: Services) -> Iterator[Session]:
    """A session committed when the block ends normally, rolled back otherwise; the audit
    log names the user who ran the command."""
    with services.sessions() as session, session.begin():
        session.info["actor"] = _command_line_actor()
        yield session


def _command_line_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in this environment
        return "cli"


def warm_indexes(services: Services) -> None:
    """Bring the indices up to date; keep a snapshot if that took many changes."""
    from accord.server.matching.indexes import prune_snapshots  # noqa: PLC0415

    with transaction(services) as session:
        applied = services.indexes.sync(session)
    if applied >= services.settings.index_snapshot_after_changes:
        services.indexes.save(services.settings.index_dir)
        prune_snapshots(services.settings.index_dir)
