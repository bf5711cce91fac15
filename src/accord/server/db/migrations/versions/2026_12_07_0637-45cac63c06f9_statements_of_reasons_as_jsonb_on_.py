"""statements of reasons as jsonb on postgresql: reports read a few keys of millions

Revision ID: 45cac63c06f9
Revises: 833b8a011f3e
Create Date: 2026-12-07 06:37:57.496647
"""

from __future__ import annotations

from alembic import op

revision = "45cac63c06f9"
down_revision = "833b8a011f3e"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite has one JSON type: nothing to change there.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE item_actions ALTER COLUMN statement TYPE jsonb USING statement::jsonb"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE item_actions ALTER COLUMN statement TYPE json USING statement::json"
        )
