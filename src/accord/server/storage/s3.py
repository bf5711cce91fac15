"""One place that turns settings into a boto3 S3 client, and ``s3://`` URLs into a bucket
and a key prefix: the blob store and the bulk scan's S3 sources both use them.

Timeouts are short and retries few, so an unreachable store is reported within seconds
(``/readyz`` asks it) instead of hanging a request thread.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from accord.server.settings import Settings

#: S3's bucket name rules (3-63 of lowercase letters, digits, dots and hyphens, starting
#: and ending with a letter or digit).
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
CONNECT_TIMEOUT_SECONDS = 3.0
READ_TIMEOUT_SECONDS = 30.0
#: Tries of one request in all, the first included.
MAX_ATTEMPTS = 3


def parse_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix/`` -> ``("bucket", "some/prefix")``; the prefix may be empty.

    Raises ValueError saying what is wrong (without repeating ``url``) for anything else.
    """
    scheme, separator, rest = url.partition("://")
    if not separator or scheme != "s3":
        msg = "not an s3:// URL: expected s3://bucket/prefix"
        raise ValueError(msg)
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        msg = "no bucket: expected s3://bucket/prefix"
        raise ValueError(msg)
    if not _BUCKET.fullmatch(bucket):
        msg = f"{bucket!r} is no bucket name: 3-63 lowercase letters, digits, dots or hyphens"
        raise ValueError(msg)
    prefix = prefix.strip("/")
    if "//" in prefix:
        msg = "an empty folder (//) in the prefix"
        raise ValueError(msg)
    return bucket, prefix


def s3_client(
    settings: Settings,
    *,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    read_timeout: float = READ_TIMEOUT_SECONDS,
    max_attempts: int = MAX_ATTEMPTS,
) -> S3Client:
    """A client for the configured S3 endpoint: path-style addressing when an endpoint is
    set (SeaweedFS, MinIO and most self-hosted stores need it), boto3's own credential
    chain when no key is configured. boto3 clients are thread-safe: make one and share it."""
    # Imported here: the settings validate URLs with this module, and every command reads
    # the settings; boto3 takes a quarter of a second to import.
    import boto3  # noqa: PLC0415
    from botocore.config import Config  # noqa: PLC0415

    secret = settings.s3_secret_access_key.get_secret_value()
    return boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        region_name=settings.s3_region or None,
        aws_access_key_id=settings.s3_access_key_id or None,
        aws_secret_access_key=secret or None,
        config=Config(
            s3={"addressing_style": "path" if settings.s3_endpoint_url else "auto"},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"total_max_attempts": max_attempts, "mode": "standard"},
        ),
    )
