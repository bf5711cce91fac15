"""``accord sign`` and ``accord record``: sign files for an issuer; revoke records."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from accord.cli.local import fail, local_services, transaction
from accord.errors import AccordError
from accord.provenance.signing import SourceType

record_app = typer.Typer(help="Provenance records of files signed here.", no_args_is_help=True)
#: File suffixes signed when a folder is given (named files are always tried).
SIGNABLE = frozenset(
    {".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".avif", ".heic"}
    | {".wav", ".mp3", ".flac", ".m4a", ".mp4", ".mov"}
)
SOURCE_HELP = "How the media came to be: " + ", ".join(kind.name.lower() for kind in SourceType)


def sign_command(
    files: Annotated[
        list[Path], typer.Argument(help="Files, or folders (their media files, recursively).")
    ],
    *,
    issuer: Annotated[str, typer.Option(help="The issuer that signs.")],
    source: Annotated[str, typer.Option(help=SOURCE_HELP)] = "camera",
    title: Annotated[str | None, typer.Option(help="Title (default: the file name).")] = None,
    parent: Annotated[
        Path | None, typer.Option(help="The original these files were edited from.")
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option(help="Where signed copies go (default: beside each file).")
    ] = None,
) -> None:
    """Sign each file with Content Credentials and register it; a file that fails is
    reported and the rest still signed (exit status 1)."""
    from accord.server.credentials.service import Signing, sign_for_issuer  # noqa: PLC0415

    try:
        source_type = SourceType[source.upper().replace("-", "_")]
    except KeyError:
        raise fail(f"--source must be one of {SOURCE_HELP.split(': ')[1]}") from None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    targets = list(_expand(files))
    failures = 0
    with local_services() as services, typer.progressbar(targets, label="signing") as bar:
        for path in bar:
            target = (out_dir or path.parent) / f"{path.stem}.signed{path.suffix}"
            signing = Signing(issuer, source_type, title, parent)
            try:
                with transaction(services) as session:
                    record, signed = sign_for_issuer(services, session, path, signing)
                    target.write_bytes(signed.data)
                    record_id, stamped = record.id, signed.timestamped
                    notes = _notes(record.watermark, record.parent_id)
            except (AccordError, OSError) as error:
                failures += 1
                detail = error.detail if isinstance(error, AccordError) else str(error)
                typer.echo(f"\naccord: error: {path}: {detail}", err=True)
                continue
            unstamped = services.settings.tsa_url is not None and not stamped
            if unstamped:
                notes.append("no timestamp: the authority did not answer")
            note = f" ({'; '.join(notes)})" if notes else ""
            typer.echo(f"{path}\t{target}\trecord {record_id}{note}")
    if failures:
        raise typer.Exit(code=1)


def _notes(watermark: str | None, parent_id: str | None) -> list[str]:
    notes = [f"watermarked {watermark}"] if watermark else []
    if parent_id:
        notes.append(f"an edit of record {parent_id}")
    return notes


def _expand(paths: list[Path]) -> Iterator[Path]:
    """Named files as given; folders' media files, sorted, without copies signed before."""
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        for root, dirs, names in os.walk(path):
            dirs.sort()
            for name in sorted(names):
                candidate = Path(root) / name
                if candidate.suffix.lower() in SIGNABLE and ".signed." not in name:
                    yield candidate


@record_app.command("list")
def list_records(issuer: str) -> None:
    """An issuer's records, oldest first."""
    from accord.server.credentials.service import records_of  # noqa: PLC0415

    try:
        with local_services() as services, transaction(services) as session:
            for record in records_of(session, issuer):
                state = f"revoked {record.revoked_at:%Y-%m-%d}" if record.revoked_at else "active"
                typer.echo(
                    f"{record.id}\t{record.created_at:%Y-%m-%d}\t{record.source_type}"
                    f"\t{state}\t{record.title}"
                )
    except AccordError as error:
        raise fail(error.detail) from None


@record_app.command("revoke")
def revoke(
    record_id: str, reason: Annotated[str, typer.Option(help="Why, for the record.")]
) -> None:
    """Revoke a record: its registry entry stops matching."""
    from accord.server.credentials.service import revoke_record  # noqa: PLC0415

    try:
        with local_services() as services, transaction(services) as session:
            revoke_record(session, record_id, reason)
    except AccordError as error:
        raise fail(error.detail) from None
    typer.echo(f"revoked record {record_id}", err=True)
