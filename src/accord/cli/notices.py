"""``accord election ...``, ``accord notices triage`` and ``accord statements export``:
the notice-and-action work an operator does from a shell."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from accord.cli.local import fail, local_database, local_runtime, transaction
from accord.cli.plain_help import Commands
from accord.errors import AccordError

election_app = Commands()
notices_app = Commands()
statements_app = Commands()


@election_app.command("add")
def add_election(
    name: Annotated[str, typer.Argument(help="As protected people's --election names it.")],
    polling_date: Annotated[str, typer.Argument(help="Polling day, YYYY-MM-DD.")],
    *,
    territory: Annotated[
        list[str] | None,
        typer.Option(
            "--territory",
            help="ISO 3166-1 country code, e.g. BE or GB (repeatable); statements of reasons"
            " name only the EU/EEA ones.",
        ),
    ] = None,
    held: Annotated[
        bool, typer.Option("--held", help="It has been held already: record a past election.")
    ] = False,
) -> None:
    """Register an election: cases about it grow more urgent as polling day nears."""
    from accord.server.elections.service import add_election as add  # noqa: PLC0415

    try:
        day = date.fromisoformat(polling_date)
    except ValueError:
        raise fail(f"not a date (YYYY-MM-DD): {polling_date!r}") from None
    try:
        with local_database() as database, transaction(database) as session:
            election = add(session, name, day, territory or [], allow_past=held)
            typer.echo(f"election {election.name} on {election.polling_date:%Y-%m-%d}")
    except AccordError as error:
        raise fail(error.detail) from None


@election_app.command("list")
def list_elections() -> None:
    """Every election, soonest first."""
    from accord.server.elections.service import list_elections as listed  # noqa: PLC0415

    with local_database() as database, transaction(database) as session:
        for election in listed(session):
            places = ",".join(election.countries) or "-"
            typer.echo(f"{election.polling_date:%Y-%m-%d}\t{election.name}\t{places}")


@notices_app.command("triage")
def triage() -> None:
    """Triage every notice waiting for it now (the server does this in the background)."""
    from accord.server.storage.store import BlobStoreError  # noqa: PLC0415
    from accord.server.triage.service import triage_pending  # noqa: PLC0415

    try:
        with local_runtime() as runtime:
            typer.echo(f"triaged {triage_pending(runtime)} notices")
    except AccordError as error:
        raise fail(error.detail) from None
    except BlobStoreError as error:  # the notice waits for the next try
        raise fail(f"the blob store did not answer, nothing was lost: {error}") from None


@statements_app.command("submit")
def submit() -> None:
    """Send the queued statements to the Transparency Database now (the server does it
    every few seconds); prints how many were tried and how many wait or were refused."""
    import httpx  # noqa: PLC0415

    from accord.server.tdb.service import submission_counts, submit_due  # noqa: PLC0415

    try:
        with local_runtime() as runtime:
            if runtime.settings.tdb_api_url is None:
                raise fail("no Transparency Database is configured: set ACCORD_TDB_API_URL")
            with httpx.Client(timeout=60.0) as client:
                tried = submit_due(runtime.sessions, runtime.settings, client)
            with transaction(runtime) as session:
                counts = submission_counts(session)
    except AccordError as error:
        raise fail(error.detail) from None
    summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    typer.echo(f"tried {tried}; {summary or 'nothing queued'}")


@statements_app.command("export")
def export(
    *,
    csv: Annotated[
        bool, typer.Option("--csv", help="The TDB's CSV instead of JSON lines.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    platform_name: Annotated[str, typer.Option(help="Fills the CSV's platform_name.")] = "",
) -> None:
    """Every statement of reasons issued, ready for the DSA Transparency Database."""
    from accord.server.decisions.service import issued_statements  # noqa: PLC0415
    from accord.server.statements.service import to_csv, to_json_lines  # noqa: PLC0415
    from accord.server.tdb.service import publications  # noqa: PLC0415

    with local_database() as database, transaction(database) as session:
        statements = issued_statements(session)
        published = publications(session)
    text = (
        to_csv(statements, platform_name=platform_name, published=published)
        if csv
        else to_json_lines(statements)
    )
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"{len(statements)} statements written to {output}", err=True)
