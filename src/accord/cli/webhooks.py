"""``accord webhook ...`` and ``accord outbox ...``: where actions go, and what is on its way."""

from __future__ import annotations

from typing import Annotated

import typer

from accord.cli.local import fail, load_settings, local_database, local_runtime, transaction
from accord.cli.plain_help import Commands
from accord.errors import AccordError

webhook_app = Commands()
outbox_app = Commands()


@webhook_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Short name, e.g. the platform's.")],
    url: Annotated[str, typer.Argument(help="Where to POST the messages.")],
    platform: Annotated[
        str, typer.Option(help="Only actions on this platform's content; all when omitted.")
    ] = "",
) -> None:
    """Add a webhook; prints its HMAC secret once, for the receiver to verify signatures."""
    from accord.server.webhooks.service import add_webhook  # noqa: PLC0415

    master_key = load_settings().master_key.get_secret_value()
    try:
        with local_database() as database, transaction(database) as session:
            webhook, secret = add_webhook(session, name, url, master_key, platform=platform)
            typer.echo(f"webhook {webhook.name} -> {webhook.url}")
    except AccordError as error:
        raise fail(error.detail) from None
    typer.echo(f"secret (shown once): {secret}")


@webhook_app.command("disable")
def disable(name: Annotated[str, typer.Argument(help="The webhook's name.")]) -> None:
    """Pause a webhook: its messages wait, pending, until it is enabled again."""
    _set_enabled(name, enabled=False)


@webhook_app.command("enable")
def enable(name: Annotated[str, typer.Argument(help="The webhook's name.")]) -> None:
    """Resume a paused webhook: what waited is delivered."""
    _set_enabled(name, enabled=True)


def _set_enabled(name: str, *, enabled: bool) -> None:
    from accord.server.webhooks.service import set_enabled  # noqa: PLC0415

    try:
        with local_database() as database, transaction(database) as session:
            webhook = set_enabled(session, name, enabled=enabled)
            typer.echo(f"webhook {webhook.name} {'enabled' if enabled else 'disabled'}")
    except AccordError as error:
        raise fail(error.detail) from None


@webhook_app.command("list")
def list_webhooks() -> None:
    """Every webhook and whether it is enabled."""
    from accord.server.webhooks.service import list_webhooks as listed  # noqa: PLC0415

    with local_database() as database, transaction(database) as session:
        for webhook in listed(session):
            state = "enabled" if webhook.enabled else "disabled"
            scope = webhook.platform or "every platform"
            typer.echo(f"{webhook.name}\t{webhook.url}\t{scope}\t{state}")


@outbox_app.command("list")
def list_messages(
    status: Annotated[
        str | None, typer.Option(help="Only pending, delivered or dead messages.")
    ] = None,
) -> None:
    """Messages with their status, attempts and last error, oldest first."""
    from accord.server.webhooks.service import list_messages as listed  # noqa: PLC0415

    with local_database() as database, transaction(database) as session:
        for message in listed(session, status):
            typer.echo(
                f"{message.id}\t{message.event}\t{message.status}\t"
                f"{message.attempts} attempt(s)\t{message.last_error or '-'}"
            )


@outbox_app.command("replay")
def replay_command(
    message_ids: Annotated[list[int], typer.Argument(help="Messages to send again.")],
) -> None:
    """Send dead (or delivered) messages again, with their original idempotency keys."""
    from accord.server.webhooks.service import replay  # noqa: PLC0415

    try:
        with local_database() as database, transaction(database) as session:
            for message_id in message_ids:
                replay(session, message_id)
    except AccordError as error:
        raise fail(error.detail) from None
    typer.echo(f"{len(message_ids)} message(s) will be sent again")


@outbox_app.command("deliver")
def deliver_command() -> None:
    """Deliver every message due now (the server does this every few seconds)."""
    import httpx  # noqa: PLC0415

    from accord.server.webhooks.service import deliver_due  # noqa: PLC0415

    master_key = load_settings().master_key.get_secret_value()
    with local_runtime() as runtime, httpx.Client(timeout=10.0) as client:
        tried = deliver_due(runtime.sessions, master_key, client)
    typer.echo(f"{tried} message(s) tried")
