"""statements of reasons queued for the DSA Transparency Database

Revision ID: f2c8a1d4b6e7
Revises: e7b2d4f6a913
Create Date: 2026-12-01 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f2c8a1d4b6e7"
down_revision = "e7b2d4f6a913"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tdb_submissions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_action_id", sa.Integer(), nullable=False),
        sa.Column("puid", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("uuid", sa.String(length=64), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_action_id"],
            ["item_actions.id"],
            name=op.f("fk_tdb_submissions_item_action_id_item_actions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tdb_submissions")),
        sa.UniqueConstraint("item_action_id", name=op.f("uq_tdb_submissions_item_action_id")),
    )
    op.create_index(op.f("ix_tdb_submissions_status"), "tdb_submissions", ["status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_tdb_submissions_status"), table_name="tdb_submissions")
    op.drop_table("tdb_submissions")
