"""``accord alert ...``: who is told of SLA breaches, dead letters, stale indices and a
TDB backlog, by mail or as a signed webhook event."""

from __future__ import annotations

from typing import Annotated

import typer

from accord.cli.local import fail, load_settings, local_database, transaction
from accord.cli.plain_help import Commands
from accord.errors import AccordError

alert_app = Commands()

#: The events, as ``--event`` takes them (``AlertKind``'s values, repeated here so that
#: ``--help`` imports no server code).
_EVENTS_HELP = "sla_breach, dead_letters, index_stale or tdb_backlog; repeat for several"


@alert_app.command("add")
def add(
    address: Annotated[str, typer.Argument(help="An email address, or an http(s) URL.")],
    event: Annotated[
        list[str] | None, typer.Option("--event", help=f"{_EVENTS_HELP}; every one when omitted.")
    ] = None,
) -> None:
    """Tell ADDRESS of incidents; a URL gets signed webhook events, and its secret once."""
    from accord.server.alerts.service import add_recipient  # noqa: PLC0415

    settings = load_settings()
    try:
        with local_database() as database, transaction(database) as session:
            recipient, secret = add_recipient(
                session, address, event or [],
                created_by=str(session.info["actor"]),
                master_key=settings.master_key.get_secret_value(),
            )  # fmt: skip
            typer.echo(
                f"alert recipient {recipient.id}: {recipient.address} ({_events(recipient.events)})"
            )
    except AccordError as error:
        raise fail(error.detail) from None
    if secret is not None:
        typer.echo(f"secret (shown once): {secret}")
    elif settings.smtp_host is None:
        typer.echo("accord: note: no mail is sent until ACCORD_SMTP_HOST is set", err=True)


@alert_app.command("list")
def list_recipients() -> None:
    """Every recipient: id, address, events, who added it and when."""
    from accord.server.alerts.service import list_recipients as listed  # noqa: PLC0415

    with local_database() as database, transaction(database) as session:
        for recipient in listed(session):
            typer.echo(
                f"{recipient.id}\t{recipient.address}\t{_events(recipient.events)}\t"
                f"{recipient.created_by}\t{recipient.created_at:%Y-%m-%d %H:%M} UTC"
            )


@alert_app.command("remove")
def remove(recipient_id: Annotated[int, typer.Argument(help="The id `alert list` shows.")]) -> None:
    """Tell a recipient nothing more (what was queued for it still goes)."""
    from accord.server.alerts.service import remove_recipient  # noqa: PLC0415

    try:
        with local_database() as database, transaction(database) as session:
            recipient = remove_recipient(session, recipient_id)
            typer.echo(f"alert recipient {recipient.id} removed: {recipient.address}")
    except AccordError as error:
        raise fail(error.detail) from None


def _events(events: list[str]) -> str:
    return ",".join(events)
