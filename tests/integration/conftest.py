"""API and database fixtures: every test runs on SQLite and on PostgreSQL.

Each test gets a session inside a transaction that is rolled back afterwards, so tests
share one migrated database per backend and xdist worker and never see each other's rows.
PostgreSQL (127.0.0.1:5432, user postgres) is required when ``CI=true``; elsewhere its
tests are skipped, with the reason shown, if no server answers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session

from accord.provenance.certificates import IssuerName
from accord.provenance.signing import Signed, SourceType
from accord.server.app import create_app
from accord.server.credentials.models import ProvenanceRecord
from accord.server.credentials.service import Signing, sign_for_issuer
from accord.server.db.engine import make_engine
from accord.server.db.migrate import upgrade
from accord.server.deps import get_session, request_actor
from accord.server.issuers.service import create_issuer
from accord.server.settings import Settings
from tests.integration.notice_action import Staff, hire, runtime_of

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _postgres_url(worker_id: str) -> str:
    # The process id keeps two test runs on one machine (a developer's and CI's, or two
    # without xdist, both "master") from dropping each other's database.
    name = f"accord_test_{worker_id}_{os.getpid()}"
    try:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI and is not reachable: {error}")
        pytest.skip(f"PostgreSQL not reachable at 127.0.0.1:5432 ({error}); set up to run these")
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, worker_id: str
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'accord.db'}"
        return
    url = _postgres_url(worker_id)
    yield url
    _drop_database(url.rsplit("/", 1)[1])


def _drop_database(name: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    upgrade(database_url)
    engine = make_engine(database_url)
    if engine.dialect.name == "sqlite":
        _real_sqlite_transactions(engine)
    yield engine
    engine.dispose()


def _real_sqlite_transactions(engine: Engine) -> None:
    """Let SQLAlchemy emit BEGIN itself, so rolled-back test transactions stay rolled back.

    pysqlite starts transactions lazily and commits when the outermost SAVEPOINT is
    released, which would let a test's writes escape its rollback.
    """

    @event.listens_for(engine, "connect")
    def no_driver_transactions(connection: Any, _record: Any) -> None:
        connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")


@pytest.fixture
def db_session(engine: Engine) -> Iterator[Session]:
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        yield session
        session.close()
        transaction.rollback()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        env="test",
        data_dir=tmp_path / "data",
        database_url=database_url,
        auto_migrate=False,
        hash_concurrency=2,
    )


def make_client(app: FastAPI, session: Session) -> TestClient:
    def test_session(request: Request) -> Iterator[Session]:
        session.info["actor"] = request_actor(request)
        yield session
        session.commit()  # releases the savepoint; the outer transaction is rolled back

    app.dependency_overrides[get_session] = test_session
    # Code that opens sessions of its own (the hot match path) gets the same one.
    app.state.runtime = replace(app.state.runtime, sessions=lambda: _shared(session))
    return TestClient(app, raise_server_exceptions=False)


@contextmanager
def _shared(session: Session) -> Iterator[Session]:
    """``with runtime.sessions() as s`` for the test's session: ended, never closed."""
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    session.commit()


@pytest.fixture
def client(settings: Settings, db_session: Session, engine: Engine) -> Iterator[TestClient]:
    with make_client(create_app(settings), db_session) as test_client:
        yield test_client


@pytest.fixture
def client_with(
    settings: Settings, db_session: Session, engine: Engine
) -> Iterator[Callable[..., TestClient]]:
    """A client for an app whose settings differ from the defaults by ``changes``.

    The app's lifespan does not run (no background index sync), as before a server has
    finished starting; its runtime is closed when the test ends.
    """
    apps: list[FastAPI] = []

    def build(**changes: object) -> TestClient:
        app = create_app(settings.model_copy(update=changes))
        apps.append(app)
        return make_client(app, db_session)

    yield build
    for app in apps:
        app.state.runtime.close()


#: The master key that issuers made by ``sign_as_ec`` are sealed under.
SIGNING_MASTER_KEY = "the master key of this test instance"
SignAsEc = Callable[..., tuple[ProvenanceRecord, Signed]]


@pytest.fixture
def sign_as_ec(client: TestClient, db_session: Session) -> SignAsEc:
    """Signs files on this test's instance for the issuer "ec" (Electoral Commission):
    ``sign_as_ec(path, title, source_type=SourceType.CAMERA, parent=None)``."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    update = {"master_key": SecretStr(SIGNING_MASTER_KEY)}
    runtime = replace(runtime, settings=runtime.settings.model_copy(update=update))
    create_issuer(db_session, "ec", IssuerName("Electoral Commission", "EC"), SIGNING_MASTER_KEY)

    def sign(
        path: Path,
        title: str,
        source_type: SourceType = SourceType.CAMERA,
        parent: Path | None = None,
    ) -> tuple[ProvenanceRecord, Signed]:
        return sign_for_issuer(runtime, db_session, path, Signing("ec", source_type, title, parent))

    return sign


@pytest.fixture
def staff(client: TestClient, db_session: Session) -> Staff:
    """An election authority's staff, a candidate and her representative (``hire``)."""
    return hire(db_session, runtime_of(client).settings.master_key.get_secret_value())
