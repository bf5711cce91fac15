"""What commands open: settings refused in one line each, and the light database context
that listing commands use instead of the whole service."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from accord.cli.local import migration_heads
from accord.server.db import migrate
from tests.unit.cli.conftest import accord, modules_loaded_by


def test_each_refused_setting_is_one_line_naming_its_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACCORD_LOG_FORMAT", "console")
    monkeypatch.setenv("ACCORD_PORT", "eighty")
    code, stdout, stderr = accord("key", "list")
    assert (code, stdout) == (1, "")
    assert stderr.splitlines() == [
        "accord: error: ACCORD_PORT: must be a whole number (got 'eighty')",
        "accord: error: ACCORD_LOG_FORMAT: must be auto, json or text (got 'console')",
    ]


def test_a_list_setting_that_is_not_json_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_TRUSTED_PROXIES", "10.0.0.1,10.0.0.2")
    code, _, stderr = accord("key", "list")
    assert code == 1
    assert (
        stderr
        == 'accord: error: ACCORD_TRUSTED_PROXIES: must be written in JSON, e.g. ["a", "b"]\n'
    )


def test_a_check_across_settings_keeps_its_own_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_ENV", "production")
    code, _, stderr = accord("key", "list")
    assert code == 1
    assert stderr == (
        "accord: error: ACCORD_SECRET_KEY must be set to a real secret when ACCORD_ENV=production\n"
    )


def test_the_migration_heads_are_alembics() -> None:
    heads = ScriptDirectory(str(Path(migrate.__file__).with_name("migrations"))).get_heads()
    assert migration_heads() == set(heads)


def test_a_listing_migrates_a_new_database_and_then_leaves_it(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert accord("key", "list") == (0, "", "")
    assert (data_dir / "accord.db").exists()

    def refuse(url: str, revision: str = "head") -> None:
        raise AssertionError(f"migrated {url} to {revision} again")

    monkeypatch.setattr(migrate, "upgrade", refuse)
    assert accord("key", "list") == (0, "", "")


def test_a_listing_does_not_build_the_service() -> None:
    assert accord("key", "list")[0] == 0  # the database migrated
    heavy = {"accord.server.runtime", "alembic", "numpy"} & modules_loaded_by("key", "list")
    assert not heavy, heavy


def test_the_bank_listing_uses_the_apis_schema_without_the_web_app() -> None:
    assert accord("bank", "create", "FAKE_SPEECHES", "--threshold", "pdq=20")[0] == 0
    code, stdout, _ = accord("bank", "list", "--json")
    assert code == 0
    assert json.loads(stdout)["thresholds"] == {"pdq": 20}
    web = {"fastapi", "accord.server.banks.router"} & modules_loaded_by("bank", "list")
    assert not web, web
