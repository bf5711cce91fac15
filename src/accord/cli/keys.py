"""``accord key ...``: API keys for machine clients."""

from __future__ import annotations

from typing import Annotated

import typer

from accord.cli.local import fail, local_database, transaction
from accord.cli.plain_help import Commands
from accord.errors import AccordError

key_app = Commands()


@key_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="A name for the client it is for.")],
    scope: Annotated[
        list[str],
        typer.Option(
            help="hash, match, curate, notify, trusted_flagger, platform, share (a partner "
            "reading shared banks over TAXII), guard (a generation service) or metrics (a "
            "Prometheus scraper on another machine) (repeatable)."
        ),
    ],
    rate_limit: Annotated[
        int | None, typer.Option(min=1, help="Requests per minute (default: the instance's).")
    ] = None,
    platform: Annotated[
        str | None,
        typer.Option(help="The platform a 'platform' key acts for, as its webhook names it."),
    ] = None,
    partner_of: Annotated[
        list[str] | None,
        typer.Option(
            "--partner-of",
            help="For a 'share' key: an owner whose TLP:AMBER banks it may read, as banks "
            "name their owner (repeatable).",
        ),
    ] = None,
) -> None:
    """Create a key; it is printed once, on stdout, and only its hash is kept."""
    from accord.server.auth.keys import create_key  # noqa: PLC0415

    try:
        with local_database() as database, transaction(database) as session:
            row, key = create_key(
                session, name, scope, rate_limit, platform=platform, partner_of=partner_of or ()
            )
            scopes = ",".join(row.scopes)
    except AccordError as error:
        raise fail(error.detail) from None
    typer.echo(
        f"created key {name} with scopes {scopes}; store it now, it is not shown again:", err=True
    )
    typer.echo(key)


@key_app.command("list")
def list_command() -> None:
    """Names, scopes, limits and state of every key (never the keys themselves)."""
    from accord.server.auth.keys import list_keys  # noqa: PLC0415

    with local_database() as database, transaction(database) as session:
        for row in list_keys(session):
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
            limit = row.rate_limit_per_minute or "default"
            acts_for = f"\tfor {row.platform}" if row.platform else ""
            partner = f"\tpartner of {', '.join(row.partner_of)}" if row.partner_of else ""
            typer.echo(
                f"{row.name}\tacc_{row.prefix}_…\t{','.join(row.scopes)}\t{limit}/min"
                f"\t{state}{acts_for}{partner}"
            )


@key_app.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Revoke a key; running servers stop accepting it within seconds."""
    from accord.server.auth.keys import revoke_key  # noqa: PLC0415

    try:
        with local_database() as database, transaction(database) as session:
            revoke_key(session, name)
    except AccordError as error:
        raise fail(error.detail) from None
    typer.echo(f"revoked key {name}", err=True)
