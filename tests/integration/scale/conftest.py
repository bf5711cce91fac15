"""Several ``accord serve`` nodes as one: a PostgreSQL database, an S3 bucket (on the
SeaweedFS test server) and a Redis database of the test module's own, shared by every
node it starts.

PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) are required when ``CI=true``;
elsewhere these tests are skipped, with the reason shown, if either does not answer.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest
import redis

from accord.server.db.migrate import upgrade
from tests.integration.databases import POSTGRES_ADMIN
from tests.integration.serving import STARTUP_SECONDS, Served, free_port, serve
from tests.s3_server import S3Server

REDIS_URL = "redis://127.0.0.1:6379"
#: Redis' databases a test may claim (0 is left to whoever runs Redis for other uses).
REDIS_DATABASES = range(1, 16)
#: How long a claim on a Redis database lasts if its test dies without releasing it.
CLAIM_SECONDS = 600
_CLAIM_KEY = "accord-test:claimed"


def required(service: str, error: Exception) -> NoReturn:
    """Fail in CI, skip elsewhere: ``service`` does not answer."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{service} is required in CI and is not reachable: {error}")
    pytest.skip(f"{service} not reachable ({error}); set it up to run these")


@contextmanager
def postgres_database(label: str) -> Iterator[str]:
    """A migrated PostgreSQL database of the caller's own, dropped afterwards."""
    name = f"accord_scale_{label}_{os.getpid()}"
    try:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        required("PostgreSQL at 127.0.0.1:5432", error)
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        upgrade(url)  # once, before the nodes start: not by each at once
        yield url
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def redis_database() -> Iterator[str]:
    """The URL of a Redis database no other test holds now, emptied before and after.

    A claim key with an expiry marks it taken, so parallel test runs on one Redis never
    count in each other's buckets."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        required(f"Redis at {REDIS_URL}", error)
    token = secrets.token_hex(8)
    for number in REDIS_DATABASES:
        client = redis.Redis.from_url(f"{REDIS_URL}/{number}")
        if client.set(_CLAIM_KEY, token, nx=True, ex=CLAIM_SECONDS):
            break
        client.close()
    else:
        pytest.fail("every Redis database is claimed by other tests")
    try:
        _empty(client, token)
        yield f"{REDIS_URL}/{number}"
    finally:
        _empty(client, token)
        client.delete(_CLAIM_KEY)
        client.close()


def _empty(client: redis.Redis, token: str) -> None:
    """Delete every key but the claim."""
    client.flushdb()
    client.set(_CLAIM_KEY, token, ex=CLAIM_SECONDS)


def blob_settings(s3: S3Server, bucket: str) -> dict[str, str]:
    """Settings (``ACCORD_*``) that give every node of a test the blob store they share:
    a bucket of the test's own on the S3 server."""
    return s3.environment(s3.bucket(bucket))


@dataclass(frozen=True)
class Cluster:
    """What every node of a test shares, and how to start one more node on it."""

    database_url: str
    redis_url: str
    folder: Path
    settings: dict[str, str]
    #: The blob store's settings, as ``ACCORD_*`` variables.
    blobs: dict[str, str]

    def node_settings(self, name: str, **overrides: str) -> tuple[Path, dict[str, str]]:
        """A node's own data folder and its settings (as ``serve`` takes them)."""
        data = self.folder / name
        env = {
            "database_url": self.database_url,
            "redis_url": self.redis_url,
            "auto_migrate": "false",
            **self.settings,
        }
        env |= {key.removeprefix("ACCORD_").lower(): value for key, value in self.blobs.items()}
        return data, env | overrides

    @contextmanager
    def node(self, name: str, **overrides: str) -> Iterator[Served]:
        data, env = self.node_settings(name, **overrides)
        with serve(data, **env) as served:
            yield served


#: Settings of every node in these tests: triage and delivery within a fraction of a
#: second, and a small sign-in limit to reach.
NODE_SETTINGS = {
    "triage_poll_seconds": "0.2",
    "outbox_poll_seconds": "0.2",
    "login_attempts_per_minute": "4",
    "notices_per_minute_per_address": "100",
}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, s3_server: S3Server) -> Iterator[Cluster]:
    with ExitStack() as stack:
        database_url = stack.enter_context(postgres_database("nodes"))
        redis_url = stack.enter_context(redis_database())
        folder = tmp_path_factory.mktemp("nodes")
        blobs = blob_settings(s3_server, f"accord-nodes-{os.getpid()}-{secrets.token_hex(3)}")
        yield Cluster(database_url, redis_url, folder, dict(NODE_SETTINGS), blobs)


@pytest.fixture(scope="module")
def nodes(cluster: Cluster) -> Iterator[tuple[Served, Served]]:
    """Two nodes on one database, one blob store and one Redis."""
    with cluster.node("a") as first, cluster.node("b") as second:
        yield first, second


@dataclass
class RedisServer:
    """A ``redis-server`` of a test's own, which it may stop and start again (same port)."""

    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            required("redis-server", FileNotFoundError("redis-server is not installed"))
        arguments = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        self.process = subprocess.Popen(
            [*arguments, "--appendonly", "no"], stdout=subprocess.DEVNULL
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start on port {self.port}")
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
