"""record watermarks and lineage

Revision ID: 9c4e1f2a7b3d
Revises: 2dacb01780f3
Create Date: 2026-11-30 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "9c4e1f2a7b3d"
down_revision = "2dacb01780f3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("provenance_records") as batch:
        batch.add_column(sa.Column("watermark", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("parent_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("ingredient_archive", sa.LargeBinary(), nullable=True))
        batch.create_index(op.f("ix_provenance_records_watermark"), ["watermark"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("provenance_records") as batch:
        batch.drop_index(op.f("ix_provenance_records_watermark"))
        batch.drop_column("ingredient_archive")
        batch.drop_column("parent_id")
        batch.drop_column("watermark")
