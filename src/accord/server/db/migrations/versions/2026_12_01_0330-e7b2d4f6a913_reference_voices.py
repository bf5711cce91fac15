"""protected people's reference voices

Revision ID: e7b2d4f6a913
Revises: cd4ac9ae6f92
Create Date: 2026-12-01 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e7b2d4f6a913"
down_revision = "cd4ac9ae6f92"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reference_voices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=False),
        sa.Column("clip_sha256", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["protected_persons.id"],
            name=op.f("fk_reference_voices_person_id_protected_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_voices")),
    )
    op.create_index(op.f("ix_reference_voices_person_id"), "reference_voices", ["person_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_reference_voices_person_id"), table_name="reference_voices")
    op.drop_table("reference_voices")
