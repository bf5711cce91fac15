"""second factor: authenticator secrets, recovery codes, known devices, sign-in stages

Revision ID: e754da1f054c
Revises: 45cac63c06f9
Create Date: 2026-12-07 08:27:41.732979
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from accord.server.db.base import UtcDateTime

revision = "e754da1f054c"
down_revision = "45cac63c06f9"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "known_devices",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("device_hmac", sa.String(length=32), nullable=False),
        sa.Column("first_seen_at", UtcDateTime(), nullable=False),
        sa.Column("last_seen_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_known_devices_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "device_hmac", name=op.f("pk_known_devices")),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_codes_user_id"), ["user_id"], unique=False)

    op.create_table(
        "second_factors",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sealed_secret", sa.LargeBinary(), nullable=False),
        sa.Column("confirmed_at", UtcDateTime(), nullable=True),
        sa.Column("last_used_step", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_second_factors_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_second_factors")),
    )
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stage", sa.String(length=16), server_default="signed_in", nullable=False)
        )
    # Sessions of roles that now need a second factor end: their next sign-in sets it up.
    op.execute(
        "DELETE FROM login_sessions WHERE user_id IN "
        "(SELECT id FROM users WHERE role IN ('admin', 'senior_reviewer', 'reviewer'))"
    )


def downgrade() -> None:
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_column("stage")

    op.drop_table("second_factors")
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_codes_user_id"))

    op.drop_table("recovery_codes")
    op.drop_table("known_devices")
