"""Upgrading a SQLite database that holds banks to the sharing migration keeps every row,
and signal ids are never handed out twice afterwards."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from accord.server.db.engine import make_engine
from accord.server.db.migrate import downgrade, upgrade

BEFORE_SHARING = "c3e9a7f1b5d4"


def test_upgrading_keeps_banks_entries_and_signals(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'accord.db'}"
    upgrade(url, BEFORE_SHARING)
    engine = make_engine(url)  # foreign keys on, as accord runs it
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO banks (name, kind, owner, description, marking, enabled, "
                "enabled_ratio, thresholds, created_at, updated_at) VALUES ('FAKES', "
                "'deceptive', '', '', 'TLP:AMBER', 1, 1.0, '{}', '2026-01-01', '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO bank_entries (bank_id, source, labels, note, extra, added_by, "
                "added_at, enabled, updated_at) VALUES (1, '', '[]', '', '{}', '', "
                "'2026-01-01', 1, '2026-01-01')"
            )
        )
        for signal_id in (1, 2, 3):
            connection.execute(
                text(
                    "INSERT INTO entry_signals (id, entry_id, signal_type, value, created_at) "
                    "VALUES (:id, 1, :type, 'v', '2026-01-01')"
                ),
                {"id": signal_id, "type": f"t{signal_id}"},
            )
        # The newest signal was deleted, as the removals feed records.
        connection.execute(
            text(
                "INSERT INTO signal_removals (signal_id, signal_type, removed_at) "
                "VALUES (3, 't3', '2026-01-01')"
            )
        )
        connection.execute(text("DELETE FROM entry_signals WHERE id = 3"))
    engine.dispose()

    upgrade(url)

    engine = create_engine(url)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM banks")).scalar() == 1
        assert connection.execute(text("SELECT count(*) FROM bank_entries")).scalar() == 1
        assert connection.execute(text("SELECT id FROM entry_signals ORDER BY id")).all() == [
            (1,),
            (2,),
        ]
        connection.execute(
            text(
                "INSERT INTO entry_signals (entry_id, signal_type, value, created_at) "
                "VALUES (1, 'new', 'v', '2026-01-01')"
            )
        )
        new_id = connection.execute(
            text("SELECT id FROM entry_signals WHERE signal_type = 'new'")
        ).scalar()
    engine.dispose()
    assert new_id == 4  # past the deleted 3, which index processes already read


def test_downgrading_keeps_entries(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'accord.db'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO banks (name, kind, owner, description, marking, enabled, "
                "enabled_ratio, thresholds, shared, created_at, updated_at) VALUES ('FAKES', "
                "'deceptive', '', '', 'TLP:AMBER', 1, 1.0, '{}', 0, '2026-01-01', '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO bank_entries (bank_id, source, labels, note, extra, added_by, "
                "added_at, enabled, updated_at) VALUES (1, '', '[]', '', '{}', '', "
                "'2026-01-01', 1, '2026-01-01')"
            )
        )
    engine.dispose()
    downgrade(url, BEFORE_SHARING)
    engine = create_engine(url)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM bank_entries")).scalar() == 1
    engine.dispose()
