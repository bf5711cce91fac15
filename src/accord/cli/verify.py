"""``accord verify``: check Content Credentials and explain them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from accord.cli.files import expand_files, report_file_error
from accord.cli.local import local_runtime_trusting, transaction
from accord.errors import AccordError


def verify_command(
    files: Annotated[
        list[Path], typer.Argument(help="Files, or folders (their media, recursively).")
    ],
    anchors: Annotated[
        list[Path] | None,
        typer.Option("--anchors", help="More trust anchors: a PEM file (repeatable)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Validate each file's Content Credentials against this instance's issuers, the
    configured trust lists and --anchors. A file that cannot be read is reported and the
    rest are still checked (exit status 1)."""
    from accord.server.credentials.service import verify_and_trace  # noqa: PLC0415

    failures = 0
    with local_runtime_trusting(anchors) as runtime:
        for path in expand_files(files):
            try:
                with transaction(runtime) as session:
                    traced = verify_and_trace(runtime, session, path)
            except (AccordError, OSError) as error:
                failures += 1
                report_file_error(path, error, as_json=as_json)
                continue
            if as_json:
                typer.echo(json.dumps({"file": str(path), **traced.to_json()}))
                continue
            typer.echo(f"{path}\t{traced.state}\t{traced.headline}")
            for problem in traced.verification.problems:
                typer.echo(f"  {problem.code}: {problem.meaning}")
            if traced.mark is not None:
                typer.echo(f"  watermark: {traced.mark.summary()}")
    if failures:
        raise typer.Exit(code=1)
