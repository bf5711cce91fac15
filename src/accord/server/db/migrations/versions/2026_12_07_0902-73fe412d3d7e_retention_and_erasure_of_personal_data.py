"""retention and erasure: subject keys for sealed audit values, erasure requests, consent

Revision ID: 73fe412d3d7e
Revises: e754da1f054c
Create Date: 2026-12-07 09:02:05.302483
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from accord.server.db.base import UtcDateTime

revision = "73fe412d3d7e"
down_revision = "e754da1f054c"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erasure_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("about", sa.String(length=100), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", UtcDateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("erased", sa.JSON(), nullable=False),
        sa.Column("kept", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_requests")),
    )
    with op.batch_alter_table("erasure_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_erasure_requests_requested_at"), ["requested_at"], unique=False
        )

    op.create_table(
        "subject_keys",
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_subject_keys")),
        sa.UniqueConstraint("key_id", name=op.f("uq_subject_keys_key_id")),
    )
    with op.batch_alter_table("protected_persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("biometric_consent_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("biometric_consent_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("protected_persons", schema=None) as batch_op:
        batch_op.drop_column("biometric_consent_at")
        batch_op.drop_column("biometric_consent_by")

    op.drop_table("subject_keys")
    with op.batch_alter_table("erasure_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erasure_requests_requested_at"))
    op.drop_table("erasure_requests")
