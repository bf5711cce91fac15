"""Two databases on the test's backend, beside the shared one: one for the instance backed
up ("origin"), one to restore into, emptied before each test. Their transactions commit,
as a running service's do, so they cannot be the rolled-back test database; they are made
once per module, since making a PostgreSQL database takes seconds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, text

from accord.server.app import create_app
from accord.server.runtime import Runtime
from accord.server.settings import Settings
from tests.integration.databases import own_engine_beside

MASTER_KEY = "the master key of the instance backed up"


@dataclass(frozen=True)
class Databases:
    origin: Engine
    restored: Engine


def settings_for(engine: Engine, data_dir: Path) -> Settings:
    return Settings(
        env="test",
        data_dir=data_dir,
        database_url=engine.url.render_as_string(hide_password=False),
        master_key=SecretStr(MASTER_KEY),
        auto_migrate=False,
        hash_concurrency=2,
        # The load test files notices as fast as it can, all from one address.
        notices_per_minute_per_address=100_000,
    )


@pytest.fixture(scope="module")
def databases(
    request: pytest.FixtureRequest, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Databases]:
    folder = tmp_path_factory.mktemp("backups")
    # Named after the module too: no two modules' databases are ever the same.
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")[:16]
    with (
        own_engine_beside(database_url, folder, f"{module}_origin") as origin,
        own_engine_beside(database_url, folder, f"{module}_restored") as restored,
    ):
        yield Databases(origin, restored)


@pytest.fixture(scope="module")
def origin(databases: Databases, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The instance backed up: the module's tests add to it, never remove."""
    return settings_for(databases.origin, tmp_path_factory.mktemp("origin"))


@pytest.fixture
def target(databases: Databases, tmp_path: Path) -> Settings:
    """A new instance to restore into: an empty database and data folder."""
    engine = databases.restored
    engine.dispose()  # no connection of the pool may hold the file or the schema
    if engine.dialect.name == "sqlite":
        database = Path(str(engine.url.database))
        for stale in (database, *(Path(f"{database}{end}") for end in ("-wal", "-shm"))):
            stale.unlink(missing_ok=True)
    else:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    return settings_for(engine, tmp_path / "restored")


@contextmanager
def serving(settings: Settings) -> Iterator[TestClient]:
    """The service's API on ``settings``, every request in its own committed transaction.
    Its background loops do not run: the tests sync what they need themselves."""
    app = create_app(settings)
    try:
        yield TestClient(app, raise_server_exceptions=False)
    finally:
        runtime_of(app.state.runtime).close()


def runtime_of(runtime: object) -> Runtime:
    assert isinstance(runtime, Runtime)
    return runtime
