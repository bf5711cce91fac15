"""assets and their signals

Revision ID: 3a71a93d585e
Revises:
Create Date: 2026-11-22 01:36:15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "3a71a93d585e"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assets",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("mime", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_assets")),
    )
    op.create_table(
        "asset_signals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("asset_sha256", sa.String(length=64), nullable=False),
        sa.Column("signal_type", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.Column("reliable", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_sha256"],
            ["assets.sha256"],
            name=op.f("fk_asset_signals_asset_sha256_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_signals")),
        sa.UniqueConstraint(
            "asset_sha256", "signal_type", name=op.f("uq_asset_signals_asset_sha256")
        ),
    )
    op.create_index(
        op.f("ix_asset_signals_asset_sha256"), "asset_signals", ["asset_sha256"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_asset_signals_asset_sha256"), table_name="asset_signals")
    op.drop_table("asset_signals")
    op.drop_table("assets")
