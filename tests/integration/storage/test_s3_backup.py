"""A backup of an instance whose blobs are in S3 holds every blob, checked by SHA-256, and
restores into another bucket or into a folder: the notices' files are found again."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, text

from accord.errors import BackupError
from accord.server.backups import databases
from accord.server.backups.manifest import BLOBS
from accord.server.backups.service import make_backup, restore_backup
from accord.server.settings import Settings
from accord.server.storage.configured import blob_store
from tests.integration.backups.calls import LABELME, bank_file, file_notice, tracked
from tests.integration.backups.conftest import serving, settings_for
from tests.integration.databases import own_engine_beside
from tests.s3_server import S3Server

ORIGIN_BUCKET, RESTORED_BUCKET = "accord-backup-origin", "accord-backup-restored"
NOTICED = ["q0003.jpg", "q0746.jpg"]
BANKED = "q0122.jpg"


def in_bucket(settings: Settings, server: S3Server, bucket: str) -> Settings:
    """``settings`` with blobs in ``bucket`` on ``server``, under a prefix of their own."""
    server.bucket(bucket)
    return settings.model_copy(
        update={
            "blob_url": f"s3://{bucket}/backups/{secrets.token_hex(6)}",
            "s3_endpoint_url": server.endpoint,
            "s3_region": server.region,
            "s3_access_key_id": server.access_key,
            "s3_secret_access_key": SecretStr(server.secret_key),
        }
    )


@dataclass(frozen=True)
class BackedUp:
    folder: Path
    blobs: set[str]
    notices: dict[str, str]
    restored: Engine


@pytest.fixture(scope="module")
def backed_up(
    database_url: str,
    s3_server: S3Server,
    corpus: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[BackedUp]:
    folder = tmp_path_factory.mktemp("s3-backups")
    with (
        own_engine_beside(database_url, folder, "s3backup_origin") as origin_engine,
        own_engine_beside(database_url, folder, "s3backup_restored") as restored,
    ):
        origin = in_bucket(settings_for(origin_engine, folder / "origin"), s3_server, ORIGIN_BUCKET)
        with serving(origin) as api:
            assert api.post("/v1/banks", json={"name": "FAKES"}).status_code == 201
            bank_file(api, corpus / LABELME / BANKED)
            notices = dict(
                file_notice(api, corpus / LABELME / name, number)
                for number, name in enumerate(NOTICED)
            )
        made = make_backup(origin, folder / "backup")
        blobs = set(blob_store(origin).digests())
        assert blobs == {
            hashlib.sha256((corpus / LABELME / name).read_bytes()).hexdigest()
            for name in [BANKED, *NOTICED]
        }
        assert {part.sha256 for part in made.manifest.parts_under(BLOBS)} == blobs
        assert made.blobs == len(blobs)
        assert not origin.blob_dir.exists()  # nothing went to the folder
        yield BackedUp(folder / "backup", blobs, notices, restored)


@pytest.fixture
def target(backed_up: BackedUp, tmp_path: Path) -> Settings:
    """An instance with an empty database, to restore into."""
    engine = backed_up.restored
    engine.dispose()
    if engine.dialect.name == "sqlite":
        Path(str(engine.url.database)).unlink(missing_ok=True)
    else:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    return settings_for(engine, tmp_path / "restored")


@pytest.mark.parametrize("into", ["another bucket", "a folder"])
def test_a_backup_restores_every_blob(
    backed_up: BackedUp, target: Settings, s3_server: S3Server, corpus: Path, into: str
) -> None:
    if into == "another bucket":
        target = in_bucket(target, s3_server, RESTORED_BUCKET)
    restored = restore_backup(target, backed_up.folder)

    assert restored.audit.intact, restored.audit.problems
    assert restored.blobs == len(backed_up.blobs)
    store = blob_store(target)
    assert set(store.digests()) == backed_up.blobs
    for name in NOTICED:
        data = (corpus / LABELME / name).read_bytes()
        with store.open(hashlib.sha256(data).hexdigest()) as reader:
            assert reader.read() == data
    with serving(target) as api:
        for tracking_number, token in backed_up.notices.items():
            assert tracked(api, tracking_number, token)["tracking_number"] == tracking_number
    with pytest.raises(BackupError, match=r"already holds data \(\d+ audit entries, 3 blobs\)"):
        restore_backup(target, backed_up.folder)


def test_an_unreachable_store_is_told_before_anything_changes(
    backed_up: BackedUp, target: Settings, s3_server: S3Server, tmp_path: Path
) -> None:
    unreachable = in_bucket(target, s3_server, RESTORED_BUCKET).model_copy(
        update={"s3_endpoint_url": "http://127.0.0.1:9"}  # the discard port: nobody there
    )
    with pytest.raises(BackupError, match=r"the blobs cannot be listed: .*Could not connect"):
        restore_backup(unreachable, backed_up.folder)
    assert databases.audit_entries(target.effective_database_url) == 0

    restore_backup(target, backed_up.folder)  # an instance to back up, blobs in a folder
    with pytest.raises(BackupError, match=r"the blobs could not be copied: .*Could not connect"):
        make_backup(unreachable, tmp_path / "backup")
    assert not (tmp_path / "backup" / ".partial").exists()
