"""``accord exchange ...``: fetch other instances' shared banks (TAXII 2.1 collections)
into local banks, and tell their publishers what the matches turned out to be."""

from __future__ import annotations

import os
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from accord.cli.local import fail, local_database, transaction
from accord.cli.plain_help import Commands
from accord.errors import AccordError

if TYPE_CHECKING:
    import httpx

exchange_app = Commands()

ExchangeName = Annotated[str, typer.Argument(help="The exchange's name.")]


def _http() -> httpx.Client:
    import httpx  # noqa: PLC0415

    return httpx.Client(follow_redirects=False)


def _api_key(variable: str | None) -> str | None:
    """The partner key from the environment variable ``variable`` (never a command-line
    argument: those show in process lists and shell histories)."""
    if variable is None:
        return None
    value = os.environ.get(variable)
    if value is None:
        raise fail(f"the environment variable {variable} is not set; put the partner's key in it")
    if not value.strip():
        raise fail(f"the environment variable {variable} is empty; put the partner's key in it")
    return value.strip()


@exchange_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="A short name for the exchange.")],
    *,
    taxii: Annotated[
        str,
        typer.Option(help="The publisher's TAXII discovery URL (…/taxii2/) or API root URL."),
    ],
    collection: Annotated[str, typer.Option(help="The collection's id or title.")],
    bank: Annotated[str, typer.Option(help="The local bank to fill; made when missing.")],
    api_key_env: Annotated[
        str | None,
        typer.Option(help="The environment variable holding the partner key to read with."),
    ] = None,
    report_sightings: Annotated[
        bool,
        typer.Option(
            "--report-sightings", help="Report each match on a fetched entry to the publisher."
        ),
    ] = False,
) -> None:
    """Subscribe to a shared bank: checked with the publisher at once, fetched after."""
    from accord.server.exchanges.service import FetchLimits, add_exchange  # noqa: PLC0415

    key = _api_key(api_key_env)
    try:
        with local_database() as database, _http() as http, transaction(database) as session:
            settings = database.settings
            exchange = add_exchange(
                session,
                http,
                name=name,
                url=taxii,
                collection=collection,
                bank=bank,
                api_key=key,
                master_key=settings.master_key.get_secret_value(),
                limits=FetchLimits.of(settings),
                report_sightings=report_sightings,
            )
            line = (
                f"exchange {exchange.name}: {exchange.collection_title or exchange.collection_id} "
                f"at {exchange.api_root} -> bank {bank}"
            )
    except AccordError as error:
        raise fail(error.detail) from None
    typer.echo(line)
    typer.echo(f"fetch it now with: accord exchange fetch {name}")


@exchange_app.command("list")
def list_command() -> None:
    """Every exchange: where from, into which bank, its last fetch and its messages."""
    from accord.server.exchanges.service import list_exchanges  # noqa: PLC0415

    with local_database() as database, transaction(database) as session:
        summaries = list_exchanges(session)
    if not summaries:
        typer.echo("no exchanges yet: add one with accord exchange add")
    for item in summaries:
        collection = f"{item.collection_title} ({item.collection_id})"
        fetched = f"last fetch {_when(item.last_fetch_at)}, {item.objects_fetched} objects"
        messages = f"{item.pending} pending, {item.dead} dead messages"
        error = f"error: {item.last_error}" if item.last_error else "ok"
        bank = item.bank + (" (sightings reported)" if item.report_sightings else "")
        typer.echo(
            f"{item.name}\t{item.api_root}\t{collection}\t{bank}\t{fetched}\t{messages}\t{error}"
        )


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "never"


