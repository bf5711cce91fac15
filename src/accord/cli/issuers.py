"""``accord issuer ...``: organizations that sign Content Credentials on this instance."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from accord.cli.files import os_reason
from accord.cli.local import fail, load_settings, local_runtime, transaction
from accord.cli.plain_help import Commands
from accord.errors import AccordError

if TYPE_CHECKING:
    from accord.server.issuers.models import Issuer

issuer_app = Commands()


@issuer_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Short name, e.g. electoral-commission.")],
    organization: Annotated[str, typer.Option(help="Shown to verifiers as the signer.")],
    common_name: Annotated[
        str | None, typer.Option(help="Certificate name (default: '<organization> signing').")
    ] = None,
    country: Annotated[str | None, typer.Option(help="Two-letter country code.")] = None,
    root_out: Annotated[
        Path | None, typer.Option(help="Also write the root certificate (PEM) here.")
    ] = None,
) -> None:
    """Make a root CA and a signing certificate that meet the C2PA profile."""
    from accord.provenance.certificates import IssuerName  # noqa: PLC0415
    from accord.server.issuers.service import create_issuer  # noqa: PLC0415

    master_key = load_settings().master_key.get_secret_value()
    try:
        who = IssuerName(organization, common_name or f"{organization} signing", country)
        with local_runtime() as runtime, transaction(runtime) as session:
            issuer = create_issuer(session, name, who, master_key)
            _describe(issuer)
            root = issuer.root_pem
    except AccordError as error:
        raise fail(error.detail) from None
    if root_out is not None and root is not None:
        root_out.write_text(root)
        typer.echo(f"root certificate written to {root_out}", err=True)


@issuer_app.command("import")
def import_command(
    name: Annotated[str, typer.Argument(help="The issuer's short name.")],
    chain: Annotated[Path, typer.Option(help="PEM certificates, end entity first.")],
    key: Annotated[Path, typer.Option(help="The end entity's private key (PEM).")],
    key_password_env: Annotated[
        str | None, typer.Option(help="Environment variable holding the key's password.")
    ] = None,
) -> None:
    """Import an existing chain and key; refused with the reason if c2pa could not use it."""
    from accord.server.issuers.service import import_issuer  # noqa: PLC0415

    password = None
    if key_password_env is not None:
        value = os.environ.get(key_password_env)
        if value is None:
            raise fail(f"the environment variable {key_password_env} is not set")
        password = value.encode()
    try:
        chain_pem, key_pem = chain.read_bytes(), key.read_bytes()
    except OSError as error:
        raise fail(f"{error.filename}: {os_reason(error)}") from None
    master_key = load_settings().master_key.get_secret_value()
    try:
        with local_runtime() as runtime, transaction(runtime) as session:
            issuer = import_issuer(
                session, name, chain_pem, key_pem, master_key, key_password=password
            )
            _describe(issuer)
    except AccordError as error:
        raise fail(error.detail) from None


@issuer_app.command("list")
def list_command() -> None:
    """Every issuer: name, organization, algorithm, origin, certificate expiry."""
    from accord.server.issuers.service import list_issuers  # noqa: PLC0415

    with local_runtime() as runtime, transaction(runtime) as session:
        for issuer in list_issuers(session):
            typer.echo(
                f"{issuer.name}\t{issuer.organization}\t{issuer.algorithm}\t{issuer.origin}"
                f"\tvalid until {issuer.not_after:%Y-%m-%d}"
            )


@issuer_app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="The issuer's short name.")],
    root: Annotated[bool, typer.Option("--root", help="Print the root certificate PEM.")] = False,
) -> None:
    """One issuer, or with --root its root certificate (PEM) for verifiers to trust."""
    from accord.server.issuers.service import get_issuer  # noqa: PLC0415

    try:
        with local_runtime() as runtime, transaction(runtime) as session:
            issuer = get_issuer(session, name)
            if root:
                if issuer.root_pem is None:
                    raise fail(f"issuer {name} was imported without its root certificate")
                typer.echo(issuer.root_pem, nl=False)
            else:
                _describe(issuer)
    except AccordError as error:
        raise fail(error.detail) from None


def _describe(issuer: Issuer) -> None:
    typer.echo(f"issuer {issuer.name}: {issuer.organization}")
    typer.echo(f"  algorithm {issuer.algorithm}, {issuer.origin}")
    typer.echo(f"  signing certificate valid until {issuer.not_after:%Y-%m-%d}")
    typer.echo(f"  root certificate {'kept' if issuer.root_pem else 'not provided'}")
