"""``make_backup`` copies a running instance into a folder; ``restore_backup`` rebuilds an
instance from one.

Order makes the backup consistent without stopping the service: the index snapshot first
(so it is never ahead of the database: a restored index only syncs forwards from its feed
position), then the database's snapshot (the source of truth), then every blob (content
addressed and never changed, so every blob the snapshot names is there; later ones are
harmless extras). The manifest comes last: a folder without one is no backup.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.orm import Session

from accord import __version__
from accord.errors import BackupError
from accord.server.audit.service import Verification, verify
from accord.server.backups import databases
from accord.server.backups.manifest import (
    BLOBS,
    DATABASE_PARTS,
    INDEX,
    MANIFEST_NAME,
    Manifest,
    Part,
    check_master_key,
    check_parts,
    describe,
    key_check,
)
from accord.server.banks.service import entry_counts
from accord.server.db.engine import make_engine
from accord.server.db.migrate import alembic_config, upgrade
from accord.server.matching.service import snapshot_folders
from accord.server.notices.service import notice_count
from accord.server.settings import Settings
from accord.server.storage.blobs import FolderBlobStore
from accord.server.storage.configured import blob_store
from accord.server.storage.store import BlobStore, BlobStoreError

#: Where a backup is written inside its folder until every part is there.
PARTIAL = ".partial"
#: Tries at copying the newest index snapshot, which the service may prune meanwhile.
_SNAPSHOT_TRIES = 3


@dataclass(frozen=True, slots=True)
class BackupSummary:
    folder: Path
    manifest: Manifest
    blobs: int
    index_snapshot: str | None

    @property
    def size(self) -> int:
        return sum(part.size for part in self.manifest.parts)


@dataclass(frozen=True, slots=True)
class RestoreSummary:
    manifest: Manifest
    notices: int
    bank_entries: int
    blobs: int
    index_snapshot: str | None
    audit: Verification


def make_backup(settings: Settings, out: Path) -> BackupSummary:
    """Back the instance ``settings`` describes up into ``out``, a new or empty folder,
    while its service runs."""
    _check_empty(out)
    staging = out / PARTIAL
    staging.mkdir(parents=True)
    try:
        snapshot = _copy_index_snapshot(settings.index_dir, staging / INDEX)
        url = settings.effective_database_url
        kind = databases.kind_of(url)
        revision = databases.dump(url, staging / DATABASE_PARTS[kind])
        blob_parts = _copy_blobs(blob_store(settings), staging / BLOBS)
        described = [
            describe(staging, path)
            for path in [DATABASE_PARTS[kind], *_files_under(staging, INDEX)]
        ]
        manifest = Manifest(
            accord_version=__version__,
            database=kind,
            alembic_revision=revision,
            created_at=datetime.now(UTC),
            key_check=key_check(settings.master_key.get_secret_value()),
            parts=(*described, *blob_parts),
        )
        for child in staging.iterdir():
            child.rename(out / child.name)
        staging.rmdir()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _write_last(out / MANIFEST_NAME, manifest.to_json())
    return BackupSummary(out, manifest, len(blob_parts), snapshot)


def read_manifest(source: Path) -> Manifest:
    try:
        text = (source / MANIFEST_NAME).read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = f"{source} holds no {MANIFEST_NAME}: not a backup, or one that did not finish"
        raise BackupError(msg) from None
    except (OSError, UnicodeDecodeError) as error:
        raise BackupError(f"{MANIFEST_NAME} cannot be read: {error}") from None
    return Manifest.from_json(text)


def restore_backup(settings: Settings, source: Path, *, force: bool = False) -> RestoreSummary:
    """Rebuild the instance ``settings`` describes from the backup in ``source``.

    Everything is checked before anything is written: every part against the manifest,
    the master key, the kind of database, that this version knows the backup's migration,
    and (unless ``force``) that the instance holds no data yet. Its server must not run.
    """
    manifest = read_manifest(source)
    check_parts(source, manifest)
    check_master_key(manifest, settings.master_key.get_secret_value())
    url = settings.effective_database_url
    kind = databases.kind_of(url)
    if kind != manifest.database:
        msg = (
            f"this backup holds a {manifest.database} database and this instance uses "
            f"{kind}: restore it into an instance on {manifest.database}"
        )
        raise BackupError(msg)
    _check_known_revision(manifest.alembic_revision, url)
    blobs = blob_store(settings)
    if not force:
        _check_no_data(url, blobs)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    databases.load(url, source / manifest.database_part.path)
    restored_blobs = _restore_blobs(source, manifest, blobs)
    snapshot = _restore_index_snapshot(source, manifest, settings.index_dir)
    upgrade(url)  # a backup made by an older version
    return _summary(url, manifest, restored_blobs, snapshot)


def _check_empty(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise BackupError(f"{out} is a file: name a new or empty folder")
    if out.is_dir() and any(out.iterdir()):
        raise BackupError(f"{out} is not empty: name a new or empty folder")


def _copy_index_snapshot(index_dir: Path, target: Path) -> str | None:
    """Copy the newest index snapshot folder into ``target``; its name, or None if none."""
    for _ in range(_SNAPSHOT_TRIES):
        folders = sorted(snapshot_folders(index_dir), reverse=True)
        if not folders:
            return None
        try:
            shutil.copytree(folders[0], target / folders[0].name)
        except (FileNotFoundError, shutil.Error):  # pruned while copied: a newer one is there
            shutil.rmtree(target, ignore_errors=True)
            continue
        return folders[0].name
    msg = "the index snapshots kept changing while they were copied: try again"
    raise BackupError(msg)


def _copy_blobs(store: BlobStore, target: Path) -> list[Part]:
    """Copy every blob of ``store`` (the instance's folder or bucket) into ``target``, a
    folder laid out as the folder store is, streamed and checked against its name."""
    copy = FolderBlobStore(target)
    parts = []
    try:
        for sha256 in store.digests():
            with store.open(sha256) as reader:
                copied = copy.put_stream(reader)
            if copied != sha256:  # the store's file rotted: a backup must not carry it on
                copy.delete(copied)
                msg = f"the blob {sha256} in {store.describe()} no longer has that SHA-256"
                raise BackupError(msg)
            path = copy.path_for(sha256)
            parts.append(
                Part(path.relative_to(target.parent).as_posix(), sha256, path.stat().st_size)
            )
    except BlobStoreError as error:
        raise BackupError(f"the blobs could not be copied: {error}") from None
    return parts


def _files_under(root: Path, folder: str) -> list[str]:
    return sorted(
        path.relative_to(root).as_posix() for path in (root / folder).rglob("*") if path.is_file()
    )


def _write_last(path: Path, content: str) -> None:
    staging = path.with_name(f".{path.name}.writing")
    with staging.open("w", encoding="utf-8") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())
    staging.replace(path)


def _check_known_revision(revision: str | None, url: str) -> None:
    if revision is None:
        return
    script = ScriptDirectory.from_config(alembic_config(url))
    for each in revision.split(","):
        try:
            script.get_revision(each)
        except CommandError:
            msg = (
                f"this backup's database is at migration {each}, which this version of accord "
                f"({__version__}) does not know: restore it with the version that made it"
            )
            raise BackupError(msg) from None


def _check_no_data(url: str, blobs: BlobStore) -> None:
    entries = databases.audit_entries(url)
    try:
        stored = sum(1 for _ in blobs.digests())
    except BlobStoreError as error:
        raise BackupError(f"the blobs cannot be listed: {error}") from None
    if entries or stored:
        msg = (
            f"this instance already holds data ({entries} audit entries, {stored} blobs): "
            "stop its server and restore with --force to replace its database"
        )
        raise BackupError(msg)


def _restore_blobs(source: Path, manifest: Manifest, blobs: BlobStore) -> int:
    """Put the backup's blobs into the instance's store (its folder or bucket)."""
    parts = manifest.parts_under(BLOBS)
    try:
        for part in parts:
            if not blobs.exists(part.sha256):
                blobs.put_file(source / part.path)
    except BlobStoreError as error:
        raise BackupError(f"the blobs could not be restored: {error}") from None
    return len(parts)


def _restore_index_snapshot(source: Path, manifest: Manifest, index_dir: Path) -> str | None:
    """Put the backup's index snapshot in place of the instance's: those describe the
    database just replaced, and one ahead of the restored feeds would skip their rows."""
    for folder in snapshot_folders(index_dir):
        shutil.rmtree(folder)
    parts = manifest.parts_under(INDEX)
    if not parts:
        return None
    name = parts[0].path.split("/")[1]
    staging = index_dir / f".{name}.restoring"  # not a snapshot's name until complete
    shutil.rmtree(staging, ignore_errors=True)
    for part in parts:
        inside = staging / part.path.split("/", 2)[2]
        inside.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / part.path, inside)
    staging.rename(index_dir / name)
    return name


def _summary(url: str, manifest: Manifest, blobs: int, snapshot: str | None) -> RestoreSummary:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return RestoreSummary(
                manifest=manifest,
                notices=notice_count(session),
                bank_entries=sum(entry_counts(session).values()),
                blobs=blobs,
                index_snapshot=snapshot,
                audit=verify(session),
            )
    finally:
        engine.dispose()
