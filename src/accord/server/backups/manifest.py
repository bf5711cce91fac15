"""A backup's ``manifest.json``: what made it, from which database, under which master key,
and the SHA-256 of every part, so a restore can refuse a damaged backup before it starts."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, get_args

from accord.errors import BackupError, CredentialError
from accord.provenance.sealing import seal_secret, unseal_secret

#: Raised when the layout or the meaning of a field changes; a restore refuses newer ones.
FORMAT = 1
MANIFEST_NAME = "manifest.json"

DatabaseKind = Literal["sqlite", "postgresql"]
#: The database's part, by kind: SQLite's own file, or ``pg_dump``'s custom format.
DATABASE_PARTS: dict[DatabaseKind, str] = {
    "sqlite": "database.sqlite3",
    "postgresql": "database.pgdump",
}
BLOBS = "blobs"
INDEX = "index"

#: The paths a part may have: anything else in a manifest (``..``, an absolute path) is
#: refused, so a crafted manifest cannot make a restore write outside its folders. No
#: segment starts with a dot.
_PART_PATH = re.compile(
    r"database\.(sqlite3|pgdump)"
    r"|blobs/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}"
    r"|index/snapshot-[0-9]+-[0-9]+(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)+"
)
#: What the key check seals: a known text, so only the same master key opens it.
_KEY_CHECK_TEXT = b"accord backup key check"
_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Part:
    """One file of the backup, by its path inside the backup folder."""

    path: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class Manifest:
    accord_version: str
    database: DatabaseKind
    #: The database's migration when it was dumped (None: never migrated).
    alembic_revision: str | None
    created_at: datetime
    #: The known text sealed under the master key (``seal_secret``, base64): a restore
    #: tells another key at once, and it is as slow to guess from as the sealed secrets.
    key_check: str
    parts: tuple[Part, ...]
    format: int = FORMAT

    @property
    def database_part(self) -> Part:
        name = DATABASE_PARTS[self.database]
        return next(part for part in self.parts if part.path == name)

    def parts_under(self, folder: str) -> list[Part]:
        return [part for part in self.parts if part.path.startswith(f"{folder}/")]

    def to_json(self) -> str:
        body = {
            "format": self.format,
            "accord_version": self.accord_version,
            "database": self.database,
            "alembic_revision": self.alembic_revision,
            "created_at": self.created_at.astimezone(UTC).isoformat(),
            "key_check": self.key_check,
            "parts": [
                {"path": part.path, "sha256": part.sha256, "size": part.size} for part in self.parts
            ],
        }
        return json.dumps(body, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """The manifest ``text`` holds; ``BackupError`` naming what is wrong with it."""
        try:
            body = json.loads(text)
            version = body["format"]
            if version != FORMAT:
                msg = f"its format is {version!r}, and this accord reads format {FORMAT}"
                raise BackupError(msg)
            manifest = cls(
                accord_version=str(body["accord_version"]),
                database=_kind(body["database"]),
                alembic_revision=_optional_text(body["alembic_revision"]),
                created_at=datetime.fromisoformat(body["created_at"]),
                key_check=str(body["key_check"]),
                parts=tuple(_part(item) for item in body["parts"]),
            )
        except BackupError as error:
            raise BackupError(f"{MANIFEST_NAME} is unusable: {error.detail}") from None
        except (ValueError, KeyError, TypeError) as error:
            msg = f"{MANIFEST_NAME} is unusable: {type(error).__name__}: {error}"
            raise BackupError(msg) from None
        if DATABASE_PARTS[manifest.database] not in {part.path for part in manifest.parts}:
            msg = f"{MANIFEST_NAME} lists no {DATABASE_PARTS[manifest.database]}"
            raise BackupError(msg)
        if len({part.path.split("/")[1] for part in manifest.parts_under(INDEX)}) > 1:
            msg = f"{MANIFEST_NAME} lists parts of several index snapshots; a backup has one"
            raise BackupError(msg)
        return manifest


def _kind(value: object) -> DatabaseKind:
    for kind in get_args(DatabaseKind):
        if value == kind:
            return kind  # type: ignore[no-any-return]
    msg = f"unknown database kind {value!r}"
    raise BackupError(msg)


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)


def _part(item: dict[str, Any]) -> Part:
    path, sha256, size = str(item["path"]), str(item["sha256"]), int(item["size"])
    if not _PART_PATH.fullmatch(path):
        msg = f"a part has the path {path!r}, which no backup part has"
        raise BackupError(msg)
    if not re.fullmatch(r"[0-9a-f]{64}", sha256) or size < 0:
        msg = f"the part {path} has no valid SHA-256 or size"
        raise BackupError(msg)
    return Part(path, sha256, size)


def key_check(master_key: str) -> str:
    return base64.b64encode(seal_secret(_KEY_CHECK_TEXT, master_key)).decode("ascii")


def check_master_key(manifest: Manifest, master_key: str) -> None:
    """Refuse, before anything is restored, a backup whose secrets this key cannot open."""
    try:
        opened = unseal_secret(base64.b64decode(manifest.key_check, validate=True), master_key)
    except (CredentialError, binascii.Error, ValueError):
        opened = None
    if opened != _KEY_CHECK_TEXT:
        msg = (
            "this backup was sealed under another master key: set ACCORD_MASTER_KEY to the "
            "key of the instance it was made on"
        )
        raise BackupError(msg)


def hash_file(path: Path) -> tuple[str, int]:
    """A file's SHA-256 (hex) and size, read in chunks."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as reader:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def describe(root: Path, path: str) -> Part:
    sha256, size = hash_file(root / path)
    return Part(path, sha256, size)


def check_parts(root: Path, manifest: Manifest) -> None:
    """Every part is there, whole and unchanged; ``BackupError`` names the first that is not."""
    for part in manifest.parts:
        file = root / part.path
        if not file.is_file():
            raise BackupError(f"the backup's part {part.path} is missing")
        sha256, size = hash_file(file)
        if size != part.size:
            how = "cut short" if size < part.size else "added to"
            msg = f"the backup's part {part.path} was {how}: {size} bytes, not {part.size}"
            raise BackupError(msg)
        if sha256 != part.sha256:
            msg = f"the backup's part {part.path} was changed: its SHA-256 is not the manifest's"
            raise BackupError(msg)
