"""Every blob store, made as ``accord serve`` makes it (``blob_store(settings)``): the
folder, and a bucket on the real S3 server (SeaweedFS) on loopback, each test under a
prefix of its own so that no test sees another's blobs."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from accord.server.settings import Settings
from accord.server.storage.bucket import S3BlobStore
from accord.server.storage.configured import blob_store
from accord.server.storage.store import BlobStore
from tests.s3_server import S3Server

#: The bucket these tests keep their blobs in (every test under its own prefix).
BUCKET = "accord-storage-tests"


def s3_settings(server: S3Server, data_dir: Path, url: str, **changes: object) -> Settings:
    """Settings keeping blobs at ``url`` on ``server``; ``changes`` replace any of them."""
    chosen: dict[str, object] = {
        "env": "test",
        "data_dir": data_dir,
        "blob_url": url,
        "s3_endpoint_url": server.endpoint,
        "s3_region": server.region,
        "s3_access_key_id": server.access_key,
        "s3_secret_access_key": server.secret_key,
    }
    return Settings.model_validate({**chosen, **changes})


@dataclass(frozen=True)
class Subject:
    """A store under test, and what only a look behind it can tell."""

    store: BlobStore
    #: Every name the store holds under its root, blobs or not ("ab/cd/abcd…").
    names: Callable[[], set[str]]
    #: Puts raw bytes under a name, as something other than the store might.
    place: Callable[[str, bytes], None]


def folder_subject(root: Path) -> Subject:
    def names() -> set[str]:
        return {
            path.relative_to(root).as_posix()
            for path in root.rglob("*")
            if path.is_file() and not path.name.startswith(".")
        }

    def place(name: str, data: bytes) -> None:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)

    return Subject(blob_store(Settings(env="test", data_dir=root.parent)), names, place)


def s3_subject(server: S3Server, data_dir: Path) -> Subject:
    server.bucket(BUCKET)
    prefix = f"contract/{secrets.token_hex(6)}"
    store = blob_store(s3_settings(server, data_dir, f"s3://{BUCKET}/{prefix}/"))
    assert isinstance(store, S3BlobStore)
    client = server.client()

    def names() -> set[str]:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
        keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
        return {key.removeprefix(f"{prefix}/") for key in keys}

    def place(name: str, data: bytes) -> None:
        client.put_object(Bucket=BUCKET, Key=f"{prefix}/{name}", Body=data)

    return Subject(store, names, place)


@pytest.fixture(params=["folder", "s3"])
def subject(request: pytest.FixtureRequest, tmp_path: Path) -> Subject:
    if request.param == "folder":
        return folder_subject(tmp_path / "data" / "blobs")
    server: S3Server = request.getfixturevalue("s3_server")
    return s3_subject(server, tmp_path / "data")
