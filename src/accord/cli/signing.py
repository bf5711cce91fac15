"""``accord sign`` and ``accord record``: sign files for an issuer; revoke records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from accord.cli.files import expand_files, report_file_error
from accord.cli.local import fail, local_services, transaction
from accord.cli.plain_help import Commands
from accord.cli.progress import with_progress
from accord.errors import AccordError

record_app = Commands()
#: File suffixes signed when a folder is given (named files are always tried).
SIGNABLE = frozenset(
    {".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".avif", ".heic"}
    | {".wav", ".mp3", ".flac", ".m4a", ".mp4", ".mov"}
)
#: SourceType's names, written out: importing accord.provenance.signing (numpy, OpenCV,
#: c2pa) for the help text would make every ``accord sign --help`` slow. A test keeps the
#: two lists the same.
SOURCE_TYPES = (
    "camera, computational_capture, ai_generated, ai_edited, algorithmic, composite, "
    "digital_creation, human_edits, screen_capture"
)
SOURCE_HELP = f"How the media came to be: {SOURCE_TYPES}."


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
    """Sign each file with Content Credentials and register it; the signed copy is written
    as NAME.signed.SUFFIX. A file that fails is reported and the rest are still signed
    (exit status 1)."""
    from accord.provenance.signing import SourceType  # noqa: PLC0415
    from accord.server.credentials.service import Signing, sign_for_issuer  # noqa: PLC0415
    from accord.server.issuers.service import get_issuer  # noqa: PLC0415

    try:
        source_type = SourceType[source.upper().replace("-", "_")]
    except KeyError:
        raise fail(f"--source must be one of {SOURCE_TYPES}") from None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    # Copies signed before are left out of folders, so signing a folder again is harmless.
    targets = list(expand_files(files, suffixes=SIGNABLE, leave_out=lambda n: ".signed." in n))
    failures = 0
    with local_services() as services:
        try:  # once, not once per file
            with transaction(services) as session:
                get_issuer(session, issuer)
        except AccordError as error:
            raise fail(error.detail) from None
        for path in with_progress(targets, "signing"):
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
                report_file_error(path, error, as_json=False)
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


@record_app.command("list")
def list_records(issuer: Annotated[str, typer.Argument(help="The issuer's name.")]) -> None:
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
    record_id: Annotated[str, typer.Argument(help="The record's id.")],
    reason: Annotated[str, typer.Option(help="Why, for the record.")],
) -> None:
    """Revoke a record: its registry entry stops matching."""
    from accord.server.credentials.service import revoke_record  # noqa: PLC0415

    try:
        with local_services() as services, transaction(services) as session:
            revoke_record(session, record_id, reason)
    except AccordError as error:
        raise fail(error.detail) from None
    typer.echo(f"revoked record {record_id}", err=True)
