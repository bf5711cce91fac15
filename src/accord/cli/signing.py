"""``accord sign`` and ``accord record``: sign files for an issuer; revoke records."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from accord.cli.files import expand_files, report_file_error
from accord.cli.local import fail, local_database, local_runtime, transaction
from accord.cli.plain_help import Commands
from accord.cli.progress import with_progress
from accord.errors import AccordError

if TYPE_CHECKING:
    from accord.server.credentials.service import Signing
    from accord.server.runtime import Runtime

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
SOURCE_HELP = (
    f"How the media came to be: {SOURCE_TYPES} ('-' or '_' alike), or a C2PA digital "
    "source type such as humanEdits."
)


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
    again: Annotated[
        bool,
        typer.Option(
            "--again", help="Sign files this issuer signed before anew (a second record)."
        ),
    ] = False,
) -> None:
    """Sign each file with Content Credentials and register it; the signed copy is written
    as NAME.signed.SUFFIX. A file this issuer already signed (the same bytes, the same
    --source) is skipped with a note, its signed copy restored if missing, unless --again.
    A file that fails is reported and the rest are still signed (exit status 1)."""
    from accord.provenance.signing import parse_source_type  # noqa: PLC0415
    from accord.server.credentials.service import Signing  # noqa: PLC0415
    from accord.server.issuers.service import get_issuer  # noqa: PLC0415

    try:
        source_type = parse_source_type(source)
    except AccordError as error:
        raise fail(f"--source: {error.detail}") from None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    # Copies signed before are left out of folders, so signing a folder again is harmless.
    targets = list(expand_files(files, suffixes=SIGNABLE, leave_out=lambda n: ".signed." in n))
    failures = 0
    with local_runtime() as runtime:
        try:  # once, not once per file
            with transaction(runtime) as session:
                get_issuer(session, issuer)
        except AccordError as error:
            raise fail(error.detail) from None
        for path in with_progress(targets, "signing"):
            target = (out_dir or path.parent) / f"{path.stem}.signed{path.suffix}"
            signing = Signing(issuer, source_type, title, parent)
            try:
                line = _sign_one(runtime, path, target, signing, again=again)
            except (AccordError, OSError) as error:
                failures += 1
                report_file_error(path, error, as_json=False)
                continue
            typer.echo(line)
    if failures:
        raise typer.Exit(code=1)


def _sign_one(runtime: Runtime, path: Path, target: Path, signing: Signing, *, again: bool) -> str:
    """Sign one file (or skip it, signed before) and write its copy; the line to print."""
    from accord.server.credentials.service import sign_for_issuer  # noqa: PLC0415

    if not again and (skipped := _skip_signed_before(runtime, path, target, signing)):
        return skipped
    with transaction(runtime) as session:
        record, signed = sign_for_issuer(runtime, session, path, signing)
        target.write_bytes(signed.data)
        record_id, stamped = record.id, signed.timestamped
        notes = _notes(record.watermark, signed.unmarked, record.parent_id)
    if runtime.settings.tsa_url is not None and not stamped:
        notes.append("no timestamp: the authority did not answer")
    note = f" ({'; '.join(notes)})" if notes else ""
    return f"{path}\t{target}\trecord {record_id}{note}"


def _skip_signed_before(runtime: Runtime, path: Path, target: Path, signing: Signing) -> str | None:
    """The line saying the file was signed before, its copy restored if missing; None when
    this issuer never signed these bytes."""
    from accord.server.credentials.service import signed_before  # noqa: PLC0415

    with transaction(runtime) as session:
        earlier = signed_before(session, path, signing)
        if earlier is None:
            return None
        record_id, day, digest = earlier.id, f"{earlier.created_at:%Y-%m-%d}", earlier.signed_sha256
    restored = ""
    if not target.exists() and runtime.blobs.exists(digest):
        runtime.blobs.copy_to(digest, target)
        restored = "; its signed copy was written again"
    unused = [
        name for name, given in (("--parent", signing.parent), ("--title", signing.title)) if given
    ]
    ignored = f"; {' and '.join(unused)} not applied" if unused else ""
    return (
        f"{path}\t{target}\tskipped: already signed as record {record_id} on {day}"
        f"{restored}{ignored} (--again signs it anew)"
    )


def _mark(watermark: str | None, unmarked_reason: str) -> str:
    if watermark:
        return f"watermarked {watermark}"
    return f"not watermarked: {unmarked_reason}" if unmarked_reason else "no watermark"


def _notes(watermark: str | None, unmarked: str | None, parent_id: str | None) -> list[str]:
    notes = [f"watermarked {watermark}"] if watermark else []
    if unmarked:
        notes.append(f"not watermarked: {unmarked}")
    if parent_id:
        notes.append(f"an edit of record {parent_id}")
    return notes


@record_app.command("list")
def list_records(issuer: Annotated[str, typer.Argument(help="The issuer's name.")]) -> None:
    """An issuer's records, oldest first."""
    from accord.server.credentials.service import records_of  # noqa: PLC0415

    try:
        with local_database() as database, transaction(database) as session:
            for record in records_of(session, issuer):
                state = f"revoked {record.revoked_at:%Y-%m-%d}" if record.revoked_at else "active"
                typer.echo(
                    f"{record.id}\t{record.created_at:%Y-%m-%d}\t{record.source_type}"
                    f"\t{state}\t{_mark(record.watermark, record.unmarked_reason)}"
                    f"\t{record.title}"
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
        with local_runtime() as runtime, transaction(runtime) as session:
            revoke_record(session, record_id, reason)
    except AccordError as error:
        raise fail(error.detail) from None
    typer.echo(f"revoked record {record_id}", err=True)
