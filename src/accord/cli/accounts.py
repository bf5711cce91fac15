"""``accord org ...`` and ``accord user ...``: organizations and the people who sign in."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from accord.cli.local import fail, local_database, transaction
from accord.cli.plain_help import Commands
from accord.errors import AccordError

org_app = Commands()
user_app = Commands()

Organization = Annotated[str, typer.Option("--org", help="The organization's name.")]
RoleOption = Annotated[
    str,
    typer.Option(
        help="protected_person, representative, reviewer, senior_reviewer, admin or auditor."
    ),
]


@org_app.command("create")
def create_org(
    name: Annotated[str, typer.Argument(help="Its name.")],
    kind: Annotated[
        str,
        typer.Option(help="election_authority, platform, campaign, fact_checker or partner."),
    ],
) -> None:
    """Add an organization."""
    from accord.server.accounts.service import create_organization  # noqa: PLC0415

    try:
        with local_database() as database, transaction(database) as session:
            create_organization(session, name, kind)
    except AccordError as error:
        raise fail(error.detail) from None
    typer.echo(f"organization {name} ({kind})")


@user_app.command("create")
def create_user_command(
    email: Annotated[str, typer.Argument(help="Their email: the login name.")],
    org: Organization,
    role: RoleOption,
    name: Annotated[str, typer.Option(help="Their name, as shown to colleagues.")] = "",
) -> None:
    """Add a user who can sign in at once; the password is read from standard input."""
    from accord.server.accounts.service import create_user, find_organization  # noqa: PLC0415

    password = sys.stdin.readline().rstrip("\n")
    try:
        with local_database() as database, transaction(database) as session:
            user = create_user(
                session, find_organization(session, org), email, role, password,
                display_name=name,
            )  # fmt: skip
            typer.echo(f"user {user.email} ({user.role}) in {org}")
    except AccordError as error:
        raise fail(error.detail) from None


#: ``accord user list --json``'s keys.
USER_FIELDS = ("email", "name", "role", "organization", "active")


@user_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Every user: email, name, role, organization, and whether they may sign in."""
    from accord.server.accounts.service import list_users  # noqa: PLC0415

    with local_database() as database, transaction(database) as session:
        for user, organization in list_users(session):
            row = (user.email, user.display_name, user.role, organization.name, user.active)
            if as_json:
                fields = dict(zip(USER_FIELDS, row, strict=True))
                typer.echo(json.dumps(fields, ensure_ascii=False))
            else:
                state = "active" if user.active else "deactivated"
                typer.echo("\t".join((*(str(part or "-") for part in row[:4]), state)))


@user_app.command("invite")
def invite_command(
    email: Annotated[str, typer.Argument(help="Whom to invite.")],
    org: Organization,
    role: RoleOption,
) -> None:
    """A single-use invitation (valid 7 days); send its address to the person invited."""
    from accord.server.accounts.service import (  # noqa: PLC0415
        find_organization,
        invitation_link,
        invite,
    )

    try:
        with local_database() as database, transaction(database) as session:
            token = invite(session, find_organization(session, org), email, role)
            public_url = database.settings.public_url
    except AccordError as error:
        raise fail(error.detail) from None
    link = invitation_link(token, public_url)
    typer.echo(f"invitation for {email.strip().lower()} as {role}: {link}")
    if public_url is None:  # the portal knows its address from each request; we do not
        typer.echo(
            "accord: note: put the server's address before the path, or set "
            "ACCORD_PUBLIC_URL (e.g. https://accord.example.org) to have it printed",
            err=True,
        )


@user_app.command("deactivate")
def deactivate_command(email: Annotated[str, typer.Argument(help="Their email.")]) -> None:
    """Keep a user out: their sessions end and they cannot sign in."""
    _set_active(email, active=False)


@user_app.command("activate")
def activate_command(email: Annotated[str, typer.Argument(help="Their email.")]) -> None:
    """Let a deactivated user sign in again."""
    _set_active(email, active=True)


@user_app.command("unlock")
def unlock_command(email: Annotated[str, typer.Argument(help="The email address.")]) -> None:
    """End a sign-in lockout now: anyone can lock an address by typing wrong passwords for
    it, so an admin can let its owner back in."""
    from accord.server.accounts.service import unlock  # noqa: PLC0415

    with local_database() as database, transaction(database) as session:
        unlock(session, email)
    typer.echo(f"{email.strip().lower()} may sign in again")


@user_app.command("reset-second-factor")
def reset_second_factor_command(
    email: Annotated[str, typer.Argument(help="Their email.")],
) -> None:
    """Forget a user's authenticator and recovery codes (a lost phone, when no other admin
    can reset it on /admin/users): they are signed out, told by mail, and set up a new one
    at their next sign-in."""
    from accord.server.accounts.service import find_user, reset_from_console  # noqa: PLC0415
    from accord.server.db.base import utc_now  # noqa: PLC0415

    try:
        with local_database() as database, transaction(database) as session:
            user = find_user(session, email)
            reset_from_console(session, database.settings, user, now=utc_now())
            typer.echo(f"{user.email} sets up a new second factor at their next sign-in")
    except AccordError as error:
        raise fail(error.detail) from None


def _set_active(email: str, *, active: bool) -> None:
    from accord.server.accounts.service import find_user, set_active  # noqa: PLC0415

    try:
        with local_database() as database, transaction(database) as session:
            user = find_user(session, email)
            set_active(session, user, active=active)
            typer.echo(f"user {user.email} {'active' if active else 'deactivated'}")
    except AccordError as error:
        raise fail(error.detail) from None
