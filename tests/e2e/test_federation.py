"""Two instances federating over TAXII 2.1, as two organisations would run them.

A (SQLite) publishes a shared bank; B (PostgreSQL) subscribes with a partner key. Each is
a real ``accord serve`` process set up with the ``accord`` commands a user types: a
re-encoded copy of A's entry matches on B, B's opinion reaches A, A's withdrawal reaches
B, and a TLP:RED bank stays home.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
from PIL import Image
from taxii2client.v21 import Server

from tests.integration.serving import Served, serve
from tests.integration.taxii.publishing import Bearer

PHOTO = Path("../shared/corpus/pdq/bridge-mods/aaa-orig.jpg")
OWNER = "Electoral Commission A"
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
#: Past this a change is taken as never arriving (the poll runs every second).
GIVE_UP_SECONDS = 60.0

pytestmark = pytest.mark.xdist_group("federation")


@dataclass(frozen=True)
class Instance:
    env: dict[str, str]
    served: Served

    def accord(self, *args: str, extra: dict[str, str] | None = None) -> str:
        """Run an ``accord`` command against this instance; its output, or the test fails."""
        done = subprocess.run(
            [sys.executable, "-m", "accord", *args],
            env={**self.env, **(extra or {})},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"accord {' '.join(args)}: {done.stderr}{done.stdout}"
        return done.stdout

    def refused(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "accord", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode != 0, done.stdout
        return done.stderr.strip()

    def matched_entries(self, path: Path) -> list[dict[str, object]]:
        with path.open("rb") as media:
            response = httpx.post(
                f"{self.served.base}/v1/match", files={"file": (path.name, media)}, timeout=60
            )
        assert response.status_code == 200, response.text
        return list(response.json()["matches"])


def _environment(data: Path, database_url: str | None, poll_seconds: str) -> dict[str, str]:
    env = {
        **os.environ,
        "ACCORD_DATA_DIR": str(data),
        "ACCORD_EXCHANGE_POLL_SECONDS": poll_seconds,
        "ACCORD_INDEX_SYNC_SECONDS": "0.5",
        "ACCORD_LOG_FORMAT": "json",
    }
    if database_url:
        env["ACCORD_DATABASE_URL"] = database_url
    return env


@pytest.fixture(scope="module")
def postgres_url(worker_id: str) -> Iterator[str]:
    name = f"accord_federation_{worker_id}_{os.getpid()}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI and is not reachable: {error}")
        pytest.skip(f"PostgreSQL not reachable ({error})")
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def publisher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    data = tmp_path_factory.mktemp("publisher")
    env = _environment(data, None, "300")
    with serve(data, exchange_poll_seconds="300", index_sync_seconds="0.5") as served:
        yield Instance(env, served)


@pytest.fixture(scope="module")
def subscriber(tmp_path_factory: pytest.TempPathFactory, postgres_url: str) -> Iterator[Instance]:
    data = tmp_path_factory.mktemp("subscriber")
    env = _environment(data, postgres_url, "1")
    with serve(
        data, database_url=postgres_url, exchange_poll_seconds="1", index_sync_seconds="0.5"
    ) as served:
        yield Instance(env, served)


def eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + GIVE_UP_SECONDS
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not seen within {GIVE_UP_SECONDS} s")
        time.sleep(0.2)


def test_two_instances_share_a_bank(
    publisher: Instance, subscriber: Instance, tmp_path: Path
) -> None:
    # A: a shared bank with one entry, a RED bank with another, and a key for partner B.
    publisher.accord(
        "bank", "create", "DEEPFAKES", "--owner", OWNER, "--marking", "TLP:AMBER", "--share"
    )
    added = publisher.accord("bank", "add", "DEEPFAKES", str(PHOTO), "--case", "CASE-7")
    entry_id = int(added.split("\t")[1])
    publisher.accord("bank", "create", "SECRET", "--owner", OWNER, "--marking", "TLP:RED")
    publisher.accord("bank", "add", "SECRET", str(PHOTO))
    assert "TLP:RED" in publisher.refused("bank", "share", "SECRET")
    key_line = publisher.accord(
        "key", "create", "PLATFORM_B", "--scope", "share", "--partner-of", OWNER
    )
    key = next(word for word in key_line.split() if word.startswith("acc_"))

    # A real TAXII client sees exactly the shared bank.
    server = Server(f"{publisher.served.base}/taxii2/", auth=Bearer(key))
    titles = [collection.title for collection in server.default.collections]
    assert titles == ["DEEPFAKES"]

    # B subscribes; its background poll fetches the entry.
    subscriber.accord(
        "exchange",
        "add",
        "FROM_A",
        "--taxii",
        f"{publisher.served.base}/taxii2/",
        "--collection",
        "DEEPFAKES",
        "--bank",
        "A_DEEPFAKES",
        "--api-key-env",
        "PARTNER_KEY",
        extra={"PARTNER_KEY": key},
    )
    copy = tmp_path / "reencoded.jpg"
    Image.open(PHOTO).convert("RGB").save(copy, quality=55)
    eventually(lambda: bool(subscriber.matched_entries(copy)), "A's entry matching on B")
    match = subscriber.matched_entries(copy)[0]
    assert match["bank"] == "A_DEEPFAKES"
    origin = match["entry"]["origin"]  # type: ignore[index]
    assert origin["exchange"] == "FROM_A"
    assert origin["owner"] == OWNER
    assert origin["marking"] == "TLP:AMBER"
    local_entry = match["entry_id"]

    # B's opinion reaches A.
    said = subscriber.accord(
        "exchange", "opinion", "FROM_A", str(local_entry), "--false-positive", "--note", "a mural"
    )
    assert "sent" in said
    exported = publisher.accord("bank", "export", "DEEPFAKES", "--format", "jsonl")
    assert '"false_positive"' in exported
    assert "a mural" in exported

    # A withdraws the entry: after B's next fetch it no longer matches there.
    deleted = httpx.delete(f"{publisher.served.base}/v1/banks/DEEPFAKES/entries/{entry_id}")
    assert deleted.status_code == 204, deleted.text
    subscriber.accord("exchange", "fetch", "FROM_A")
    eventually(lambda: not subscriber.matched_entries(copy), "the withdrawal reaching B")
