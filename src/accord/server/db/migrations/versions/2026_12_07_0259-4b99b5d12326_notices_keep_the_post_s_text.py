"""notices keep the post's text

Revision ID: 4b99b5d12326
Revises: a6c2b3260251
Create Date: 2026-12-07 02:59:52.802894
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "4b99b5d12326"
down_revision = "a6c2b3260251"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text", sa.Text(), nullable=False, server_default=""))
    # The default only filled the rows already there; the model sets it from now on.
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.alter_column("text", existing_type=sa.Text(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_column("text")
