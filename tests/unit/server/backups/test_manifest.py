"""A backup's manifest: read back as written, refused when it could mislead a restore, and
the master key and every part checked against it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from accord.errors import BackupError
from accord.server.backups.manifest import (
    FORMAT,
    Manifest,
    Part,
    check_master_key,
    check_parts,
    describe,
    key_check,
)

MASTER_KEY = "the master key of this instance"
BLOB = "blobs/ab/cd/abcd" + "0" * 60


@pytest.fixture
def backup(tmp_path: Path) -> tuple[Path, Manifest]:
    """A folder with a database part, a blob and an index snapshot, and its manifest."""
    files = {
        "database.sqlite3": b"SQLite format 3\x00 and pages",
        BLOB: b"the bytes of a noticed picture",
        "index/snapshot-000000000007-000000000001/pdq/ids.npy": b"ids",
        "index/snapshot-000000000007-000000000001/state.json": b'{"format": 1}',
    }
    for path, content in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(content)
    manifest = Manifest(
        accord_version="0.1.0",
        database="sqlite",
        alembic_revision="e754da1f054c",
        created_at=datetime(2026, 5, 3, 9, 30, tzinfo=UTC),
        key_check=key_check(MASTER_KEY),
        parts=tuple(describe(tmp_path, path) for path in files),
    )
    return tmp_path, manifest


def edited(manifest: Manifest, **changes: Any) -> str:
    body = json.loads(manifest.to_json())
    body.update(changes)
    return json.dumps(body)


def test_a_manifest_reads_back_as_it_was_written(backup: tuple[Path, Manifest]) -> None:
    _, manifest = backup
    assert Manifest.from_json(manifest.to_json()) == manifest
    assert manifest.database_part.path == "database.sqlite3"
    assert [part.path for part in manifest.parts_under("blobs")] == [BLOB]
    assert MASTER_KEY not in manifest.to_json()


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({"format": FORMAT + 1}, f"its format is {FORMAT + 1}"),
        ({"database": "mysql"}, "unknown database kind 'mysql'"),
        ({"created_at": "yesterday"}, "ValueError"),
        ({"parts": []}, "lists no database.sqlite3"),
        ({"parts": "everything"}, "TypeError"),
    ],
)
def test_a_manifest_that_could_mislead_a_restore_is_refused(
    backup: tuple[Path, Manifest], changes: dict[str, Any], refusal: str
) -> None:
    _, manifest = backup
    with pytest.raises(BackupError, match=f"manifest.json is unusable: .*{refusal}|{refusal}"):
        Manifest.from_json(edited(manifest, **changes))


@pytest.mark.parametrize(
    "path",
    [
        "../accord.db",
        "/etc/passwd",
        "blobs/ab/cd/../../../../outside",
        "index/snapshot-1-1/../../../outside",
        "index/snapshot-1-1/.hidden",
        "uploads/notice.jpg",
    ],
)
def test_a_part_outside_the_backups_folders_is_refused(
    backup: tuple[Path, Manifest], path: str
) -> None:
    _, manifest = backup
    parts = json.loads(manifest.to_json())["parts"]
    parts[-1]["path"] = path
    with pytest.raises(BackupError, match="which no backup part has"):
        Manifest.from_json(edited(manifest, parts=parts))


def test_parts_of_two_index_snapshots_are_refused(backup: tuple[Path, Manifest]) -> None:
    _, manifest = backup
    parts = json.loads(manifest.to_json())["parts"]
    parts[-1]["path"] = "index/snapshot-000000000009-000000000001/state.json"
    with pytest.raises(BackupError, match="several index snapshots"):
        Manifest.from_json(edited(manifest, parts=parts))


def test_only_the_same_master_key_passes_the_key_check(backup: tuple[Path, Manifest]) -> None:
    _, manifest = backup
    check_master_key(manifest, MASTER_KEY)
    for other in ("another instance's master key", MASTER_KEY + " "):
        with pytest.raises(BackupError, match="sealed under another master key"):
            check_master_key(manifest, other)
    garbled = Manifest.from_json(edited(manifest, key_check="not base64!"))
    with pytest.raises(BackupError, match="sealed under another master key"):
        check_master_key(garbled, MASTER_KEY)


def test_the_key_check_differs_each_time_it_is_made() -> None:
    # A random salt: two backups under one key do not show that they share it.
    assert key_check(MASTER_KEY) != key_check(MASTER_KEY)


def test_whole_parts_pass(backup: tuple[Path, Manifest]) -> None:
    root, manifest = backup
    check_parts(root, manifest)


def test_a_missing_truncated_or_changed_part_is_named(backup: tuple[Path, Manifest]) -> None:
    root, manifest = backup
    blob = root / BLOB
    content = blob.read_bytes()
    blob.write_bytes(content[:-4])
    with pytest.raises(BackupError, match=f"part {BLOB} was cut short: {len(content) - 4} bytes"):
        check_parts(root, manifest)
    blob.write_bytes(content.upper())
    with pytest.raises(BackupError, match=f"part {BLOB} was changed"):
        check_parts(root, manifest)
    blob.unlink()
    with pytest.raises(BackupError, match=f"part {BLOB} is missing"):
        check_parts(root, manifest)


def test_describe_gives_a_files_sha256_and_size(tmp_path: Path) -> None:
    (tmp_path / "database.pgdump").write_bytes(b"abc")
    assert describe(tmp_path, "database.pgdump") == Part(
        "database.pgdump",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        3,
    )
