"""``accord db ...``: migrate the service's database."""

from __future__ import annotations

from typing import Annotated

import typer

from accord.cli.local import load_settings
from accord.cli.plain_help import Commands

db_app = Commands()


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="A migration's id, or head.")] = "head",
) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from accord.server.db.migrate import upgrade  # noqa: PLC0415

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url, revision)
    typer.echo(f"database at {revision}", err=True)


@db_app.command("revision")
def db_revision(
    message: Annotated[str, typer.Option("-m", "--message", help="What the migration does.")],
) -> None:
    """Write a new migration from the difference between models and database."""
    from accord.server.db.migrate import make_revision  # noqa: PLC0415

    make_revision(load_settings().effective_database_url, message)
