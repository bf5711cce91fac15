"""``accord backup`` and ``accord restore``: the whole instance into a folder while it runs,
and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from accord.cli.files import os_reason
from accord.cli.local import fail, load_settings
from accord.errors import AccordError

_MIB = 1024 * 1024


def backup_command(
    out: Annotated[
        Path, typer.Option("--out", help="A new or empty folder to write the backup to.")
    ],
) -> None:
    """Back the instance up while its server runs: a consistent snapshot of the database,
    every blob, the newest index snapshot and a manifest with each part's SHA-256."""
    from accord.server.backups.service import make_backup  # noqa: PLC0415

    settings = load_settings()
    try:
        made = make_backup(settings, out)
    except AccordError as error:
        raise fail(error.detail) from None
    except OSError as error:
        raise fail(f"{error.filename or out}: {os_reason(error)}") from None
    manifest = made.manifest
    snapshot = made.index_snapshot or "none"
    typer.echo(
        f"backup written to {out}: {manifest.database} database, {made.blobs} blobs, "
        f"index snapshot {snapshot}, {len(manifest.parts)} parts, {made.size / _MIB:.1f} MiB"
    )


def restore_command(
    source: Annotated[Path, typer.Argument(help="The folder accord backup wrote.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the database of an instance with data.")
    ] = False,
) -> None:
    """Rebuild the instance from a backup, with its server stopped. Every part is checked
    against the manifest, and the master key against the backup's, before anything changes;
    then the database, blobs and index snapshot are put back, migrations brought to the
    newest and the audit log verified."""
    from accord.server.backups.service import restore_backup  # noqa: PLC0415

    settings = load_settings()
    try:
        restored = restore_backup(settings, source, force=force)
    except AccordError as error:
        raise fail(error.detail) from None
    except OSError as error:
        raise fail(f"{error.filename or source}: {os_reason(error)}") from None
    made = restored.manifest.created_at.isoformat(timespec="seconds")
    typer.echo(
        f"restored the backup of {made}: {restored.notices} notices, "
        f"{restored.bank_entries} bank entries, {restored.blobs} blobs, "
        f"index snapshot {restored.index_snapshot or 'none'}"
    )
    audit = restored.audit
    if not audit.intact:
        raise fail(f"the restored audit log does not verify: {audit.problems[0]}")
    typer.echo(f"audit log intact: {audit.entries} entries, last hash {audit.head_hash}")
