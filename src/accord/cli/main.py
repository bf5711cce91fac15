"""``accord``: hash media, run the service, manage its database."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from accord.cli.accounts import org_app, user_app
from accord.cli.assess import assess_command
from accord.cli.audit import audit_app
from accord.cli.banks import bank_app
from accord.cli.evaluate import eval_command
from accord.cli.issuers import issuer_app
from accord.cli.keys import key_app
from accord.cli.local import fail, load_settings, report_file_error
from accord.cli.matching import match_command, scan_command
from accord.cli.notices import election_app, notices_app, statements_app
from accord.cli.persons import person_app
from accord.cli.signing import record_app, sign_command
from accord.cli.verify import verify_command
from accord.cli.webhooks import outbox_app, webhook_app
from accord.errors import AccordError

app = typer.Typer(
    name="accord",
    help="Defend elections against deceptive AI content.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Manage the service's database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@app.command("hash")
def hash_command(
    files: Annotated[list[Path], typer.Argument(help="Image, video or audio files.")],
    signals: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated signal types, e.g. pdq,vpdq (default: all for the kind)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    exact: Annotated[
        bool, typer.Option(help="Hash with Meta's reference C++ PDQ (bit-exact, slower).")
    ] = False,
) -> None:
    """Compute the signals of each file; a bad file is reported and the rest still hashed."""
    from accord.signals.hashing import hash_file  # noqa: PLC0415 - keep --help fast
    from accord.signals.registry import parse_signal_names  # noqa: PLC0415

    try:
        chosen = parse_signal_names(signals.split(",")) if signals else None
    except AccordError as error:
        raise fail(error.detail) from None
    failures = 0
    for path in files:
        try:
            result = hash_file(path, signal_types=chosen, exact=exact)
        except (AccordError, OSError) as error:
            failures += 1
            report_file_error(path, error, as_json=as_json)
            continue
        if as_json:
            typer.echo(json.dumps({"file": str(path), **result.to_json()}))
        else:
            typer.echo(f"{path}\t{result.format.kind}/{result.format.name}\t{result.size} bytes")
            for signal in result.signals:
                note = "" if signal.reliable else "\t(unreliable: low quality)"
                quality = "" if signal.quality is None else f"\tquality={signal.quality}"
                value = _shorten(signal.value)
                typer.echo(f"  {signal.type}\t{value}{quality}{note}")
    if failures:
        raise typer.Exit(code=1)


@app.command("signals")
def signals_command() -> None:
    """List the signal types, the media they take, and their match thresholds."""
    from accord.signals.registry import signal_type_classes  # noqa: PLC0415

    for name, cls in signal_type_classes().items():
        kinds = ",".join(sorted(str(kind) for kind in cls.media_kinds))
        typer.echo(f"{name}\t{kinds}\tthreshold={cls.threshold:g}\t{cls.description}")


@app.command("serve")
def serve_command(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Server processes.")] = 1,
) -> None:
    """Run the HTTP service (settings from ACCORD_* environment variables)."""
    import uvicorn  # noqa: PLC0415

    from accord.provenance.certificates import read_trust_anchors  # noqa: PLC0415
    from accord.server.db.migrate import upgrade  # noqa: PLC0415
    from accord.server.logs import configure_logging  # noqa: PLC0415

    settings = load_settings()
    try:  # checked here too, so a bad file is one line, not a traceback per worker
        read_trust_anchors(settings.trust_anchor_files)
    except AccordError as error:
        raise fail(error.detail) from None
    configure_logging(settings.log_level, settings.log_format)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.auto_migrate:
        upgrade(settings.effective_database_url)
    bind_host, bind_port = host or settings.host, port or settings.port
    typer.echo(f"accord is serving on http://{bind_host}:{bind_port}", err=True)
    typer.echo(f"API docs: http://{bind_host}:{bind_port}/docs", err=True)
    if workers > 1:
        # libuv accepts every waiting connection at once, so one worker would take a burst
        # of new clients and the others none; one accept per turn spreads them out.
        os.environ.setdefault("UV_TCP_SINGLE_ACCEPT", "1")
    uvicorn.run(
        "accord.server.app:app_from_environment",
        factory=True,
        host=bind_host,
        port=bind_port,
        workers=workers,
        log_config=None,
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=",".join(settings.trusted_proxies) or None,
    )


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from accord.server.db.migrate import upgrade  # noqa: PLC0415

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url, revision)
    typer.echo(f"database at {revision}", err=True)


@db_app.command("revision")
def db_revision(message: Annotated[str, typer.Option("-m", "--message")]) -> None:
    """Write a new migration from the difference between models and database."""
    from accord.server.db.migrate import make_revision  # noqa: PLC0415

    make_revision(load_settings().effective_database_url, message)


app.command("match")(match_command)
app.command("scan")(scan_command)
app.command("verify")(verify_command)
app.command("assess")(assess_command)
app.command("eval")(eval_command)
app.command("sign")(sign_command)
app.add_typer(bank_app, name="bank")
app.add_typer(person_app, name="person")
app.add_typer(election_app, name="election")
app.add_typer(notices_app, name="notices")
app.add_typer(statements_app, name="statements")
app.add_typer(audit_app, name="audit")
app.add_typer(webhook_app, name="webhook")
app.add_typer(outbox_app, name="outbox")
app.add_typer(org_app, name="org")
app.add_typer(user_app, name="user")
app.add_typer(key_app, name="key")
app.add_typer(issuer_app, name="issuer")
app.add_typer(record_app, name="record")


def _shorten(value: str, width: int = 120) -> str:
    """Long signals (a video's frames) are cut for reading; --json has them whole."""
    return value if len(value) <= width else value[: width - 3] + "..."


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
