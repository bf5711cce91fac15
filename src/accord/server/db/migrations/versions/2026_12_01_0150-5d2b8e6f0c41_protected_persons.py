"""protected persons and their reference faces

Revision ID: 5d2b8e6f0c41
Revises: 9c4e1f2a7b3d
Create Date: 2026-12-01 01:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "5d2b8e6f0c41"
down_revision = "9c4e1f2a7b3d"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "protected_persons",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("election", sa.String(length=200), nullable=False),
        sa.Column("constituency", sa.String(length=200), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protected_persons")),
    )
    op.create_table(
        "reference_faces",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=False),
        sa.Column("photo_sha256", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["protected_persons.id"],
            name=op.f("fk_reference_faces_person_id_protected_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_faces")),
    )
    op.create_index(
        op.f("ix_reference_faces_person_id"), "reference_faces", ["person_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_reference_faces_person_id"), table_name="reference_faces")
    op.drop_table("reference_faces")
    op.drop_table("protected_persons")
