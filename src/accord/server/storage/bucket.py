"""A content-addressed blob store in S3-compatible object storage (``ACCORD_BLOB_URL=
s3://bucket/prefix``), which several nodes share.

A blob's key is ``prefix/ab/cd/<sha256>``, as in the folder store. A file is hashed before
it is sent, so its key is known; it is then sent in one PUT (small files, from memory) or
as a multipart upload (large ones, a part in memory at a time) that is completed only when
the bytes sent hash to the key. Until a PUT or multipart upload completes, S3 shows nothing
under the key, so a failed write (the store down, the source changed) leaves no object.
Reads stream; a local copy is a download removed after use.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NoReturn

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

from accord.server.storage.store import (
    CHUNK_BYTES,
    BlobStoreError,
    MissingBlob,
    is_blob_key,
    relative_key,
)

if TYPE_CHECKING:
    from botocore.response import StreamingBody
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

#: Files up to this size go in one PUT, read into memory; larger ones in parts this size
#: (S3 wants parts of at least 5 MiB, and at most 10,000 of them).
PART_BYTES = 8 * 1024 * 1024
_MAX_PARTS = 10_000
_MIB = 1024 * 1024
#: How long a readiness answer is reused: probes from a load balancer every second cost
#: the store one request per node every few seconds.
READINESS_CACHE_SECONDS = 5.0
_MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


class _BodyReader:
    def __init__(self, body: StreamingBody, size: int, where: str) -> None:
        self._body = body
        self.size = size
        self._where = where

    def read(self, size: int = -1, /) -> bytes:
        try:
            return self._body.read(None if size < 0 else size)
        except BotoCoreError as error:  # the connection broke mid-blob
            raise BlobStoreError(f"{self._where}: reading failed: {error}") from error


class S3BlobStore:
    def __init__(
        self,
        client: S3Client,
        bucket: str,
        prefix: str,
        *,
        scratch: Path,
        probe: S3Client | None = None,
    ) -> None:
        """``scratch``: a folder for local copies; ``probe``: a client with short
        timeouts and no retries for the readiness check (default: ``client``)."""
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.scratch = scratch
        self._probe = probe or client
        self._readiness_lock = threading.Lock()
        self._readiness: tuple[float, str | None] | None = None

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def key_for(self, sha256: str) -> str:
        relative = relative_key(sha256)
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def exists(self, sha256: str) -> bool:
        key = self.key_for(sha256)
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _code(error) in _MISSING_CODES:
                return False
            self._fail("looking for a blob", error)
        except BotoCoreError as error:
            self._fail("looking for a blob", error)
        return True

    def put_file(self, source: Path) -> str:
        with source.open("rb") as reader:
            head = reader.read(PART_BYTES + 1)
            if len(head) <= PART_BYTES:  # small: one PUT of the bytes just hashed
                sha256 = hashlib.sha256(head).hexdigest()
                if not self.exists(sha256):
                    with self._failing("storing a blob"):
                        self.client.put_object(
                            Bucket=self.bucket, Key=self.key_for(sha256), Body=head
                        )
                return sha256
            digest = hashlib.sha256(head)
            del head  # large: read again part by part, never held whole
            while chunk := reader.read(CHUNK_BYTES):
                digest.update(chunk)
            sha256 = digest.hexdigest()
            if not self.exists(sha256):
                size = os.fstat(reader.fileno()).st_size
                reader.seek(0)
                self._upload_parts(reader, sha256, size)
            return sha256

    @contextmanager
    def open(self, sha256: str) -> Iterator[_BodyReader]:
        key = self.key_for(sha256)
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _code(error) in _MISSING_CODES:
                raise MissingBlob(sha256, self.describe()) from None
            self._fail("reading a blob", error)
        except BotoCoreError as error:
            self._fail("reading a blob", error)
        body = answer["Body"]
        try:
            yield _BodyReader(body, answer["ContentLength"], self.describe())
        finally:
            body.close()

    @contextmanager
    def local_copy(self, sha256: str) -> Iterator[Path]:
        self.scratch.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=self.scratch, prefix=".blob-")
        path = Path(name)
        try:
            with os.fdopen(handle, "wb") as out:
                self._download(sha256, out)
            yield path
        finally:
            path.unlink(missing_ok=True)

    def copy_to(self, sha256: str, destination: Path) -> None:
        """Written beside ``destination`` and renamed, so it is whole or absent."""
        handle, name = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}-")
        try:
            with os.fdopen(handle, "wb") as out:
                self._download(sha256, out)
            Path(name).replace(destination)
        finally:
            Path(name).unlink(missing_ok=True)

    def delete(self, sha256: str) -> None:
        with self._failing("deleting a blob"):
            self.client.delete_object(Bucket=self.bucket, Key=self.key_for(sha256))

    def digests(self) -> Iterator[str]:
        start = f"{self.prefix}/" if self.prefix else ""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=start
        )
        with self._failing("listing the blobs"):
            for page in pages:
                for item in page.get("Contents", []):
                    relative = item["Key"][len(start) :]
                    if is_blob_key(relative):
                        yield relative.rsplit("/", 1)[-1]

    def problem(self) -> str | None:
        """Whether the bucket answers (reachable, there, the credentials accepted); the
        answer is reused for ``READINESS_CACHE_SECONDS``."""
        with self._readiness_lock:
            now = time.monotonic()
            if self._readiness is None or now - self._readiness[0] > READINESS_CACHE_SECONDS:
                self._readiness = (now, self._probe_bucket())
            return self._readiness[1]

    def _probe_bucket(self) -> str | None:
        endpoint = self._probe.meta.endpoint_url
        try:
            self._probe.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            return _refusal(_code(error), self.bucket, endpoint)
        except BotoCoreError as error:
            return _unreachable(error, endpoint)
        return None

    def _upload_parts(self, reader: BinaryIO, sha256: str, size: int) -> None:
        """Send ``reader`` as a multipart upload, completed only if what was sent hashes
        to ``sha256``; aborted (nothing under the key) on any failure."""
        key = self.key_for(sha256)
        part_bytes = max(PART_BYTES, math.ceil(size / _MAX_PARTS / _MIB) * _MIB)
        with self._failing("storing a blob"):
            upload = self.client.create_multipart_upload(Bucket=self.bucket, Key=key)["UploadId"]
        try:
            with self._failing("storing a blob"):
                digest = hashlib.sha256()
                parts: list[CompletedPartTypeDef] = []
                while data := reader.read(part_bytes):
                    digest.update(data)
                    number = len(parts) + 1
                    sent = self.client.upload_part(
                        Bucket=self.bucket, Key=key, UploadId=upload, PartNumber=number, Body=data
                    )
                    parts.append({"PartNumber": number, "ETag": sent["ETag"]})
                    del data  # before the next part is read: one part in memory at a time
                if digest.hexdigest() != sha256:
                    msg = f"the file changed while it was stored in {self.describe()}: not stored"
                    raise BlobStoreError(msg)
                self.client.complete_multipart_upload(
                    Bucket=self.bucket, Key=key, UploadId=upload, MultipartUpload={"Parts": parts}
                )
        except BaseException:
            self._abort(key, upload)
            raise

    def _abort(self, key: str, upload: str) -> None:
        # Best effort: if the store is down, the parts stay out of sight until a bucket
        # lifecycle rule (AbortIncompleteMultipartUpload) removes them.
        with suppress(BotoCoreError, ClientError):
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload)

    def _download(self, sha256: str, out: BinaryIO) -> None:
        """Stream the blob into ``out``, checking it still has its SHA-256."""
        digest = hashlib.sha256()
        with self.open(sha256) as reader:
            while chunk := reader.read(CHUNK_BYTES):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256:
            msg = f"the blob {sha256} in {self.describe()} no longer has that SHA-256"
            raise BlobStoreError(msg)

    @contextmanager
    def _failing(self, doing: str) -> Iterator[None]:
        """S3's and botocore's errors in the block, as one ``BlobStoreError`` saying what
        failed where."""
        try:
            yield
        except (BotoCoreError, ClientError) as error:
            self._fail(doing, error)

    def _fail(self, doing: str, error: BotoCoreError | ClientError) -> NoReturn:
        reason = f"{_code(error)}: {error}" if isinstance(error, ClientError) else str(error)
        raise BlobStoreError(f"{self.describe()}: {doing} failed: {reason}") from error


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _refusal(code: str, bucket: str, endpoint: str) -> str:
    """Why the endpoint refused to show the bucket, in words."""
    if code in {"404", "NoSuchBucket", "NotFound"}:
        return f"no bucket {bucket!r} at {endpoint}"
    if code in {"403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"}:
        return f"access to bucket {bucket!r} denied: check the S3 credentials"
    return f"{endpoint} answered {code or 'an error'}"


def _unreachable(error: BotoCoreError, endpoint: str) -> str:
    if isinstance(error, EndpointConnectionError | ConnectTimeoutError):
        return f"unreachable: cannot connect to {endpoint}"
    if isinstance(error, ReadTimeoutError):
        return f"unreachable: {endpoint} did not answer in time"
    if isinstance(error, NoCredentialsError):
        return "no S3 credentials: set ACCORD_S3_ACCESS_KEY_ID and ACCORD_S3_SECRET_ACCESS_KEY"
    return f"unreachable: {error}"
