"""issuers

Revision ID: ae1af6750091
Revises: 658a20ca3fe5
Create Date: 2026-11-30 20:23:02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ae1af6750091"
down_revision = "658a20ca3fe5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issuers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("organization", sa.String(length=200), nullable=False),
        sa.Column("chain_pem", sa.Text(), nullable=False),
        sa.Column("root_pem", sa.Text(), nullable=True),
        sa.Column("sealed_key", sa.LargeBinary(), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("not_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issuers")),
        sa.UniqueConstraint("name", name=op.f("uq_issuers_name")),
    )


def downgrade() -> None:
    op.drop_table("issuers")
