"""``accord scan s3://bucket/prefix``: the objects to scan, listed by the client, and one
object fetched by a worker into a temporary file for hashing.

Workers get the S3 settings from the client (``S3Access``), not from their own
environment, so a cluster scans whatever store the person starting the scan can read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from accord.server.settings import Settings

SCHEME = "s3://"
#: S3 error codes that are about one object (it went, or this key may not read it):
#: reported in that file's record. Anything else (the store unreachable, bad
#: credentials) stops the scan, so the files are not recorded as failed.
OBJECT_ERRORS = frozenset({"NoSuchKey", "404", "AccessDenied", "403", "InvalidObjectState"})


def is_s3(source: str) -> bool:
    return source.startswith(SCHEME)


@dataclass(frozen=True, slots=True)
class S3Access:
    """The client's S3 settings, sent with each task."""

    endpoint_url: str
    region: str
    access_key_id: str
    secret_access_key: str = field(repr=False)  # kept out of logs of tasks

    @classmethod
    def of(cls, settings: Settings) -> S3Access:
        return cls(
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key.get_secret_value(),
        )

    def client(self) -> S3Client:
        from pydantic import SecretStr  # noqa: PLC0415

        from accord.server.settings import Settings  # noqa: PLC0415
        from accord.server.storage.s3 import s3_client  # noqa: PLC0415

        # Built without reading this worker's environment or checking the rest.
        settings = Settings.model_construct(
            s3_endpoint_url=self.endpoint_url,
            s3_region=self.region,
            s3_access_key_id=self.access_key_id,
            s3_secret_access_key=SecretStr(self.secret_access_key),
        )
        return s3_client(settings)


def list_objects(access: S3Access, url: str) -> list[str]:
    """Every object under ``url`` as ``s3://bucket/key``, in key order; raises ValueError
    for a URL that names no bucket and OSError when the store cannot be listed."""
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    from accord.server.storage.s3 import parse_s3_url  # noqa: PLC0415

    bucket, prefix = parse_s3_url(url)
    found: list[str] = []
    try:
        pages = access.client().get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=bucket, Prefix=f"{prefix}/" if prefix else ""):
            found.extend(
                f"{SCHEME}{bucket}/{item['Key']}"
                for item in page.get("Contents", [])
                if not item["Key"].endswith("/")  # a folder marker, not a file
            )
    except (BotoCoreError, ClientError) as error:
        msg = f"cannot list {url}: {error}"
        raise OSError(msg) from error
    return sorted(found)


def fetch_object(client: S3Client, item: str, folder: Path) -> Path | str:
    """Download ``s3://bucket/key`` into ``folder``; the file, or why the object could not
    be read (an error about the object alone). Other errors are raised."""
    from botocore.exceptions import ClientError  # noqa: PLC0415

    bucket, _, key = item.removeprefix(SCHEME).partition("/")
    # The key's name and suffix, for error messages that read like a local scan's.
    target = folder / (PurePosixPath(key).name or "object")
    try:
        client.download_file(bucket, key, str(target))
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code in OBJECT_ERRORS:
            return f"cannot read {item} from S3: {code}"
        raise
    return target
