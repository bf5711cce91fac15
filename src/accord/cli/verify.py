"""``accord verify``: check Content Credentials and explain them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from accord.cli.local import UNREADABLE_FILE, fail, local_services, transaction
from accord.errors import AccordError


def verify_command(
    files: Annotated[list[Path], typer.Argument(help="Files to check.")],
    anchors: Annotated[
        list[Path] | None,
        typer.Option("--anchors", help="More trust anchors: a PEM file (repeatable)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Validate each file's Content Credentials against this instance's issuers, the
    configured trust lists and ``--anchors``; a file that cannot be read is reported and
    the rest still checked (exit status 1)."""
    from accord.provenance.certificates import read_trust_anchors  # noqa: PLC0415
    from accord.provenance.verification import verify_file  # noqa: PLC0415
    from accord.server.issuers.service import trust_anchors  # noqa: PLC0415

    try:
        extra = read_trust_anchors(anchors or [])
        with local_services() as services, transaction(services) as session:
            settings = services.settings
            trusted = [*trust_anchors(services, session), *extra]
    except AccordError as error:
        raise fail(error.detail) from None
    failures = 0
    for path in files:
        try:
            result = verify_file(path, anchors=trusted, limits=settings.media_limits)
        except AccordError as error:
            failures += 1
            typer.echo(f"accord: error: {path}: {error.title.lower()}: {error.detail}", err=True)
            if as_json:
                details = {"code": error.code, "detail": error.detail}
                typer.echo(json.dumps({"file": str(path), "error": details}))
            continue
        except OSError as error:
            failures += 1
            reason = error.strerror or str(error)
            typer.echo(f"accord: error: {path}: {reason}", err=True)
            if as_json:
                details = {"code": UNREADABLE_FILE, "detail": reason}
                typer.echo(json.dumps({"file": str(path), "error": details}))
            continue
        if as_json:
            typer.echo(json.dumps({"file": str(path), **result.to_json()}))
            continue
        typer.echo(f"{path}\t{result.state}\t{result.headline}")
        for problem in result.problems:
            typer.echo(f"  {problem.code}: {problem.meaning}")
    if failures:
        raise typer.Exit(code=1)
