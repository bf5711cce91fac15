"""``accord hash`` and ``accord signals``: the signals of files, and the signal types."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from accord.cli.files import expand_files, report_file_error
from accord.cli.local import fail
from accord.errors import AccordError


def hash_command(
    files: Annotated[
        list[Path],
        typer.Argument(help="Image, video or audio files, or folders (their media, recursively)."),
    ],
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
    """Compute the signals of each file. A file that cannot be read is reported and the
    rest are still hashed (exit status 1)."""
    from accord.signals.hashing import hash_file  # noqa: PLC0415
    from accord.signals.registry import parse_signal_names  # noqa: PLC0415

    try:
        chosen = parse_signal_names(signals.split(",")) if signals else None
    except AccordError as error:
        raise fail(error.detail) from None
    failures = 0
    for path in expand_files(files):
        try:
            result = hash_file(path, signal_types=chosen, exact=exact)
        except (AccordError, OSError) as error:
            failures += 1
            report_file_error(path, error, as_json=as_json)
            continue
        if as_json:
            typer.echo(json.dumps({"file": str(path), **result.to_json()}))
        else:
            # "audio (mp3)": kind and format, not "audio/mp3", which reads as a MIME type
            # and is not the one the API gives (audio/mpeg).
            kind = f"{result.format.kind} ({result.format.name})"
            typer.echo(f"{path}\t{kind}\t{result.size} bytes")
            for signal in result.signals:
                note = "" if signal.reliable else "\t(unreliable: low quality)"
                quality = "" if signal.quality is None else f"\tquality={signal.quality}"
                value = _shorten(signal.value)
                typer.echo(f"  {signal.type}\t{value}{quality}{note}")
    if failures:
        raise typer.Exit(code=1)


def signals_command() -> None:
    """List the signal types, the media they take, and their match thresholds."""
    from accord.signals.registry import signal_type_classes  # noqa: PLC0415

    for name, cls in signal_type_classes().items():
        kinds = ",".join(sorted(str(kind) for kind in cls.media_kinds))
        typer.echo(f"{name}\t{kinds}\tthreshold={cls.threshold:g}\t{cls.description}")


def _shorten(value: str, width: int = 120) -> str:
    """Long signals (a video's frames) are cut for reading; --json has them whole."""
    return value if len(value) <= width else value[: width - 3] + "..."
