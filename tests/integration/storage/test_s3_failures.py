"""What S3 blobs do when things go wrong: a store that goes down mid-write, a file that
changes while it is sent, a bucket that is not there, an endpoint nobody answers on."""

from __future__ import annotations

import hashlib
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from accord.server.storage.bucket import S3BlobStore
from accord.server.storage.configured import blob_store
from accord.server.storage.store import BlobStoreError
from tests.integration.serving import closed_port
from tests.integration.storage.conftest import BUCKET, s3_settings, s3_subject
from tests.integration.storage.cutting_proxy import cutting_proxy
from tests.integration.storage.test_contract import MIB, large_file, written
from tests.s3_server import S3Server

#: /readyz's bound on the blob check: a probe that waits longer is a stuck probe.
READY_SECONDS = 3.5


def s3_store(server: S3Server, data_dir: Path, url: str, **changes: object) -> S3BlobStore:
    store = blob_store(s3_settings(server, data_dir, url, **changes))
    assert isinstance(store, S3BlobStore)
    return store


def unfinished_uploads(server: S3Server, prefix: str) -> dict[str, str]:
    """The multipart uploads begun and neither completed nor aborted: id -> key."""
    answer = server.client().list_multipart_uploads(Bucket=BUCKET, Prefix=prefix)
    return {upload["UploadId"]: upload["Key"] for upload in answer.get("Uploads", [])}


@pytest.mark.parametrize("size", [3 * MIB, 20 * MIB], ids=["one-put", "multipart"])
def test_a_store_going_down_mid_write_leaves_no_object(
    s3_server: S3Server, tmp_path: Path, size: int
) -> None:
    subject = s3_subject(s3_server, tmp_path / "data")
    assert isinstance(subject.store, S3BlobStore)
    prefix = subject.store.prefix
    source = large_file(tmp_path, size)
    with cutting_proxy(s3_server.endpoint, cut_after=size // 2) as proxy:
        store = s3_store(
            s3_server,
            tmp_path / "data",
            f"s3://{BUCKET}/{prefix}",
            s3_endpoint_url=proxy.endpoint,
        )
        with pytest.raises(BlobStoreError, match=f"s3://{BUCKET}/{prefix}: storing a blob failed"):
            store.put_file(source)
        assert proxy.cut.is_set()

    assert subject.names() == set()
    sha256 = hashlib.sha256(source.read_bytes()).hexdigest()
    assert not subject.store.exists(sha256)
    # The parts already sent are out of sight; once the store is back they can be
    # aborted (a bucket lifecycle rule does it), and storing again works.
    for upload, key in unfinished_uploads(s3_server, prefix).items():
        s3_server.client().abort_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload)
    assert subject.store.put_file(source) == sha256


def test_a_file_changed_while_sent_is_not_stored(s3_server: S3Server, tmp_path: Path) -> None:
    subject = s3_subject(s3_server, tmp_path / "data")
    assert isinstance(subject.store, S3BlobStore)
    source = large_file(tmp_path, 20 * MIB)
    sha256 = hashlib.sha256(source.read_bytes()).hexdigest()

    def change_the_source(**_: Any) -> None:
        # Once the first part is on its way, a later part of the file changes.
        with source.open("r+b") as file:
            file.seek(12 * MIB)
            file.write(b"changed")

    subject.store.client.meta.events.register_first(
        "before-call.s3.UploadPart", change_the_source, unique_id="change-the-source"
    )
    try:
        with pytest.raises(BlobStoreError, match="the file changed while it was stored"):
            subject.store.put_file(source)
    finally:
        subject.store.client.meta.events.unregister(
            "before-call.s3.UploadPart", unique_id="change-the-source"
        )

    assert subject.names() == set()
    assert not subject.store.exists(sha256)
    assert unfinished_uploads(s3_server, subject.store.prefix) == {}  # aborted


def test_ready_when_the_bucket_answers(s3_server: S3Server, tmp_path: Path) -> None:
    s3_server.bucket(BUCKET)
    store = s3_store(s3_server, tmp_path, f"s3://{BUCKET}/ready")
    assert store.problem() is None


def test_a_missing_bucket_is_the_reason(s3_server: S3Server, tmp_path: Path) -> None:
    store = s3_store(s3_server, tmp_path, "s3://no-such-bucket-here/blobs")
    assert store.problem() == f"no bucket 'no-such-bucket-here' at {s3_server.endpoint}"


def test_wrong_credentials_are_the_reason(s3_server: S3Server, tmp_path: Path) -> None:
    s3_server.bucket(BUCKET)
    store = s3_store(
        s3_server, tmp_path, f"s3://{BUCKET}/blobs", s3_secret_access_key="not the secret"
    )
    problem = store.problem()
    assert problem is not None
    assert problem.startswith(f"access to bucket '{BUCKET}' denied"), problem


def test_an_endpoint_nobody_answers_on_is_told_at_once(s3_server: S3Server, tmp_path: Path) -> None:
    with closed_port() as port:
        endpoint = f"http://127.0.0.1:{port}"
        store = s3_store(s3_server, tmp_path, f"s3://{BUCKET}/blobs", s3_endpoint_url=endpoint)
        started = time.monotonic()
        assert store.problem() == f"unreachable: cannot connect to {endpoint}"
        assert time.monotonic() - started < READY_SECONDS
        with pytest.raises(BlobStoreError, match="a blob failed: Could not connect to the"):
            store.put_file(written(tmp_path, "small.bin", b"small"))


def test_an_endpoint_that_never_answers_is_told_within_seconds(
    s3_server: S3Server, tmp_path: Path
) -> None:
    with socket.socket() as silent:  # connections wait in its backlog, never answered
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}"
        store = s3_store(s3_server, tmp_path, f"s3://{BUCKET}/blobs", s3_endpoint_url=endpoint)
        started = time.monotonic()
        assert store.problem() == f"unreachable: {endpoint} did not answer in time"
        assert time.monotonic() - started < READY_SECONDS


def test_a_readiness_answer_is_reused_for_a_few_seconds(
    s3_server: S3Server, tmp_path: Path
) -> None:
    s3_server.bucket(BUCKET)
    store = s3_store(s3_server, tmp_path, f"s3://{BUCKET}/blobs")
    asked: list[str] = []
    store._probe.meta.events.register(  # counting the probe's requests
        "before-call.s3.HeadBucket", lambda **_: asked.append("HeadBucket")
    )
    for _ in range(5):
        assert store.problem() is None
    assert asked == ["HeadBucket"]
