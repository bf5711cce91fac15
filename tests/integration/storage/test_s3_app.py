"""The service with its blobs in S3 (SeaweedFS on loopback): a notice's file is kept in
the bucket, triaged from there and downloaded back whole by a reviewer; /readyz says when
the store cannot be used, and why; a bad ``ACCORD_BLOB_URL`` stops the start in one line."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from PIL import Image
from pydantic import SecretStr
from sqlalchemy.orm import Session

from accord.provenance.certificates import IssuerName
from accord.provenance.signing import SourceType
from accord.server.app import create_app
from accord.server.credentials.service import Signing, sign_for_issuer
from accord.server.issuers.service import create_issuer
from accord.server.settings import Settings
from tests import edits
from tests.integration.conftest import make_client
from tests.integration.notice_action import hire, runtime_of, sign_in
from tests.integration.serving import closed_port, serve
from tests.integration.storage.conftest import BUCKET
from tests.s3_server import S3Server

#: A liveness bound: a busy machine loads the indices slowly.
READY_WITHIN_SECONDS = 60.0


def s3_changes(server: S3Server, prefix: str, **overrides: object) -> dict[str, object]:
    server.bucket(BUCKET)
    return {
        "blob_url": f"s3://{BUCKET}/{prefix}",
        "s3_endpoint_url": server.endpoint,
        "s3_region": server.region,
        "s3_access_key_id": server.access_key,
        "s3_secret_access_key": SecretStr(server.secret_key),
        "login_attempts_per_minute": 1000,
        **overrides,
    }


def test_a_notices_file_is_kept_in_the_bucket_and_comes_back_whole(
    client_with: Callable[..., TestClient],
    db_session: Session,
    s3_server: S3Server,
    corpus: Path,
) -> None:
    from tests.integration.cases.test_cases_api import reported

    client = client_with(**s3_changes(s3_server, "app-notices"))
    staff = hire(db_session, runtime_of(client).settings.master_key.get_secret_value())
    picture = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    case = reported(client, db_session, picture, url="https://videoshare.example/v/1")
    sha256 = hashlib.sha256(picture.read_bytes()).hexdigest()

    assert case.media_sha256 == sha256
    assert case.media_kind == "image"  # triaged from the bucket
    key = f"app-notices/{sha256[:2]}/{sha256[2:4]}/{sha256}"
    stored = s3_server.client().get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert stored == picture.read_bytes()
    assert not (runtime_of(client).settings.data_dir / "blobs").exists()

    headers = sign_in(client, staff.reviewer)
    download = client.get(f"/v1/cases/{case.reference}/media", headers=headers)
    assert download.status_code == 200, download.text
    assert download.content == picture.read_bytes()
    assert download.headers["content-type"] == "image/jpeg"
    assert download.headers["content-length"] == str(len(stored))
    assert download.headers["content-disposition"].startswith("attachment;")
    shown = client.get(f"/review/cases/{case.reference}/picture", headers=headers)
    assert shown.status_code == 200
    assert shown.headers["content-type"] == "image/jpeg"

    s3_server.client().delete_object(Bucket=BUCKET, Key=key)  # lost behind accord's back
    gone = client.get(f"/v1/cases/{case.reference}/media", headers=headers)
    assert gone.status_code == 404
    assert gone.json()["detail"] == f"case {case.reference} has no file"


def test_an_altered_copy_is_compared_with_the_original_in_the_bucket(
    client_with: Callable[..., TestClient],
    db_session: Session,
    s3_server: S3Server,
    corpus: Path,
) -> None:
    client = client_with(**s3_changes(s3_server, "app-assess"))
    runtime = runtime_of(client)
    master_key = runtime.settings.master_key.get_secret_value()
    create_issuer(db_session, "ec", IssuerName("Electoral Commission", "EC"), master_key)
    photo = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    record, signed = sign_for_issuer(
        runtime, db_session, photo, Signing("ec", SourceType.CAMERA, "Bridge", None)
    )
    key = (
        f"app-assess/{record.signed_sha256[:2]}/{record.signed_sha256[2:4]}/{record.signed_sha256}"
    )
    assert s3_server.client().head_object(Bucket=BUCKET, Key=key)["ContentLength"] == len(
        signed.data
    )
    with Image.open(io.BytesIO(signed.data)) as opened:
        altered = opened.convert("RGB")
    donor = edits.load_photo(corpus / "c2pa" / "C.jpg")
    altered.paste(donor.crop((100, 100, 260, 220)), (600, 300))
    sent = io.BytesIO()
    altered.save(sent, "JPEG", quality=80)

    answer = client.post("/v1/assess", files={"file": ("fake.jpg", sent.getvalue())})

    assert answer.status_code == 200, answer.text
    assert answer.json()["band"] == "altered_from_authentic"
    [finding] = [f for f in answer.json()["findings"] if f["code"] == "banks.altered_authentic"]
    assert finding["details"]["regions"]  # compared with the signed copy fetched from S3
    assert not list(runtime.settings.upload_dir.glob(".blob-*"))  # its download is gone


def ready_answer(settings: Settings, db_session: Session, **changes: object) -> Any:
    """/readyz of a started app (indices loaded) on ``settings`` with ``changes``."""
    app = create_app(settings.model_copy(update=changes))
    with make_client(app, db_session) as client:
        deadline = time.monotonic() + READY_WITHIN_SECONDS
        while (answer := client.get("/readyz")).json()["checks"]["indexes"] != "ok":
            assert time.monotonic() < deadline, answer.text
            time.sleep(0.05)
        return answer


def test_ready_with_the_bucket_answering(
    settings: Settings, db_session: Session, s3_server: S3Server
) -> None:
    answer = ready_answer(settings, db_session, **s3_changes(s3_server, "app-ready"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["checks"]["blobs"] == "ok"


def test_not_ready_without_the_bucket(
    settings: Settings, db_session: Session, s3_server: S3Server
) -> None:
    changes = s3_changes(s3_server, "app-ready", blob_url="s3://not-made-yet/blobs")
    answer = ready_answer(settings, db_session, **changes)

    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    reason = f"no bucket 'not-made-yet' at {s3_server.endpoint}"
    assert answer.json()["checks"]["blobs"] == reason
    assert answer.json()["detail"] == f"blobs: {reason}"


def test_not_ready_when_the_store_is_unreachable(
    settings: Settings, db_session: Session, s3_server: S3Server
) -> None:
    with closed_port() as port:
        endpoint = f"http://127.0.0.1:{port}"
        changes = s3_changes(s3_server, "app-ready", s3_endpoint_url=endpoint)
        answer = ready_answer(settings, db_session, **changes)

    assert answer.status_code == 503
    assert answer.json()["checks"]["blobs"] == f"unreachable: cannot connect to {endpoint}"
    assert answer.json()["checks"]["database"] == "ok"


def test_a_served_node_keeps_its_blobs_in_the_bucket(
    s3_server: S3Server, tmp_path: Path, corpus: Path
) -> None:
    s3_server.bucket(BUCKET)
    environment = s3_server.environment(BUCKET, "served")
    picture = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    sha256 = hashlib.sha256(picture.read_bytes()).hexdigest()
    settings = {name.removeprefix("ACCORD_").lower(): value for name, value in environment.items()}
    with serve(tmp_path, **settings) as served:
        deadline = time.monotonic() + READY_WITHIN_SECONDS
        while (ready := httpx.get(f"{served.base}/readyz")).status_code != 200:
            assert time.monotonic() < deadline, ready.text
            time.sleep(0.1)
        stored = httpx.post(
            f"{served.base}/v1/assets", files={"file": (picture.name, picture.read_bytes())}
        )
        assert stored.status_code == 201, stored.text

    key = f"served/{sha256[:2]}/{sha256[2:4]}/{sha256}"
    assert s3_server.client().get_object(Bucket=BUCKET, Key=key)["Body"].read() == (
        picture.read_bytes()
    )
    assert not (tmp_path / "blobs").exists()


def test_a_bad_blob_url_stops_the_start_in_one_line(tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "ACCORD_DATA_DIR": str(tmp_path),
        "ACCORD_BLOB_URL": "https://storage.example/blobs",
    }
    started = subprocess.run(
        [sys.executable, "-m", "accord", "serve", "--port", "1"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode != 0
    assert "Traceback" not in started.stderr
    assert (
        "ACCORD_BLOB_URL: not an s3:// URL: expected s3://bucket/prefix "
        "(got 'https://storage.example/blobs')"
    ) in started.stderr


def test_a_notice_sent_while_the_store_is_unreachable_is_refused_and_nothing_kept(
    client_with: Callable[..., TestClient],
    db_session: Session,
    s3_server: S3Server,
    corpus: Path,
) -> None:
    from sqlalchemy import func, select

    from accord.server.notices.models import Notice
    from tests.integration.notice_action import send_notice

    with closed_port() as port:
        changes = s3_changes(s3_server, "app-down", s3_endpoint_url=f"http://127.0.0.1:{port}")
        client = client_with(**changes)
        sent = send_notice(client, media=corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg")

    assert sent.status_code == 503
    assert sent.headers["content-type"] == "application/problem+json"
    assert sent.headers["retry-after"] == "5"
    problem = sent.json()
    assert problem["code"] == "server.storage_unavailable"
    assert problem["detail"].endswith("nothing was stored, try again shortly")
    assert db_session.scalar(select(func.count()).select_from(Notice)) == 0
