"""generation gate: decisions, bans, appeals, tallies

Revision ID: 399d3bda64dd
Revises: b32fe01e068a
Create Date: 2026-12-07 00:18:03.854847
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "399d3bda64dd"
down_revision = "b32fe01e068a"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "guard_bans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("strikes", sa.Integer(), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by", sa.String(length=320), nullable=False),
        sa.Column("lift_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guard_bans")),
    )
    with op.batch_alter_table("guard_bans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guard_bans_user"), ["user"], unique=False)

    op.create_table(
        "guard_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user", sa.String(length=200), nullable=False),
        sa.Column("client", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("tool", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("prompt_sha256", sa.String(length=64), nullable=False),
        sa.Column("excerpt", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guard_decisions")),
    )
    with op.batch_alter_table("guard_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_guard_decisions_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            "ix_guard_decisions_user_created", ["user", "created_at"], unique=False
        )

    op.create_table(
        "guard_tallies",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "kind", "verdict", "category", name=op.f("pk_guard_tallies")
        ),
    )
    op.create_table(
        "guard_appeals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ban_id", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=320), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ban_id"],
            ["guard_bans.id"],
            name=op.f("fk_guard_appeals_ban_id_guard_bans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guard_appeals")),
    )
    with op.batch_alter_table("guard_appeals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guard_appeals_ban_id"), ["ban_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("guard_appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guard_appeals_ban_id"))

    op.drop_table("guard_appeals")
    op.drop_table("guard_tallies")
    with op.batch_alter_table("guard_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_guard_decisions_user_created")
        batch_op.drop_index(batch_op.f("ix_guard_decisions_created_at"))

    op.drop_table("guard_decisions")
    with op.batch_alter_table("guard_bans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guard_bans_user"))

    op.drop_table("guard_bans")
