"""Models and migrations agree, and migrations go down and up again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from accord.server.db.migrate import downgrade, is_at_head, upgrade
from accord.server.db.models import Base


def test_models_match_migrations(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_base_and_back(database_url: str, engine: Engine) -> None:
    downgrade(database_url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    with engine.connect() as connection:
        assert not is_at_head(connection)
    upgrade(database_url)
    assert {"assets", "asset_signals"} <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        assert is_at_head(connection)