@exchange_app.command("fetch")
def fetch(
    name: Annotated[
        str | None, typer.Argument(help="The exchange to fetch; every one when omitted.")
    ] = None,
    *,
    from_start: Annotated[
        bool,
        typer.Option(
            "--from-start",
            help="Forget the checkpoint and fetch the whole collection again (what is "
            "held already is skipped).",
        ),
    ] = False,
) -> None:
    """Fetch what the publishers added since the last fetch (the server does this
    every ACCORD_EXCHANGE_POLL_SECONDS)."""
    from accord.server.exchanges.service import (  # noqa: PLC0415
        FetchLimits,
        fetch_all,
        fetch_exchange,
        find_exchange,
    )

    if from_start and name is None:
        raise fail("--from-start refetches one exchange: name it")
    with local_database() as database, _http() as http:
        if name is not None:
            with transaction(database) as session:
                if find_exchange(session, name) is None:
                    raise fail(f"no exchange is named {name}: see accord exchange list")
        master_key = database.settings.master_key.get_secret_value()
        limits = FetchLimits.of(database.settings)
        if name is None:
            reports = fetch_all(database.sessions, http, master_key=master_key, limits=limits)
        else:
            reports = [
                fetch_exchange(
                    database.sessions,
                    http,
                    name,
                    master_key=master_key,
                    limits=limits,
                    from_start=from_start,
                )
            ]
    if not reports:
        typer.echo("no exchanges yet: add one with accord exchange add")
    for report in reports:
        if report.error is None:
            typer.echo(report.line)
        else:
            typer.echo(f"accord: error: {report.line}", err=True)
    if any(report.error is not None for report in reports):
        raise typer.Exit(code=1)


@exchange_app.command("remove")
def remove(name: ExchangeName) -> None:
    """Stop fetching an exchange; its local bank keeps the entries fetched so far."""
    from accord.server.exchanges.service import remove_exchange  # noqa: PLC0415

    try:
        with local_database() as database, transaction(database) as session:
            bank, entries = remove_exchange(session, name)
    except AccordError as error:
        raise fail(error.detail) from None
    typer.echo(f"removed the exchange {name}; the bank {bank} keeps its {entries} entries")


@exchange_app.command("opinion")
def opinion(
    name: ExchangeName,
    entry: Annotated[int, typer.Argument(help="The local id of an entry fetched from it.")],
    *,
    false_positive: Annotated[
        bool, typer.Option("--false-positive", help="The match was wrong.")
    ] = False,
    true_positive: Annotated[
        bool, typer.Option("--true-positive", help="The match was confirmed.")
    ] = False,
    note: Annotated[str, typer.Option(help="Why, for the publisher.")] = "",
) -> None:
    """Tell the publisher an entry was a true or a false positive (sent at once, or
    queued and retried when the publisher cannot be reached)."""
    from accord.server.exchanges.schemas import ExchangeMessageStatus  # noqa: PLC0415
    from accord.server.exchanges.service import queue_opinion, send_now  # noqa: PLC0415
    from accord.sharing.stix import Verdict  # noqa: PLC0415

    if false_positive == true_positive:
        raise fail("say --false-positive or --true-positive (one of them)")
    verdict = Verdict.FALSE_POSITIVE if false_positive else Verdict.TRUE_POSITIVE
    try:
        with local_database() as database, _http() as http:
            settings = database.settings
            with transaction(database) as session:
                message_id = queue_opinion(
                    session,
                    entry,
                    verdict,
                    note,
                    author=settings.exchange_author,
                    exchange=name,
                ).id
            posted = send_now(
                database.sessions,
                message_id,
                master_key=settings.master_key.get_secret_value(),
                http=http,
            )
    except AccordError as error:
        raise fail(error.detail) from None
    line = f"opinion on entry {entry} ({verdict.value.replace('_', ' ')}) for {name}: {posted.line}"
    if posted.status == ExchangeMessageStatus.DEAD:
        raise fail(line)
    typer.echo(line)


@exchange_app.command("send")
def send() -> None:
    """Send the opinions and sightings due now (the server does this every few seconds)."""
    from accord.server.exchanges.service import deliver_due  # noqa: PLC0415

    with local_database() as database, _http() as http:
        master_key = database.settings.master_key.get_secret_value()
        tried = deliver_due(database.sessions, master_key=master_key, http=http)
    typer.echo(f"{tried} message(s) tried")
