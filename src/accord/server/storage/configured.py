"""The blob store the settings choose: the ``blobs`` folder in ``data_dir`` by default,
S3-compatible object storage when ``ACCORD_BLOB_URL`` is ``s3://bucket/prefix``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accord.server.storage.blobs import FolderBlobStore
from accord.server.storage.s3 import parse_s3_url, s3_client

if TYPE_CHECKING:
    from accord.server.settings import Settings
    from accord.server.storage.store import BlobStore

#: The readiness probe's bounds: /readyz must answer within a few seconds even when the
#: endpoint swallows packets.
PROBE_CONNECT_SECONDS = 1.0
PROBE_READ_SECONDS = 2.0


def blob_store(settings: Settings) -> BlobStore:
    if not settings.blob_url:
        return FolderBlobStore(settings.blob_dir)
    # Imported here: only an instance with S3 blobs needs boto3.
    from accord.server.storage.bucket import S3BlobStore  # noqa: PLC0415

    bucket, prefix = parse_s3_url(settings.blob_url)
    return S3BlobStore(
        s3_client(settings),
        bucket,
        prefix,
        scratch=settings.upload_dir,
        probe=s3_client(
            settings,
            connect_timeout=PROBE_CONNECT_SECONDS,
            read_timeout=PROBE_READ_SECONDS,
            max_attempts=1,
        ),
    )
