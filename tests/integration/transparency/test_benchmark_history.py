"""The transparency benchmark's generated history, small: it loads into a migrated
PostgreSQL database, and the report's figures count exactly what was generated (the
benchmark checks the same at a million notices)."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import psycopg
import pytest

from accord.server.db.engine import make_engine, make_session_factory
from accord.server.db.migrate import upgrade
from accord.server.settings import Settings
from accord.server.transparency.period import last_full_month
from accord.server.transparency.service import figures_for

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"


def _load(name: str) -> ModuleType:
    # benchmarks/ is not a package: load the generator from its file.
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def generator() -> ModuleType:
    return sys.modules.get("transparency_data") or _load("transparency_data")


@pytest.fixture
def database(generator: ModuleType) -> Iterator[str]:
    name = f"accord_test_bench_history_{os.getpid()}"
    try:
        generator.create_database(name)
    except psycopg.OperationalError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI and is not reachable: {error}")
        pytest.skip(f"PostgreSQL not reachable at 127.0.0.1:5432 ({error})")
    yield name
    generator.drop_database(name)


def test_the_figures_count_exactly_what_was_generated(generator: ModuleType, database: str) -> None:
    zone = ZoneInfo("Europe/Brussels")
    period = last_full_month(date(2026, 12, 7), zone)
    url = generator.database_url(database)
    upgrade(url)
    plan = generator.Plan(600, 500, period.start, period.end, seed=3)

    generated = generator.generate(database, plan)

    assert generated.rows["notices"] == 600
    assert generated.rows["decisions"] == 500
    expected = generator.expected_of(generated.expected)
    # Every kind of row the report reads is there: the check below is not vacuous.
    for key in ("statements_SOURCE_VOLUNTARY", "statements_on_notices", "decisions_automated"):
        assert expected[key] > 0, key
    assert expected["appeals"] > 0
    settings = Settings(database_url=url, time_zone="Europe/Brussels", auto_migrate=False)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            figures = figures_for(session, settings, period)
    finally:
        engine.dispose()
    assert generator.differences(generator.found_in(figures), expected) == {}
