"""audit log and its head

Revision ID: 7a3c9d1e5b20
Revises: 5d2b8e6f0c41
Create Date: 2026-12-01 02:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "7a3c9d1e5b20"
down_revision = "5d2b8e6f0c41"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("table", sa.String(length=64), nullable=False),
        sa.Column("row_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("previous_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("entry_hash", name=op.f("uq_audit_log_entry_hash")),
    )
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "entry_hash": "0" * 64}])


def downgrade() -> None:
    op.drop_table("audit_head")
    op.drop_table("audit_log")
