"""``accord audit ...``: read the audit log and check that nobody rewrote it."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from accord.cli.local import fail, local_database, transaction
from accord.cli.plain_help import Commands

audit_app = Commands()


@audit_app.command("verify")
def verify_command() -> None:
    """Check every entry's seal and link: exit 1, naming them, if any was edited or removed."""
    from accord.server.audit.service import verify  # noqa: PLC0415

    with local_database() as database, transaction(database) as session:
        result = verify(session)
    if not result.intact:
        first, *more = result.problems
        exit_code = fail(f"the audit log was tampered with: {first}")
        for problem in more:
            typer.echo(f"accord: error: {problem}", err=True)
        raise exit_code
    typer.echo(f"audit log intact: {result.entries} entries, last hash {result.head_hash}")


@audit_app.command("list")
def list_command(
    limit: Annotated[int, typer.Option(min=1, help="How many of the newest entries.")] = 20,
) -> None:
    """The newest entries as JSON lines, newest last."""
    from accord.server.audit.service import newest  # noqa: PLC0415

    with local_database() as database, transaction(database) as session:
        for entry in newest(session, limit):
            typer.echo(json.dumps(entry, ensure_ascii=False))
