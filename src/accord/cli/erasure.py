"""``accord notifier erase EMAIL`` (and the helpers ``accord person erase`` shares): erase
someone's personal data, then say what was erased and what was kept, and why."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from accord.cli.local import fail, local_database, transaction
from accord.cli.plain_help import Commands
from accord.errors import AccordError

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

    from accord.cli.local import LocalDatabase
    from accord.server.erasure.models import ErasureRequest

notifier_app = Commands()


@notifier_app.command("erase")
def erase_notifier_command(
    email: Annotated[str, typer.Argument(help="The address they sent notices from.")],
    note: Annotated[str, typer.Option(help="Why, e.g. the request's date; not their name.")] = "",
) -> None:
    """Erase a notifier's personal data (GDPR Art. 17): their name, address and
    explanations on notices, emails to them, and appeals' contact address."""
    from accord.server.erasure.service import erase_notifier_data  # noqa: PLC0415

    erase_and_report(
        lambda session, by: erase_notifier_data(session, email, requested_by=by, note=note)
    )


def erase_and_report(erase: Callable[[Session, str], ErasureRequest]) -> None:
    """Run ``erase`` in one transaction as the command line's user, scrub the database,
    and print what was erased and what was kept."""
    try:
        with local_database() as database:
            with transaction(database) as session:
                request = erase(session, str(session.info["actor"]))
                number, erased, kept = request.id, dict(request.erased), list(request.kept)
            scrub_local(database)
    except AccordError as error:
        raise fail(error.detail) from None
    counts = ", ".join(f"{count} {what}" for what, count in erased.items())
    typer.echo(f"erasure request #{number}: erased {counts}")
    for reason in kept:
        typer.echo(f"kept: {reason}")


def scrub_local(database: LocalDatabase) -> None:
    from accord.server.erasure.service import scrub  # noqa: PLC0415

    scrub(database.engine)
