"""A backup of an instance with notices, bank entries, blobs, an index snapshot and an
issuer, restored into an empty instance on the same backend: everything is found again
and the audit log verifies; a backup that cannot be restored as it is changes nothing."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import SecretStr

from accord.errors import BackupError
from accord.provenance.certificates import IssuerName
from accord.server.backups import databases
from accord.server.backups.manifest import MANIFEST_NAME, Manifest
from accord.server.backups.service import make_backup, restore_backup
from accord.server.issuers.service import create_issuer, get_issuer, signing_chain
from accord.server.matching.indexes import snapshot_folders
from accord.server.matching.service import keep_snapshot
from accord.server.settings import Settings
from accord.server.storage.blobs import FolderBlobStore
from tests.integration.backups.calls import (
    LABELME,
    bank_file,
    file_notice,
    matched_entries,
    tracked,
)
from tests.integration.backups.conftest import MASTER_KEY, runtime_of, serving

#: Banked before the index snapshot is kept, and one banked after it.
BANKED_BEFORE, BANKED_AFTER = ["q0003.jpg", "q0004.jpg", "q0122.jpg"], "q0291.jpg"
NOTICED = ["q0003.jpg", "q0746.jpg"]


def fill(settings: Settings, corpus: Path) -> tuple[dict[str, int], dict[str, str]]:
    """Bank entries (an index snapshot kept between them), notices and an issuer; the
    entries' ids by file and the notices' tokens by tracking number."""
    with serving(settings) as api:
        assert api.post("/v1/banks", json={"name": "FAKES"}).status_code == 201
        entries = {name: bank_file(api, corpus / LABELME / name) for name in BANKED_BEFORE}
        runtime = runtime_of(api.app.state.runtime)  # type: ignore[attr-defined]
        with runtime.sessions() as session:
            runtime.indexes.sync(session)
        keep_snapshot(runtime.indexes, settings.index_dir)
        entries[BANKED_AFTER] = bank_file(api, corpus / LABELME / BANKED_AFTER)
        notices = dict(
            file_notice(api, corpus / LABELME / name, number) for number, name in enumerate(NOTICED)
        )
        with runtime.sessions() as session, session.begin():
            session.info["actor"] = "cli:test"
            create_issuer(session, "ec", IssuerName("Electoral Commission", "EC"), MASTER_KEY)
    return entries, notices


def nothing_restored(settings: Settings) -> bool:
    return (
        databases.audit_entries(settings.effective_database_url) == 0
        and not any(FolderBlobStore(settings.blob_dir).digests())
        and not snapshot_folders(settings.index_dir)
    )


@dataclass(frozen=True)
class BackedUp:
    folder: Path
    blobs: set[str]
    #: Entry ids by banked file, notices' tokens by tracking number.
    entries: dict[str, int]
    notices: dict[str, str]


@pytest.fixture(scope="module")
def backed_up(origin: Settings, corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> BackedUp:
    entries, notices = fill(origin, corpus)
    folder = tmp_path_factory.mktemp("backup") / "backup"
    made = make_backup(origin, folder)
    blobs = set(FolderBlobStore(origin.blob_dir).digests())
    assert len(blobs) >= len(entries)  # banked files and noticed ones are kept
    assert made.blobs == len(blobs)
    assert made.index_snapshot is not None
    return BackedUp(folder, blobs, entries, notices)


def damaged_copy(backed_up: BackedUp, tmp_path: Path) -> Path:
    copy = tmp_path / "backup"
    shutil.copytree(backed_up.folder, copy)
    return copy


def test_a_restored_instance_has_everything_the_backup_held(
    backed_up: BackedUp, target: Settings, corpus: Path
) -> None:
    restored = restore_backup(target, backed_up.folder)

    assert restored.audit.intact, restored.audit.problems
    assert restored.audit.entries > 0
    counts = (restored.notices, restored.bank_entries, restored.blobs)
    assert counts == (len(backed_up.notices), len(backed_up.entries), len(backed_up.blobs))
    assert set(FolderBlobStore(target.blob_dir).digests()) == backed_up.blobs
    with serving(target) as api:
        runtime = runtime_of(api.app.state.runtime)  # type: ignore[attr-defined]
        # It starts from the snapshot, then syncs forward to the entry banked after it.
        assert runtime.indexes.position.signals > 0
        for tracking_number, token in backed_up.notices.items():
            assert tracked(api, tracking_number, token)["tracking_number"] == tracking_number
        for name, entry_id in backed_up.entries.items():
            assert entry_id in matched_entries(api, corpus / LABELME / name), name
        with runtime.sessions() as session:
            chain = signing_chain(get_issuer(session, "ec"), MASTER_KEY)
    public = (Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    assert chain.key.public_key().public_bytes(*public) == (
        chain.leaf.public_key().public_bytes(*public)
    )


def test_another_master_key_is_refused_before_anything_changes(
    backed_up: BackedUp, target: Settings
) -> None:
    other = target.model_copy(update={"master_key": SecretStr("another instance's master key")})
    with pytest.raises(BackupError, match="sealed under another master key"):
        restore_backup(other, backed_up.folder)
    assert nothing_restored(target)


@pytest.mark.parametrize("damage", ["truncate", "change"])
def test_a_damaged_part_is_refused_by_name(
    backed_up: BackedUp, target: Settings, tmp_path: Path, damage: str
) -> None:
    folder = damaged_copy(backed_up, tmp_path)
    blob = Manifest.from_json((folder / MANIFEST_NAME).read_text()).parts_under("blobs")[0]
    content = (folder / blob.path).read_bytes()
    if damage == "truncate":
        (folder / blob.path).write_bytes(content[: len(content) // 2])
    else:
        (folder / blob.path).write_bytes(content[:-1] + bytes([content[-1] ^ 1]))
    with pytest.raises(BackupError, match=f"part {blob.path} "):
        restore_backup(target, folder)
    assert nothing_restored(target)


def test_a_manifest_naming_a_path_outside_the_backup_is_refused(
    backed_up: BackedUp, target: Settings, tmp_path: Path
) -> None:
    folder = damaged_copy(backed_up, tmp_path)
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    manifest["parts"][-1]["path"] = "index/snapshot-1-1/../../../outside"
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="which no backup part has"):
        restore_backup(target, folder)
    assert nothing_restored(target)


def test_an_instance_with_data_is_replaced_only_when_forced(
    backed_up: BackedUp, target: Settings
) -> None:
    restore_backup(target, backed_up.folder)
    with pytest.raises(BackupError, match="already holds data"):
        restore_backup(target, backed_up.folder)
    again = restore_backup(target, backed_up.folder, force=True)
    assert again.audit.intact, again.audit.problems
    assert again.notices == len(backed_up.notices)


def test_a_backup_is_written_only_into_a_new_or_empty_folder(
    origin: Settings, tmp_path: Path
) -> None:
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    with pytest.raises(BackupError, match="is not empty"):
        make_backup(origin, taken)
    assert [path.name for path in taken.iterdir()] == ["notes.txt"]
    made = make_backup(origin, tmp_path / "new")
    assert Manifest.from_json((tmp_path / "new" / MANIFEST_NAME).read_text()) == made.manifest
    written = {path.name for path in (tmp_path / "new").iterdir()}
    assert written == {MANIFEST_NAME, made.manifest.database_part.path, "blobs", "index"}
