"""The database's part of a backup: which databases it takes, and a SQLite snapshot taken
while a writer holds a transaction open."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from accord.errors import BackupError
from accord.server.backups import databases


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("sqlite:////srv/accord/accord.db", "sqlite"),
        ("postgresql+psycopg://accord@db.example.org/accord", "postgresql"),
        ("postgresql://accord@db.example.org/accord", "postgresql"),
    ],
)
def test_the_kind_of_database(url: str, kind: str) -> None:
    assert databases.kind_of(url) == kind


def test_other_databases_are_refused_by_name() -> None:
    with pytest.raises(BackupError, match="not mysql"):
        databases.kind_of("mysql+pymysql://accord@db.example.org/accord")


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_a_sqlite_database_not_in_a_file_is_refused(url: str, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="only a SQLite database in a file"):
        databases.dump(url, tmp_path / "database.sqlite3")


def test_a_missing_sqlite_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    with pytest.raises(BackupError, match=f"there is no database at {missing}"):
        databases.dump(f"sqlite:///{missing}", tmp_path / "database.sqlite3")
    assert not missing.exists()


def test_without_pg_dump_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a folder without pg_dump
    with pytest.raises(BackupError, match=r"pg_dump is not installed: .*postgresql-client"):
        databases.dump("postgresql://accord@127.0.0.1/accord", tmp_path / "database.pgdump")


def test_a_sqlite_snapshot_holds_what_was_committed_and_nothing_in_flight(
    tmp_path: Path,
) -> None:
    live = tmp_path / "accord.db"
    with closing(sqlite3.connect(live, isolation_level=None)) as writer:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("CREATE TABLE alembic_version (version_num TEXT)")
        writer.execute("INSERT INTO alembic_version VALUES ('e754da1f054c')")
        writer.execute("CREATE TABLE notices (id INTEGER PRIMARY KEY)")
        writer.execute("INSERT INTO notices VALUES (1)")
        writer.execute("BEGIN IMMEDIATE")  # the writer's lock, held while the backup runs
        writer.execute("INSERT INTO notices VALUES (2)")
        revision = databases.dump(f"sqlite:///{live}", tmp_path / "database.sqlite3")
        writer.execute("COMMIT")
    assert revision == "e754da1f054c"
    assert not Path(f"{tmp_path / 'database.sqlite3'}-wal").exists()  # one whole file
    with closing(sqlite3.connect(tmp_path / "database.sqlite3")) as copy:
        assert copy.execute("SELECT id FROM notices").fetchall() == [(1,)]
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
