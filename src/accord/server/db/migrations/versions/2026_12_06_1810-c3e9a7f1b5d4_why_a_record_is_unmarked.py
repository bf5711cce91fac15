"""why a signed picture carries no watermark

Revision ID: c3e9a7f1b5d4
Revises: b8d4f0a2c6e1
Create Date: 2026-12-06 18:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c3e9a7f1b5d4"
down_revision = "b8d4f0a2c6e1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("provenance_records") as batch:
        batch.add_column(sa.Column("unmarked_reason", sa.Text(), nullable=False, server_default=""))
    # The default only filled the rows already there; the model sets it from now on.
    with op.batch_alter_table("provenance_records") as batch:
        batch.alter_column("unmarked_reason", existing_type=sa.Text(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("provenance_records") as batch:
        batch.drop_column("unmarked_reason")
